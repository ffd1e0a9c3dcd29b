import { createHash } from 'node:crypto'
import { Err } from '../commands/errors.js'
import { LuaAbort, LuaEngine } from '../lua/engine.js'
import { firstOf } from '../lua/runtime.js'
import { LuaError, LuaTable, numberToString, type LuaFunction, type LuaValue } from '../lua/value.js'
import type { Caller } from '../server/caller.js'
import { call } from '../server/dispatcher.js'
import { BusyScripts } from '../server/busy.js'
import type { Server } from '../server/server.js'
import { errorText, luaToReply, replyToLua, toArgument } from './convert.js'
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
}

/** The script running now. */
export interface Run {
  /** The client that ran it. */
  client: Caller
  /** EVAL or FCALL: SCRIPT KILL stops the one, FUNCTION KILL the other. */
  kind: 'script' | 'function'
  /** In errors: "script: <sha>" or "function: <name>" (Redis's wording for each). */
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
  /** Bytes of script bodies in the cache (INFO used_memory_scripts_eval). */
  cachedBytes = 0
  /** Serves other clients while a script is busy. */
  readonly busy: BusyScripts

  constructor(readonly server: Server) {
    this.caller = new ScriptCaller(server)
    this.busy = new BusyScripts(server)
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

  get size(): number {
    return this.scripts.size
  }

  get(sha: string): Script | undefined {
    return this.scripts.get(sha.length === 40 ? sha.toLowerCase() : sha)
  }

  has(sha: string): boolean {
    return this.get(sha) !== undefined
  }

  /**
   * The cached script for `body`, compiled on first use. Throws the error reply's text
   * for a bad shebang or a syntax error.
   */
  load(body: string): Script {
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
    const script: Script = { sha, body, fn, flags }
    this.scripts.set(sha, script)
    this.cachedBytes += body.length
    return script
  }

  flush(): void {
    this.scripts.clear()
    this.cachedBytes = 0
  }

  /** Runs `fn` for `client` with KEYS and ARGV set, and writes its result or error as the reply. */
  run(
    client: Caller, kind: Run['kind'], fn: LuaFunction, label: string, keys: string[], args: string[],
    readOnly: boolean, allowOom: boolean,
  ): void {
    const g = this.engine.globals
    g.readonly = false
    g.set('KEYS', stringTable(keys))
    g.set('ARGV', stringTable(args))
    g.readonly = true
    const sc = this.caller
    sc.db = client.db
    sc.out.proto = 2
    sc.out.reuse()
    const server = this.server
    const run: Run = {
      client, kind, label, readOnly, allowOom, startedAt: Date.now(), dirtyAtStart: server.dirty, killed: false, busy: false,
    }
    this.running = run
    // Set per run: the budget is shared by every engine in the process (other servers in it too).
    this.engine.setBudgetHook(HOOK_EVERY, this.onBudget)
    const propagation = server.propagation
    propagation.begin()
    try {
      luaToReply(client.out, firstOf(fn()))
    } catch (e) {
      client.out.error(this.failure(e, run))
    } finally {
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
    // Redis 7.0 says SCRIPT KILL for FUNCTION KILL too.
    if (e instanceof LuaAbort) return `ERR Script killed by user with SCRIPT KILL... ${run.label}${e.where === undefined ? '' : `, on @${e.where}.`}`
    if (!(e instanceof LuaError)) throw e
    const v = e.value
    let message: string
    if (v instanceof LuaTable) {
      const err = v.getStr('err')
      message = typeof err === 'string' ? err : typeof err === 'number' ? numberToString(err) : 'ERR unknown error'
    } else {
      message = `ERR ${typeof v === 'string' ? v : typeof v === 'number' ? numberToString(v) : String(v === undefined ? 'nil' : v)}`
    }
    return e.where === undefined ? `${message} ${run.label}` : `${message} ${run.label}, on @${e.where}.`
  }

  /**
   * SCRIPT KILL and FUNCTION KILL: null when the running script will stop (at the next
   * budget hook), else the error reply. The wrong one of the two gets the running
   * kind's -BUSY, as in Redis.
   */
  kill(kind: Run['kind']): string | null {
    const run = this.running
    if (run === null) return 'NOTBUSY No scripts in execution right now.'
    if (run.kind !== kind) return Err.busy(run.kind)
    if (this.server.dirty !== run.dirtyAtStart) {
      return 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.'
    }
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
    if (run === null) return fail(raise, 'ERR redis.call is not available here')
    if (args.length === 0) return fail(raise, 'ERR Please specify at least one argument for this redis lib call')
    const argv = new Array<string>(args.length)
    for (let i = 0; i < args.length; i++) {
      const a = toArgument(args[i])
      if (a === null) return fail(raise, 'ERR Lua redis lib command arguments must be strings or integers')
      argv[i] = a
    }
    const server = this.server
    let spec = server.table.lookup(argv[0])
    if (spec !== undefined && spec.subcommands !== undefined && argv.length >= 2) spec = server.table.lookupSub(spec, argv[1])
    if (spec === undefined) return fail(raise, 'ERR Unknown Redis command called from script')
    const arity = spec.arity
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) {
      return fail(raise, 'ERR Wrong number of args calling Redis command from script')
    }
    if (spec.noScript) return fail(raise, 'ERR This Redis command is not allowed from script')
    if (spec.writes && run.readOnly) return fail(raise, 'ERR Write commands are not allowed from read-only scripts.')
    if (spec.denyoom && !run.allowOom && server.memory.refuses()) return fail(raise, Err.oom)
    const sc = this.caller
    call(spec, sc, argv)
    const out = sc.out
    const buf = out.buf
    if (buf[0] === 0x2d) {
      const text = errorText(buf, 0)
      out.reuse()
      return fail(raise, text)
    }
    const v = replyToLua(buf, 0)
    out.reuse()
    return v
  }
}

function fail(raise: boolean, message: string): LuaTable {
  const t = new LuaTable()
  t.set('err', message)
  if (raise) throw new LuaError(t)
  return t
}

function stringTable(items: string[]): LuaTable {
  const t = new LuaTable()
  for (let i = 0; i < items.length; i++) t.set(i + 1, items[i])
  return t
}
