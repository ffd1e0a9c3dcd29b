/**
 * What a deleted key's entry holds until it is removed. V8's Map does not unlink a
 * deleted entry from its bucket's chain: the hole stays until the table rehashes,
 * which happens only once live entries and holes fill its capacity. A key deleted
 * and created again over and over (a queue that drains, a lock, a list a script
 * empties) would pile thousands of holes into its own chain in a large keyspace, and
 * every lookup that misses it walks them all: a BullMQ-like script fell from 45k to
 * 4k calls/s with 50k other keys. Redis's dict unlinks on delete; here a deleted key
 * keeps its entry, holding a Tombstone, and a new value takes the entry back.
 *
 * A Tombstone is removed from its Map once `window` more deletes have happened and
 * it is still there: a key deleted more often than that keeps its entry for good.
 * Tombstones wait in a ring in the order of their deletes; one that left the Map
 * (its key came back) is skipped when its turn comes, and its object is reused.
 */
class Tombstone {
  key = ''
  /** KeySpace.deletes when the key was deleted. */
  at = 0
}

/** Whether an entry read from KeySpace.tables() holds a value, not a deleted key's Tombstone. */
export function live<V>(v: Held<V> | undefined): v is V {
  return v !== undefined && !(v instanceof Tombstone)
}

/** A Map entry of a KeySpace: a value, or a deleted key's Tombstone. */
export type Held<V> = V | Tombstone

/**
 * A string-keyed map that holds more than V8's limit of 2^24 entries per Map, and
 * whose deletes leave no holes in V8's bucket chains for keys that come back (see
 * Tombstone).
 *
 * Entries live in the first Map until it holds `limit` keys; later keys spill into
 * further Maps. With one Map (every keyspace below the limit) each operation is a
 * single Map call or two, so the common case pays little for the split. Iteration is
 * over live Map iterators, which survive inserts and deletes: SCAN relies on that.
 */
export class KeySpace<V> {
  private maps: Map<string, Held<V>>[] = [new Map()]
  /** Tombstones in the Maps. */
  private tombs = 0
  private deletes = 0
  /** Tombstones by delete, oldest at `head`; slots past the `queued` hold spares. */
  private ring: Tombstone[] = []
  private head = 0
  private queued = 0

  constructor(private readonly limit = 8_000_000) {}

  get size(): number {
    const maps = this.maps
    if (maps.length === 1) return maps[0].size - this.tombs
    let n = 0
    for (const m of maps) n += m.size
    return n - this.tombs
  }

  get(key: string): V | undefined {
    const maps = this.maps
    if (maps.length === 1) {
      const v = maps[0].get(key)
      return v instanceof Tombstone ? undefined : v
    }
    for (const m of maps) {
      const v = m.get(key)
      if (v !== undefined) return v instanceof Tombstone ? undefined : v
    }
    return undefined
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  /** Sets a key; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const maps = this.maps
    if (maps.length === 1) {
      const m = maps[0]
      const before = m.size
      if (this.tombs === 0 && before < this.limit) {
        m.set(key, value)
        return m.size !== before
      }
    }
    for (const m of maps) {
      const old = m.get(key)
      if (old !== undefined) {
        m.set(key, value)
        if (!(old instanceof Tombstone)) return false
        this.tombs--
        return true
      }
    }
    for (const m of maps) {
      if (m.size < this.limit) {
        m.set(key, value)
        return true
      }
    }
    const spill = new Map<string, Held<V>>()
    maps.push(spill)
    spill.set(key, value)
    return true
  }

  delete(key: string): boolean {
    for (const m of this.maps) {
      const old = m.get(key)
      if (old === undefined) continue
      if (old instanceof Tombstone) return false
      m.set(key, this.bury(key))
      this.tombs++
      return true
    }
    return false
  }

  clear(): void {
    this.maps = [new Map()]
    this.tombs = 0
    this.ring = []
    this.head = 0
    this.queued = 0
  }

  /** A Tombstone for `key`, queued; removes the ones a window of deletes old. */
  private bury(key: string): Tombstone {
    const at = ++this.deletes
    // A window of an eighth of the keys keeps Tombstones below about that share,
    // however many deleted keys never come back (ids of finished jobs).
    const oldest = at - Math.max(1024, this.size >> 3)
    let ring = this.ring
    while (this.queued !== 0 && ring[this.head].at <= oldest) {
      const t = ring[this.head]
      for (const m of this.maps) {
        if (m.get(t.key) === t) {
          m.delete(t.key)
          this.tombs--
          break
        }
      }
      t.key = ''
      this.head = (this.head + 1) % ring.length
      this.queued--
    }
    if (this.queued === ring.length) ring = this.grow()
    const slot = (this.head + this.queued++) % ring.length
    const t = (ring[slot] ??= new Tombstone())
    t.key = key
    t.at = at
    return t
  }

  private grow(): Tombstone[] {
    const old = this.ring
    const ring = (this.ring = new Array<Tombstone>(Math.max(64, old.length * 2)))
    for (let i = 0; i < old.length; i++) ring[i] = old[(this.head + i) % old.length]
    this.head = 0
    return ring
  }

  /**
   * The Maps themselves, live (a Map added later shows up in the array), for a walk
   * that pauses between Map iterator steps without a generator's cost per entry. An
   * entry whose value is not live() is a deleted key: skip it.
   */
  tables(): readonly Map<string, Held<V>>[] {
    return this.maps
  }

  *keys(): IterableIterator<string> {
    // Read `this.maps` afresh each round so a Map added mid-iteration is visited.
    for (let i = 0; i < this.maps.length; i++) {
      for (const [k, v] of this.maps[i]) if (!(v instanceof Tombstone)) yield k
    }
  }

  *entries(): IterableIterator<[string, V]> {
    for (let i = 0; i < this.maps.length; i++) {
      for (const e of this.maps[i]) if (!(e[1] instanceof Tombstone)) yield e as [string, V]
    }
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()
  }
}
