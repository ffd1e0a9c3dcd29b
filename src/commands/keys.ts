import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import { scanStep } from '../store/cursors.js'
import type { Database } from '../store/database.js'
import { globMatch } from '../store/glob.js'
import { typeName, type KeyspaceValue, type StoredValue } from '../store/types.js'
import { isOption } from './args.js'
import { absoluteExpiry, int64, parseInt64 } from '../util/numbers.js'
import { Err } from './errors.js'
import { replyHelp } from './help.js'
import { cursorArg, replyScan, scanOptions } from './scan.js'
import { command, everyKey, oneKey, type CommandSpec } from './spec.js'
import { carryNote, stringEncoding, unsharedInt } from './strings.js'

/**
 * Key-space commands: existence, types, iteration, renaming and copying, expiry,
 * OBJECT, and the database-level commands (SELECT, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL).
 */

const INT32_MIN = -2147483648
const INT32_MAX = 2147483647

/**
 * Redis's getIntFromObjectOrReply: an int64 that must also fit in 32 bits. Replies
 * and returns null otherwise; `message` replaces both errors where Redis gives one.
 */
function int32Arg(c: Caller, arg: string, message?: string): number | null {
  const n = parseInt64(arg)
  if (n === null) {
    c.out.error(message ?? Err.notInteger)
    return null
  }
  if (n < INT32_MIN || n > INT32_MAX) {
    c.out.error(message ?? Err.notInt32)
    return null
  }
  return n as number
}

/** A database number argument (MOVE, COPY DB, SELECT), or null after replying. */
function dbArg(c: Caller, arg: string): Database | null {
  const index = int32Arg(c, arg)
  if (index === null) return null
  const dbs = c.server.store.dbs
  if (index < 0 || index >= dbs.length) {
    c.out.error(Err.dbIndex)
    return null
  }
  return dbs[index]
}


/** Stores `value` at `key` of `db` with the given expiry (undefined: none). */
function place(db: Database, key: string, value: KeyspaceValue, at: number | bigint | undefined): void {
  db.set(key, value)
  if (at !== undefined) db.setExpireAt(key, at)
}

// ---------------------------------------------------------------------------------
// Existence and types

/** DEL and UNLINK (both free at once here), and the mini dialect's DELETE. */
export function del(c: Caller, argv: string[]): void {
  const db = c.db
  let n = 0
  for (let i = 1; i < argv.length; i++) {
    if (db.delete(argv[i])) {
      n++
      c.notify(Notify.generic, 'del', argv[i])
    }
  }
  c.out.integer(n)
}

/** EXISTS and TOUCH: how many of the keys exist, duplicates counted each time. */
function exists(c: Caller, argv: string[]): void {
  const db = c.db
  let n = 0
  for (let i = 1; i < argv.length; i++) if (db.lookupReadStored(argv[i]) !== undefined) n++
  c.out.integer(n)
}

function type(c: Caller, argv: string[]): void {
  const v = c.db.lookupReadStored(argv[1])
  c.out.simple(v === undefined ? 'none' : typeName(v))
}

function dbsize(c: Caller): void {
  c.out.integer(c.db.size)
}

function randomkey(c: Caller): void {
  const key = c.db.randomKey()
  if (key === undefined) c.out.nullBulk()
  else c.out.bulk(key)
}

// ---------------------------------------------------------------------------------
// KEYS and SCAN

function keys(c: Caller, argv: string[]): void {
  const db = c.db
  const pattern = argv[1]
  const all = pattern === '*'
  const expires = db.expires
  const now = Date.now()
  const found: string[] = []
  // Like Redis, skip expired keys without deleting them here.
  for (const key of db.keys.keys()) {
    if (!all && !globMatch(pattern, key)) continue
    if (expires.size !== 0) {
      const at = expires.get(key)
      if (at !== undefined && at <= now) continue
    }
    found.push(key)
  }
  c.out.array(found.length)
  for (const key of found) c.out.bulk(key)
}

