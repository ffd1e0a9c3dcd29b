import type { CommandSpec } from '../commands/spec.js'
import { keyIndexes, type CommandTable } from '../commands/table.js'
import { TombstoneMap } from '../store/tombstone-map.js'
import type { Argv } from '../resp/values.js'
import type { Caller } from './caller.js'
import type { Client } from './client.js'
import { dispatch } from './dispatcher.js'
import { contain } from './faults.js'
import type { Server } from './server.js'

/**
 * Server-assisted client-side caching (CLIENT TRACKING), as Redis 7.0 does it.
 *
 * Default mode: after a read-only command of a tracking client, the keys it read are
 * remembered in one table, key → ids of the clients that may cache it. The next change
 * to the key sends each of them one `invalidate` message and forgets the key, so a key
 * costs nothing until it is read again. The table holds ids, not clients: a client that
 * left or turned tracking off is skipped when the key changes, as in Redis, and the key
 * names are shared by every database.
 *
 * BCAST mode: nothing is remembered. A changed key is queued under every registered
 * prefix it starts with, and once the current batch of work is done each subscriber
 * of a prefix gets that prefix's keys in one message (sorted, without the ones it
 * changed itself under NOLOOP), as Redis sends them before it next sleeps.
 *
 * Where a message goes: a RESP3 client gets a push; with REDIRECT the message goes to
 * the other client instead, as a push if it speaks RESP3 or as a Pub/Sub message on
 * `__redis__:invalidate` if it is in RESP2 subscribed mode; otherwise it is dropped.
 * Invalidations for the client whose command is running wait until after its reply
 * (Redis 7.0 does the same so they never split a reply).
 */

/** A client's CLIENT TRACKING settings; Caller.tracking is null while tracking is off. */
export class TrackingMode {
  bcast = false
  optin = false
  optout = false
  noloop = false
  /** CLIENT CACHING YES (in OPTIN) or NO (in OPTOUT), for the next command only. */
  caching = false
  /** Id of the client that receives the messages, 0 for the client itself. */
  redirect = 0
  /** The redirect target has gone (CLIENT LIST flag R, TRACKINGINFO broken_redirect). */
  brokenRedirect = false
  /** BCAST prefixes, kept sorted as Redis lists them. */
  prefixes: string[] = []
}

/** One BCAST prefix: who subscribed to it, and the keys changed since the last broadcast. */
interface Broadcast {
  clients: Set<Client>
  /** Key → the caller that changed it first (null for expiry), for NOLOOP. */
  keys: Map<string, Caller | null>
}

const CHANNEL = '__redis__:invalidate'
const RESP2_PREFIX = Buffer.from(`*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n`, 'latin1')
const RESP3_PREFIX = Buffer.from('>2\r\n$10\r\ninvalidate\r\n', 'latin1')
const NULL2 = '$-1\r\n'
const NULL3 = '_\r\n'

export class Tracking {
  /** Anything to do on a read or a write: a tracking client, or remembered keys. */
  active = false
  /** INFO tracking_clients. */
  clients = 0
  /** INFO tracking_total_items: (key, client) pairs in the table. */
  items = 0
  /**
   * Key → ids of clients that read it. Each invalidation deletes a key that the next
   * read brings back: a TombstoneMap keeps a hot key's bucket chain free of V8's holes.
   */
  private readonly table = new TombstoneMap<Set<number>>()
  private readonly broadcasts = new Map<string, Broadcast>()
  /** The caller whose top-level command is running (see run()). */
  private current: Caller | null = null
  /** Invalidations (null: a flush) for `current`, sent after its reply. */
  private pending: (string | null)[] = []
  private broadcastQueued = false

  constructor(private readonly server: Server) {}

  get totalKeys(): number {
    return this.table.size
  }

  get totalPrefixes(): number {
    return this.broadcasts.size
  }

  private refresh(): void {
    this.active = this.clients !== 0 || this.table.size !== 0
  }

