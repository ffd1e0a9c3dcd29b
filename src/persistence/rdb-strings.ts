import { latin1Slice } from '../resp/latin1.js'

/**
 * RDB's length and string encodings (the format notes of redis-rdb-tools and Redis's
 * RDB documentation, implemented here by hand): lengths in 1, 2, 5 or 9 bytes, and
 * strings stored raw, as small integers or LZF-compressed. FUNCTION DUMP/RESTORE use
 * them, and so do RDB snapshots and DUMP payloads (src/persistence/rdb-values.ts).
 */

export function rdbLength(n: number): Buffer {
  if (n < 0x40) return Buffer.from([n])
  if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff])
  if (n <= 0xffffffff) {
    const b = Buffer.alloc(5)
    b[0] = 0x80
    b.writeUInt32BE(n, 1)
    return b
  }
  const b = Buffer.alloc(9)
  b[0] = 0x81
  b.writeBigUInt64BE(BigInt(n), 1)
  return b
}

export interface Reader {
  buf: Buffer
  pos: number
}

/** A length, or an encoding (-1 - type) for the 0b11 forms; null past the end. */
export function readLength(r: Reader): number | null {
  const b = r.buf
  if (r.pos >= b.length) return null
  const first = b[r.pos++]
  switch (first >> 6) {
    case 0:
      return first & 0x3f
    case 1:
      if (r.pos >= b.length) return null
      return ((first & 0x3f) << 8) | b[r.pos++]
    case 2:
      if (first === 0x80) {
        if (r.pos + 4 > b.length) return null
        r.pos += 4
        return b.readUInt32BE(r.pos - 4)
      }
      if (first === 0x81) {
        if (r.pos + 8 > b.length) return null
        r.pos += 8
        return Number(b.readBigUInt64BE(r.pos - 8))
      }
      return null
    default:
      return -1 - (first & 0x3f)
  }
}

/** An RDB string: raw, an integer encoding, or LZF-compressed (as Redis writes them). */
export function readRdbString(r: Reader): string | null {
  const b = r.buf
  const at = r.pos
  if (at >= b.length) return null
  // Most strings in a snapshot are short and raw, with a one-byte length: keys,
  // small values, collection members. They skip readLength's general path.
  const first = b[at]
  if (first < 0x40) {
    if (at + 1 + first > b.length) return null
    r.pos = at + 1 + first
    return latin1Slice(b, at + 1, first)
  }
  const len = readLength(r)
  if (len === null) return null
  if (len >= 0) {
    if (r.pos + len > b.length) return null
    r.pos += len
    return latin1Slice(b, r.pos - len, len)
  }
  const p = r.pos
  switch (-1 - len) {
    case 0:
      if (p + 1 > b.length) return null
      r.pos = p + 1
      return String(b.readInt8(p))
    case 1:
      if (p + 2 > b.length) return null
      r.pos = p + 2
      return String(b.readInt16LE(p))
    case 2:
      if (p + 4 > b.length) return null
      r.pos = p + 4
      return String(b.readInt32LE(p))
    case 3: {
      const out = readLzf(r)
      return out === null ? null : latin1Slice(out, 0, lzfLength)
    }
    default:
      return null
  }
}

/**
 * Where LZF strings are expanded: one buffer, reused, so a compressed value costs
 * only the string made from it. Its contents last until the next LZF read. Larger
 * strings get a buffer of their own, so one huge value does not pin its size here.
 */
let lzfScratch = Buffer.allocUnsafe(1 << 16)
const SCRATCH_MAX = 1 << 20
/** The length readLzf expanded. */
let lzfLength = 0

/**
 * An LZF string's lengths and data (after its 0xc3), expanded into lzfScratch (or a
 * new buffer when large) and returned, its length in lzfLength; null when malformed.
 */
function readLzf(r: Reader): Buffer | null {
  const b = r.buf
  const clen = readLength(r)
  const ulen = readLength(r)
  if (clen === null || ulen === null || clen < 0 || ulen < 0 || r.pos + clen > b.length) return null
  // A back-reference of 3 bytes expands to at most 264, so a larger claim is corrupt
  // and is refused before the output buffer is allocated.
  if (ulen > clen * 88 + 32) return null
  if (ulen > lzfScratch.length && ulen <= SCRATCH_MAX) lzfScratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(ulen, lzfScratch.length * 2)))
  const out = ulen <= lzfScratch.length ? lzfScratch : Buffer.allocUnsafe(ulen)
  const ok = lzfExpand(b, r.pos, r.pos + clen, out, ulen)
  r.pos += clen
  lzfLength = ulen
  return ok ? out : null
}

/**
 * A packed container's bytes (a listpack, ziplist, intset or zipmap inside a value),
 * found without copying: `buf` [start, end) after readSpan. A raw string is a range of
 * the input; an LZF one is expanded into a scratch buffer, valid until the next LZF
 * read, so the caller decodes it before reading anything else, then calls
 * releaseSpan so the input (a whole snapshot) is not kept alive from here.
 */
export const span: { buf: Buffer; start: number; end: number } = { buf: lzfScratch, start: 0, end: 0 }