/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] */
function scan(c: Caller, argv: string[]): void {
  const cursor = cursorArg(c, argv[1])
  if (cursor === null) return
  const options = scanOptions(c, argv, 2, true)
  if (options === null) return
  const { pattern, type } = options
  const db = c.db
  const step = scanStep(db.cursors, cursor, options.count, () => db.keys.keys(), (key) => {
    if (pattern !== null && !globMatch(pattern, key)) return false
    // get() also drops the key when expired, as Redis's SCAN does.
    const v = db.getStored(key)
    return v !== undefined && (type === null || typeName(v) === type)
  })
  replyScan(c, step.cursor, step.items)
}

// ---------------------------------------------------------------------------------
// RENAME, COPY, MOVE

function renameGeneric(c: Caller, argv: string[], nx: boolean): void {
  const db = c.db
  const from = argv[1]
  const to = argv[2]
  const v = db.getStored(from)
  if (v === undefined) return c.out.error(Err.noSuchKey)
  if (from === to) return nx ? c.out.integer(0) : c.out.simple('OK')
  if (nx && db.getStored(to) !== undefined) return c.out.integer(0)
  const at = db.expireAt(from)
  // The old destination goes first, silently, so the key arrives as a new one.
  db.delete(to)
  place(db, to, v, at)
  carryNote(db, from, db, to, false)
  db.delete(from)
  c.notify(Notify.generic, 'rename_from', from)
  c.notify(Notify.generic, 'rename_to', to)
  if (nx) c.out.integer(1)
  else c.out.simple('OK')
}

function rename(c: Caller, argv: string[]): void {
  renameGeneric(c, argv, false)
}

function renamenx(c: Caller, argv: string[]): void {
  renameGeneric(c, argv, true)
}

/** COPY source destination [DB destination-db] [REPLACE] */
function copy(c: Caller, argv: string[]): void {
  const src = c.db
  let dst = src
  let replace = false
  for (let i = 3; i < argv.length; i++) {
    if (isOption(argv[i], 'REPLACE')) {
      replace = true
    } else if (isOption(argv[i], 'DB') && i + 1 < argv.length) {
      const db = dbArg(c, argv[++i])
      if (db === null) return
      dst = db
    } else {
      return c.out.error(Err.syntax)
    }
  }
  const from = argv[1]
  const to = argv[2]
  if (src === dst && from === to) return c.out.error(Err.sameObject)
  const v = src.lookupReadStored(from)
  if (v === undefined) return c.out.integer(0)
  if (dst.getStored(to) !== undefined) {
    if (!replace) return c.out.integer(0)
    dst.delete(to)
  }
  // Strings and structured values are immutable here, so only collections and
  // MutableStrings are copied.
  const value = typeof v === 'string' || v.type === 'structured' ? v : v.clone()
  place(dst, to, value, src.expireAt(from))
  carryNote(src, from, dst, to, true)
  // The event is in the destination database, which need not be the caller's.
  c.server.events.notify(dst, Notify.generic, 'copy_to', to)
  c.out.integer(1)
}

function move(c: Caller, argv: string[]): void {
  const dst = dbArg(c, argv[2])
  if (dst === null) return
  const src = c.db
  if (src === dst) return c.out.error(Err.sameObject)
  const key = argv[1]
  const v = src.getStored(key)
  if (v === undefined || dst.getStored(key) !== undefined) return c.out.integer(0)
  place(dst, key, v, src.expireAt(key))
  carryNote(src, key, dst, key, false)
  src.delete(key)
  c.notify(Notify.generic, 'move_from', key)
  c.server.events.notify(dst, Notify.generic, 'move_to', key)
  c.out.integer(1)
}

// ---------------------------------------------------------------------------------
// Expiry

const enum ExpireFlag {
  NX = 1,
  XX = 2,
  GT = 4,
  LT = 8,
}

/**
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX | XX | GT | LT]. Negative and
 * past times are accepted and delete the key; only int64 overflow is "invalid". A key
 * without a TTL counts as an infinite one for GT and LT.
 */
