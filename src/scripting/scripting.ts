import { createHash } from 'node:crypto'
import { Err } from '../commands/errors.js'
import { LuaAbort, LuaEngine } from '../lua/engine.js'
import { firstOf } from '../lua/runtime.js'
import { LuaError, LuaTable, numberToString, type LuaFunction, type LuaValue } from '../lua/value.js'
import type { Caller } from '../server/caller.js'
import { call } from '../server/dispatcher.js'
import { BusyScripts } from '../server/busy.js'
import type { Server } from '../server/server.js'
import { freezeExpiry, thawExpiry } from '../store/clock.js'
import { errorLine, errorTable, luaToReply, replyToLua, toArgument } from './convert.js'
import { FunctionRegistry } from './functions.js'
import { createRedisLibrary } from './redis-lib.js'
import { ScriptCaller } from './script-caller.js'

/**
 * Scripting: binds the Lua engine (src/lua, which knows nothing about Redis) to the
 * command table. One Lua state per server, as in Redis: the globals and libraries are
 * read-only, so scripts share nothing but the script cache.
 *
 * A script runs synchronously inside the command that started it, so it is atomic:
 * nothing else runs until it returns. Its redis.call goes through call(), the one
 * execution path, for a caller without a socket (ScriptCaller), after the checks
 * Redis makes for scripts (scriptCall): unknown command, arity, noscript, writes from
 * a read-only script, maxmemory.
 */

/** Shebang flags of an EVAL script (`#!lua flags=...`) or of a function. */
export interface ScriptFlags {
  noWrites: boolean
  allowOom: boolean
  allowStale: boolean
  noCluster: boolean
  allowCrossSlot: boolean
}

export interface Script {
  sha: string
  body: string
  fn: LuaFunction
  /** Null without a shebang: Redis then keeps its pre-7.0 rules. */
  flags: ScriptFlags | null
  /** "script: <sha>", as errors name it (made once, not on every call). */
  label: string
}

/** The script running now. */
export interface Run {
  /** The client that ran it. */
  client: Caller
  /** EVAL or FCALL: SCRIPT KILL stops the one, FUNCTION KILL the other. */
  kind: 'script' | 'function'
  /** In errors: "script: <sha>", or "script: <name>" for a function (Redis's wording). */
  label: string
  readOnly: boolean
  allowOom: boolean
  startedAt: number
  /** server.dirty when it started: a script that has written cannot be killed. */
  dirtyAtStart: number
  killed: boolean
  /** Past busy-reply-threshold: other clients are being answered (busy.ts). */
  busy: boolean
}

/**
 * Budget units (loop iterations, function entries) between two calls of the hook that
 * watches the clock. A tight loop runs 10,000 iterations in some µs, so a Date.now()
 * per call is lost in the noise, while a loop around redis.call still reaches it within
 * some ms.
 */
const HOOK_EVERY = 10_000

const NO_FLAGS: ScriptFlags = { noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false }
const FLAG_NAMES: Record<string, keyof ScriptFlags> = {
  'no-writes': 'noWrites', 'allow-oom': 'allowOom', 'allow-stale': 'allowStale',
  'no-cluster': 'noCluster', 'allow-cross-slot-keys': 'allowCrossSlot',
}

export function sha1hex(s: string): string {
  return createHash('sha1').update(s, 'latin1').digest('hex')
}

/** Parses a `#!lua flags=a,b` shebang line's flags; throws Redis's error text. */
export function parseFlags(list: string): ScriptFlags {
  const flags = { ...NO_FLAGS }
  for (const name of list.split(',')) {
    if (name === '') continue
    const key = FLAG_NAMES[name]
    if (key === undefined) throw new Error(`ERR Unexpected flag in script shebang: ${name}`)
    flags[key] = true
  }
  return flags
}

