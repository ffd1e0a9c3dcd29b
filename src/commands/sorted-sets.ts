import { formatDouble } from '../resp/format.js'
import type { Caller } from '../server/caller.js'
import { scanStep } from '../store/cursors.js'
import { globMatch } from '../store/glob.js'
import { distinctIndexes } from '../store/sample.js'
import { SetValue } from '../store/set.js'
import { sortedOrder, ZSet, zsetLimits } from '../store/zset.js'
import { integerArg, integerAtLeast, isOption, MAX_REPEATED_PICKS, mpopArgs, numkeysKeys, randomCountArgs } from './args.js'
import { parseDouble, parseInt64, strtod } from '../util/numbers.js'
import { readyValue, timeoutArg, waitOnKeys } from './blocking-pops.js'
import { Err } from './errors.js'
import { deleteIfEmpty, typedLookups } from './lookup.js'
import { COLLECTION_SCAN_COMPLEXITY, collectionScanArgs, replyScan } from './scan.js'
import { command, oneKey, popKeyFlags, type CommandSpec } from './spec.js'

/**
 * Sorted-set commands. A sorted set is a ZSet (store/zset.ts); one left empty is
 * deleted with its key. Ranges are worked out as rank intervals: a score or lex bound
 * becomes "how many members lie before it" (one O(log n) descent), and a range is
 * then walked from its first rank with a cursor.
 *
 * Lookups follow Redis: reading commands count keyspace hits and misses, writing
 * ones do not. Every write that can create a sorted set signals the key, so clients
 * blocked in BZPOPMIN/BZPOPMAX/BZMPOP are served before the next command runs.
 */

const { forRead: zsetForRead, forWrite: zsetForWrite } = typedLookups(ZSet)

// --- argument parsing -------------------------------------------------------------------

/** A ZRANGEBYSCORE-style interval: `(` makes a bound exclusive. */
interface ScoreRange {
  min: number
  minEx: boolean
  max: number
  maxEx: boolean
}

/**
 * Parses score bounds as Redis's zslParseRange does, with C strtod: so " 1", "0x10",
 * "1e400" (inf) and even "" (0) are accepted, and only NaN or trailing junk fail.
 * Null after replying "min or max is not a float".
 */
function parseScoreRange(c: Caller, minArg: string, maxArg: string): ScoreRange | null {
  const minEx = minArg.charCodeAt(0) === 0x28
  const maxEx = maxArg.charCodeAt(0) === 0x28
  const min = strtod(minArg, minEx ? 1 : 0)
  const max = strtod(maxArg, maxEx ? 1 : 0)
  if (min !== min || max !== max) {
    c.out.error(Err.zsetRangeNotFloat)
    return null
  }
  return { min, minEx, max, maxEx }
}

/** A ZRANGEBYLEX bound: `-` and `+` are the extremes, else `[` inclusive or `(` exclusive. */
interface LexBound {
  /** -1 for `-`, 1 for `+`, 0 for a member bound. */
  infinite: number
  member: string
  exclusive: boolean
}

function parseLexBound(s: string): LexBound | null {
  const first = s.charCodeAt(0)
  if (first === 0x2d || first === 0x2b) {
    if (s.length !== 1) return null
    return { infinite: first === 0x2d ? -1 : 1, member: '', exclusive: false }
  }
  if (first === 0x28 || first === 0x5b) return { infinite: 0, member: s.slice(1), exclusive: first === 0x28 }
  return null
}

/** Both lex bounds, or null after replying "min or max not valid string range item". */
function parseLexRange(c: Caller, minArg: string, maxArg: string): [LexBound, LexBound] | null {
  const min = parseLexBound(minArg)
  const max = parseLexBound(maxArg)
  if (min === null || max === null) {
    c.out.error(Err.zsetRangeNotString)
    return null
  }
  return [min, max]
}

/** Ranks [lo, hi) of the members within a score range (hi < lo when none are). */
function scoreRanks(z: ZSet, r: ScoreRange): [number, number] {
  return [z.countByScore(r.min, r.minEx), z.countByScore(r.max, !r.maxEx)]
}

function lexGteMin(member: string, min: LexBound): boolean {
  if (min.infinite !== 0) return min.infinite < 0
  return min.exclusive ? member > min.member : member >= min.member
}

function lexLteMax(member: string, max: LexBound): boolean {
  if (max.infinite !== 0) return max.infinite > 0
  return max.exclusive ? member < max.member : member <= max.member
}

