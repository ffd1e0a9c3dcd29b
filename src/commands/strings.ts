import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../resp/long-double.js'
import type { RespValue } from '../resp/values.js'
import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import type { Database } from '../store/database.js'
import type { HeldValue } from '../store/keys.js'
import { MutableString, Structured, type StoredValue } from '../store/types.js'
import { isOption } from './args.js'
import { absoluteExpiry, addInt64, intText, INT64_MIN, int64, parseInt64 } from '../util/numbers.js'
import { Err } from './errors.js'
import { command, oneKey, type CommandSpec } from './spec.js'

/**
 * String commands. Values are latin1 strings (one char per byte). GET, SET, MGET and
 * MSET also carry structured values (any RESP type) for the mini Redis dialect; every
 * other string command answers WRONGTYPE for them, as for collections.
 */

/** A value argument as sent: a string from Redis clients, anything from the mini client. */
/** SET's value as the store takes it: a Buffer is a long value still as bytes (CommandSpec.bytesValue). */
function storable(v: RespValue | Buffer): StoredValue | Buffer {
  return typeof v === 'string' || v instanceof Uint8Array ? v : new Structured(v)
}

/**
 * Replies with a value as GET does: its own type for structured values, false (with
 * nothing written) for a value of another type.
 */
export function replyValue(c: Caller, v: HeldValue | undefined): boolean {
  if (typeof v === 'number') {
    // A mid-sized string is answered from its slot's bytes, with no string made for it.
    const strings = c.db.keys.strings
    c.out.bulkBytes(strings.pageBytes(v), strings.offset(v), strings.length(v))
    return true
  }
  if (v === undefined) {
    c.out.nullBulk()
    return true
  }
  if (typeof v === 'string') {
    c.out.bulk(v)
    return true
  }
  if (v instanceof MutableString) {
    // From the bytes: a bitmap may be longer than any JS string. (Not bytes(): its
    // subarray would be one more object per GET.)
    c.out.bulkBuffer(v.buf, v.length)
    return true
  }
  if (v instanceof Structured) {
    c.out.value(v.value)
    return true
  }
  return false
}

// ---------------------------------------------------------------------------------
// OBJECT ENCODING of strings

/**
 * Redis's encoding for a string value: "int" when it reads as an int64 in at most 20
 * chars, "embstr" up to 44 bytes, "raw" beyond, unless the database holds a note
 * that this very value was made by APPEND/SETRANGE (raw) or INCRBYFLOAT (embstr). A
 * MutableString (SETBIT, BITFIELD, BITOP) is always raw.
 */
export function stringEncoding(db: Database, key: string, v: string): string {
  if (db.keys.get(key) instanceof MutableString) return 'raw'
  const notes = db.stringEncodings
  if (notes !== null) {
    const note = notes.get(key)
    if (note !== undefined && note.value === v) return note.encoding
  }
  if (v.length <= 20 && parseInt64(v) !== null) return 'int'
  return v.length <= 44 ? 'embstr' : 'raw'
}

/** Forgets how a key's string was made: it now follows from its value. */
export function dropNote(db: Database, key: string): void {
  const notes = db.stringEncodings
  if (notes !== null) notes.delete(key)
}

/** A value rewritten in place by SETRANGE, SETBIT, BITOP...: Redis's "raw" object. */
export function noteRaw(db: Database, key: string, value: string): void {
  if (value.length <= 44) note(db, key, value, 'raw')
  else dropNote(db, key)
}

/** Records an encoding that differs from what the value alone implies. */
export function note(db: Database, key: string, value: string, encoding: string, unshared?: boolean): void {
  let notes = db.stringEncodings
  if (notes === null) notes = db.stringEncodings = new Map()
  notes.set(key, unshared === undefined ? { value, encoding } : { value, encoding, unshared })
  // Notes outlive keys that expire or are deleted; sweep the stale ones whenever the
  // map doubles past 1024, which keeps it within twice the live notes, amortised O(1).
  const size = notes.size
  if (size >= 1024 && (size & (size - 1)) === 0) {
    for (const [k, n] of notes) if (db.keys.get(k) !== n.value) notes.delete(k)
  }
}

