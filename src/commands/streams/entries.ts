import type { Caller } from '../../server/caller.js'
import { Notify } from '../../server/notify.js'
import { formatId, MAX_ID, streamLimits, StreamValue, type TrimArgs } from '../../store/stream.js'
import { parseInt64 } from '../../util/numbers.js'
import { isOption } from '../args.js'
import { Err } from '../errors.js'
import {
  int64Arg, intervalArg, parseId, replyEntries, replyEntryId, streamForRead, streamForWrite, strictIdArg, StreamErr,
} from './shared.js'

/** The entry commands: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID. */

interface AddOrTrimArgs {
  trim: TrimArgs | null
  noMkstream: boolean
  /** XADD's id: null ms for `*`, null seq for `<ms>-*`. */
  ms: bigint | null
  seq: bigint | null
  idGiven: boolean
  /** argv index of the id (XADD) or past the options (XTRIM). */
  next: number
}

/**
 * What parseAddOrTrim returns, one object reused: its callers are done with it before
 * the next command, and XADD parses it for every entry.
 */
const addOrTrimArgs: AddOrTrimArgs = { trim: null, noMkstream: false, ms: null, seq: null, idGiven: false, next: 0 }

/**
 * XADD's and XTRIM's options, as Redis reads them: in any order, MAXLEN or MINID
 * with an optional `=` or `~`, LIMIT, and for XADD NOMKSTREAM, then the id. Null
 * after replying an error.
 */
function parseAddOrTrim(c: Caller, argv: string[], xadd: boolean): AddOrTrimArgs | null {
  let strategy: 'maxlen' | 'minid' | null = null
  let maxlen = 0
  let minid = 0n
  let approx = false
  let limit = 0n
  let limitGiven = false
  const result = addOrTrimArgs
  result.trim = null
  result.noMkstream = false
  result.ms = null
  result.seq = null
  result.idGiven = false
  result.next = argv.length
  let i = 2
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i
    const opt = argv[i]
    if (xadd && opt === '*') break
    if ((isOption(opt, 'MAXLEN') || isOption(opt, 'MINID')) && more > 0) {
      if (strategy !== null) {
        c.out.error(StreamErr.maxlenMinid)
        return null
      }
      approx = false
      const next = argv[i + 1]
      if (more >= 2 && next === '~') {
        approx = true
        i++
      } else if (more >= 2 && next === '=') {
        i++
      }
      if (isOption(opt, 'MAXLEN')) {
        const n = parseInt64(argv[i + 1])
        if (n === null) {
          c.out.error(Err.notInteger)
          return null
        }
        if (n < 0) {
          c.out.error(StreamErr.maxlenNegative)
          return null
        }
        maxlen = Number(n)
        strategy = 'maxlen'
      } else {
        const p = parseId(argv[i + 1], 0n, true)
        if (p === null) {
          c.out.error(StreamErr.invalidId)
          return null
        }
        minid = p.id
        strategy = 'minid'
      }
      i++
    } else if (isOption(opt, 'LIMIT') && more > 0) {
      const n = int64Arg(argv[i + 1])
      if (n === null) {
        c.out.error(Err.notInteger)
        return null
      }
      if (n < 0n) {
        c.out.error(StreamErr.limitNegative)
        return null
      }
      limit = n
      limitGiven = true
      i++
    } else if (xadd && isOption(opt, 'NOMKSTREAM')) {
      result.noMkstream = true
    } else if (xadd) {
      const p = parseId(opt, 0n, true, true)
      if (p === null) {
        c.out.error(StreamErr.invalidId)
        return null
      }
      result.ms = p.id >> 64n
      result.seq = p.seqGiven ? p.id & ((1n << 64n) - 1n) : null
      result.idGiven = true
      break
    } else {
      c.out.error(Err.syntax)
      return null
    }
  }
  // As in Redis, a LIMIT other than 0 needs a trimming strategy.
  if (limit !== 0n && limitGiven && strategy === null) {
    c.out.error(StreamErr.limitWithoutStrategy)
    return null
  }
  if (!xadd && strategy === null) {
    c.out.error(StreamErr.xtrimWithoutStrategy)
    return null
  }
  let effectiveLimit = 0
  if (limitGiven) {
    if (!approx) {
      c.out.error(StreamErr.limitWithoutApprox)
      return null
    }
    effectiveLimit = limit > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(limit)
  } else if (approx) {
    effectiveLimit = 100 * streamLimits.maxEntries
    if (effectiveLimit <= 0 || effectiveLimit > 10000) effectiveLimit = 10000
  }
  if (strategy !== null) result.trim = { strategy, maxlen, minid, approx, limit: effectiveLimit }
  result.next = i
  return result
}

/** XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...] */
function xadd(c: Caller, argv: string[]): void {
  const args = parseAddOrTrim(c, argv, true)
  if (args === null) return
  const fieldsAt = args.next + 1
  const n = argv.length - fieldsAt
  if (n < 2 || n % 2 === 1) return c.out.error(Err.wrongArgs('xadd'))
  if (args.idGiven && args.seq === 0n && args.ms === 0n) return c.out.error(StreamErr.xaddZero)
  const key = argv[1]
  let s = streamForWrite(c, key)
  if (s === null) return
  if (s === undefined) {
    if (args.noMkstream) return c.out.nullBulk()
    s = new StreamValue()
    c.db.set(key, s)
  }
  if (s.lastId === MAX_ID) return c.out.error(StreamErr.exhausted)
  const id = s.nextId(args.ms, args.seq, Date.now())
  if (id === null) return c.out.error(StreamErr.xaddSmaller)
  replyEntryId(c.out, s.append(id, argv.slice(fieldsAt)))
  c.db.modified(key)
  c.notify(Notify.stream, 'xadd', key)
  if (args.trim !== null && s.trim(args.trim) > 0) c.notify(Notify.stream, 'xtrim', key)
  // An id the server chose (`*`, `ms-*`) is replayed as the id it became, and an
  // approximate trim as the exact one it amounted to, as Redis propagates XADD.
  if (c.server.propagation.active) {
    const chosen = !(args.idGiven && args.seq !== null)
    const approx = args.trim !== null && args.trim.approx
    if (chosen || approx) {
      const told = argv.slice()
      if (chosen) told[args.next] = formatId(id)
      if (approx) exactTrim(told, args.next, s)
      c.propagateAs(told)
    }
  }
}

/**
 * `MAXLEN ~ n` / `MINID ~ id` in `argv` (before index `end`) rewritten to `=` and what
 * the stream kept: its length, or its first id. Node boundaries decide what an
 * approximate trim removes, and another server's nodes may differ. LIMIT, which only
 * `~` allows, goes.
 */
function exactTrim(argv: string[], end: number, s: StreamValue): void {
  for (let i = 2; i < end; i++) {
    const opt = argv[i]
    const maxlen = isOption(opt, 'MAXLEN')
    if (!maxlen && !isOption(opt, 'MINID')) continue
    if (argv[i + 1] !== '~') return
    argv[i + 1] = '='
    argv[i + 2] = maxlen ? String(s.length) : formatId(s.firstEntry()?.id ?? s.lastId + 1n)
    const limit = argv.findIndex((a, j) => j > i + 2 && j < end && isOption(a, 'LIMIT'))
    if (limit !== -1) argv.splice(limit, 2)
    return
  }
}

/** XTRIM key <MAXLEN | MINID> [= | ~] threshold [LIMIT count] */
function xtrim(c: Caller, argv: string[]): void {
  const args = parseAddOrTrim(c, argv, false)
  if (args === null) return
  const key = argv[1]
  const s = streamForWrite(c, key)
  if (s === null) return
  if (s === undefined) return c.out.integer(0)
  const deleted = s.trim(args.trim!)
  if (deleted > 0) {
    c.notify(Notify.stream, 'xtrim', key)
    c.db.modified(key)
    if (args.trim!.approx && c.server.propagation.active) {
      const told = argv.slice()
      exactTrim(told, told.length, s)
      c.propagateAs(told)
    }
  }
  c.out.integer(deleted)
}

