import type { Caller } from '../../server/caller.js'
import { Notify } from '../../server/notify.js'
import { ZSet } from '../../store/zset.js'
import { integerAtLeast, mpopArgs, numkeysKeys } from '../args.js'
import { readyValue, timeoutArg, waitOnKeys } from '../blocking-pops.js'
import { Err } from '../errors.js'
import { afterRemoval } from '../lookup.js'
import { command, oneKey, popKeyFlags, type CommandSpec } from '../spec.js'
import { zsetForWrite } from './shared.js'

/**
 * Popping the lowest or highest members: ZPOPMIN, ZPOPMAX, ZMPOP and their blocking
 * forms BZPOPMIN, BZPOPMAX, BZMPOP.
 */

// --- pops -------------------------------------------------------------------------------

const enum End {
  Min,
  Max,
}

/**
 * Pops up to `count` members (-1: one, as when no count was given) from the first
 * existing key of keys[from..to), replying in one of Redis's four shapes: flat pairs
 * or [member, score] pairs (`nested`), with or without the key in front (`withKey`).
 * Returns false, without replying, when none of the keys holds a sorted set.
 */
function popGeneric(c: Caller, keys: string[], from: number, to: number, end: End, withKey: boolean,
  count: number, nested: boolean): boolean {
  const out = c.out
  let key = ''
  let z: ZSet | undefined
  for (let i = from; i < to; i++) {
    const v = zsetForWrite(c, keys[i])
    if (v === null) return true
    if (v === undefined) continue
    key = keys[i]
    z = v
    break
  }
  if (z === undefined) return false
  if (count === 0) {
    out.array(0)
    return true
  }
  if (count === -1) count = 1
  const n = Math.min(count, z.size)
  // The multi-key and blocking forms replay as the pop of the key they served.
  if (withKey && c.server.propagation.active) {
    const name = end === End.Min ? 'ZPOPMIN' : 'ZPOPMAX'
    c.propagateAs(nested ? [name, key, String(n)] : [name, key])
  }
  if (withKey) {
    if (nested) {
      out.array(2)
      out.bulk(key)
      out.array(n)
    } else {
      out.array(n * 2 + 1)
      out.bulk(key)
    }
  } else {
    out.array(nested ? n : n * 2)
  }
  for (let i = 0; i < n; i++) {
    const member = end === End.Min ? z.minMember : z.maxMember
    const score = end === End.Min ? z.minScore : z.maxScore
    z.delete(member)
    if (nested) out.array(2)
    out.bulk(member)
    out.double(score)
  }
  afterRemoval(c, key, z, Notify.zset, end === End.Min ? 'zpopmin' : 'zpopmax')
  return true
}

/** ZPOPMIN key [count], ZPOPMAX key [count] */
function zpopGeneric(c: Caller, argv: string[], end: End): void {
  if (argv.length > 3) return c.out.error(Err.syntax)
  let count = -1
  if (argv.length === 3) {
    const n = integerAtLeast(c, argv[2], 0, Err.mustBePositive)
    if (n === null) return
    count = n
  }
  // RESP3 nests pairs only when a count was given, as Redis 7.0 does.
  if (!popGeneric(c, argv, 1, 2, end, false, count, c.out.proto === 3 && count !== -1)) c.out.array(0)
}

function zpopmin(c: Caller, argv: string[]): void {
  zpopGeneric(c, argv, End.Min)
}

function zpopmax(c: Caller, argv: string[]): void {
  zpopGeneric(c, argv, End.Max)
}

/** The ends of `numkeys key [key ...] <MIN | MAX> [COUNT count]`, in End's order. */
const MPOP_ENDS = ['MIN', 'MAX'] as const

/** ZMPOP numkeys key [key ...] <MIN | MAX> [COUNT count] */
function zmpop(c: Caller, argv: string[]): void {
  const args = mpopArgs(c, argv, 1, MPOP_ENDS)
  if (args === null) return
  if (!popGeneric(c, argv, args.first, args.first + args.numkeys, args.end, true, args.count, true)) c.out.nullArray()
}