/** Redis's test for a lex range that cannot hold anything: min above max, or equal and open. */
function lexRangeEmpty(min: LexBound, max: LexBound): boolean {
  // '-' and '+' count as open bounds, as Redis parses them.
  const minOpen = min.exclusive || min.infinite !== 0
  const maxOpen = max.exclusive || max.infinite !== 0
  let cmp: number
  if (min.infinite !== 0 && min.infinite === max.infinite) cmp = 0
  else if (min.infinite < 0 || max.infinite > 0) cmp = -1
  else if (min.infinite > 0 || max.infinite < 0) cmp = 1
  else cmp = min.member < max.member ? -1 : min.member > max.member ? 1 : 0
  return cmp > 0 || (cmp === 0 && (minOpen || maxOpen))
}

/**
 * Lex ranges are walked as Redis walks them: find the first member in range (the
 * last, for a reversed range), then step on while members stay on the near side of
 * the far bound. With equal scores, as Redis documents lex ranges, members are in
 * byte order and that is simply a contiguous range. With mixed scores the answer is
 * whatever the walk finds; Redis searches a listpack linearly from the head (or
 * tail), which we copy for listpack-sized sets so that even those replies match. A
 * larger set is searched in O(log n), where Redis's own answer depends on its
 * skiplist's random levels.
 */
function lexStart(z: ZSet, min: LexBound, max: LexBound, reverse: boolean): number {
  const n = z.size
  if (n === 0 || lexRangeEmpty(min, max) || !lexGteMin(z.maxMember, min) || !lexLteMax(z.minMember, max)) return -1
  let rank: number
  if (z.isListpack) {
    const cur = z.at(reverse ? n - 1 : 0)
    rank = reverse ? n - 1 : 0
    while (cur.valid && !(reverse ? lexLteMax(cur.member, max) : lexGteMin(cur.member, min))) {
      if (reverse) cur.prev()
      else cur.next()
      rank += reverse ? -1 : 1
    }
    if (!cur.valid) return -1
  } else if (reverse) {
    rank = (max.infinite !== 0 ? (max.infinite < 0 ? 0 : n) : z.countByMember(max.member, !max.exclusive)) - 1
  } else {
    rank = min.infinite !== 0 ? (min.infinite < 0 ? 0 : n) : z.countByMember(min.member, min.exclusive)
  }
  if (rank < 0 || rank >= n) return -1
  const member = z.at(rank).member
  return lexGteMin(member, min) && lexLteMax(member, max) ? rank : -1
}

/**
 * Members from rank `from` on (downwards when `reverse`) before one crosses the far
 * bound (max forwards, min backwards), at most `limit` of them (-1: no limit).
 */
function lexCount(z: ZSet, from: number, min: LexBound, max: LexBound, reverse: boolean, limit: number): number {
  let count = 0
  for (const cur = z.at(from); cur.valid && count !== limit; count++) {
    if (reverse ? !lexGteMin(cur.member, min) : !lexLteMax(cur.member, max)) break
    if (reverse) cur.prev()
    else cur.next()
  }
  return count
}

// --- replies ------------------------------------------------------------------------------

/**
 * Writes `count` members from the cursor's rank on, forwards or backwards, with
 * their scores if asked: flat pairs in RESP2, a [member, score] array each in RESP3,
 * as Redis 7.0 replies to ZRANGE ... WITHSCORES.
 */
function replyRange(c: Caller, z: ZSet, rank: number, count: number, reverse: boolean, withScores: boolean): void {
  const out = c.out
  if (count <= 0) {
    out.array(0)
    return
  }
  const nested = withScores && out.proto === 3
  out.array(withScores && !nested ? count * 2 : count)
  const cur = z.at(rank)
  for (let i = 0; i < count; i++) {
    if (nested) out.array(2)
    out.bulk(cur.member)
    if (withScores) out.double(cur.score)
    if (reverse) cur.prev()
    else cur.next()
  }
}

/** Members with scores as sorted-set replies list them, from parallel arrays in `order`. */
function replyEntries(c: Caller, members: string[], scores: number[], order: number[], withScores: boolean): void {
  const out = c.out
  const nested = withScores && out.proto === 3
  out.array(withScores && !nested ? order.length * 2 : order.length)
  for (let k = 0; k < order.length; k++) {
    const i = order[k]
    if (nested) out.array(2)
    out.bulk(members[i])
    if (withScores) out.double(scores[i])
  }
}

