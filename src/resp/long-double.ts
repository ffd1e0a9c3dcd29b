/**
 * The x87 80-bit "long double" of x86-64 Linux, which Redis uses for INCRBYFLOAT and
 * HINCRBYFLOAT: a 64-bit significand and a 15-bit exponent. Redis parses with glibc's
 * strtold, adds in long double, and prints with "%.17Lf"; each step rounds to nearest,
 * ties to even. Doing the same in doubles gives different digits (0.1 + 0.2 prints
 * "0.30000000000000004" instead of "0.3"), so values here are exact binary fractions
 * held in BigInts and every rounding is done by hand. Not fast, but these commands
 * are not hot, and the common integer case never gets here.
 */

/** |value| = m * 2^e, with m < 2^64; zero has m = 0n. */
export interface LongDouble {
  neg: boolean
  m: bigint
  e: number
  inf: boolean
}

const SIGNIFICAND_BITS = 64
/** The smallest subnormal is 2^-16445 (exponent field 0, 63 fraction bits). */
const MIN_EXP = -16445
/** Values of 2^16384 and more overflow to infinity. */
const MAX_BITS = 16384
/** Redis copies the argument into a buffer of this size (MAX_LONG_DOUBLE_CHARS). */
const MAX_CHARS = 5 * 1024

const ZERO: LongDouble = { neg: false, m: 0n, e: 0, inf: false }
const TWO_64 = 1n << 64n
const TEN_17 = 10n ** 17n

function bitLength(n: bigint): number {
  if (n === 0n) return 0
  const hex = n.toString(16)
  return (hex.length - 1) * 4 + 32 - Math.clz32(parseInt(hex[0], 16))
}

/**
 * The long double nearest to n / d * 2^e2 (n >= 0, d > 0), ties to even, with
 * subnormals and overflow to infinity as the hardware does them.
 */
function round(neg: boolean, n: bigint, d: bigint, e2: number): LongDouble {
  if (n === 0n) return { neg, m: 0n, e: 0, inf: false }
  // n/d lies in [2^(l-1), 2^(l+1)), so this e puts the quotient in [2^63, 2^65).
  const l = bitLength(n) - bitLength(d)
  let e = Math.max(e2 + l - SIGNIFICAND_BITS, MIN_EXP)
  let q: bigint
  let r: bigint
  let den: bigint
  for (;;) {
    const shift = e2 - e
    const num = shift >= 0 ? n << BigInt(shift) : n
    den = shift >= 0 ? d : d << BigInt(-shift)
    q = num / den
    r = num - q * den
    if (q < TWO_64) break
    e++
  }
  const twice = r * 2n
  if (twice > den || (twice === den && (q & 1n) === 1n)) {
    q++
    if (q === TWO_64) {
      q >>= 1n
      e++
    }
  }
  if (q !== 0n && e + bitLength(q) > MAX_BITS) return { neg, m: 0n, e: 0, inf: true }
  return { neg, m: q, e, inf: false }
}

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/
const INF_RE = /^([+-]?)inf(?:inity)?$/i

/** A decimal exponent string as a number, saturating far beyond any meaningful range. */
function exponent(s: string | undefined): number {
  if (s === undefined) return 0
  const n = Number(s)
  return Math.max(-1e9, Math.min(1e9, n))
}