function expireGeneric(c: Caller, argv: string[], seconds: boolean, relative: boolean, name: string): void {
  let flags = 0
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]
    if (isOption(opt, 'NX')) flags |= ExpireFlag.NX
    else if (isOption(opt, 'XX')) flags |= ExpireFlag.XX
    else if (isOption(opt, 'GT')) flags |= ExpireFlag.GT
    else if (isOption(opt, 'LT')) flags |= ExpireFlag.LT
    else return c.out.error(Err.unsupportedOption(opt))
  }
  if (flags & ExpireFlag.NX && flags & (ExpireFlag.XX | ExpireFlag.GT | ExpireFlag.LT)) {
    return c.out.error(Err.expireNxConflict)
  }
  if (flags & ExpireFlag.GT && flags & ExpireFlag.LT) return c.out.error(Err.expireGtLtConflict)
  const n = parseInt64(argv[2])
  if (n === null) return c.out.error(Err.notInteger)
  const now = Date.now()
  const at = absoluteExpiry(n, seconds, relative, now)
  if (at === null) return c.out.error(Err.invalidExpire(name))
  const db = c.db
  const key = argv[1]
  if (db.getStored(key) === undefined) return c.out.integer(0)
  if (flags !== 0) {
    const current = db.expireAt(key)
    if (flags & ExpireFlag.NX && current !== undefined) return c.out.integer(0)
    if (flags & ExpireFlag.XX && current === undefined) return c.out.integer(0)
    if (flags & ExpireFlag.GT && (current === undefined || at <= current)) return c.out.integer(0)
    if (flags & ExpireFlag.LT && current !== undefined && at >= current) return c.out.integer(0)
  }
  // A time already past deletes the key, announced as a deletion rather than an expiry.
  if (at <= now) {
    db.delete(key)
    c.notify(Notify.generic, 'del', key)
  } else {
    db.setExpireAt(key, at)
    c.notify(Notify.generic, 'expire', key)
  }
  c.out.integer(1)
}

function expire(c: Caller, argv: string[]): void {
  expireGeneric(c, argv, true, true, 'expire')
}

function pexpire(c: Caller, argv: string[]): void {
  expireGeneric(c, argv, false, true, 'pexpire')
}

function expireat(c: Caller, argv: string[]): void {
  expireGeneric(c, argv, true, false, 'expireat')
}

function pexpireat(c: Caller, argv: string[]): void {
  expireGeneric(c, argv, false, false, 'pexpireat')
}

/**
 * TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for no key, -1 for no TTL. Seconds are
 * rounded to nearest as Redis does ((ms + 500) / 1000).
 */
function ttlGeneric(c: Caller, argv: string[], ms: boolean, absolute: boolean): void {
  const db = c.db
  const key = argv[1]
  if (db.lookupReadStored(key) === undefined) return c.out.integer(-2)
  const at = db.expireAt(key)
  if (at === undefined) return c.out.integer(-1)
  if (typeof at === 'number') {
    let t = absolute ? at : at - Date.now()
    if (t < 0) t = 0
    return c.out.integer(ms ? t : Math.floor((t + 500) / 1000))
  }
  let t = absolute ? at : at - BigInt(Date.now())
  if (t < 0n) t = 0n
  c.out.integer(int64(ms ? t : (t + 500n) / 1000n))
}

function ttl(c: Caller, argv: string[]): void {
  ttlGeneric(c, argv, false, false)
}

function pttl(c: Caller, argv: string[]): void {
  ttlGeneric(c, argv, true, false)
}

function expiretime(c: Caller, argv: string[]): void {
  ttlGeneric(c, argv, false, true)
}

function pexpiretime(c: Caller, argv: string[]): void {
  ttlGeneric(c, argv, true, true)
}

function persist(c: Caller, argv: string[]): void {
  const db = c.db
  const key = argv[1]
  if (db.getStored(key) === undefined) return c.out.integer(0)
  if (!db.persist(key)) return c.out.integer(0)
  c.notify(Notify.generic, 'persist', key)
  c.out.integer(1)
}

// ---------------------------------------------------------------------------------
// OBJECT

