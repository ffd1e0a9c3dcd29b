/**
 * CRC-64/Jones (reflected, polynomial 0xad93d23594c935a9, no final xor): the checksum
 * Redis puts on RDB files and DUMP payloads. crc64(Buffer.from('123456789')) is
 * 0xe9c6d914c4b8d9ca.
 *
 * The running value is kept as two 32-bit halves so the per-byte loop is plain
 * integer arithmetic: an RDB snapshot checksums every byte it writes or reads, and
 * a bigint per byte made that the slowest part of a save.
 */

const POLY = 0x95ac9329ac4bc9b5n // 0xad93d23594c935a9 bit-reversed

// Slicing by 8: table k (at k * 256) advances a byte through k more zero bytes, so
// eight bytes fold in with eight lookups and no per-byte shifts of the running value.
const TABLE_LO = new Uint32Array(8 * 256)
const TABLE_HI = new Uint32Array(8 * 256)
for (let i = 0; i < 256; i++) {
  let crc = BigInt(i)
  for (let j = 0; j < 8; j++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n
  TABLE_LO[i] = Number(crc & 0xffffffffn)
  TABLE_HI[i] = Number(crc >> 32n)
}
for (let k = 1; k < 8; k++) {
  for (let i = 0; i < 256; i++) {
    const plo = TABLE_LO[(k - 1) * 256 + i]
    const phi = TABLE_HI[(k - 1) * 256 + i]
    const t = plo & 0xff
    TABLE_LO[k * 256 + i] = (((plo >>> 8) | (phi << 24)) ^ TABLE_LO[t]) >>> 0
    TABLE_HI[k * 256 + i] = ((phi >>> 8) ^ TABLE_HI[t]) >>> 0
  }
}

/** A checksum fed in pieces (a snapshot is written and read a chunk at a time). */
export class Crc64 {
  private lo = 0
  private hi = 0

  constructor(initial = 0n) {
    this.lo = Number(initial & 0xffffffffn)
    this.hi = Number((initial >> 32n) & 0xffffffffn)
  }

  update(data: Uint8Array, start = 0, end = data.length): this {
    let lo = this.lo
    let hi = this.hi
    const TL = TABLE_LO
    const TH = TABLE_HI
    let i = start
    for (const stop = end - 7; i < stop; i += 8) {
      const a = lo ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))
      const b = hi ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24))
      const i7 = 1792 + (a & 0xff)
      const i6 = 1536 + ((a >>> 8) & 0xff)
      const i5 = 1280 + ((a >>> 16) & 0xff)
      const i4 = 1024 + (a >>> 24)
      const i3 = 768 + (b & 0xff)
      const i2 = 512 + ((b >>> 8) & 0xff)
      const i1 = 256 + ((b >>> 16) & 0xff)
      const i0 = b >>> 24
      lo = TL[i7] ^ TL[i6] ^ TL[i5] ^ TL[i4] ^ TL[i3] ^ TL[i2] ^ TL[i1] ^ TL[i0]
      hi = TH[i7] ^ TH[i6] ^ TH[i5] ^ TH[i4] ^ TH[i3] ^ TH[i2] ^ TH[i1] ^ TH[i0]
    }
    for (; i < end; i++) {
      const t = (lo ^ data[i]) & 0xff
      lo = ((lo >>> 8) | (hi << 24)) ^ TABLE_LO[t]
      hi = (hi >>> 8) ^ TABLE_HI[t]
    }
    this.lo = lo >>> 0
    this.hi = hi >>> 0
    return this
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo)
  }
}

export function crc64(data: Uint8Array, crc = 0n): bigint {
  return new Crc64(crc).update(data).value
}
