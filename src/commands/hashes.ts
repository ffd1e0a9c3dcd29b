import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../resp/long-double.js'
import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import { scanStep } from '../store/cursors.js'
import { globMatch } from '../store/glob.js'
import { HashValue } from '../store/hash.js'
import { MAX_REPEATED_PICKS, randomCountArgs } from './args.js'
import { addInt64, intText, parseInt64 } from '../util/numbers.js'
import { Err } from './errors.js'
import { afterRemoval, typedLookups } from './lookup.js'
import { COLLECTION_SCAN_COMPLEXITY, collectionScanArgs, matcher, replyScan } from './scan.js'
import { command, oneKey, type CommandSpec } from './spec.js'

/**
 * Hash commands. A hash is a HashValue (store/hash.ts): fields and values are latin1
 * strings, and a hash left without fields is deleted with its key.
 */

const { forRead: hashForRead, forWrite: hashForWrite, orCreate: hashOrCreate } = typedLookups(HashValue)

/** HSET key field value [field value ...] */
function hset(c: Caller, argv: string[]): void {
  const added = setFields(c, argv, 'hset')
  if (added !== null) c.out.integer(added)
}

/** HMSET key field value [field value ...]: HSET answering +OK. */
function hmset(c: Caller, argv: string[]): void {
  if (setFields(c, argv, 'hmset') !== null) c.out.simple('OK')
}

/** Sets HSET's and HMSET's field/value pairs; the number of new fields, or null after an error reply. */
function setFields(c: Caller, argv: string[], name: string): number | null {
  if (argv.length % 2 !== 0) {
    c.out.error(Err.wrongArgs(name))
    return null
  }
  const key = argv[1]
  const h = hashOrCreate(c, key)
  if (h === null) return null
  let added = 0
  for (let i = 2; i < argv.length; i += 2) if (h.set(argv[i], argv[i + 1])) added++
  // Announced even when no value changed, as in Redis; HMSET too is "hset".
  c.db.modified(key)
  c.notify(Notify.hash, 'hset', key)
  return added
}

/** HSETNX key field value */
function hsetnx(c: Caller, argv: string[]): void {
  const key = argv[1]
  const h = hashOrCreate(c, key)
  if (h === null) return
  if (h.has(argv[2])) return c.out.integer(0)
  h.set(argv[2], argv[3])
  c.db.modified(key)
  c.notify(Notify.hash, 'hset', key)
  c.out.integer(1)
}

/** HGET key field */
function hget(c: Caller, argv: string[]): void {
  const h = hashForRead(c, argv[1])
  if (h === null) return
  const v = h === undefined ? undefined : h.get(argv[2])
  if (v === undefined) c.out.nullBulk()
  else c.out.bulk(v)
}

/** HMGET key field [field ...] */
function hmget(c: Caller, argv: string[]): void {
  const h = hashForRead(c, argv[1])
  if (h === null) return
  const out = c.out
  out.array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) {
    const v = h === undefined ? undefined : h.get(argv[i])
    if (v === undefined) out.nullBulk()
    else out.bulk(v)
  }
}

/** HDEL key field [field ...] */
function hdel(c: Caller, argv: string[]): void {
  const key = argv[1]
  const h = hashForWrite(c, key)
  if (h === null) return
  if (h === undefined) return c.out.integer(0)
  let removed = 0
  for (let i = 2; i < argv.length; i++) {
    if (h.delete(argv[i])) {
      removed++
      if (h.size === 0) break
    }
  }
  if (removed > 0) afterRemoval(c, key, h, Notify.hash, 'hdel')
  c.out.integer(removed)
}

/** HEXISTS key field */
function hexists(c: Caller, argv: string[]): void {
  const h = hashForRead(c, argv[1])
  if (h === null) return
  c.out.integer(h !== undefined && h.has(argv[2]) ? 1 : 0)
}

/** HLEN key */
function hlen(c: Caller, argv: string[]): void {
  const h = hashForRead(c, argv[1])
  if (h === null) return
  c.out.integer(h === undefined ? 0 : h.size)
}

/** HSTRLEN key field */
function hstrlen(c: Caller, argv: string[]): void {
  const h = hashForRead(c, argv[1])
  if (h === null) return
  const v = h === undefined ? undefined : h.get(argv[2])
  c.out.integer(v === undefined ? 0 : v.length)
}

/** HKEYS key */
function hkeys(c: Caller, argv: string[]): void {
  const h = hashForRead(c, argv[1])
  if (h === null) return
  const out = c.out
  if (h === undefined) return out.array(0)
  out.array(h.size)
  for (const f of h.fields()) out.bulk(f)
}