export class Scripting {
  readonly engine = new LuaEngine()
  readonly caller: ScriptCaller
  /** The script running now, or null. */
  running: Run | null = null
  private readonly scripts = new Map<string, Script>()
  /**
   * The same scripts by body, for EVAL: a Map lookup of the body costs a fraction of
   * the SHA1 that identifies it (a hash object, the digest and its hex per call), which
   * made EVAL of a small script run at 0.7x Redis's rate.
   */
  private readonly byBody = new Map<string, Script>()
  /** What `running` points at while a script runs (see run()). */
  private readonly record: Run
  /** Bytes of script bodies in the cache (INFO used_memory_scripts_eval). */
  cachedBytes = 0
  /**
   * What V8 holds for them (INFO used_memory_vm_eval): the length of the JavaScript
   * each compiled to, the nearest measure of Lua's VM memory there is here.
   */
  compiledBytes = 0
  private functionRegistry: FunctionRegistry | null = null
  /** Serves other clients while a script is busy. */
  readonly busy: BusyScripts

  constructor(readonly server: Server) {
    this.caller = new ScriptCaller(server)
    this.busy = new BusyScripts(server)
    this.record = {
      client: this.caller, kind: 'script', label: '', readOnly: false, allowOom: false, startedAt: 0, dirtyAtStart: 0,
      killed: false, busy: false,
    }
    const g = this.engine.globals
    const redis = createRedisLibrary(this)
    g.set('redis', redis)
    // Redis's pcall gives the text of a {err=...} error, not the table (luaRedisPcall).
    const pcall = g.getStr('pcall') as LuaFunction
    g.set('pcall', (...args: LuaValue[]) => {
      const r = pcall(...args) as LuaValue[]
      if (r[0] === false && r[1] instanceof LuaTable) {
        const err = r[1].getStr('err')
        if (typeof err === 'string') r[1] = err
      }
      return r
    })
    // Redis 7.0's error handler is a visible global; scripts that list _G see it.
    g.set('__redis__err__handler', (err: LuaValue) => {
      if (err instanceof LuaTable) return err
      const t = new LuaTable()
      t.set('err', errorMessage(err))
      return t
    })
    for (const lib of ['string', 'table', 'math', 'coroutine', 'cjson', 'cmsgpack', 'struct', 'bit', 'redis']) {
      ;(g.getStr(lib) as LuaTable).readonly = true
    }
    const mt = new LuaTable()
    mt.set('__index', (_t: LuaValue, k: LuaValue) => {
      throw new LuaError(`Script attempted to access nonexistent global variable '${typeof k === 'string' ? k : numberToString(k as number)}'`)
    })
    mt.readonly = true
    g.metatable = mt
    g.readonly = true
  }

  /** FUNCTION libraries (functions.ts), made on first use. */
  get functions(): FunctionRegistry {
    return (this.functionRegistry ??= new FunctionRegistry(this))
  }

  get functionsIfLoaded(): FunctionRegistry | undefined {
    return this.functionRegistry ?? undefined
  }

  get size(): number {
    return this.scripts.size
  }

  get(sha: string): Script | undefined {
    // Clients send the SHA1 as SCRIPT LOAD gave it, in lower case: try that as is
    // before lower-casing (a new string to hash on every EVALSHA).
    const script = this.scripts.get(sha)
    if (script !== undefined || sha.length !== 40) return script
    const lower = sha.toLowerCase()
    return lower === sha ? undefined : this.scripts.get(lower)
  }

  has(sha: string): boolean {
    return this.get(sha) !== undefined
  }

  /**
   * The cached script for `body`, compiled on first use. Throws the error reply's text
   * for a bad shebang or a syntax error.
   */
  load(body: string): Script {
    const known = this.byBody.get(body)
    if (known !== undefined) return known
    const sha = sha1hex(body)
    const cached = this.scripts.get(sha)
    if (cached !== undefined) return cached
    let flags: ScriptFlags | null = null
    let source = body
    if (body.startsWith('#!')) {
      // The shebang line is blanked, not removed, so line numbers stay those of the body.
      const eol = body.indexOf('\n')
      const line = eol < 0 ? body : body.slice(0, eol)
      const words = line.split(' ')
      if (words[0] !== '#!lua') throw new Error(`ERR Unexpected engine in script shebang: ${words[0]}`)
      flags = { ...NO_FLAGS }
      for (const w of words.slice(1)) {
        if (w === '') continue
        if (!w.startsWith('flags=')) throw new Error(`ERR Unknown lua shebang option: ${w}`)
        flags = parseFlags(w.slice(6))
      }
      source = eol < 0 ? '' : body.slice(eol)
    }
    let fn: LuaFunction
    try {
      fn = this.engine.compile(source, 'user_script')
    } catch (e) {
      throw new Error(`ERR Error compiling script (new function): ${e instanceof LuaError ? String(e.value) : String(e)}`)
    }
    const script: Script = { sha, body, fn, flags, label: `script: ${sha}` }
    this.scripts.set(sha, script)
    this.byBody.set(body, script)
    this.cachedBytes += body.length
    this.compiledBytes += fn.toString().length
    return script
  }

