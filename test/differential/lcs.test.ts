import { describe, expect, it } from 'vitest'
import { rng, runDifferential, type Mismatch } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * LCS against a real redis-server: seeded random strings (empty, equal, sharing a
 * small alphabet so there is much to match, arbitrary bytes), missing keys and wrong
 * types, with every option combination, invalid ones included. Replies must match
 * byte for byte, in RESP2 and RESP3 (IDX replies a map).
 */

const skip = missingTool('redis-server')

const KEYS = ['a', 'b', 'c', 'nokey', 'list']

function randomString(r: ReturnType<typeof rng>): string {
  const len = r.pick([0, 1, 2, 5, 10, 30, 80])
  const alphabet = r.pick(['ab', 'abc', 'ACGT', 'xyz01 ', ''])
  let s = ''
  for (let i = 0; i < len; i++) {
    s += alphabet === '' ? String.fromCharCode(r.int(256)) : alphabet[r.int(alphabet.length)]
  }
  return s
}

function options(r: ReturnType<typeof rng>): string[] {
  const out: string[] = []
  const n = r.int(4)
  for (let i = 0; i < n; i++) {
    const o = r.pick(['LEN', 'IDX', 'idx', 'WITHMATCHLEN', 'MINMATCHLEN', 'MINMATCHLEN', 'len', 'BOGUS'])
    out.push(o)
    if (o === 'MINMATCHLEN' && r.chance(0.95)) out.push(r.pick(['0', '1', '2', '3', '5', '-1', 'x', '99999999999999999999', '4294967297']))
  }
  return out
}

function generate(seed: number, length: number): string[][] {
  const r = rng(seed)
  const cmds: string[][] = [['RPUSH', 'list', 'x']]
  for (let i = 0; i < length; i++) {
    if (r.chance(0.3)) {
      const k = r.pick(['a', 'b', 'c'])
      // Sometimes copy another key's value, so equal strings come up.
      cmds.push(r.chance(0.15) ? ['COPY', r.pick(['a', 'b', 'c']), k, 'REPLACE'] : ['SET', k, randomString(r)])
    } else {
      cmds.push(['LCS', r.pick(KEYS), r.pick(KEYS), ...options(r)])
    }
  }
  return cmds
}

function describeMismatch(m: Mismatch | null): string | null {
  if (m === null) return null
  return `${JSON.stringify(m.args)}\nrespite ${JSON.stringify(m.respite)}\nredis   ${JSON.stringify(m.redis)}`
}

describe.skipIf(skip !== null)('differential: LCS', () => {
  const servers = useRespiteAndRedis()

  for (const proto of [2, 3] as const) {
    it(`LCS matches redis-server on seeded random strings and options (RESP${proto})`, async () => {
      for (const seed of [1, 2, 3, 4]) {
        const cmds = generate(seed * 10 + proto, 400)
        const m = await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto })
        expect(describeMismatch(m), `seed ${seed * 10 + proto}`).toBeNull()
      }
    })
  }

  it('LCS matches redis-server on edge cases and its limits (arity, proto-max-bulk-len)', async () => {
    const big = 'ab'.repeat(300)
    const cmds: string[][] = [
      ['SET', 'x', 'ohmytext'], ['SET', 'y', 'mynewtext'],
      ['LCS', 'x', 'y'], ['LCS', 'x', 'y', 'LEN'], ['LCS', 'x', 'y', 'IDX'],
      ['LCS', 'x', 'y', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'],
      ['LCS', 'x', 'y', 'IDX', 'LEN'], ['LCS', 'x', 'y', 'LEN', 'IDX', 'BOGUS'],
      ['LCS', 'x', 'y', 'MINMATCHLEN'], ['LCS', 'x'], ['LCS'],
      ['LCS', 'x', 'x', 'IDX', 'WITHMATCHLEN'], ['LCS', 'nokey', 'nokey2', 'IDX'],
      ['LCS', 'nokey', 'x'], ['LCS', 'nokey', 'x', 'LEN'],
      ['HSET', 'h', 'f', 'v'], ['LCS', 'h', 'x', 'BOGUS'], ['LCS', 'x', 'h', 'IDX', 'LEN'],
      ['SET', 'n', '12345'], ['SET', 'm', '2340'], ['LCS', 'n', 'm', 'IDX', 'WITHMATCHLEN'],
      ['SET', 'big1', big], ['SET', 'big2', big.slice(1)], ['LCS', 'big1', 'big2', 'LEN'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '1mb'],
      ['LCS', 'big1', 'big2'], ['LCS', 'big1', 'nokey', 'LEN'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '512mb'],
    ]
    for (const proto of [2, 3] as const) {
      const m = await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto })
      expect(describeMismatch(m)).toBeNull()
    }
  })
})