/** HVALS key */
function hvals(c: Caller, argv: string[]): void {
  const h = hashForRead(c, argv[1])
  if (h === null) return
  const out = c.out
  if (h === undefined) return out.array(0)
  out.array(h.size)
  for (const v of h.values()) out.bulk(v)
}

/** HGETALL key: a map in RESP3, a flat field/value array in RESP2. */
function hgetall(c: Caller, argv: string[]): void {
  const h = hashForRead(c, argv[1])
  if (h === null) return
  const out = c.out
  if (h === undefined) return out.map(0)
  out.map(h.size)
  for (const [f, v] of h.entries()) {
    out.bulk(f)
    out.bulk(v)
  }
}

/** HINCRBY key field increment */
function hincrby(c: Caller, argv: string[]): void {
  const by = parseInt64(argv[3])
  if (by === null) return c.out.error(Err.notInteger)
  const key = argv[1]
  const h = hashOrCreate(c, key)
  if (h === null) return
  const field = argv[2]
  const current = h.get(field)
  let value: number | bigint = 0
  if (current !== undefined) {
    const n = parseInt64(current)
    if (n === null) return c.out.error(Err.hashNotInteger)
    value = n
  }
  const next = addInt64(value, by)
  if (next === null) return c.out.error(Err.overflow)
  h.set(field, intText(next))
  c.db.modified(key)
  c.notify(Notify.hash, 'hincrby', key)
  c.out.integer(next)
}

/**
 * HINCRBYFLOAT key field increment. Redis adds in long double and prints with
 * "%.17Lf" (see resp/long-double.ts); sums of small integers take a shortcut.
 */
function hincrbyfloat(c: Caller, argv: string[]): void {
  const incr = parseLongDouble(argv[3])
  if (incr === null) return c.out.error(Err.notFloat)
  if (incr.inf) return c.out.error(Err.valueNanOrInfinity)
  const key = argv[1]
  const h = hashOrCreate(c, key)
  if (h === null) return
  const field = argv[2]
  const current = h.get(field)
  const a = current === undefined ? 0 : parseInt64(current)
  const b = parseInt64(argv[3])
  let next: string
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a + b)) {
    next = intText(a + b)
  } else {
    const x = parseLongDouble(current ?? '0')
    if (x === null) return c.out.error(Err.hashNotFloat)
    const sum = addLongDouble(x, incr)
    if (sum === null || sum.inf) return c.out.error(Err.nanOrInfinity)
    next = formatLongDoubleHuman(sum)
  }
  h.set(field, next)
  c.db.modified(key)
  c.notify(Notify.hash, 'hincrbyfloat', key)
  c.out.bulk(next)
}

/** HRANDFIELD key [count [WITHVALUES]] */
function hrandfield(c: Caller, argv: string[]): void {
  const out = c.out
  if (argv.length === 2) {
    const h = hashForRead(c, argv[1])
    if (h === null) return
    if (h === undefined) return out.nullBulk()
    return out.bulk(h.sampler().random())
  }
  const args = randomCountArgs(c, argv, 'WITHVALUES')
  if (args === null) return
  const { count, withValues } = args
  const h = hashForRead(c, argv[1])
  if (h === null) return
  if (h === undefined || count === 0) return out.array(0)
  // RESP3 pairs each field with its value in a 2-element array; RESP2 flattens.
  const nested = withValues && out.proto === 3
  const width = withValues && !nested ? 2 : 1
  if (count < 0) {
    if (-count > MAX_REPEATED_PICKS) return out.error(Err.outOfRange)
    // Repeats allowed: stream the picks rather than building a list of -count.
    const index = h.sampler()
    out.array(-count * width)
    for (let i = 0; i < -count; i++) replyField(c, h, index.random(), withValues, nested)
    return
  }
  if (count >= h.size) {
    // Everything, in the hash's own order, as Redis does for a count past the size.
    out.array(h.size * width)
    for (const f of h.fields()) replyField(c, h, f, withValues, nested)
    return
  }
  const picked = h.sampler().sampleDistinct(count)
  out.array(count * width)
  for (const f of picked) replyField(c, h, f, withValues, nested)
}

function replyField(c: Caller, h: HashValue, field: string, withValues: boolean, nested: boolean): void {
  const out = c.out
  if (!withValues) return out.bulk(field)
  if (nested) out.array(2)
  out.bulk(field)
  out.bulk(h.get(field)!)
}

