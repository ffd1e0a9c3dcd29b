import type { Database } from '../store/database.js'
import type { PubSub } from '../pubsub/pubsub.js'

/**
 * Keyspace notifications: Redis's notifyKeyspaceEvent. Handlers (and expiry) call
 * notify with an event class and Redis's event name; when notify-keyspace-events
 * selects that class, the event is published on `__keyspace@<db>__:<key>` (K) and
 * `__keyevent@<db>__:<event>` (E) through the ordinary pub/sub path.
 */

/** Event classes, one bit each, as the characters of notify-keyspace-events name them. */
export const Notify = {
  keyspace: 1 << 0, // K
  keyevent: 1 << 1, // E
  generic: 1 << 2, // g
  string: 1 << 3, // $
  list: 1 << 4, // l
  set: 1 << 5, // s
  hash: 1 << 6, // h
  zset: 1 << 7, // z
  expired: 1 << 8, // x
  evicted: 1 << 9, // e
  stream: 1 << 10, // t
  keyMiss: 1 << 11, // m
  module: 1 << 12, // d
  newKey: 1 << 13, // n
} as const

const CLASS_CHARS: Record<string, number> = {
  K: Notify.keyspace, E: Notify.keyevent, g: Notify.generic, $: Notify.string, l: Notify.list,
  s: Notify.set, h: Notify.hash, z: Notify.zset, x: Notify.expired, e: Notify.evicted,
  t: Notify.stream, m: Notify.keyMiss, d: Notify.module, n: Notify.newKey,
  // "A" is every data class: g$lshzxetd, without m and n.
  A: Notify.generic | Notify.string | Notify.list | Notify.set | Notify.hash | Notify.zset |
    Notify.expired | Notify.evicted | Notify.stream | Notify.module,
}

/** The class bits of a notify-keyspace-events value (already validated by config.ts). */
export function parseEventClasses(value: string): number {
  let flags = 0
  for (const ch of value) flags |= CLASS_CHARS[ch] ?? 0
  return flags
}

export class KeyspaceEvents {
  /**
   * The classes to publish, or 0 when neither K nor E is set (nothing would be sent),
   * so a handler's check is one AND.
   */
  flags = 0
  private channels = 0

  constructor(private readonly pubsub: PubSub) {}

  /** Set while suspended: the classes configured, restored by resume(). */
  private suspendedFlags: number | null = null

  configure(value: string): void {
    const flags = parseEventClasses(value)
    this.channels = flags & (Notify.keyspace | Notify.keyevent)
    const selected = this.channels === 0 ? 0 : flags & ~(Notify.keyspace | Notify.keyevent)
    if (this.suspendedFlags === null) this.flags = selected
    else this.suspendedFlags = selected
  }

  /** No events until resume(): the start-up load's writes are none (a subscriber may be connected). */
  suspend(): void {
    if (this.suspendedFlags !== null) return
    this.suspendedFlags = this.flags
    this.flags = 0
  }

  resume(): void {
    if (this.suspendedFlags === null) return
    this.flags = this.suspendedFlags
    this.suspendedFlags = null
  }

  /** Publishes one event if its class is selected (Caller.notify checks first, to skip the call on the hot path). */
  notify(db: Database, type: number, event: string, key: string): void {
    if ((this.flags & type) === 0) return
    if ((this.channels & Notify.keyspace) !== 0) this.pubsub.publish(`__keyspace@${db.index}__:${key}`, event)
    if ((this.channels & Notify.keyevent) !== 0) this.pubsub.publish(`__keyevent@${db.index}__:${event}`, key)
  }
}
