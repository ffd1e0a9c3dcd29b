import { describe, expect, it } from 'vitest'
import { exchange, expectReply, until, useConnections, useRespite, useRespiteAndRedis } from '../helpers/fixture.js'
import { resp } from '../helpers/raw.js'
import { runScenario, type Step } from '../helpers/scenarios.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Blocking pops with several real connections: who is served first, timeouts, keys
 * fed while clients wait, disconnects, pipelining around a blocked client. Waits are
 * synchronised on the server's own count of blocked clients, never on sleeps.
 */

const nullArray2 = '*-1\r\n'
const pair = (k: string, v: string) => `*2\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`
const bulk = (v: string) => `$${v.length}\r\n${v}\r\n`

const { respite: server } = await useRespite()

describe('blocking list pops (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP)', () => {
  const { raw, conn, ioredis, blocked, blockOn, whenBlocked } = useConnections(server)

  it('BLPOP and BRPOP answer at once from the first non-empty key (RESP2 and RESP3)', async () => {
    const c = await conn()
    expect(await c.call(['RPUSH', 'k2', 'a', 'b', 'c'])).toBe(':3\r\n')
    expect(await c.call(['RPUSH', 'k3', 'z'])).toBe(':1\r\n')
    expect(await c.call(['BLPOP', 'k1', 'k2', 'k3', '0'])).toBe(pair('k2', 'a'))
    expect(await c.call(['BRPOP', 'k1', 'k2', '0'])).toBe(pair('k2', 'c'))
    await c.call(['HELLO', '3'])
    expect(await c.call(['BLPOP', 'k2', '0'])).toBe(pair('k2', 'b'))
    expect(await c.call(['EXISTS', 'k2'])).toBe(':0\r\n')
  })

  it('BLPOP times out after a fractional timeout with a null array: *-1 in RESP2, _ in RESP3', async () => {
    const c = await conn()
    expect(await c.call(['BLPOP', 'nokey', '0.05'])).toBe(nullArray2)
    expect(await c.call(['BRPOP', 'nokey', 'other', '.02'])).toBe(nullArray2)
    expect(await c.call(['BLMPOP', '0.01', '2', 'a', 'b', 'LEFT', 'COUNT', '3'])).toBe(nullArray2)
    // Redis 7.0 answers a BLMOVE/BRPOPLPUSH timeout with a null array too.
    expect(await c.call(['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0.01'])).toBe(nullArray2)
    expect(await c.call(['BRPOPLPUSH', 'a', 'b', '0.01'])).toBe(nullArray2)
    await c.call(['HELLO', '3'])
    expect(await c.call(['BLPOP', 'nokey', '0.01'])).toBe('_\r\n')
    expect(await c.call(['BRPOPLPUSH', 'a', 'b', '0.01'])).toBe('_\r\n')
    expect(blocked()).toBe(0)
  })

  it('BLPOP rejects bad timeouts with Redis\'s exact errors', async () => {
    const c = await raw()
    const notFloat = '-ERR timeout is not a float or out of range\r\n'
    const negative = '-ERR timeout is negative\r\n'
    await exchange(c, resp('BLPOP', 'k', 'abc'), notFloat)
    await exchange(c, resp('BLPOP', 'k', ''), notFloat)
    await exchange(c, resp('BLPOP', 'k', 'nan'), notFloat)
    await exchange(c, resp('BLPOP', 'k', ' 1'), notFloat)
    await exchange(c, resp('BLPOP', 'k', '-1'), negative)
    await exchange(c, resp('BRPOP', 'k', '-0.5'), negative)
    await exchange(c, resp('BLMOVE', 'a', 'b', 'LEFT', 'LEFT', 'inf'), negative)
    await exchange(c, resp('BRPOPLPUSH', 'a', 'b', '1e16'), negative)
    await exchange(c, resp('BLMPOP', 'x', '1', 'a', 'LEFT'), notFloat)
    await exchange(c, resp('BLMOVE', 'a', 'b', 'UP', 'LEFT', 'x'), '-ERR syntax error\r\n')
    expect(blocked()).toBe(0)
  })

  it('BLPOP with timeout 0 waits until a push wakes it (ioredis, RESP3 and RESP2)', async () => {
    for (const protocol of [3, 2] as const) {
      const waiter = ioredis(protocol)
      const pusher = ioredis(protocol)
      await waiter.ping()
      const { reply } = await whenBlocked('BLPOP', () => waiter.blpop('q', 0))
      expect(await pusher.lpush('q', 'job')).toBe(1)
      expect(await reply).toEqual(['q', 'job'])
      expect(await pusher.exists('q')).toBe(0)
    }
  })

  it('BLPOP serves the client that blocked first, one element each', async () => {
    const [a, b, c, pusher] = [await raw(), await raw(), await raw(), await raw()]
    await blockOn(a, 'BLPOP', 'k', '0')
    await blockOn(b, 'BLPOP', 'other', 'k', '0')
    await blockOn(c, 'BRPOP', 'k', '0')
    await exchange(pusher, resp('RPUSH', 'k', '1', '2'), ':2\r\n')
    await expectReply(a, pair('k', '1'))
    await expectReply(b, pair('k', '2'))
    expect(blocked()).toBe(1)
    await exchange(pusher, resp('LPUSH', 'k', '3'), ':1\r\n')
    await expectReply(c, pair('k', '3'))
    expect(blocked()).toBe(0)
  })

  it('BLPOP on several keys is served from whichever key gets data', async () => {
    const [a, pusher] = [await raw(), await raw()]
    await blockOn(a, 'BLPOP', 'k1', 'k2', 'k3', '0')
    await exchange(pusher, resp('RPUSH', 'k3', 'x'), ':1\r\n')
    await expectReply(a, pair('k3', 'x'))
  })

  it('BLPOP is served from the key that was fed even if another of its keys turned into a string', async () => {
    const [a, b] = [await raw(), await raw()]
    await blockOn(a, 'BLPOP', 'k1', 'k2', '0')
    await exchange(b, resp('SET', 'k1', 'str') + resp('RPUSH', 'k2', 'x'), '+OK\r\n:1\r\n')
    await expectReply(a, pair('k2', 'x'))
  })

  it('BLPOP answers WRONGTYPE at once when a key holds another type', async () => {
    const c = await raw()
    await c.roundTrip(resp('SET', 's', 'v'), 5)
    const wrongType = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'
    await exchange(c, resp('BLPOP', 'nokey', 's', '0'), wrongType)
    await exchange(c, resp('BLMOVE', 's', 'd', 'LEFT', 'LEFT', '0'), wrongType)
    await exchange(c, resp('BLMPOP', '0', '2', 'nokey', 's', 'LEFT'), wrongType)
    expect(blocked()).toBe(0)
  })

  it('a client that disconnects while blocked in BLPOP neither receives nor loses data', async () => {
    const [a, b, pusher] = [await raw(), await raw(), await raw()]
    await blockOn(a, 'BLPOP', 'k', '0')
    await blockOn(b, 'BLPOP', 'k', '0')
    a.close()
    await until(() => blocked() === 1, 'the closed client to be forgotten')
    await exchange(pusher, resp('RPUSH', 'k', 'x'), ':1\r\n')
    await expectReply(b, pair('k', 'x'))
    const c = await raw()
    await blockOn(c, 'BLPOP', 'k', '0')
    c.close()
    await until(() => blocked() === 0, 'the closed client to be forgotten')
    await exchange(pusher, resp('RPUSH', 'k', 'y') + resp('LRANGE', 'k', '0', '-1'), ':1\r\n*1\r\n$1\r\ny\r\n')
  })

  it('a push serves the blocked BLPOP before the pusher\'s next pipelined command runs', async () => {
    const [a, b] = [await raw(), await raw()]
    await blockOn(a, 'BLPOP', 'k', '0')
    await exchange(b, resp('RPUSH', 'k', 'a') + resp('LLEN', 'k') + resp('RPUSH', 'k', 'b') + resp('LLEN', 'k'), ':1\r\n:0\r\n:1\r\n:1\r\n')
    await expectReply(a, pair('k', 'a'))
  })

  it('commands pipelined after BLPOP on the blocked connection wait until it is served', async () => {
    const [a, b] = [await raw(), await raw()]
    await whenBlocked('BLPOP', async () => a.write(resp('BLPOP', 'k', '0') + resp('PING') + resp('LLEN', 'k') + resp('RPUSH', 'k', 'mine')))
    // Still blocked after a round trip on another connection: nothing may have run.
    await exchange(b, resp('LLEN', 'k'), ':0\r\n')
    expect(a.take()).toBe('')
    await exchange(b, resp('RPUSH', 'k', 'x', 'y'), ':2\r\n')
    await expectReply(a, pair('k', 'x') + '+PONG\r\n:1\r\n:2\r\n')
  })

  it('BLMOVE serves chained waiters: its push feeds the next blocked client', async () => {
    const [a, b, pusher] = [await raw(), await raw(), await raw()]
    await blockOn(a, 'BLMOVE', 'k1', 'k2', 'RIGHT', 'LEFT', '0')
    await blockOn(b, 'BLPOP', 'k2', '0')
    await exchange(pusher, resp('RPUSH', 'k1', 'x') + resp('EXISTS', 'k1', 'k2'), ':1\r\n:0\r\n')
    await expectReply(a, bulk('x'))
    await expectReply(b, pair('k2', 'x'))
  })

  it('BRPOPLPUSH chains through several lists and can rotate a list onto itself', async () => {
    const [a, b, c, pusher] = [await raw(), await raw(), await raw(), await raw()]
    await blockOn(a, 'BRPOPLPUSH', 'q1', 'q2', '0')
    await blockOn(b, 'BRPOPLPUSH', 'q2', 'q3', '0')
    await blockOn(c, 'BRPOPLPUSH', 'q4', 'q4', '0')
    await exchange(pusher, resp('LPUSH', 'q1', 'job'), ':1\r\n')
    await expectReply(a, bulk('job'))
    await expectReply(b, bulk('job'))
    await exchange(pusher, resp('LRANGE', 'q3', '0', '-1') + resp('EXISTS', 'q1', 'q2'), '*1\r\n$3\r\njob\r\n:0\r\n')
    await exchange(pusher, resp('RPUSH', 'q4', 'r1', 'r2'), ':2\r\n')
    await expectReply(c, bulk('r2'))
    await exchange(pusher, resp('LRANGE', 'q4', '0', '-1'), '*2\r\n$2\r\nr2\r\n$2\r\nr1\r\n')
  })

  it('BLMOVE whose destination became a string answers WRONGTYPE and leaves the source intact', async () => {
    const [a, b] = [await raw(), await raw()]
    await blockOn(a, 'BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0')
    await exchange(b, resp('SET', 'dst', 'str') + resp('RPUSH', 'src', 'x'), '+OK\r\n:1\r\n')
    const wrongType = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'
    await expectReply(a, wrongType)
    await exchange(b, resp('LRANGE', 'src', '0', '-1'), '*1\r\n$1\r\nx\r\n')
  })

  it('BLMPOP pops up to COUNT for the first waiter and leaves the rest to the next', async () => {
    const [a, b, pusher] = [await raw(), await raw(), await raw()]
    await blockOn(a, 'BLMPOP', '0', '2', 'x', 'k', 'LEFT', 'COUNT', '2')
    await blockOn(b, 'BLPOP', 'k', '0')
    await exchange(pusher, resp('RPUSH', 'k', 'a', 'b', 'c') + resp('LLEN', 'k'), ':3\r\n:0\r\n')
    await expectReply(a, '*2\r\n$1\r\nk\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n')
    await expectReply(b, pair('k', 'c'))
  })

  it('BLPOP waits in its own database only', async () => {
    const [a, b] = [await raw(), await raw()]
    await a.roundTrip(resp('SELECT', '1'), 5)
    await blockOn(a, 'BLPOP', 'k', '0')
    await exchange(b, resp('RPUSH', 'k', 'db0'), ':1\r\n')
    expect(blocked()).toBe(1)
    await exchange(b, resp('SELECT', '1') + resp('RPUSH', 'k', 'db1'), '+OK\r\n:1\r\n')
    await expectReply(a, pair('k', 'db1'))
    await exchange(b, resp('SELECT', '0') + resp('LLEN', 'k'), '+OK\r\n:1\r\n')
  })

  it('BLPOP naming one key twice is served once', async () => {
    const [a, b] = [await raw(), await raw()]
    await blockOn(a, 'BLPOP', 'k', 'k', '0')
    await exchange(b, resp('RPUSH', 'k', 'a', 'b') + resp('LRANGE', 'k', '0', '-1'), ':2\r\n*1\r\n$1\r\nb\r\n')
    await expectReply(a, pair('k', 'a'))
  })

  it('BLPOP with a timeout beyond setTimeout\'s range still waits (and a push wakes it)', async () => {
    const [a, b] = [await raw(), await raw()]
    await blockOn(a, 'BLPOP', 'k', '100000000')
    // A round trip elsewhere gives a wrongly armed timer the chance to fire.
    await b.roundTrip(resp('PING'), 7)
    await new Promise((r) => setTimeout(r, 20))
    expect(blocked()).toBe(1)
    await exchange(b, resp('RPUSH', 'k', 'v'), ':1\r\n')
    await expectReply(a, pair('k', 'v'))
  })

  it('where blocking is denied (MULTI, scripts) BLPOP BLMPOP answer a null array and BLMOVE BRPOPLPUSH a null string', async () => {
    const c = await conn()
    const id = Number((await c.call(['CLIENT', 'ID'])).slice(1, -2))
    server.server.clients.get(id)!.denyBlocking = true
    expect(await c.call(['BLPOP', 'k', '0'])).toBe(nullArray2)
    expect(await c.call(['BLMPOP', '0', '1', 'k', 'LEFT'])).toBe(nullArray2)
    expect(await c.call(['BRPOPLPUSH', 'k', 'd', '0'])).toBe('$-1\r\n')
    expect(await c.call(['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0'])).toBe('$-1\r\n')
    expect(await c.call(['RPUSH', 'k', 'v'])).toBe(':1\r\n')
    expect(await c.call(['BLPOP', 'k', '0'])).toBe(pair('k', 'v'))
    expect(blocked()).toBe(0)
  })

  it('CLIENT UNBLOCK wakes a BLPOP with its timeout reply or an UNBLOCKED error; INFO counts blocked clients', async () => {
    const [a, b] = [await conn(), await conn()]
    const id = (await a.call(['CLIENT', 'ID'])).slice(1, -2)
    let pending = a.call(['BLPOP', 'k', '0'])
    await until(() => blocked() === 1, 'BLPOP to block')
    expect(await b.call(['INFO', 'clients'])).toContain('blocked_clients:1\r\n')
    expect(await b.call(['CLIENT', 'UNBLOCK', id])).toBe(':1\r\n')
    expect(await pending).toBe(nullArray2)
    pending = a.call(['BRPOPLPUSH', 'k', 'd', '0'])
    await until(() => blocked() === 1, 'BRPOPLPUSH to block')
    expect(await b.call(['CLIENT', 'UNBLOCK', id, 'ERROR'])).toBe(':1\r\n')
    expect(await pending).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n')
    expect(await b.call(['CLIENT', 'UNBLOCK', id])).toBe(':0\r\n')
  })
})

