import type { Caller } from '../../server/caller.js'
import { ZSet } from '../../store/zset.js'
import { strtod } from '../../util/numbers.js'
import { Err } from '../errors.js'
import { typedLookups } from '../lookup.js'

/**
 * What the sorted-set command files share: the typed lookups, score and lex range
 * parsing, the rank arithmetic of ranges, and the range replies.
 */

export const { forRead: zsetForRead, forWrite: zsetForWrite } = typedLookups(ZSet)

// --- argument parsing -------------------------------------------------------------------

/** A ZRANGEBYSCORE-style interval: `(` makes a bound exclusive. */
export interface ScoreRange {
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
export function parseScoreRange(c: Caller, minArg: string, maxArg: string): ScoreRange | null {
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
export interface LexBound {
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
export function parseLexRange(c: Caller, minArg: string, maxArg: string): [LexBound, LexBound] | null {
  const min = parseLexBound(minArg)
  const max = parseLexBound(maxArg)
  if (min === null || max === null) {
    c.out.error(Err.zsetRangeNotString)
    return null
  }
  return [min, max]
}

/** Ranks [lo, hi) of the members within a score range (hi < lo when none are). */
export function scoreRanks(z: ZSet, r: ScoreRange): [number, number] {
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
export function lexStart(z: ZSet, min: LexBound, max: LexBound, reverse: boolean): number {
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
export function lexCount(z: ZSet, from: number, min: LexBound, max: LexBound, reverse: boolean, limit: number): number {
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
export function replyRange(c: Caller, z: ZSet, rank: number, count: number, reverse: boolean, withScores: boolean): void {
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
export function replyEntries(c: Caller, members: string[], scores: number[], order: number[], withScores: boolean): void {
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