// --- ZADD, ZINCRBY, ZREM ------------------------------------------------------------------

const enum ZaddFlag {
  NX = 1,
  XX = 2,
  GT = 4,
  LT = 8,
  INCR = 16,
  CH = 32,
}

/**
 * ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...], and
 * ZINCRBY as ZADD INCR. As in Redis, options are read until the first argument that
 * is not one, every score is checked before the set is touched, and GT/LT only
 * restrain updates (new members are always added unless XX).
 */
function zaddGeneric(c: Caller, argv: string[], flags: number): void {
  const key = argv[1]
  let i = 2
  for (; i < argv.length; i++) {
    const opt = argv[i]
    if (opt.length > 4) break
    if (isOption(opt, 'NX')) flags |= ZaddFlag.NX
    else if (isOption(opt, 'XX')) flags |= ZaddFlag.XX
    else if (isOption(opt, 'CH')) flags |= ZaddFlag.CH
    else if (isOption(opt, 'INCR')) flags |= ZaddFlag.INCR
    else if (isOption(opt, 'GT')) flags |= ZaddFlag.GT
    else if (isOption(opt, 'LT')) flags |= ZaddFlag.LT
    else break
  }
  const out = c.out
  const pairs = argv.length - i
  if (pairs === 0 || pairs % 2 !== 0) return out.error(Err.syntax)
  const nx = (flags & ZaddFlag.NX) !== 0
  const xx = (flags & ZaddFlag.XX) !== 0
  const gt = (flags & ZaddFlag.GT) !== 0
  const lt = (flags & ZaddFlag.LT) !== 0
  const incr = (flags & ZaddFlag.INCR) !== 0
  if (nx && xx) return out.error(Err.zaddNxXx)
  if ((gt && nx) || (lt && nx) || (gt && lt)) return out.error(Err.zaddGtLtNx)
  if (incr && pairs > 2) return out.error(Err.zaddIncrPair)
  const n = pairs / 2
  // One pair (the common case) needs no array.
  let single = 0
  let scores: number[] | null = null
  if (n === 1) {
    const d = parseDouble(argv[i])
    if (d === null) return out.error(Err.notFloat)
    single = d
  } else {
    scores = new Array<number>(n)
    for (let j = 0; j < n; j++) {
      const d = parseDouble(argv[i + 2 * j])
      if (d === null) return out.error(Err.notFloat)
      scores[j] = d
    }
  }
  const db = c.db
  let z = zsetForWrite(c, key)
  if (z === null) return
  if (z === undefined) {
    if (xx) {
      if (incr) out.nullBulk()
      else out.integer(0)
      return
    }
    z = new ZSet()
    db.set(key, z)
  }
  let added = 0
  let updated = 0
  let processed = 0
  let newScore = 0
  for (let j = 0; j < n; j++) {
    let score = scores === null ? single : scores[j]
    const member = argv[i + 2 * j + 1]
    const current = z.score(member)
    if (current !== undefined) {
      if (nx) continue
      if (incr) {
        score += current
        if (score !== score) return out.error(Err.nan)
      }
      if ((lt && score >= current) || (gt && score <= current)) continue
      newScore = score
      if (score !== current) {
        z.update(member, current, score)
        updated++
      }
      processed++
    } else if (!xx) {
      z.insert(member, score)
      newScore = score
      added++
      processed++
    }
  }
  if (added + updated > 0) c.db.modified(key)
  if (incr) {
    if (processed > 0) out.double(newScore)
    else out.nullBulk()
  } else {
    out.integer(flags & ZaddFlag.CH ? added + updated : added)
  }
}

function zadd(c: Caller, argv: string[]): void {
  zaddGeneric(c, argv, 0)
}

/** ZINCRBY key increment member */
function zincrby(c: Caller, argv: string[]): void {
  zaddGeneric(c, argv, ZaddFlag.INCR)
}

/** ZREM key member [member ...] */
function zrem(c: Caller, argv: string[]): void {
  const key = argv[1]
  const z = zsetForWrite(c, key)
  if (z === null) return
  if (z === undefined) return c.out.integer(0)
  let deleted = 0
  for (let i = 2; i < argv.length; i++) {
    if (z.delete(argv[i])) deleted++
    if (z.size === 0) {
      c.db.delete(key)
      break
    }
  }
  c.out.integer(deleted)
}