/**
 * RENAME and MOVE keep the value object in Redis, and COPY duplicates it with its
 * encoding, so the note goes along. A copied integer is its own object, no longer
 * the shared one for 0..9999.
 */
export function carryNote(from: Database, fromKey: string, to: Database, toKey: string, copy: boolean): void {
  const n = from.stringEncodings?.get(fromKey)
  const v = to.keys.get(toKey)
  if (copy && typeof v === 'string' && stringEncoding(from, fromKey, v) === 'int') note(to, toKey, v, 'int', true)
  else if (n !== undefined) note(to, toKey, n.value, n.encoding, n.unshared)
  else dropNote(to, toKey)
}

/** Whether OBJECT REFCOUNT sees a private object where Redis would share one. */
export function unsharedInt(db: Database, key: string, v: string): boolean {
  const n = db.stringEncodings?.get(key)
  return n !== undefined && n.value === v && n.unshared === true
}

// ---------------------------------------------------------------------------------
// Expiry options shared by SET, GETEX, SETEX and PSETEX

const enum Opt {
  NX = 1,
  XX = 2,
  GET = 4,
  KEEPTTL = 8,
  PERSIST = 16,
  EX = 32,
  PX = 64,
  EXAT = 128,
  PXAT = 256,
  EXPIRY = EX | PX | EXAT | PXAT,
}

function expiryOption(opt: string): number {
  if (isOption(opt, 'EX')) return Opt.EX
  if (isOption(opt, 'PX')) return Opt.PX
  if (isOption(opt, 'EXAT')) return Opt.EXAT
  if (isOption(opt, 'PXAT')) return Opt.PXAT
  return 0
}

/** Index of the expire-time argument found by the last parseOptions(). */
let expireArg = 0

/**
 * SET's and GETEX's options with Redis's rules: a repeated option is fine, but
 * conflicting ones (NX and XX, two different expiry units, KEEPTTL or PERSIST with an
 * expiry) are a syntax error. The expire time is only read afterwards, so for
 * "EX 0 EX 5" the last one counts. Returns the flags, or -1 after replying.
 */
function parseOptions(c: Caller, argv: string[], forGetex: boolean): number {
  let flags = 0
  // SET key value [options] or GETEX key [options].
  for (let i = forGetex ? 2 : 3; i < argv.length; i++) {
    const opt = argv[i]
    const unit = i + 1 < argv.length ? expiryOption(opt) : 0
    if (unit !== 0 && !(flags & (Opt.KEEPTTL | Opt.PERSIST | (Opt.EXPIRY & ~unit)))) {
      flags |= unit
      expireArg = ++i
    } else if (forGetex) {
      if (isOption(opt, 'PERSIST') && !(flags & Opt.EXPIRY)) flags |= Opt.PERSIST
      else {
        c.out.error(Err.syntax)
        return -1
      }
    } else if (isOption(opt, 'NX') && !(flags & Opt.XX)) flags |= Opt.NX
    else if (isOption(opt, 'XX') && !(flags & Opt.NX)) flags |= Opt.XX
    else if (isOption(opt, 'GET')) flags |= Opt.GET
    else if (isOption(opt, 'KEEPTTL') && !(flags & Opt.EXPIRY)) flags |= Opt.KEEPTTL
    else {
      c.out.error(Err.syntax)
      return -1
    }
  }
  return flags
}

/**
 * The absolute expiry in ms for an EX/PX/EXAT/PXAT argument, or null after replying:
 * not an integer, not positive, or overflowing int64 once scaled or added to now.
 */
