import { readRdbString, rdbLength } from '../persistence/rdb-strings.js'
import { compile } from '../lua/compiler.js'
import { openBase } from '../lua/lib/base.js'
import { budget, LuaAbort } from '../lua/runtime.js'
import { LuaError, LuaTable, numberToString, type LuaFunction, type LuaValue } from '../lua/value.js'
import { DUMP_VERSION_ERROR, verifyFooter, withFooter } from '../persistence/dump.js'
import { errorMessage, parseFlags, type ScriptFlags, type Scripting } from './scripting.js'

/**
 * Redis 7.0 functions: libraries of Lua functions loaded with FUNCTION LOAD and run
 * with FCALL.
 *
 * A library's code runs once, at load, to register its functions. Each library gets
 * its own globals table, empty and read-only; its metatable lends, while the code
 * loads, a small API (only `redis.register_function`, `redis.log`, the log levels and
 * the version), and afterwards the functions' runtime API: the sandbox EVAL scripts
 * see, without KEYS and ARGV (a function gets its keys and arguments as parameters)
 * and without the debugger's entries. Nothing a library does can reach another.
 */

export interface FunctionDef {
  name: string
  fn: LuaFunction
  flags: ScriptFlags
  description: string | null
  library: Library
}

export interface Library {
  name: string
  code: string
  /** Its functions in the order they were registered. */
  functions: FunctionDef[]
}

export type RestorePolicy = 'FLUSH' | 'APPEND' | 'REPLACE'

/** Flag names in the order FUNCTION LIST shows them. */
const FLAG_ORDER: [keyof ScriptFlags, string][] = [
  ['noWrites', 'no-writes'], ['allowOom', 'allow-oom'], ['allowStale', 'allow-stale'],
  ['noCluster', 'no-cluster'], ['allowCrossSlot', 'allow-cross-slot-keys'],
]

export function flagNames(flags: ScriptFlags): string[] {
  return FLAG_ORDER.filter(([key]) => flags[key]).map(([, name]) => name)
}

const NAME_ERROR = 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long'
/** How long a library's code may run at load (Redis's fixed 500 ms). */
const LOAD_TIMEOUT_MS = 500

/** RDB_OPCODE_FUNCTION2 (a library's code) and its pre-release predecessor. */
const OPCODE_FUNCTION2 = 0xf5
const OPCODE_FUNCTION_PRE_GA = 0xf6

/** An error whose message is the reply (with its code). */
class ReplyError extends Error {}

function refuse(message: string): never {
  throw new ReplyError(message)
}

function validName(name: string): boolean {
  return name.length > 0 && /^[A-Za-z0-9_]+$/.test(name)
}

/** A Lua error carrying an error reply, as redis.register_function raises them. */
function luaFail(message: string): never {
  const t = new LuaTable()
  t.set('err', `ERR ${message}`)
  throw new LuaError(t)
}

/** lua_isstring: strings, and numbers as their text. */
function asString(v: LuaValue): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? numberToString(v) : null
}

/** A read-only table whose missing keys raise the sandbox's error. */
function sealed(t: LuaTable): LuaTable {
  const mt = new LuaTable()
  mt.set('__index', (_t: LuaValue, k: LuaValue) => {
    throw new LuaError(`Script attempted to access nonexistent global variable '${asString(k) ?? String(k)}'`)
  })
  mt.readonly = true
  t.metatable = mt
  t.readonly = true
  return t
}

/** The library being loaded: where redis.register_function puts what it registers. */
interface LoadContext {
  library: Library
}

export class FunctionRegistry {
  /** By name (case-sensitive), in load order. */
  readonly libraries = new Map<string, Library>()
  /** Every library's functions by lowercased name: FCALL finds them regardless of case. */
  private readonly functions = new Map<string, FunctionDef>()
  private loading: LoadContext | null = null
  private readonly loadApi: LuaTable
  private readonly runtimeApi: LuaTable
  /** The FCALL running now (FUNCTION STATS). */
  current: { name: string; argv: string[]; startedAt: number } | null = null
  /** Bytes of library code (INFO used_memory_functions is of this order). */
  codeBytes = 0

