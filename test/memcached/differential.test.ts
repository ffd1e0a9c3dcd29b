import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { Conn, exchange, memcachedBinary, normalizeCas, startMemcached, startRespite, type RealMemcached } from './helpers.js'

/**
 * Byte-for-byte comparison with memcached 1.6: each script is sent to both servers on
 * a fresh connection (same order, so both keyspaces evolve alike) and the replies must
 * match, CAS uniques compared by their pattern (normalizeCas).
 */
const B = (s: string) => Buffer.from(s, 'latin1')

const SCRIPTS: [string, Buffer][] = [
  ['storage and retrieval', B('set a 5 0 3\r\nabc\r\nget a\r\ngets a\r\nget a nope a\r\nbget a\r\n')],
  ['bad data chunk: too long', B('set a 0 0 3\r\nabcd\r\nget a\r\n')],
  ['bad data chunk: too short', B('set a 0 0 3\r\nab\r\n\r\nget a\r\n')],
  ['bad data chunk: bare \\n', B('set a 0 0 1\r\nx\nget a\r\n')],
  ['bad data chunk under noreply', B('set a 0 0 1 noreply\r\nxy\r\nget a\r\n')],
  ['key too long in set', B('set ' + 'k'.repeat(251) + ' 0 0 1\r\nx\r\nget a\r\n')],
  ['key of 250 bytes', B('set ' + 'k'.repeat(250) + ' 0 0 1\r\nx\r\nget ' + 'k'.repeat(250) + '\r\n')],
  ['key too long in get', B('get ' + 'k'.repeat(251) + '\r\nget a\r\n')],
  ['key too long mid get', B('get a ' + 'k'.repeat(251) + ' a\r\n')],
  ['tab inside a key', B('set t\tb 0 0 1\r\nx\r\nget t\r\nget t\tb\r\n')],
  ['control byte inside a key', B('set c\x01b 0 0 1\r\nx\r\nget c\x01b\r\n')],
  ['NUL ends the line', B('set n\x00b 0 0 1\r\nx\r\nget a\x00zzz\r\n')],
  ['high bytes in key and value', B('set h\xe9 0 0 2\r\n\xff\x00\r\nget h\xe9\r\n')],
  ['unknown commands', B('foo\r\n\r\nGET a\r\nSet a 0 0 1\r\nx\r\n')],
  ['wrong argument counts', B('get\r\nget \r\nset a 0 0\r\nset a 0 0 1 2 3\r\nz\r\nincr a\r\ntouch a\r\ngets\r\ncas a 0 0 1\r\ny\r\n')],
  ['bad numbers', B('set a 0 0 -1\r\nset a 0 0 abc\r\nset a -1 0 1\r\nx\r\nset a 0 x 1\r\nx\r\n')],
  ['flags are 32 bits', B('set f 4294967295 0 1\r\nx\r\nget f\r\nset f 4294967296 0 1\r\nx\r\nget f\r\nset f 4294967297 0 1\r\nx\r\nget f\r\n')],
  ['number forms', B('set a 0 0 01\r\nx\r\nset a 00 0 1\r\ny\r\nget a\r\nset a 0 0 1 2\r\nz\r\nget a\r\n')],
  ['exptime', B('set e 0 -1 1\r\nx\r\nget e\r\nset e 0 100 1\r\nx\r\nget e\r\nset e 0 2592001 1\r\nx\r\nget e\r\nadd e 0 0 1\r\ny\r\nget e\r\n')],
  ['add replace append prepend', B('set a 0 0 1 noreply\r\nx\r\nadd a 0 0 1\r\nx\r\nreplace zz 0 0 1\r\nx\r\nappend zz 0 0 1\r\nx\r\nprepend a 7 0 1\r\nz\r\nappend a 9 0 2\r\n12\r\nget a\r\nreplace a 3 0 1\r\nr\r\nget a\r\nadd fresh 2 0 1\r\nf\r\nget fresh\r\n')],
  ['cas', B('cas nx 0 0 1 99\r\nx\r\nset c 0 0 1\r\nx\r\ngets c\r\ncas c 0 0 1 1\r\ny\r\ncas c 0 0 1 abc\r\ny\r\n')],
  ['incr and decr', B('set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\nget n\r\nincr n 18446744073709551615\r\nincr x 1\r\nincr n abc\r\nincr n -1\r\nset s 0 0 1\r\nx\r\nincr s 1\r\ndecr s 1 noreply\r\n')],
  ['incr wraps and pads', B('set n 0 0 20\r\n18446744073709551615\r\nincr n 1\r\nget n\r\nset n 0 0 2\r\n 5\r\nincr n 1\r\nset n 0 0 3\r\n05 \r\nincr n 1\r\nget n\r\nset n 0 0 2\r\n10\r\ndecr n 1\r\nget n\r\nincr n 100\r\nget n\r\nset n 0 0 0\r\n\r\nincr n 1\r\n')],
  ['delete', B('delete a\r\ndelete a 0\r\ndelete a 5\r\ndelete a noreply\r\ndelete a 0 noreply\r\nset d 0 0 1\r\nx\r\ndelete d\r\ndelete d\r\ndelete\r\ndelete a b c d\r\n')],
  ['touch and gat', B('touch g 10\r\nset g 0 0 1\r\nx\r\ntouch g 10\r\ngat 0 g b\r\ngats 0 g\r\ngat g\r\ngat 10\r\ntouch g x\r\ntouch g 10 noreply\r\ngat -1 g\r\nget g\r\n')],
  ['flush_all forms', B('set fl 0 0 1\r\nx\r\nflush_all\r\nget fl\r\nflush_all 0\r\nflush_all noreply\r\nflush_all 0 noreply\r\nflush_all abc\r\nflush_all -1\r\nflush_all 1 2 3\r\n')],
  ['version verbosity', B('version\r\nversion x\r\nverbosity\r\nverbosity 1\r\nverbosity 1 noreply\r\nverbosity x\r\n')],
  ['quit', B('get a\r\nquit\r\nget a\r\n')],
  ['line endings and spaces', B('set a 0 0 1  \r\nx\r\nget a  b  \r\nset  a  0 0 1\r\ny\r\nget a\nget a\r\r\n')],
  ['too large', B('set big 0 0 1048577\r\n' + 'x'.repeat(1048577) + '\r\nget a\r\nset big 0 0 1048400\r\n' + 'y'.repeat(1048400) + '\r\nget a\r\nset big 0 0 2000000 noreply\r\n' + 'x'.repeat(2000000) + '\r\nget big\r\n')],
  ['too large drops the old value', B('set tl 0 0 1\r\nx\r\nset tl 0 0 2000000\r\n' + 'x'.repeat(2000000) + '\r\nget tl\r\n')],
  ['long get line', B('get ' + 'a '.repeat(3000) + '\r\n')],
  ['long unknown line with newline', B('x'.repeat(3000) + '\r\nget a\r\n')],
  ['meta get and set', B('ms mk 2 T0 F5\r\nhi\r\nmg mk v f t c k s O123 h l\r\nmg mk s v\r\nmg missing v\r\nmg missing v q\r\nmg mk q\r\nmg mk\r\nmg mk k v q O9\r\n')],
  ['meta set modes', B('ms mk 2 T100 F7 c k O1\r\nhi\r\nmg mk t f v\r\nms mk 2 C1\r\nxx\r\nms mk 2 I\r\nxx\r\nms mk2 2 ME\r\nab\r\nms mk2 2 ME\r\nab\r\nms mk2 1 MA\r\nc\r\nms mk2 1 MP\r\nz\r\nmg mk2 v\r\nms nx 1 MR\r\nq\r\nms nx 1 MA\r\nq\r\nms mk2 1 MS q\r\nq\r\nms mk2 1 Ms\r\nq\r\n')],
  ['meta quiet mode', B('ms nq 1 MR q\r\nq\r\nms nq 1 MA q\r\nq\r\nset e 0 0 1\r\n1\r\nms e 1 C1 q\r\nq\r\nms e 1 ME q\r\nq\r\nma nq q\r\nma nq N0 q\r\nma nq q\r\nmd nq q\r\nmd nq q\r\n')],
  ['meta delete', B('md mk\r\nmd mk\r\nmd mk q\r\nset x 0 0 1\r\n1\r\nmd x C999\r\nmd x k O5\r\nmd x O6 k\r\nmd\r\n')],
  ['meta arithmetic', B('ma cnt\r\nma cnt N0 J10\r\nma cnt v\r\nma cnt MD D3 v\r\nma cnt M- D100 v t c\r\nma cnt MI D5 q\r\nma cnt v k O2\r\nset s 0 0 1\r\nx\r\nma s\r\nma cnt Dabc\r\nma a b c\r\nma nx MX\r\nma nx D-1\r\nma nx N0 J-1\r\nma c2 N0 J18446744073709551615 v\r\nma c2 v\r\nma c2 O7 k\r\n')],
  ['meta vivify and recache', B('mg nv N30 v c t\r\nmg nv N30 v c t\r\nmg nv v c\r\nms nv 1 T30\r\nx\r\nmg nv v t\r\nms rk 1 T10\r\nx\r\nmg rk R30 v t\r\nmg rk R30 v t\r\nmg rk T100 t v\r\n')],
  ['meta stale', B('ms st 1 T0\r\nx\r\nmd st I T30\r\nmg st v c t\r\nmg st v c t\r\nms st 1\r\ny\r\nmg st v\r\n')],
  ['meta errors', B('mg\r\nms mk\r\nms mk abc\r\nms mk -1\r\nms mk 2 Zq\r\nhi\r\nmg mk zz\r\nmg ' + 'k'.repeat(251) + ' v\r\nms mk 2 MX\r\nhi\r\nmg mk v v\r\nms mk 2 S2\r\nhi\r\nmg mk E5\r\nms mk 1 E7\r\nz\r\nmg mk O' + 'o'.repeat(40) + '\r\nms mk 1 Tx\r\nz\r\nms mk 1 Fx\r\nz\r\n')],
  ['meta base64 keys', B('ms bk 2 b\r\nhi\r\nms Ymsx 2 b\r\nhi\r\nmg Ymsx b v k\r\nget bkx\r\nmd Ymsx b k\r\nmg Ymsx b v\r\n')],
  ['meta data chunk', B('ms mk 3\r\nhi\r\nmg mk v\r\n')],
  ['me', B('ms mee 1 T0\r\nx\r\nme mee\r\nme zz\r\nme\r\n')],
  ['too large ms', B('ms big 2000000\r\n' + 'x'.repeat(2000000) + '\r\nmn\r\nms big S100 T0\r\n')],
  ['meta TTL updates', B('ms mt 1 T0\r\nx\r\nmg mt T-1 v\r\nmg mt v\r\nms mt2 1 T0\r\nx\r\nmg mt2 T500 t\r\nma mt3 N0 J3 T400 t v\r\nmg mt3 t v\r\nmg mt2 t u v\r\n')],
  ['meta negative TTLs', B('mg nn N-1 v c\r\nmg nn v\r\nma nm N-1 J4 v\r\nma nm v\r\nms nd 1 T0\r\nx\r\nmd nd I T-1\r\nmg nd v\r\nms na 1 T0\r\n5\r\nma na T-1 v\r\nmg na v\r\nms nb 1 T0\r\n5\r\nma nb T300 q\r\nmg nb t v\r\n')],
  ['incr after mg in one batch', B('set hn 0 0 2\r\n10\r\nmg hn s\r\ndecr hn 1\r\nget hn\r\nset hn 0 0 2\r\n10\r\nget hn\r\ndecr hn 1\r\nget hn\r\nset hn 0 0 2\r\n10\r\nmg hn v\r\nmn\r\nma hn MD\r\nget hn\r\nset hn 0 0 2\r\n10\r\nmg hn s\r\n' + 'version\r\n'.repeat(18) + 'decr hn 1\r\nget hn\r\nset hn 0 0 2\r\n10\r\nmg hn s\r\n' + 'version\r\n'.repeat(19) + 'decr hn 1\r\nget hn\r\n' + 'version\r\n'.repeat(3) + 'set hn 0 0 2\r\n10\r\nmg hn s\r\n' + 'version\r\n'.repeat(17) + 'decr hn 1\r\nget hn\r\nset hn 0 0 2\r\n10\r\nmg hn s\r\n' + 'version\r\n'.repeat(18) + 'decr hn 1\r\nget hn\r\n')],
  // A store renews the item's metadata in place: what mg held must stay held through
  // md I (same item, new CAS) and end with a set or a grown incr (a new item).
  ['held items across in-place renewals', B('set hi 0 0 2\r\n10\r\nmg hi s\r\nmd hi I\r\ndecr hi 1\r\nget hi\r\nset hi 0 0 2\r\n99\r\nmg hi s\r\nincr hi 1\r\ndecr hi 95\r\nget hi\r\nset hi 3 0 2\r\n10\r\nmg hi s\r\nms hi 2 F4\r\n20\r\ndecr hi 1\r\nmg hi v f\r\n')],
  ['stats error forms', B('stats foo\r\nstats detail\r\nstats detail dump\r\nstats reset\r\n')],
]

