import { describe, expect, it } from 'vitest'
import { Crc64, crc64 } from '../../src/util/crc64.js'

/** CRC-64/Jones as Redis computes it, whole or fed in pieces. */
describe('crc64', () => {
  it('gives the check value of CRC-64/Jones and agrees with itself fed in pieces', () => {
    expect(crc64(Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can)
    expect(crc64(Buffer.alloc(0))).toBe(0n)
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 131 + 7) & 0xff))
    const whole = crc64(data)
    const pieces = new Crc64().update(data, 0, 1234).update(data, 1234, 4000).update(data.subarray(4000))
    expect(pieces.value).toBe(whole)
    expect(crc64(data.subarray(2000), crc64(data.subarray(0, 2000)))).toBe(whole)
  })
})