/** XLEN key */
function xlen(c: Caller, argv: string[]): void {
  const s = streamForRead(c, argv[1])
  if (s === null) return
  c.out.integer(s === undefined ? 0 : s.length)
}

/** XRANGE key start end [COUNT count], XREVRANGE key end start [COUNT count] */
function rangeCommand(c: Caller, argv: string[], reverse: boolean): void {
  const start = intervalArg(c, reverse ? argv[3] : argv[2], true)
  if (start === null) return
  const end = intervalArg(c, reverse ? argv[2] : argv[3], false)
  if (end === null) return
  let count = -1
  for (let j = 4; j < argv.length; j++) {
    if (isOption(argv[j], 'COUNT') && j + 1 < argv.length) {
      const n = parseInt64(argv[++j])
      if (n === null) return c.out.error(Err.notInteger)
      count = n < 0 ? 0 : Number(n)
    } else {
      return c.out.error(Err.syntax)
    }
  }
  const s = streamForRead(c, argv[1])
  if (s === null) return
  if (s === undefined) return c.out.array(0)
  if (count === 0) return c.out.nullArray()
  replyEntries(c, s.range(start, end, count === -1 ? 0 : count, reverse))
}

function xrange(c: Caller, argv: string[]): void {
  rangeCommand(c, argv, false)
}

function xrevrange(c: Caller, argv: string[]): void {
  rangeCommand(c, argv, true)
}

/** XDEL key id [id ...] */
function xdel(c: Caller, argv: string[]): void {
  const key = argv[1]
  const s = streamForWrite(c, key)
  if (s === null) return
  if (s === undefined) return c.out.integer(0)
  const ids: bigint[] = []
  for (let j = 2; j < argv.length; j++) {
    const id = strictIdArg(c, argv[j])
    if (id === null) return
    ids.push(id)
  }
  let deleted = 0
  for (const id of ids) {
    if (s.delete(id)) {
      if (id > s.maxDeletedId) s.maxDeletedId = id
      deleted++
    }
  }
  if (deleted > 0) {
    c.db.modified(key)
    c.notify(Notify.stream, 'xdel', key)
  }
  c.out.integer(deleted)
}

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetid(c: Caller, argv: string[]): void {
  const id = strictIdArg(c, argv[2])
  if (id === null) return
  let entriesAdded = -1n
  let maxDeleted = 0n
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i
    if (isOption(argv[i], 'ENTRIESADDED') && more > 0) {
      const n = int64Arg(argv[i + 1])
      if (n === null) return c.out.error(Err.notInteger)
      if (n < 0n) return c.out.error(StreamErr.entriesAddedNegative)
      entriesAdded = n
    } else if (isOption(argv[i], 'MAXDELETEDID') && more > 0) {
      const m = strictIdArg(c, argv[i + 1])
      if (m === null) return
      if (id < m) return c.out.error(StreamErr.xsetidSmallerThanMaxDeleted)
      maxDeleted = m
    } else {
      return c.out.error(Err.syntax)
    }
  }
  const key = argv[1]
  const s = streamForWrite(c, key)
  if (s === null) return
  if (s === undefined) return c.out.error(StreamErr.noSuchKey)
  if (s.length > 0) {
    if (id < s.lastEntry()!.id) return c.out.error(StreamErr.xsetidSmaller)
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) return c.out.error(StreamErr.xsetidEntriesAdded)
  }
  s.lastId = id
  if (entriesAdded !== -1n) s.entriesAdded = entriesAdded
  if (maxDeleted !== 0n) s.maxDeletedId = maxDeleted
  c.out.simple('OK')
  c.db.modified(key)
  c.notify(Notify.stream, 'xsetid', key)
}

export const entryHandlers = { xadd, xtrim, xlen, xrange, xrevrange, xdel, xsetid }
