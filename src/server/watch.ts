import type { Database } from '../store/database.js'
import type { Caller } from './caller.js'

/** One key a caller watches, in the database that was selected when it ran WATCH. */
export interface WatchedKey {
  readonly caller: Caller
  readonly db: Database
  readonly key: string
  /**
   * The key had already expired (but was not yet removed) when WATCH ran. Redis 7.0
   * then treats its removal as no change: the key was logically gone all along.
   */
  expired: boolean
}

/**
 * WATCH: for each database, the callers watching each key. A change to a watched key
 * (reported by KeySignals) marks its watchers dirty, and their next EXEC fails. A
 * dirty caller stops watching at once: nothing can make its EXEC succeed again, so
 * further changes need not reach it.
 *
 * `count` lets the write path skip all of this with one comparison while nobody watches.
 */
export class Watches {
  /** Watched (database, key) entries over every caller. */
  count = 0
  private readonly byDb = new Map<Database, Map<string, WatchedKey[]>>()

  /** WATCH of one key in the caller's current database; watching it twice is one watch. */
  watch(caller: Caller, key: string): void {
    const db = caller.db
    let keys = this.byDb.get(db)
    if (keys === undefined) this.byDb.set(db, (keys = new Map()))
    let watchers = keys.get(key)
    if (watchers === undefined) keys.set(key, (watchers = []))
    for (const wk of watchers) if (wk.caller === caller) return
    const wk: WatchedKey = { caller, db, key, expired: isExpired(db, key) }
    watchers.push(wk)
    ;(caller.watching ??= []).push(wk)
    this.count++
  }

  /** UNWATCH, and the end of every transaction and connection. */
  unwatchAll(caller: Caller): void {
    const watching = caller.watching
    if (watching === null) return
    caller.watching = null
    for (const wk of watching) {
      const keys = this.byDb.get(wk.db)!
      const watchers = keys.get(wk.key)!
      watchers.splice(watchers.indexOf(wk), 1)
      if (watchers.length === 0) {
        keys.delete(wk.key)
        if (keys.size === 0) this.byDb.delete(wk.db)
      }
    }
    this.count -= watching.length
  }

  /** `key` was created, changed, deleted or expired (signalModifiedKey). */
  touch(db: Database, key: string): void {
    const watchers = this.byDb.get(db)?.get(key)
    if (watchers === undefined) return
    for (const wk of [...watchers]) {
      // Removing a key that had already expired when it was watched changes nothing
      // that the watcher could have seen. Only that removal is forgiven: afterwards
      // the key is simply missing, and creating it is a change like any other.
      if (wk.expired && !db.keys.has(key)) {
        wk.expired = false
        continue
      }
      this.dirty(wk.caller)
    }
  }

  /**
   * FLUSHDB or FLUSHALL is about to empty `db`: watchers of the keys it holds are
   * dirty. Watchers of missing keys are not, as in Redis 7.0.
   */
  flushing(db: Database): void {
    const keys = this.byDb.get(db)
    if (keys === undefined) return
    for (const [key, watchers] of keys) {
      if (!db.keys.has(key)) continue
      for (const wk of [...watchers]) {
        if (wk.expired) wk.expired = false
        else this.dirty(wk.caller)
      }
    }
  }

  /**
   * SWAPDB gave `db` the contents `other` now holds no longer: `other` has what `db`
   * had, `db` has what `other` had. A watched key that exists on either side is
   * touched, with the same allowance for keys that had expired at WATCH time.
   */
  swapped(db: Database, other: Database): void {
    const keys = this.byDb.get(db)
    if (keys === undefined || db === other) return
    for (const [key, watchers] of keys) {
      const existed = other.keys.has(key)
      const arrived = db.keys.has(key)
      if (!existed && !arrived) continue
      for (const wk of [...watchers]) {
        if (wk.expired) {
          if (!arrived) {
            wk.expired = false
            continue
          }
          // An expired key replaced by another expired key: still logically missing.
          if (isExpired(db, key)) continue
        } else if (!existed && isExpired(db, key)) {
          // A missing key replaced by an expired one: still missing, but now it is a
          // key whose removal is no change.
          wk.expired = true
          continue
        }
        this.dirty(wk.caller)
      }
    }
  }

  /**
   * EXEC's last check: a watched key that was live at WATCH time but whose time has
   * passed since, even if nothing has removed it yet, fails the transaction.
   */
  expiredSinceWatch(caller: Caller): boolean {
    const watching = caller.watching
    if (watching === null) return false
    for (const wk of watching) if (!wk.expired && isExpired(wk.db, wk.key)) return true
    return false
  }

  private dirty(caller: Caller): void {
    caller.watchDirty = true
    this.unwatchAll(caller)
  }
}

/** Present in the keyspace but past its time, so the next lookup removes it. */
function isExpired(db: Database, key: string): boolean {
  if (db.expires.size === 0) return false
  const at = db.expires.get(key)
  return at !== undefined && at <= Date.now() && db.keys.has(key)
}
