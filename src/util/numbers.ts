import { isSpace } from '../resp/inline.js'
import { latin1Slice } from '../resp/latin1.js'
import { writeDigits } from './digits.js'

/**
 * Numbers as Redis reads them from arguments: string2ll, strtod, strtoul. Pure
 * functions of a string, so the store (set encodings) and the command layer both use
 * them without the store depending on commands.
 */

export const INT64_MAX = 9223372036854775807n
export const INT64_MIN = -9223372036854775808n
const UINT64_MAX = 18446744073709551615n

/**
 * Redis's string2ll: optional '-', digits, no '+', no leading zeros, no spaces,
 * within int64. Returns a number when exact in a double, a bigint beyond 2^53, and
 * null when Redis would say "value is not an integer or out of range".
 */
export function parseInt64(s: string): number | bigint | null {
  const len = s.length
  if (len === 0 || len > 20) return null
  let i = 0
  const first = s.charCodeAt(0)
  if (first === 0x2d) {
    if (len === 1) return null
    i = 1
  }
  const lead = s.charCodeAt(i)
  if (lead === 0x30) return len === 1 ? 0 : null
  if (len - i < 16) {
    let n = 0
    for (; i < len; i++) {
      const d = s.charCodeAt(i) - 0x30
      if (d < 0 || d > 9) return null
      n = n * 10 + d
    }
    return first === 0x2d ? -n : n
  }
  for (let j = i; j < len; j++) {
    const d = s.charCodeAt(j) - 0x30
    if (d < 0 || d > 9) return null
  }
  const big = BigInt(s)
  if (big > INT64_MAX || big < INT64_MIN) return null
  return Number.isSafeInteger(Number(big)) ? Number(big) : big
}

/** parseInt64 folded to a number (bigints clamp to ±2^53), for indexes and counts. */
export function parseInteger(s: string): number | null {
  const n = parseInt64(s)
  if (n === null || typeof n === 'number') return n
  return n > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER
}

/** An int64 as a number when exact in a double, else a bigint (as parseInt64 returns). */
export function int64(n: bigint): number | bigint {
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n
}

const digits = Buffer.alloc(24)

/**
 * String(n) for an integer that a command stores (INCR, HINCRBY), without V8's
 * number-to-string cache: that cache holds the last few thousand strings it made, so
 * every new counter value survived a scavenge or two. Formatting 8M increasing
 * numbers copied 15 MB in scavenges (93 ms of pauses) through String(), 0.2 MB
 * (13 ms) this way.
 */
export function intText(n: number | bigint): string {
  if (typeof n === 'bigint' || !Number.isSafeInteger(n)) return String(n)
  let p = writeDigits(digits, digits.length, n < 0 ? -n : n)
  if (n < 0) digits[--p] = 0x2d
  return latin1Slice(digits, p, digits.length - p)
}

/** a + b in int64 (INCRBY, HINCRBY), or null when it overflows. */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a + b)) return a + b
  const sum = BigInt(a) + BigInt(b)
  return sum > INT64_MAX || sum < INT64_MIN ? null : int64(sum)
}

/** Seconds beyond this overflow int64 milliseconds (LLONG_MAX / 1000 in C). */
const MAX_EXPIRE_SECONDS = 9223372036854775n

/**
 * The absolute expiry in ms for an expire time of `n` seconds or milliseconds, from
 * `now` or from the epoch; null when it overflows int64, where Redis answers "invalid
 * expire time".
 */
export function absoluteExpiry(n: number | bigint, seconds: boolean, relative: boolean, now: number): number | bigint | null {
  // Scaled and offset, such a time stays well inside a double's exact range.
  if (typeof n === 'number' && Math.abs(n) < 2 ** 40) return (seconds ? n * 1000 : n) + (relative ? now : 0)
  if (seconds && (n > MAX_EXPIRE_SECONDS || n < -MAX_EXPIRE_SECONDS)) return null
  const ms = BigInt(n) * (seconds ? 1000n : 1n) + (relative ? BigInt(now) : 0n)
  return ms > INT64_MAX ? null : int64(ms)
}