/**
 * Redis's string2ld: glibc strtold over the whole argument (decimal, hex, inf), with
 * no leading space, no NaN, and no overflow or underflow to zero. Null when Redis
 * answers "value is not a valid float".
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_CHARS) return null
  let match = DECIMAL_RE.exec(s)
  if (match !== null) {
    const neg = match[1] === '-'
    const int = match[2]
    const frac = match[3] ?? ''
    if (int.length === 0 && frac.length === 0) return null
    let digits = int + frac
    let lead = 0
    while (lead < digits.length && digits.charCodeAt(lead) === 0x30) lead++
    if (lead === digits.length) return { neg, m: 0n, e: 0, inf: false }
    digits = digits.slice(lead)
    const k = exponent(match[4]) - frac.length
    // The value lies in [10^(len-1+k), 10^(len+k)): settle the extremes without
    // computing huge powers. Above 1.19e4932 overflows; below 1.8e-4951 rounds to 0.
    if (digits.length - 1 + k >= 4933) return null
    if (digits.length + k <= -4952) return null
    const n = BigInt(digits)
    const v = k >= 0 ? round(neg, n * 10n ** BigInt(k), 1n, 0) : round(neg, n, 10n ** BigInt(-k), 0)
    return v.inf || v.m === 0n ? null : v
  }
  match = HEX_RE.exec(s)
  if (match !== null) {
    const neg = match[1] === '-'
    const int = match[2]
    const frac = match[3] ?? ''
    // "0x" with no hex digit parses as 0 followed by junk.
    if (int.length === 0 && frac.length === 0) return null
    const n = BigInt('0x' + (int + frac || '0'))
    if (n === 0n) return { neg, m: 0n, e: 0, inf: false }
    const e2 = exponent(match[4]) - 4 * frac.length
    const bits = bitLength(n) + e2
    if (bits > MAX_BITS + 1) return null
    if (bits < MIN_EXP - 2) return null
    const v = round(neg, n, 1n, e2)
    return v.inf || v.m === 0n ? null : v
  }
  match = INF_RE.exec(s)
  if (match !== null) return { neg: match[1] === '-', m: 0n, e: 0, inf: true }
  return null
}

/** a + b rounded to long double; null for NaN (inf + -inf). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return null
    return a.inf ? a : b
  }
  if (a.m === 0n) return b.m === 0n ? { ...ZERO, neg: a.neg && b.neg } : b
  if (b.m === 0n) return a
  const e = Math.min(a.e, b.e)
  const x = a.m << BigInt(a.e - e)
  const y = b.m << BigInt(b.e - e)
  const sum = (a.neg ? -x : x) + (b.neg ? -y : y)
  if (sum === 0n) return ZERO
  return sum < 0n ? round(true, -sum, 1n, e) : round(false, sum, 1n, e)
}

/** a * k rounded to long double, for a whole k > 0 (blocking timeouts scale seconds to ms). */
export function scaleLongDouble(a: LongDouble, k: bigint): LongDouble {
  if (a.inf || a.m === 0n) return a
  return round(a.neg, a.m * k, 1n, a.e)
}

/** The exact long double of a double (every double is one). */
export function longDoubleFromNumber(d: number): LongDouble {
  if (d === Infinity || d === -Infinity) return { neg: d < 0, m: 0n, e: 0, inf: true }
  if (d === 0) return { neg: Object.is(d, -0), m: 0n, e: 0, inf: false }
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, d)
  const bits = view.getBigUint64(0)
  const neg = bits >> 63n === 1n
  const field = Number((bits >> 52n) & 0x7ffn)
  const fraction = bits & ((1n << 52n) - 1n)
  if (field === 0) return { neg, m: fraction, e: -1074, inf: false }
  return { neg, m: fraction | (1n << 52n), e: field - 1075, inf: false }
}

/**
 * Redis's human form of a long double: "%.17Lf", then trailing zeros and a bare '.'
 * trimmed, and "-0" written as "0". Never exponential: 1e20 is "100000000000000000000".
 */
export function formatLongDoubleHuman(x: LongDouble): string {
  if (x.inf) return x.neg ? '-inf' : 'inf'
  let text: string
  if (x.e >= 0) {
    text = (x.m << BigInt(x.e)).toString()
  } else {
    const shift = BigInt(-x.e)
    const scaled = x.m * TEN_17
    let q = scaled >> shift
    const r = scaled - (q << shift)
    const half = 1n << (shift - 1n)
    if (r > half || (r === half && (q & 1n) === 1n)) q++
    const int = (q / TEN_17).toString()
    let frac = (q % TEN_17).toString().padStart(17, '0')
    let end = frac.length
    while (end > 0 && frac.charCodeAt(end - 1) === 0x30) end--
    frac = frac.slice(0, end)
    text = frac.length === 0 ? int : `${int}.${frac}`
  }
  if (!x.neg || text === '0') return text
  return '-' + text
}
