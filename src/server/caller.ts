import type { CommandSpec } from '../commands/spec.js'
import { ReplyWriter } from '../resp/writer.js'
import type { Database } from '../store/database.js'
import type { BlockState, Client } from './client.js'
import type { Server } from './server.js'
import type { TrackingMode } from './tracking.js'
import type { Transaction } from './transaction.js'
import type { WatchedKey } from './watch.js'

/**
 * Whoever a command runs for: what a handler may use. It has a reply writer, a
 * selected database and the caller's state (name, protocol, authentication, blocking),
 * but no socket. A connection (Client) is one kind of caller; a script will be
 * another, with no connection behind it, running commands through the same dispatcher.
 *
 * Handlers that truly need the connection (CLIENT INFO, CLIENT KILL) are flagged
 * `noscript` and reach it through `connection`.
 */
export abstract class Caller {
  readonly out: ReplyWriter
  db: Database
  name = ''
  libName = ''
  libVer = ''
  authenticated: boolean
  /** For CLIENT LIST cmd=. */
  lastCommand: CommandSpec | null = null
  blocked: BlockState | null = null
  /** True while a blocked command is re-run because one of its keys got data. */
  retrying = false
  /**
   * Set while commands run inside MULTI/EXEC or a script, where Redis never blocks:
   * blocking commands then answer at once with their "nothing there" reply.
   */
  denyBlocking = false
  noEvict = false
  noTouch = false
  closed = false
  /** Subscribed to a channel, pattern or shard channel: RESP2 then allows only pub/sub commands. */
  subscribed = false
  /** CLIENT TRACKING settings, null while tracking is off (tracking.ts). */
  tracking: TrackingMode | null = null
  /** Between MULTI and EXEC/DISCARD: the dispatcher queues commands here (transaction.ts). */
  multi: Transaction | null = null
  /** Keys this caller WATCHes (watch.ts), or null. */
  watching: WatchedKey[] | null = null
  /** A watched key changed (Redis's DIRTY_CAS): the next EXEC answers a null array. */
  watchDirty = false
  /** What the running command asked to be propagated as (propagateAs), taken by propagation.ts. */
  propagated: (readonly string[])[] | null = null

  constructor(
    readonly server: Server,
    readonly id: number,
    /** Served on the --mini-port listener: SET answers :1 and MSET :<pairs>. */
    readonly mini: boolean,
    outputSize: number,
  ) {
    this.out = new ReplyWriter(outputSize)
    this.out.nativeMaps = mini
    this.out.errorCodes = server.errorCodes
    this.db = server.store.db(0)
    this.authenticated = server.config.get('requirepass') === ''
  }

  /** The connection behind this caller, or null (a script). Only noscript commands use it. */
  abstract get connection(): Client | null

  /** QUIT, CLIENT KILL of oneself: deliver pending replies, then close. */
  abstract closeAfterReply(): void

  /** Drops the caller's connection at once, if it has one. */
  abstract destroy(): void

  /**
   * Parks this caller until one of `keys` receives data or `timeoutMs` passes
   * (0 = forever). The command is then run again from the start. Called from a
   * handler that found nothing to serve; the handler must not reply.
   */
  block(spec: CommandSpec, argv: string[], keys: string[], timeoutMs: number, onTimeout: (c: Caller) => void, wakeOnDelete = false): void {
    const connection = this.connection
    // Callers without a connection run with denyBlocking set; reaching here is a bug.
    if (connection === null) throw new Error('a caller without a connection cannot block')
    this.server.blocking.block(connection, spec, argv, keys, timeoutMs, onTimeout, wakeOnDelete)
  }

  /**
   * The running write is to be replayed as these commands, not as sent (SPOP as the
   * SREMs it amounted to, a blocking pop as the pop it became): for writes whose
   * outcome the arguments do not determine. Only worth building while something
   * consumes writes, so callers check `server.propagation.active` first.
   */
  propagateAs(argv: readonly string[]): void {
    if (this.propagated === null) this.propagated = [argv]
    else this.propagated.push(argv)
  }

  selectDb(index: number): void {
    this.db = this.server.store.db(index)
  }

  setAuthenticated(ok: boolean): void {
    this.authenticated = ok
  }

  /**
   * A keyspace event for `key` in the current database: `type` is its class (see
   * notify.ts), `event` Redis's name for it ("set", "lpush", "expire"...).
   */
  notify(type: number, event: string, key: string): void {
    const events = this.server.events
    if ((events.flags & type) !== 0) events.notify(this.db, type, event, key)
  }
}
