import { formatDouble } from '../../resp/format.js'
import type { Caller } from '../../server/caller.js'
import { Notify } from '../../server/notify.js'
import { scanStep } from '../../store/cursors.js'
import { globMatch } from '../../store/glob.js'
import { distinctIndexes } from '../../store/sample.js'
import { ZSet } from '../../store/zset.js'
import { isOption, MAX_REPEATED_PICKS, randomCountArgs } from '../args.js'
import { parseDouble } from '../../util/numbers.js'
import { Err } from '../errors.js'
import { afterRemoval } from '../lookup.js'
import { COLLECTION_SCAN_COMPLEXITY, collectionScanArgs, replyScan } from '../scan.js'
import { command, oneKey } from '../spec.js'
import { replyRange, zsetForRead, zsetForWrite } from './shared.js'

/**
 * Sorted-set commands on single members: ZADD, ZINCRBY, ZREM, the score and rank
 * reads, ZRANDMEMBER and ZSCAN.
 */

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
  if (added + updated > 0) {
    c.db.modified(key)
    c.notify(Notify.zset, incr ? 'zincr' : 'zadd', key)
  }
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
  for (let i = 2; i < argv.length && z.size > 0; i++) if (z.delete(argv[i])) deleted++
  if (deleted > 0) afterRemoval(c, key, z, Notify.zset, 'zrem')
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

export const zaddSpec = command({
  name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'sorted-set', since: '1.2.0',
  complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
  summary: 'Add one or more members to a sorted set, or update its score if it already exists',
  syntax: 'key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]', handler: zadd,
})

export const zincrbySpec = command({
  name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keyFlags: ['RW', 'access', 'update'], ...oneKey,
  group: 'sorted-set', since: '1.2.0', complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
  summary: 'Increment the score of a member in a sorted set', syntax: 'key increment member', handler: zincrby,
})

export const zremSpec = command({
  name: 'zrem', arity: -3, flags: ['write', 'fast'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'sorted-set',
  since: '1.2.0', complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
  summary: 'Remove one or more members from a sorted set', syntax: 'key member [member ...]', handler: zrem,
})

export const zscoreSpec = command({
  name: 'zscore', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '1.2.0', complexity: 'O(1)',
  summary: 'Get the score associated with the given member in a sorted set', syntax: 'key member', handler: zscore,
})

export const zmscoreSpec = command({
  name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '6.2.0',
  complexity: 'O(N) where N is the number of members being requested.',
  summary: 'Get the score associated with the given members in a sorted set', syntax: 'key member [member ...]', handler: zmscore,
})

export const zcardSpec = command({
  name: 'zcard', arity: 2, flags: ['readonly', 'fast'], keyFlags: ['RO'], ...oneKey, group: 'sorted-set', since: '1.2.0',
  complexity: 'O(1)', summary: 'Get the number of members in a sorted set', syntax: 'key', handler: zcard,
})

export const zrankSpec = command({
  name: 'zrank', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '2.0.0', complexity: 'O(log(N))',
  summary: 'Determine the index of a member in a sorted set', syntax: 'key member', handler: zrank,
})

export const zrevrankSpec = command({
  name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'sorted-set', since: '2.0.0', complexity: 'O(log(N))',
  summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low', syntax: 'key member', handler: zrevrank,
})

export const zrandmemberSpec = command({
  name: 'zrandmember', arity: -2, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '6.2.0',
  complexity: 'O(N) where N is the number of elements returned',
  summary: 'Get one or multiple random elements from a sorted set', syntax: 'key [count [WITHSCORES]]',
  tips: ['nondeterministic_output'], handler: zrandmember,
})

export const zscanSpec = command({
  name: 'zscan', arity: -3, flags: ['readonly'], ...oneKey, group: 'sorted-set', since: '2.8.0',
  complexity: COLLECTION_SCAN_COMPLEXITY,
  summary: 'Incrementally iterate sorted sets elements and associated scores', syntax: 'key cursor [MATCH pattern] [COUNT count]',
  tips: ['nondeterministic_output'], handler: zscan,
})