/**
 * HSCAN key cursor [MATCH pattern] [COUNT count]. A listpack-sized hash comes back
 * whole with cursor 0, as in Redis; a larger one in steps over a live iterator.
 */
function hscan(c: Caller, argv: string[]): void {
  const scan = collectionScanArgs(c, argv, hashForRead)
  if (scan === null) return
  const { value: h, cursor, options: { count, pattern } } = scan
  const items: string[] = []
  if (h.isListpack || (cursor === 0 && h.size <= count)) {
    // Everything in one reply: as Redis does for a listpack, and as its hash table
    // scan nearly always ends up doing when COUNT covers the whole hash.
    for (const [f, v] of h.entries()) {
      if (pattern === null || globMatch(pattern, f)) items.push(f, v)
    }
    return replyScan(c, 0, items)
  }
  const step = scanStep(h.cursors(), cursor, count, () => h.fields(), matcher(pattern))
  for (const f of step.items) items.push(f, h.get(f)!)
  replyScan(c, step.cursor, items)
}


export const hashCommands: CommandSpec[] = [
  command({
    name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    summary: 'Set the string value of a hash field', syntax: 'key field value [field value ...]', handler: hset,
  }),
  command({
    name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(1)', summary: 'Set the value of a hash field, only if the field does not exist',
    syntax: 'key field value', handler: hsetnx,
  }),
  command({
    name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(N) where N is the number of fields being set.', summary: 'Set multiple hash fields to multiple values',
    syntax: 'key field value [field value ...]', handler: hmset,
  }),
  command({
    name: 'hget', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(1)', summary: 'Get the value of a hash field', syntax: 'key field', handler: hget,
  }),
  command({
    name: 'hmget', arity: -3, flags: ['readonly', 'fast'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(N) where N is the number of fields being requested.', summary: 'Get the values of all the given hash fields',
    syntax: 'key field [field ...]', handler: hmget,
  }),
  command({
    name: 'hdel', arity: -3, flags: ['write', 'fast'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(N) where N is the number of fields to be removed.', summary: 'Delete one or more hash fields',
    syntax: 'key field [field ...]', handler: hdel,
  }),
  command({
    name: 'hexists', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(1)', summary: 'Determine if a hash field exists', syntax: 'key field', handler: hexists,
  }),
  command({
    name: 'hlen', arity: 2, flags: ['readonly', 'fast'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(1)', summary: 'Get the number of fields in a hash', syntax: 'key', handler: hlen,
  }),
  command({
    name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'hash', since: '3.2.0',
    complexity: 'O(1)', summary: 'Get the length of the value of a hash field', syntax: 'key field', handler: hstrlen,
  }),
  command({
    name: 'hkeys', arity: 2, flags: ['readonly'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(N) where N is the size of the hash.', summary: 'Get all the fields in a hash', syntax: 'key',
    tips: ['nondeterministic_output_order'], handler: hkeys,
  }),
  command({
    name: 'hvals', arity: 2, flags: ['readonly'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(N) where N is the size of the hash.', summary: 'Get all the values in a hash', syntax: 'key',
    tips: ['nondeterministic_output_order'], handler: hvals,
  }),
  command({
    name: 'hgetall', arity: 2, flags: ['readonly'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(N) where N is the size of the hash.', summary: 'Get all the fields and values in a hash', syntax: 'key',
    tips: ['nondeterministic_output_order'], handler: hgetall,
  }),
  command({
    name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'hash', since: '2.0.0',
    complexity: 'O(1)', summary: 'Increment the integer value of a hash field by the given number',
    syntax: 'key field increment', handler: hincrby,
  }),
  command({
    name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'hash', since: '2.6.0',
    complexity: 'O(1)', summary: 'Increment the float value of a hash field by the given amount',
    syntax: 'key field increment', handler: hincrbyfloat,
  }),
  command({
    name: 'hrandfield', arity: -2, flags: ['readonly'], ...oneKey, group: 'hash', since: '6.2.0',
    complexity: 'O(N) where N is the number of fields returned', summary: 'Get one or multiple random fields from a hash',
    syntax: 'key [count [WITHVALUES]]', tips: ['nondeterministic_output'], handler: hrandfield,
  }),
  command({
    name: 'hscan', arity: -3, flags: ['readonly'], ...oneKey, group: 'hash', since: '2.8.0',
    complexity: COLLECTION_SCAN_COMPLEXITY, summary: 'Incrementally iterate hash fields and associated values',
    syntax: 'key cursor [MATCH pattern] [COUNT count]', tips: ['nondeterministic_output'], handler: hscan,
  }),
]