  constructor(readonly scripting: Scripting) {
    const g = scripting.engine.globals
    const evalRedis = g.getStr('redis') as LuaTable

    const loadRedis = new LuaTable()
    loadRedis.set('register_function', (...args: LuaValue[]) => this.register(args))
    for (const key of ['log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM']) {
      loadRedis.set(key, evalRedis.getStr(key))
    }
    this.loadApi = new LuaTable()
    this.loadApi.set('redis', sealed(loadRedis))
    sealed(this.loadApi)

    const runRedis = copyTable(evalRedis, ['breakpoint', 'debug', 'replicate_commands'])
    // The EVAL sandbox's globals, except that loadstring and load compile chunks whose
    // globals are these, not EVAL's (where KEYS and ARGV of the last script linger).
    const api = new LuaTable()
    openBase(api)
    const loaders = [api.getStr('loadstring'), api.getStr('load')]
    const installed: LuaValue[] = []
    for (let entry = api.next(undefined); entry !== undefined; entry = api.next(entry[0])) installed.push(entry[0])
    for (const key of installed) api.set(key, undefined)
    copyTable(g, ['KEYS', 'ARGV', '_G', 'redis', '__redis__err__handler'], api)
    api.set('loadstring', loaders[0])
    api.set('load', loaders[1])
    this.runtimeApi = api
    // Unlike the load-time one, the runtime `redis` table reads missing fields as nil.
    runRedis.readonly = true
    this.runtimeApi.set('redis', runRedis)
    this.runtimeApi.set('_G', this.runtimeApi)
    sealed(this.runtimeApi)
  }

  get libraryCount(): number {
    return this.libraries.size
  }

  get functionCount(): number {
    return this.functions.size
  }

  get(name: string): FunctionDef | undefined {
    return this.functions.get(name.toLowerCase())
  }

  /** FUNCTION LOAD: the library's name, or throws the error reply's text. */
  load(code: string, replace: boolean): string {
    const { engine, name } = parseShebang(code)
    if (!validName(name)) refuse(NAME_ERROR)
    if (engine.toLowerCase() !== 'lua') refuse(`ERR Engine '${engine}' not found`)
    const old = this.libraries.get(name)
    if (old !== undefined && !replace) refuse(`ERR Library '${name}' already exists`)
    const library = this.create(name, code)
    this.install([library], replace)
    return name
  }

  /**
   * Puts `libraries` in place of those of the same names (when `replace`, else a
   * name in use is refused) after checking their functions collide with no other
   * library's. All or nothing.
   */
  private install(libraries: Library[], replace: boolean, quoted = true): void {
    const replaced = new Set<string>()
    for (const lib of libraries) {
      if (this.libraries.has(lib.name)) {
        if (!replace) refuse(quoted ? `ERR Library '${lib.name}' already exists` : `ERR Library ${lib.name} already exists`)
        replaced.add(lib.name)
      }
    }
    for (const lib of libraries) {
      for (const f of lib.functions) {
        const other = this.functions.get(f.name.toLowerCase())
        if (other !== undefined && !replaced.has(other.library.name)) refuse(`ERR Function ${f.name} already exists`)
      }
    }
    for (const name of replaced) this.remove(name)
    for (const lib of libraries) {
      this.libraries.set(lib.name, lib)
      for (const f of lib.functions) this.functions.set(f.name.toLowerCase(), f)
      this.codeBytes += lib.code.length
    }
  }

  private remove(name: string): boolean {
    const lib = this.libraries.get(name)
    if (lib === undefined) return false
    for (const f of lib.functions) this.functions.delete(f.name.toLowerCase())
    this.libraries.delete(name)
    this.codeBytes -= lib.code.length
    return true
  }

  /** FUNCTION DELETE: false when there is no such library. */
  delete(name: string): boolean {
    return this.remove(name)
  }

  flush(): void {
    this.libraries.clear()
    this.functions.clear()
    this.codeBytes = 0
  }

  /** Compiles and runs a library's code in its own globals; throws the error reply's text. */
  private create(name: string, code: string): Library {
    const eol = code.indexOf('\n')
    // The shebang line is blanked, not removed, so line numbers stay those of the code.
    const source = code.slice(eol)
    const env = new LuaTable()
    const loadMeta = new LuaTable()
    loadMeta.set('__index', this.loadApi)
    env.metatable = loadMeta
    env.readonly = true
    let chunk: LuaFunction
    try {
      chunk = compile(source, 'user_function', env)
    } catch (e) {
      if (!(e instanceof LuaError)) throw e
      refuse(`ERR Error compiling function: ${asString(e.value) ?? String(e.value)}`)
    }
    const library: Library = { name, code, functions: [] }
    const saved = { left: budget.left, hook: budget.hook }
    const deadline = Date.now() + LOAD_TIMEOUT_MS
    budget.left = 100000
    budget.hook = () => {
      budget.left = 100000
      if (Date.now() > deadline) luaFail('FUNCTION LOAD timeout')
    }
    this.loading = { library }
    try {
      chunk()
    } catch (e) {
      if (e instanceof LuaAbort || !(e instanceof LuaError)) throw e
      refuse(`ERR Error registering functions: ${errorMessage(e.value)}`)
    } finally {
      this.loading = null
      budget.left = saved.left
      budget.hook = saved.hook
    }
    if (library.functions.length === 0) refuse('ERR No functions registered')
    const runMeta = new LuaTable()
    runMeta.set('__index', this.runtimeApi)
    runMeta.readonly = true
    env.metatable = runMeta
    return library
  }

