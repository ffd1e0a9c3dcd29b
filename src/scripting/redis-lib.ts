import { checkString, checkInt } from '../lua/lib/aux.js'
import { LuaError, LuaTable, type LuaFunction, type LuaValue } from '../lua/value.js'
import { REDIS_VERSION } from '../server/server.js'
import type { LogLevel } from '../server/server.js'
import { errorTable } from './convert.js'
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
      if (args.length !== 1) throw libError('wrong number of arguments')
      return sha1hex(checkString('sha1hex', 1, args[0]))
    },
    error_reply: (...args) => reply('err', args),
    status_reply: (...args) => reply('ok', args),
    log: (...args) => {
      if (args.length < 2) throw libError('redis.log() requires two arguments or more.')
      const level = args[0]
      if (typeof level !== 'number') throw libError('First argument must be a number (log level).')
      if (level < 0 || level > 3 || !Number.isInteger(level)) throw libError('Invalid debug level.')
      const parts: string[] = []
      for (let i = 1; i < args.length; i++) {
        const a = args[i]
        parts.push(typeof a === 'string' ? a : typeof a === 'number' ? String(a) : '')
      }
      scripting.server.log(LOG_LEVELS[level], parts.join(' '))
      return undefined
    },
    setresp: (...args) => {
      if (args.length !== 1) throw libError('redis.setresp() requires one argument.')
      const v = args[0]
      if (v !== 2 && v !== 3) throw libError('RESP version must be 2 or 3.')
      scripting.caller.out.proto = v
      return undefined
    },
    set_repl: (...args) => {
      if (args.length !== 1) throw libError('redis.set_repl() requires one argument.')
      const flags = checkInt('set_repl', 1, args[0])
      if (flags < 0 || flags > 3) throw libError('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.')
      return undefined
    },
    replicate_commands: () => true,
    breakpoint: () => false,
    debug: () => undefined,
    acl_check_cmd: (...args) => {
      if (args.length < 1) throw libError('Please specify at least one argument for this redis lib call')
      const name = args[0]
      const spec = typeof name === 'string' ? scripting.server.table.lookup(name) : undefined
      if (spec === undefined) throw libError('Invalid command passed to redis.acl_check_cmd()')
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

/** redis.error_reply and redis.status_reply: a one-field table, or an error table for bad arguments. */
function reply(field: 'err' | 'ok', args: LuaValue[]): LuaTable {
  const v = args[0]
  if (args.length !== 1 || typeof v !== 'string') return errorTable('wrong number or type of arguments', false)
  if (field === 'err') return errorTable(v.startsWith('-') ? v : `-${v}`, false)
  const t = new LuaTable()
  t.set('ok', v)
  return t
}

/**
 * The redis library's own errors: raised as an {err=...} table, so they carry no
 * position (Redis raises them with lua_error, not luaL_error).
 */
function libError(message: string): LuaError {
  return new LuaError(errorTable(message, false))
}
