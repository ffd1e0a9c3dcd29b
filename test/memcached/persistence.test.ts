import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startCli, type Running } from '../helpers/cli.js'
import { call } from '../helpers/fixture.js'
import { loadRdb } from '../../src/persistence/rdb-file.js'
import { Conn, sleep, startRespite } from './helpers.js'

/**
 * memcached writes bypass the command dispatcher, so they must reach the two things
 * it does around a command by themselves: the append-only file (a restart keeps
 * them) and a running background save (which must keep the value as it was).
 */

const dir = mkdtempSync(join(tmpdir(), 'respite-mc-persist-'))
afterAll(() => { if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }) })

async function memcachedPort(r: Running): Promise<number> {
  return Number(/memcached text protocol on port (\d+)\./.exec(r.log())![1])
}

async function send(port: number, request: string, last: string): Promise<string> {
  const c = await Conn.open(port)
  try {
    c.write(request)
    return (await c.until(last)).toString('latin1')
  } finally {
    c.close()
  }
}

describe('memcached writes and persistence', () => {
  it('reach the append-only file: set, append, incr, touch, delete and flush_all replay after a SIGKILL', async () => {
    const aofDir = join(dir, 'aof')
    const args = ['--port', '0', '--memcached-port', '0', '--dir', dir, '--appenddirname', 'aof', '--appendonly', 'yes', '--loglevel', 'notice', '--save', '']
    let r = await startCli(args)
    try {
      const mc = await memcachedPort(r)
      await send(mc, 'set a 5 0 3\r\none\r\nset gone 0 0 1\r\nx\r\nflush_all\r\nset b 0 0 2\r\nhi\r\nappend b 0 0 4\r\n you\r\nset n 0 0 2\r\n41\r\nincr n 1\r\n' +
        'set t 0 0 1\r\nv\r\ntouch t 1000\r\nset d 0 0 1\r\nv\r\ndelete d\r\nmn\r\n', 'MN\r\n')
      await r.stop()
      expect(readFileSync(join(aofDir, 'appendonly.aof.manifest'), 'latin1')).toContain('type i')
      r = await startCli(args)
      const [a, gone, b, n, d, ttl] = await call(r.port, ['GET', 'a'], ['EXISTS', 'gone'], ['GET', 'b'], ['GET', 'n'], ['EXISTS', 'd'], ['TTL', 't'])
      expect([a, gone, b, n, d]).toEqual(['$-1\r\n', ':0\r\n', '$6\r\nhi you\r\n', '$2\r\n42\r\n', ':0\r\n'])
      expect(Number(ttl.slice(1))).toBeGreaterThan(990)
    } finally {
      await r.stop()
    }
  })

  it('keep a background save a point-in-time image: the file has the values from when BGSAVE ran', async () => {
    const saveDir = mkdtempSync(join(dir, 'bg-'))
    const s = await startRespite({ dir: saveDir, 'rdb-key-save-delay': '300000' })
    try {
      const mc = s.memcachedPort!
      await send(mc, 'set k1 0 0 3\r\nold\r\nset k2 0 0 3\r\nold\r\nset k3 0 0 3\r\nold\r\nmn\r\n', 'MN\r\n')
      expect(await call(s.port, ['BGSAVE'])).toEqual(['+Background saving started\r\n'])
      await send(mc, 'set k1 0 0 3\r\nnew\r\ndelete k2\r\nset k4 0 0 3\r\nnew\r\nmn\r\n', 'MN\r\n')
      for (let i = 0; i < 100 && (await call(s.port, ['INFO', 'persistence']))[0].includes('rdb_bgsave_in_progress:1'); i++) await sleep(50)
      const image = new Map<string, unknown>()
      loadRdb(readFileSync(join(saveDir, 'dump.rdb')), { databases: 16, add: (_db, key, value) => image.set(key, value), library: () => {} })
      expect([...image.entries()].sort()).toEqual([['k1', 'old'], ['k2', 'old'], ['k3', 'old']])
    } finally {
      await s.close()
    }
  })
})