  /** redis.register_function(name, fn) or redis.register_function{...}. */
  private register(args: LuaValue[]): LuaValue {
    const ctx = this.loading
    if (ctx === null) luaFail('redis.register_function can only be called on FUNCTION LOAD command')
    let name: string | null = null
    let fn: LuaFunction | null = null
    let description: string | null = null
    let flags = parseFlags('')
    if (args.length === 1) {
      const t = args[0]
      if (!(t instanceof LuaTable)) {
        luaFail('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
      }
      for (let entry = t.next(undefined); entry !== undefined; entry = t.next(entry[0])) {
        const [k, v] = entry
        const key = asString(k)
        if (key === null) luaFail('named argument key given to redis.register_function is not a string')
        if (key === 'function_name') {
          name = asString(v)
          if (name === null) luaFail('function_name argument given to redis.register_function must be a string')
        } else if (key === 'description') {
          description = asString(v)
          if (description === null) luaFail('description argument given to redis.register_function must be a string')
        } else if (key === 'callback') {
          if (typeof v !== 'function') luaFail('callback argument given to redis.register_function must be a function')
          fn = v as LuaFunction
        } else if (key === 'flags') {
          if (!(v instanceof LuaTable)) luaFail('flags argument to redis.register_function must be a table representing function flags')
          const names: string[] = []
          for (let i = 1; i <= v.length(); i++) {
            const flag = asString(v.get(i))
            if (flag === null) luaFail('unknown flag given')
            names.push(flag)
          }
          try {
            flags = parseFlags(names.join(','))
          } catch {
            luaFail('unknown flag given')
          }
        } else {
          luaFail('unknown argument given to redis.register_function')
        }
      }
      if (name === null) luaFail('redis.register_function must get a function name argument')
      if (fn === null) luaFail('redis.register_function must get a callback argument')
    } else if (args.length === 2) {
      if (typeof args[1] !== 'function') luaFail('second argument to redis.register_function must be a function')
      name = asString(args[0])
      if (name === null) luaFail('first argument to redis.register_function must be a string')
      fn = args[1] as LuaFunction
    } else {
      luaFail('wrong number of arguments to redis.register_function')
    }
    if (!validName(name)) luaFail(NAME_ERROR.slice(4))
    // Redis 7.0.15 lets one library register 'f' and 'F' (FCALL then finds only one of
    // them, and FUNCTION DELETE of that library crashes it); names compare without case here.
    const lower = name.toLowerCase()
    if (ctx.library.functions.some((f) => f.name.toLowerCase() === lower)) luaFail('Function already exists in the library')
    ctx.library.functions.push({ name, fn: fn as LuaFunction, flags, description, library: ctx.library })
    return undefined
  }

  // --- DUMP and RESTORE -------------------------------------------------------------

  /**
   * FUNCTION DUMP: each library's code as an RDB function record (opcode 0xf5 and an
   * RDB string), then the RDB version (2 bytes, little-endian) and a CRC-64 of all
   * that (8 bytes, little-endian): the layout of Redis's payload, uncompressed.
   */
  dump(): Buffer {
    const parts: Buffer[] = []
    for (const lib of this.libraries.values()) {
      parts.push(Buffer.from([OPCODE_FUNCTION2]), rdbLength(lib.code.length), Buffer.from(lib.code, 'latin1'))
    }
    return withFooter(Buffer.concat(parts))
  }

  /** FUNCTION RESTORE; throws the error reply's text. */
  restore(payload: Buffer, policy: RestorePolicy): void {
    const footer = verifyFooter(payload)
    if (footer === null) refuse(DUMP_VERSION_ERROR)
    const codes: string[] = []
    // Records may not start in the footer, but a malformed one is read on into it, as Redis does.
    const reader = { buf: payload, pos: 0 }
    while (reader.pos < footer) {
      const type = reader.buf[reader.pos++]
      if (type === OPCODE_FUNCTION_PRE_GA) {
        refuse(readRdbString(reader) === null ? 'ERR Failed loading library name' : 'ERR Pre-GA function format not supported')
      }
      if (type !== OPCODE_FUNCTION2) refuse('ERR given type is not a function')
      const code = readRdbString(reader)
      if (code === null) refuse('ERR Failed loading library payload')
      codes.push(code)
    }
    this.restoreCodes(codes, policy)
  }

  /**
   * Loads libraries from their code, all or none, under a restore policy: FUNCTION
   * RESTORE, and an RDB snapshot's function records (APPEND, as Redis loads them).
   * Throws the error reply's text.
   */
  restoreCodes(codes: readonly string[], policy: RestorePolicy): void {
    const libraries: Library[] = []
    const names = new Map<string, Library>()
    for (const code of codes) {
      const { engine, name } = parseShebang(code)
      if (!validName(name)) refuse(NAME_ERROR)
      if (engine.toLowerCase() !== 'lua') refuse(`ERR Engine '${engine}' not found`)
      if (names.has(name)) refuse(`ERR Library '${name}' already exists`)
      const lib = this.create(name, code)
      for (const other of libraries) {
        for (const f of lib.functions) {
          if (other.functions.some((g) => g.name.toLowerCase() === f.name.toLowerCase())) refuse(`ERR Function ${f.name} already exists`)
        }
      }
      names.set(name, lib)
      libraries.push(lib)
    }
    if (policy === 'FLUSH') this.flush()
    this.install(libraries, policy === 'REPLACE', false)
  }
}

/** A shallow copy of `t` without `skip` (into `copy`). */
function copyTable(t: LuaTable, skip: string[], copy = new LuaTable()): LuaTable {
  for (let entry = t.next(undefined); entry !== undefined; entry = t.next(entry[0])) {
    const [k, v] = entry
    if (typeof k === 'string' && skip.includes(k)) continue
    copy.set(k, v)
  }
  return copy
}

/** The engine and library name of `#!<engine> name=<name>` on the code's first line. */
function parseShebang(code: string): { engine: string; name: string } {
  if (!code.startsWith('#!')) refuse('ERR Missing library metadata')
  const eol = code.indexOf('\n')
  if (eol < 0) refuse('ERR Invalid library metadata')
  const words = splitArgs(code.slice(0, eol))
  if (words === null || words.length === 0) refuse('ERR Invalid library metadata')
  const engine = words[0].slice(2)
  let name: string | null = null
  for (const w of words.slice(1)) {
    if (w.length >= 5 && w.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) refuse('ERR Invalid metadata value, name argument was given multiple times')
      name = w.slice(5)
    } else {
      refuse(`ERR Invalid metadata value given: ${w}`)
    }
  }
  if (name === null) refuse('ERR Library name was not given')
  return { engine, name }
}

