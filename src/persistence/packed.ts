import { CACHED_STRING, cachedLatin1, latin1Slice, latin1Write, viewOf } from '../resp/latin1.js'
import { withRoom } from '../util/buffers.js'

/**
 * The packed containers RDB values are made of, written and read by hand from the
 * format descriptions (Redis's listpack.c/ziplist.c/intset.c header comments and the
 * redis-rdb-tools notes): listpacks (written and read), and ziplists, intsets and
 * zipmaps (read only: Redis 7.0 loads them from older files but never writes them).
 *
 * Every reader checks each length against the bytes that remain before it slices or
 * allocates, and throws RdbFormatError on anything malformed, so a corrupt file ends
 * in one clean error.
 */

export class RdbFormatError extends Error {}

export function corrupt(what: string): never {
  throw new RdbFormatError(what)
}

/** Canonical int64 text ("-12", not "012" or "+1"), as Redis's string2ll accepts it. */
const INT_TEXT = /^(?:0|-?[1-9][0-9]{0,18})$/
const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n

/** The integer a listpack/ziplist would store `s` as, or null to keep it a string. */
export function packedInt(s: string): number | bigint | null {
  if (s.length === 0 || s.length > 20 || !INT_TEXT.test(s)) return null
  if (s.length < 16) return Number(s)
  const v = BigInt(s)
  return v < INT64_MIN || v > INT64_MAX ? null : v
}

// --- Listpack writing ------------------------------------------------------------

/**
 * The bytes ListpackBuilder.add(s) takes, without building anything: a background
 * save sizes a big list's quicklist nodes before it writes them.
 */
export function listpackEntryBytes(s: string): number {
  const n = packedInt(s)
  if (n !== null) {
    const v = Number(n)
    if (v >= 0 && v <= 127) return 2
    if (v >= -4096 && v <= 4095) return 3
    if (v >= -32768 && v <= 32767) return 4
    if (v >= -8388608 && v <= 8388607) return 5
    if (v >= -2147483648 && v <= 2147483647) return 6
    return 10
  }
  const len = s.length
  const entry = (len < 64 ? 1 : len < 4096 ? 2 : 5) + len
  return entry + (entry <= 127 ? 1 : entry < 16383 ? 2 : entry < 2097151 ? 3 : entry < 268435455 ? 4 : 5)
}

/**
 * Builds one listpack: a 6-byte header (total bytes, element count), the elements,
 * each an encoding byte, its data and a "backlen" (the element's size, readable from
 * the right), and the 0xff terminator. Integers take the smallest integer encoding;
 * strings that read as canonical integers are stored as integers, as Redis stores them.
 */
export class ListpackBuilder {
  private buf: Buffer
  private pos = 6
  count = 0

  constructor(sizeHint = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(64, sizeHint))
  }

  get bytes(): number {
    return this.pos + 1
  }

  private ensure(n: number): void {
    this.buf = withRoom(this.buf, this.pos, this.pos + n)
  }

  private backlen(len: number): void {
    const b = this.buf
    if (len <= 127) {
      b[this.pos++] = len
    } else if (len < 16383) {
      b[this.pos++] = len >>> 7
      b[this.pos++] = (len & 127) | 128
    } else if (len < 2097151) {
      b[this.pos++] = len >>> 14
      b[this.pos++] = ((len >>> 7) & 127) | 128
      b[this.pos++] = (len & 127) | 128
    } else if (len < 268435455) {
      b[this.pos++] = len >>> 21
      b[this.pos++] = ((len >>> 14) & 127) | 128
      b[this.pos++] = ((len >>> 7) & 127) | 128
      b[this.pos++] = (len & 127) | 128
    } else {
      b[this.pos++] = Math.floor(len / 2 ** 28)
      b[this.pos++] = ((len >>> 21) & 127) | 128
      b[this.pos++] = ((len >>> 14) & 127) | 128
      b[this.pos++] = ((len >>> 7) & 127) | 128
      b[this.pos++] = (len & 127) | 128
    }
  }

  addInt(v: number | bigint): void {
    this.ensure(16)
    const b = this.buf
    const start = this.pos
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      if (v >= 0 && v <= 127) {
        b[this.pos++] = v
      } else if (v >= -4096 && v <= 4095) {
        const u = v & 0x1fff
        b[this.pos++] = 0xc0 | (u >> 8)
        b[this.pos++] = u & 0xff
      } else if (v >= -32768 && v <= 32767) {
        b[this.pos++] = 0xf1
        b.writeInt16LE(v, this.pos)
        this.pos += 2
      } else if (v >= -8388608 && v <= 8388607) {
        b[this.pos++] = 0xf2
        b.writeIntLE(v, this.pos, 3)
        this.pos += 3
      } else if (v >= -2147483648 && v <= 2147483647) {
        b[this.pos++] = 0xf3
        b.writeInt32LE(v, this.pos)
        this.pos += 4
      } else {
        b[this.pos++] = 0xf4
        b.writeBigInt64LE(BigInt(v), this.pos)
        this.pos += 8
      }
    } else {
      const big = BigInt(v)
      if (big >= -(1n << 31n) && big < 1n << 31n) return this.addInt(Number(big))
      b[this.pos++] = 0xf4
      b.writeBigInt64LE(big, this.pos)
      this.pos += 8
    }
    this.backlen(this.pos - start)
    this.count++
  }

  /** A string element, or an integer one when the text is a canonical int64. */
  add(s: string): void {
    const n = packedInt(s)
    if (n !== null) return this.addInt(n)
    this.addString(s)
  }

  addString(s: string): void {
    const len = s.length
    this.ensure(len + 16)
    const b = this.buf
    const start = this.pos
    if (len < 64) {
      b[this.pos++] = 0x80 | len
    } else if (len < 4096) {
      b[this.pos++] = 0xe0 | (len >> 8)
      b[this.pos++] = len & 0xff
    } else {
      b[this.pos++] = 0xf0
      b.writeUInt32LE(len, this.pos)
      this.pos += 4
    }
    this.pos += latin1Write(b, this.pos, s)
    this.backlen(this.pos - start)
    this.count++
  }

  finish(): Buffer {
    this.ensure(1)
    this.buf[this.pos++] = 0xff
    this.buf.writeUInt32LE(this.pos, 0)
    this.buf.writeUInt16LE(this.count < 65535 ? this.count : 65535, 4)
    return this.buf.subarray(0, this.pos)
  }
}

