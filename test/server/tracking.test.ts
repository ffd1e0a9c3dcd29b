import { BasicClientSideCache, createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { until, useRespite, useRespiteAndRedis } from '../helpers/fixture.js'
import { RawClient, resp } from '../helpers/raw.js'
import { Conn } from '../helpers/scenarios.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Client-side caching against a real redis-server: the same steps on several
 * connections, and every connection must receive the same bytes (replies, invalidation
 * pushes, Pub/Sub-shaped invalidations, error texts), so ordering against replies is
 * checked too.
 */

const skip = missingTool('redis-server')

type Step = [client: number, args: string[]]

/**
 * Runs the steps on fresh connections (opened one by one, each learning its id
 * first) and returns what each received, ending with its reply to an ECHO. `@N` in an
 * argument stands for connection N's id, and ids in HELLO and tracking replies read
 * as `@N`, so the two servers' transcripts compare.
 */
async function run(port: number, steps: Step[]): Promise<string[]> {
  const count = 1 + Math.max(...steps.map((s) => s[0]))
  const conns: Conn[] = []
  const ids: string[] = []
  try {
    for (let i = 0; i < count; i++) {
      const c = await Conn.open(port)
      conns.push(c)
      await c.send(['CLIENT', 'ID'])
      ids.push(/:(\d+)/.exec(c.data.toString('latin1'))![1])
      c.data = Buffer.alloc(0)
    }
    await conns[0].send(['FLUSHALL'])
    conns[0].data = Buffer.alloc(0)
    for (const [i, args] of steps) {
      // A QUIT's reply is its last: a closed connection gets no ECHO below.
      await conns[i].send(args.map((a) => a.replace(/^@(\d)$/, (_, n: string) => ids[Number(n)])))
    }
    for (const c of conns) if (!c.socket.destroyed && c.socket.readyState === 'open') await c.send(['ECHO', 'end']).catch(() => {})
    return conns.map((c) => {
      let text = c.data.toString('latin1')
      // Ids differ between the servers: they are read as @N where a reply names one.
      text = text.replace(/(\$2\r\nid\r\n|redirect\r\n|tracking-redir-broken\r\n):(\d+)\r\n/g, (m, before: string, id: string) =>
        ids.includes(id) ? `${before}:@${ids.indexOf(id)}\r\n` : m)
      // INFO is compared on its tracking figures only.
      return text.replace(/\$\d+\r\n(# [\s\S]*?\r\n)\r\n/g, (_, body: string) =>
        `INFO{${body.split('\r\n').filter((l) => /^(tracking_|blocked_clients)/.test(l)).join(' ')}}`)
    })
  } finally {
    for (const c of conns) c.socket.destroy()
  }
}

describe.skipIf(skip)('CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR and CLIENT TRACKINGINFO against redis-server', () => {
  const servers = useRespiteAndRedis()
  async function same(steps: Step[]): Promise<void> {
    const ours = await run(servers.respite.port, steps)
    const theirs = await run(servers.redis.port, steps)
    expect(ours).toEqual(theirs)
  }

  it('CLIENT TRACKING ON (default mode): a read key is invalidated once, by anyone\'s write, after the writer\'s own reply', () =>
    same([
      [0, ['HELLO', '3']],
      [0, ['CLIENT', 'TRACKING', 'ON']],
      [0, ['GET', 'a']],
      [0, ['MGET', 'a', 'b', 'c']],
      [1, ['MSET', 'a', '1', 'b', '2']],
      [1, ['SET', 'a', '2']],
      [0, ['GET', 'a']],
      [0, ['SET', 'a', '3']],
      [0, ['SET', 'a', '4']],
      [0, ['LPUSH', 'l', 'x']],
      [0, ['GET', 'l']],
      [1, ['DEL', 'l']],
      [0, ['SELECT', '3']],
      [0, ['GET', 'shared']],
      [1, ['SET', 'shared', 'in db 0']],
      [0, ['CLIENT', 'TRACKINGINFO']],
      [0, ['CLIENT', 'GETREDIR']],
      [0, ['CLIENT', 'TRACKING', 'OFF']],
      [0, ['CLIENT', 'TRACKINGINFO']],
      [0, ['CLIENT', 'GETREDIR']],
      [1, ['INFO', 'clients']],
    ]))

  it('CLIENT TRACKING ON BCAST PREFIX: one message per prefix per batch, keys in byte order, NOLOOP drops one\'s own', () =>
    same([
      [0, ['HELLO', '3']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a']],
      [1, ['HELLO', '3']],
      [1, ['CLIENT', 'TRACKING', 'ON', 'BCAST']],
      [2, ['HELLO', '3']],
      [2, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b', 'NOLOOP']],
      [3, ['MSET', 'b2', 'x', 'a1', 'y', 'b1', 'z', 'c', 'w']],
      [2, ['MSET', 'b2', 'x', 'a1', 'y', 'b1', 'z']],
      [2, ['DEL', 'b2', 'b1', 'missing']],
      [0, ['INCR', 'a1']],
      [0, ['CLIENT', 'TRACKINGINFO']],
      [1, ['CLIENT', 'TRACKINGINFO']],
      [2, ['CLIENT', 'TRACKINGINFO']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'c']],
      [0, ['CLIENT', 'TRACKINGINFO']],
      [3, ['SET', 'c9', '1']],
    ]))

  it('CLIENT CACHING with OPTIN and OPTOUT: only the next command counts, and CLIENT subcommands do not spend it', () =>
    same([
      [0, ['HELLO', '3']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'OPTIN']],
      [0, ['CLIENT', 'CACHING', 'YES']],
      [0, ['CLIENT', 'GETNAME']],
      [0, ['CLIENT', 'TRACKINGINFO']],
      [0, ['GET', 'k1']],
      [0, ['CLIENT', 'TRACKINGINFO']],
      [0, ['GET', 'k2']],
      [1, ['MSET', 'k1', '1', 'k2', '2']],
      [0, ['CLIENT', 'CACHING', 'YES']],
      [0, ['PING']],
      [0, ['GET', 'k3']],
      [0, ['CLIENT', 'CACHING', 'YES']],
      [0, ['NOSUCH']],
      [0, ['GET', 'k4']],
      [1, ['MSET', 'k3', 'x', 'k4', 'y']],
      [0, ['CLIENT', 'TRACKING', 'OFF']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'OPTOUT']],
      [0, ['CLIENT', 'CACHING', 'NO']],
      [0, ['CLIENT', 'TRACKINGINFO']],
      [0, ['GET', 'o1']],
      [0, ['GET', 'o2']],
      [1, ['MSET', 'o1', '1', 'o2', '2']],
    ]))

  it('CLIENT TRACKING ON NOLOOP: no message for one\'s own writes, others still invalidate', () =>
    same([
      [0, ['HELLO', '3']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'NOLOOP']],
      [0, ['GET', 'a']],
      [0, ['GET', 'b']],
      [0, ['SET', 'a', '1']],
      [1, ['SET', 'b', '1']],
      [0, ['CLIENT', 'TRACKINGINFO']],
    ]))

  it('CLIENT TRACKING ON REDIRECT in RESP2: invalidations are messages on __redis__:invalidate; a gone target breaks the redirect', () =>
    same([
      [1, ['SUBSCRIBE', '__redis__:invalidate']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '@1']],
      [0, ['CLIENT', 'TRACKINGINFO']],
      [0, ['GET', 'a']],
      [0, ['MGET', 'b', 'c']],
      [2, ['MSET', 'a', '1', 'b', '2', 'c', '3']],
      [0, ['GET', 'a']],
      [2, ['FLUSHALL']],
      [0, ['GET', 'a']],
      [0, ['FLUSHDB']],
      [3, ['HELLO', '3']],
      [3, ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '@1']],
      [3, ['GET', 'x']],
      [2, ['SET', 'x', '1']],
      [1, ['UNSUBSCRIBE']],
      [3, ['GET', 'x']],
      [2, ['SET', 'x', '2']],
      [3, ['GET', 'x']],
      [1, ['QUIT']],
      [2, ['SET', 'x', '3']],
      [3, ['CLIENT', 'TRACKINGINFO']],
      [3, ['GET', 'x']],
      [0, ['GET', 'x']],
      [2, ['SET', 'x', '4']],
      [0, ['CLIENT', 'TRACKINGINFO']],
    ]))

  it('FLUSHALL and FLUSHDB send one null invalidation to every tracking client, in its own protocol', () =>
    same([
      [0, ['HELLO', '3']],
      [0, ['CLIENT', 'TRACKING', 'ON']],
      [1, ['HELLO', '3']],
      [1, ['CLIENT', 'TRACKING', 'ON', 'BCAST']],
      [2, ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '@0']],
      [0, ['GET', 'a']],
      [2, ['GET', 'a']],
      [3, ['FLUSHALL']],
      [0, ['FLUSHDB']],
      [3, ['SET', 'a', '1']],
      [3, ['INFO', 'stats']],
    ]))

  it('an expired key invalidates its readers, with no writer to leave out under NOLOOP', async () => {
    const transcript = async (port: number) => {
      const reader = await RawClient.connect(port)
      const other = await RawClient.connect(port)
      try {
        await other.roundTrip(resp('FLUSHALL'), 5)
        await reader.roundTrip(resp('HELLO', '3') + resp('CLIENT', 'TRACKING', 'ON', 'NOLOOP'), 1)
        await reader.read(Number.MAX_SAFE_INTEGER, 100)
        await other.roundTrip(resp('SET', 'e', 'v', 'PX', '50'), 5)
        let text = await reader.roundTrip(resp('GET', 'e'), 7)
        // Time for the key to expire; the active cycle or the EXISTS below removes it.
        await new Promise((r) => setTimeout(r, 200))
        await other.roundTrip(resp('EXISTS', 'e'), 4)
        text += await reader.roundTrip(resp('ECHO', 'end'), 37)
        return text
      } finally {
        reader.close()
        other.close()
      }
    }
    const ours = await transcript(servers.respite.port)
    expect(ours).toBe('$1\r\nv\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\ne\r\n$3\r\nend\r\n')
    expect(ours).toBe(await transcript(servers.redis.port))
  })

  it('every CLIENT TRACKING and CLIENT CACHING error reads as in Redis', () =>
    same([
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'ab']],
      [0, ['CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'ab', 'prefix', 'a']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'a']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'PREFIX', 'a']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT', 'PREFIX', 'a']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN', 'OPTOUT']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '999999']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '999999', 'FOO']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'abc']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'REDIRECT']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'PREFIX']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'FOO']],
      [0, ['CLIENT', 'TRACKING', 'MAYBE']],
      [0, ['CLIENT', 'TRACKING']],
      [0, ['CLIENT', 'CACHING', 'YES']],
      [0, ['CLIENT', 'CACHING', 'MAYBE']],
      [0, ['CLIENT', 'CACHING']],
      [0, ['CLIENT', 'GETREDIR', 'x']],
      [0, ['CLIENT', 'TRACKINGINFO', 'x']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'OPTIN']],
      [0, ['CLIENT', 'CACHING', 'NO']],
      [0, ['CLIENT', 'CACHING', 'maybe']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'OPTOUT']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST']],
      [0, ['CLIENT', 'TRACKING', 'OFF']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'OPTOUT']],
      [0, ['CLIENT', 'CACHING', 'YES']],
      [0, ['CLIENT', 'TRACKING', 'OFF', 'PREFIX', 'a']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'x']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'xy']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'y', 'PREFIX', 'xz']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'yy', 'PREFIX', 'y']],
      [0, ['CLIENT', 'TRACKING', 'ON']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST']],
      [0, ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b']],
      [0, ['CLIENT', 'TRACKINGINFO']],
    ]))
})