// --- single-member reads --------------------------------------------------------------

/** ZSCORE key member */
function zscore(c: Caller, argv: string[]): void {
  const z = zsetForRead(c, argv[1])
  if (z === null) return
  const score = z === undefined ? undefined : z.score(argv[2])
  if (score === undefined) c.out.nullBulk()
  else c.out.double(score)
}

/** ZMSCORE key member [member ...] */
function zmscore(c: Caller, argv: string[]): void {
  const z = zsetForRead(c, argv[1])
  if (z === null) return
  const out = c.out
  out.array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) {
    const score = z === undefined ? undefined : z.score(argv[i])
    if (score === undefined) out.nullBulk()
    else out.double(score)
  }
}

/** ZCARD key */
function zcard(c: Caller, argv: string[]): void {
  const z = zsetForRead(c, argv[1])
  if (z === null) return
  c.out.integer(z === undefined ? 0 : z.size)
}

/** ZRANK key member, ZREVRANK key member */
function zrankGeneric(c: Caller, argv: string[], reverse: boolean): void {
  const z = zsetForRead(c, argv[1])
  if (z === null) return
  const rank = z === undefined ? -1 : z.rank(argv[2])
  if (rank < 0) c.out.nullBulk()
  else c.out.integer(reverse ? z!.size - 1 - rank : rank)
}

function zrank(c: Caller, argv: string[]): void {
  zrankGeneric(c, argv, false)
}

function zrevrank(c: Caller, argv: string[]): void {
  zrankGeneric(c, argv, true)
}

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
    c.db.delete(dst)
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
  removeRanks(c, key, z, start, end + 1)
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
  removeRanks(c, key, z, lo, hi)
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
  removeRanks(c, key, z, first, first < 0 ? first : first + lexCount(z, first, min, max, false, -1))
}

/** Removes ranks [lo, hi) and replies how many went. */
function removeRanks(c: Caller, key: string, z: ZSet, lo: number, hi: number): void {
  const removed = hi > lo ? z.removeRange(lo, hi - lo) : 0
  deleteIfEmpty(c, key, z)
  c.out.integer(removed)
}

// --- pops -------------------------------------------------------------------------------

const enum End {
  Min,
  Max,
}

/**
 * Pops up to `count` members (-1: one, as when no count was given) from the first
 * existing key of keys[from..to), replying in one of Redis's four shapes: flat pairs
 * or [member, score] pairs (`nested`), with or without the key in front (`withKey`).
 * Returns false, without replying, when none of the keys holds a sorted set.
 */
function popGeneric(c: Caller, keys: string[], from: number, to: number, end: End, withKey: boolean,
  count: number, nested: boolean): boolean {
  const out = c.out
  let key = ''
  let z: ZSet | undefined
  for (let i = from; i < to; i++) {
    const v = zsetForWrite(c, keys[i])
    if (v === null) return true
    if (v === undefined) continue
    key = keys[i]
    z = v
    break
  }
  if (z === undefined) return false
  if (count === 0) {
    out.array(0)
    return true
  }
  if (count === -1) count = 1
  const n = Math.min(count, z.size)
  if (withKey) {
    if (nested) {
      out.array(2)
      out.bulk(key)
      out.array(n)
    } else {
      out.array(n * 2 + 1)
      out.bulk(key)
    }
  } else {
    out.array(nested ? n : n * 2)
  }
  for (let i = 0; i < n; i++) {
    const member = end === End.Min ? z.minMember : z.maxMember
    const score = end === End.Min ? z.minScore : z.maxScore
    z.delete(member)
    if (nested) out.array(2)
    out.bulk(member)
    out.double(score)
  }
  deleteIfEmpty(c, key, z)
  return true
}

/** ZPOPMIN key [count], ZPOPMAX key [count] */
function zpopGeneric(c: Caller, argv: string[], end: End): void {
  if (argv.length > 3) return c.out.error(Err.syntax)
  let count = -1
  if (argv.length === 3) {
    const n = integerAtLeast(c, argv[2], 0, Err.mustBePositive)
    if (n === null) return
    count = n
  }
  // RESP3 nests pairs only when a count was given, as Redis 7.0 does.
  if (!popGeneric(c, argv, 1, 2, end, false, count, c.out.proto === 3 && count !== -1)) c.out.array(0)
}

function zpopmin(c: Caller, argv: string[]): void {
  zpopGeneric(c, argv, End.Min)
}