// --- Listpack reading ------------------------------------------------------------

/**
 * The elements of the listpack in lp[from, to), as strings (integers in canonical
 * text). A range, so one inside a snapshot is read in place.
 */
export function readListpack(lp: Buffer, from = 0, to = lp.length): string[] {
  if (to - from < 7) corrupt('listpack too short')
  const total = lp.readUInt32LE(from)
  if (total !== to - from) corrupt('listpack size mismatch')
  const declared = lp.readUInt16LE(from + 4)
  const out: string[] = []
  let p = from + 6
  const end = to - 1
  if (lp[end] !== 0xff) corrupt('listpack not terminated')
  let view: DataView | null = null
  while (p < end) {
    const start = p
    const c = lp[p]
    if (c < 0x80) {
      out.push(String(c))
      p += 1
    } else if (c < 0xc0) {
      const len = c & 0x3f
      if (p + 1 + len > end) corrupt('listpack string overflows')
      // Short strings (hash fields, members) repeat across keys: the cache of recent
      // ones hands back one shared string, its hash already computed, instead of a
      // new copy per key for the collector to carry.
      if (len > 1 && len <= CACHED_STRING) {
        if (view === null) view = viewOf(lp)
        out.push(cachedLatin1(lp, view, p + 1, len))
      } else {
        out.push(latin1Slice(lp, p + 1, len))
      }
      p += 1 + len
    } else if (c < 0xe0) {
      if (p + 2 > end) corrupt('listpack int overflows')
      let v = ((c & 0x1f) << 8) | lp[p + 1]
      if (v >= 4096) v -= 8192
      out.push(String(v))
      p += 2
    } else if (c < 0xf0) {
      if (p + 2 > end) corrupt('listpack string overflows')
      const len = ((c & 0x0f) << 8) | lp[p + 1]
      if (p + 2 + len > end) corrupt('listpack string overflows')
      out.push(latin1Slice(lp, p + 2, len))
      p += 2 + len
    } else {
      switch (c) {
        case 0xf0: {
          if (p + 5 > end) corrupt('listpack string overflows')
          const len = lp.readUInt32LE(p + 1)
          if (p + 5 + len > end) corrupt('listpack string overflows')
          out.push(latin1Slice(lp, p + 5, len))
          p += 5 + len
          break
        }
        case 0xf1:
          if (p + 3 > end) corrupt('listpack int overflows')
          out.push(String(lp.readInt16LE(p + 1)))
          p += 3
          break
        case 0xf2:
          if (p + 4 > end) corrupt('listpack int overflows')
          out.push(String(lp.readIntLE(p + 1, 3)))
          p += 4
          break
        case 0xf3:
          if (p + 5 > end) corrupt('listpack int overflows')
          out.push(String(lp.readInt32LE(p + 1)))
          p += 5
          break
        case 0xf4:
          if (p + 9 > end) corrupt('listpack int overflows')
          out.push(lp.readBigInt64LE(p + 1).toString())
          p += 9
          break
        default:
          corrupt('bad listpack encoding')
      }
    }
    // Skip the backlen, checking it names the element just read.
    const len = p - start
    const blen = len <= 127 ? 1 : len < 16383 ? 2 : len < 2097151 ? 3 : len < 268435455 ? 4 : 5
    if (p + blen > end) corrupt('listpack backlen overflows')
    if (blen === 1 && lp[p] !== len) corrupt('listpack backlen mismatch')
    p += blen
  }
  if (declared !== 65535 && declared !== out.length) corrupt('listpack count mismatch')
  return out
}

