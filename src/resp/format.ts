import { formatLongDoubleHuman, longDoubleFromNumber } from './long-double.js'

/**
 * Number formatting exactly as Redis 7.0 prints it. Clients compare these strings
 * (ZSCORE, INCRBYFLOAT), so JavaScript's shortest round-trip form is not enough.
 */

/** C's printf("%.17g"), which Redis uses for doubles in replies (3.5, 1e+20, inf). */
export function formatDouble(d: number): string {
  return formatG(d, 17)
}

/**
 * C's printf("%.<precision>g") for 1 <= precision <= 17, with glibc's spellings of
 * the specials (inf, -inf, nan; a NaN with its sign bit set is "-nan"). Lua 5.1 prints
 * numbers with %.14g.
 */
export function formatG(d: number, precision: number): string {
  if (d === Infinity) return 'inf'
  if (d === -Infinity) return '-inf'
  if (d !== d) return nanIsNegative(d) ? '-nan' : 'nan'
  if (d === 0) return Object.is(d, -0) ? '-0' : '0'
  // Exact integers with at most `precision` digits print as themselves: the common case.
  if (Number.isSafeInteger(d) && d < POWERS_OF_TEN[precision] && d > -POWERS_OF_TEN[precision]) return String(d)
  const p = precision - 1
  let exp = d.toExponential(p)
  let e = exp.indexOf('e')
  const tie = isHalfway(d, p - Number(exp.slice(e + 1)))
  if (tie) {
    // Rounded away from zero on a tie; printf rounds to even, which may move the exponent back.
    exp = toEvenExponential(exp.slice(0, e), Number(exp.slice(e + 1)))
    e = exp.indexOf('e')
  }
  const exponent = Number(exp.slice(e + 1))
  if (exponent < -4 || exponent >= precision) {
    const mantissa = trimZeros(exp.slice(0, e))
    const sign = exponent < 0 ? '-' : '+'
    const digits = String(Math.abs(exponent))
    return `${mantissa}e${sign}${digits.length < 2 ? '0' + digits : digits}`
  }
  const fixed = d.toFixed(p - exponent)
  return trimZeros(isHalfway(d, p - exponent) ? toEven(fixed) : fixed)
}

const POWERS_OF_TEN = Array.from({ length: 18 }, (_, i) => 10 ** i)

/** A tie rounded away from zero by toExponential, brought back to even ("x.xx5" cases). */
function toEvenExponential(mantissa: string, exponent: number): string {
  return `${toEven(mantissa)}e${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`
}

const nanBits = new DataView(new ArrayBuffer(8))

/** Whether a NaN has its sign bit set (0/0 on x86-64 does: glibc prints "-nan"). */
function nanIsNegative(d: number): boolean {
  nanBits.setFloat64(0, d)
  return (nanBits.getUint8(0) & 0x80) !== 0
}

/**
 * JavaScript rounds an exact tie away from zero; printf rounds it to even. After a
 * tie the last digit was rounded up, so an odd one must come back down by one (it
 * cannot borrow: an odd digit is at least 1).
 */
function toEven(s: string): string {
  const last = s.charCodeAt(s.length - 1)
  return (last & 1) === 1 ? s.slice(0, -1) + String.fromCharCode(last - 1) : s
}

const bits = new DataView(new ArrayBuffer(8))

/** Whether |d| * 10^scale is exactly halfway between two integers. */
function isHalfway(d: number, scale: number): boolean {
  bits.setFloat64(0, d)
  const hi = bits.getUint32(0)
  const biased = (hi >>> 20) & 0x7ff
  let mantissa = (hi & 0xfffff) * 2 ** 32 + bits.getUint32(4)
  let exp2 = -1074
  if (biased !== 0) {
    mantissa += 2 ** 52
    exp2 = biased - 1075
  }
  // |d| * 10^scale = odd * 5^scale * 2^(exp2 + zeros + scale), where odd = mantissa >> zeros:
  // a half exactly when that power of two is 2^-1 and, for negative scales, 5^-scale
  // divides the odd part.
  const zeros = -1 - scale - exp2
  if (zeros < 0 || zeros > 52) return false
  const unit = 2 ** zeros
  if (mantissa % unit !== 0 || (mantissa / unit) % 2 !== 1) return false
  if (scale >= 0) return true
  return -scale <= 22 && (mantissa / unit) % 5 ** -scale === 0
}

function trimZeros(s: string): string {
  if (s.indexOf('.') < 0) return s
  let end = s.length
  while (s.charCodeAt(end - 1) === 0x30) end--
  if (s.charCodeAt(end - 1) === 0x2e) end--
  return s.slice(0, end)
}

/**
 * INCRBYFLOAT's form of a double: Redis prints a long double with "%.17Lf" and trims
 * trailing zeros, so results are fixed-point, never exponential (1e20 is
 * "100000000000000000000"). Exact for the double given; INCRBYFLOAT itself computes
 * in long double (see long-double.ts), which a double cannot reproduce.
 */
export function formatLongDouble(d: number): string {
  return formatLongDoubleHuman(longDoubleFromNumber(d))
}