function expireAtArg(c: Caller, arg: string, unit: number, name: string): number | bigint | null {
  const n = parseInt64(arg)
  if (n === null) {
    c.out.error(Err.notInteger)
    return null
  }
  const at = n > 0 ? absoluteExpiry(n, unit === Opt.EX || unit === Opt.EXAT, unit === Opt.EX || unit === Opt.PX, Date.now()) : null
  if (at === null) c.out.error(Err.invalidExpire(name))
  return at
}

// ---------------------------------------------------------------------------------
// GET, SET and friends

function get(c: Caller, argv: string[]): void {
  if (!replyValue(c, c.db.lookupReadHeld(argv[1]))) c.out.error(Err.wrongType)
}

/** SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] */
function set(c: Caller, argv: string[]): void {
  const key = argv[1]
  const value = storable((argv as (RespValue | Buffer)[])[2])
  const db = c.db
  if (argv.length === 3) {
    db.set(key, value)
    dropNote(db, key)
    c.notify(Notify.string, 'set', key)
    if (c.mini) c.out.integer(1)
    else c.out.simple('OK')
    return
  }
  const flags = parseOptions(c, argv, false)
  if (flags < 0) return
  let at: number | bigint | null = null
  if (flags & Opt.EXPIRY) {
    at = expireAtArg(c, argv[expireArg], flags & Opt.EXPIRY, 'set')
    if (at === null) return
  }
  const old = flags & Opt.GET ? db.lookupRead(key) : db.get(key)
  if (flags & Opt.GET && old !== undefined && typeof old !== 'string' && !(old instanceof Structured)) {
    return c.out.error(Err.wrongType)
  }
  if ((flags & Opt.NX && old !== undefined) || (flags & Opt.XX && old === undefined)) {
    if (flags & Opt.GET) replyValue(c, old)
    else c.out.nullBulk()
    return
  }
  if (flags & Opt.KEEPTTL) db.replace(key, value)
  else db.set(key, value)
  dropNote(db, key)
  c.notify(Notify.string, 'set', key)
  // A time already past still sets the key, which then reads as expired, as in Redis.
  if (at !== null) {
    db.setExpireAt(key, at)
    c.notify(Notify.generic, 'expire', key)
  }
  if (flags & Opt.GET) replyValue(c, old)
  else if (c.mini) c.out.integer(1)
  else c.out.simple('OK')
}

function setnx(c: Caller, argv: string[]): void {
  const db = c.db
  const key = argv[1]
  if (db.getStored(key) !== undefined) return c.out.integer(0)
  db.set(key, argv[2])
  dropNote(db, key)
  c.notify(Notify.string, 'set', key)
  c.out.integer(1)
}

/** SETEX and PSETEX: SET with EX or PX, value last. */
function setWithExpiry(c: Caller, argv: string[], unit: number, name: string): void {
  const at = expireAtArg(c, argv[2], unit, name)
  if (at === null) return
  const db = c.db
  const key = argv[1]
  db.set(key, argv[3])
  dropNote(db, key)
  c.notify(Notify.string, 'set', key)
  db.setExpireAt(key, at)
  c.notify(Notify.generic, 'expire', key)
  c.out.simple('OK')
}

function setex(c: Caller, argv: string[]): void {
  setWithExpiry(c, argv, Opt.EX, 'setex')
}

function psetex(c: Caller, argv: string[]): void {
  setWithExpiry(c, argv, Opt.PX, 'psetex')
}

function getset(c: Caller, argv: string[]): void {
  const db = c.db
  const key = argv[1]
  const old = db.lookupRead(key)
  if (old !== undefined && typeof old !== 'string') return c.out.error(Err.wrongType)
  db.set(key, argv[2])
  dropNote(db, key)
  c.notify(Notify.string, 'set', key)
  replyValue(c, old)
}

function getdel(c: Caller, argv: string[]): void {
  const db = c.db
  const key = argv[1]
  const v = db.lookupRead(key)
  if (v === undefined) return c.out.nullBulk()
  if (typeof v !== 'string') return c.out.error(Err.wrongType)
  c.out.bulk(v)
  db.delete(key)
  c.notify(Notify.generic, 'del', key)
}

/** GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST] */
function getex(c: Caller, argv: string[]): void {
  const flags = parseOptions(c, argv, true)
  if (flags < 0) return
  const db = c.db
  const key = argv[1]
  const v = db.lookupRead(key)
  if (v === undefined) return c.out.nullBulk()
  if (typeof v !== 'string') return c.out.error(Err.wrongType)
  let at: number | bigint | null = null
  if (flags & Opt.EXPIRY) {
    at = expireAtArg(c, argv[expireArg], flags & Opt.EXPIRY, 'getex')
    if (at === null) return
  }
  c.out.bulk(v)
  // A time already past deletes the key, announced as a deletion rather than an expiry.
  if (at !== null) {
    if (at <= Date.now()) {
      db.delete(key)
      c.notify(Notify.generic, 'del', key)
    } else {
      db.setExpireAt(key, at)
      c.notify(Notify.generic, 'expire', key)
    }
  } else if (flags & Opt.PERSIST && db.persist(key)) {
    c.notify(Notify.generic, 'persist', key)
  }
}

function mget(c: Caller, argv: string[]): void {
  const db = c.db
  c.out.array(argv.length - 1)
  // MGET answers nil for a key of another type rather than failing the whole call.
  for (let i = 1; i < argv.length; i++) if (!replyValue(c, db.lookupReadHeld(argv[i]))) c.out.nullBulk()
}

function mset(c: Caller, argv: string[]): void {
  if (argv.length % 2 === 0) return c.out.error(Err.wrongArgs('mset'))
  const db = c.db
  for (let i = 1; i < argv.length; i += 2) {
    db.set(argv[i], storable((argv as RespValue[])[i + 1]))
    dropNote(db, argv[i])
    c.notify(Notify.string, 'set', argv[i])
  }
  if (c.mini) c.out.integer((argv.length - 1) / 2)
  else c.out.simple('OK')
}

function msetnx(c: Caller, argv: string[]): void {
  if (argv.length % 2 === 0) return c.out.error(Err.wrongArgs('msetnx'))
  const db = c.db
  for (let i = 1; i < argv.length; i += 2) {
    if (db.getStored(argv[i]) !== undefined) return c.out.integer(0)
  }
  for (let i = 1; i < argv.length; i += 2) {
    db.set(argv[i], argv[i + 1])
    dropNote(db, argv[i])
    c.notify(Notify.string, 'set', argv[i])
  }
  c.out.integer(1)
}

// ---------------------------------------------------------------------------------
// APPEND, STRLEN, GETRANGE, SETRANGE

/**
 * Redis's checkStringLength: a string may not grow past proto-max-bulk-len. V8's own
 * limit (2^29 - 24 chars) is a few bytes lower than the default, and gets the same
 * answer rather than an exception.
 */
export function tooLong(c: Caller, length: number): boolean {
  if (length <= c.server.config.int('proto-max-bulk-len') && length <= MAX_JS_STRING) return false
  c.out.error(Err.stringTooLong)
  return true
}

export const MAX_JS_STRING = 2 ** 29 - 24

function append(c: Caller, argv: string[]): void {
  const db = c.db
  const key = argv[1]
  const add = argv[2]
  const held = db.getStored(key)
  if (held instanceof MutableString) return writeBytes(c, key, held, held.length, add, 'append')
  const v = db.get(key)
  if (v === undefined) {
    db.set(key, add)
    dropNote(db, key)
    c.notify(Notify.string, 'append', key)
    return c.out.integer(add.length)
  }
  if (typeof v !== 'string') return c.out.error(Err.wrongType)
  if (tooLong(c, v.length + add.length)) return
  const next = v + add
  db.replace(key, next)
  // Redis appends in place to a "raw" copy, whatever the result looks like.
  if (next.length <= 44) note(db, key, next, 'raw')
  else dropNote(db, key)
  c.notify(Notify.string, 'append', key)
  c.out.integer(next.length)
}