/**
 * A SCAN-family cursor as Redis reads it, with strtoul: an optional sign (negatives
 * wrap around), decimal digits and nothing else, no leading space, at most 2^64-1;
 * "" is 0, and the text ends at a NUL as a C string does. Null for an invalid cursor;
 * -1 for a valid one beyond 2^53, which we never hand out (the scan restarts).
 */
export function parseScanCursor(s: string): number | null {
  const nul = s.indexOf('\0')
  const len = nul < 0 ? s.length : nul
  if (len === 0) return 0
  const first = s.charCodeAt(0)
  const from = first === 0x2b || first === 0x2d ? 1 : 0
  if (from === len) return null
  let n = 0
  for (let i = from; i < len; i++) {
    const d = s.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) return null
    n = n * 10 + d
  }
  if (first !== 0x2d && n <= Number.MAX_SAFE_INTEGER) return n
  let v = BigInt(s.slice(from, len))
  if (v > UINT64_MAX) return null
  if (first === 0x2d && v !== 0n) v = UINT64_MAX + 1n - v
  return v <= 9007199254740991n ? Number(v) : -1
}

/**
 * Redis's getDoubleFromObject (ZADD scores, ZINCRBY, WEIGHTS): the whole argument is
 * one strtod number (decimal, hex such as 0x1.8p1, inf), with no leading space, no
 * NaN, and no overflow to infinity or underflow to zero. Null when Redis answers
 * "value is not a valid float".
 */
export function parseDouble(s: string): number | null {
  const len = s.length
  if (len === 0 || isSpace(s.charCodeAt(0))) return null
  const d = scanDouble(s, 0, len)
  if (d !== d) return null
  if (d === Infinity || d === -Infinity) {
    // An "inf" literal is fine; a finite literal that overflowed is ERANGE.
    return isInfLiteral(s) ? d : null
  }
  if (d === 0 && underflowed(s)) return null
  return d
}

/**
 * C's strtod over the argument from `from` as Redis uses it for ZRANGEBYSCORE-style
 * bounds: leading white space allowed, out-of-range values saturate to ±inf or 0, an
 * empty rest is 0, and the text stops at a NUL as a C string does. NaN when anything
 * but one number remains (Redis's `*eptr != '\0'`) or the number is NaN.
 */
export function strtod(s: string, from = 0): number {
  let end = s.indexOf('\0', from)
  if (end < 0) end = s.length
  return scanDouble(s, from, end)
}

const MIN_NORMAL = 2.2250738585072014e-308

/**
 * A SORT score: strtod over the text up to any NUL (leading white space allowed, ""
 * is 0) that must read it whole, refusing NaN and whatever sets ERANGE: overflow, and
 * underflow to zero or into the subnormals. Null when Redis refuses it.
 */
export function parseSortScore(s: string): number | null {
  const nul = s.indexOf('\0')
  const text = nul < 0 ? s : s.slice(0, nul)
  const d = scanDouble(text, 0, text.length)
  if (d !== d) return null
  if (d === Infinity || d === -Infinity) return isInfLiteral(text) ? d : null
  if (d !== 0 ? Math.abs(d) < MIN_NORMAL : underflowed(text)) return null
  return d
}

/** Whether a number that read as ±inf was written so (only "inf" has an n in it). */
function isInfLiteral(s: string): boolean {
  return s.indexOf('n') >= 0 || s.indexOf('N') >= 0
}


function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const l = c | 0x20
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1
}

/** Whether s[i..] starts with `word` (lower case), ignoring case. */
function startsWithWord(s: string, i: number, end: number, word: string): boolean {
  if (end - i < word.length) return false
  for (let k = 0; k < word.length; k++) {
    if ((s.charCodeAt(i + k) | 0x20) !== word.charCodeAt(k)) return false
  }
  return true
}

/**
 * strtod on s[from, end) that must consume all of it: the value, or NaN when some
 * text is left over (or the number is a NaN). No text at all is 0, as strtod leaves
 * the end pointer at the start and the C string is then empty.
 */
