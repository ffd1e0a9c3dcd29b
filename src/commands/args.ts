import { INT64_MIN, parseInt64, parseInteger } from '../util/numbers.js'
import type { Caller } from '../server/caller.js'
import { Err } from './errors.js'

/**
 * Argument parsing with Redis's exact acceptance rules. Handlers call these instead
 * of Number()/parseInt(), which accept things Redis refuses (" 1", "1.0", "0x10", "").
 * The `...Arg` forms take the client and, like Redis's getLongFromObjectOrReply and
 * friends, reply the error themselves and return null.
 */

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
export function integerArg(c: Caller, s: string): number | null {
  const n = parseInteger(s)
  if (n === null) c.out.error(Err.notInteger)
  return n
}

/**
 * An integer of at least `min` (getRangeLongFromObjectOrReply): a non-number and one
 * below `min` both get `message`.
 */
export function integerAtLeast(c: Caller, s: string, min: number, message: string): number | null {
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
export function sampleCountArg(c: Caller, s: string): number | bigint | null {
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
export function randomCountArgs(c: Caller, argv: string[], withToken: string): { count: number; withValues: boolean } | null {
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
export function mpopArgs(c: Caller, argv: string[], at: number, ends: readonly [string, string]): MpopArgs | null {
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
