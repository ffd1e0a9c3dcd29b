import { describe, expect, it } from 'vitest'
import { bulkText, elements, historyOf, ReplyConnection, rng, withConnections, type Failure } from '../helpers/differential.js'
import { useRespite, useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool, redisBenchmark } from '../helpers/servers.js'

/**
 * Seeded random sequences of every non-blocking sorted-set command, with invalid
 * input, wrong types, ±inf and exclusive bounds and lex ranges, sent to respite and to
 * a real redis-server in RESP2 and RESP3. Replies must match byte for byte, except
 * ZRANDMEMBER's random picks, which must match in shape and be real members (with
 * their scores) of respite's set, distinct when the count is positive.
 *
 * Lex commands only touch the `lx` keys, whose members all have score 0: with mixed
 * scores Redis's answer depends on its skiplist's random levels.
 */

const skipRedis = missingTool('redis-server')
const skipBenchmark = missingTool('redis-benchmark')
/** The server redis-benchmark runs against; the differential tests start their own. */
const { respite } = await useRespite({ flush: false })

const ZSETS = ['z1', 'z2', 'z3']
const LEX = ['lx1', 'lx2']
const OTHERS = ['str', 's1', 'nokey']
/** Wrong or missing keys for lex commands, which nothing else turns into sorted sets. */
const LEX_OTHERS = ['lxstr', 'lxset', 'lxnone']
const MEMBERS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'aa', 'ab', '1', '10', '2', '', '\x00', '\xff', 'é', 'a b']
const SCORES = ['1', '2', '3', '-1', '0', '-0', '1.5', '3.25', '0.1', '-2.5', '10', '1e20', '1e-5', '+1', '.5', '5.',
  'inf', '-inf', '+inf', 'Infinity', '0x10', '4503599627370497', '100000000000000000']
const BAD_SCORES = ['abc', 'nan', '', ' 1', '1 ', '(1', '1e400', '1e-400', '0x']
const BOUNDS = ['-inf', '+inf', 'inf', '0', '1', '2', '(1', '(2', '1.5', '(1.5', '-1', '(-inf', '(+inf', '3', '10', '(10',
  '-0', '(0', '1e20', ' 2', '(', '']
const BAD_BOUNDS = ['abc', 'nan', '(nan', '1 ', '[1', '(x']
const LEX_BOUNDS = ['-', '+', '[a', '(a', '[b', '(b', '[aa', '(ab', '[c', '[d', '(e', '[h', '[', '(', '[\xff', '(\x00']
const BAD_LEX = ['a', '++', '--', '', 'x', '{a']
const RANKS = ['0', '1', '2', '-1', '-2', '-3', '5', '100', '-100', '9223372036854775807', '-9223372036854775808', 'x', '1.5']
// No huge negative counts that pass validation: both servers would try to answer them.
const COUNTS = ['0', '1', '2', '3', '5', '-1', '-2', '-5', '100', 'x', '', '1.5', '9223372036854775807', '-9223372036854775808',
  '4611686018427387904']
const WEIGHTS = ['1', '2', '0', '-1', '0.5', 'inf', '-inf', '1e300', 'x', '0x2']
const PATTERNS = ['*', 'a*', '?', '[ab]*', '*1', '\\*', 'x']

