import { Database, type KeyspaceObserver } from './database.js'

/**
 * All databases, and the active expiry cycle that frees expired keys nobody reads.
 */
export class Store {
  dbs: Database[]

  constructor(databases = 16) {
    this.dbs = Array.from({ length: databases }, (_, i) => new Database(i))
  }

  private observer: KeyspaceObserver | null = null

  /** Bytes of value pages holding no value (SmallStrings.slack), which used_memory leaves out. */
  valueSlack(): number {
    let n = 0
    for (const db of this.dbs) n += db.keys.strings.slack
    return n
  }

  /** Installs the observer every database reports its changes to. */
  observe(observer: KeyspaceObserver): void {
    this.observer = observer
    for (const db of this.dbs) db.observer = observer
  }

  db(index: number): Database {
    return this.dbs[index]
  }

  /** FLUSHALL: one flush of every database, as observers see it. */
  flushAll(): number {
    this.observer?.flushed(this.dbs)
    let n = 0
    for (const db of this.dbs) n += db.empty()
    return n
  }

  /**
   * CLIENT PAUSE: no key expires while it lasts (an expired key reads as missing but
   * stays), so a paused server makes no change of its own.
   */
  pauseExpiry(paused: boolean): void {
    for (const db of this.dbs) db.expiryPaused = paused
  }

  /** SWAPDB: the two databases trade contents; see Database.swapWith. */
  swap(a: number, b: number): void {
    if (a !== b) this.dbs[a].swapWith(this.dbs[b])
  }

  /**
   * Redis's active expiry: sample volatile keys round-robin, delete the expired ones,
   * and go on while more than a quarter of a sample had expired, within `budgetMs`.
   * Returns the number of keys removed.
   */
  expireCycle(budgetMs: number): number {
    const deadline = performance.now() + budgetMs
    let removed = 0
    for (const db of this.dbs) {
      if (db.expires.size === 0 || db.expiryPaused) continue
      for (;;) {
        const now = Date.now()
        let sampled = 0
        let expired = 0
        for (; sampled < 20; sampled++) {
          if (db.expireCursor === null) db.expireCursor = db.expires.entries()
          const r = db.expireCursor.next()
          if (r.done) {
            db.expireCursor = null
            break
          }
          const [key, at] = r.value
          if (at <= now) {
            db.expire(key)
            expired++
          }
        }
        removed += expired
        if (sampled === 0 || expired * 4 <= sampled) break
        if (performance.now() >= deadline) return removed
      }
      if (performance.now() >= deadline) return removed
    }
    return removed
  }
}
