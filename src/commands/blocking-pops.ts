import { parseLongDouble, scaleLongDouble } from '../resp/long-double.js'
import type { Caller } from '../server/caller.js'
import type { Collection } from '../store/types.js'
import { parseInt64 } from '../util/numbers.js'
import { Err } from './errors.js'
import type { CollectionClass } from './lookup.js'
import type { CommandSpec } from './spec.js'

/**
 * What the blocking pops of lists (BLPOP, BLMOVE, BLMPOP...) and sorted sets
 * (BZPOPMIN, BZMPOP...) share. A command that finds nothing to serve parks its client
 * on its keys; when one of them is fed, the handler runs again with c.retrying set
 * and serves from that key alone (Redis 7.0 serves a waiter from the key that became
 * ready, even if another of its keys also holds data by then), or keeps waiting if
 * the key holds nothing it can pop after all.
 */

const TWO_63 = 1n << 63n

/**
 * A blocking command's timeout in seconds, as Redis 7.0 reads it: any strtold number
 * (fractions, exponents, hex, inf), times 1000 in long double, rounded up to whole
 * milliseconds, then cast to a 64-bit integer. Returns the wait in ms (0 = forever),
 * or the error text. Tiny negatives round up to 0 and so wait forever; anything at or
 * past 2^63 ms wraps negative in the cast, as on x86-64.
 */
export function parseTimeout(arg: string): number | string {
  const whole = parseInt64(arg)
  // Whole seconds below 2^40 are exact in a double once scaled.
  if (typeof whole === 'number' && whole >= 0 && whole < 2 ** 40) return whole * 1000
  const parsed = parseLongDouble(arg)
  if (parsed === null) return Err.timeoutNotFloat
  const v = scaleLongDouble(parsed, 1000n)
  if (v.inf) return Err.timeoutNegative
  if (v.m === 0n) return 0
  // floor(|v|), and whether it had a fraction.
  let floor: bigint
  let fraction = false
  if (v.e >= 0) {
    floor = v.m << BigInt(v.e)
  } else {
    const shift = BigInt(-v.e)
    floor = v.m >> shift
    fraction = floor << shift !== v.m
  }
  if (v.neg) return floor === 0n ? 0 : Err.timeoutNegative
  const ms = fraction ? floor + 1n : floor
  return ms >= TWO_63 ? Err.timeoutNegative : Number(ms)
}

/** A blocking command's timeout argument in ms (0 = forever). */
export function timeoutArg(c: Caller, arg: string): number | null {
  const t = parseTimeout(arg)
  if (typeof t === 'string') {
    c.out.error(t)
    return null
  }
  return t
}

/**
 * Nothing to serve: parks the client on `keys` until one is fed or `timeout` ms pass,
 * when it gets a null array. Where blocking is denied (MULTI, scripts) that null array
 * is the answer at once.
 */
export function waitOnKeys(c: Caller, spec: CommandSpec, argv: string[], keys: string[], timeout: number): void {
  if (c.denyBlocking) return c.out.nullArray()
  c.block(spec, argv, keys, timeout, replyNullArray)
}

function replyNullArray(c: Caller): void {
  c.out.nullArray()
}

/**
 * During a re-run: the signalled key and its value when that is a non-empty `type`;
 * otherwise the client goes back to waiting and the result is null.
 */
export function readyValue<T extends Collection>(c: Caller, type: CollectionClass<T>): { key: string; value: T } | null {
  const state = c.blocked!
  const key = state.readyKey!
  const v = c.db.get(key)
  if (v instanceof type && v.size > 0) return { key, value: v }
  c.block(state.spec, state.argv, state.keys, 0, state.onTimeout)
  return null
}