function objectEncoding(c: Caller, argv: string[]): void {
  const db = c.db
  const key = argv[2]
  const v = db.getStored(key)
  if (v === undefined) return c.out.nullBulk()
  if (typeof v === 'string') return c.out.bulk(stringEncoding(db, key, v))
  c.out.bulk(v.type === 'structured' ? 'raw' : v.encoding())
}

function lfuPolicy(c: Caller): boolean {
  return c.server.config.get('maxmemory-policy').endsWith('-lfu')
}

/** Respite keeps no access statistics: a key reads as freshly created (LFU_INIT_VAL). */
function objectFreq(c: Caller, argv: string[]): void {
  if (c.db.getStored(argv[2]) === undefined) return c.out.nullBulk()
  if (!lfuPolicy(c)) return c.out.error(Err.lfuNotSelected)
  c.out.integer(5)
}

/** Respite keeps no access times: every key reads as just used. */
function objectIdletime(c: Caller, argv: string[]): void {
  if (c.db.getStored(argv[2]) === undefined) return c.out.nullBulk()
  if (lfuPolicy(c)) return c.out.error(Err.lfuSelected)
  c.out.integer(0)
}

/**
 * Redis shares one object for each integer 0..9999 (refcount INT_MAX), unless a
 * maxmemory LRU/LFU policy needs per-key access data; every other value has one owner.
 */
function objectRefcount(c: Caller, argv: string[]): void {
  const db = c.db
  const key = argv[2]
  const v = db.getStored(key)
  if (v === undefined) return c.out.nullBulk()
  if (typeof v === 'string' && v.length <= 4 && stringEncoding(db, key, v) === 'int' && !unsharedInt(db, key, v)) {
    const n = Number(v)
    const config = c.server.config
    const policy = config.get('maxmemory-policy')
    const unshared = config.int('maxmemory') !== 0 && (policy.endsWith('-lru') || policy.endsWith('-lfu'))
    if (n >= 0 && !unshared) return c.out.integer(INT32_MAX)
  }
  c.out.integer(1)
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
]

function objectHelp(c: Caller): void {
  replyHelp(c, 'OBJECT', OBJECT_HELP)
}

// ---------------------------------------------------------------------------------
// Databases

/** FLUSHDB and FLUSHALL take nothing, ASYNC or SYNC; both flush at once here. */
function flushMode(c: Caller, argv: string[]): boolean {
  if (argv.length === 1 || (argv.length === 2 && (isOption(argv[1], 'ASYNC') || isOption(argv[1], 'SYNC')))) return true
  c.out.error(Err.syntax)
  return false
}

function flushdb(c: Caller, argv: string[]): void {
  if (!flushMode(c, argv)) return
  c.db.clear()
  c.out.simple('OK')
}

function flushall(c: Caller, argv: string[]): void {
  if (!flushMode(c, argv)) return
  c.server.store.flushAll()
  c.server.snapshots.afterFlushAll()
  c.out.simple('OK')
}

function select(c: Caller, argv: string[]): void {
  const db = dbArg(c, argv[1])
  if (db === null) return
  c.selectDb(db.index)
  c.out.simple('OK')
}

/**
 * SWAPDB: the databases trade contents, so clients that selected either index see
 * the other's keys (and clients blocked there are woken by the store's observer).
 */
function swapdb(c: Caller, argv: string[]): void {
  const a = int32Arg(c, argv[1], Err.invalidFirstDb)
  if (a === null) return
  const b = int32Arg(c, argv[2], Err.invalidSecondDb)
  if (b === null) return
  const store = c.server.store
  if (a < 0 || b < 0 || a >= store.dbs.length || b >= store.dbs.length) return c.out.error(Err.dbIndex)
  store.swap(a, b)
  c.out.simple('OK')
}

// ---------------------------------------------------------------------------------

const multiShardSum = ['request_policy:multi_shard', 'response_policy:agg_sum']
const allShards = ['request_policy:all_shards', 'response_policy:all_succeeded']

