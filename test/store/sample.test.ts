import { describe, expect, it } from 'vitest'
import { distinctIndexes } from '../../src/store/sample.js'

describe('distinctIndexes (SRANDMEMBER, SPOP, ZRANDMEMBER counts)', () => {
  it('returns exactly count distinct indexes below size, by shuffle and by redraw', () => {
    for (const [size, count] of [[10, 9], [10, 10], [1000, 400], [1000, 5], [1, 1], [5, 0]]) {
      const got = distinctIndexes(size, count)
      expect(got.length, `${size}/${count}`).toBe(count)
      expect(new Set(got).size).toBe(count)
      for (const i of got) expect(i >= 0 && i < size && Number.isInteger(i)).toBe(true)
    }
  })

  it('reaches every index over many draws', () => {
    const seen = new Set<number>()
    for (let round = 0; round < 200; round++) for (const i of distinctIndexes(20, 2)) seen.add(i)
    expect(seen.size).toBe(20)
  })
})