// ---------------------------------------------------------------------------------
// The same multi-client scenarios against a real redis-server: every connection must
// receive the same bytes.

const SCENARIOS: Record<string, Step[]> = {
  'BLPOP first-blocked first-served': [
    [0, ['BLPOP', 'k', '0'], 'blocks'], [1, ['BRPOP', 'x', 'k', '0'], 'blocks'], [2, ['BLMPOP', '0', '1', 'k', 'RIGHT', 'COUNT', '5'], 'blocks'],
    [3, ['RPUSH', 'k', 'a', 'b', 'c', 'd']], [3, ['LRANGE', 'k', '0', '-1']],
  ],
  'BLPOP served before the pusher\'s next command': [
    [0, ['BLPOP', 'k', '0'], 'blocks'], [1, ['RPUSH', 'k', 'a']], [1, ['LLEN', 'k']],
  ],
  'BLPOP from the fed key despite a string elsewhere': [
    [0, ['BLPOP', 'k1', 'k2', '0'], 'blocks'], [1, ['SET', 'k1', 'v']], [1, ['RPUSH', 'k2', 'x']], [1, ['TYPE', 'k1']],
  ],
  'BLMOVE chains and wrong-typed destinations': [
    [0, ['BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0'], 'blocks'], [1, ['BLMOVE', 'b', 'c', 'RIGHT', 'RIGHT', '0'], 'blocks'],
    [2, ['BRPOPLPUSH', 'c', 'str', '0'], 'blocks'], [3, ['SET', 'str', 'v']], [3, ['RPUSH', 'a', 'x', 'y']],
    [3, ['LRANGE', 'a', '0', '-1']], [3, ['LRANGE', 'c', '0', '-1']], [3, ['EXISTS', 'b']],
  ],
  'BLMPOP count shared with BLPOP waiters': [
    [0, ['BLMPOP', '0', '2', 'x', 'k', 'LEFT', 'COUNT', '2'], 'blocks'], [1, ['BLPOP', 'k', '0'], 'blocks'],
    [2, ['LPUSH', 'k', 'a', 'b', 'c']], [2, ['LLEN', 'k']],
  ],
  'blocked clients time out and the rest of their pipeline runs': [
    [0, ['BLPOP', 'k', '0.05']], [0, ['BRPOPLPUSH', 'k', 'd', '0.01']], [0, ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0.01']],
    [0, ['BLMPOP', '0.01', '1', 'k', 'LEFT']], [1, ['HELLO', '3']], [1, ['BLPOP', 'k', '0.01']], [1, ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0.01']],
  ],
  'RESP3 replies of served clients': [
    [0, ['HELLO', '3']], [1, ['HELLO', '3']], [0, ['BLPOP', 'k', '0'], 'blocks'], [1, ['BLMPOP', '0', '1', 'k', 'LEFT', 'COUNT', '9'], 'blocks'],
    [2, ['RPUSH', 'k', '1', '2', '3']], [0, ['BRPOPLPUSH', 'nokey', 'd', '0.01']],
  ],
}

describe.skipIf(missingTool('redis-server') !== null)('differential: blocking scenarios (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP)', () => {
  const servers = useRespiteAndRedis()

  for (const [name, steps] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      // runScenario writes HELLO's connection ids, which differ between servers, as N.
      const ours = await runScenario(servers.respite.port, steps)
      const theirs = await runScenario(servers.redis.port, steps)
      expect(ours).toEqual(theirs)
    })
  }
})