function zpopmax(c: Caller, argv: string[]): void {
  zpopGeneric(c, argv, End.Max)
}

/** The ends of `numkeys key [key ...] <MIN | MAX> [COUNT count]`, in End's order. */
const MPOP_ENDS = ['MIN', 'MAX'] as const

/** ZMPOP numkeys key [key ...] <MIN | MAX> [COUNT count] */
function zmpop(c: Caller, argv: string[]): void {
  const args = mpopArgs(c, argv, 1, MPOP_ENDS)
  if (args === null) return
  if (!popGeneric(c, argv, args.first, args.first + args.numkeys, args.end, true, args.count, true)) c.out.nullArray()
}

// --- blocking pops (see blocking-pops.ts) ----------------------------------------------

/** BZPOPMIN key [key ...] timeout, BZPOPMAX key [key ...] timeout */
function bzpopGeneric(c: Caller, argv: string[], end: End, spec: CommandSpec): void {
  if (c.retrying) {
    const ready = readyValue(c, ZSet)
    if (ready !== null) popGeneric(c, [ready.key], 0, 1, end, true, -1, false)
    return
  }
  const last = argv.length - 1
  const timeout = timeoutArg(c, argv[last])
  if (timeout === null) return
  if (popGeneric(c, argv, 1, last, end, true, -1, false)) return
  waitOnKeys(c, spec, argv, argv.slice(1, last), timeout)
}

function bzpopmin(c: Caller, argv: string[]): void {
  bzpopGeneric(c, argv, End.Min, bzpopminSpec)
}

function bzpopmax(c: Caller, argv: string[]): void {
  bzpopGeneric(c, argv, End.Max, bzpopmaxSpec)
}

/** BZMPOP timeout numkeys key [key ...] <MIN | MAX> [COUNT count]: unlike BLMPOP, the timeout is read last. */
function bzmpop(c: Caller, argv: string[]): void {
  const args = mpopArgs(c, argv, 2, MPOP_ENDS)
  if (args === null) return
  if (c.retrying) {
    const ready = readyValue(c, ZSet)
    if (ready !== null) popGeneric(c, [ready.key], 0, 1, args.end, true, args.count, true)
    return
  }
  const timeout = timeoutArg(c, argv[1])
  if (timeout === null) return
  const to = args.first + args.numkeys
  if (popGeneric(c, argv, args.first, to, args.end, true, args.count, true)) return
  waitOnKeys(c, bzmpopSpec, argv, argv.slice(args.first, to), timeout)
}

// --- ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD ------------------------------

const enum SetOp {
  Union,
  Inter,
  Diff,
}

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
      c.db.delete(dst)
      return out.integer(0)
    }
    c.db.set(dst, ZSet.build(members, scores))
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

// --- ZRANDMEMBER, ZSCAN -----------------------------------------------------------------

/** ZRANDMEMBER key [count [WITHSCORES]] */
function zrandmember(c: Caller, argv: string[]): void {
  const out = c.out
  if (argv.length >= 3) {
    const args = randomCountArgs(c, argv, 'WITHSCORES')
    if (args !== null) randomMembers(c, argv[1], args.count, args.withValues)
    return
  }
  const z = zsetForRead(c, argv[1])
  if (z === null) return
  if (z === undefined) return out.nullBulk()
  out.bulk(z.at(Math.floor(Math.random() * z.size)).member)
}

/**
 * ZRANDMEMBER with a count: a negative count draws with repetition; a positive one
 * returns distinct members, or the whole set when it asks for at least that many.
 */
function randomMembers(c: Caller, key: string, n: number, withScores: boolean): void {
  const out = c.out
  const z = zsetForRead(c, key)
  if (z === null) return
  if (z === undefined || n === 0) return out.array(0)
  const nested = withScores && out.proto === 3
  const size = z.size
  if (n < 0 || n === 1) {
    const count = Math.abs(n)
    // As for SRANDMEMBER and HRANDFIELD: writing billions of picks would block the
    // server for seconds and take a gigabyte before giving up.
    if (count > MAX_REPEATED_PICKS) return out.error(Err.outOfRange)
    out.array(withScores && !nested ? count * 2 : count)
    for (let i = 0; i < count; i++) {
      const cur = z.at(Math.floor(Math.random() * size))
      if (nested) out.array(2)
      out.bulk(cur.member)
      if (withScores) out.double(cur.score)
    }
    return
  }
  // The whole set, highest first: the way Redis's set-operation iterator walks it.
  if (n >= size) return replyRange(c, z, size - 1, size, true, withScores)
  // Distinct ranks, replied in rank order.
  const ranks = distinctIndexes(size, n).sort((a, b) => a - b)
  out.array(withScores && !nested ? n * 2 : n)
  for (const r of ranks) {
    const cur = z.at(r)
    if (nested) out.array(2)
    out.bulk(cur.member)
    if (withScores) out.double(cur.score)
  }
}