  /**
   * CLIENT TRACKING ON, once the options are checked: a fresh mode, keeping the BCAST
   * prefixes already registered (Redis adds new prefixes to them).
   */
  enable(c: Client, mode: TrackingMode, newPrefixes: string[]): void {
    const old = c.tracking
    if (old === null) this.clients++
    mode.prefixes = old === null ? [] : old.prefixes
    c.tracking = mode
    if (mode.bcast) {
      // Without PREFIX, BCAST means every key: the empty prefix.
      const add = newPrefixes.length === 0 ? [''] : newPrefixes
      for (const prefix of add) {
        if (mode.prefixes.includes(prefix)) continue
        mode.prefixes.push(prefix)
        let b = this.broadcasts.get(prefix)
        if (b === undefined) this.broadcasts.set(prefix, (b = { clients: new Set(), keys: new Map() }))
        b.clients.add(c)
      }
      mode.prefixes.sort(byteOrder)
    }
    this.refresh()
  }

  /** CLIENT TRACKING OFF, RESET, a closed connection. Remembered keys stay, as in Redis. */
  disable(c: Caller): void {
    const mode = c.tracking
    if (mode === null) return
    c.tracking = null
    this.clients--
    for (const prefix of mode.prefixes) {
      const b = this.broadcasts.get(prefix)
      if (b === undefined) continue
      b.clients.delete(c as Client)
      if (b.clients.size === 0) this.broadcasts.delete(prefix)
    }
    this.refresh()
  }

  /** Where `prefix` overlaps one of `existing` (either starts with the other), that one. */
  static overlap(prefix: string, existing: readonly string[]): string | undefined {
    return existing.find((p) => p.startsWith(prefix) || prefix.startsWith(p))
  }

  /**
   * A top-level command of `client` while tracking is in use: it is the current
   * caller (invalidations for it wait for its reply, NOLOOP knows who wrote), and
   * afterwards a CLIENT CACHING choice is spent (other CLIENT commands keep it).
   */
  run(client: Client, table: CommandTable, argv: Argv): void {
    this.current = client
    try {
      dispatch(table, client, argv)
    } finally {
      this.current = null
    }
    const mode = client.tracking
    if (mode !== null && mode.caching && !isClientCommand(table, argv)) mode.caching = false
    if (this.pending.length !== 0) this.sendPending(client)
  }

  private sendPending(client: Client): void {
    const pending = this.pending
    this.pending = []
    if (client.closed) return
    for (const key of pending) {
      if (key === null) this.send(client, client.out.proto === 3 ? NULL3 : NULL2)
      else this.send(client, keysPayload([key]))
    }
  }

  /** After a read-only command (Redis's call()): remember the keys the caller read. */
  remember(caller: Caller, spec: CommandSpec, argv: string[]): void {
    const mode = caller.tracking
    if (mode === null || mode.bcast || !spec.flags.includes('readonly')) return
    if (mode.optin ? !mode.caching : mode.optout && mode.caching) return
    const indexes = keyIndexes(spec, argv)
    for (let i = 0; i < indexes.length; i++) {
      const key = argv[indexes[i]]
      let ids = this.table.get(key)
      if (ids === undefined) this.table.set(key, (ids = new Set()))
      else if (ids.has(caller.id)) continue
      ids.add(caller.id)
      this.items++
    }
    this.refresh()
    this.limit()
  }

  /**
   * tracking-table-max-keys: past it, the oldest remembered keys are invalidated as if
   * they had changed, so clients drop them (Redis evicts random ones a few at a time).
   */
  private limit(): void {
    const max = this.server.config.int('tracking-table-max-keys')
    if (max === 0 || this.table.size <= max) return
    for (const key of this.table.keys()) {
      if (this.table.size <= max) break
      this.invalidateTracked(key, null)
    }
    this.refresh()
  }

  /** A key changed (by `modifier`'s command, or null for expiry): Redis's trackingInvalidateKey. */
  keyModified(key: string, modifier: Caller | null): void {
    if (this.broadcasts.size !== 0) this.queueBroadcast(key, modifier)
    if (this.table.size !== 0 && this.invalidateTracked(key, modifier)) this.refresh()
  }

  /** The current caller, for keyModified's NOLOOP. */
  get modifier(): Caller | null {
    return this.current
  }