  flush(): void {
    this.scripts.clear()
    this.byBody.clear()
    this.cachedBytes = 0
    this.compiledBytes = 0
  }

  /**
   * Runs `fn` for `client` with KEYS and ARGV set, and writes its result or error as
   * the reply. `keys` and `args` become the array parts of KEYS and ARGV: pass arrays
   * nothing else holds (slices of argv).
   */
  run(
    client: Caller, kind: Run['kind'], fn: LuaFunction, label: string, keys: string[], args: string[],
    readOnly: boolean, allowOom: boolean,
  ): void {
    // A script sees its keys and arguments as KEYS and ARGV, a function as its parameters.
    if (kind === 'script') {
      const g = this.engine.globals
      g.readonly = false
      g.set('KEYS', LuaTable.fromArray(keys))
      g.set('ARGV', LuaTable.fromArray(args))
      g.readonly = true
    }
    const sc = this.caller
    sc.db = client.db
    sc.out.proto = 2
    sc.out.reuse()
    const server = this.server
    // One script runs at a time, so every run fills in the same record.
    const run = this.record
    run.client = client
    run.kind = kind
    run.label = label
    run.readOnly = readOnly
    run.allowOom = allowOom
    run.startedAt = Date.now()
    run.dirtyAtStart = server.dirty
    run.killed = false
    run.busy = false
    this.running = run
    // Set per run: the budget is shared by every engine in the process (other servers in it too).
    this.engine.setBudgetHook(HOOK_EVERY, this.onBudget)
    const propagation = server.propagation
    propagation.begin()
    const frozen = freezeExpiry()
    try {
      const result = firstOf(kind === 'script' ? fn() : fn(LuaTable.fromArray(keys), LuaTable.fromArray(args)))
      // redis.setresp may have changed it while the script ran.
      luaToReply(client.out, result, sc.out.proto)
    } catch (e) {
      client.out.error(this.failure(e, run))
    } finally {
      thawExpiry(frozen)
      this.running = null
      if (run.busy) this.busy.end()
      propagation.end(sc.db)
    }
  }

  /**
   * The budget hook, every HOOK_EVERY units of the running script: past
   * busy-reply-threshold, serves the other clients (busy.ts) every few ms, and stops
   * the script once SCRIPT KILL / FUNCTION KILL or SHUTDOWN NOSAVE asked for it.
   * LuaAbort unwinds through pcall.
   */
  private readonly onBudget = (): void => {
    const run = this.running
    if (run === null) return
    const now = Date.now()
    if (!run.busy) {
      const elapsed = now - run.startedAt
      const threshold = this.server.config.int('busy-reply-threshold')
      // Halfway there, the acceptor thread starts (once per server), to be up in time.
      if (elapsed >= threshold / 2) this.busy.prepare()
      if (elapsed < threshold) return
      run.busy = true
      this.busy.begin(run, elapsed)
    } else if (this.busy.due(now)) {
      this.busy.poll(now)
    }
    if (run.killed || this.server.isClosed) throw new LuaAbort()
  }

  /** The error reply of a script that raised `e`. */
  private failure(e: unknown, run: Run): string {
    let message: string
    // Redis 7.0 says SCRIPT KILL for FUNCTION KILL too.
    if (e instanceof LuaAbort) message = 'ERR Script killed by user with SCRIPT KILL...'
    else if (e instanceof LuaError) message = errorMessage(e.value)
    else throw e
    return `${message} ${run.label}${e.where === undefined ? '' : `, on @${e.where}.`}`
  }

