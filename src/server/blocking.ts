import type { CommandSpec } from '../commands/spec.js'
import type { Database } from '../store/database.js'
import type { Caller } from './caller.js'
import type { BlockState, Client } from './client.js'
import { invoke, propagate } from './dispatcher.js'
import { contain } from './faults.js'
import type { Server } from './server.js'

/** setTimeout's longest delay; longer waits re-arm until their deadline. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Blocking commands (BLPOP, BLMOVE, BZPOPMIN...). A handler that finds nothing to
 * serve parks its client here on its keys. A write that may feed a key calls
 * Client.signalKey; after the writing command finishes, the waiters of each
 * signalled key are re-run in the order they blocked, so the client that blocked
 * first is served first, and before the next command of anyone runs. During the
 * re-run `client.blocked.readyKey` names the key that was fed: Redis 7.0 serves a
 * waiter from that key only, whatever its other keys hold by then.
 *
 * A served client's reply, and any commands it had pipelined after the blocking one,
 * wait until the writing client's current batch is done (a microtask), as Redis
 * handles unblocked clients before it next sleeps rather than in the middle of
 * another client's input.
 */
export class BlockingManager {
  constructor(private readonly server: Server) {}

  /** Keys signalled since the last serveReady, in order. */
  private ready: { db: Database; key: string }[] = []
  /** Number of blocked clients (INFO clients blocked_clients). */
  count = 0
  /** Clients unblocked since the last microtask, whose request loops must resume. */
  private unblocked: Client[] = []

  get pending(): boolean {
    return this.ready.length !== 0
  }

  block(client: Client, spec: CommandSpec, argv: string[], keys: string[], timeoutMs: number, onTimeout: (c: Caller) => void, wakeOnDelete = false): void {
    if (client.retrying && client.blocked !== null) {
      // Re-run found nothing after all (another waiter took it): keep waiting.
      client.blocked.stillWaiting = true
      return
    }
    const db = client.db
    const state: BlockState = {
      db, keys, spec, argv, timer: null, onTimeout, stillWaiting: false, readyKey: null, wakeOnDelete,
      deadline: timeoutMs > 0 ? Date.now() + timeoutMs : 0,
    }
    client.blocked = state
    this.count++
    if (db.blockingKeys === null) db.blockingKeys = new Map()
    for (const key of keys) {
      const list = db.blockingKeys.get(key) as Client[] | undefined
      if (list === undefined) db.blockingKeys.set(key, [client])
      else if (!list.includes(client)) list.push(client)
    }
    if (timeoutMs > 0) state.timer = setTimeout(this.onTimer, Math.min(timeoutMs, MAX_TIMER_MS), client)
  }

  private readonly onTimer = (client: Client): void => {
    const state = client.blocked
    if (state === null) return
    const left = state.deadline - Date.now()
    if (left > 0) {
      // Timers fire early only when the wait exceeded setTimeout's range (or by a
      // clock step); wait out the rest.
      state.timer = setTimeout(this.onTimer, Math.min(left, MAX_TIMER_MS), client)
      return
    }
    try {
      this.timeout(client)
    } catch (e) {
      contain(client.server, 'a blocking timeout', e)
    }
  }

  signal(db: Database, key: string): void {
    for (const r of this.ready) if (r.db === db && r.key === key) return
    // A client's request loop serves ready keys right after the command that fed
    // them; writes from anywhere else (expiry, a caller without a connection) are
    // served once the current batch of work is done.
    if (this.ready.push({ db, key }) === 1) queueMicrotask(this.serveLater)
  }

  private readonly serveLater = (): void => {
    if (this.ready.length === 0) return
    try {
      this.serveReady()
    } catch (e) {
      contain(this.server, 'serving blocked clients', e)
    }
  }

  /** Serves waiters of every signalled key. New signals raised meanwhile are served too. */
  serveReady(): void {
    while (this.ready.length !== 0) {
      const batch = this.ready
      this.ready = []
      for (const { db, key } of batch) {
        const waiters = db.blockingKeys?.get(key) as Client[] | undefined
        if (waiters === undefined) continue
        for (const client of [...waiters]) {
          const state = client.blocked
          if (state === null || state.db !== db) continue
          if (!state.wakeOnDelete && db.getStored(key) === undefined) continue
          this.rerun(client, key)
        }
      }
    }
  }

  private rerun(client: Client, key: string): void {
    const state = client.blocked!
    state.stillWaiting = false
    state.readyKey = key
    client.retrying = true
    const savedDb = client.db
    client.db = state.db
    const server = this.server
    const dirtyBefore = server.dirty
    try {
      invoke(state.spec, client, state.argv)
      // Served now, so it is written now: as the non-blocking pop it became (propagateAs).
      if (server.propagation.active) propagate(state.spec, client, state.argv, server.dirty !== dirtyBefore)
    } finally {
      client.retrying = false
      client.db = savedDb
      state.readyKey = null
    }
    if (state.stillWaiting) return
    this.release(client)
    this.resumeLater(client)
  }

  /** Wakes a client with its timeout reply (also CLIENT UNBLOCK ... TIMEOUT). */
  timeout(client: Client): void {
    const state = client.blocked
    if (state === null) return
    this.release(client)
    state.onTimeout(client)
    this.resumeLater(client)
  }

  /** CLIENT UNBLOCK ... ERROR. */
  unblockWithError(client: Client): void {
    if (client.blocked === null) return
    this.release(client)
    client.out.error('UNBLOCKED client unblocked via CLIENT UNBLOCK')
    this.resumeLater(client)
  }

  /** A blocked client disconnected: drop it without a reply. */
  forget(client: Client): void {
    if (client.blocked !== null) this.release(client)
  }

  private resumeLater(client: Client): void {
    if (this.unblocked.push(client) === 1) queueMicrotask(this.resumeUnblocked)
  }

  private readonly resumeUnblocked = (): void => {
    const clients = this.unblocked
    this.unblocked = []
    for (const client of clients) client.resume()
  }

  private release(client: Client): void {
    const state = client.blocked!
    client.blocked = null
    this.count--
    if (state.timer !== null) clearTimeout(state.timer)
    const map = state.db.blockingKeys
    if (map === null) return
    for (const key of state.keys) {
      const list = map.get(key) as Client[] | undefined
      if (list === undefined) continue
      const i = list.indexOf(client)
      if (i >= 0) list.splice(i, 1)
      if (list.length === 0) map.delete(key)
    }
  }
}