function scanDouble(s: string, from: number, end: number): number {
  let p = from
  while (p < end && isSpace(s.charCodeAt(p))) p++
  const start = p
  let neg = false
  let c = s.charCodeAt(p)
  if (c === 0x2b || c === 0x2d) {
    neg = c === 0x2d
    c = s.charCodeAt(++p)
  }
  if ((c | 0x20) === 0x69 && startsWithWord(s, p, end, 'inf')) {
    p += 3
    if (startsWithWord(s, p, end, 'inity')) p += 5
    if (p !== end) return NaN
    return neg ? -Infinity : Infinity
  }
  if ((c | 0x20) === 0x6e) return NaN // "nan" is rejected by every caller
  if (c === 0x30 && (s.charCodeAt(p + 1) | 0x20) === 0x78) {
    const hex = scanHex(s, p + 2, end, neg)
    if (hex !== undefined) return hex
  }
  let digits = 0
  while (p < end && isDigit(s.charCodeAt(p))) {
    p++
    digits++
  }
  if (p < end && s.charCodeAt(p) === 0x2e) {
    p++
    while (p < end && isDigit(s.charCodeAt(p))) {
      p++
      digits++
    }
  }
  if (digits === 0) return from === end ? 0 : NaN
  if (p < end && (s.charCodeAt(p) | 0x20) === 0x65) {
    let q = p + 1
    const sign = s.charCodeAt(q)
    if (sign === 0x2b || sign === 0x2d) q++
    if (q < end && isDigit(s.charCodeAt(q))) {
      while (q < end && isDigit(s.charCodeAt(q))) q++
      p = q
    }
  }
  if (p !== end) return NaN
  // The text is now a plain decimal literal, which Number() rounds exactly as strtod.
  return Number(start === 0 && end === s.length ? s : s.slice(start, end))
}

/**
 * The hex form after "0x": digits, an optional fraction and a binary exponent. Returns
 * undefined when no hex digit follows (strtod then reads just the "0").
 */
function scanHex(s: string, p: number, end: number, neg: boolean): number | undefined {
  let mantissa = 0n
  let digits = 0
  let fraction = 0
  while (p < end && hexValue(s.charCodeAt(p)) >= 0) {
    mantissa = mantissa * 16n + BigInt(hexValue(s.charCodeAt(p++)))
    digits++
  }
  if (p < end && s.charCodeAt(p) === 0x2e) {
    p++
    while (p < end && hexValue(s.charCodeAt(p)) >= 0) {
      mantissa = mantissa * 16n + BigInt(hexValue(s.charCodeAt(p++)))
      digits++
      fraction++
    }
  }
  if (digits === 0) return undefined
  let exp = 0
  if (p < end && (s.charCodeAt(p) | 0x20) === 0x70) {
    let q = p + 1
    const sign = s.charCodeAt(q)
    if (sign === 0x2b || sign === 0x2d) q++
    if (q < end && isDigit(s.charCodeAt(q))) {
      let e = 0
      while (q < end && isDigit(s.charCodeAt(q))) e = Math.min(e * 10 + s.charCodeAt(q++) - 0x30, 1e6)
      exp = sign === 0x2d ? -e : e
      p = q
    }
  }
  if (p !== end) return NaN
  const v = scaleBinary(mantissa, exp - 4 * fraction)
  return neg ? -v : v
}

/** m * 2^e as the nearest double (exact unless m needs more than 53 bits). */
function scaleBinary(m: bigint, e: number): number {
  if (m === 0n) return 0
  let v = Number(m)
  while (e > 0 && v !== Infinity) {
    const step = Math.min(e, 1000)
    v *= 2 ** step
    e -= step
  }
  while (e < 0 && v !== 0) {
    const step = Math.min(-e, 1000)
    v /= 2 ** step
    e += step
  }
  return v
}

/** Whether a literal that parsed as 0 had a nonzero digit, i.e. underflowed. */
function underflowed(s: string): boolean {
  const hex = s.indexOf('x') >= 0 || s.indexOf('X') >= 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const l = c | 0x20
    if (hex ? l === 0x70 : l === 0x65) return false
    if (hex ? hexValue(c) > 0 : c >= 0x31 && c <= 0x39) return true
  }
  return false
}
