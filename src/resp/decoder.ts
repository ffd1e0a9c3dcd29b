import { constants } from 'node:buffer'
import { endsWord, isSpace, splitInlineArgs } from './inline.js'
import { CACHED_STRING, cachedLatin1, viewOf } from './latin1.js'
import { RespDouble, RespMap, RespSet, RespSimple, type Argv, type RespValue } from './values.js'

/**
 * The request decoder. Hand-written rather than redis-parser because it sits on the
 * hot path: it works on offsets into the read buffer, turns each argument straight
 * into a latin1 string (one copy, which the store keeps), and keeps its place inside
 * a half-received multibulk so a large request arriving in many reads is scanned once.
 *
 * It knows bytes, not commands.
 */

export class ProtocolError extends Error {}

export interface DecoderLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number
  /** client-query-buffer-limit: bytes buffered for one client before it is dropped */
  queryBufferLimit: number
}

/** Redis's PROTO_INLINE_MAX_SIZE: the longest inline line or header without a newline. */
const INLINE_MAX = 64 * 1024
/** Before AUTH Redis accepts only small requests, so an unauthenticated peer can't make it buffer. */
const UNAUTH_MAX_ARGS = 10
const UNAUTH_MAX_BULK = 16384
/** Below this a partial read is copied into a small buffer; above it we size for the pending bulk. */
const MIN_OWNED = 16 * 1024

/**
 * The capacity of a copy we own for `n` bytes: a power of two, so that the spare copy
 * of one cut request fits the next. Sized to each request's need, the spare was too
 * small about as often as not, and 16 KiB SETs at -P 16 made a fresh 32 KiB
 * ArrayBuffer every 16 requests: external memory that drove a full GC every 100 ms.
 */
function ownedSize(n: number): number {
  let size = MIN_OWNED
  while (size < n) size *= 2
  return size
}
const NEED_MORE = undefined

/**
 * V8's longest string (2^29-24 chars). proto-max-bulk-len allows 512 MB (2^29 bytes)
 * and more, but an argument becomes a latin1 string, so a longer bulk is skipped
 * unread and the request marked `oversized`: the caller refuses it and the connection
 * goes on. Skipping also means such a value is never buffered.
 */
export const MAX_ARG_LENGTH = constants.MAX_STRING_LENGTH

const CR = 13
const LF = 10

export class QueryBufferLimitError extends Error {}

export class RequestDecoder {
  private buf: Buffer = Buffer.alloc(0)
  /** A DataView over `buf` (for the argument cache), and the buffer it was made for. */
  private view: DataView = viewOf(this.buf)
  private viewFor: Buffer = this.buf
  private pos = 0
  private end = 0
  /** True when `buf` is our own copy; false when it is the caller's read buffer. */
  private owned = false
  /**
   * The caller's read buffer while our own copy finishes the request a previous read
   * cut short: only what that request needs is copied over (refill), and decoding
   * moves on to this buffer itself once the copy is used up. Copying every later read
   * into our buffer instead cost a copy of every byte of a large pipelined stream.
   */
  private spill: Buffer | null = null
  private spillPos = 0
  private spillEnd = 0
  /** Our last copy, kept while decoding from the caller's buffer, for the next one. */
  private spare: Buffer | null = null
  /** The multibulk being filled, how many elements it has and how many it still needs. */
  private argv: Argv | null = null
  private filled = 0
  private missing = 0
  /** Length of the bulk we are waiting for, to size the buffer once. */
  private pendingBulk = -1
  /** Set when any element of the current request is not a bulk string. */
  structured = false
  /** Set when an argument of the current request was longer than MAX_ARG_LENGTH. */
  oversized = false
  /**
   * Bulks of at least this many bytes come back as Buffer views into the read buffer
   * instead of strings (off by default); `bytes` is set for a request that has one.
   * A view is valid only until the next feed() or release(): its user copies it out
   * at once or turns it into a string. It spares a long value the string that would
   * only be copied again into the bytes the store keeps it in.
   */
  bytesFrom = Infinity
  bytes = false
  /** Bytes of an oversized bulk (and its CRLF) still to be discarded. */
  private skip = 0
  authenticated = true

  constructor(private readonly limits: DecoderLimits) {}