/**
 * APPEND and SETRANGE on a value held as bytes (a long one, or a bitmap): `text` is
 * written at byte `at`, growing the value with room to spare as Redis's sds does, so
 * neither copies the rest of the value (appending is amortized O(1)).
 */
function writeBytes(c: Caller, key: string, held: MutableString, at: number, text: string, event: string): void {
  if (tooLong(c, at + text.length)) return
  held.grow(at + text.length)
  held.buf.latin1Write(text, at)
  held.changed()
  c.db.replace(key, held)
  dropNote(c.db, key)
  c.notify(Notify.string, event, key)
  c.out.integer(held.length)
}

function strlen(c: Caller, argv: string[]): void {
  const v = c.db.lookupReadStored(argv[1])
  if (v === undefined) return c.out.integer(0)
  if (typeof v !== 'string' && !(v instanceof MutableString)) return c.out.error(Err.wrongType)
  c.out.integer(v.length)
}

const LIMIT = 2 ** 53

/** GETRANGE and SUBSTR: inclusive, negative indexes from the end, clamped. */
function getrange(c: Caller, argv: string[]): void {
  const start = parseInt64(argv[2])
  const end = parseInt64(argv[3])
  if (start === null || end === null) return c.out.error(Err.notInteger)
  const v = c.db.lookupRead(argv[1])
  if (v === undefined) return c.out.bulk('')
  if (typeof v !== 'string') return c.out.error(Err.wrongType)
  if (start < 0 && end < 0 && start > end) return c.out.bulk('')
  const len = v.length
  // Out-of-double-range bigints clamp harmlessly: lengths are far below 2^53.
  let s = start < 0 ? len + Math.max(Number(start), -LIMIT) : Math.min(Number(start), LIMIT)
  let e = end < 0 ? len + Math.max(Number(end), -LIMIT) : Math.min(Number(end), LIMIT)
  if (s < 0) s = 0
  if (e < 0) e = 0
  if (e >= len) e = len - 1
  if (s > e || len === 0) return c.out.bulk('')
  c.out.bulk(v.slice(s, e + 1))
}

function setrange(c: Caller, argv: string[]): void {
  const offset = parseInt64(argv[2])
  if (offset === null) return c.out.error(Err.notInteger)
  if (offset < 0) return c.out.error(Err.offsetRange)
  const db = c.db
  const key = argv[1]
  const value = argv[3]
  const held = db.getStored(key)
  if (held instanceof MutableString) {
    if (value.length === 0) return c.out.integer(held.length)
    return writeBytes(c, key, held, Number(offset), value, 'setrange')
  }
  const v = db.get(key)
  if (v !== undefined && typeof v !== 'string') return c.out.error(Err.wrongType)
  if (value.length === 0) return c.out.integer(v === undefined ? 0 : v.length)
  const at = Number(offset)
  if (tooLong(c, at + value.length)) return
  const old = v ?? ''
  const next = at > old.length
    ? old + '\0'.repeat(at - old.length) + value
    : old.slice(0, at) + value + old.slice(at + value.length)
  if (v === undefined) db.set(key, next)
  else db.replace(key, next)
  if (next.length <= 44) note(db, key, next, 'raw')
  else dropNote(db, key)
  c.notify(Notify.string, 'setrange', key)
  c.out.integer(next.length)
}

// ---------------------------------------------------------------------------------
// Counters

/** INCR, DECR, INCRBY, DECRBY: exact int64 arithmetic, keeping the key's TTL. */
function incrBy(c: Caller, key: string, by: number | bigint): void {
  const db = c.db
  const v = db.get(key)
  let current: number | bigint = 0
  if (v !== undefined) {
    if (typeof v !== 'string') return c.out.error(Err.wrongType)
    const n = parseInt64(v)
    if (n === null) return c.out.error(Err.notInteger)
    current = n
  }
  const next = addInt64(current, by)
  if (next === null) return c.out.error(Err.overflow)
  const text = intText(next)
  if (v === undefined) db.set(key, text)
  else db.replace(key, text)
  dropNote(db, key)
  // INCR, DECR and DECRBY too: Redis names them all after INCRBY.
  c.notify(Notify.string, 'incrby', key)
  c.out.integer(next)
}