  /**
   * SCRIPT KILL and FUNCTION KILL: null when the running script will stop (at the next
   * budget hook), else the error reply. The wrong one of the two gets the running
   * kind's -BUSY, as in Redis.
   */
  kill(kind: Run['kind']): string | null {
    const run = this.running
    if (run === null) return 'NOTBUSY No scripts in execution right now.'
    if (this.server.dirty !== run.dirtyAtStart) {
      return 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.'
    }
    // SCRIPT KILL stops EVALs only, FUNCTION KILL FCALLs only.
    if (run.kind !== kind) return Err.busy(run.kind)
    if (!run.killed) this.server.log('warning', 'Lua script killed by user with SCRIPT KILL.')
    run.killed = true
    return null
  }

  /**
   * redis.call (raise) and redis.pcall: runs a command for the script and returns its
   * reply as Lua sees it. A refused or failed command raises, or with pcall returns,
   * an {err=...} table.
   */
  command(raise: boolean, args: LuaValue[]): LuaValue {
    const run = this.running
    if (run === null) return fail(raise, 'redis.call is not available here', false)
    if (args.length === 0) return fail(raise, 'Please specify at least one argument for this redis lib call', false)
    // `args` is the rest parameter of redis.call, a fresh array: it becomes argv once
    // its numbers are turned into strings, rather than being copied.
    for (let i = 0; i < args.length; i++) {
      const v = args[i]
      if (typeof v === 'string') continue
      const a = toArgument(v)
      if (a === null) return fail(raise, 'Lua redis lib command arguments must be strings or integers', false)
      args[i] = a
    }
    const argv = args as string[]
    const server = this.server
    let spec = server.table.lookup(argv[0])
    if (spec !== undefined && spec.subcommands !== undefined && argv.length >= 2) spec = server.table.lookupSub(spec, argv[1])
    if (spec === undefined) return fail(raise, '-ERR Unknown Redis command called from script', true)
    const arity = spec.arity
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) {
      return fail(raise, '-ERR Wrong number of args calling Redis command from script', true)
    }
    if (spec.noScript) return fail(raise, '-ERR This Redis command is not allowed from script', true)
    if ((spec.name === 'xread' || spec.name === 'xreadgroup') && blocks(argv)) {
      return fail(raise, `-ERR ${spec.name} command is not allowed with BLOCK option from scripts`, true)
    }
    if (spec.writes && run.readOnly) return fail(raise, '-ERR Write commands are not allowed from read-only scripts.', true)
    if (spec.denyoom && !run.allowOom && server.memory.refuses()) return fail(raise, `-${Err.oom}`, true)
    const sc = this.caller
    call(spec, sc, argv)
    const out = sc.out
    const buf = out.buf
    if (buf[0] === 0x2d) {
      const text = errorLine(buf, 0)
      out.reuse()
      return fail(raise, text, true)
    }
    const v = replyToLua(buf, 0)
    out.reuse()
    return v
  }
}

/** The error reply for a raised Lua value: an {err=...} table's text, or "ERR " and the value. */
export function errorMessage(v: LuaValue): string {
  if (v instanceof LuaTable) {
    const err = v.getStr('err')
    return typeof err === 'string' ? err : typeof err === 'number' ? numberToString(err) : 'ERR unknown error'
  }
  return `ERR ${typeof v === 'string' ? v : typeof v === 'number' ? numberToString(v) : String(v === undefined ? 'nil' : v)}`
}

/** A refused or failed command: raised by redis.call, returned by redis.pcall. */
function fail(raise: boolean, text: string, fromReply: boolean): LuaTable {
  const t = errorTable(text, fromReply)
  if (raise) throw new LuaError(t)
  return t
}

/** XREAD and XREADGROUP would block: BLOCK among the options before STREAMS. */
function blocks(argv: string[]): boolean {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].toLowerCase()
    if (a === 'streams') return false
    if (a === 'block') return true
  }
  return false
}
