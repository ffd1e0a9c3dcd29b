import { Err } from '../commands/errors.js'
import type { CommandSpec } from '../commands/spec.js'
import type { Caller } from './caller.js'
import { freezeExpiry, thawExpiry } from '../store/clock.js'
import { call } from './dispatcher.js'
import { mayReplicate } from './pause.js'

/**
 * MULTI/EXEC. While a caller is in MULTI the dispatcher queues its commands here once
 * their generic checks pass; EXEC runs them one after the other through call(), so a
 * queued command runs exactly as it would from a socket, and nothing else runs in
 * between (the server is single-threaded and EXEC does not yield). The state lives on
 * the Caller, not the connection, so callers without a socket share it.
 */

export interface QueuedCommand {
  /** The command, or subcommand, the dispatcher resolved. */
  spec: CommandSpec
  argv: string[]
}

/** A caller's open MULTI block. */
export class Transaction {
  readonly commands: QueuedCommand[] = []
  /**
   * A command was refused while queueing (Redis's DIRTY_EXEC): EXEC answers
   * EXECABORT and runs nothing.
   */
  aborted = false
  /** Some queued command may grow memory: EXEC itself is then refused when over maxmemory. */
  denyoom = false
  /** Some queued command writes: CLIENT PAUSE WRITE then holds EXEC. */
  mayReplicate = false
  /** Argument bytes held by the queue, for CLIENT LIST multi-mem. */
  bytes = 0
}

/** Queues a command that passed the generic checks; the caller replies +QUEUED. */
export function queueCommand(caller: Caller, spec: CommandSpec, argv: string[]): void {
  const tx = caller.multi!
  // A transaction that can no longer succeed keeps nothing, as in Redis (CLIENT LIST
  // multi= stops counting): a client that pipelines without reading replies may send
  // any amount after the error.
  if (tx.aborted || caller.watchDirty) return
  tx.commands.push({ spec, argv })
  if (spec.denyoom) tx.denyoom = true
  if (mayReplicate(spec)) tx.mayReplicate = true
  // Structured values (the mini dialect's, in value positions) may be null; they count as nothing.
  for (const arg of argv) if (typeof arg === 'string') tx.bytes += arg.length
}

/** A command was refused by the generic checks: if in MULTI, EXEC must now fail. */
export function flagTransaction(caller: Caller): void {
  const tx = caller.multi
  if (tx !== null) tx.aborted = true
}

/** Ends MULTI without running anything and forgets the watched keys (DISCARD, RESET, a failed EXEC). */
export function discardTransaction(caller: Caller): void {
  caller.multi = null
  caller.watchDirty = false
  caller.server.watches.unwatchAll(caller)
}

/** What EXEC did: ran the queue, or ran nothing because a command was refused while queueing or a watched key changed. */
export type ExecOutcome = 'ran' | 'aborted' | 'watched'

/**
 * EXEC: checks the watched keys, then runs the queue, each reply in its slot of one
 * array. Blocking commands answer at once as if they had timed out; clients blocked on
 * keys these commands feed are served after the whole transaction, by the request loop.
 */
export function execTransaction(caller: Caller): ExecOutcome {
  const tx = caller.multi!
  const watches = caller.server.watches
  if (!caller.watchDirty && watches.expiredSinceWatch(caller)) caller.watchDirty = true
  if (tx.aborted || caller.watchDirty) {
    // A refused command outweighs a changed key: the transaction was never valid.
    if (tx.aborted) caller.out.error(Err.execAbort)
    else caller.out.nullArray()
    discardTransaction(caller)
    return tx.aborted ? 'aborted' : 'watched'
  }
  // Nothing the transaction does to its own keys may fail it now.
  watches.unwatchAll(caller)
  const denied = caller.denyBlocking
  caller.denyBlocking = true
  const commands = tx.commands
  caller.out.array(commands.length)
  const propagation = caller.server.propagation
  propagation.begin()
  const frozen = freezeExpiry()
  try {
    // CLIENT INFO from inside the transaction still shows it (flags=x, multi=<n>).
    for (let i = 0; i < commands.length; i++) call(commands[i].spec, caller, commands[i].argv)
  } finally {
    thawExpiry(frozen)
    propagation.end(caller.db)
    caller.denyBlocking = denied
    discardTransaction(caller)
  }
  return 'ran'
}
