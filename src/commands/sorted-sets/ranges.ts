import type { Caller } from '../../server/caller.js'
import { Notify } from '../../server/notify.js'
import { ZSet, zsetLimits } from '../../store/zset.js'
import { integerArg, isOption } from '../args.js'
import { Err } from '../errors.js'
import { afterRemoval } from '../lookup.js'
import { command, oneKey } from '../spec.js'
import {
  lexCount, lexStart, parseLexRange, parseScoreRange, replyRange, scoreRanks, zsetForRead, zsetForWrite,
  type LexBound, type ScoreRange,
} from './shared.js'

/**
 * Sorted-set ranges by rank, score or lex: counting them (ZCOUNT, ZLEXCOUNT), reading
 * them (the ZRANGE family), storing them (ZRANGESTORE) and removing them (ZREMRANGEBY*).
 */

// --- ZCOUNT, ZLEXCOUNT -----------------------------------------------------------------

/** ZCOUNT key min max */
function zcount(c: Caller, argv: string[]): void {
  const range = parseScoreRange(c, argv[2], argv[3])
  if (range === null) return
  const z = zsetForRead(c, argv[1])
  if (z === null) return
  if (z === undefined) return c.out.integer(0)
  const [lo, hi] = scoreRanks(z, range)
  c.out.integer(Math.max(0, hi - lo))
}

/** ZLEXCOUNT key min max */
function zlexcount(c: Caller, argv: string[]): void {
  const range = parseLexRange(c, argv[2], argv[3])
  if (range === null) return
  const z = zsetForRead(c, argv[1])
  if (z === null) return
  if (z === undefined) return c.out.integer(0)
  const [min, max] = range
  const first = lexStart(z, min, max, false)
  if (first < 0) return c.out.integer(0)
  // Redis counts a skiplist by ranks and a listpack by walking it.
  if (z.isListpack) return c.out.integer(lexCount(z, first, min, max, false, -1))
  const last = lexStart(z, min, max, true)
  c.out.integer(Math.max(0, last - first + 1))
}

// --- ZRANGE and its variants ----------------------------------------------------------

const enum RangeType {
  Auto,
  Rank,
  Score,
  Lex,
}

const enum Direction {
  Auto,
  Forward,
  Reverse,
}

/**
 * The one range engine behind ZRANGE, ZRANGESTORE, ZREVRANGE, ZRANGEBYSCORE,
 * ZREVRANGEBYSCORE, ZRANGEBYLEX and ZREVRANGEBYLEX, reading options in Redis's order
 * so that the same mistakes meet the same errors. `at` is the index of the source
 * key; with `store`, argv[1] is the destination.
 */
function zrangeGeneric(c: Caller, argv: string[], at: number, store: boolean, type: RangeType, direction: Direction): void {
  const out = c.out
  let withScores = false
  let offset = 0
  let limit = -1
  for (let j = at + 3; j < argv.length; j++) {
    const opt = argv[j]
    const left = argv.length - j - 1
    if (!store && isOption(opt, 'WITHSCORES')) {
      withScores = true
    } else if (isOption(opt, 'LIMIT') && left >= 2) {
      const o = integerArg(c, argv[j + 1])
      if (o === null) return
      const l = integerArg(c, argv[j + 2])
      if (l === null) return
      offset = o
      limit = l
      j += 2
    } else if (direction === Direction.Auto && isOption(opt, 'REV')) {
      direction = Direction.Reverse
    } else if (type === RangeType.Auto && isOption(opt, 'BYLEX')) {
      type = RangeType.Lex
    } else if (type === RangeType.Auto && isOption(opt, 'BYSCORE')) {
      type = RangeType.Score
    } else {
      return out.error(Err.syntax)
    }
  }
  if (type === RangeType.Auto) type = RangeType.Rank
  const reverse = direction === Direction.Reverse
  // Redis checks for "no LIMIT" as a count of -1, so LIMIT x -1 passes with ranks.
  if (limit !== -1 && type === RangeType.Rank) return out.error(Err.zrangeLimit)
  if (withScores && type === RangeType.Lex) return out.error(Err.zrangeWithScoresLex)
  // Reversed score and lex ranges are written max first.
  const minArg = reverse && type !== RangeType.Rank ? argv[at + 2] : argv[at + 1]
  const maxArg = reverse && type !== RangeType.Rank ? argv[at + 1] : argv[at + 2]
  let start = 0
  let end = 0
  let scoreRange: ScoreRange | null = null
  let lexRange: [LexBound, LexBound] | null = null
  if (type === RangeType.Rank) {
    const s = integerArg(c, minArg)
    if (s === null) return
    const e = integerArg(c, maxArg)
    if (e === null) return
    start = s
    end = e
  } else if (type === RangeType.Score) {
    scoreRange = parseScoreRange(c, minArg, maxArg)
    if (scoreRange === null) return
  } else {
    lexRange = parseLexRange(c, minArg, maxArg)
    if (lexRange === null) return
  }
  const z = zsetForRead(c, argv[at])
  if (z === null) return
  // The ranks to emit: `count` of them from `first`, walking down when reversed.
  let first = 0
  let count = 0
  if (z !== undefined) {
    const size = z.size
    if (type === RangeType.Rank) {
      if (start < 0) start += size
      if (end < 0) end += size
      if (start < 0) start = 0
      if (start <= end && start < size) {
        if (end >= size) end = size - 1
        count = end - start + 1
        first = reverse ? size - 1 - start : start
      }
    } else if (scoreRange !== null) {
      const [lo, hi] = scoreRanks(z, scoreRange)
      // A negative offset makes Redis step off the end before emitting anything.
      if (offset >= 0 && hi - lo > offset) {
        count = hi - lo - offset
        if (limit >= 0 && limit < count) count = limit
        first = reverse ? hi - 1 - offset : lo + offset
      }
    } else {
      const [min, max] = lexRange!
      const inRange = lexStart(z, min, max, reverse)
      // The offset is stepped over without looking at the members, as Redis does.
      const from = reverse ? inRange - offset : inRange + offset
      if (inRange >= 0 && offset >= 0 && from >= 0 && from < size) {
        first = from
        count = lexCount(z, from, min, max, reverse, limit < 0 ? -1 : limit)
      }
    }
  }
  if (!store) {
    if (z === undefined) return out.array(0)
    return replyRange(c, z, first, count, reverse, withScores)
  }
  const dst = argv[1]
  if (count === 0) {
    if (c.db.deleteStored(dst)) c.notify(Notify.generic, 'del', dst)
    return out.integer(0)
  }
  const members = new Array<string>(count)
  const scores = new Array<number>(count)
  const cur = z!.at(first)
  for (let i = 0; i < count; i++) {
    members[i] = cur.member
    scores[i] = cur.score
    if (reverse) cur.prev()
    else cur.next()
  }
  c.db.set(dst, storedRange(members, scores, type === RangeType.Rank))
  c.notify(Notify.zset, 'zrangestore', dst)
  out.integer(count)
}

