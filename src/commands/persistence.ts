import { dumpValue, restoreValue } from '../persistence/dump.js'
import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import { parseInt64 } from '../util/numbers.js'
import { isOption } from './args.js'
import { Err } from './errors.js'
import { command, oneKey, type CommandSpec } from './spec.js'

/**
 * Persistence commands: SAVE, BGSAVE, LASTSAVE and SHUTDOWN over the server's RDB
 * snapshots (persistence/snapshots.ts), and DUMP/RESTORE, which carry one value in
 * the RDB encoding (persistence/dump.ts). Flags and arities are redis-server 7.0.15's.
 */

function lastsave(c: Caller): void {
  c.out.integer(c.server.snapshots.lastSave)
}

function save(c: Caller): void {
  if (c.server.snapshots.background !== null) return c.out.error(BGSAVE_IN_PROGRESS)
  if (c.server.snapshots.save()) c.out.simple('OK')
  else c.out.error('ERR')
}

const BGSAVE_IN_PROGRESS = 'ERR Background save already in progress'

/**
 * BGSAVE [SCHEDULE]: the reply does not wait for the outcome, which shows in INFO
 * persistence and the log, as for Redis's child. As in Redis 7.0, only one background
 * job runs: during an AOF rewrite SCHEDULE defers the save until it ends, otherwise
 * the answer is an error; in EXEC the save is scheduled.
 */
function bgsave(c: Caller, argv: string[]): void {
  const schedule = argv.length === 2 && isOption(argv[1], 'SCHEDULE')
  if (argv.length > 2 || (argv.length === 2 && !schedule)) return c.out.error(Err.syntax)
  const snapshots = c.server.snapshots
  if (snapshots.background !== null) return c.out.error(BGSAVE_IN_PROGRESS)
  const rewriting = c.server.aof?.rewriteInProgress === true
  if (rewriting && !schedule) {
    return c.out.error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
  }
  if (rewriting || c.multi !== null) {
    snapshots.scheduleBackgroundSave()
    return c.out.simple('Background saving scheduled')
  }
  snapshots.backgroundSave()
  c.out.simple('Background saving started')
}

/**
 * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: no reply when it works, the socket
 * just closes. Without SAVE or NOSAVE it saves when save points are configured.
 */
function shutdown(c: Caller, argv: string[]): void {
  let save = false
  let nosave = false
  let abort = false
  let force = false
  let other = false
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]
    if (isOption(a, 'NOSAVE')) nosave = true
    else if (isOption(a, 'SAVE')) save = true
    else if (isOption(a, 'NOW')) other = true
    else if (isOption(a, 'FORCE')) force = true
    else if (isOption(a, 'ABORT')) abort = true
    else return c.out.error(Err.syntax)
  }
  if ((save && nosave) || (abort && (save || nosave || other || force))) return c.out.error(Err.syntax)
  if (abort) return c.out.error('ERR No shutdown in progress.')
  // While a script is busy only NOSAVE stops the server (the script with it: the
  // budget hook sees the server closed).
  const busy = c.server.busy
  if (busy !== null && !nosave) return c.out.error(Err.busy(busy.kind))
  const wantSave = save ? true : nosave ? false : undefined
  if (c.server.shutdown(wantSave)) return
  // FORCE shuts down even when the final save failed.
  if (force && c.server.shutdown(false)) return
  c.out.error('ERR Errors trying to SHUTDOWN. Check logs.')
}

// --- DUMP and RESTORE ---------------------------------------------------------------