export function releaseSpan(): void {
  span.buf = lzfScratch
  span.start = span.end = 0
}

/** Reads an RDB string into `span`; false when malformed. */
export function readSpan(r: Reader): boolean {
  const b = r.buf
  const len = readLength(r)
  if (len === null) return false
  if (len >= 0) {
    if (r.pos + len > b.length) return false
    span.buf = b
    span.start = r.pos
    span.end = r.pos + len
    r.pos += len
    return true
  }
  if (len !== -4) {
    // Integer-encoded: no container is that short, but let the decoder say so.
    r.pos -= 1
    const s = readRdbString(r)
    if (s === null) return false
    span.buf = Buffer.from(s, 'latin1')
    span.start = 0
    span.end = span.buf.length
    return true
  }
  const out = readLzf(r)
  if (out === null) return false
  span.buf = out
  span.start = 0
  span.end = lzfLength
  return true
}

/**
 * An RDB string as bytes (streams' and module values' blobs): a view of the input
 * when stored raw, so no string is made only to be turned back into bytes.
 */
export function readRdbBytes(r: Reader): Buffer | null {
  if (!readSpan(r)) return null
  const { buf, start, end } = span
  releaseSpan()
  // An expanded LZF string lives in the scratch buffer: the caller gets its own copy.
  return buf === lzfScratch ? Buffer.from(buf.subarray(start, end)) : buf.subarray(start, end)
}

/** LZF decompression (liblzf's format): literal runs and back-references. */
export function lzfDecompress(input: Buffer, outLen: number): Buffer | null {
  const out = Buffer.alloc(outLen)
  return lzfExpand(input, 0, input.length, out, outLen) ? out : null
}

/** Expands input[start, end) into out[0, outLen); false unless it fills exactly that. */
function lzfExpand(input: Uint8Array, start: number, end: number, out: Uint8Array, outLen: number): boolean {
  let ip = start
  let op = 0
  while (ip < end) {
    const ctrl = input[ip++]
    if (ctrl < 32) {
      // A run is at most 32 bytes: a loop beats Buffer#copy's call overhead.
      const run = ctrl + 1
      if (op + run > outLen || ip + run > end) return false
      for (let i = 0; i < run; i++) out[op + i] = input[ip + i]
      op += run
      ip += run
    } else {
      let len = ctrl >> 5
      if (len === 7) {
        if (ip >= end) return false
        len += input[ip++]
      }
      if (ip >= end) return false
      const ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1
      len += 2
      if (ref < 0 || op + len > outLen) return false
      for (let i = 0; i < len; i++) out[op++] = out[ref + i]
    }
  }
  return op === outLen
}

/** Positions in LZF_TABLE are offset by this, so entries from earlier calls read as stale. */
let lzfBase = 1
const LZF_HASH_BITS = 14
const LZF_TABLE = new Int32Array(1 << LZF_HASH_BITS)

/**
 * LZF compression (liblzf's format, the one lzfDecompress reads), written from the
 * format alone: literal runs of up to 32 bytes, and back-references of 3 to 264 bytes
 * up to 8 KiB back, found through a hash of the next three bytes. Null when the
 * result would exceed `maxOut` bytes (Redis then stores the string raw).
 */
export function lzfCompress(input: Uint8Array, maxOut: number): Buffer | null {
  const n = input.length
  if (n < 4) return null
  if (lzfBase > 0x3fffffff - n) {
    LZF_TABLE.fill(0)
    lzfBase = 1
  }
  const base = lzfBase
  lzfBase += n + 1
  const out = Buffer.allocUnsafe(maxOut + 3)
  const table = LZF_TABLE
  let ip = 0
  let op = 1 // out[0] is kept for the first literal run's control byte
  let lit = 0
  while (ip < n) {
    if (ip + 2 < n) {
      const h = (Math.imul((input[ip] << 16) | (input[ip + 1] << 8) | input[ip + 2], 0x9e3779b1) >>> (32 - LZF_HASH_BITS))
      const entry = table[h]
      table[h] = base + ip
      const ref = entry - base
      const off = ip - ref - 1
      if (entry >= base && off < 8192 && input[ref] === input[ip] && input[ref + 1] === input[ip + 1] && input[ref + 2] === input[ip + 2]) {
        let len = 3
        const maxLen = Math.min(264, n - ip)
        while (len < maxLen && input[ref + len] === input[ip + len]) len++
        // Close the literal run (or drop its unused control byte).
        if (lit > 0) out[op - lit - 1] = lit - 1
        else op--
        if (op + 3 > maxOut) return null
        const l = len - 2
        if (l < 7) {
          out[op++] = (l << 5) | (off >> 8)
        } else {
          out[op++] = (7 << 5) | (off >> 8)
          out[op++] = l - 7
        }
        out[op++] = off & 0xff
        lit = 0
        op++
        ip += len
        continue
      }
    }
    if (op >= maxOut) return null
    out[op++] = input[ip++]
    if (++lit === 32) {
      out[op - lit - 1] = 31
      lit = 0
      op++
    }
  }
  if (lit > 0) out[op - lit - 1] = lit - 1
  else op--
  return op <= maxOut ? out.subarray(0, op) : null
}
