import { formatDouble } from './format.js'
import { latin1Write } from './latin1.js'
import { copyBytes } from '../util/buffers.js'
import { decimalLength, writeDigits } from '../util/digits.js'
import { RespDouble, RespMap, RespSet, RespSimple, type RespValue } from './values.js'

/**
 * Encodes replies straight into one growing output buffer. A connection collects every
 * reply produced from one read here and sends them with a single socket.write.
 *
 * The protocol version (2 or 3) decides how the RESP3-only types degrade: maps become
 * flat arrays, sets arrays, doubles bulk strings, booleans integers, and the single
 * RESP3 null `_` becomes `$-1` or `*-1` as Redis 7 sends them.
 *
 * It knows bytes, not commands.
 */

const INT64_MAX = 9223372036854775807n
const INT64_MIN = -9223372036854775808n

export class ReplyWriter {
  buf: Buffer
  pos = 0
  /** buf's ArrayBuffer and where buf starts in it, kept because reading them costs a call each. */
  private bytes: ArrayBufferLike
  private bytesOffset: number
  proto: 2 | 3 = 2
  /**
   * Stored maps go out as `%` even in RESP2. Set for the mini port, whose client sends
   * maps that way and expects them back unflattened.
   */
  nativeMaps = false
  /** Error replies written so far (INFO errorstats, commandstats failed_calls). */
  errors = 0
  /** Where error replies are counted by their first word, when set (INFO errorstats). */
  errorCodes: Map<string, number> | null = null
  /** The last view handed out by take(), and the buffer it is a view of. */
  private view: Buffer | null = null
  private viewOf: Buffer | null = null

  constructor(size = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(size)
    this.bytes = this.buf.buffer
    this.bytesOffset = this.buf.byteOffset
  }

  private setBuf(b: Buffer): void {
    this.buf = b
    this.bytes = b.buffer
    this.bytesOffset = b.byteOffset
  }

  /** Bytes waiting to be sent. */
  get length(): number {
    return this.pos
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(next, 0, 0, this.pos)
    this.setBuf(next)
  }

  /**
   * Hands out the pending bytes. When the socket wrote them synchronously the caller
   * may `reuse()`; otherwise the socket still holds the buffer and we start a new one.
   */
  take(): Buffer {
    // Replies of one shape repeat (a client sending the same command again and again),
    // so the last view is kept: creating a Buffer view costs more than a small reply.
    const view = this.view
    if (view !== null && view.length === this.pos && this.viewOf === this.buf) return view
    this.viewOf = this.buf
    return (this.view = this.buf.subarray(0, this.pos))
  }

  part(from: number, to: number): Buffer {
    return this.buf.subarray(from, to)
  }

  reuse(): void {
    this.pos = 0
  }

  detach(): void {
    this.setBuf(Buffer.allocUnsafe(Math.min(this.buf.length, 64 * 1024)))
    this.pos = 0
  }

  /** Rolls back to a mark, for handlers that discover an error after writing. */
  truncate(mark: number): void {
    this.pos = mark
  }

