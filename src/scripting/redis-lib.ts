import { checkString, checkInt } from '../lua/lib/aux.js'
import { LuaError, LuaTable, type LuaFunction, type LuaValue } from '../lua/value.js'
import { REDIS_VERSION } from '../server/server.js'
import type { LogLevel } from '../server/server.js'
import { errorText } from './convert.js'
import { sha1hex, type Scripting } from './scripting.js'

/** redis.LOG_* in the order of their values, and what each is in the server log. */
const LOG_LEVELS: LogLevel[] = ['debug', 'verbose', 'notice', 'warning']

/** REDIS_VERSION_NUM: 0x00MMmmpp. */
function versionNumber(version: string): number {
  const [major, minor, patch] = version.split('.').map(Number)
  return (major << 16) | (minor << 8) | patch
}

/** The `redis` table scripts see. */
export function createRedisLibrary(scripting: Scripting): LuaTable {
  const redis = new LuaTable()
  const fns: Record<string, LuaFunction> = {
    call: (...args) => scripting.command(true, args),
    pcall: (...args) => scripting.command(false, args),
    sha1hex: (...args) => {
      if (args.length !== 1) raise('wrong number of arguments')
      // lua_tolstring: a number as its text, anything else as nothing.
      const v = args[0]
      return sha1hex(typeof v === 'string' ? v : typeof v === 'number' ? checkString('sha1hex', 1, v) : '')
    },
    error_reply: (...args) => reply('err', args, errorReplyText),
    status_reply: (...args) => reply('ok', args),
    log: (...args) => {
      if (args.length < 2) raise('redis.log() requires two arguments or more.')
      const level = args[0]
      if (typeof level !== 'number') raise('First argument must be a number (log level).')
      if (level < 0 || level > 3 || !Number.isInteger(level)) raise('Invalid debug level.')
      const parts: string[] = []
      for (let i = 1; i < args.length; i++) {
        const a = args[i]
        parts.push(typeof a === 'string' ? a : typeof a === 'number' ? String(a) : '')
      }
      scripting.server.log(LOG_LEVELS[level], parts.join(' '))
      return undefined
    },
    setresp: (...args) => {
      if (args.length !== 1) raise('redis.setresp() requires one argument.')
      const v = args[0]
      if (v !== 2 && v !== 3) raise('RESP version must be 2 or 3.')
      scripting.caller.out.proto = v
      return undefined
    },
    set_repl: (...args) => {
      // Redis 7.0's text says "two", though it wants one.
      if (args.length !== 1) raise('redis.set_repl() requires two arguments.')
      const flags = checkInt('set_repl', 1, args[0])
      if (flags < 0 || flags > 3) raise('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.')
      return undefined
    },
    replicate_commands: () => true,
    breakpoint: () => false,
    debug: () => undefined,
    acl_check_cmd: (...args) => {
      if (args.length < 1) raise('Please specify at least one argument for this redis lib call')
      const name = args[0]
      const spec = typeof name === 'string' ? scripting.server.table.lookup(name) : undefined
      if (spec === undefined) raise('Invalid command passed to redis.acl_check_cmd()')
      // One user who may run everything: respite has no ACL users yet.
      return true
    },
  }
  for (const [name, fn] of Object.entries(fns)) redis.set(name, fn)
  redis.set('REDIS_VERSION', REDIS_VERSION)
  redis.set('REDIS_VERSION_NUM', versionNumber(REDIS_VERSION))
  LOG_LEVELS.forEach((_, i) => redis.set(`LOG_${['DEBUG', 'VERBOSE', 'NOTICE', 'WARNING'][i]}`, i))
  redis.set('REPL_NONE', 0)
  redis.set('REPL_AOF', 1)
  redis.set('REPL_SLAVE', 2)
  redis.set('REPL_REPLICA', 2)
  redis.set('REPL_ALL', 3)
  return redis
}

/** A one-field table. */
function single(field: string, value: string): LuaTable {
  const t = new LuaTable()
  t.set(field, value)
  return t
}

/**
 * Raises an error as the redis library's own checks do in Redis (luaPushError, then
 * lua_error): an {err="ERR <message>"} table, so the reply carries no "user_script:N:"
 * prefix, only the script and line after it.
 */
function raise(message: string): never {
  throw new LuaError(single('err', `ERR ${message}`))
}

/**
 * redis.error_reply and redis.status_reply: a one-field table. Wrong arguments are
 * not raised but returned, as an error table (Redis's luaPushError without lua_error).
 */
function reply(field: 'err' | 'ok', args: LuaValue[], text: (s: string) => string = (s) => s): LuaTable {
  const v = args[0]
  if (args.length !== 1 || typeof v !== 'string') return single('err', 'ERR wrong number or type of arguments')
  return single(field, text(v))
}

/**
 * The err field redis.error_reply makes of its argument, as Redis 7.0 does: a dash
 * is put in front unless there is one, then it is read as luaPushErrorBuff reads it
 * (convert.ts errorText), and the message loses CR and LF characters at either end.
 */
export function errorReplyText(text: string): string {
  return errorText(text[0] === '-' ? text : `-${text}`).replace(/^([^ ]+ )[\r\n]+|[\r\n]+$/g, '$1')
}
