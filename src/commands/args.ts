import { isSpace } from '../resp/inline.js'
import type { Client } from '../server/client.js'
import { Err } from './errors.js'

/**
 * Argument parsing with Redis's exact acceptance rules. Handlers call these instead
 * of Number()/parseInt(), which accept things Redis refuses (" 1", "1.0", "0x10", "").
 * The `...Arg` forms take the client and, like Redis's getLongFromObjectOrReply and
 * friends, reply the error themselves and return null.
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
 * Key positions after a numkeys argument at argv[at], following `first` (the keys
 * before it, e.g. a destination). When numkeys is not a usable count the result holds
 * -1, so COMMAND GETKEYS answers "Invalid arguments" as Redis does.
 */
export function numkeysKeys(argv: string[], at: number, first: readonly number[] = []): number[] {
  const n = parseInteger(argv[at] ?? '')
  if (n === null || n < 1 || at + n >= argv.length) return [-1]
  const keys = first.slice()
  for (let i = 0; i < n; i++) keys.push(at + 1 + i)
  return keys
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

/** Case-insensitive option match without allocating (NX, XX, WITHSCORES...). */
export function isOption(arg: string, upper: string): boolean {
  if (arg.length !== upper.length) return false
  for (let i = 0; i < upper.length; i++) {
    let c = arg.charCodeAt(i)
    if (c >= 0x61 && c <= 0x7a) c -= 32
    if (c !== upper.charCodeAt(i)) return false
  }
  return true
}

// --- Replying forms: the parsed value, or null after replying the error ---------------

/** An integer argument, as Redis's getLongFromObjectOrReply. */
export function integerArg(c: Client, s: string): number | null {
  const n = parseInteger(s)
  if (n === null) c.out.error(Err.notInteger)
  return n
}

/**
 * An integer of at least `min` (getRangeLongFromObjectOrReply): a non-number and one
 * below `min` both get `message`.
 */
export function integerAtLeast(c: Client, s: string, min: number, message: string): number | null {
  const n = parseInteger(s)
  if (n === null || n < min) {
    c.out.error(message)
    return null
  }
  return n
}

/** LONG_MAX / 2: HRANDFIELD WITHVALUES and ZRANDMEMBER WITHSCORES refuse counts beyond it. */
const HALF_LONG_MAX = 4611686018427387903n

/**
 * Our own limit on picks with repeats (a negative SRANDMEMBER, HRANDFIELD or
 * ZRANDMEMBER count). Redis starts writing any count and runs out of memory on absurd
 * ones; a Node process cannot even allocate such a reply, so we answer "out of range"
 * instead.
 */
export const MAX_REPEATED_PICKS = 1 << 26

/**
 * A SRANDMEMBER/HRANDFIELD/ZRANDMEMBER count: any int64 except -2^63, which Redis
 * refuses so that negating it cannot overflow.
 */
export function sampleCountArg(c: Client, s: string): number | bigint | null {
  const n = parseInt64(s)
  if (n === null) {
    c.out.error(Err.notInteger)
    return null
  }
  if (n === INT64_MIN) {
    c.out.error(Err.sampleCountRange)
    return null
  }
  return n
}

/**
 * HRANDFIELD's and ZRANDMEMBER's `count [WITHVALUES]` (or WITHSCORES, `withToken`)
 * from argv[2]. With it, Redis refuses counts whose reply length, two per pick, would
 * overflow a long.
 */
export function randomCountArgs(c: Client, argv: string[], withToken: string): { count: number; withValues: boolean } | null {
  const n = sampleCountArg(c, argv[2])
  if (n === null) return null
  if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3], withToken))) {
    c.out.error(Err.syntax)
    return null
  }
  const withValues = argv.length === 4
  if (withValues && (n < -HALF_LONG_MAX || n > HALF_LONG_MAX)) {
    c.out.error(Err.outOfRange)
    return null
  }
  return { count: Number(n), withValues }
}

export interface MpopArgs {
  /** argv index of the first key. */
  first: number
  numkeys: number
  /** Which of the two end tokens was given: 0 for the first (LEFT, MIN), 1 for the second. */
  end: 0 | 1
  count: number
}

/**
 * LMPOP's and ZMPOP's `numkeys key [key ...] <LEFT | RIGHT> [COUNT count]` from
 * argv[at], with `ends` the two end tokens (LEFT and RIGHT, or MIN and MAX).
 */
export function mpopArgs(c: Client, argv: string[], at: number, ends: readonly [string, string]): MpopArgs | null {
  const numkeys = integerAtLeast(c, argv[at], 1, Err.numkeysPositive)
  if (numkeys === null) return null
  const whereAt = at + numkeys + 1
  const where = whereAt < argv.length ? argv[whereAt] : ''
  const end = isOption(where, ends[0]) ? 0 : isOption(where, ends[1]) ? 1 : -1
  if (end === -1) {
    c.out.error(Err.syntax)
    return null
  }
  let count = -1
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && j + 1 < argv.length && isOption(argv[j], 'COUNT')) {
      const n = integerAtLeast(c, argv[++j], 1, Err.countPositive)
      if (n === null) return null
      count = n
    } else {
      c.out.error(Err.syntax)
      return null
    }
  }
  return { first: at + 1, numkeys, end, count: count === -1 ? 1 : count }
}
