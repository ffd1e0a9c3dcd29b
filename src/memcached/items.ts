import type { Server } from '../server/server.js'
import type { Database } from '../store/database.js'
import { MutableString, type KeyspaceValue } from '../store/types.js'

/**
 * What memcached keeps beside a value and Redis has no place for: the 32-bit client
 * flags, the CAS unique, and the few per-item bits the meta commands report (fetched
 * before, last access, stale, recache token handed out).
 *
 * It lives in a side table keyed like database 0, never inside the value, so GET on
 * the Redis port sees exactly the bytes memcached stored. The table is kept honest by
 * the store's one change seam (KeySignals forwards keyModified / expired / flushed /
 * swapped for database 0): any write not made by the memcached front end drops the
 * key's entry, so the next memcached look at it finds flags 0 and a fresh CAS.
 * Entries are made lazily, on a memcached store or the first memcached read of a key
 * Redis wrote, so Redis-only keys cost nothing here.
 */
export interface ItemMeta {
  flags: number
  /**
   * A number, not a bigint: the counter would need 2^53 stores to outgrow it, and a
   * bigint would be one more allocation per store. Clients' CAS tokens are compared
   * with casMatches().
   */
  cas: number
  /**
   * Which stored item this describes. A store renews the entry in place rather than
   * allocating one per write, so mg's references to an item (Session.held) name this
   * number: a store after the mg makes a new item, which nobody holds, as in memcached.
   */
  item: number
  /** Whether an mg/get has fetched the item since it was stored (mg h). */
  fetched: boolean
  /** Last access, ms since the epoch (mg l). */
  atime: number
  /** Marked stale by md I / ms I (mg X). */
  stale: boolean
  /** A recache token (W) was handed out; later fetches see Z until the next store. */
  tokenSent: boolean
}

export class ItemTable {
  private readonly meta = new Map<string, ItemMeta>()
  /** memcached's CAS counter: every store takes the next value. */
  private casCounter = 0
  private itemCounter = 0
  /** Set while the front end itself writes, so its own store does not clear what it is about to set. */
  private writing = false

  constructor(
    readonly db: Database,
    private readonly server: Server,
  ) {}

  /**
   * memcached writes do not pass the dispatcher, so they take the two steps it takes
   * around a command themselves: a background save first keeps the key's old value
   * (copy on write), and afterwards the write goes to the AOF in the form Redis would
   * log it.
   */
  private before(key: string): void {
    this.server.saving?.preserve(this.db, key)
  }

  /** Whether writes go to the AOF or replicas: the argv for them is built only then. */
  private get propagating(): boolean {
    return this.server.propagation.active
  }

  private propagate(argv: string[]): void {
    this.server.propagation.write(this.db, argv)
  }

  get size(): number {
    return this.meta.size
  }

  nextCas(): number {
    return ++this.casCounter
  }

  /** The key's metadata, made (flags 0, a new CAS) for a key written through Redis. */
  of(key: string, now: number): ItemMeta {
    let m = this.meta.get(key)
    if (m === undefined) {
      m = { flags: 0, cas: this.nextCas(), item: ++this.itemCounter, fetched: false, atime: now, stale: false, tokenSent: false }
      this.meta.set(key, m)
    }
    return m
  }

  peek(key: string): ItemMeta | undefined {
    return this.meta.get(key)
  }

  /**
   * The live string value of `key` as a latin1 string, or undefined for a missing key
   * and for a key holding another Redis type (a list, a hash...), which memcached,
   * having no types, sees as a miss.
   */
  value(key: string): string | undefined {
    const v = this.db.get(key)
    return typeof v === 'string' ? v : undefined
  }

  /** Whether the key exists with any type (add refuses to overwrite a list). */
  exists(key: string): boolean {
    return this.db.getStored(key) !== undefined
  }

  /**
   * Stores a value for memcached: through the Database (so WATCH, tracking, keyspace
   * events and dirty see an ordinary write), then the metadata. `expireAt` is an
   * absolute ms time, 0 for none; keepTtl keeps the key's current expiry (append).
   */
  store(key: string, value: string, flags: number, expireAt: number, keepTtl: boolean, now: number): ItemMeta {
    const db = this.db
    this.before(key)
    this.writing = true
    try {
      if (keepTtl) db.replace(key, value)
      else {
        db.set(key, value)
        if (expireAt !== 0) db.setExpire(key, expireAt)
      }
    } finally {
      this.writing = false
    }
    if (this.propagating) {
      this.propagate(keepTtl ? ['SET', key, value, 'KEEPTTL'] : expireAt !== 0 ? ['SET', key, value, 'PXAT', String(expireAt)] : ['SET', key, value])
    }
    let m = this.meta.get(key)
    if (m === undefined) {
      m = { flags: 0, cas: 0, item: 0, fetched: false, atime: 0, stale: false, tokenSent: false }
      this.meta.set(key, m)
    }
    m.flags = flags >>> 0
    m.cas = this.nextCas()
    m.item = ++this.itemCounter
    m.fetched = false
    m.atime = now
    m.stale = false
    m.tokenSent = false
    return m
  }

  /** Changes the expiry (touch, gat, mg T); 0 removes it. Keeps flags and CAS, as memcached does. */
  touch(key: string, expireAt: number): void {
    this.before(key)
    this.writing = true
    try {
      if (expireAt === 0) this.db.persist(key)
      else this.db.setExpire(key, expireAt)
    } finally {
      this.writing = false
    }
    if (this.propagating) this.propagate(expireAt === 0 ? ['PERSIST', key] : ['PEXPIREAT', key, String(expireAt)])
  }

  delete(key: string): boolean {
    this.before(key)
    if (!this.db.delete(key)) return false
    if (this.propagating) this.propagate(['DEL', key])
    return true
  }

  /** flush_all: database 0 emptied (a background save keeps its old tables). */
  flush(): void {
    this.db.clear()
    if (this.propagating) this.propagate(['FLUSHDB'])
  }

  // The store's change seam, for database 0 (see server/signals.ts).

  keyModified(key: string): void {
    if (!this.writing) this.meta.delete(key)
  }

  keyExpired(key: string): void {
    this.meta.delete(key)
  }

  cleared(): void {
    this.meta.clear()
  }
}

/** Whether a client's CAS token (any u64) names the item's CAS. */
export function casMatches(meta: ItemMeta, token: bigint): boolean {
  return token <= 0x1fffffffffffffn && Number(token) === meta.cas
}

/** Whether a stored value is a string memcached can serve (not a list, hash...). */
export function isStringValue(v: KeyspaceValue | undefined): boolean {
  return typeof v === 'string' || v instanceof MutableString
}
