import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { Caller } from '../../src/server/caller.js'
import type { Client } from '../../src/server/client.js'
import { call } from '../../src/server/dispatcher.js'
import type { WriteSink } from '../../src/server/propagation.js'
import type { Server } from '../../src/server/server.js'
import type { Database } from '../../src/store/database.js'
import { until } from '../helpers/fixture.js'
import { startRespite } from '../helpers/servers.js'

/**
 * The one execution path: a caller without a socket (what scripts will use) runs
 * commands through the same call() as a connection, its writes reach blocked clients
 * and the propagation seam like anyone's, and handlers never need a socket.
 */

class SocketlessCaller extends Caller {
  constructor(server: Server) {
    super(server, 0, false, 64)
    this.denyBlocking = true
  }

  get connection(): Client | null {
    return null
  }

  closeAfterReply(): void {}
  destroy(): void {}

  /** Runs one command as the dispatcher would after its checks, and returns the reply bytes. */
  run(...argv: string[]): string {
    const spec = this.server.table.lookup(argv[0])!
    const at = this.out.pos
    call(spec, this, argv)
    const reply = this.out.buf.toString('latin1', at, this.out.pos)
    this.out.reuse()
    return reply
  }
}

const respite = await startRespite()
const server = respite.server
afterAll(() => respite.close())

describe('a caller without a socket', () => {
  it('runs SET, GET and INCR through call() and reads back what a connection wrote', async () => {
    const caller = new SocketlessCaller(server)
    expect(caller.run('SET', 'caller:k', 'v')).toBe('+OK\r\n')
    expect(caller.run('GET', 'caller:k')).toBe('$1\r\nv\r\n')
    expect(caller.run('INCR', 'caller:k')).toBe('-ERR value is not an integer or out of range\r\n')
    const redis = new Redis(respite.port, { lazyConnect: true })
    await redis.connect()
    await redis.set('caller:n', '41')
    expect(caller.run('INCR', 'caller:n')).toBe(':42\r\n')
    expect(await redis.get('caller:k')).toBe('v')
    redis.disconnect()
  })

  it('answers BLPOP at once with a null array, as inside MULTI or a script', () => {
    const caller = new SocketlessCaller(server)
    expect(caller.run('BLPOP', 'caller:empty', '0')).toBe('*-1\r\n')
    expect(server.blocking.count).toBe(0)
  })

  it('wakes a connection blocked in BLPOP when it pushes to the key', async () => {
    const redis = new Redis(respite.port)
    const blocked = redis.blpop('caller:queue', 0)
    await until(() => server.blocking.count === 1, 'BLPOP to block')
    const caller = new SocketlessCaller(server)
    expect(caller.run('LPUSH', 'caller:queue', 'job')).toBe(':1\r\n')
    expect(await blocked).toEqual(['caller:queue', 'job'])
    redis.disconnect()
  })
})

describe('the propagation seam', () => {
  it('receives each command that changed the data, once, in the database it ran in', async () => {
    const seen: [number, string[]][] = []
    const sink: WriteSink = { write: (db: Database, argv) => seen.push([db.index, [...argv]]) }
    server.propagation.attach(sink)
    try {
      const redis = new Redis(respite.port)
      await redis.set('seam:a', '1')
      await redis.get('seam:a')
      await redis.del('seam:missing')
      await redis.select(3)
      await redis.rpush('seam:list', 'x', 'y')
      await redis.lpop('seam:list', 5)
      await redis.lpop('seam:list')
      redis.disconnect()
      expect(seen).toEqual([
        [0, ['set', 'seam:a', '1']],
        [3, ['rpush', 'seam:list', 'x', 'y']],
        [3, ['lpop', 'seam:list', '5']],
      ])
    } finally {
      server.propagation.detach(sink)
    }
    expect(server.propagation.active).toBe(false)
  })
})