const SPACE = new Set([' ', '\t', '\n', '\r', '\v', '\f'])
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' }

/**
 * Splits a line into words as redis-cli and the shebang parser do: whitespace
 * separates, "double quotes" allow \-escapes (\n, \xHH...), 'single quotes' only
 * \'; a closing quote must end the word. Null when the quoting is unbalanced.
 */
export function splitArgs(line: string): string[] | null {
  const words: string[] = []
  let i = 0
  const n = line.length
  for (;;) {
    while (i < n && SPACE.has(line[i])) i++
    if (i >= n) return words
    let word = ''
    let inDouble = false
    let inSingle = false
    for (;;) {
      const ch = line[i]
      if (inDouble) {
        if (i >= n) return null
        if (ch === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          word += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16))
          i += 3
        } else if (ch === '\\' && i + 1 < n) {
          i++
          word += ESCAPES[line[i]] ?? line[i]
        } else if (ch === '"') {
          if (i + 1 < n && !SPACE.has(line[i + 1])) return null
          inDouble = false
          i++
          break
        } else {
          word += ch
        }
      } else if (inSingle) {
        if (i >= n) return null
        if (ch === '\\' && line[i + 1] === "'") {
          i++
          word += "'"
        } else if (ch === "'") {
          if (i + 1 < n && !SPACE.has(line[i + 1])) return null
          inSingle = false
          i++
          break
        } else {
          word += ch
        }
      } else {
        if (i >= n || SPACE.has(ch)) break
        if (ch === '"') inDouble = true
        else if (ch === "'") inSingle = true
        else word += ch
      }
      i++
    }
    words.push(word)
  }
}