describe.skipIf(memcachedBinary === null)('memcached front end against memcached 1.6', () => {
  let real: RealMemcached
  let ours: RunningServer

  beforeAll(async () => {
    real = await startMemcached()
    ours = await startRespite()
  })
  afterAll(async () => {
    await real?.stop()
    await ours?.close()
  })

  for (const [name, input] of SCRIPTS) {
    it(name, async () => {
      const expected = await exchange(real.port, input)
      const actual = await exchange(ours.memcachedPort, input)
      expect(normalizeCas(actual)).toBe(normalizeCas(expected))
    })
  }

  it('gives the same replies when requests are split at every byte', async () => {
    const input = B('set sp 3 0 5\r\nhello\r\nget sp\r\nms sp2 2 F4 T0\r\nhi\r\nmg sp2 v f\r\nincr nope 1\r\ndelete sp noreply\r\nget sp sp2\r\n')
    const every = Array.from({ length: input.length - 1 }, (_, i) => i + 1)
    const expected = await exchange(real.port, input, every)
    const actual = await exchange(ours.memcachedPort, input, every)
    expect(normalizeCas(actual)).toBe(normalizeCas(expected))
    expect(actual).toContain('VALUE sp2 4 2')
  })

  it('gives the same replies when a large value arrives in pieces', async () => {
    const value = 'v'.repeat(300_000)
    const input = B(`set lv 1 0 ${value.length}\r\n${value}\r\nget lv\r\n`)
    const splits = [5, 20, 1000, 70_000, 150_000, 299_000, input.length - 3, input.length - 1]
    const expected = await exchange(real.port, input, splits)
    const actual = await exchange(ours.memcachedPort, input, splits)
    expect(actual.length).toBe(expected.length)
    expect(actual === expected).toBe(true)
  })

  it('closes a connection sending an endless non-get line, keeps one sending a long get', async () => {
    for (const [line, closes] of [['x'.repeat(3000), true], ['set a 0 0 ' + '1'.repeat(3000), true], ['get ' + 'a '.repeat(2000), false]] as const) {
      for (const port of [real.port, ours.memcachedPort]) {
        const c = await Conn.open(port)
        c.write(line)
        const out = await c.quiet(300)
        expect(out.length).toBe(0)
        expect(c.closed).toBe(closes)
        c.close()
      }
    }
  })

  it('matches on random seeded sequences of commands', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const input = B(randomScript(seed, 300))
      const expected = await exchange(real.port, input)
      const actual = await exchange(ours.memcachedPort, input)
      expect(normalizeCas(actual), `seed ${seed}`).toBe(normalizeCas(expected))
    }
  })

  it('matches on random sequences split at random bytes', async () => {
    for (const seed of [21, 22, 23, 24]) {
      const input = B(randomScript(seed, 150, true))
      const r = rng(seed * 7)
      const splits = Array.from({ length: 40 }, () => 1 + Math.floor(r() * (input.length - 1))).sort((x, y) => x - y)
      const expected = await exchange(real.port, input, splits)
      const actual = await exchange(ours.memcachedPort, input, splits)
      expect(normalizeCas(actual), `seed ${seed}`).toBe(normalizeCas(expected))
    }
  })

  it('matches on random token soup (arity errors, noreply in odd places, control bytes)', async () => {
    const words = ['get', 'gets', 'set', 'add', 'cas', 'incr', 'decr', 'touch', 'gat', 'delete', 'mg', 'ms', 'md', 'ma', 'me', 'mn', 'flush_all', 'verbosity',
      'noreply', 'k', 'k2', '0', '1', '2', '-1', '99999999999999999999', 'v', 'q', 'T1', 'N1', 'C1', 'MA', 'b', 'O1', 'F1', 'Dx', '\t', '\r', '\x00', '', ' ']
    for (const seed of [31, 32, 33]) {
      const r = rng(seed)
      let input = ''
      for (let i = 0; i < 300; i++) {
        const n = 1 + Math.floor(r() * 6)
        for (let j = 0; j < n; j++) input += words[Math.floor(r() * words.length)] + (r() < 0.9 ? ' ' : '')
        input += '\r\n' + (r() < 0.5 ? 'ab\r\n' : '')
      }
      const expected = await exchange(real.port, B(input))
      const actual = await exchange(ours.memcachedPort, B(input))
      expect(normalizeCas(actual), `seed ${seed}`).toBe(normalizeCas(expected))
    }
  })
})

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Commands over a few keys, mixing every family, errors and noreply included.
 * `framing` leaves out incr, decr and ma, for the test that splits requests at random
 * bytes. Whether memcached pads a shorter result in place or makes a new item depends
 * on whether the item is still referenced, which depends on where its reads end: with
 * random splits that is up to the timing of the sockets, and memcached itself answers
 * the same bytes differently from run to run. The fixed scripts above check that quirk.
 */
