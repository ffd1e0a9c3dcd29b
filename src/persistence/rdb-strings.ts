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
  const len = readLength(r)
  if (len === null) return null
  const b = r.buf
  if (len >= 0) {
    if (r.pos + len > b.length) return null
    r.pos += len
    return latin1Slice(b, r.pos - len, len)
  }
  const encoding = -1 - len
  const width = [1, 2, 4][encoding]
  if (width !== undefined) {
    if (r.pos + width > b.length) return null
    const v = width === 1 ? b.readInt8(r.pos) : width === 2 ? b.readInt16LE(r.pos) : b.readInt32LE(r.pos)
    r.pos += width
    return String(v)
  }
  if (encoding !== 3) return null
  const clen = readLength(r)
  const ulen = readLength(r)
  if (clen === null || ulen === null || clen < 0 || ulen < 0 || r.pos + clen > b.length) return null
  // A back-reference of 3 bytes expands to at most 264, so a larger claim is corrupt
  // and is refused before the output buffer is allocated.
  if (ulen > clen * 88 + 32) return null
  const out = lzfDecompress(b.subarray(r.pos, r.pos + clen), ulen)
  r.pos += clen
  return out === null ? null : out.latin1Slice(0, out.length)
}

/**
 * An RDB string as bytes (listpacks, ziplists, intsets inside values): a view of the
 * input when stored raw, so no string is made only to be turned back into bytes.
 */
export function readRdbBytes(r: Reader): Buffer | null {
  const at = r.pos
  const len = readLength(r)
  if (len === null) return null
  if (len >= 0) {
    if (r.pos + len > r.buf.length) return null
    r.pos += len
    return r.buf.subarray(r.pos - len, r.pos)
  }
  r.pos = at
  const s = readRdbString(r)
  return s === null ? null : Buffer.from(s, 'latin1')
}

/** LZF decompression (liblzf's format): literal runs and back-references. */
export function lzfDecompress(input: Buffer, outLen: number): Buffer | null {
  const out = Buffer.alloc(outLen)
  let ip = 0
  let op = 0
  while (ip < input.length) {
    const ctrl = input[ip++]
    if (ctrl < 32) {
      const run = ctrl + 1
      if (op + run > outLen || ip + run > input.length) return null
      input.copy(out, op, ip, ip + run)
      op += run
      ip += run
    } else {
      let len = ctrl >> 5
      if (len === 7) {
        if (ip >= input.length) return null
        len += input[ip++]
      }
      if (ip >= input.length) return null
      const ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1
      len += 2
      if (ref < 0 || op + len > outLen) return null
      for (let i = 0; i < len; i++) out[op++] = out[ref + i]
    }
  }
  return op === outLen ? out : null
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
