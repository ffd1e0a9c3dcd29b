import { describe, expect, it } from 'vitest'
import { runDifferential } from '../helpers/differential.js'
import { exchange, expectReply, until, useConnections, useRespite, useRespiteAndRedis } from '../helpers/fixture.js'
import { resp } from '../helpers/raw.js'
import { missingTool } from '../helpers/servers.js'

/**
 * CLIENT PAUSE, UNPAUSE, REPLY, CACHING, GETREDIR and TRACKINGINFO on one connection
 * or a few. Pauses are checked by ordering, never by time: a held command's reply
 * must arrive only after the UNPAUSE reply.
 */

const skipRedis = missingTool('redis-server')
const { respite: server } = await useRespite()

/** Whether `promise` has settled by the time the event loop has turned a few times. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(() => (done = true))
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
  return done
}

describe('CLIENT PAUSE and CLIENT UNPAUSE', () => {
  const conns = useConnections(server)

  it('CLIENT PAUSE WRITE holds writes (and PUBLISH) until CLIENT UNPAUSE, while reads go through', async () => {
    const admin = await conns.raw()
    const writer = await conns.raw()
    const reader = await conns.raw()
    await exchange(admin, resp('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n')
    writer.write(resp('SET', 'k', 'v') + resp('GET', 'k'))
    await until(() => server.server.pause.count === 1, 'the SET to be held')
    await exchange(reader, resp('GET', 'k'), '$-1\r\n')
    const info = await admin.roundTrip(resp('CLIENT', 'LIST'), 1)
    expect(info).toMatch(/ flags=b .* cmd=set /)
    expect(await admin.roundTrip(resp('INFO', 'clients'), 1)).toContain('blocked_clients:1\r\n')
    // Nothing of the writer's pipeline has run: not even the GET after the held SET.
    expect(writer.take()).toBe('')
    await exchange(admin, resp('CLIENT', 'UNPAUSE'), '+OK\r\n')
    await expectReply(writer, '+OK\r\n$1\r\nv\r\n')
    await exchange(reader, resp('GET', 'k'), '$1\r\nv\r\n')
  })

  it('CLIENT PAUSE ALL holds every command, CLIENT UNPAUSE from the pausing client included, until the timeout', async () => {
    const admin = await conns.raw()
    const other = await conns.raw()
    await exchange(admin, resp('CLIENT', 'PAUSE', '100000', 'ALL'), '+OK\r\n')
    other.write(resp('PING'))
    admin.write(resp('CLIENT', 'UNPAUSE'))
    await until(() => server.server.pause.count === 2, 'both clients to be held')
    // Only the end of the pause can release them; shorten it from outside the protocol.
    server.server.pause.unpause()
    await expectReply(other, '+PONG\r\n')
    await expectReply(admin, '+OK\r\n')
  })

  it('CLIENT PAUSE WRITE: a held write that waits for the pause to end runs after the UNPAUSE reply', async () => {
    const admin = await conns.raw()
    const writer = await conns.conn()
    await exchange(admin, resp('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n')
    const reply = writer.call(['INCR', 'n'])
    await until(() => server.server.pause.count === 1, 'the INCR to be held')
    expect(await settled(reply)).toBe(false)
    await exchange(admin, resp('CLIENT', 'UNPAUSE'), '+OK\r\n')
    expect(await reply).toBe(':1\r\n')
  })

  it('CLIENT PAUSE WRITE holds a write in MULTI before it is queued, and an EXEC whose queue writes (as Redis 7.0.15 does)', async () => {
    const admin = await conns.raw()
    const tx = await conns.raw()
    // Queued before the pause: the EXEC is what waits.
    await exchange(tx, resp('MULTI') + resp('SET', 'paused:a', '1'), '+OK\r\n+QUEUED\r\n')
    await exchange(admin, resp('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n')
    tx.write(resp('EXEC'))
    await until(() => server.server.pause.count === 1, 'the EXEC to be held')
    await exchange(admin, resp('CLIENT', 'UNPAUSE'), '+OK\r\n')
    await expectReply(tx, '*1\r\n+OK\r\n')
    // Sent during the pause: the SET is not even queued until it ends; reads are.
    await exchange(tx, resp('MULTI') + resp('GET', 'paused:a'), '+OK\r\n+QUEUED\r\n')
    await exchange(admin, resp('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n')
    tx.write(resp('SET', 'paused:b', '2') + resp('EXEC'))
    await until(() => server.server.pause.count === 1, 'the SET to be held')
    expect(tx.take()).toBe('')
    await exchange(admin, resp('CLIENT', 'UNPAUSE'), '+OK\r\n')
    await expectReply(tx, '+QUEUED\r\n*2\r\n$1\r\n1\r\n+OK\r\n')
  })

  it('CLIENT PAUSE holds no expiry: an expired key reads as missing but stays until the pause ends', async () => {
    const c = await conns.conn()
    // The active expiry cycle (DEBUG SET-ACTIVE-EXPIRE) is off until the pause holds:
    // on a slow host it removed the key (it runs every 100 ms; the key lives 1 ms)
    // before the pause began, and the paused server then failed every later test.
    server.server.activeExpire = false
    try {
      await c.call(['SET', 'gone', 'v', 'PX', '1'])
      await c.call(['CLIENT', 'PAUSE', '100000', 'WRITE'])
      server.server.activeExpire = true
      await until(async () => (await c.call(['GET', 'gone'])) === '$-1\r\n', 'the key to expire')
      expect(server.server.store.db(0).keys.has('gone')).toBe(true)
    } finally {
      server.server.activeExpire = true
      await c.call(['CLIENT', 'UNPAUSE'])
    }
    await c.call(['GET', 'gone'])
    expect(server.server.store.db(0).keys.has('gone')).toBe(false)
  })
})

describe('CLIENT REPLY', () => {
  const conns = useConnections(server)

  it('CLIENT REPLY OFF silences until CLIENT REPLY ON, which answers +OK; CLIENT REPLY SKIP silences the next command', async () => {
    const c = await conns.raw()
    c.write(
      resp('CLIENT', 'REPLY', 'OFF') + resp('SET', 'a', '1') + resp('GET', 'a') + resp('NOSUCH') + resp('CLIENT', 'REPLY', 'ON') +
        resp('CLIENT', 'REPLY', 'SKIP') + resp('ECHO', 'skipped') + resp('ECHO', 'seen') +
        resp('CLIENT', 'REPLY', 'SKIP') + resp('CLIENT', 'REPLY', 'SKIP') + resp('ECHO', 'x') + resp('ECHO', 'y') +
        resp('CLIENT', 'REPLY', 'MAYBE') + resp('CLIENT', 'REPLY'),
    )
    await expectReply(c, "+OK\r\n$4\r\nseen\r\n$1\r\ny\r\n-ERR syntax error\r\n-ERR wrong number of arguments for 'client|reply' command\r\n")
  })

  it('CLIENT REPLY OFF still delivers pushes; RESET ends it', async () => {
    const c = await conns.raw()
    const publisher = await conns.raw()
    await exchange(c, resp('HELLO', '3') + resp('SUBSCRIBE', 'ch'), '')
    await c.read(Number.MAX_SAFE_INTEGER, 50)
    c.write(resp('CLIENT', 'REPLY', 'OFF') + resp('PING'))
    await exchange(publisher, resp('PUBLISH', 'ch', 'm'), ':1\r\n')
    await expectReply(c, '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n')
    await exchange(c, resp('RESET') + resp('PING'), '+RESET\r\n+PONG\r\n')
  })
})

describe('CLIENT CACHING, CLIENT GETREDIR and CLIENT TRACKINGINFO', () => {
  const conns = useConnections(server)

  it('CLIENT CACHING YES arms OPTIN tracking for one command; CLIENT GETREDIR and CLIENT TRACKINGINFO report the mode', async () => {
    const c = await conns.raw()
    const other = await conns.raw()
    await exchange(c, resp('CLIENT', 'GETREDIR'), ':-1\r\n')
    await exchange(c, resp('HELLO', '3') + resp('CLIENT', 'TRACKING', 'ON', 'OPTIN'), '')
    await c.read(Number.MAX_SAFE_INTEGER, 50)
    await exchange(c, resp('CLIENT', 'GETREDIR'), ':0\r\n')
    await exchange(c, resp('CLIENT', 'CACHING', 'YES'), '+OK\r\n')
    await exchange(c, resp('CLIENT', 'TRACKINGINFO'),
      '%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n')
    await exchange(c, resp('GET', 'cached') + resp('GET', 'not-cached'), '_\r\n_\r\n')
    await exchange(other, resp('MSET', 'not-cached', '1', 'cached', '1'), '+OK\r\n')
    await exchange(c, resp('PING'), '>2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\ncached\r\n+PONG\r\n')
    const info = await c.roundTrip(resp('CLIENT', 'INFO'), 1)
    expect(info).toContain(' flags=t ')
    expect(info).toContain(' redir=0 ')
  })
})

describe.skipIf(skipRedis)('CLIENT PAUSE, CLIENT UNPAUSE, CLIENT REPLY and CLIENT CACHING against redis-server', () => {
  const pair = useRespiteAndRedis()

  it('CLIENT PAUSE, CLIENT UNPAUSE and CLIENT CACHING errors match', async () => {
    const cmds = [
      ['CLIENT', 'PAUSE', 'abc'], ['CLIENT', 'PAUSE', '-1'], ['CLIENT', 'PAUSE', '1.5'], ['CLIENT', 'PAUSE', '99999999999999999999'],
      ['CLIENT', 'PAUSE', '100', 'MAYBE'], ['CLIENT', 'PAUSE', '100', 'WRITE', 'x'], ['CLIENT', 'PAUSE'],
      ['CLIENT', 'UNPAUSE', 'x'], ['CLIENT', 'UNPAUSE'], ['CLIENT', 'PAUSE', '0', 'write'], ['CLIENT', 'UNPAUSE'],
      ['CLIENT', 'CACHING', 'YES'], ['CLIENT', 'CACHING', 'NO'], ['CLIENT', 'CACHING', 'MAYBE'], ['CLIENT', 'CACHING'],
      ['CLIENT', 'REPLY', 'MAYBE'], ['CLIENT', 'REPLY'], ['CLIENT', 'REPLY', 'ON'],
    ]
    expect(await runDifferential(pair.respite.port, pair.redis.port, cmds)).toBeNull()
    expect(await runDifferential(pair.respite.port, pair.redis.port, cmds, { proto: 3 })).toBeNull()
  })
})
