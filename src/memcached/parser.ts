/**
 * Lexing of memcached's text protocol: lines, tokens and the number forms memcached
 * accepts. Kept apart from the commands so each rule is written once and can be
 * checked against memcached 1.6 on its own (test/memcached/differential.test.ts).
 */

/** Longest key memcached accepts (KEY_MAX_LENGTH). */
export const KEY_MAX_LENGTH = 250

/**
 * A line without its newline may grow to this before memcached gives up on the
 * connection, unless it is a get/gets (multi-key reads may be long): memcached 1.6
 * closes such a connection without a reply.
 */
export const MAX_LINE = 2048

/** Our own bound for a multi-key read line, where memcached's grows its buffer. */
export const MAX_GET_LINE = 1024 * 1024

/**
 * The tokens of a command line (latin1 text), split on spaces only: tabs and other
 * control bytes belong to the token, as in memcached. memcached reads the line as a C
 * string, so it ends at the first NUL byte.
 *
 * They are written into `out`, which is returned: a connection passes the same array
 * for every line rather than allocate one per request. Nothing keeps the tokens past
 * its command.
 */
export function tokenize(line: string, out: string[] = []): string[] {
  const nul = line.indexOf('\0')
  if (nul >= 0) line = line.slice(0, nul)
  let n = 0
  let start = -1
  for (let i = 0; i < line.length; i++) {
    if (line.charCodeAt(i) === 32) {
      if (start >= 0) {
        out[n++] = line.slice(start, i)
        start = -1
      }
    } else if (start < 0) start = i
  }
  if (start >= 0) out[n++] = line.slice(start)
  // Shortening in place keeps the array's store; only an empty line gives it up.
  if (out.length !== n) out.length = n
  return out
}

/**
 * strtoull/strtol as memcached's safe_strto* use them: optional leading whitespace and
 * sign, decimal digits, then the end or any whitespace (whatever follows a space is
 * ignored, so "5\tx" and a value "5 junk" read as 5). The text is a C string: it ends
 * at a NUL.
 */
const NUMBER = /^[\t\n\v\f\r ]*([+-]?)(\d+)(?:[\t\n\v\f\r ][^]*)?$/

function cString(s: string): string {
  const nul = s.indexOf('\0')
  return nul < 0 ? s : s.slice(0, nul)
}

/**
 * The common case, plain digits short enough for a double to hold exactly, read
 * without a regular expression or a BigInt (every storage command has three
 * numbers); -1 when the token needs the full rules below.
 */
function plainDigits(t: string): number {
  const n = t.length
  if (n === 0 || n > 15) return -1
  let v = 0
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    v = v * 10 + c
  }
  return v
}

/** safe_strtoull: a negative number is refused, unless it is -0 (strtoull's wrap-around is what memcached checks). */
export function parseU64(token: string): bigint | null {
  const fast = plainDigits(token)
  if (fast >= 0) return BigInt(fast)
  const m = NUMBER.exec(cString(token))
  if (m === null) return null
  const v = BigInt(m[2])
  if (v > 0xffffffffffffffffn) return null
  if (m[1] === '-' && v !== 0n) return null
  return v
}

/** safe_strtol into a signed 32-bit int (exptime, data length, flush_all delay). */
export function parseI32(token: string): number | null {
  const fast = plainDigits(token)
  if (fast >= 0 && fast <= 0x7fffffff) return fast
  const m = NUMBER.exec(cString(token))
  if (m === null) return null
  const v = m[1] === '-' ? -BigInt(m[2]) : BigInt(m[2])
  if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) return null
  return Number(BigInt.asIntN(32, v))
}

/** Client flags: parsed as an unsigned long and kept to 32 bits, as memcached 1.6.18 does. */
export function parseFlags(token: string): number | null {
  const fast = plainDigits(token)
  if (fast >= 0) return fast % 4294967296
  const v = parseU64(token)
  return v === null ? null : Number(v & 0xffffffffn)
}

/**
 * An exptime as memcached reads it: 0 never, negative already expired, up to 30 days
 * relative seconds, beyond that an absolute unix time. Returns an absolute ms time,
 * 0 for none, -1 for already expired.
 */
export function expiryFromExptime(exptime: number, now: number): number {
  if (exptime === 0) return 0
  if (exptime < 0) return -1
  const at = exptime > 60 * 60 * 24 * 30 ? exptime * 1000 : now + exptime * 1000
  return at <= now ? -1 : at
}

/** Seconds left before `at` (mg t, me exp), -1 for a key without expiry. */
export function ttlSeconds(at: number | undefined, now: number): number {
  return at === undefined ? -1 : Math.max(0, Math.ceil((at - now) / 1000))
}
