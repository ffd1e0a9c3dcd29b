import type { ReplyWriter } from '../../resp/writer.js'
import type { Caller } from '../../server/caller.js'
import {
  formatId, type IdKey, idKey, KEY_SEQ, makeId, MAX_ID, numericIdKey, StreamValue, U64_MAX, type StreamEntry,
} from '../../store/stream.js'
import { parseInt64 } from '../../util/numbers.js'
import { typedLookups } from '../lookup.js'

/** What the stream command files share: id parsing, lookups, entry replies, error texts. */

export const { forRead: streamForRead, forWrite: streamForWrite } = typedLookups(StreamValue)

export const StreamErr = {
  invalidId: 'ERR Invalid stream ID specified as stream command argument',
  xaddZero: 'ERR The ID specified in XADD must be greater than 0-0',
  xaddSmaller: 'ERR The ID specified in XADD is equal or smaller than the target stream top item',
  exhausted: 'ERR The stream has exhausted the last possible ID, unable to add more items',
  maxlenMinid: 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible',
  maxlenNegative: 'ERR The MAXLEN argument must be >= 0.',
  limitNegative: 'ERR The LIMIT argument must be >= 0.',
  limitWithoutStrategy: 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy',
  xtrimWithoutStrategy: 'ERR syntax error, XTRIM must be called with a trimming strategy',
  limitWithoutApprox: 'ERR syntax error, LIMIT cannot be used without the special ~ option',
  startInterval: 'ERR invalid start ID for the interval',
  endInterval: 'ERR invalid end ID for the interval',
  noSuchKey: 'ERR no such key',
  unbalanced: "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
  groupOnlyXreadgroup: 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.',
  noackOnlyXreadgroup: 'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.',
  missingGroup: 'ERR Missing GROUP option for XREADGROUP',
  dollarInGroup: 'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
  gtOnlyGroup: 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
  timeoutNotInteger: 'ERR timeout is not an integer or out of range',
  timeoutNegative: 'ERR timeout is negative',
  noGroupRead: (key: string, group: string) => `NOGROUP No such key '${key}' or consumer group '${group}' in XREADGROUP with GROUP option`,
  noGroup: (key: string, group: string) => `NOGROUP No such key '${key}' or consumer group '${group}'`,
  noGroupForKey: (group: string, key: string) => `NOGROUP No such consumer group '${group}' for key name '${key}'`,
  busyGroup: 'BUSYGROUP Consumer Group name already exists',
  groupNeedsKey: 'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
  entriesReadRange: 'ERR value for ENTRIESREAD must be positive or -1',
  keyGone: 'UNBLOCKED the stream key no longer exists',
  groupGone: 'NOGROUP the consumer group this client was blocked on no longer exists',
  xsetidSmallerThanMaxDeleted: 'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id',
  xsetidSmaller: 'ERR The ID specified in XSETID is smaller than the target stream top item',
  xsetidEntriesAdded: 'ERR The entries_added specified in XSETID is smaller than the target stream length',
  entriesAddedNegative: 'ERR entries_added must be positive',
} as const

const SPACE = /^[ \t\n\v\f\r]*/

/**
 * An unsigned 64-bit number as Redis's string2ull reads it: a plain int64 that is not
 * negative, or else what strtoull takes whole (leading spaces, a sign, a '-' that
 * wraps around), up to 2^64-1.
 */
export function parseU64(s: string): bigint | null {
  const n = parseInt64(s)
  if (n !== null) return n < 0 ? null : BigInt(n)
  const m = /^([+-]?)(\d+)$/.exec(s.slice(SPACE.exec(s)![0].length))
  if (m === null) return null
  const v = BigInt(m[2])
  if (v > U64_MAX) return null
  return m[1] === '-' ? (-v) & U64_MAX : v
}

export interface ParsedId {
  id: bigint
  /** False for `<ms>-*` (only when `allowStarSeq`). */
  seqGiven: boolean
}