function dump(c: Caller, argv: string[]): void {
  const value = c.db.lookupReadStored(argv[1])
  if (value === undefined) return c.out.nullBulk()
  const payload = dumpValue(value, c.server.config.get('rdbcompression') === 'yes')
  c.out.bulk(payload.latin1Slice(0, payload.length))
}

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restore(c: Caller, argv: string[]): void {
  let replace = false
  let absttl = false
  let idle = false
  let freq = false
  for (let i = 4; i < argv.length; i++) {
    const a = argv[i]
    const more = i + 1 < argv.length
    if (isOption(a, 'REPLACE')) {
      replace = true
    } else if (isOption(a, 'ABSTTL')) {
      absttl = true
    } else if (isOption(a, 'IDLETIME') && more && !freq) {
      const n = parseInt64(argv[++i])
      if (n === null) return c.out.error(Err.notInteger)
      if (n < 0) return c.out.error('ERR Invalid IDLETIME value, must be >= 0')
      idle = true
    } else if (isOption(a, 'FREQ') && more && !idle) {
      const n = parseInt64(argv[++i])
      if (n === null) return c.out.error(Err.notInteger)
      if (n < 0 || n > 255) return c.out.error('ERR Invalid FREQ value, must be >= 0 and <= 255')
      freq = true
    } else {
      return c.out.error(Err.syntax)
    }
  }
  const db = c.db
  const key = argv[1]
  if (!replace && db.getStored(key) !== undefined) return c.out.error('BUSYKEY Target key name already exists.')
  const ttl = parseInt64(argv[2])
  if (ttl === null) return c.out.error(Err.notInteger)
  if (ttl < 0) return c.out.error('ERR Invalid TTL value, must be >= 0')
  let value
  try {
    value = restoreValue(Buffer.from(argv[3], 'latin1'))
  } catch (e) {
    return c.out.error((e as Error).message)
  }
  let deleted = false
  if (replace) deleted = db.delete(key)
  let at: number | bigint = 0
  if (ttl !== 0) {
    at = absttl ? ttl : typeof ttl === 'bigint' ? ttl + BigInt(Date.now()) : ttl + Date.now()
    if (typeof at === 'bigint' && Number.isSafeInteger(Number(at))) at = Number(at)
    if (at <= Date.now()) {
      // Already expired: nothing is created, though a replaced key is gone.
      if (deleted) c.notify(Notify.generic, 'del', key)
      return c.out.simple('OK')
    }
  }
  db.set(key, value)
  if (ttl !== 0) db.setExpireAt(key, at)
  c.notify(Notify.generic, 'restore', key)
  c.out.simple('OK')
}

const ADMIN_DANGEROUS = ['admin', 'dangerous']

export const persistenceCommands: CommandSpec[] = [
  command({
    name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ADMIN_DANGEROUS, group: 'server', since: '1.0.0',
    summary: 'Get the UNIX time stamp of the last successful save to disk', complexity: 'O(1)', syntax: '',
    tips: ['nondeterministic_output'], handler: lastsave,
  }),
  command({
    name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], group: 'server', since: '1.0.0',
    summary: 'Synchronously save the dataset to disk', complexity: 'O(N) where N is the total number of keys in all databases',
    syntax: '', handler: save,
  }),
  command({
    name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], group: 'server', since: '1.0.0',
    summary: 'Asynchronously save the dataset to disk', complexity: 'O(1)', syntax: '[SCHEDULE]', handler: bgsave,
  }),
  command({
    name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], group: 'server',
    since: '1.0.0', summary: 'Synchronously save the dataset to disk and then shut down the server',
    complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
    syntax: '[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]', handler: shutdown,
  }),
  command({
    name: 'dump', arity: 2, flags: ['readonly'], ...oneKey, keyFlags: ['RO', 'access'], group: 'generic', since: '2.6.0',
    summary: 'Return a serialized version of the value stored at the specified key.',
    complexity: 'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).',
    syntax: 'key', tips: ['nondeterministic_output'], handler: dump,
  }),
  command({
    name: 'restore', arity: -4, flags: ['write', 'denyoom'], ...oneKey, keyFlags: ['OW', 'update'], acl: ['dangerous'],
    group: 'generic', since: '2.6.0', summary: 'Create a key using the provided serialized value, previously obtained using DUMP.',
    complexity: 'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).',
    syntax: 'key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]', handler: restore,
  }),
]