describe('node-redis v5 client-side cache', async () => {
  const { respite } = await useRespite({ flush: false })

  it('CLIENT TRACKING past tracking-table-max-keys: the oldest remembered key is invalidated, and INFO counts what is left', async () => {
    const c = await RawClient.connect(respite.port)
    try {
      await c.roundTrip(resp('CONFIG', 'SET', 'tracking-table-max-keys', '2'), 5)
      await c.roundTrip(resp('HELLO', '3') + resp('CLIENT', 'TRACKING', 'ON'), 1)
      await c.read(Number.MAX_SAFE_INTEGER, 50)
      const pushed = '>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk1\r\n'
      expect(await c.roundTrip(resp('MGET', 'k1', 'k2', 'k3'), 15 + pushed.length)).toBe(`*3\r\n_\r\n_\r\n_\r\n${pushed}`)
      const info = await c.roundTrip(resp('INFO', 'stats'), 1)
      expect(info).toContain('tracking_total_keys:2\r\ntracking_total_items:2\r\n')
    } finally {
      await c.roundTrip(resp('CONFIG', 'SET', 'tracking-table-max-keys', '1000000'), 5)
      c.close()
    }
  })

  it('CLIENT TRACKING through node-redis: a second GET is served from the cache until another client\'s SET invalidates it', async () => {
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 })
    const cached = createClient({ socket: { port: respite.port, host: '127.0.0.1', reconnectStrategy: false }, RESP: 3, clientSideCache: cache })
    const writer = createClient({ socket: { port: respite.port, host: '127.0.0.1', reconnectStrategy: false } })
    cached.on('error', () => {})
    writer.on('error', () => {})
    await Promise.all([cached.connect(), writer.connect()])
    try {
      await writer.set('csc', 'one')
      expect(await cached.get('csc')).toBe('one')
      expect(await cached.get('csc')).toBe('one')
      expect(cache.stats().hitCount).toBe(1)
      expect(cache.stats().missCount).toBe(1)
      await writer.set('csc', 'two')
      // The invalidation push arrives on its own; wait for the cache to drop the key.
      await until(() => cache.size() === 0, 'the invalidation to reach the cache')
      expect(await cached.get('csc')).toBe('two')
      expect(cache.stats().missCount).toBe(2)
    } finally {
      cached.destroy()
      writer.destroy()
    }
  })
})