const INT62 = 2 ** 62

/**
 * A score as ZSCAN shows it. A listpack holds scores as text: whole numbers within
 * ±2^62 as integers (1e17 → "100000000000000000", -0 → "0"), the rest as %.17g. A
 * skiplist prints the double with %.17g.
 */
function scanScoreText(d: number, listpack: boolean): string {
  if (listpack && Number.isInteger(d) && d >= -INT62 && d <= INT62) {
    return Number.isSafeInteger(d) ? String(d === 0 ? 0 : d) : BigInt(d).toString()
  }
  return formatDouble(d)
}

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count]. A listpack comes back whole with
 * cursor 0, as in Redis; a larger set in steps over a live iterator of its members.
 */
function zscan(c: Caller, argv: string[]): void {
  const scan = collectionScanArgs(c, argv, zsetForRead)
  if (scan === null) return
  const { value: z, cursor, options: { count, pattern } } = scan
  const listpack = z.isListpack
  const items: string[] = []
  if (listpack || (cursor === 0 && z.size <= count)) {
    // Everything at once: as Redis does for a listpack, and as its hash table scan
    // nearly always ends up doing when COUNT covers the whole set.
    for (const cur = z.at(0); cur.valid; cur.next()) {
      if (pattern === null || globMatch(pattern, cur.member)) items.push(cur.member, scanScoreText(cur.score, listpack))
    }
    return replyScan(c, 0, items)
  }
  const step = scanStep(z.cursors(), cursor, count, () => z.scoreMap().entries(),
    pattern === null ? undefined : (e) => globMatch(pattern, e[0]))
  for (const [member, score] of step.items) items.push(member, scanScoreText(score, false))
  replyScan(c, step.cursor, items)
}

// --- the table --------------------------------------------------------------------------

const RANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.'
const BY_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).'
const REMRANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.'
const MPOP_COMPLEXITY = 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.'
const UNION_COMPLEXITY = 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.'
const INTER_COMPLEXITY = 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.'
const DIFF_COMPLEXITY = 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.'
const WEIGHTS_SYNTAX = '[WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]'

const bzpopminSpec = command({
  name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keyFlags: popKeyFlags,
  firstKey: 1, lastKey: -2, step: 1, group: 'sorted-set', since: '5.0.0',
  complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  summary: 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available',
  syntax: 'key [key ...] timeout', handler: bzpopmin,
})

const bzpopmaxSpec = command({
  name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keyFlags: popKeyFlags,
  firstKey: 1, lastKey: -2, step: 1, group: 'sorted-set', since: '5.0.0',
  complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  summary: 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available',
  syntax: 'key [key ...] timeout', handler: bzpopmax,
})

const bzmpopSpec = command({
  name: 'bzmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], keyFlags: popKeyFlags,
  keys: (argv) => numkeysKeys(argv, 2), group: 'sorted-set', since: '7.0.0', complexity: MPOP_COMPLEXITY,
  summary: 'Remove and return members with scores in a sorted set or block until one is available',
  syntax: 'timeout numkeys key [key ...] <MIN | MAX> [COUNT count]', handler: bzmpop,
})