function incr(c: Caller, argv: string[]): void {
  incrBy(c, argv[1], 1)
}

function decr(c: Caller, argv: string[]): void {
  incrBy(c, argv[1], -1)
}

function incrby(c: Caller, argv: string[]): void {
  const by = parseInt64(argv[2])
  if (by === null) return c.out.error(Err.notInteger)
  incrBy(c, argv[1], by)
}

function decrby(c: Caller, argv: string[]): void {
  const by = parseInt64(argv[2])
  if (by === null) return c.out.error(Err.notInteger)
  if (by === INT64_MIN) return c.out.error(Err.decrementOverflow)
  incrBy(c, argv[1], typeof by === 'number' ? -by : int64(-by))
}

/**
 * INCRBYFLOAT in long double, as Redis computes it (long-double.ts), stored and
 * returned in Redis's fixed-point form. Sums of small integers skip the BigInt path.
 */
function incrbyfloat(c: Caller, argv: string[]): void {
  const db = c.db
  const key = argv[1]
  const v = db.get(key)
  if (v !== undefined && typeof v !== 'string') return c.out.error(Err.wrongType)
  let next: string | null = null
  const a = v === undefined ? 0 : parseInt64(v)
  const b = parseInt64(argv[2])
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a + b)) {
    next = intText(a + b)
  } else {
    const x = v === undefined ? parseLongDouble('0') : parseLongDouble(v)
    const y = x === null ? null : parseLongDouble(argv[2])
    if (x === null || y === null) return c.out.error(Err.notFloat)
    const sum = addLongDouble(x, y)
    if (sum === null || sum.inf) return c.out.error(Err.nanOrInfinity)
    next = formatLongDoubleHuman(sum)
  }
  if (v === undefined) db.set(key, next)
  else db.replace(key, next)
  // Redis stores the printed result as a plain string: "3" here is embstr, not int.
  if (next.length <= 20 && parseInt64(next) !== null) note(db, key, next, 'embstr')
  else dropNote(db, key)
  c.notify(Notify.string, 'incrbyfloat', key)
  c.out.bulk(next)
}

// ---------------------------------------------------------------------------------

const RANGE_COMPLEXITY = 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.'

