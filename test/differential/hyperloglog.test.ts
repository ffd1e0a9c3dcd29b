import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { ReplyConnection, bulkText, rng, withConnections } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * PFADD, PFCOUNT, PFMERGE and PFDEBUG against a real redis-server, byte for byte, in
 * RESP2 and RESP3: the replies and the stored HLL strings (GET) must be identical, in
 * the sparse and the dense encodings, values made by one server must read the same on
 * the other, and corrupted values must fail the same way. Element sets are seeded
 * random bytes (replay a failure by its seed).
 */

const skip = missingTool('redis-server')

type Random = ReturnType<typeof rng>

/** A random element: 0..24 random bytes (latin1), so every MurmurHash tail length occurs. */
function element(r: Random): string {
  const n = r.int(25)
  let s = ''
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.int(256))
  return s
}

/** Sends the same command to both and expects the same reply; returns it. */
async function same(a: ReplyConnection, b: ReplyConnection, args: string[]): Promise<string> {
  const ra = await a.call(args)
  const rb = await b.call(args)
  expect({ args: args.map((x) => JSON.stringify(x)).join(' ').slice(0, 200), reply: ra }).toEqual({
    args: args.map((x) => JSON.stringify(x)).join(' ').slice(0, 200), reply: rb,
  })
  return ra
}

/** Adds `n` random elements to `key` on both servers, in batches of 1..`batch`. */
async function addRandom(a: ReplyConnection, b: ReplyConnection, r: Random, key: string, n: number, batch: number): Promise<void> {
  let left = n
  while (left > 0) {
    const k = Math.min(left, 1 + r.int(batch))
    const elements: string[] = []
    for (let i = 0; i < k; i++) elements.push(element(r))
    await same(a, b, ['PFADD', key, ...elements])
    left -= k
  }
}

