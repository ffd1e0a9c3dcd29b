import type { RespValue } from '../resp/values.js'
import type { Client } from '../server/client.js'
import { Structured, type StoredValue } from '../store/types.js'
import { isOption, parseInt64 } from './args.js'
import { Err } from './errors.js'
import { command, type CommandSpec } from './spec.js'

/**
 * String commands. Values are latin1 strings (one char per byte). GET, SET, MGET and
 * MSET also carry structured values (any RESP type) for the mini Redis dialect.
 */

/** A value argument as sent: a string from Redis clients, anything from the mini client. */
function storable(v: RespValue): StoredValue {
  return typeof v === 'string' ? v : new Structured(v)
}

/** Replies with a stored value as GET does: its own type for structured values. */
export function replyValue(c: Client, v: StoredValue | undefined): boolean {
  if (v === undefined) {
    c.out.nullBulk()
    return true
  }
  if (typeof v === 'string') {
    c.out.bulk(v)
    return true
  }
  if (v instanceof Structured) {
    c.out.value(v.value)
    return true
  }
  return false
}

/** A key argument must be a string even where values may be structured. */
function keyArg(c: Client, v: RespValue): string | null {
  if (typeof v === 'string') return v
  c.out.error(Err.structuredArg)
  return null
}

function get(c: Client, argv: string[]): void {
  const key = keyArg(c, argv[1])
  if (key === null) return
  if (!replyValue(c, c.db.lookupRead(key))) c.out.error(Err.wrongType)
}

const enum SetFlag {
  NX = 1,
  XX = 2,
  GET = 4,
  KEEPTTL = 8,
  EXPIRE = 16,
}

/** SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] */
function set(c: Client, argv: string[]): void {
  const key = keyArg(c, argv[1])
  if (key === null) return
  const value = storable((argv as RespValue[])[2])
  const db = c.db
  if (argv.length === 3) {
    db.set(key, value)
    if (c.mini) c.out.integer(1)
    else c.out.simple('OK')
    return
  }
  let flags = 0
  let expireAt = 0
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]
    if (typeof opt !== 'string') return c.out.error(Err.syntax)
    const hasNext = i + 1 < argv.length
    if (isOption(opt, 'NX') && !(flags & SetFlag.XX)) flags |= SetFlag.NX
    else if (isOption(opt, 'XX') && !(flags & SetFlag.NX)) flags |= SetFlag.XX
    else if (isOption(opt, 'GET')) flags |= SetFlag.GET
    else if (isOption(opt, 'KEEPTTL') && !(flags & SetFlag.EXPIRE)) flags |= SetFlag.KEEPTTL
    else if (hasNext && !(flags & (SetFlag.EXPIRE | SetFlag.KEEPTTL)) &&
      (isOption(opt, 'EX') || isOption(opt, 'PX') || isOption(opt, 'EXAT') || isOption(opt, 'PXAT'))) {
      flags |= SetFlag.EXPIRE
      const n = parseInt64(argv[++i])
      if (n === null) return c.out.error(Err.notInteger)
      const upper = opt.toUpperCase()
      const at = expireTime(upper, n)
      if (at === null) return c.out.error(Err.invalidExpire('set'))
      expireAt = at
    } else return c.out.error(Err.syntax)
  }
  const old = db.get(key)
  if (flags & SetFlag.GET) {
    if (old !== undefined && typeof old !== 'string' && !(old instanceof Structured)) return c.out.error(Err.wrongType)
  }
  const blocked = (flags & SetFlag.NX && old !== undefined) || (flags & SetFlag.XX && old === undefined)
  if (!blocked) {
    if (flags & SetFlag.KEEPTTL) db.replace(key, value)
    else db.set(key, value)
    if (flags & SetFlag.EXPIRE) db.setExpire(key, expireAt)
  }
  if (flags & SetFlag.GET) {
    replyValue(c, old)
  } else if (blocked) {
    c.out.nullBulk()
  } else if (c.mini) {
    c.out.integer(1)
  } else {
    c.out.simple('OK')
  }
}

/**
 * Absolute expiry in ms for EX/PX/EXAT/PXAT n, or null where Redis answers "invalid
 * expire time" (not positive, or overflowing when scaled to ms).
 */
export function expireTime(unit: string, n: number | bigint): number | null {
  if (typeof n === 'bigint' || n <= 0) return null
  const ms = unit === 'EX' || unit === 'EXAT' ? n * 1000 : n
  if (!Number.isSafeInteger(ms)) return null
  return unit === 'EX' || unit === 'PX' ? Date.now() + ms : ms
}

function mget(c: Client, argv: string[]): void {
  const db = c.db
  c.out.array(argv.length - 1)
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i]
    const v = typeof key === 'string' ? db.lookupRead(key) : undefined
    // MGET answers nil for a key of another type rather than failing the whole call.
    if (v === undefined || (typeof v !== 'string' && !(v instanceof Structured))) c.out.nullBulk()
    else replyValue(c, v)
  }
}

function mset(c: Client, argv: string[]): void {
  if (argv.length % 2 === 0) return c.out.error(Err.wrongArgs('mset'))
  for (let i = 1; i < argv.length; i += 2) {
    if (typeof argv[i] !== 'string') return c.out.error(Err.structuredArg)
  }
  const db = c.db
  for (let i = 1; i < argv.length; i += 2) db.set(argv[i], storable((argv as RespValue[])[i + 1]))
  if (c.mini) c.out.integer((argv.length - 1) / 2)
  else c.out.simple('OK')
}

export const stringCommands: CommandSpec[] = [
  command({
    name: 'get', arity: 2, flags: ['readonly', 'fast', 'structured'], firstKey: 1, lastKey: 1, step: 1,
    group: 'string', since: '1.0.0', summary: 'Returns the string value of a key.', complexity: 'O(1)',
    syntax: 'key', handler: get,
  }),
  command({
    name: 'set', arity: -3, flags: ['write', 'denyoom', 'structured'], firstKey: 1, lastKey: 1, step: 1,
    group: 'string', since: '1.0.0', complexity: 'O(1)',
    summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.',
    syntax: 'key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]',
    handler: set,
  }),
  command({
    name: 'mget', arity: -2, flags: ['readonly', 'fast', 'structured'], firstKey: 1, lastKey: -1, step: 1,
    group: 'string', since: '1.0.0', complexity: 'O(N) where N is the number of keys to retrieve.',
    summary: 'Atomically returns the string values of one or more keys.', syntax: 'key [key ...]', handler: mget,
  }),
  command({
    name: 'mset', arity: -3, flags: ['write', 'denyoom', 'structured'], firstKey: 1, lastKey: -1, step: 2,
    group: 'string', since: '1.0.1', complexity: 'O(N) where N is the number of keys to set.',
    summary: 'Atomically creates or modifies the string values of one or more keys.',
    syntax: 'key value [key value ...]', handler: mset,
  }),
]