  /** Bytes received but not yet decoded. */
  get buffered(): number {
    return this.end - this.pos + (this.spill !== null ? this.spillEnd - this.spillPos : 0)
  }

  /** Capacity held for this client (for CLIENT LIST qbuf and memory accounting). */
  get capacity(): number {
    return (this.owned ? this.buf.length : 0) + (this.spare !== null ? this.spare.length : 0)
  }

  /**
   * Hands the decoder new bytes. `chunk` may be a buffer the caller reuses: call
   * `release()` before it is overwritten.
   */
  feed(chunk: Buffer, length: number): void {
    if (this.pos === this.end) {
      // Our copy, drained, is kept for the next request a read cuts short.
      if (this.owned) this.spare = this.buf
      this.buf = chunk
      this.pos = 0
      this.end = length
      this.owned = false
      return
    }
    this.spill = chunk
    this.spillPos = 0
    this.spillEnd = length
    this.refill()
  }

  /** Copies whatever is left undecoded out of the caller's buffer. */
  release(): void {
    if (this.spill !== null) {
      // Decoding stopped (a blocked or paused client) before the copy was used up.
      this.append(this.spill, this.spillPos, this.spillEnd - this.spillPos)
      this.spill = null
    }
    if (this.pos === this.end) {
      // Drop a large buffer once drained, so one big request doesn't pin memory.
      if (this.owned && this.buf.length > MIN_OWNED * 4) {
        this.buf = Buffer.alloc(0)
        this.owned = false
      }
      if (this.spare !== null && this.spare.length > MIN_OWNED * 4) this.spare = null
      this.pos = this.end = 0
      return
    }
    if (!this.owned) {
      const rest = this.end - this.pos
      const size = Math.max(rest * 2, this.pendingBulk > 0 ? this.pendingBulk + 2 + rest : 0)
      const spare = this.spare
      const copy = spare !== null && spare.length >= size ? spare : Buffer.allocUnsafe(ownedSize(size))
      this.spare = null
      this.buf.copy(copy, 0, this.pos, this.end)
      this.buf = copy
      this.pos = 0
      this.end = rest
      this.owned = true
    }
  }

  /**
   * Moves on in the caller's buffer (spill): straight to it once our copy is used up,
   * else copying over what the request at `pos` still lacks (a pending bulk's length,
   * or a few KB when that is unknown yet).
   */
  private refill(): void {
    const spill = this.spill!
    if (this.pos === this.end) {
      if (this.owned) this.spare = this.buf
      this.buf = spill
      this.pos = this.spillPos
      this.end = this.spillEnd
      this.owned = false
      this.spill = null
      return
    }
    const want = this.pendingBulk >= 0 ? this.pendingBulk + 2 + 32 - (this.end - this.pos) : 0
    const n = Math.min(this.spillEnd - this.spillPos, Math.max(want, 4096))
    this.append(spill, this.spillPos, n)
    this.spillPos += n
    if (this.spillPos === this.spillEnd) this.spill = null
  }

  private append(chunk: Buffer, from: number, length: number): void {
    const rest = this.end - this.pos
    const needed = rest + length
    if (needed > this.limits.queryBufferLimit) throw new QueryBufferLimitError('query buffer limit reached')
    if (this.owned && this.end + length <= this.buf.length) {
      chunk.copy(this.buf, this.end, from, from + length)
      this.end += length
      return
    }
    let target = this.buf
    if (!this.owned || needed > this.buf.length) {
      const hint = this.pendingBulk > 0 ? this.pendingBulk + 64 : 0
      target = Buffer.allocUnsafe(ownedSize(Math.max(needed * 2, hint)))
    }
    this.buf.copy(target, 0, this.pos, this.end)
    chunk.copy(target, rest, from, from + length)
    this.buf = target
    this.pos = 0
    this.end = needed
    this.owned = true
  }

  /**
   * Decodes the next request. Returns undefined when more bytes are needed; throws
   * ProtocolError on malformed input. An empty argv is never returned: empty inline
   * lines and `*0` are skipped, as Redis does.
   */
  next(): Argv | undefined {
    for (;;) {
      const argv = this.decode()
      if (argv !== NEED_MORE || this.spill === null) return argv
      this.refill()
    }
  }

