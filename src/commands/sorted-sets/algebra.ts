import type { Caller } from '../../server/caller.js'
import { Notify } from '../../server/notify.js'
import { SetValue } from '../../store/set.js'
import { sortedOrder, ZSet } from '../../store/zset.js'
import { integerAtLeast, isOption, numkeysKeys } from '../args.js'
import { parseDouble, parseInt64 } from '../../util/numbers.js'
import { Err } from '../errors.js'
import { command, oneKey } from '../spec.js'
import { replyEntries } from './shared.js'

/**
 * Set algebra over sorted sets (and plain sets, whose members score 1): ZUNION,
 * ZINTER, ZDIFF, their STORE forms, and ZINTERCARD.
 */

// --- ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD ------------------------------

const enum SetOp {
  Union,
  Inter,
  Diff,
}

/** The keyspace event of each STORE form, in SetOp's order. */
const STORE_EVENT = ['zunionstore', 'zinterstore', 'zdiffstore'] as const

const enum Aggregate {
  Sum,
  Min,
  Max,
}

/** One input of a set operation: a sorted set, a plain set (every score 1), or nothing. */
interface Source {
  zset: ZSet | null
  set: SetValue | null
  weight: number
  size: number
}

/** The source's score for `member`, or undefined when it lacks it. */
function sourceScore(src: Source, member: string): number | undefined {
  if (src.zset !== null) return src.zset.score(member)
  if (src.set !== null && src.set.has(member)) return 1
  return undefined
}

/** Calls visit(member, score) for every member of a source, in its natural order. */
function forEachMember(src: Source, visit: (member: string, score: number) => boolean | void): void {
  if (src.zset !== null) {
    for (const cur = src.zset.at(0); cur.valid; cur.next()) if (visit(cur.member, cur.score) === false) return
  } else if (src.set !== null) {
    for (const m of src.set.members()) if (visit(m, 1) === false) return
  }
}

/** Redis's zunionInterAggregate: a NaN sum (inf + -inf) counts as 0. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === Aggregate.Sum) {
    const t = target + value
    return t !== t ? 0 : t
  }
  if (how === Aggregate.Min) return value < target ? value : target
  return value > target ? value : target
}

/**
 * ZUNION/ZINTER/ZDIFF numkeys key [key ...] ..., their STORE forms (with `dst`), and
 * ZINTERCARD (`cardOnly`). Mirrors Redis's order of checks: numkeys, key types, then
 * options. Inputs other than ZDIFF's are taken smallest first (a stable sort, as
 * glibc's qsort behaves here), which fixes the order float sums are added in.
 */
