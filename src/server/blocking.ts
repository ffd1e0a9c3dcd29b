import { Err } from '../commands/errors.js'
import { parseInt64 } from '../commands/args.js'
import type { CommandSpec } from '../commands/spec.js'
import { parseLongDouble } from '../resp/long-double.js'
import type { Database } from '../store/database.js'
import type { BlockState, Client } from './client.js'

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
  /** Keys signalled since the last serveReady, in order. */
  private ready: { db: Database; key: string }[] = []
  /** Number of blocked clients (INFO clients blocked_clients). */
  count = 0
  /** Clients unblocked since the last microtask, whose request loops must resume. */
  private unblocked: Client[] = []

  get pending(): boolean {
    return this.ready.length !== 0
  }

  block(client: Client, spec: CommandSpec, argv: string[], keys: string[], timeoutMs: number, onTimeout: (c: Client) => void): void {
    if (client.retrying && client.blocked !== null) {
      // Re-run found nothing after all (another waiter took it): keep waiting.
      client.blocked.stillWaiting = true
      return
    }
    const db = client.db
    const state: BlockState = {
      db, keys, spec, argv, timer: null, onTimeout, stillWaiting: false, readyKey: null,
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
    this.timeout(client)
  }

  signal(db: Database, key: string): void {
    for (const r of this.ready) if (r.db === db && r.key === key) return
    this.ready.push({ db, key })
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
          if (db.get(key) === undefined) break
          const state = client.blocked
          if (state === null || state.db !== db) continue
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
    try {
      state.spec.handler!(client, state.argv)
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

const TWO_63 = 1n << 63n

/**
 * A blocking command's timeout in seconds, as Redis 7.0 reads it: any strtold number
 * (fractions, exponents, hex, inf), times 1000 in long double, rounded up to whole
 * milliseconds, then cast to a 64-bit integer. Returns the wait in ms (0 = forever),
 * or the error text. Tiny negatives round up to 0 and so wait forever; anything at or
 * past 2^63 ms wraps negative in the cast, as on x86-64.
 */
export function parseTimeout(arg: string): number | string {
  const whole = parseInt64(arg)
  // Whole seconds below 2^40 are exact in a double once scaled.
  if (typeof whole === 'number' && whole >= 0 && whole < 2 ** 40) return whole * 1000
  const v = parseLongDouble(arg)
  if (v === null) return Err.timeoutNotFloat
  if (v.inf) return Err.timeoutNegative
  if (v.m === 0n) return 0
  // |v| * 1000 = m * 2^e, rounded back to a 64-bit significand (ties to even).
  let m = v.m * 1000n
  let e = v.e
  const excess = bitLength(m) - 64
  if (excess > 0) {
    const shift = BigInt(excess)
    let q = m >> shift
    const r = m - (q << shift)
    const half = 1n << (shift - 1n)
    if (r > half || (r === half && (q & 1n) === 1n)) q++
    m = q
    e += excess
  }
  // floor(|v| * 1000), and whether it had a fraction.
  let floor: bigint
  let fraction = false
  if (e >= 0) {
    floor = m << BigInt(e)
  } else {
    const shift = BigInt(-e)
    floor = m >> shift
    fraction = floor << shift !== m
  }
  if (v.neg) return floor === 0n ? 0 : Err.timeoutNegative
  const ms = fraction ? floor + 1n : floor
  return ms >= TWO_63 ? Err.timeoutNegative : Number(ms)
}

function bitLength(n: bigint): number {
  return n.toString(2).length
}