// --- blocking pops (see blocking-pops.ts) ----------------------------------------------

/** BZPOPMIN key [key ...] timeout, BZPOPMAX key [key ...] timeout */
function bzpopGeneric(c: Caller, argv: string[], end: End, spec: CommandSpec): void {
  if (c.retrying) {
    const ready = readyValue(c, ZSet)
    if (ready !== null) popGeneric(c, [ready.key], 0, 1, end, true, -1, false)
    return
  }
  const last = argv.length - 1
  const timeout = timeoutArg(c, argv[last])
  if (timeout === null) return
  if (popGeneric(c, argv, 1, last, end, true, -1, false)) return
  waitOnKeys(c, spec, argv, argv.slice(1, last), timeout)
}

function bzpopmin(c: Caller, argv: string[]): void {
  bzpopGeneric(c, argv, End.Min, bzpopminSpec)
}

function bzpopmax(c: Caller, argv: string[]): void {
  bzpopGeneric(c, argv, End.Max, bzpopmaxSpec)
}

/** BZMPOP timeout numkeys key [key ...] <MIN | MAX> [COUNT count]: unlike BLMPOP, the timeout is read last. */
function bzmpop(c: Caller, argv: string[]): void {
  const args = mpopArgs(c, argv, 2, MPOP_ENDS)
  if (args === null) return
  if (c.retrying) {
    const ready = readyValue(c, ZSet)
    if (ready !== null) popGeneric(c, [ready.key], 0, 1, args.end, true, args.count, true)
    return
  }
  const timeout = timeoutArg(c, argv[1])
  if (timeout === null) return
  const to = args.first + args.numkeys
  if (popGeneric(c, argv, args.first, to, args.end, true, args.count, true)) return
  waitOnKeys(c, bzmpopSpec, argv, argv.slice(args.first, to), timeout)
}

// --- the table --------------------------------------------------------------------------

const MPOP_COMPLEXITY = 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.'

export const zpopminSpec = command({
  name: 'zpopmin', arity: -2, flags: ['write', 'fast'], keyFlags: popKeyFlags, ...oneKey, group: 'sorted-set', since: '5.0.0',
  complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
  summary: 'Remove and return members with the lowest scores in a sorted set', syntax: 'key [count]', handler: zpopmin,
})

export const zpopmaxSpec = command({
  name: 'zpopmax', arity: -2, flags: ['write', 'fast'], keyFlags: popKeyFlags, ...oneKey, group: 'sorted-set', since: '5.0.0',
  complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
  summary: 'Remove and return members with the highest scores in a sorted set', syntax: 'key [count]', handler: zpopmax,
})

export const zmpopSpec = command({
  name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], keyFlags: popKeyFlags, keys: (argv) => numkeysKeys(argv, 1),
  group: 'sorted-set', since: '7.0.0', complexity: MPOP_COMPLEXITY,
  summary: 'Remove and return members with scores in a sorted set',
  syntax: 'numkeys key [key ...] <MIN | MAX> [COUNT count]', handler: zmpop,
})

export const bzpopminSpec = command({
  name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keyFlags: popKeyFlags,
  firstKey: 1, lastKey: -2, step: 1, group: 'sorted-set', since: '5.0.0',
  complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  summary: 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available',
  syntax: 'key [key ...] timeout', handler: bzpopmin,
})

export const bzpopmaxSpec = command({
  name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keyFlags: popKeyFlags,
  firstKey: 1, lastKey: -2, step: 1, group: 'sorted-set', since: '5.0.0',
  complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  summary: 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available',
  syntax: 'key [key ...] timeout', handler: bzpopmax,
})

export const bzmpopSpec = command({
  name: 'bzmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], keyFlags: popKeyFlags,
  keys: (argv) => numkeysKeys(argv, 2), group: 'sorted-set', since: '7.0.0', complexity: MPOP_COMPLEXITY,
  summary: 'Remove and return members with scores in a sorted set or block until one is available',
  syntax: 'timeout numkeys key [key ...] <MIN | MAX> [COUNT count]', handler: bzmpop,
})