function expireSpec(name: string, since: string, summary: string, arg: string, handler: (c: Caller, argv: string[]) => void): CommandSpec {
  return command({
    name, arity: -3, flags: ['write', 'fast'], ...oneKey, group: 'generic', since, complexity: 'O(1)', summary,
    syntax: `key ${arg} [NX | XX | GT | LT]`, handler,
  })
}

function ttlSpec(name: string, since: string, summary: string, handler: (c: Caller, argv: string[]) => void, tips?: string[]): CommandSpec {
  return command({
    name, arity: 2, flags: ['readonly', 'fast'], ...oneKey, group: 'generic', since, complexity: 'O(1)', summary,
    syntax: 'key', tips, handler,
  })
}

function objectSub(name: string, since: string, summary: string, handler: (c: Caller, argv: string[]) => void): CommandSpec {
  return command({
    name, arity: 3, flags: ['readonly'], firstKey: 2, lastKey: 2, step: 1, group: 'generic', since,
    complexity: 'O(1)', summary, syntax: 'key', tips: ['nondeterministic_output'], handler,
  })
}

export const keyCommands: CommandSpec[] = [
  command({
    name: 'del', arity: -2, flags: ['write'], ...everyKey, group: 'generic', since: '1.0.0',
    complexity: 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
    summary: 'Delete a key', syntax: 'key [key ...]', tips: multiShardSum, handler: del,
  }),
  command({
    name: 'unlink', arity: -2, flags: ['write', 'fast'], ...everyKey, group: 'generic', since: '4.0.0',
    complexity: 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
    summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.',
    syntax: 'key [key ...]', tips: multiShardSum, handler: del,
  }),
  command({
    name: 'exists', arity: -2, flags: ['readonly', 'fast'], ...everyKey, group: 'generic', since: '1.0.0',
    complexity: 'O(N) where N is the number of keys to check.', summary: 'Determine if a key exists',
    syntax: 'key [key ...]', tips: multiShardSum, handler: exists,
  }),
  command({
    name: 'touch', arity: -2, flags: ['readonly', 'fast'], ...everyKey, group: 'generic', since: '3.2.1',
    complexity: 'O(N) where N is the number of keys that will be touched.',
    summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.',
    syntax: 'key [key ...]', tips: multiShardSum, handler: exists,
  }),
  command({
    name: 'type', arity: 2, flags: ['readonly', 'fast'], ...oneKey, group: 'generic', since: '1.0.0',
    complexity: 'O(1)', summary: 'Determine the type stored at key', syntax: 'key', handler: type,
  }),
  command({
    name: 'keys', arity: 2, flags: ['readonly'], acl: ['dangerous'], group: 'generic', since: '1.0.0',
    complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
    summary: 'Find all keys matching the given pattern', syntax: 'pattern',
    tips: ['request_policy:all_shards', 'nondeterministic_output_order'], handler: keys,
  }),
  command({
    name: 'scan', arity: -2, flags: ['readonly'], group: 'generic', since: '2.8.0',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    summary: 'Incrementally iterate the keys space', syntax: 'cursor [MATCH pattern] [COUNT count] [TYPE type]',
    tips: ['nondeterministic_output', 'request_policy:special'], handler: scan,
  }),
  command({
    name: 'randomkey', arity: 1, flags: ['readonly'], group: 'generic', since: '1.0.0', complexity: 'O(1)',
    summary: 'Return a random key from the keyspace', syntax: '',
    tips: ['request_policy:all_shards', 'nondeterministic_output'], handler: randomkey,
  }),
  command({
    name: 'rename', arity: 3, flags: ['write'], firstKey: 1, lastKey: 2, step: 1, group: 'generic', since: '1.0.0',
    complexity: 'O(1)', summary: 'Rename a key', syntax: 'key newkey', handler: rename,
  }),
  command({
    name: 'renamenx', arity: 3, flags: ['write', 'fast'], firstKey: 1, lastKey: 2, step: 1, group: 'generic',
    since: '1.0.0', complexity: 'O(1)', summary: 'Rename a key, only if the new key does not exist',
    syntax: 'key newkey', handler: renamenx,
  }),
  command({
    name: 'copy', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1, group: 'generic',
    since: '6.2.0', complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
    summary: 'Copy a key', syntax: 'source destination [DB destination-db] [REPLACE]', handler: copy,
  }),
  command({
    name: 'move', arity: 3, flags: ['write', 'fast'], ...oneKey, group: 'generic', since: '1.0.0',
    complexity: 'O(1)', summary: 'Move a key to another database', syntax: 'key db', handler: move,
  }),
  expireSpec('expire', '1.0.0', 'Set a key\'s time to live in seconds', 'seconds', expire),
  expireSpec('pexpire', '2.6.0', 'Set a key\'s time to live in milliseconds', 'milliseconds', pexpire),
  expireSpec('expireat', '1.2.0', 'Set the expiration for a key as a UNIX timestamp', 'unix-time-seconds', expireat),
  expireSpec('pexpireat', '2.6.0', 'Set the expiration for a key as a UNIX timestamp specified in milliseconds',
    'unix-time-milliseconds', pexpireat),
  ttlSpec('ttl', '1.0.0', 'Get the time to live for a key in seconds', ttl, ['nondeterministic_output']),
  ttlSpec('pttl', '2.6.0', 'Get the time to live for a key in milliseconds', pttl, ['nondeterministic_output']),
  ttlSpec('expiretime', '7.0.0', 'Get the expiration Unix timestamp for a key', expiretime),
  ttlSpec('pexpiretime', '7.0.0', 'Get the expiration Unix timestamp for a key in milliseconds', pexpiretime),
  command({
    name: 'persist', arity: 2, flags: ['write', 'fast'], ...oneKey, group: 'generic', since: '2.2.0',
    complexity: 'O(1)', summary: 'Remove the expiration from a key', syntax: 'key', handler: persist,
  }),
  command({
    name: 'object', arity: -2, group: 'generic', since: '2.2.3', complexity: 'Depends on subcommand.',
    summary: 'A container for object introspection commands', syntax: '',
    // In the order Redis 7.0 lists them (COMMAND INFO, COMMAND DOCS).
    subcommands: [
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['keyspace'], group: 'generic', since: '6.2.0',
        complexity: 'O(1)', summary: 'Show helpful text about the different subcommands', syntax: '', handler: objectHelp,
      }),
      objectSub('refcount', '2.2.3', 'Get the number of references to the value of the key', objectRefcount),
      objectSub('encoding', '2.2.3', 'Inspect the internal encoding of a Redis object', objectEncoding),
      objectSub('freq', '4.0.0', 'Get the logarithmic access frequency counter of a Redis object', objectFreq),
      objectSub('idletime', '2.2.3', 'Get the time since a Redis object was last accessed', objectIdletime),
    ],
  }),
  command({
    name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], acl: ['keyspace'], group: 'server', since: '1.0.0',
    complexity: 'O(1)', summary: 'Return the number of keys in the selected database', syntax: '',
    tips: ['request_policy:all_shards', 'response_policy:agg_sum'], handler: dbsize,
  }),
  command({
    name: 'flushdb', arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], group: 'server', since: '1.0.0',
    complexity: 'O(N) where N is the number of keys in the selected database',
    summary: 'Remove all keys from the current database', syntax: '[ASYNC | SYNC]', tips: allShards, handler: flushdb,
  }),
  command({
    name: 'flushall', arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], group: 'server', since: '1.0.0',
    complexity: 'O(N) where N is the total number of keys in all databases',
    summary: 'Remove all keys from all databases', syntax: '[ASYNC | SYNC]', tips: allShards, handler: flushall,
  }),
  command({
    name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], group: 'connection', since: '1.0.0',
    complexity: 'O(1)', summary: 'Change the selected database for the current connection', syntax: 'index',
    handler: select,
  }),
  command({
    name: 'swapdb', arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'dangerous'], group: 'server',
    since: '4.0.0', complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
    summary: 'Swaps two Redis databases', syntax: 'index1 index2', handler: swapdb,
  }),
]