/**
 * The destination of ZRANGESTORE, encoded as Redis ends up encoding it. Redis adds
 * the members one by one in emission order, to a skiplist when a rank range is
 * longer than zset-max-listpack-entries and to a listpack otherwise, which converts
 * once it outgrows the limits; -0 becomes 0 for members added while it was a listpack.
 */
function storedRange(members: string[], scores: number[], byRank: boolean): ZSet {
  const n = members.length
  const { maxListpackEntries, maxListpackValue } = zsetLimits
  if (n <= maxListpackEntries) {
    const result = new ZSet()
    for (let i = 0; i < n; i++) result.insert(members[i], scores[i])
    return result
  }
  if (!byRank) {
    for (let i = 0; i < maxListpackEntries && members[i].length <= maxListpackValue; i++) {
      if (scores[i] === 0) scores[i] = 0
    }
  }
  // Too big for a listpack: built in one go (the input is already in order).
  return ZSet.build(members, scores)
}

/** ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
function zrange(c: Caller, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RangeType.Auto, Direction.Auto)
}

/** ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count] */
function zrangestore(c: Caller, argv: string[]): void {
  zrangeGeneric(c, argv, 2, true, RangeType.Auto, Direction.Auto)
}

/** ZREVRANGE key start stop [WITHSCORES] */
function zrevrange(c: Caller, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RangeType.Rank, Direction.Reverse)
}

/** ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
function zrangebyscore(c: Caller, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RangeType.Score, Direction.Forward)
}

/** ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
function zrevrangebyscore(c: Caller, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RangeType.Score, Direction.Reverse)
}

/** ZRANGEBYLEX key min max [LIMIT offset count] */
function zrangebylex(c: Caller, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RangeType.Lex, Direction.Forward)
}

/** ZREVRANGEBYLEX key max min [LIMIT offset count] */
function zrevrangebylex(c: Caller, argv: string[]): void {
  zrangeGeneric(c, argv, 1, false, RangeType.Lex, Direction.Reverse)
}

// --- ZREMRANGEBY* -----------------------------------------------------------------------

/** ZREMRANGEBYRANK key start stop */
function zremrangebyrank(c: Caller, argv: string[]): void {
  let start = integerArg(c, argv[2])
  if (start === null) return
  let end = integerArg(c, argv[3])
  if (end === null) return
  const key = argv[1]
  const z = zsetForWrite(c, key)
  if (z === null) return
  if (z === undefined) return c.out.integer(0)
  const size = z.size
  if (start < 0) start += size
  if (end < 0) end += size
  if (start < 0) start = 0
  if (start > end || start >= size) return c.out.integer(0)
  if (end >= size) end = size - 1
  removeRanks(c, key, z, start, end + 1, 'zremrangebyrank')
}