/**
 * A stream id argument: `ms-seq`, or `ms` with `missingSeq` for the sequence; `-` and
 * `+` unless `strict`; `<ms>-*` when `allowStarSeq`. Null when invalid.
 */
export function parseId(arg: string, missingSeq: bigint, strict: boolean, allowStarSeq = false): ParsedId | null {
  if (arg.length > 127) return null
  const nul = arg.indexOf('\0')
  const s = nul >= 0 ? arg.slice(0, nul) : arg
  if (s === '-' || s === '+') {
    if (strict) return null
    return { id: s === '-' ? 0n : MAX_ID, seqGiven: true }
  }
  const dash = s.indexOf('-')
  const ms = parseU64(dash >= 0 ? s.slice(0, dash) : s)
  if (ms === null) return null
  if (dash < 0) return { id: makeId(ms, missingSeq), seqGiven: true }
  const rest = s.slice(dash + 1)
  if (allowStarSeq && rest === '*') return { id: makeId(ms, 0n), seqGiven: false }
  const seq = parseU64(rest)
  if (seq === null) return null
  return { id: makeId(ms, seq), seqGiven: true }
}

/** parseId replying the error; null after replying. */
export function idArg(c: Caller, arg: string, missingSeq: bigint, strict: boolean): bigint | null {
  const p = parseId(arg, missingSeq, strict)
  if (p === null) {
    c.out.error(StreamErr.invalidId)
    return null
  }
  return p.id
}

/**
 * The idKey of a strict id argument (as strictIdArg reads it), or null when invalid.
 * Plain digits `ms` or `ms-seq` whose parts fit idKey's number are read straight to
 * it: XACK names every id it acknowledges, and making each a bigint first cost more
 * than the lookup.
 */
export function strictIdKeyArg(arg: string): IdKey | null {
  const len = arg.length
  let ms = 0
  let i = 0
  for (; i < len && i < 14; i++) {
    const d = arg.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) break
    ms = ms * 10 + d
  }
  let seq = 0
  let fast = i > 0 && i < 14
  if (fast && i < len) {
    if (arg.charCodeAt(i) !== 0x2d) fast = false
    const seqAt = ++i
    for (; fast && i < len; i++) {
      const d = arg.charCodeAt(i) - 0x30
      if (d < 0 || d > 9 || i - seqAt >= 4) fast = false
      else seq = seq * 10 + d
    }
    if (i === seqAt) fast = false
  }
  if (fast) {
    const k = numericIdKey(ms, seq)
    if (k !== null) return k
  }
  const p = parseId(arg, 0n, true)
  return p === null ? null : idKey(p.id)
}

/** A strict id (no `-` or `+`), the missing sequence 0. */
export function strictIdArg(c: Caller, arg: string): bigint | null {
  return idArg(c, arg, 0n, true)
}

/**
 * An interval bound of XRANGE, XREVRANGE, XPENDING, XAUTOCLAIM: an id, or `(id` for
 * an exclusive one, moved to the next (start) or previous (end) id.
 */
export function intervalArg(c: Caller, arg: string, start: boolean): bigint | null {
  const exclusive = arg.length > 1 && arg[0] === '('
  const id = exclusive ? idArg(c, arg.slice(1), start ? 0n : U64_MAX, true) : idArg(c, arg, start ? 0n : U64_MAX, false)
  if (id === null || !exclusive) return id
  if (start) {
    if (id === MAX_ID) {
      c.out.error(StreamErr.startInterval)
      return null
    }
    return id + 1n
  }
  if (id === 0n) {
    c.out.error(StreamErr.endInterval)
    return null
  }
  return id - 1n
}

/** Where replyEntryHead composes an entry's opening bytes, and a view of it for each length. */
const head = Buffer.allocUnsafe(64)
const headViews: Buffer[] = []
for (let n = 0; n <= head.length; n++) headViews.push(head.subarray(0, n))
/**
 * The decimal digits (last first) of the ms part of the id last written: ids in a row
 * mostly share it. XADD's replies and reads (which are mostly behind, in older ms)
 * each keep their own, so that interleaved they do not undo each other's.
 */
