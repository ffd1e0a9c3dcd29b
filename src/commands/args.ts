/**
 * Argument parsing with Redis's exact acceptance rules. Handlers call these instead
 * of Number()/parseInt(), which accept things Redis refuses (" 1", "1.0", "0x10", "").
 */

const INT64_MAX = 9223372036854775807n
const INT64_MIN = -9223372036854775808n

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

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const INF_RE = /^[+-]?inf(?:inity)?$/i

/**
 * Redis's strtod-based float parsing (INCRBYFLOAT, ZADD scores): decimal or inf, no
 * surrounding spaces, no NaN, no overflow to infinity. Returns null when invalid.
 */
export function parseDouble(s: string): number | null {
  if (FLOAT_RE.test(s)) {
    const d = Number(s)
    return Number.isFinite(d) ? d : null
  }
  if (INF_RE.test(s)) return s.charCodeAt(0) === 0x2d ? -Infinity : Infinity
  return null
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