/** ZREMRANGEBYSCORE key min max */
function zremrangebyscore(c: Caller, argv: string[]): void {
  const range = parseScoreRange(c, argv[2], argv[3])
  if (range === null) return
  const key = argv[1]
  const z = zsetForWrite(c, key)
  if (z === null) return
  if (z === undefined) return c.out.integer(0)
  const [lo, hi] = scoreRanks(z, range)
  removeRanks(c, key, z, lo, hi, 'zremrangebyscore')
}

/** ZREMRANGEBYLEX key min max */
function zremrangebylex(c: Caller, argv: string[]): void {
  const range = parseLexRange(c, argv[2], argv[3])
  if (range === null) return
  const key = argv[1]
  const z = zsetForWrite(c, key)
  if (z === null) return
  if (z === undefined) return c.out.integer(0)
  const [min, max] = range
  const first = lexStart(z, min, max, false)
  removeRanks(c, key, z, first, first < 0 ? first : first + lexCount(z, first, min, max, false, -1), 'zremrangebylex')
}

/** Removes ranks [lo, hi), announcing it as `event` if any went, and replies how many went. */
function removeRanks(c: Caller, key: string, z: ZSet, lo: number, hi: number, event: string): void {
  const removed = hi > lo ? z.removeRange(lo, hi - lo) : 0
  if (removed > 0) afterRemoval(c, key, z, Notify.zset, event)
  c.out.integer(removed)
}

// --- the table --------------------------------------------------------------------------

const RANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.'
const BY_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).'
const REMRANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.'

export const zcountSpec = command({
  name: 'zcount', arity: 4, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '2.0.0',
  complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  summary: 'Count the members in a sorted set with scores within the given values', syntax: 'key min max', handler: zcount,
})

export const zlexcountSpec = command({
  name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '2.8.9',
  complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  summary: 'Count the number of members in a sorted set between a given lexicographical range', syntax: 'key min max', handler: zlexcount,
})

export const zrangeSpec = command({
  name: 'zrange', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '1.2.0', complexity: RANGE_COMPLEXITY,
  summary: 'Return a range of members in a sorted set',
  syntax: 'key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]', handler: zrange,
})

export const zrangestoreSpec = command({
  name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], keyFlags: ['OW', 'update'], firstKey: 1, lastKey: 2, step: 1,
  group: 'sorted-set', since: '6.2.0',
  complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
  summary: 'Store a range of members from sorted set into another key',
  syntax: 'dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]', handler: zrangestore,
})

export const zrevrangeSpec = command({
  name: 'zrevrange', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '1.2.0', complexity: RANGE_COMPLEXITY,
  summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low',
  syntax: 'key start stop [WITHSCORES]', handler: zrevrange,
})

export const zrangebyscoreSpec = command({
  name: 'zrangebyscore', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '1.0.5', complexity: BY_COMPLEXITY,
  summary: 'Return a range of members in a sorted set, by score',
  syntax: 'key min max [WITHSCORES] [LIMIT offset count]', handler: zrangebyscore,
})

export const zrevrangebyscoreSpec = command({
  name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '2.2.0', complexity: BY_COMPLEXITY,
  summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low',
  syntax: 'key max min [WITHSCORES] [LIMIT offset count]', handler: zrevrangebyscore,
})

export const zrangebylexSpec = command({
  name: 'zrangebylex', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '2.8.9', complexity: BY_COMPLEXITY,
  summary: 'Return a range of members in a sorted set, by lexicographical range',
  syntax: 'key min max [LIMIT offset count]', handler: zrangebylex,
})

export const zrevrangebylexSpec = command({
  name: 'zrevrangebylex', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '2.8.9', complexity: BY_COMPLEXITY,
  summary: 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.',
  syntax: 'key max min [LIMIT offset count]', handler: zrevrangebylex,
})

export const zremrangebyscoreSpec = command({
  name: 'zremrangebyscore', arity: 4, flags: ['write'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'sorted-set', since: '1.2.0',
  complexity: REMRANGE_COMPLEXITY, summary: 'Remove all members in a sorted set within the given scores',
  syntax: 'key min max', handler: zremrangebyscore,
})

export const zremrangebyrankSpec = command({
  name: 'zremrangebyrank', arity: 4, flags: ['write'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'sorted-set', since: '2.0.0',
  complexity: REMRANGE_COMPLEXITY, summary: 'Remove all members in a sorted set within the given indexes',
  syntax: 'key start stop', handler: zremrangebyrank,
})

export const zremrangebylexSpec = command({
  name: 'zremrangebylex', arity: 4, flags: ['write'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'sorted-set', since: '2.8.9',
  complexity: REMRANGE_COMPLEXITY, summary: 'Remove all members in a sorted set between the given lexicographical range',
  syntax: 'key min max', handler: zremrangebylex,
})