export const sortedSetCommands: CommandSpec[] = [
  command({
    name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'sorted-set', since: '1.2.0',
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    summary: 'Add one or more members to a sorted set, or update its score if it already exists',
    syntax: 'key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]', handler: zadd,
  }),
  command({
    name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keyFlags: ['RW', 'access', 'update'], ...oneKey,
    group: 'sorted-set', since: '1.2.0', complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
    summary: 'Increment the score of a member in a sorted set', syntax: 'key increment member', handler: zincrby,
  }),
  command({
    name: 'zrem', arity: -3, flags: ['write', 'fast'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'sorted-set',
    since: '1.2.0', complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
    summary: 'Remove one or more members from a sorted set', syntax: 'key member [member ...]', handler: zrem,
  }),
  command({
    name: 'zscore', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '1.2.0', complexity: 'O(1)',
    summary: 'Get the score associated with the given member in a sorted set', syntax: 'key member', handler: zscore,
  }),
  command({
    name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '6.2.0',
    complexity: 'O(N) where N is the number of members being requested.',
    summary: 'Get the score associated with the given members in a sorted set', syntax: 'key member [member ...]', handler: zmscore,
  }),
  command({
    name: 'zcard', arity: 2, flags: ['readonly', 'fast'], keyFlags: ['RO'], ...oneKey, group: 'sorted-set', since: '1.2.0',
    complexity: 'O(1)', summary: 'Get the number of members in a sorted set', syntax: 'key', handler: zcard,
  }),
  command({
    name: 'zcount', arity: 4, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '2.0.0',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    summary: 'Count the members in a sorted set with scores within the given values', syntax: 'key min max', handler: zcount,
  }),
  command({
    name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '2.8.9',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    summary: 'Count the number of members in a sorted set between a given lexicographical range', syntax: 'key min max', handler: zlexcount,
  }),
  command({
    name: 'zrange', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '1.2.0', complexity: RANGE_COMPLEXITY,
    summary: 'Return a range of members in a sorted set',
    syntax: 'key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]', handler: zrange,
  }),
  command({
    name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], keyFlags: ['OW', 'update'], firstKey: 1, lastKey: 2, step: 1,
    group: 'sorted-set', since: '6.2.0',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
    summary: 'Store a range of members from sorted set into another key',
    syntax: 'dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]', handler: zrangestore,
  }),
  command({
    name: 'zrevrange', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '1.2.0', complexity: RANGE_COMPLEXITY,
    summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low',
    syntax: 'key start stop [WITHSCORES]', handler: zrevrange,
  }),
  command({
    name: 'zrangebyscore', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '1.0.5', complexity: BY_COMPLEXITY,
    summary: 'Return a range of members in a sorted set, by score',
    syntax: 'key min max [WITHSCORES] [LIMIT offset count]', handler: zrangebyscore,
  }),
  command({
    name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '2.2.0', complexity: BY_COMPLEXITY,
    summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low',
    syntax: 'key max min [WITHSCORES] [LIMIT offset count]', handler: zrevrangebyscore,
  }),
  command({
    name: 'zrangebylex', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '2.8.9', complexity: BY_COMPLEXITY,
    summary: 'Return a range of members in a sorted set, by lexicographical range',
    syntax: 'key min max [LIMIT offset count]', handler: zrangebylex,
  }),
  command({
    name: 'zrevrangebylex', arity: -4, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '2.8.9', complexity: BY_COMPLEXITY,
    summary: 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.',
    syntax: 'key max min [LIMIT offset count]', handler: zrevrangebylex,
  }),
  command({
    name: 'zrank', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '2.0.0', complexity: 'O(log(N))',
    summary: 'Determine the index of a member in a sorted set', syntax: 'key member', handler: zrank,
  }),
  command({
    name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '2.0.0', complexity: 'O(log(N))',
    summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low', syntax: 'key member', handler: zrevrank,
  }),
  command({
    name: 'zremrangebyscore', arity: 4, flags: ['write'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'sorted-set', since: '1.2.0',
    complexity: REMRANGE_COMPLEXITY, summary: 'Remove all members in a sorted set within the given scores',
    syntax: 'key min max', handler: zremrangebyscore,
  }),
  command({
    name: 'zremrangebyrank', arity: 4, flags: ['write'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'sorted-set', since: '2.0.0',
    complexity: REMRANGE_COMPLEXITY, summary: 'Remove all members in a sorted set within the given indexes',
    syntax: 'key start stop', handler: zremrangebyrank,
  }),
  command({
    name: 'zremrangebylex', arity: 4, flags: ['write'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'sorted-set', since: '2.8.9',
    complexity: REMRANGE_COMPLEXITY, summary: 'Remove all members in a sorted set between the given lexicographical range',
    syntax: 'key min max', handler: zremrangebylex,
  }),
  command({
    name: 'zpopmin', arity: -2, flags: ['write', 'fast'], keyFlags: popKeyFlags, ...oneKey, group: 'sorted-set', since: '5.0.0',
    complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    summary: 'Remove and return members with the lowest scores in a sorted set', syntax: 'key [count]', handler: zpopmin,
  }),
  command({
    name: 'zpopmax', arity: -2, flags: ['write', 'fast'], keyFlags: popKeyFlags, ...oneKey, group: 'sorted-set', since: '5.0.0',
    complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    summary: 'Remove and return members with the highest scores in a sorted set', syntax: 'key [count]', handler: zpopmax,
  }),
  command({
    name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], keyFlags: popKeyFlags, keys: (argv) => numkeysKeys(argv, 1),
    group: 'sorted-set', since: '7.0.0', complexity: MPOP_COMPLEXITY,
    summary: 'Remove and return members with scores in a sorted set',
    syntax: 'numkeys key [key ...] <MIN | MAX> [COUNT count]', handler: zmpop,
  }),
  bzpopminSpec,
  bzpopmaxSpec,
  bzmpopSpec,
  command({
    name: 'zunion', arity: -3, flags: ['readonly', 'movablekeys'], keys: (argv) => numkeysKeys(argv, 1),
    group: 'sorted-set', since: '6.2.0', complexity: UNION_COMPLEXITY, summary: 'Add multiple sorted sets',
    syntax: `numkeys key [key ...] ${WEIGHTS_SYNTAX} [WITHSCORES]`, handler: zunion,
  }),
  command({
    name: 'zinter', arity: -3, flags: ['readonly', 'movablekeys'], keys: (argv) => numkeysKeys(argv, 1),
    group: 'sorted-set', since: '6.2.0', complexity: INTER_COMPLEXITY, summary: 'Intersect multiple sorted sets',
    syntax: `numkeys key [key ...] ${WEIGHTS_SYNTAX} [WITHSCORES]`, handler: zinter,
  }),
  command({
    name: 'zdiff', arity: -3, flags: ['readonly', 'movablekeys'], keys: (argv) => numkeysKeys(argv, 1),
    group: 'sorted-set', since: '6.2.0', complexity: DIFF_COMPLEXITY, summary: 'Subtract multiple sorted sets',
    syntax: 'numkeys key [key ...] [WITHSCORES]', handler: zdiff,
  }),
  command({
    name: 'zunionstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], keyFlags: ['OW', 'update'], ...oneKey,
    keys: (argv) => numkeysKeys(argv, 2, [1]), group: 'sorted-set', since: '2.0.0', complexity: UNION_COMPLEXITY,
    summary: 'Add multiple sorted sets and store the resulting sorted set in a new key',
    syntax: `destination numkeys key [key ...] ${WEIGHTS_SYNTAX}`, handler: zunionstore,
  }),
  command({
    name: 'zinterstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], keyFlags: ['OW', 'update'], ...oneKey,
    keys: (argv) => numkeysKeys(argv, 2, [1]), group: 'sorted-set', since: '2.0.0', complexity: INTER_COMPLEXITY,
    summary: 'Intersect multiple sorted sets and store the resulting sorted set in a new key',
    syntax: `destination numkeys key [key ...] ${WEIGHTS_SYNTAX}`, handler: zinterstore,
  }),
  command({
    name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], keyFlags: ['OW', 'update'], ...oneKey,
    keys: (argv) => numkeysKeys(argv, 2, [1]), group: 'sorted-set', since: '6.2.0', complexity: DIFF_COMPLEXITY,
    summary: 'Subtract multiple sorted sets and store the resulting sorted set in a new key',
    syntax: 'destination numkeys key [key ...]', handler: zdiffstore,
  }),
  command({
    name: 'zintercard', arity: -3, flags: ['readonly', 'movablekeys'], keys: (argv) => numkeysKeys(argv, 1),
    group: 'sorted-set', since: '7.0.0',
    complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
    summary: 'Intersect multiple sorted sets and return the cardinality of the result',
    syntax: 'numkeys key [key ...] [LIMIT limit]', handler: zintercard,
  }),
  command({
    name: 'zrandmember', arity: -2, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '6.2.0',
    complexity: 'O(N) where N is the number of elements returned',
    summary: 'Get one or multiple random elements from a sorted set', syntax: 'key [count [WITHSCORES]]',
    tips: ['nondeterministic_output'], handler: zrandmember,
  }),
  command({
    name: 'zscan', arity: -3, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '2.8.0',
    complexity: COLLECTION_SCAN_COMPLEXITY,
    summary: 'Incrementally iterate sorted sets elements and associated scores', syntax: 'key cursor [MATCH pattern] [COUNT count]',
    tips: ['nondeterministic_output'], handler: zscan,
  }),
]