  private invalidateTracked(key: string, modifier: Caller | null): boolean {
    const ids = this.table.get(key)
    if (ids === undefined) return false
    this.table.delete(key)
    this.items -= ids.size
    const clients = this.server.clients
    for (const id of ids) {
      const target = clients.get(id)
      const mode = target?.tracking
      if (target === undefined || mode == null || mode.bcast) continue
      if (mode.noloop && target === modifier) continue
      if (target === this.current) this.pending.push(key)
      else this.send(target, keysPayload([key]))
    }
    return true
  }

  private queueBroadcast(key: string, modifier: Caller | null): void {
    let queued = false
    for (const [prefix, b] of this.broadcasts) {
      if (!key.startsWith(prefix) || b.keys.has(key)) continue
      b.keys.set(key, modifier)
      queued = true
    }
    if (queued && !this.broadcastQueued) {
      this.broadcastQueued = true
      queueMicrotask(this.broadcast)
    }
  }

  /** Sends each prefix's changed keys to its subscribers, prefixes and keys in byte order. */
  private readonly broadcast = (): void => {
    this.broadcastQueued = false
    try {
      this.sendBroadcasts()
    } catch (e) {
      contain(this.server, 'sending BCAST invalidations', e)
    }
  }

  private sendBroadcasts(): void {
    const prefixes = [...this.broadcasts.keys()].sort(byteOrder)
    for (const prefix of prefixes) {
      const b = this.broadcasts.get(prefix)!
      if (b.keys.size === 0) continue
      const keys = [...b.keys.keys()].sort(byteOrder)
      let all: string | null = null
      for (const client of b.clients) {
        if (client.tracking!.noloop) {
          const others = keys.filter((k) => b.keys.get(k) !== client)
          if (others.length !== 0) this.send(client, keysPayload(others))
        } else {
          this.send(client, (all ??= keysPayload(keys)))
        }
      }
      b.keys.clear()
    }
  }

  /**
   * FLUSHDB and FLUSHALL: every tracking client is told to drop everything (a null
   * invalidation), and the table starts over. Called once for FLUSHALL, whose
   * databases are emptied one by one (see signals.ts).
   */
  flushed(): void {
    if (this.clients !== 0) {
      for (const client of this.server.clients.values()) {
        if (client.tracking === null) continue
        if (client === this.current) this.pending.push(null)
        else this.send(client, client.out.proto === 3 ? NULL3 : NULL2)
      }
    }
    this.table.clear()
    this.items = 0
    this.refresh()
  }

  /**
   * Sends one invalidation on behalf of `origin`: to itself or its redirect target.
   * `payload` is the RESP array of keys, or a null (in the origin's protocol, as
   * Redis encodes it).
   */
  private send(origin: Client, payload: string): void {
    const mode = origin.tracking
    if (mode === null) return
    let target: Client = origin
    if (mode.redirect !== 0) {
      const to = this.server.clients.get(mode.redirect)
      if (to === undefined || to.closed) {
        mode.brokenRedirect = true
        if (origin.out.proto === 3) origin.deliver(redirBroken(mode.redirect))
        return
      }
      target = to
    }
    let head: Buffer
    if (target.out.proto === 3) head = RESP3_PREFIX
    else if (mode.redirect !== 0 && target.subscribed) head = RESP2_PREFIX
    else return
    target.deliver(Buffer.concat([head, Buffer.from(payload, 'latin1')]))
  }
}

function keysPayload(keys: string[]): string {
  let s = `*${keys.length}\r\n`
  for (const k of keys) s += `$${k.length}\r\n${k}\r\n`
  return s
}

function redirBroken(id: number): Buffer {
  return Buffer.from(`>2\r\n$21\r\ntracking-redir-broken\r\n:${id}\r\n`, 'latin1')
}

/** Latin1 strings compare by code unit, which is byte order: Redis's rax order. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Whether the request is a CLIENT subcommand (under whatever name CLIENT answers to). */
function isClientCommand(table: CommandTable, argv: Argv): boolean {
  const name = argv[0]
  return typeof name === 'string' && table.lookup(name)?.fullName === 'client'
}