  private decode(): Argv | undefined {
    for (;;) {
      if (this.argv === null) {
        if (this.pos >= this.end) return NEED_MORE
        this.structured = false
        this.oversized = false
        this.bytes = false
        if (this.buf[this.pos] === 0x2a /* * */) {
          const whole = this.authenticated ? this.wholeRequest() : NEED_MORE
          if (whole !== NEED_MORE) return whole
          const count = this.readHeaderInt('multibulk')
          if (count === NEED_MORE) return NEED_MORE
          if (count > 0x7fffffff) throw new ProtocolError('Protocol error: invalid multibulk length')
          if (!this.authenticated && count > UNAUTH_MAX_ARGS) {
            throw new ProtocolError('Protocol error: unauthenticated multibulk length')
          }
          if (count <= 0) continue
          // Sized up front when small, so the common request costs one exact allocation;
          // a huge count must not reserve memory before its elements arrive.
          this.argv = count <= 64 ? new Array<RespValue>(count) : []
          this.filled = 0
          this.missing = count
        } else {
          const argv = this.readInline()
          if (argv === NEED_MORE) return NEED_MORE
          if (argv.length === 0) continue
          return argv
        }
      }
      const argv = this.argv
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.end - this.pos)
        this.pos += n
        this.skip -= n
        if (this.skip > 0) return NEED_MORE
      }
      while (this.missing > 0) {
        if (this.pos >= this.end) return NEED_MORE
        let value: RespValue | Buffer | undefined
        if (this.buf[this.pos] === 0x24 /* $ */) {
          value = this.readBulk()
        } else {
          value = this.readValue(0)
          if (value !== NEED_MORE) this.structured = true
        }
        if (value === NEED_MORE) return NEED_MORE
        argv[this.filled++] = value
        this.missing--
        if (this.skip > 0) return NEED_MORE
      }
      this.argv = null
      return argv
    }
  }

  /**
   * The common request, whole in the buffer: `*<count>` of 1 to 64 and bulks of at
   * most 5 length digits, without leading zeros (the byte after each CR is skipped
   * unread, as Redis does). Read in one pass that keeps no state between arguments;
   * undefined (pos unchanged) for anything else, which the general path then reads,
   * refuses or waits for. This took a pipelined GET from about 2,930 to 2,450
   * instructions per request in the server (callgrind), since the general path saves
   * its place after every argument.
   */
  private wholeRequest(): Argv | undefined {
    const buf = this.buf
    const end = this.end
    let p = this.pos + 1
    let count = 0
    // The count's digits and each length's are read by two copies of one loop: as a
    // shared method, the SET of redis-benchmark cost 2% more instructions (callgrind).
    for (let digits = 0; ; digits++) {
      if (p >= end || digits > 2) return NEED_MORE
      const d = buf[p++] - 0x30
      if (d >= 0 && d <= 9 && (count !== 0 || digits === 0)) count = count * 10 + d
      else if (d === CR - 0x30 && digits > 0) break
      else return NEED_MORE
    }
    if (count === 0 || count > 64 || p >= end) return NEED_MORE
    p++
    const argv: Argv = new Array<RespValue | Buffer>(count)
    let bytes = false
    for (let k = 0; k < count; k++) {
      if (p + 4 > end || buf[p] !== 0x24 /* $ */) return NEED_MORE
      p++
      let len = 0
      for (let digits = 0; ; digits++) {
        if (p >= end || digits > 5) return NEED_MORE
        const d = buf[p++] - 0x30
        if (d >= 0 && d <= 9 && (len !== 0 || digits === 0)) len = len * 10 + d
        else if (d === CR - 0x30 && digits > 0) break
        else return NEED_MORE
      }
      const start = p + 1
      if (start + len + 2 > end || len > this.limits.maxBulkLen) return NEED_MORE
      p = start + len + 2
      if (len === 0) argv[k] = ''
      else if (len <= CACHED_STRING) argv[k] = this.shortString(start, len)
      else if (len < this.bytesFrom) argv[k] = buf.latin1Slice(start, start + len)
      else {
        bytes = true
        argv[k] = buf.subarray(start, start + len)
      }
    }
    this.pos = p
    this.bytes = bytes
    return argv
  }

  /** Parses `<prefix><int>\r\n` at pos with Redis's strict integer rules; advances on success. */
  private readHeaderInt(what: 'multibulk' | 'bulk'): number | undefined {
    const buf = this.buf
    const start = this.pos + 1
    let i = start
    const end = this.end
    while (i < end && buf[i] !== CR) i++
    if (i >= end) {
      if (end - this.pos > INLINE_MAX) throw new ProtocolError(`Protocol error: too big ${what === 'bulk' ? 'bulk' : 'mbulk'} count string`)
      return NEED_MORE
    }
    if (i + 1 >= end) return NEED_MORE
    const n = parseStrictInt(buf, start, i)
    if (n === null) throw new ProtocolError(`Protocol error: invalid ${what} length`)
    this.pos = i + 2
    return n
  }

  private readBulk(): string | Buffer | null | undefined {
    const headerStart = this.pos
    const len = this.readHeaderInt('bulk')
    if (len === NEED_MORE) return NEED_MORE
    if (len === -1) {
      // The mini client sends None as a null bulk; Redis itself would refuse it.
      this.structured = true
      return null
    }
    if (len < 0 || len > this.limits.maxBulkLen) throw new ProtocolError('Protocol error: invalid bulk length')
    if (!this.authenticated && len > UNAUTH_MAX_BULK) throw new ProtocolError('Protocol error: unauthenticated bulk length')
    if (len > MAX_ARG_LENGTH) {
      this.oversized = true
      const n = Math.min(len + 2, this.end - this.pos)
      this.pos += n
      this.skip = len + 2 - n
      return ''
    }
    if (this.end - this.pos < len + 2) {
      this.pos = headerStart
      this.pendingBulk = len
      return NEED_MORE
    }
    this.pendingBulk = -1
    const pos = this.pos
    this.pos = pos + len + 2
    const buf = this.buf
    if (len > CACHED_STRING) {
      if (len < this.bytesFrom) return buf.latin1Slice(pos, pos + len)
      this.bytes = true
      return buf.subarray(pos, pos + len)
    }
    if (len === 0) return ''
    return this.shortString(pos, len)
  }

  /** cachedLatin1 at `pos` of the current buffer (1 <= len <= CACHED_STRING). */
  private shortString(pos: number, len: number): string {
    const buf = this.buf
    if (this.viewFor !== buf) {
      this.view = viewOf(buf)
      this.viewFor = buf
    }
    return cachedLatin1(buf, this.view, pos, len)
  }

  /**
   * Any RESP value other than a bulk string, nested to any depth (our structured-value
   * extension). Returns undefined, with pos unchanged, when the value is incomplete.
   */
  private readValue(depth: number): RespValue | undefined {
    const start = this.pos
    const v = this.readValueAt(depth)
    if (v === NEED_MORE) this.pos = start
    return v
  }

  private readValueAt(depth: number): RespValue | undefined {
    if (depth > 512) throw new ProtocolError('Protocol error: nesting too deep')
    if (this.pos >= this.end) return NEED_MORE
    const type = this.buf[this.pos]
    switch (type) {
      case 0x24: /* $ */ {
        const len = this.readHeaderInt('bulk')
        if (len === NEED_MORE) return NEED_MORE
        if (len === -1) return null
        if (len < 0 || len > this.limits.maxBulkLen || len > MAX_ARG_LENGTH) throw new ProtocolError('Protocol error: invalid bulk length')
        if (this.end - this.pos < len + 2) return NEED_MORE
        const s = this.buf.latin1Slice(this.pos, this.pos + len)
        this.pos += len + 2
        return s
      }
      case 0x3a: /* : */
      case 0x28: /* ( */ {
        const line = this.readLine()
        if (line === NEED_MORE) return NEED_MORE
        if (!/^-?\d+$/.test(line)) throw new ProtocolError('Protocol error: invalid integer')
        const n = Number(line)
        return Number.isSafeInteger(n) ? n : BigInt(line)
      }
      case 0x2c: /* , */ {
        const line = this.readLine()
        if (line === NEED_MORE) return NEED_MORE
        const d = line === 'inf' ? Infinity : line === '-inf' ? -Infinity : Number(line)
        if (Number.isNaN(d) && line !== 'nan') throw new ProtocolError('Protocol error: invalid double')
        return new RespDouble(d)
      }
      case 0x23: /* # */ {
        const line = this.readLine()
        if (line === NEED_MORE) return NEED_MORE
        if (line !== 't' && line !== 'f') throw new ProtocolError('Protocol error: invalid boolean')
        return line === 't'
      }
      case 0x5f: /* _ */ {
        const line = this.readLine()
        if (line === NEED_MORE) return NEED_MORE
        return null
      }
      case 0x2b: /* + */ {
        const line = this.readLine()
        if (line === NEED_MORE) return NEED_MORE
        return new RespSimple(line)
      }
      case 0x2a: /* * */
      case 0x25: /* % */
      case 0x7e: /* ~ */ {
        const line = this.readLine()
        if (line === NEED_MORE) return NEED_MORE
        const n = Number(line)
        if (!Number.isInteger(n) || n < -1 || n > 0x7fffffff) throw new ProtocolError('Protocol error: invalid multibulk length')
        if (n === -1) return null
        const count = type === 0x25 ? n * 2 : n
        const items: RespValue[] = []
        for (let i = 0; i < count; i++) {
          const v = this.readValueAt(depth + 1)
          if (v === NEED_MORE) return NEED_MORE
          items.push(v)
        }
        return type === 0x25 ? new RespMap(items) : type === 0x7e ? new RespSet(items) : items
      }
      default:
        throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(type)}'`)
    }
  }

  /** The rest of the line after the type byte, without CRLF. */
  private readLine(): string | undefined {
    const i = this.buf.indexOf(LF, this.pos)
    if (i < 0 || i >= this.end) {
      if (this.end - this.pos > INLINE_MAX) throw new ProtocolError('Protocol error: too big inline request')
      return NEED_MORE
    }
    const lineEnd = i > this.pos && this.buf[i - 1] === CR ? i - 1 : i
    const s = this.buf.latin1Slice(this.pos + 1, lineEnd)
    this.pos = i + 1
    return s
  }

  /**
   * An inline line without quotes, split as splitInlineArgs does (white space between
   * words; \v and \f inside one) straight from the bytes: short
   * words (command names, keys) come from the string cache, hash included, where
   * splitInlineArgs builds each one char by char. Null when there is a quote, whose
   * rules are splitInlineArgs's.
   */
  private splitPlain(start: number, end: number): string[] | null {
    const buf = this.buf
    const args: string[] = []
    let i = start
    while (i < end) {
      if (isSpace(buf[i])) {
        i++
        continue
      }
      const from = i
      for (; i < end; i++) {
        const c = buf[i]
        if (c === 0x22 /* " */ || c === 0x27 /* ' */) return null
        if (endsWord(c)) break
      }
      const n = i - from
      args.push(n <= CACHED_STRING ? this.shortString(from, n) : buf.latin1Slice(from, i))
    }
    return args
  }

  private readInline(): string[] | undefined {
    let i = this.buf.indexOf(LF, this.pos)
    if (i >= this.end) i = -1
    if (i < 0) {
      if (this.end - this.pos > INLINE_MAX) throw new ProtocolError('Protocol error: too big inline request')
      return NEED_MORE
    }
    const lineEnd = i > this.pos && this.buf[i - 1] === CR ? i - 1 : i
    const plain = this.splitPlain(this.pos, lineEnd)
    if (plain !== null) {
      this.pos = i + 1
      return plain
    }
    const line = this.buf.latin1Slice(this.pos, lineEnd)
    this.pos = i + 1
    const args = splitInlineArgs(line)
    if (args === null) throw new ProtocolError('Protocol error: unbalanced quotes in request')
    return args
  }
}

/**
 * Redis's string2ll over bytes: optional '-', no '+', no leading zeros, no spaces,
 * within int64. Lengths and counts beyond 2^53 are rejected later by the limits, so
 * a double is exact enough here.
 */
function parseStrictInt(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 20) return null
  let i = start
  let negative = false
  if (buf[i] === 0x2d) {
    negative = true
    i++
    if (i >= end) return null
  }
  if (buf[i] === 0x30) return i + 1 === end && !negative ? 0 : null
  let n = 0
  for (; i < end; i++) {
    const d = buf[i] - 0x30
    if (d < 0 || d > 9) return null
    n = n * 10 + d
  }
  return negative ? -n : n
}
