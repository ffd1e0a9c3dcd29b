import { Err } from '../commands/errors.js'
import type { CommandSpec } from '../commands/spec.js'
import type { CommandTable } from '../commands/table.js'
import type { Argv, RespValue } from '../resp/values.js'
import type { Caller } from './caller.js'
import type { Client } from './client.js'
import { holdExpiry, thawExpiry } from '../store/clock.js'
import { contain, shortReason } from './faults.js'
import { discardTransaction, flagTransaction, queueCommand } from './transaction.js'

/**
 * The generic checks every command gets, in Redis's order: unknown command (or
 * subcommand), arity, authentication, our structured-value positions, a no_multi
 * command in MULTI, the maxmemory ceiling, RESP2 subscribed mode, the start-up load,
 * a busy script, CLIENT PAUSE; then
 * MULTI queues the command (+QUEUED) or call() runs it. Handlers never repeat them.
 */
export function dispatch(table: CommandTable, client: Client, request: Argv): void {
  if (client.decoder.bytes) takeBytes(table, client, request)
  if (client.decoder.oversized) {
    refuse(client, Err.argTooLong)
    return
  }
  const name = request[0]
  if (typeof name !== 'string') {
    refuse(client, Err.structuredArg)
    return
  }
  let spec = table.lookup(name)
  const argv = request as string[]
  if (spec === undefined) {
    client.lastCommand = null
    refuse(client, Err.unknownCommand(argv.map(printable)))
    return
  }
  if (spec.subcommands !== undefined && argv.length >= 2) {
    const subName = argv[1]
    const sub = typeof subName === 'string' ? table.lookupSub(spec, subName) : undefined
    if (sub === undefined) {
      client.lastCommand = null
      refuse(client, Err.unknownSubcommand(printable(subName), spec.name))
      return
    }
    spec = sub
  }
  // As in Redis, CLIENT LIST cmd= names the command once it is known, refused or not;
  // commands run by EXEC leave it at exec.
  client.lastCommand = spec
  const arity = spec.arity
  if (arity > 0 ? argv.length !== arity : argv.length < -arity) {
    reject(client, spec, Err.wrongArgs(spec.fullName!))
    return
  }
  if (!client.authenticated && !spec.noAuth) {
    reject(client, spec, Err.noAuth)
    return
  }
  if (client.decoder.structured && !structuredAllowed(spec, request as RespValue[])) {
    reject(client, spec, Err.structuredArg)
    return
  }
  const multi = client.multi
  if (multi !== null && spec.noMulti) {
    reject(client, spec, Err.notInMulti)
    return
  }
  const server = client.server
  const busy = server.busy
  // Queueing holds memory however small each command is, so over maxmemory Redis
  // refuses every command in MULTI but those that end it (and EXEC when nothing
  // queued may grow memory). While a script is busy Redis does not look at memory.
  const oomMatters = multi === null ? spec.denyoom : spec.endsMulti ? spec.fullName === 'exec' && multi.denyoom : true
  if (oomMatters && busy === null && server.memory.refuses()) {
    reject(client, spec, Err.oom)
    return
  }
  // After a failed background save with save points set, Redis refuses writes (and
  // PING, which a monitoring check sends) until a save succeeds.
  if (!server.snapshots.lastBgsaveOk && (spec.writes || spec.fullName === 'ping') && server.snapshots.writesRefused) {
    reject(client, spec, Err.misconf)
    return
  }
  if (client.subscribed && client.out.proto === 2 && !spec.allowedWhileSubscribed) {
    reject(client, spec, Err.subscribedContext(spec.fullName!))
    return
  }
  // During the start-up load only loading-flagged commands run; in MULTI the rest are
  // refused rather than queued, and doom the transaction, as in Redis.
  if (server.loading !== null && !spec.duringLoad) {
    reject(client, spec, Err.loading)
    return
  }
  // A script past busy-reply-threshold (busy.ts): only allow_busy commands run. MULTI
  // and WATCH do, so a pipelined transaction fails at EXEC rather than half-queued.
  if (busy !== null && !spec.allowBusy) {
    reject(client, spec, Err.busy(busy.kind))
    return
  }
  // A pause holds a write before MULTI would queue it, as in Redis: nothing a paused
  // server was asked to write is acknowledged, queued or not.
  const pause = server.pause
  if (pause.mode !== 0 && pause.holds(spec, client)) {
    pause.postpone(client, spec, argv)
    return
  }
  if (multi !== null && !spec.runsInMulti) {
    queueCommand(client, spec, argv)
    client.out.simple('QUEUED')
    return
  }
  call(spec, client, argv)
}

/**
 * Runs a command whose generic checks have passed, and counts it: Redis's call(). The
 * one way a command runs, for a socket, inside EXEC or from a script. A command that
 * changed the data (the store's change counter moved) goes to propagation, unless it
 * is one (EXEC, a script) whose commands went there one by one.
 */
