import type { Database, KeyspaceObserver } from '../store/database.js'
import { Notify } from './notify.js'
import type { Server } from './server.js'

/**
 * The server's side of the store's one change seam (KeyspaceObserver). Every write,
 * whoever ran it (a socket, EXEC, a script) and whatever made it (a command, expiry,
 * a flush), arrives here once per key, and fans out to what depends on it:
 * - the change counter (`dirty`), which also tells the dispatcher that a command
 *   wrote something and must be propagated;
 * - clients blocked on the key, which get another look at it once the writing
 *   command is done (blocking.ts);
 * - WATCH and client tracking.
 */
export class KeySignals implements KeyspaceObserver {
  constructor(private readonly server: Server) {}

  keyModified(db: Database, key: string): void {
    // memcached's flags and CAS beside database 0's values (memcached/items.ts).
    const memcached = this.server.memcached
    if (memcached !== null && db.index === 0) memcached.items.keyModified(key)
    this.changed(db, key, false)
  }

  keyAdded(db: Database, key: string): void {
    this.server.events.notify(db, Notify.newKey, 'new', key)
  }

  keyMissed(db: Database, key: string): void {
    this.server.events.notify(db, Notify.keyMiss, 'keymiss', key)
  }

  keyExpired(db: Database, key: string): void {
    this.server.events.notify(db, Notify.expired, 'expired', key)
    if (this.server.propagation.active) this.server.propagation.expired(db, key)
    const memcached = this.server.memcached
    if (memcached !== null && db.index === 0) memcached.items.keyExpired(key)
    this.changed(db, key, true)
  }

  /** An expired key has no writer, so NOLOOP tracking clients hear of it too. */
  private changed(db: Database, key: string, expired: boolean): void {
    const server = this.server
    server.dirty++
    const waiting = db.blockingKeys
    if (waiting !== null && waiting.has(key)) server.blocking.signal(db, key)
    const watches = server.watches
    if (watches.count !== 0) watches.touch(db, key)
    const tracking = server.tracking
    if (tracking.active) tracking.keyModified(key, expired ? null : tracking.modifier)
  }

  /** FLUSHALL empties every database but sends one null invalidation, as Redis does. */
  flushed(dbs: readonly Database[]): void {
    const server = this.server
    server.dirty += dbs.length
    if (server.memcached !== null && dbs.some((db) => db.index === 0)) server.memcached.items.cleared()
    if (server.watches.count !== 0) for (const db of dbs) server.watches.flushing(db)
    if (server.tracking.active) server.tracking.flushed()
    // Waiters told of deletions (XREADGROUP) hear of the keys the flush removes.
    for (const db of dbs) {
      const waiting = db.blockingKeys
      if (waiting !== null) for (const key of waiting.keys()) if (db.keys.has(key)) server.blocking.signal(db, key)
    }
  }

  /** Clients blocked in `db` may find their keys filled, or emptied, by what it now holds. */
  swapped(db: Database, other: Database): void {
    const server = this.server
    server.dirty++
    if (server.memcached !== null && db.index === 0) server.memcached.items.cleared()
    if (server.watches.count !== 0) server.watches.swapped(db, other)
    const waiting = db.blockingKeys
    if (waiting === null) return
    // Keys that now hold data, and keys the swap took away (for waiters told of deletions).
    for (const key of waiting.keys()) {
      if (db.getStored(key) !== undefined || other.keys.has(key)) server.blocking.signal(db, key)
    }
  }
}
