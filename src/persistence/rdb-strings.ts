/**
 * RDB's length and string encodings (the format notes of redis-rdb-tools and Redis's
 * RDB documentation, implemented here by hand): lengths in 1, 2, 5 or 9 bytes, and
 * strings stored raw, as small integers or LZF-compressed. FUNCTION DUMP/RESTORE use
 * them now; RDB snapshots will.
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
    return b.latin1Slice(r.pos - len, r.pos)
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
  const out = lzfDecompress(b.subarray(r.pos, r.pos + clen), ulen)
  r.pos += clen
  return out === null ? null : out.latin1Slice(0, out.length)
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
