import type { Caller } from './caller.js'
import type { CommandSpec } from '../commands/spec.js'
import type { Client } from './client.js'
import { contain } from './faults.js'
import type { Server } from './server.js'

/** setTimeout's longest delay; longer pauses re-arm until their end. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Commands Redis 7.0 flags may_replicate internally (COMMAND INFO does not list that
 * flag), which CLIENT PAUSE WRITE holds like writes.
 */
const MAY_REPLICATE = new Set(['publish', 'spublish', 'pfcount', 'eval', 'evalsha', 'fcall', 'script|load', 'script|flush'])

/** What CLIENT PAUSE WRITE holds: writes, and the commands Redis flags may_replicate. */
export function mayReplicate(spec: CommandSpec): boolean {
  return spec.writes === true || MAY_REPLICATE.has(spec.fullName!)
}

export const enum PauseMode {
  None = 0,
  /** Writes (and commands that may replicate) wait; reads go on. */
  Write = 1,
  All = 2,
}

/**
 * CLIENT PAUSE and UNPAUSE. While a pause lasts, a command it covers is not run: its
 * client is postponed (the request loop stops there, CLIENT LIST shows it blocked)
 * and the command runs from the start once the pause ends, clients in the order they
 * were stopped. Keys do not expire meanwhile, lazily or actively, as in Redis, so a
 * paused server changes nothing on its own.
 */
export class ClientPause {
  mode = PauseMode.None
  /** When the pause ends, in ms since the epoch. */
  private end = 0
  private timer: NodeJS.Timeout | null = null
  private postponed: Client[] = []

  constructor(private readonly server: Server) {}

  /** Postponed clients, which INFO counts among blocked_clients as Redis does. */
  get count(): number {
    return this.postponed.length
  }

  /**
   * A new pause never shortens or weakens one in force: the later end and the
   * stronger mode win, as in Redis.
   */
  pause(timeoutMs: number, mode: PauseMode.Write | PauseMode.All): void {
    const end = Date.now() + timeoutMs
    if (mode > this.mode) this.mode = mode
    if (end > this.end) this.end = end
    this.server.store.pauseExpiry(true)
    this.arm()
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    const left = this.end - Date.now()
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.min(left, MAX_TIMER_MS)))
    this.timer.unref()
  }

  private readonly onTimer = (): void => {
    this.timer = null
    if (this.end > Date.now()) {
      this.arm()
      return
    }
    try {
      this.unpause()
    } catch (e) {
      contain(this.server, 'ending a client pause', e)
    }
  }

  /**
   * Whether a command must wait: everything under ALL, writes under WRITE, and an
   * EXEC whose queue holds a write (queued before the pause began).
   */
  holds(spec: CommandSpec, caller: Caller): boolean {
    if (this.mode === PauseMode.All || mayReplicate(spec)) return true
    const tx = caller.multi
    return tx !== null && tx.mayReplicate && spec.fullName === 'exec'
  }

  /** Stops `client`'s request loop at `argv`, which runs when the pause ends. */
  postpone(client: Client, spec: CommandSpec, argv: string[]): void {
    // CLIENT LIST names the held command, as Redis does.
    client.lastCommand = spec
    client.postponed = argv
    this.postponed.push(client)
  }

  /**
   * CLIENT UNPAUSE or the end of the timeout. Postponed commands run once the current
   * batch of work is done (after the UNPAUSE reply), as Redis runs them before it
   * next sleeps.
   */
  unpause(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.mode = PauseMode.None
    this.end = 0
    this.server.store.pauseExpiry(false)
    if (this.postponed.length !== 0) queueMicrotask(this.resumeAll)
  }

  private readonly resumeAll = (): void => {
    const clients = this.postponed
    this.postponed = []
    for (const client of clients) {
      try {
        client.runPostponed()
      } catch (e) {
        contain(this.server, `resuming paused client id=${client.id}`, e)
      }
    }
  }

  /** A postponed client closed. */
  forget(client: Client): void {
    const i = this.postponed.indexOf(client)
    if (i >= 0) this.postponed.splice(i, 1)
  }
}