export const stringCommands: CommandSpec[] = [
  command({
    name: 'get', arity: 2, flags: ['readonly', 'fast'], ...oneKey,
    group: 'string', since: '1.0.0', summary: 'Get the value of a key', complexity: 'O(1)',
    syntax: 'key', handler: get,
  }),
  command({
    name: 'set', arity: -3, flags: ['write', 'denyoom'], ...oneKey, structuredValues: { first: 2, step: 0 }, bytesValue: 2,
    group: 'string', since: '1.0.0', complexity: 'O(1)', summary: 'Set the string value of a key',
    syntax: 'key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]',
    handler: set,
  }),
  command({
    name: 'mget', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, step: 1,
    group: 'string', since: '1.0.0', complexity: 'O(N) where N is the number of keys to retrieve.',
    summary: 'Get the values of all the given keys', syntax: 'key [key ...]', tips: ['request_policy:multi_shard'],
    handler: mget,
  }),
  command({
    name: 'mset', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 2,
    structuredValues: { first: 2, step: 2 },
    group: 'string', since: '1.0.1', complexity: 'O(N) where N is the number of keys to set.',
    summary: 'Set multiple keys to multiple values', syntax: 'key value [key value ...]',
    tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'], handler: mset,
  }),
  command({
    name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'string', since: '1.0.0',
    complexity: 'O(1)', summary: 'Set the value of a key, only if the key does not exist', syntax: 'key value',
    handler: setnx,
  }),
  command({
    name: 'setex', arity: 4, flags: ['write', 'denyoom'], ...oneKey, group: 'string', since: '2.0.0',
    complexity: 'O(1)', summary: 'Set the value and expiration of a key', syntax: 'key seconds value', handler: setex,
  }),
  command({
    name: 'psetex', arity: 4, flags: ['write', 'denyoom'], ...oneKey, group: 'string', since: '2.6.0',
    complexity: 'O(1)', summary: 'Set the value and expiration in milliseconds of a key', syntax: 'key milliseconds value',
    handler: psetex,
  }),
  command({
    name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'string', since: '1.0.0',
    complexity: 'O(1)', summary: 'Set the string value of a key and return its old value', syntax: 'key value',
    handler: getset,
  }),
  command({
    name: 'getdel', arity: 2, flags: ['write', 'fast'], ...oneKey, group: 'string', since: '6.2.0',
    complexity: 'O(1)', summary: 'Get the value of a key and delete the key', syntax: 'key', handler: getdel,
  }),
  command({
    name: 'getex', arity: -2, flags: ['write', 'fast'], ...oneKey, group: 'string', since: '6.2.0',
    complexity: 'O(1)', summary: 'Get the value of a key and optionally set its expiration',
    syntax: 'key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]',
    handler: getex,
  }),
  command({
    name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 2, group: 'string',
    since: '1.0.1', complexity: 'O(N) where N is the number of keys to set.',
    summary: 'Set multiple keys to multiple values, only if none of the keys exist', syntax: 'key value [key value ...]',
    tips: ['request_policy:multi_shard', 'response_policy:agg_min'], handler: msetnx,
  }),
  command({
    name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'string', since: '2.0.0',
    complexity: 'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
    summary: 'Append a value to a key', syntax: 'key value', handler: append,
  }),
  command({
    name: 'strlen', arity: 2, flags: ['readonly', 'fast'], ...oneKey, group: 'string', since: '2.2.0',
    complexity: 'O(1)', summary: 'Get the length of the value stored in a key', syntax: 'key', handler: strlen,
  }),
  command({
    name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'string', since: '1.0.0',
    complexity: 'O(1)', summary: 'Increment the integer value of a key by one', syntax: 'key', handler: incr,
  }),
  command({
    name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'string', since: '1.0.0',
    complexity: 'O(1)', summary: 'Decrement the integer value of a key by one', syntax: 'key', handler: decr,
  }),
  command({
    name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'string', since: '1.0.0',
    complexity: 'O(1)', summary: 'Increment the integer value of a key by the given amount', syntax: 'key increment',
    handler: incrby,
  }),
  command({
    name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'string', since: '1.0.0',
    complexity: 'O(1)', summary: 'Decrement the integer value of a key by the given number', syntax: 'key decrement',
    handler: decrby,
  }),
  command({
    name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'string', since: '2.6.0',
    complexity: 'O(1)', summary: 'Increment the float value of a key by the given amount', syntax: 'key increment',
    handler: incrbyfloat,
  }),
  command({
    name: 'getrange', arity: 4, flags: ['readonly'], ...oneKey, group: 'string', since: '2.4.0',
    complexity: RANGE_COMPLEXITY, summary: 'Get a substring of the string stored at a key', syntax: 'key start end',
    handler: getrange,
  }),
  command({
    name: 'substr', arity: 4, flags: ['readonly'], ...oneKey, group: 'string', since: '1.0.0',
    complexity: RANGE_COMPLEXITY, summary: 'Get a substring of the string stored at a key', syntax: 'key start end',
    handler: getrange,
  }),
  command({
    name: 'setrange', arity: 4, flags: ['write', 'denyoom'], ...oneKey, group: 'string', since: '2.2.0',
    complexity: 'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
    summary: 'Overwrite part of a string at key starting at the specified offset', syntax: 'key offset value',
    handler: setrange,
  }),
]