class MsDigits {
  ms = -1
  readonly digits = new Uint8Array(16)
  count = 0
}
const addedMs = new MsDigits()
const readMs = new MsDigits()

/**
 * An entry's opening: `*2`, its id as a bulk string and the header of its `n` fields.
 * An id with a number key (as XADD and a packed node's decoding make them) is written
 * as bytes from its parts, in one copy: its text would be a string built for this
 * reply alone, which V8 also flattens when it is written.
 */
export function replyEntryHead(out: ReplyWriter, e: IdOf, n: number): void {
  const key = e.key
  if (key === undefined || n > 9999) {
    out.array(2)
    out.bulk(e.text ?? formatId(e.id))
    out.array(n)
    return
  }
  const b = head
  b[0] = 0x2a // *2\r\n
  b[1] = 0x32
  b[2] = 0x0d
  b[3] = 0x0a
  let p = writeIdBulk(b, 4, key, readMs)
  b[p++] = 0x2a
  p = writeSmall(b, p, n)
  b[p++] = 0x0d
  b[p++] = 0x0a
  out.raw(headViews[p])
}

/** An entry's id as a bulk string (XADD's reply), written as replyEntryHead writes it. */
export function replyEntryId(out: ReplyWriter, e: IdOf): void {
  const key = e.key
  if (key === undefined) return out.bulk(e.text ?? formatId(e.id))
  out.raw(headViews[writeIdBulk(head, 0, key, addedMs)])
}

/** What replies need of an entry to write its id. */
type IdOf = Pick<StreamEntry, 'id' | 'text' | 'key'>

/** The id of number key `key` as a bulk string at b[p]; the position after it. */
function writeIdBulk(b: Buffer, p: number, key: number, cache: MsDigits): number {
  const ms = Math.floor(key / KEY_SEQ)
  const seq = key - ms * KEY_SEQ
  const msDigits = cache.digits
  if (ms !== cache.ms) {
    cache.ms = ms
    let d = 0
    let m = ms
    do {
      const q = Math.floor(m / 10)
      msDigits[d++] = 0x30 + (m - q * 10)
      m = q
    } while (m > 0)
    cache.count = d
  }
  const msDigitCount = cache.count
  const seqDigits = seq < 10 ? 1 : seq < 100 ? 2 : seq < 1000 ? 3 : 4
  const len = msDigitCount + 1 + seqDigits
  b[p++] = 0x24
  if (len >= 10) b[p++] = 0x30 + ((len / 10) | 0)
  b[p++] = 0x30 + (len % 10)
  b[p++] = 0x0d
  b[p++] = 0x0a
  for (let i = msDigitCount - 1; i >= 0; i--) b[p++] = msDigits[i]
  b[p++] = 0x2d
  p = writeSmall(b, p, seq)
  b[p++] = 0x0d
  b[p++] = 0x0a
  return p
}

/** The decimal digits of 0 <= n <= 9999 at b[p]; the position after them. */
function writeSmall(b: Buffer, p: number, n: number): number {
  const digits = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : 4
  let q = p + digits
  const end = q
  do {
    const r = (n / 10) | 0
    b[--q] = 0x30 + n - r * 10
    n = r
  } while (n !== 0)
  return end
}

/** One entry: [id, [field, value, ...]]. */
export function replyEntry(c: Caller, e: StreamEntry): void {
  const out = c.out
  replyEntryHead(out, e, e.fields.length)
  for (const f of e.fields) out.bulk(f)
}

export function replyEntries(c: Caller, entries: StreamEntry[]): void {
  c.out.array(entries.length)
  for (const e of entries) replyEntry(c, e)
}

export function replyId(c: Caller, id: bigint): void {
  c.out.bulk(formatId(id))
}

/** An int64 argument as a bigint, or null. */
export function int64Arg(s: string): bigint | null {
  const n = parseInt64(s)
  return n === null ? null : BigInt(n)
}
