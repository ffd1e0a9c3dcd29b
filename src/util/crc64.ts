/**
 * CRC-64/Jones (reflected, polynomial 0xad93d23594c935a9, no final xor): the checksum
 * Redis puts on RDB files and DUMP payloads. crc64(Buffer.from('123456789')) is
 * 0xe9c6d914c4b8d9ca.
 */

const POLY = 0x95ac9329ac4bc9b5n // 0xad93d23594c935a9 bit-reversed
const MASK = 0xffffffffffffffffn

const TABLE: bigint[] = []
for (let i = 0; i < 256; i++) {
  let crc = BigInt(i)
  for (let j = 0; j < 8; j++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n
  TABLE.push(crc)
}

export function crc64(data: Uint8Array, crc = 0n): bigint {
  for (let i = 0; i < data.length; i++) crc = TABLE[Number((crc ^ BigInt(data[i])) & 0xffn)] ^ (crc >> 8n)
  return crc & MASK
}