function randomScript(seed: number, count: number, framing = false): string {
  const r = rng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
  const keys = [`r${seed}a`, `r${seed}b`, `r${seed}c`, `r${seed}d`]
  const values = ['1', '42', 'abc', '', '18446744073709551615', ' 7', 'x y', '0099', '\x00\x01']
  const exps = ['0', '0', '0', '1000', '-1']
  const flags = ['0', '1', '65535', '4294967295']
  const nr = () => (r() < 0.15 ? ' noreply' : '')
  let out = 'flush_all\r\n'
  for (let i = 0; i < count; i++) {
    const k = pick(keys)
    const v = pick(values)
    const kind = Math.floor(r() * 16)
    if (framing && (kind === 3 || kind === 11)) continue
    switch (kind) {
      case 0: case 1: out += `${pick(['set', 'add', 'replace', 'append', 'prepend'])} ${k} ${pick(flags)} ${pick(exps)} ${v.length}${nr()}\r\n${v}\r\n`; break
      case 2: out += `${pick(['get', 'gets'])} ${pick(keys)} ${pick(keys)}\r\n`; break
      case 3: out += `${pick(['incr', 'decr'])} ${k} ${pick(['1', '0', '10', '18446744073709551615', 'x'])}${nr()}\r\n`; break
      case 4: out += `delete ${k}${nr()}\r\n`; break
      case 5: out += `touch ${k} ${pick(exps)}${nr()}\r\n`; break
      case 6: out += `${pick(['gat', 'gats'])} ${pick(exps)} ${k}\r\n`; break
      case 7: out += `cas ${k} 0 0 ${v.length} 123456789${nr()}\r\n${v}\r\n`; break
      case 8: out += `mg ${k} ${pick(['v', 'v f', 's v k', 'q v', 'f O9 k', 'h', 'v c', 't v'])}\r\n`; break
      case 9: out += `ms ${k} ${v.length} ${pick(['', 'T0', 'F3', 'MA', 'MP', 'ME', 'MR', 'q', 'C1', 'I', 'k O5'])}\r\n${v}\r\n`; break
      case 10: out += `md ${k} ${pick(['', 'q', 'k', 'O1', 'C1', 'I'])}\r\n`; break
      case 11: out += `ma ${k} ${pick(['', 'v', 'N0', 'N0 J5 v', 'MD v', 'D7 q', 'M- D3 v', 'q'])}\r\n`; break
      case 12: out += pick(['mn\r\n', 'version\r\n', 'bogus\r\n', 'get\r\n', 'verbosity 1\r\n']); break
      case 13: out += `get ${k}\r\n`; break
      case 14: out += `set ${k} 0 0 ${v.length + 1}\r\n${v}\r\n`; break
      case 15: out += `mg ${k} N0 v c\r\n`; break
    }
  }
  return out
}