// --- Ziplist reading (RDB types 10, 12, 13 and quicklist 1 nodes) ----------------

/** The elements of the ziplist in zl[from, to). */
export function readZiplist(zl: Buffer, from = 0, to = zl.length): string[] {
  if (to - from < 11) corrupt('ziplist too short')
  if (zl.readUInt32LE(from) !== to - from) corrupt('ziplist size mismatch')
  const declared = zl.readUInt16LE(from + 8)
  const end = to - 1
  if (zl[end] !== 0xff) corrupt('ziplist not terminated')
  const out: string[] = []
  let p = from + 10
  while (p < end) {
    // prevlen: one byte, or 0xfe and four more.
    p += zl[p] === 0xfe ? 5 : 1
    if (p >= end) corrupt('ziplist entry overflows')
    const c = zl[p]
    const kind = c >> 6
    if (kind === 0) {
      const len = c & 0x3f
      if (p + 1 + len > end) corrupt('ziplist string overflows')
      out.push(latin1Slice(zl, p + 1, len))
      p += 1 + len
    } else if (kind === 1) {
      if (p + 2 > end) corrupt('ziplist string overflows')
      const len = ((c & 0x3f) << 8) | zl[p + 1]
      if (p + 2 + len > end) corrupt('ziplist string overflows')
      out.push(latin1Slice(zl, p + 2, len))
      p += 2 + len
    } else if (kind === 2) {
      if (p + 5 > end) corrupt('ziplist string overflows')
      const len = zl.readUInt32BE(p + 1)
      if (p + 5 + len > end) corrupt('ziplist string overflows')
      out.push(zl.latin1Slice(p + 5, p + 5 + len))
      p += 5 + len
    } else {
      let width: number
      switch (c) {
        case 0xc0: width = 2; break
        case 0xd0: width = 4; break
        case 0xe0: width = 8; break
        case 0xf0: width = 3; break
        case 0xfe: width = 1; break
        default:
          if (c >= 0xf1 && c <= 0xfd) {
            out.push(String((c & 0x0f) - 1))
            p += 1
            continue
          }
          corrupt('bad ziplist encoding')
      }
      if (p + 1 + width > end) corrupt('ziplist int overflows')
      const v = width === 8 ? zl.readBigInt64LE(p + 1).toString() : String(zl.readIntLE(p + 1, width))
      out.push(v)
      p += 1 + width
    }
  }
  if (declared !== 65535 && declared !== out.length) corrupt('ziplist count mismatch')
  return out
}

// --- Intset and zipmap reading ---------------------------------------------------

/** The members of the intset in is[from, to). */
export function readIntset(is: Buffer, from = 0, to = is.length): string[] {
  if (to - from < 8) corrupt('intset too short')
  const width = is.readUInt32LE(from)
  const n = is.readUInt32LE(from + 4)
  if ((width !== 2 && width !== 4 && width !== 8) || 8 + n * width !== to - from) corrupt('intset size mismatch')
  const out = new Array<string>(n)
  for (let i = 0; i < n; i++) {
    const at = from + 8 + i * width
    out[i] = width === 2 ? String(is.readInt16LE(at)) : width === 4 ? String(is.readInt32LE(at)) : is.readBigInt64LE(at).toString()
  }
  return out
}

/** A zipmap (RDB type 9, Redis 2.x hashes): field, value, field, value... */
export function readZipmap(whole: Buffer, from = 0, to = whole.length): string[] {
  // Rare (Redis 2.x files): read from a view rather than thread offsets through.
  const zm = from === 0 && to === whole.length ? whole : whole.subarray(from, to)
  const out: string[] = []
  let p = 1
  const len = (): number => {
    if (p >= zm.length) corrupt('zipmap overflows')
    const c = zm[p]
    if (c < 254) {
      p++
      return c
    }
    if (c === 254) {
      if (p + 5 > zm.length) corrupt('zipmap overflows')
      p += 5
      return zm.readUInt32LE(p - 4)
    }
    return -1
  }
  for (;;) {
    const klen = len()
    if (klen < 0) break
    if (p + klen > zm.length) corrupt('zipmap overflows')
    const key = zm.latin1Slice(p, p + klen)
    p += klen
    const vlen = len()
    if (vlen < 0 || p >= zm.length) corrupt('zipmap value missing')
    const free = zm[p++]
    if (p + vlen + free > zm.length) corrupt('zipmap overflows')
    out.push(key, zm.latin1Slice(p, p + vlen))
    p += vlen + free
  }
  return out
}
