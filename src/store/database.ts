import { expiryNow } from './clock.js'
import { CursorTable } from './cursors.js'
import { Expiries } from './expiries.js'
import { Keys, type HeldValue } from './keys.js'
import { MutableString, type KeyspaceValue, type StoredValue } from './types.js'

/**
 * Told of every change to the keyspace: Redis's signalModifiedKey and its relatives.
 * WATCH, client tracking, blocked clients, keyspace events and the change counter all
 * hang off this one seam, so a write reaches them the same way whether a socket, EXEC
 * or a script ran it, and whether a command, expiry or a flush made it.
 */
export interface KeyspaceObserver {
  /** `key` was created, changed, deleted, or had its expiry set or removed. */
  keyModified(db: Database, key: string): void
  /**
   * `key` did not exist and now does (Redis's dbAdd). Told before keyModified, as
   * Redis sends its "new" event before the command's own.
   */
  keyAdded(db: Database, key: string): void
  /** A reading command looked up `key` and found nothing (lookupKeyRead's miss). */
  keyMissed(db: Database, key: string): void
  /** `key`'s time passed and it was removed, lazily or by the active cycle. */
  keyExpired(db: Database, key: string): void
  /**
   * FLUSHDB (one database) or FLUSHALL (all of them) is emptying `dbs`: one call per
   * flush. Called just before the keys go, so observers can tell which keys the flush
   * removes (WATCH is touched only by those).
   */
  flushed(dbs: readonly Database[]): void
  /** SWAPDB gave the database other contents: `other` now holds what `db` had. */
  swapped(db: Database, other: Database): void
}

/**
 * A background save in progress (persistence/background-save.ts), told before a key
 * loses its value other than by a command (the dispatcher tells it of those), and
 * before a database is emptied, so it can keep what it has not written yet.
 */
export interface SaveHook {
  /** `key` in `db` is about to expire and be removed. */
  preserve(db: Database, key: string): void
  /** `db` is about to be emptied (FLUSHDB, FLUSHALL). */
  emptying(db: Database): void
}

/**
 * One of the numbered databases: keys, their expiry times, and the SCAN cursors over
 * them. Expiry is lazy on every lookup here, and active in Store.expireCycle().
 *
 * It knows data types and time, nothing about sockets or replies.
 */
export class Database {
  readonly keys: Keys
  /** Absolute expiry time in ms since the epoch, for keys that have one. */
  readonly expires: Expiries
  /** Set on every database while a background save runs; see SaveHook. */
  saving: SaveHook | null = null
  readonly cursors = new CursorTable<string>()
  /** Where the active expiry cycle resumes, so every volatile key is visited in turn. */
  expireCursor: Iterator<[string, number]> | null = null
  /** Keys currently waited on by blocked clients; see server/blocking.ts. */
  blockingKeys: Map<string, unknown[]> | null = null
  hits = 0
  misses = 0
  /** Set during CLIENT PAUSE: expired keys read as missing but are not removed. */
  expiryPaused = false
  /** Set by the Store; see KeyspaceObserver. */
  observer: KeyspaceObserver | null = null
  /**
   * OBJECT ENCODING of a string follows from its value, except where Redis's history
   * of the value shows: APPEND and SETRANGE leave "raw" even for short strings, and
   * INCRBYFLOAT "embstr" for integer-looking ones, and COPY gives a small integer its
   * own object (OBJECT REFCOUNT 1). Such notes name the value they describe, so any
   * later write makes a note stale, and it is ignored.
   */
  stringEncodings: Map<string, { value: string; encoding: string; unshared?: boolean }> | null = null
  /** Expiry times past 2^53 ms, which `expires` can only hold rounded; see expireAt(). */
  exactExpires: Map<string, bigint> | null = null

  constructor(readonly index: number) {
    this.keys = new Keys()
    this.expires = new Expiries()
  }

  get size(): number {
    return this.keys.size
  }

  /** The value of a live key, expiring it first if its time has passed. */
  get(key: string): StoredValue | undefined {
    return asText(this.getStored(key))
  }

  /** get() as held: a MutableString stays one (the bitmap commands, GET, STRLEN). */
  getStored(key: string): KeyspaceValue | undefined {
    const v = this.getHeld(key)
    return this.keys.value(v)
  }

  /** getStored() before a SmallStrings handle becomes text: GET writes its bytes from the slot. */
  getHeld(key: string): HeldValue | undefined {
    const v = this.keys.held(key)
    if (v === undefined) return undefined
    if (this.expires.size !== 0) {
      const at = this.expires.get(key)
      if (at !== undefined && at <= expiryNow()) {
        if (!this.expiryPaused) this.expire(key)
        return undefined
      }
    }
    return v
  }

  /** Like get(), counting a keyspace hit or miss for INFO stats. */
  lookupRead(key: string): StoredValue | undefined {
    return asText(this.lookupReadStored(key))
  }

  /** lookupRead() as held, like getStored(). */
  lookupReadStored(key: string): KeyspaceValue | undefined {
    const v = this.lookupReadHeld(key)
    return this.keys.value(v)
  }

