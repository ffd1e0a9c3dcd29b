import { describe, expect, it } from 'vitest'
import { lzfCompress, lzfDecompress, rdbLength, readLength, readRdbBytes, readRdbString, readSpan, span } from '../../src/persistence/rdb-strings.js'

/**
 * RDB's length and string encodings, as FUNCTION DUMP/RESTORE use them (the functions
 * differential test also restores payloads redis-server wrote, LZF ones included).
 */
describe('RDB lengths and strings', () => {
  it('writes each length in the smallest form and reads it back', () => {
    const cases: [number, number][] = [[0, 1], [63, 1], [64, 2], [16383, 2], [16384, 5], [0xffffffff, 5], [0x100000000, 9]]
    for (const [n, size] of cases) {
      const b = rdbLength(n)
      expect(b.length, String(n)).toBe(size)
      expect(readLength({ buf: b, pos: 0 })).toBe(n)
    }
    expect(readLength({ buf: Buffer.from([0x40]), pos: 0 })).toBeNull()
  })

  it('reads raw strings, the three integer encodings and LZF, and refuses what is cut short', () => {
    const read = (bytes: number[]) => readRdbString({ buf: Buffer.from(bytes), pos: 0 })
    expect(read([3, 0x61, 0x62, 0x63])).toBe('abc')
    expect(read([0xc0, 0xff])).toBe('-1')
    expect(read([0xc1, 0x34, 0x12])).toBe('4660')
    expect(read([0xc2, 0x78, 0x56, 0x34, 0x12])).toBe('305419896')
    expect(read([5, 0x61])).toBeNull()
    // LZF: a literal "ab", then a back-reference of 4 bytes to offset 2 before: "ababab".
    expect(read([0xc3, 5, 6, 1, 0x61, 0x62, 0x40, 1])).toBe('ababab')
    expect(lzfDecompress(Buffer.from([1, 0x61, 0x62, 0x40, 9]), 6)).toBeNull()
  })

  it('finds packed bytes in place when raw, expanded in a reused buffer when LZF, and gives readRdbBytes callers their own copy', () => {
    const lzf = (data: Buffer): Buffer => {
      const packed = lzfCompress(data, data.length - 4)!
      return Buffer.concat([Buffer.from([0xc3]), rdbLength(packed.length), rdbLength(data.length), packed])
    }
    const one = Buffer.from('ab'.repeat(100), 'latin1')
    const two = Buffer.from('cd'.repeat(150), 'latin1')
    const input = Buffer.concat([Buffer.from([3]), Buffer.from('xyz'), lzf(one), lzf(two), lzf(one)])
    const r = { buf: input, pos: 0 }
    expect(readSpan(r)).toBe(true)
    expect(span.buf).toBe(input)
    expect([span.start, span.end]).toEqual([1, 4])
    const first = readRdbBytes(r)!
    expect(readSpan(r)).toBe(true)
    expect(span.buf.subarray(span.start, span.end).equals(two)).toBe(true)
    // The second expansion reused the scratch buffer; the first result is unharmed.
    expect(first.equals(one)).toBe(true)
    expect(readRdbString(r)).toBe('ab'.repeat(100))
    expect(r.pos).toBe(input.length)
    // An expansion that does not fill exactly the declared length is refused.
    const packed = lzfCompress(one, one.length - 4)!
    const claim = (n: number) => Buffer.concat([Buffer.from([0xc3]), rdbLength(packed.length), rdbLength(n), packed])
    expect(readSpan({ buf: claim(one.length), pos: 0 })).toBe(true)
    expect(readSpan({ buf: claim(one.length + 1), pos: 0 })).toBe(false)
    expect(readSpan({ buf: claim(one.length - 1), pos: 0 })).toBe(false)
  })
})