export function call(spec: CommandSpec, caller: Caller, argv: string[]): void {
  const out = caller.out
  const server = caller.server
  const errorsBefore = out.errors
  const dirtyBefore = server.dirty
  const stats = spec.stats!
  stats.calls++
  const held = holdExpiry()
  // Timed only while the latency monitor is on: a clock read costs some 50 ns, and two
  // of them a fifth of a pipelined GET.
  if (server.latency.threshold === 0) invoke(spec, caller, argv)
  else timedInvoke(spec, caller, argv)
  thawExpiry(held)
  if (server.tracking.active) server.tracking.remember(caller, spec, argv)
  if (out.errors !== errorsBefore) stats.failed++
  if (server.propagation.active) propagate(spec, caller, argv, server.dirty !== dirtyBefore)
}

/** invoke(), with a latency spike kept when it took latency-monitor-threshold or longer. */
function timedInvoke(spec: CommandSpec, caller: Caller, argv: string[]): void {
  const started = performance.now()
  invoke(spec, caller, argv)
  caller.server.latency.add(spec.fast ? 'fast-command' : 'command', performance.now() - started)
}

/**
 * After a command ran, while something consumes writes: a write command that changed
 * the data goes out (in the form propagation.ts gives it), unless it is one (EXEC, a
 * script) whose commands went one by one. A read that only expired keys changed the
 * data too; those keys went out as DEL when they expired.
 */
export function propagate(spec: CommandSpec, caller: Caller, argv: string[], changed: boolean): void {
  if (changed && spec.writes && !spec.propagatesEffects) caller.server.propagation.command(spec, caller, caller.db, argv)
  else caller.propagated = null
}

/**
 * Calls a handler: from a socket, and again when a blocked client's key gets data. An
 * exception it throws is a bug in respite, never a reason to drop the server: whatever
 * the handler had written is taken back and the client gets a short error instead. V8
 * optimises a function with try/catch as well as one without, so this costs nothing
 * measurable (see the closing figures of issue 7).
 */
export function invoke(spec: CommandSpec, caller: Caller, argv: string[]): void {
  const out = caller.out
  const mark = out.pos
  // A background save keeps the old value of keys this command may change (copy on
  // write, background-save.ts). Here, not in call(), so that blocked commands served
  // later (BLMOVE's destination) are covered too.
  const saving = caller.server.saving
  if (saving !== null) saving.beforeCommand(spec, caller.db, argv)
  try {
    spec.handler!(caller, argv)
  } catch (e) {
    out.truncate(mark)
    out.error(`ERR internal error in '${spec.fullName}': ${shortReason(e)}`)
    contain(caller.server, `command '${spec.fullName}' with ${argv.length} arguments`, e)
  }
}

/**
 * Long values the decoder left as views into its read buffer become strings, but for
 * the one a handler takes as bytes (spec.bytesValue) when the command will run now:
 * one queued by MULTI or held by a pause outlives the buffer, and a script's busy turn
 * may see the client read again.
 */
function takeBytes(table: CommandTable, client: Client, request: Argv): void {
  const name = request[0]
  const spec = typeof name === 'string' ? table.lookup(name) : undefined
  const server = client.server
  const keep = spec?.bytesValue !== undefined && client.multi === null && server.pause.mode === 0 && server.busy === null ? spec.bytesValue : -1
  for (let i = 0; i < request.length; i++) {
    const a = request[i]
    if (i !== keep && a instanceof Uint8Array) request[i] = a.latin1Slice(0, a.length)
  }
}

/** A refusal by the generic checks, counted against the command (commandstats rejected_calls). */
function reject(client: Caller, spec: CommandSpec, message: string): void {
  spec.stats!.rejected++
  if (spec.fullName === 'exec') {
    // A refused EXEC ends the transaction, in MULTI or not, and says why in Redis's words.
    discardTransaction(client)
    client.out.error(Err.execRefused(message))
    return
  }
  refuse(client, message)
}

/** Any refusal before a command runs; inside MULTI it dooms the transaction. */
function refuse(client: Caller, message: string): void {
  if (client.multi !== null) flagTransaction(client)
  client.out.error(message)
}

/** Structured values only where the spec declares one (SET's value, MSET's values). */
function structuredAllowed(spec: CommandSpec, argv: RespValue[]): boolean {
  const allowed = spec.structuredValues
  for (let i = 1; i < argv.length; i++) {
    if (typeof argv[i] === 'string') continue
    if (allowed === undefined || i < allowed.first) return false
    if (allowed.step === 0 ? i !== allowed.first : (i - allowed.first) % allowed.step !== 0) return false
  }
  return true
}

/** Error texts quote arguments; structured values are shown by their kind. */
function printable(v: unknown): string {
  return typeof v === 'string' ? v : Array.isArray(v) ? '(array)' : String(v)
}
