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

const TABLE_LO = new Uint32Array(256)
const TABLE_HI = new Uint32Array(256)
for (let i = 0; i < 256; i++) {
  let crc = BigInt(i)
  for (let j = 0; j < 8; j++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n
  TABLE_LO[i] = Number(crc & 0xffffffffn)
  TABLE_HI[i] = Number(crc >> 32n)
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
    for (let i = start; i < end; i++) {
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
