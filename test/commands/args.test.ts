import { describe, expect, it } from 'vitest'
import { numkeysKeys } from '../../src/commands/args.js'
import { absoluteExpiry, parseScanCursor } from '../../src/util/numbers.js'

/** White-box checks of the shared argument parsers; the command tests cover them end to end. */

describe('parseScanCursor (SCAN, HSCAN, SSCAN, ZSCAN)', () => {
  it('reads strtoul\'s forms: sign, wrap-around, empty, and a C string ending at NUL', () => {
    const ok: [string, number][] = [['0', 0], ['', 0], ['+7', 7], ['-0', 0], ['00012', 12], ['5\0junk', 5], ['\0', 0],
      ['9007199254740991', 9007199254740991], ['9007199254740992', -1], ['18446744073709551615', -1], ['-1', -1],
      ['-18446744073709551615', 1]]
    for (const [s, v] of ok) expect(parseScanCursor(s), JSON.stringify(s)).toBe(v)
    for (const s of [' 0', '0 ', '+', '-', '0x1', '1.0', 'abc', '18446744073709551616', '-18446744073709551616']) {
      expect(parseScanCursor(s), JSON.stringify(s)).toBeNull()
    }
  })
})

describe('numkeysKeys (LMPOP, ZUNIONSTORE, SINTERCARD and friends)', () => {
  it('lists the keys after numkeys, after any keys before it, or -1 when numkeys is unusable', () => {
    expect(numkeysKeys(['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1', '2'], 1)).toEqual([2, 3])
    expect(numkeysKeys(['ZUNIONSTORE', 'd', '2', 'a', 'b'], 2, [1])).toEqual([1, 3, 4])
    expect(numkeysKeys(['ZUNIONSTORE', 'd', '3', 'a', 'b'], 2, [1])).toEqual([-1])
    for (const n of ['0', '-1', 'x', '01']) expect(numkeysKeys(['LMPOP', n, 'a', 'LEFT'], 1), n).toEqual([-1])
    expect(numkeysKeys(['LMPOP'], 1)).toEqual([-1])
  })
})

describe('absoluteExpiry (SET EX/PX/EXAT/PXAT, GETEX, EXPIRE and friends)', () => {
  it('scales and offsets exactly, and refuses what overflows int64 milliseconds', () => {
    expect(absoluteExpiry(10, true, true, 1000)).toBe(11_000)
    expect(absoluteExpiry(10, false, true, 1000)).toBe(1010)
    expect(absoluteExpiry(-5, true, false, 1000)).toBe(-5000)
    expect(absoluteExpiry(9223372036854775n, true, false, 0)).toBe(9223372036854775000n)
    expect(absoluteExpiry(9223372036854776n, true, false, 0)).toBeNull()
    expect(absoluteExpiry(-9223372036854776n, true, false, 0)).toBeNull()
    expect(absoluteExpiry(9223372036854775807n, false, false, 0)).toBe(9223372036854775807n)
    expect(absoluteExpiry(9223372036854775807n, false, true, 1)).toBeNull()
    expect(absoluteExpiry(2 ** 50, false, true, 1)).toBe(2 ** 50 + 1)
  })
})
