import { describe, expect, it } from 'vitest'
import { addInt64, INT64_MAX, INT64_MIN, intText } from '../../src/util/numbers.js'
import { rng } from '../helpers/differential.js'

describe('intText', () => {
  it('prints integers exactly as String() does', () => {
    const edges = [0, -0, 1, -1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, 1e15, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]
    const r = rng(3)
    const random = Array.from({ length: 2000 }, () => Math.floor((r.int(2) === 0 ? -1 : 1) * r.int(1e9) * 10 ** r.int(7)))
    for (const n of [...edges, ...random]) expect(intText(n), String(n)).toBe(String(n))
    for (const n of [INT64_MAX, INT64_MIN, 0n]) expect(intText(n)).toBe(String(n))
  })
})

describe('addInt64', () => {
  it('adds within int64, as a number while exact, and refuses an overflow', () => {
    expect(addInt64(2, 3)).toBe(5)
    expect(addInt64(Number.MAX_SAFE_INTEGER, 1)).toBe(9007199254740992n)
    expect(addInt64(INT64_MAX, 0)).toBe(INT64_MAX)
    expect(addInt64(INT64_MAX, 1)).toBeNull()
    expect(addInt64(INT64_MIN, -1)).toBeNull()
    expect(addInt64(9007199254740992n, -1)).toBe(Number.MAX_SAFE_INTEGER)
  })
})