function generate(seed: number, length: number): string[][] {
  const r = rng(seed)
  const zkey = () => (r.chance(0.88) ? r.pick(ZSETS) : r.pick(OTHERS))
  const lexKey = () => (r.chance(0.9) ? r.pick(LEX) : r.pick(LEX_OTHERS))
  const anyKey = () => (r.chance(0.8) ? r.pick(ZSETS) : r.chance(0.5) ? r.pick(LEX) : r.pick(OTHERS))
  const member = () => r.pick(MEMBERS)
  const members = () => Array.from({ length: 1 + r.int(4) }, member)
  const score = () => (r.chance(0.5) ? String(r.int(12) - 4) : r.chance(0.93) ? r.pick(SCORES) : r.pick(BAD_SCORES))
  const bound = () => (r.chance(0.96) ? r.pick(BOUNDS) : r.pick(BAD_BOUNDS))
  const lexBound = () => (r.chance(0.95) ? r.pick(LEX_BOUNDS) : r.pick(BAD_LEX))
  const rank = () => (r.chance(0.7) ? String(r.int(10) - 5) : r.pick(RANKS))
  const count = () => (r.chance(0.6) ? String(r.int(8) - 3) : r.pick(COUNTS))
  const limit = () => (r.chance(0.5) ? ['LIMIT', String(r.int(4) - (r.chance(0.1) ? 2 : 0)), String(r.int(5) - 1)] : [])
  const keys = (pick: () => string) => Array.from({ length: 1 + r.int(3) }, pick)
  const cmds: string[][] = [['SET', 'str', 'text'], ['SET', 'lxstr', 'text'], ['SADD', 's1', 'a', 'b', '1', 'zz'], ['SADD', 'lxset', 'a']]
  while (cmds.length < length) {
    switch (r.int(40)) {
      case 0: case 1: case 2: case 3: {
        const cmd = [r.pick(['ZADD', 'zadd']), zkey()]
        for (const opt of ['NX', 'XX', 'GT', 'LT', 'CH', 'INCR']) if (r.chance(0.12)) cmd.push(r.chance(0.8) ? opt : opt.toLowerCase())
        for (let n = 1 + r.int(3); n > 0; n--) cmd.push(score(), member())
        if (r.chance(0.04)) cmd.pop()
        cmds.push(cmd)
        break
      }
      case 4: {
        // Lex keys only ever hold score 0, so lex ranges are well defined.
        const cmd = ['ZADD', lexKey()]
        if (r.chance(0.1)) cmd.push(r.pick(['NX', 'XX', 'CH']))
        for (let n = 1 + r.int(3); n > 0; n--) cmd.push('0', member())
        cmds.push(cmd)
        break
      }
      case 5:
        cmds.push(['ZINCRBY', zkey(), score(), member()])
        break
      case 6:
        cmds.push(['ZREM', anyKey(), ...members()])
        break
      case 7:
        cmds.push([r.pick(['ZSCORE', 'ZRANK', 'ZREVRANK']), anyKey(), member()])
        break
      case 8:
        cmds.push(['ZMSCORE', anyKey(), ...members()])
        break
      case 9:
        cmds.push(['ZCARD', anyKey()])
        break
      case 10:
        cmds.push(['ZCOUNT', zkey(), bound(), bound()])
        break
      case 11:
        cmds.push(['ZLEXCOUNT', lexKey(), lexBound(), lexBound()])
        break
      case 12: case 13: {
        const cmd = [r.pick(['ZRANGE', 'ZREVRANGE']), anyKey(), rank(), rank()]
        if (r.chance(0.5)) cmd.push(r.pick(['WITHSCORES', 'withscores']))
        if (r.chance(0.05)) cmd.push(...r.pick([['LIMIT', '0', '1'], ['LIMIT', '1', '-1'], ['REV'], ['FOO']]))
        cmds.push(cmd)
        break
      }
      case 14: case 15: {
        const byScore = r.chance(0.6)
        const rev = r.chance(0.4)
        const key = byScore ? zkey() : lexKey()
        const lo = byScore ? bound() : lexBound()
        const hi = byScore ? bound() : lexBound()
        const cmd = ['ZRANGE', key, rev ? hi : lo, rev ? lo : hi, byScore ? 'BYSCORE' : 'BYLEX']
        if (rev) cmd.push('REV')
        cmd.push(...limit())
        if (byScore ? r.chance(0.5) : r.chance(0.05)) cmd.push('WITHSCORES')
        if (r.chance(0.05)) cmd.push(r.pick(['BYLEX', 'REV', 'LIMIT']))
        // Options in any order.
        const opts = cmd.splice(4)
        if (r.chance(0.3)) opts.reverse()
        cmds.push([...cmd, ...opts])
        break
      }
      case 16: case 17: {
        const rev = r.chance(0.5)
        const cmd = [rev ? 'ZREVRANGEBYSCORE' : 'ZRANGEBYSCORE', zkey(), bound(), bound()]
        if (r.chance(0.5)) cmd.push('WITHSCORES')
        cmd.push(...limit())
        if (r.chance(0.05)) cmd.push(r.pick(['REV', 'BYSCORE', 'LIMIT', 'WITHSCORES']))
        cmds.push(cmd)
        break
      }
      case 18: {
        const rev = r.chance(0.5)
        cmds.push([rev ? 'ZREVRANGEBYLEX' : 'ZRANGEBYLEX', lexKey(), lexBound(), lexBound(), ...limit()])
        break
      }
      case 19: {
        const kind = r.int(3)
        const src = kind === 2 ? lexKey() : anyKey()
        const cmd = ['ZRANGESTORE', r.pick(['dst', 'z3', 'str']), src]
        if (kind === 0) cmd.push(rank(), rank())
        else if (kind === 1) cmd.push(bound(), bound(), 'BYSCORE', ...limit())
        else cmd.push(lexBound(), lexBound(), 'BYLEX', ...limit())
        if (r.chance(0.3)) cmd.push('REV')
        if (r.chance(0.04)) cmd.push('WITHSCORES')
        cmds.push(cmd)
        break
      }
      case 20:
        cmds.push(['ZREMRANGEBYRANK', anyKey(), rank(), rank()])
        break
      case 21:
        cmds.push(['ZREMRANGEBYSCORE', zkey(), bound(), bound()])
        break
      case 22:
        cmds.push(['ZREMRANGEBYLEX', lexKey(), lexBound(), lexBound()])
        break
      case 23: {
        const cmd = [r.pick(['ZPOPMIN', 'ZPOPMAX']), anyKey()]
        if (r.chance(0.6)) cmd.push(count())
        if (r.chance(0.03)) cmd.push('1')
        cmds.push(cmd)
        break
      }
      case 24: {
        const ks = keys(anyKey)
        const cmd = ['ZMPOP', r.chance(0.92) ? String(ks.length) : r.pick(['0', '-1', 'x', '5']), ...ks, r.pick(['MIN', 'MAX', 'min', 'FOO'])]
        if (r.chance(0.5)) cmd.push('COUNT', count())
        if (r.chance(0.04)) cmd.push(r.pick(['COUNT', 'FOO']))
        cmds.push(cmd)
        break
      }
      case 25: case 26: case 27: {
        // ZUNION/ZINTER/ZDIFF, their STORE forms, and ZINTERCARD; sets count as score 1.
        const ks = keys(() => (r.chance(0.85) ? r.pick([...ZSETS, 's1']) : r.pick(['str', 'nokey', 'lx1'])))
        const op = r.pick(['ZUNION', 'ZINTER', 'ZDIFF', 'ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE', 'ZINTERCARD'])
        const store = op.endsWith('STORE')
        const cmd = [op]
        if (store) cmd.push(r.pick(['dst', 'z2', 'str']))
        cmd.push(r.chance(0.93) ? String(ks.length) : r.pick(['0', '-1', 'x', '9']), ...ks)
        if (op !== 'ZDIFF' && op !== 'ZDIFFSTORE' && op !== 'ZINTERCARD') {
          if (r.chance(0.4)) cmd.push('WEIGHTS', ...ks.map(() => (r.chance(0.8) ? String(r.int(4)) : r.pick(WEIGHTS))))
          if (r.chance(0.4)) cmd.push('AGGREGATE', r.pick(['SUM', 'MIN', 'MAX', 'max', 'AVG']))
        }
        if (op === 'ZINTERCARD' && r.chance(0.5)) cmd.push('LIMIT', r.pick(['0', '1', '2', '-1', 'x']))
        if (!store && op !== 'ZINTERCARD' && r.chance(0.5)) cmd.push('WITHSCORES')
        if (r.chance(0.05)) cmd.push(r.pick(['WEIGHTS', 'AGGREGATE', 'WITHSCORES', 'LIMIT', 'FOO']))
        cmds.push(cmd)
        break
      }
      case 28: case 29: {
        const cmd = ['ZRANDMEMBER', anyKey()]
        if (r.chance(0.8)) cmd.push(count())
        if (cmd.length === 3 && r.chance(0.5)) cmd.push(r.pick(['WITHSCORES', 'withscores', 'FOO']))
        if (r.chance(0.03)) cmd.push('x')
        cmds.push(cmd)
        break
      }
      case 30: {
        const cmd = ['ZSCAN', r.chance(0.9) ? r.pick([...ZSETS, ...LEX]) : r.pick(OTHERS), r.chance(0.9) ? '0' : r.pick(['-1', 'x', '', '18446744073709551616'])]
        if (r.chance(0.4)) cmd.push('MATCH', r.pick(PATTERNS))
        if (r.chance(0.3)) cmd.push('COUNT', r.pick(['1', '10', '0', 'x']))
        if (r.chance(0.04)) cmd.push(r.pick(['MATCH', 'NOVALUES']))
        cmds.push(cmd)
        break
      }
      case 31:
        cmds.push([r.pick(['TYPE', 'EXISTS', 'DEL']), anyKey()])
        break
      case 32:
        cmds.push(['OBJECT', 'ENCODING', anyKey()])
        break
      case 33: {
        // Grow past the listpack limits now and then: by size, or by a long member.
        if (r.chance(0.5)) {
          const cmd = ['ZADD', r.pick(ZSETS)]
          for (let i = 0; i < 130; i++) cmd.push(String(r.int(50) / 2), `bulk${i}`)
          cmds.push(cmd)
        } else {
          cmds.push(['ZADD', r.pick(ZSETS), score(), 'L'.repeat(65)])
        }
        break
      }
      case 34:
        cmds.push(['ZINCRBY', zkey(), r.pick(['inf', '-inf', '1', '-1']), member()])
        break
      case 35:
        // Arity errors, checked by the dispatcher with each command's own name.
        cmds.push(r.pick([['ZADD', 'z1', '1'], ['ZSCORE', 'z1'], ['ZRANGE', 'z1', '0'], ['ZRANK', 'z1', 'a', 'WITHSCORE'],
          ['ZUNIONSTORE', 'dst', '1'], ['ZMPOP', '1', 'z1'], ['ZINCRBY', 'z1', '1'], ['ZCARD'], ['ZSCAN', 'z1']]))
        break
      default:
        cmds.push(['ZRANGE', anyKey(), '0', '-1', 'WITHSCORES'])
    }
  }
  for (const key of [...ZSETS, ...LEX, 'dst']) cmds.push(['ZRANGE', key, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', key])
  return cmds
}

/** A failure as readable lines: the command, both replies, and the key's history. */
function report(f: Failure | null): string {
  if (f === null) return ''
  const lines = [`#${f.index} ${JSON.stringify(f.args)}: ${f.why}`, `respite: ${JSON.stringify(f.respite)}`, `redis:   ${JSON.stringify(f.redis)}`]
  for (const h of f.history) lines.push(`  ${JSON.stringify(h)}`)
  return lines.join('\n')
}

/** A reply's frames reduced to their types, e.g. "*4[$$$$]": what random replies share. */
function shape(reply: string): string {
  if (reply[0] === '-' || reply.startsWith('*-1') || reply[0] === '_') return reply
  if (!/^[*~%]/.test(reply)) return reply[0]
  const { header, items } = elements(reply)
  return header + '[' + items.map(shape).join('') + ']'
}

/**
 * ZRANDMEMBER on both servers. Errors and empty answers must match exactly; picks
 * must match in shape and be members of respite's set with their scores, distinct
 * for a positive count; a positive count covering the set returns it whole.
 */
async function checkRandom(a: ReplyConnection, b: ReplyConnection, args: string[], proto: 2 | 3): Promise<string | null> {
  const before = await a.call(['ZRANGE', args[1], '0', '-1', 'WITHSCORES'])
  const ra = await a.call(args)
  const rb = await b.call(args)
  if (shape(ra) !== shape(rb)) return `shapes differ: ${JSON.stringify(ra)} vs ${JSON.stringify(rb)}`
  if (ra[0] === '-' || !/^[*$]/.test(before)) return ra === rb ? null : 'errors differ'
  const scores = new Map<string, string>()
  const flat = elements(before).items.flatMap((f) => (f[0] === '*' ? elements(f).items : [f]))
  for (let i = 0; i < flat.length; i += 2) scores.set(bulkText(flat[i])!, flat[i + 1])
  if (ra[0] === '$' || ra[0] === '_') {
    const m = bulkText(ra)
    return m === null || scores.has(m) ? null : `${m} is not a member`
  }
  const withScores = args.length === 4
  const items = elements(ra).items
  const picks: [string, string | null][] = []
  if (withScores && proto === 3) for (const pair of items) picks.push([bulkText(elements(pair).items[0])!, elements(pair).items[1]])
  else if (withScores) for (let i = 0; i < items.length; i += 2) picks.push([bulkText(items[i])!, items[i + 1]])
  else for (const item of items) picks.push([bulkText(item)!, null])
  // Both replies come in the same protocol, so a score frame reads the same in each.
  for (const [m, s] of picks) {
    if (!scores.has(m)) return `${JSON.stringify(m)} is not a member`
    if (s !== null && s !== scores.get(m)) return `wrong score ${JSON.stringify(s)} for ${m}`
  }
  const n = Number(args[2])
  if (n > 0 && new Set(picks.map((p) => p[0])).size !== picks.length) return 'repeated members for a positive count'
  if (n >= scores.size && ra !== rb) return 'a count covering the set must return it whole, highest first'
  return null
}

/** An array reply's elements grouped in pairs and sorted, for order-free comparison. */
function sortedPairs(reply: string): string[] {
  const items = elements(reply).items
  const pairs: string[] = []
  for (let i = 0; i < items.length; i += 2) pairs.push(items[i] + items[i + 1])
  return pairs.sort()
}

/**
 * ZSCAN replies. A listpack comes back whole and in order on both servers, so those
 * must match exactly. A skiplist is scanned in steps whose cursors and batches are
 * each server's own: finished scans must return the same pairs; an unfinished one
 * must return pairs the other server also has. A made-up cursor only has to be
 * accepted or refused alike.
 */
function scansAgree(cursor: string, ra: string, rb: string): boolean {
  if (ra === rb) return true
  if (ra[0] !== '*' || rb[0] !== '*') return false
  // Redis resumes a made-up cursor mid-table; respite restarts it. Both are allowed.
  if (cursor !== '0') return true
  const [cursorA, listA] = elements(ra).items
  const [cursorB, listB] = elements(rb).items
  const doneA = cursorA === '$1\r\n0\r\n'
  const doneB = cursorB === '$1\r\n0\r\n'
  if (doneA && doneB) return sortedPairs(listA).join() === sortedPairs(listB).join()
  if (!doneA && !doneB) return true
  const [part, whole] = doneA ? [listB, listA] : [listA, listB]
  const all = new Set(sortedPairs(whole))
  return sortedPairs(part).every((p) => all.has(p))
}

function runSequence(respitePort: number, redisPort: number, cmds: string[][], proto: 2 | 3): Promise<Failure | null> {
  return withConnections(respitePort, redisPort, proto, async (a, b) => {
    for (let i = 0; i < cmds.length; i++) {
      const args = cmds[i]
      if (args[0] === 'ZRANDMEMBER') {
        const why = await checkRandom(a, b, args, proto)
        if (why !== null) return { index: i, args, respite: '', redis: '', why, history: historyOf(cmds, i, 30) }
        continue
      }
      const ra = await a.call(args)
      const rb = await b.call(args)
      if (args[0] === 'ZSCAN' && scansAgree(args[2], ra, rb)) continue
      if (ra !== rb) {
        // Redis's view of the key, to make the failure reproducible by hand.
        const state = await b.call(['ZRANGE', args[args[0] === 'OBJECT' ? 2 : 1], '0', '-1', 'WITHSCORES'])
        return { index: i, args, respite: ra, redis: rb, why: `replies differ; the key in Redis: ${JSON.stringify(state)}`, history: historyOf(cmds, i, 30) }
      }
    }
    return null
  })
}

describe.skipIf(skipRedis !== null)('sorted sets against redis-server (differential)', () => {
  const servers = useRespiteAndRedis()

  for (const proto of [2, 3] as const) {
    it(`random ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK sequences match (RESP${proto})`, async () => {
      for (const seed of proto === 2 ? [1, 2, 3, 4] : [5, 6, 7]) {
        const failure = await runSequence(servers.respite.port, servers.redis.port, generate(seed * 1000 + proto, 700), proto)
        expect(failure, `seed ${seed}: ${report(failure)}`).toBeNull()
      }
    })
  }

  it('covers ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD ZRANDMEMBER ZSCAN in those sequences', () => {
    const seen = new Set(generate(1002, 700).map((c) => c[0].toUpperCase()))
    for (const name of ['ZRANGE', 'ZRANGESTORE', 'ZREVRANGE', 'ZRANGEBYSCORE', 'ZREVRANGEBYSCORE', 'ZRANGEBYLEX', 'ZREVRANGEBYLEX',
      'ZREMRANGEBYRANK', 'ZREMRANGEBYSCORE', 'ZREMRANGEBYLEX', 'ZPOPMIN', 'ZPOPMAX', 'ZMPOP', 'ZUNION', 'ZINTER', 'ZDIFF',
      'ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE', 'ZINTERCARD', 'ZRANDMEMBER', 'ZSCAN']) {
      expect(seen.has(name), name).toBe(true)
    }
  })

  it('lex ranges over small sets with mixed scores follow Redis\'s listpack walk (ZRANGEBYLEX ZLEXCOUNT ZREMRANGEBYLEX)', async () => {
    for (const seed of [1, 2, 3]) {
      const r = rng(seed + 500)
      const cmds: string[][] = []
      for (let i = 0; i < 400; i++) {
        const key = r.pick(['m1', 'm2'])
        const lo = r.pick(LEX_BOUNDS)
        const hi = r.pick(LEX_BOUNDS)
        const lim = r.chance(0.3) ? ['LIMIT', String(r.int(3)), String(r.int(4) - 1)] : []
        cmds.push(r.pick([
          ['ZADD', key, String(r.int(5) - 2), r.pick(MEMBERS)], ['ZADD', key, String(r.int(5) - 2), r.pick(MEMBERS)],
          ['ZRANGEBYLEX', key, lo, hi, ...lim], ['ZREVRANGEBYLEX', key, hi, lo, ...lim], ['ZLEXCOUNT', key, lo, hi],
          ['ZRANGE', key, hi, lo, 'BYLEX', 'REV', ...lim], ['ZRANGESTORE', 'dst', key, lo, hi, 'BYLEX'],
          ['ZREMRANGEBYLEX', key, lo, hi], ['ZRANGE', key, '0', '-1', 'WITHSCORES'],
        ]))
      }
      for (const proto of [2, 3] as const) {
        const failure = await runSequence(servers.respite.port, servers.redis.port, cmds, proto)
        expect(failure, `seed ${seed}: ${report(failure)}`).toBeNull()
      }
    }
  })

  it('large sorted sets (skiplist encoding) answer ranges, ranks and set operations alike', async () => {
    const r = rng(99)
    const cmds: string[][] = []
    for (let batch = 0; batch < 10; batch++) {
      const cmd = ['ZADD', 'big']
      for (let i = 0; i < 200; i++) cmd.push(String(r.int(500) / 4 - 20), `m${r.int(3000)}`)
      cmds.push(cmd)
    }
    const other = ['ZADD', 'big2']
    for (let i = 0; i < 300; i++) other.push(String(r.int(100)), `m${r.int(3000)}`)
    cmds.push(other, ['ZADD', 'big', '-0', 'negzero', '1e17', 'huge'])
    for (let i = 0; i < 150; i++) {
      const m = `m${r.int(3000)}`
      cmds.push(r.pick([
        ['ZRANK', 'big', m], ['ZREVRANK', 'big', m], ['ZSCORE', 'big', m], ['ZINCRBY', 'big', String(r.int(9) - 4), m],
        ['ZRANGE', 'big', String(r.int(2000) - 1000), String(r.int(2000) - 1000), 'WITHSCORES'],
        ['ZRANGEBYSCORE', 'big', String(r.int(100) - 20), `(${r.int(100)}`, 'WITHSCORES', 'LIMIT', String(r.int(10)), String(r.int(20))],
        ['ZREVRANGEBYSCORE', 'big', '+inf', String(r.int(100)), 'LIMIT', String(r.int(5)), '7'],
        ['ZCOUNT', 'big', String(r.int(100) - 20), String(r.int(100))],
        ['ZREM', 'big', m, `m${r.int(3000)}`], ['ZPOPMIN', 'big', String(r.int(3))], ['ZPOPMAX', 'big'],
        ['ZREMRANGEBYRANK', 'big', String(r.int(50)), String(r.int(50) + 50)],
        ['ZREMRANGEBYSCORE', 'big', String(r.int(100)), `(${r.int(100) + 3}`],
        ['ZUNIONSTORE', 'u', '2', 'big', 'big2', 'WEIGHTS', '1', '0.5'], ['ZINTER', '2', 'big', 'big2', 'WITHSCORES'],
        ['ZDIFFSTORE', 'd', '2', 'big', 'big2'], ['ZRANGE', 'u', '0', '20', 'WITHSCORES'], ['ZCARD', 'd'], ['OBJECT', 'ENCODING', 'u'],
        ['ZRANGESTORE', 'rs', 'big', '10', '200'], ['OBJECT', 'ENCODING', 'rs'], ['ZRANDMEMBER', 'big', '5000', 'WITHSCORES'],
        ['ZSCORE', 'big', 'negzero'], ['ZINTERCARD', '2', 'big', 'big2', 'LIMIT', '10'],
      ]))
    }
    // Long ZRANGESTOREs: -0 turns into 0 only for members added while the result was a listpack.
    cmds.push(['ZADD', 'big', '-0', 'negzero'])
    for (const range of [['-inf', '+inf', 'BYSCORE'], ['(-1', '+inf', 'BYSCORE'], ['+inf', '(-1', 'BYSCORE', 'REV'], ['0', '-1']]) {
      cmds.push(['ZRANGESTORE', 'rs', 'big', ...range], ['ZSCORE', 'rs', 'negzero'], ['OBJECT', 'ENCODING', 'rs'])
    }
    cmds.push(['ZRANGE', 'big', '0', '-1', 'WITHSCORES'], ['ZCARD', 'big'], ['OBJECT', 'ENCODING', 'big'])
    for (const proto of [2, 3] as const) {
      const failure = await runSequence(servers.respite.port, servers.redis.port, cmds, proto)
      expect(failure, report(failure)).toBeNull()
    }
  })
})

describe.skipIf(skipBenchmark !== null)('redis-benchmark ZADD and ZPOPMIN', () => {
  for (const pipeline of ['1', '16']) {
    it(`completes -t zadd,zpopmin -n 20000 at -P ${pipeline}`, async () => {
      const { code, output: out } = await redisBenchmark(respite.port, ['-t', 'zadd,zpopmin', '-n', '20000', '-P', pipeline])
      expect(code, out).toBe(0)
      expect(out).toMatch(/ZADD: [\d.]+ requests per second/)
      expect(out).toMatch(/ZPOPMIN: [\d.]+ requests per second/)
    }, 60_000)
  }
})
