import { describe, expect, it } from 'vitest'
import { formatLongDouble } from '../../src/resp/format.js'
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../../src/resp/long-double.js'

/** a + b as INCRBYFLOAT answers it, or the error class. */
function incr(a: string, b: string): string {
  const x = parseLongDouble(a)
  const y = parseLongDouble(b)
  if (x === null || y === null) return 'not a valid float'
  const sum = addLongDouble(x, y)
  return sum === null || sum.inf ? 'NaN or Infinity' : formatLongDoubleHuman(sum)
}

// Expected strings are redis-server 7.0.15's INCRBYFLOAT replies (x86-64 long double).
describe('long double (INCRBYFLOAT arithmetic)', () => {
  it('adds in 64-bit precision and prints %.17Lf with zeros trimmed', () => {
    expect(incr('0.1', '0.2')).toBe('0.3')
    expect(incr('10.5', '0.1')).toBe('10.6')
    expect(incr('1.5', '0.1')).toBe('1.6')
    expect(incr('5.0e3', '2.0e2')).toBe('5200')
    expect(incr('1e19', '1')).toBe('10000000000000000001')
    expect(incr('18446744073709551615', '1')).toBe('18446744073709551616')
    expect(incr('123456789012345678901234567890', '0.5')).toBe('123456789012345678899921813504')
    expect(incr('1.5', '1e300').slice(0, 40)).toBe('1000000000000000000008997324079559193870')
    expect(incr('1.5', '1e300')).toHaveLength(301)
    expect(incr('-1', '1')).toBe('0')
    expect(incr('-0', '-0')).toBe('0')
  })

  it('rounds the 17th decimal half to even, and prints tiny negatives as 0', () => {
    expect(incr('0', '0.00000000000000001')).toBe('0.00000000000000001')
    expect(incr('0', '0.000000000000000015')).toBe('0.00000000000000002')
    expect(incr('0', '0.000000000000000025')).toBe('0.00000000000000002')
    expect(incr('0', '0.000000000000000005')).toBe('0')
    expect(incr('0', '-0.000000000000000005')).toBe('0')
  })

  it('parses what strtold accepts and Redis keeps: hex, inf, subnormals', () => {
    expect(incr('1.5', '0x10')).toBe('17.5')
    expect(incr('1.5', '0x1p3')).toBe('9.5')
    expect(incr('1', '.5')).toBe('1.5')
    expect(incr('1', '5.')).toBe('6')
    expect(incr('1', '+5')).toBe('6')
    expect(incr('1.5', '1e-4940')).toBe('1.5')
    expect(incr('1', 'inf')).toBe('NaN or Infinity')
    expect(incr('1', '-Infinity')).toBe('NaN or Infinity')
    expect(incr('1.18973149535723176502e+4932', '0').slice(0, 20)).toBe('11897314953572317650')
    expect(incr('1.18973149535723176502e+4932', '1e4932')).toBe('NaN or Infinity')
  })

  it('rejects what Redis rejects', () => {
    for (const s of ['', ' 1', '1 ', 'abc', 'nan', '.', 'e1', '1e', '0x', '1e5000', '1e-5000', '0x1p-16446', '1\0', '1'.repeat(5120)]) {
      expect(parseLongDouble(s), JSON.stringify(s.slice(0, 10))).toBeNull()
    }
  })

  it('formatLongDouble prints a double exactly as %.17Lf would', () => {
    expect(formatLongDouble(0.1)).toBe('0.10000000000000001')
    expect(formatLongDouble(1e20)).toBe('100000000000000000000')
    expect(formatLongDouble(3)).toBe('3')
    expect(formatLongDouble(-2.5)).toBe('-2.5')
    expect(formatLongDouble(-0)).toBe('0')
    expect(formatLongDouble(1e-18)).toBe('0')
  })
})