function setOperation(c: Caller, argv: string[], dst: string | null, numkeysAt: number, op: SetOp,
  cardOnly: boolean, name: string): void {
  const out = c.out
  const numkeys = parseInt64(argv[numkeysAt])
  if (numkeys === null) return out.error(Err.notInteger)
  if (numkeys < 1) return out.error(Err.atLeastOneKey(name))
  if (numkeys > argv.length - numkeysAt - 1) return out.error(Err.syntax)
  const n = Number(numkeys)
  const sources: Source[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const v = c.db.lookupRead(argv[numkeysAt + 1 + i])
    const src: Source = { zset: null, set: null, weight: 1, size: 0 }
    if (v instanceof ZSet) {
      src.zset = v
      src.size = v.size
    } else if (v instanceof SetValue) {
      src.set = v
      src.size = v.size
    } else if (v !== undefined) {
      return out.error(Err.wrongType)
    }
    sources[i] = src
  }
  let how = Aggregate.Sum
  let withScores = false
  let limit = 0
  let j = numkeysAt + 1 + n
  while (j < argv.length) {
    const remaining = argv.length - j
    const opt = argv[j]
    if (op !== SetOp.Diff && !cardOnly && remaining >= n + 1 && isOption(opt, 'WEIGHTS')) {
      j++
      for (let i = 0; i < n; i++, j++) {
        const w = parseDouble(argv[j])
        if (w === null) return out.error(Err.weightNotFloat)
        sources[i].weight = w
      }
    } else if (op !== SetOp.Diff && !cardOnly && remaining >= 2 && isOption(opt, 'AGGREGATE')) {
      const a = argv[j + 1]
      if (isOption(a, 'SUM')) how = Aggregate.Sum
      else if (isOption(a, 'MIN')) how = Aggregate.Min
      else if (isOption(a, 'MAX')) how = Aggregate.Max
      else return out.error(Err.syntax)
      j += 2
    } else if (remaining >= 1 && dst === null && !cardOnly && isOption(opt, 'WITHSCORES')) {
      withScores = true
      j++
    } else if (cardOnly && remaining >= 2 && isOption(opt, 'LIMIT')) {
      const l = integerAtLeast(c, argv[j + 1], 0, Err.limitNegative)
      if (l === null) return
      limit = l
      j += 2
    } else {
      return out.error(Err.syntax)
    }
  }
  if (op !== SetOp.Diff) sources.sort((a, b) => a.size - b.size)

  const members: string[] = []
  const scores: number[] = []
  let cardinality = 0
  if (op === SetOp.Inter) {
    const base = sources[0]
    if (base.size > 0) {
      forEachMember(base, (member, s) => {
        let score = base.weight * s
        if (score !== score) score = 0
        for (let k = 1; k < n; k++) {
          const other = sources[k]
          const found = other.zset === base.zset && other.set === base.set ? s : sourceScore(other, member)
          if (found === undefined) return
          score = aggregate(score, found * other.weight, how)
        }
        if (cardOnly) {
          cardinality++
          if (limit > 0 && cardinality >= limit) return false
        } else {
          members.push(member)
          scores.push(score)
        }
      })
    }
  } else if (op === SetOp.Union) {
    const acc = new Map<string, number>()
    for (const src of sources) {
      if (src.size === 0) continue
      forEachMember(src, (member, s) => {
        let score = src.weight * s
        if (score !== score) score = 0
        const existing = acc.get(member)
        acc.set(member, existing === undefined ? score : aggregate(existing, score, how))
      })
    }
    for (const [m, s] of acc) {
      members.push(m)
      scores.push(s)
    }
  } else {
    const base = sources[0]
    if (base.size > 0) {
      forEachMember(base, (member, s) => {
        for (let k = 1; k < n; k++) {
          const other = sources[k]
          if ((other.zset === base.zset && other.set === base.set) || sourceScore(other, member) !== undefined) return
        }
        members.push(member)
        scores.push(s)
      })
    }
  }

  if (cardOnly) return out.integer(cardinality)
  if (dst !== null) {
    if (members.length === 0) {
      if (c.db.deleteStored(dst)) c.notify(Notify.generic, 'del', dst)
      return out.integer(0)
    }
    c.db.set(dst, ZSet.build(members, scores))
    c.notify(Notify.zset, STORE_EVENT[op], dst)
    return out.integer(members.length)
  }
  replyEntries(c, members, scores, sortedOrder(members, scores), withScores)
}

/** ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES] */
function zunion(c: Caller, argv: string[]): void {
  setOperation(c, argv, null, 1, SetOp.Union, false, 'zunion')
}

function zinter(c: Caller, argv: string[]): void {
  setOperation(c, argv, null, 1, SetOp.Inter, false, 'zinter')
}

/** ZDIFF numkeys key [key ...] [WITHSCORES] */
function zdiff(c: Caller, argv: string[]): void {
  setOperation(c, argv, null, 1, SetOp.Diff, false, 'zdiff')
}

/** ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...] */
function zunionstore(c: Caller, argv: string[]): void {
  setOperation(c, argv, argv[1], 2, SetOp.Union, false, 'zunionstore')
}

