import { describe, expect, it } from 'vitest'
import { decimalLength, writeDigits } from '../../src/util/digits.js'
import { rng } from '../helpers/differential.js'

describe('writeDigits and decimalLength', () => {
  it('print every length of non-negative safe integer as String() does', () => {
    const r = rng(9)
    const values = [0, 9, 10, 99, 100, 101, 999, 1000, 2 ** 31 - 1, 2 ** 31, 1e10 - 1, 1e10, 1e15 + 7, Number.MAX_SAFE_INTEGER]
    for (let k = 0; k < 3000; k++) values.push(Math.floor(r.int(1e9) * 10 ** r.int(8)) % Number.MAX_SAFE_INTEGER)
    const b = new Uint8Array(32)
    for (const n of values) {
      const start = writeDigits(b, 32, n)
      expect(Buffer.from(b.subarray(start)).toString('latin1'), String(n)).toBe(String(n))
      expect(decimalLength(n), String(n)).toBe(String(n).length)
    }
  })
})