describe.skipIf(skip !== null)('differential: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST (hyperloglog)', () => {
  const servers = useRespiteAndRedis()
  const both = <T>(proto: 2 | 3, body: (a: ReplyConnection, b: ReplyConnection) => Promise<T>) =>
    withConnections(servers.respite.port, servers.redis.port, proto, body)

  for (const proto of [2, 3] as const) {
    it(`PFADD replies, PFCOUNT and the GET bytes match for 1..50,000 elements, sparse and dense (RESP${proto})`, async () => {
      await both(proto, async (a, b) => {
        const sizes = proto === 2 ? [1, 2, 5, 20, 100, 300, 1000, 3000, 10_000, 50_000] : [1, 7, 200, 2000, 20_000]
        for (const [i, size] of sizes.entries()) {
          const r = rng(1000 + i * 17 + proto)
          const key = `hll:${size}`
          await addRandom(a, b, r, key, size, size < 100 ? 3 : 200)
          await same(a, b, ['GET', key])
          await same(a, b, ['PFDEBUG', 'ENCODING', key])
          await same(a, b, ['PFCOUNT', key])
          // PFCOUNT cached the estimate in the header.
          await same(a, b, ['GET', key])
          await same(a, b, ['PFCOUNT', key])
          // Elements already counted change nothing; a new one may.
          await same(a, b, ['PFADD', key])
          await same(a, b, ['PFADD', key, 'fresh', 'again', ''])
          await same(a, b, ['GET', key])
        }
        await same(a, b, ['PFADD', 'empty'])
        await same(a, b, ['GET', 'empty'])
        await same(a, b, ['PFCOUNT', 'empty', 'missing'])
        await same(a, b, ['PFCOUNT', 'missing'])
      })
    }, 120_000)
  }

  it('values move between the servers: GET on one, SET on the other, the same PFCOUNT and PFADD bytes', async () => {
    await both(2, async (a, b) => {
      for (const [i, size] of [3, 150, 900, 5000, 30_000].entries()) {
        const r = rng(77 + i)
        const elements: string[] = []
        for (let k = 0; k < size; k++) elements.push(element(r))
        for (let k = 0; k < size; k += 500) {
          await a.call(['PFADD', 'mine', ...elements.slice(k, k + 500)])
          await b.call(['PFADD', 'theirs', ...elements.slice(k, k + 500)])
        }
        const mine = bulkText(await a.call(['GET', 'mine']))!
        const theirs = bulkText(await b.call(['GET', 'theirs']))!
        expect(mine === theirs).toBe(true)
        await b.call(['SET', 'from-respite', mine])
        await a.call(['SET', 'from-redis', theirs])
        expect(await b.call(['PFCOUNT', 'from-respite'])).toBe(await a.call(['PFCOUNT', 'mine']))
        expect(await a.call(['PFCOUNT', 'from-redis'])).toBe(await b.call(['PFCOUNT', 'theirs']))
        await a.call(['PFADD', 'from-redis', 'x', 'y', 'z'])
        await b.call(['PFADD', 'from-respite', 'x', 'y', 'z'])
        expect(await a.call(['GET', 'from-redis'])).toBe(await b.call(['GET', 'from-respite']))
        await a.call(['DEL', 'mine', 'from-redis'])
        await b.call(['DEL', 'theirs', 'from-respite'])
      }
    })
  }, 60_000)

  for (const proto of [2, 3] as const) {
    it(`PFMERGE of several keys and PFCOUNT of several keys leave the same bytes (RESP${proto})`, async () => {
      await both(proto, async (a, b) => {
        const r = rng(4242 + proto)
        const sizes = [0, 4, 60, 400, 2500, 12_000]
        for (const [i, size] of sizes.entries()) await addRandom(a, b, r, `s${i}`, size, 300)
        for (const i of sizes.keys()) await same(a, b, ['PFDEBUG', 'ENCODING', `s${i}`])
        await same(a, b, ['PFCOUNT', 's0', 's1', 's2'])
        await same(a, b, ['PFCOUNT', 's1', 's2', 's3', 's4', 's5', 'nokey'])
        for (const i of sizes.keys()) await same(a, b, ['GET', `s${i}`])
        await same(a, b, ['PFMERGE', 'm1', 's1', 's2'])
        await same(a, b, ['GET', 'm1'])
        await same(a, b, ['PFMERGE', 'm2', 's1', 's2', 's3'])
        await same(a, b, ['GET', 'm2'])
        await same(a, b, ['PFMERGE', 'm3', 's1', 's5', 'nokey'])
        await same(a, b, ['GET', 'm3'])
        await same(a, b, ['PFMERGE', 's2', 's3'])
        await same(a, b, ['GET', 's2'])
        await same(a, b, ['PFMERGE', 's1', 's4', 's3'])
        await same(a, b, ['GET', 's1'])
        await same(a, b, ['PFMERGE', 'alone'])
        await same(a, b, ['GET', 'alone'])
        await same(a, b, ['PFMERGE', 's0'])
        await same(a, b, ['GET', 's0'])
        for (const k of ['m1', 'm2', 'm3', 's1', 's2']) await same(a, b, ['PFCOUNT', k])
        await same(a, b, ['PFCOUNT', 'm1', 'm2', 'm3', 's0'])
        await same(a, b, ['SET', 'str', 'hello'])
        await same(a, b, ['RPUSH', 'list', 'x'])
        await same(a, b, ['PFMERGE', 'm1', 'str'])
        await same(a, b, ['PFMERGE', 'm1', 'list'])
        await same(a, b, ['PFCOUNT', 'm1', 'str'])
        await same(a, b, ['PFCOUNT', 'list', 'm1'])
        await same(a, b, ['PFADD', 'str', 'a'])
        await same(a, b, ['PFADD', 'list', 'a'])
        await same(a, b, ['PFCOUNT', 'str'])
        await same(a, b, ['PFMERGE', 'str', 'm1'])
        await same(a, b, ['GET', 'str'])
      })
    }, 120_000)
  }

  it('PFDEBUG GETREG, DECODE, ENCODING, TODENSE and errors, and PFSELFTEST', async () => {
    await both(3, async (a, b) => {
      const r = rng(9)
      await addRandom(a, b, r, 'h', 40, 5)
      await same(a, b, ['PFDEBUG', 'DECODE', 'h'])
      await same(a, b, ['PFDEBUG', 'encoding', 'h'])
      await same(a, b, ['PFDEBUG', 'GETREG', 'h'])
      await same(a, b, ['GET', 'h'])
      await same(a, b, ['PFDEBUG', 'DECODE', 'h'])
      await addRandom(a, b, r, 'h2', 40, 5)
      await same(a, b, ['PFDEBUG', 'TODENSE', 'h2'])
      await same(a, b, ['PFDEBUG', 'TODENSE', 'h2'])
      await same(a, b, ['GET', 'h2'])
      await same(a, b, ['PFDEBUG', 'nope', 'h2'])
      await same(a, b, ['PFDEBUG', 'GETREG', 'missing'])
      await same(a, b, ['PFDEBUG', 'GETREG'])
      await same(a, b, ['SET', 's', 'not an hll at all'])
      await same(a, b, ['PFDEBUG', 'GETREG', 's'])
      await same(a, b, ['PFSELFTEST'])
      await same(a, b, ['PFSELFTEST', 'x'])
      await same(a, b, ['PFADD'])
      await same(a, b, ['PFCOUNT'])
      await same(a, b, ['PFMERGE'])
    })
  }, 60_000)

  it('keyspace events: PFADD fires "pfadd" when it changes the key, PFMERGE fires "pfadd" too, PFCOUNT none', async () => {
    const subscribe = async (port: number) => {
      const socket = net.connect(port, '127.0.0.1')
      let got = ''
      socket.on('data', (d: Buffer) => { got += d.toString('latin1') })
      socket.write('PSUBSCRIBE __key*__:*\r\n')
      await new Promise((resolve) => setTimeout(resolve, 100))
      return { socket, text: () => got }
    }
    await both(2, async (a, b) => {
      await same(a, b, ['CONFIG', 'SET', 'notify-keyspace-events', 'KEAm'])
      const [sa, sb] = await Promise.all([subscribe(servers.respite.port), subscribe(servers.redis.port)])
      try {
        await same(a, b, ['PFADD', 'e1', 'x', 'y'])
        await same(a, b, ['PFADD', 'e1', 'x'])
        await same(a, b, ['PFADD', 'e2'])
        await same(a, b, ['PFADD', 'e2'])
        await same(a, b, ['PFCOUNT', 'e1'])
        await same(a, b, ['PFCOUNT', 'e1', 'e2', 'e3'])
        await same(a, b, ['PFCOUNT', 'nothing'])
        await same(a, b, ['PFDEBUG', 'ENCODING', 'nothing'])
        await same(a, b, ['PFMERGE', 'e4', 'nothing', 'e1'])
        await same(a, b, ['PFMERGE', 'e3', 'e1', 'e2'])
        await same(a, b, ['PFMERGE', 'e3'])
        await same(a, b, ['PFDEBUG', 'TODENSE', 'e3'])
        await same(a, b, ['SET', 'plain', 'x'])
        await new Promise((resolve) => setTimeout(resolve, 200))
        expect(sa.text()).toBe(sb.text())
        expect(sa.text()).toContain('pfadd')
      } finally {
        sa.socket.destroy()
        sb.socket.destroy()
        await same(a, b, ['CONFIG', 'SET', 'notify-keyspace-events', ''])
      }
    })
  })

  it('WATCH sees PFADD, PFMERGE and a PFCOUNT that refreshes the cache; not a PFADD that changes nothing', async () => {
    await both(2, async (a, b) => {
      await same(a, b, ['PFADD', 'w', 'a', 'b'])
      const round = async (...cmd: string[]) => {
        await same(a, b, ['WATCH', 'w'])
        await same(a, b, cmd)
        await same(a, b, ['MULTI'])
        await same(a, b, ['PING'])
        await same(a, b, ['EXEC'])
      }
      await round('PFCOUNT', 'w')
      await round('PFCOUNT', 'w')
      await round('PFADD', 'w', 'a')
      await round('PFADD', 'w', 'c')
      await round('PFCOUNT', 'w', 'x')
      await round('PFMERGE', 'w')
      await round('PFDEBUG', 'ENCODING', 'w')
      await round('PFDEBUG', 'TODENSE', 'w')
      await round('PFDEBUG', 'TODENSE', 'w')
      await round('OBJECT', 'ENCODING', 'w')
    })
  })

  it("Redis's own corruption cases: APPEND at the tail, broken magic, unknown encoding, a dense with the wrong length", async () => {
    await both(2, async (a, b) => {
      const cases: string[][] = [['APPEND', 'hll', 'hello'], ['SETRANGE', 'hll', '0', '0123'], ['SETRANGE', 'hll', '4', 'x'],
        ['SETRANGE', 'hll', '4', '\x00'], ['SETRANGE', 'hll', '15', '\x00'], ['SETRANGE', 'hll', '18', '\x83']]
      for (const edit of cases) {
        await same(a, b, ['DEL', 'hll'])
        await same(a, b, ['PFADD', 'hll', 'a', 'b', 'c'])
        await same(a, b, ['GETRANGE', 'hll', '15', '15'])
        await same(a, b, edit)
        await same(a, b, ['PFCOUNT', 'hll'])
        await same(a, b, ['PFADD', 'hll', 'd'])
        await same(a, b, ['PFCOUNT', 'hll', 'hll'])
        await same(a, b, ['PFMERGE', 'hll2', 'hll'])
        await same(a, b, ['GET', 'hll'])
      }
    })
  })

  it('keyspace hits and misses (INFO stats) count as in Redis', async () => {
    await both(2, async (a, b) => {
      await same(a, b, ['PFADD', 'k', 'x'])
      await same(a, b, ['CONFIG', 'RESETSTAT'])
      for (const cmd of [['PFADD', 'k', 'y'], ['PFADD', 'new', 'y'], ['PFCOUNT', 'k'], ['PFCOUNT', 'none'], ['PFCOUNT', 'k', 'none', 'new'],
        ['PFMERGE', 'dest', 'k', 'none'], ['PFMERGE', 'dest'], ['PFDEBUG', 'ENCODING', 'k'], ['PFDEBUG', 'ENCODING', 'none']]) await same(a, b, cmd)
      const stats = (info: string) => info.split('\r\n').filter((l) => l.startsWith('keyspace_')).join(',')
      const mine = stats(await a.call(['INFO', 'stats']))
      expect(mine).toContain('keyspace_misses:')
      expect(mine).toBe(stats(await b.call(['INFO', 'stats'])))
    })
  })

  for (const proto of [2, 3] as const) {
    it(`COMMAND INFO, DOCS, GETKEYS and GETKEYSANDFLAGS describe the PF commands as Redis does (RESP${proto})`, async () => {
      await both(proto, async (a, b) => {
        for (const name of ['pfadd', 'pfcount', 'pfmerge', 'pfselftest', 'pfdebug']) {
          await same(a, b, ['COMMAND', 'INFO', name])
          await same(a, b, ['COMMAND', 'DOCS', name])
        }
        for (const cmd of [['pfmerge', 'd', 's1', 's2'], ['pfmerge', 'd'], ['pfcount', 'a', 'b'], ['pfadd', 'k', 'x'], ['pfdebug', 'getreg', 'k'],
          ['pfselftest']]) {
          await same(a, b, ['COMMAND', 'GETKEYS', ...cmd])
          await same(a, b, ['COMMAND', 'GETKEYSANDFLAGS', ...cmd])
        }
      })
    })
  }

  it('hll-sparse-max-bytes decides when PFADD promotes to dense', async () => {
    await both(2, async (a, b) => {
      for (const max of ['0', '30', '200', '1000']) {
        await same(a, b, ['CONFIG', 'SET', 'hll-sparse-max-bytes', max])
        const r = rng(Number(max) + 5)
        await addRandom(a, b, r, `k${max}`, 600, 4)
        await same(a, b, ['PFDEBUG', 'ENCODING', `k${max}`])
        await same(a, b, ['GET', `k${max}`])
        await same(a, b, ['PFMERGE', `m${max}`, `k${max}`])
        await same(a, b, ['GET', `m${max}`])
      }
      await same(a, b, ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'])
    })
  }, 60_000)

  it('corrupted values (bytes flipped in sparse and dense HLLs) give the same errors and bytes', async () => {
    await both(2, async (a, b) => {
      const r = rng(31337)
      for (const size of [5, 50, 400, 1500, 5000]) {
        await b.call(['DEL', 'src'])
        for (let k = 0; k < size; k += 200) {
          const els: string[] = []
          for (let j = 0; j < Math.min(200, size - k); j++) els.push(element(r))
          await b.call(['PFADD', 'src', ...els])
        }
        const good = bulkText(await b.call(['GET', 'src']))!
        for (let trial = 0; trial < 120; trial++) {
          const bytes = Buffer.from(good, 'latin1')
          const flips = 1 + r.int(3)
          for (let f = 0; f < flips; f++) {
            // Mostly the registers; sometimes the header (magic, encoding, cache).
            const at = r.chance(0.2) ? r.int(16) : 16 + r.int(bytes.length - 16)
            bytes[at] ^= 1 << r.int(8)
          }
          if (r.chance(0.1)) bytes[4] ^= 1
          let v = bytes.toString('latin1')
          if (r.chance(0.1)) v = v.slice(0, v.length - 1 - r.int(3))
          await same(a, b, ['SET', 'bad', v])
          await same(a, b, ['PFCOUNT', 'bad'])
          await same(a, b, ['GET', 'bad'])
          await same(a, b, ['PFADD', 'bad', element(r), element(r), element(r)])
          await same(a, b, ['GET', 'bad'])
          await same(a, b, ['PFCOUNT', 'bad', 'other'])
          await same(a, b, ['PFMERGE', 'dest', 'bad'])
          await same(a, b, ['GET', 'dest'])
          await same(a, b, ['DEL', 'dest'])
          await same(a, b, ['SET', 'bad', v])
          await same(a, b, ['PFADD', 'good', 'a', 'b', 'c'])
          await same(a, b, ['PFMERGE', 'bad', 'good'])
          await same(a, b, ['GET', 'bad'])
          await same(a, b, ['SET', 'bad', v])
          await same(a, b, ['PFDEBUG', 'TODENSE', 'bad'])
          await same(a, b, ['GET', 'bad'])
          await same(a, b, ['SET', 'bad', v])
          await same(a, b, ['PFDEBUG', 'GETREG', 'bad'])
          await same(a, b, ['SET', 'bad', v])
          await same(a, b, ['PFDEBUG', 'DECODE', 'bad'])
        }
      }
    })
  }, 120_000)
})