function zinterstore(c: Caller, argv: string[]): void {
  setOperation(c, argv, argv[1], 2, SetOp.Inter, false, 'zinterstore')
}

function zdiffstore(c: Caller, argv: string[]): void {
  setOperation(c, argv, argv[1], 2, SetOp.Diff, false, 'zdiffstore')
}

/** ZINTERCARD numkeys key [key ...] [LIMIT limit] */
function zintercard(c: Caller, argv: string[]): void {
  setOperation(c, argv, null, 1, SetOp.Inter, true, 'zintercard')
}

// --- the table --------------------------------------------------------------------------

const UNION_COMPLEXITY = 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.'
const INTER_COMPLEXITY = 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.'
const DIFF_COMPLEXITY = 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.'
const WEIGHTS_SYNTAX = '[WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]'

export const zunionSpec = command({
  name: 'zunion', arity: -3, flags: ['readonly', 'movablekeys'], keys: (argv) => numkeysKeys(argv, 1),
  group: 'sorted-set', since: '6.2.0', complexity: UNION_COMPLEXITY, summary: 'Add multiple sorted sets',
  syntax: `numkeys key [key ...] ${WEIGHTS_SYNTAX} [WITHSCORES]`, handler: zunion,
})

export const zinterSpec = command({
  name: 'zinter', arity: -3, flags: ['readonly', 'movablekeys'], keys: (argv) => numkeysKeys(argv, 1),
  group: 'sorted-set', since: '6.2.0', complexity: INTER_COMPLEXITY, summary: 'Intersect multiple sorted sets',
  syntax: `numkeys key [key ...] ${WEIGHTS_SYNTAX} [WITHSCORES]`, handler: zinter,
})

export const zdiffSpec = command({
  name: 'zdiff', arity: -3, flags: ['readonly', 'movablekeys'], keys: (argv) => numkeysKeys(argv, 1),
  group: 'sorted-set', since: '6.2.0', complexity: DIFF_COMPLEXITY, summary: 'Subtract multiple sorted sets',
  syntax: 'numkeys key [key ...] [WITHSCORES]', handler: zdiff,
})

export const zunionstoreSpec = command({
  name: 'zunionstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], keyFlags: ['OW', 'update'], ...oneKey,
  keys: (argv) => numkeysKeys(argv, 2, [1]), group: 'sorted-set', since: '2.0.0', complexity: UNION_COMPLEXITY,
  summary: 'Add multiple sorted sets and store the resulting sorted set in a new key',
  syntax: `destination numkeys key [key ...] ${WEIGHTS_SYNTAX}`, handler: zunionstore,
})

export const zinterstoreSpec = command({
  name: 'zinterstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], keyFlags: ['OW', 'update'], ...oneKey,
  keys: (argv) => numkeysKeys(argv, 2, [1]), group: 'sorted-set', since: '2.0.0', complexity: INTER_COMPLEXITY,
  summary: 'Intersect multiple sorted sets and store the resulting sorted set in a new key',
  syntax: `destination numkeys key [key ...] ${WEIGHTS_SYNTAX}`, handler: zinterstore,
})

export const zdiffstoreSpec = command({
  name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], keyFlags: ['OW', 'update'], ...oneKey,
  keys: (argv) => numkeysKeys(argv, 2, [1]), group: 'sorted-set', since: '6.2.0', complexity: DIFF_COMPLEXITY,
  summary: 'Subtract multiple sorted sets and store the resulting sorted set in a new key',
  syntax: 'destination numkeys key [key ...]', handler: zdiffstore,
})

export const zintercardSpec = command({
  name: 'zintercard', arity: -3, flags: ['readonly', 'movablekeys'], keys: (argv) => numkeysKeys(argv, 1),
  group: 'sorted-set', since: '7.0.0',
  complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
  summary: 'Intersect multiple sorted sets and return the cardinality of the result',
  syntax: 'numkeys key [key ...] [LIMIT limit]', handler: zintercard,
})