  raw(bytes: Buffer): void {
    this.ensure(bytes.length)
    // TypedArray set, without Buffer.copy's argument handling: a published message is
    // copied this way once per subscriber.
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  private crlf(): void {
    const buf = this.buf
    buf[this.pos++] = 0x0d
    buf[this.pos++] = 0x0a
  }

  /** Writes an integer's decimal digits (ASCII), in JS for safe integers. */
  private decimal(n: number): void {
    const buf = this.buf
    if (n >= 0 && n < 10) {
      buf[this.pos++] = 0x30 + n
      return
    }
    if (!Number.isSafeInteger(n)) {
      this.pos += buf.latin1Write(String(n), this.pos)
      return
    }
    if (n < 0) {
      buf[this.pos++] = 0x2d
      n = -n
    }
    const end = this.pos + decimalLength(n)
    writeDigits(buf, end, n)
    this.pos = end
  }

  private header(prefix: number, n: number): void {
    this.ensure(24)
    this.buf[this.pos++] = prefix
    this.decimal(n)
    this.crlf()
  }

  /** `+s` (s must not contain CR or LF). */
  simple(s: string): void {
    this.ensure(s.length + 3)
    this.buf[this.pos++] = 0x2b
    this.pos += latin1Write(this.buf, this.pos, s)
    this.crlf()
  }

  /** `-message`; the message includes its prefix, e.g. "ERR syntax error". */
  error(message: string): void {
    this.errors++
    if (this.errorCodes !== null) countErrorCode(this.errorCodes, message)
    const s = message.replace(/[\r\n]/g, ' ')
    this.ensure(s.length + 3)
    this.buf[this.pos++] = 0x2d
    this.pos += this.buf.latin1Write(s, this.pos)
    this.crlf()
  }

  integer(n: number | bigint): void {
    if (typeof n === 'bigint') {
      this.ensure(24)
      this.buf[this.pos++] = 0x3a
      this.pos += this.buf.latin1Write(n.toString(), this.pos)
      this.crlf()
      return
    }
    this.header(0x3a, n)
  }

  /** A bulk string from latin1 (byte) data. */
  bulk(s: string): void {
    const len = s.length
    this.ensure(len + 16)
    const buf = this.buf
    buf[this.pos++] = 0x24
    this.decimal(len)
    let pos = this.pos
    buf[pos++] = 0x0d
    buf[pos++] = 0x0a
    pos += latin1Write(buf, pos, s)
    buf[pos++] = 0x0d
    buf[pos++] = 0x0a
    this.pos = pos
  }

  /** A bulk string of the first `length` bytes of `b` (all of them by default), copied now. */
  bulkBuffer(b: Buffer, length = b.length): void {
    this.bulkBytes(b.buffer, b.byteOffset, length)
  }

  /** A bulk string of `length` bytes of `src` from byte `start`, copied now. */
  bulkBytes(src: ArrayBufferLike, start: number, length: number): void {
    this.ensure(length + 16)
    this.buf[this.pos++] = 0x24
    this.decimal(length)
    this.crlf()
    copyBytes(this.bytes, this.bytesOffset + this.pos, src, start, length)
    this.pos += length
    this.crlf()
  }

  /** An integer beyond int64: `(` in RESP3, a bulk string in RESP2 (as Redis does). */
  bigNumber(n: bigint | string): void {
    const s = n.toString()
    if (this.proto !== 3) return this.bulk(s)
    this.ensure(s.length + 3)
    this.buf[this.pos++] = 0x28
    this.pos += this.buf.latin1Write(s, this.pos)
    this.crlf()
  }

  /** A missing string: `$-1` in RESP2, `_` in RESP3. */
  nullBulk(): void {
    this.ensure(5)
    const buf = this.buf
    if (this.proto === 3) {
      buf[this.pos++] = 0x5f
    } else {
      buf[this.pos++] = 0x24
      buf[this.pos++] = 0x2d
      buf[this.pos++] = 0x31
    }
    this.crlf()
  }

  /** A missing array: `*-1` in RESP2, `_` in RESP3. */
  nullArray(): void {
    this.ensure(5)
    const buf = this.buf
    if (this.proto === 3) {
      buf[this.pos++] = 0x5f
    } else {
      buf[this.pos++] = 0x2a
      buf[this.pos++] = 0x2d
      buf[this.pos++] = 0x31
    }
    this.crlf()
  }

  array(n: number): void {
    this.header(0x2a, n)
  }

  /** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void {
    if (this.proto === 3) this.header(0x25, n)
    else this.header(0x2a, n * 2)
  }

  set(n: number): void {
    this.header(this.proto === 3 ? 0x7e : 0x2a, n)
  }

  /** An out-of-band push (pub/sub); RESP2 has only arrays. */
  push(n: number): void {
    this.header(this.proto === 3 ? 0x3e : 0x2a, n)
  }

  double(d: number): void {
    this.doubleText(formatDouble(d))
  }

  /** A double already formatted: RESP3's `,` type, or a bulk string in RESP2. */
  doubleText(s: string): void {
    if (this.proto === 3) {
      this.ensure(s.length + 3)
      this.buf[this.pos++] = 0x2c
      this.pos += this.buf.latin1Write(s, this.pos)
      this.crlf()
    } else {
      this.bulk(s)
    }
  }

  boolean(b: boolean): void {
    this.ensure(4)
    if (this.proto === 3) {
      this.buf[this.pos++] = 0x23
      this.buf[this.pos++] = b ? 0x74 : 0x66
    } else {
      this.buf[this.pos++] = 0x3a
      this.buf[this.pos++] = b ? 0x31 : 0x30
    }
    this.crlf()
  }

  /** Verbatim text (INFO, CLIENT LIST): `=len\r\ntxt:...` in RESP3, a bulk in RESP2. */
  verbatim(s: string, format = 'txt'): void {
    if (this.proto !== 3) return this.bulk(s)
    this.header(0x3d, s.length + 4)
    this.ensure(s.length + 6)
    this.pos += this.buf.latin1Write(format + ':' + s, this.pos)
    this.crlf()
  }

  /** Any structured value, with the type it was stored as. */
  value(v: RespValue): void {
    if (typeof v === 'string') return this.bulk(v)
    if (typeof v === 'number') return this.integer(v)
    if (typeof v === 'bigint') return v > INT64_MAX || v < INT64_MIN ? this.bigNumber(v) : this.integer(v)
    if (v === null) return this.nullBulk()
    if (typeof v === 'boolean') return this.boolean(v)
    if (Array.isArray(v)) {
      this.array(v.length)
      for (const item of v) this.value(item)
      return
    }
    if (v instanceof RespMap) {
      if (this.nativeMaps) this.header(0x25, v.entries.length / 2)
      else this.map(v.entries.length / 2)
      for (const item of v.entries) this.value(item)
      return
    }
    if (v instanceof RespSet) {
      this.set(v.items.length)
      for (const item of v.items) this.value(item)
      return
    }
    if (v instanceof RespDouble) return this.double(v.value)
    if (v instanceof RespSimple) return this.simple(v.value)
  }
}

/** Redis tracks at most this many distinct error codes, so odd replies cannot grow the table. */
const MAX_ERROR_CODES = 128

function countErrorCode(codes: Map<string, number>, message: string): void {
  const space = message.indexOf(' ')
  const code = space < 0 ? message : message.slice(0, space)
  const n = codes.get(code)
  if (n !== undefined) codes.set(code, n + 1)
  else if (codes.size < MAX_ERROR_CODES) codes.set(code, 1)
}