  /** lookupRead() as held, like getHeld(). */
  lookupReadHeld(key: string): HeldValue | undefined {
    const v = this.getHeld(key)
    if (v === undefined) {
      this.misses++
      const observer = this.observer
      if (observer !== null) observer.keyMissed(this, key)
    } else {
      this.hits++
    }
    return v
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  /**
   * signalModifiedKey: a command changed `key` in place (a push, HSET, ZADD...). The
   * methods below that replace or remove a value call it themselves.
   */
  modified(key: string): void {
    const observer = this.observer
    if (observer !== null) observer.keyModified(this, key)
  }

  /** Removes a key whose time has passed, as an expiry (not a deletion) for observers. */
  expire(key: string): void {
    if (this.saving !== null) this.saving.preserve(this, key)
    this.keys.delete(key)
    this.expires.delete(key)
    this.expiredKeys++
    const observer = this.observer
    if (observer !== null) observer.keyExpired(this, key)
  }

  /**
   * Sets a value and clears any TTL, as SET and most writes do. A key whose time has
   * passed is expired first, as Redis's lookup before an overwrite does, so observers
   * see it expire and then a new key appear.
   */
  set(key: string, value: KeyspaceValue | Buffer): void {
    if (this.expires.size !== 0) {
      const at = this.expires.get(key)
      if (at !== undefined) {
        if (at <= expiryNow()) this.expire(key)
        else this.expires.delete(key)
      }
    }
    this.replace(key, value)
  }

  /** Replaces a value keeping its TTL (APPEND, INCR, SETRANGE, collection updates). */
  replace(key: string, value: KeyspaceValue | Buffer): void {
    const observer = this.observer
    if (this.keys.set(key, value) && observer !== null) observer.keyAdded(this, key)
    if (observer !== null) observer.keyModified(this, key)
  }

  delete(key: string): boolean {
    if (this.expires.size !== 0) {
      const at = this.expires.get(key)
      if (at !== undefined && at <= expiryNow()) {
        this.expire(key)
        return false
      }
      this.expires.delete(key)
    }
    if (!this.keys.delete(key)) return false
    this.modified(key)
    return true
  }

  /**
   * Deletes a key as stored, even one whose time has passed (Redis's dbDelete without
   * a lookup first). The STORE commands clear their destination this way for an empty
   * result, so an expired one is reported deleted, not expired, as in Redis.
   */
  deleteStored(key: string): boolean {
    if (this.expires.size !== 0) this.expires.delete(key)
    if (!this.keys.delete(key)) return false
    this.modified(key)
    return true
  }

  /** Expiry time in ms, or undefined for a key without one. Call on live keys. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key)
  }

  setExpire(key: string, at: number): void {
    this.expires.set(key, at)
    this.modified(key)
  }

  /** setExpire for any int64 time; times past 2^53 ms are also kept exactly. */
  setExpireAt(key: string, at: number | bigint): void {
    if (typeof at === 'number') {
      this.setExpire(key, at)
      return
    }
    if (this.exactExpires === null) this.exactExpires = new Map()
    this.exactExpires.set(key, at)
    this.setExpire(key, Number(at))
  }

  /** getExpire with the exact time for huge ones (EXPIRETIME, TTL and GT/LT compare them). */
  expireAt(key: string): number | bigint | undefined {
    const at = this.getExpire(key)
    if (at === undefined || Number.isSafeInteger(at) || this.exactExpires === null) return at
    const exact = this.exactExpires.get(key)
    return exact !== undefined && Number(exact) === at ? exact : at
  }

  persist(key: string): boolean {
    if (!this.expires.delete(key)) return false
    this.modified(key)
    return true
  }

  /** FLUSHDB: empties this database. */
  clear(): number {
    this.observer?.flushed([this])
    return this.empty()
  }

  /** Drops every key without telling observers; the caller has (Store.flushAll). */
  empty(): number {
    const n = this.keys.size
    if (this.saving !== null) this.saving.emptying(this)
    this.keys.clear()
    this.expires.clear()
    this.cursors.clear()
    this.expireCursor = null
    this.stringEncodings = null
    this.exactExpires = null
    return n
  }

  /**
   * Gives this database new, empty key tables and leaves the old ones, untouched from
   * now on, to a background save that has not written them all yet: a flush during
   * the save costs it nothing.
   */
  detachContents(): void {
    const self = this as { keys: Keys; expires: Expiries }
    self.keys = new Keys()
    self.expires = new Expiries()
    this.exactExpires = null
    this.expireCursor = null
  }

  /**
   * SWAPDB: trade contents with another database. Each Database stays at its index,
   * so clients that selected it, and clients blocked on its keys, see the new data.
   */
  swapWith(other: Database): void {
    const self = this as { keys: Keys; expires: Expiries; cursors: CursorTable<string> }
    const that = other as typeof self
    ;[self.keys, that.keys] = [that.keys, self.keys]
    ;[self.expires, that.expires] = [that.expires, self.expires]
    ;[self.cursors, that.cursors] = [that.cursors, self.cursors]
    ;[this.expireCursor, other.expireCursor] = [other.expireCursor, this.expireCursor]
    ;[this.stringEncodings, other.stringEncodings] = [other.stringEncodings, this.stringEncodings]
    ;[this.exactExpires, other.exactExpires] = [other.exactExpires, this.exactExpires]
    this.observer?.swapped(this, other)
    other.observer?.swapped(other, this)
  }

  /** Keys removed because their TTL passed (INFO stats expired_keys). */
  expiredKeys = 0

  /**
   * A random key whose time has not passed (RANDOMKEY): one whose time has passed is
   * expired on the way, and after 100 such draws there is no answer, so a keyspace of
   * keys that all expired at once costs one call no more than that.
   */
  randomKey(): string | undefined {
    for (let attempt = 0; attempt < 100; attempt++) {
      const key = this.keys.randomKey()
      if (key === undefined || this.get(key) !== undefined) return key
    }
    return undefined
  }
}

/** A value as commands other than the bitmap ones see it: a MutableString as its text. */
function asText(v: KeyspaceValue | undefined): StoredValue | undefined {
  return typeof v === 'string' || !(v instanceof MutableString) ? v : v.text()
}
