/**
 * What a deleted key's entry holds until it is removed. V8's Map does not unlink a
 * deleted entry from its bucket's chain: the hole stays until the table rehashes,
 * which happens only once live entries and holes fill its capacity. A key deleted
 * and set again over and over (a list a queue script empties, a lock, a field or
 * member that comes and goes in a big hash, set or sorted set) would pile thousands
 * of holes into its own chain, and every lookup that misses it walks them all: a
 * BullMQ-like script fell from 45k to 4k calls/s with 50k other keys, and an
 * HSET/HDEL of one field in a 50k-field hash from 21k to 3k. Redis's dict unlinks on
 * delete; here a deleted key keeps its entry, holding a Tombstone, and a new value
 * takes the entry back.
 */
class Tombstone {
  key = ''
  /** Burial.deletes when the key was deleted. */
  at = 0
}

/**
 * The Tombstones of one map, oldest first, in a ring whose slots past the queued ones
 * hold spare objects: one that left the map (its key came back) is skipped when its
 * turn comes, and every object is reused, so deletes allocate nothing.
 */
interface Burial {
  ring: Tombstone[]
  head: number
  queued: number
  deletes: number
}

/**
 * Below this many entries a delete unlinks at once: V8 shrinks a Map's table as it
 * empties, so a small map's chains cannot hold many holes.
 */
const MIN_SIZE = 128

/**
 * A string-keyed Map whose deletes leave no holes in V8's bucket chains for keys that
 * come back (see Tombstone). A Tombstone is removed once deletes numbering an eighth
 * of the map have followed it and its key has not come back: a key deleted more often
 * than that keeps its entry for good, and Tombstones stay below an eighth of the live
 * entries however many deleted keys never return.
 *
 * Order is insertion order, as a Map's, except that a key set again after a delete
 * may keep its old place; unlink() removes at once where the order must be exact.
 * Iterators are live, as a Map's: they survive writes and skip Tombstones.
 */
export class TombstoneMap<V> {
  private readonly map: Map<string, V | Tombstone>
  private tombs = 0
  private burial: Burial | null = null

  /** Adopts `map` (not copied). */
  constructor(map = new Map<string, V>()) {
    this.map = map
  }

  get size(): number {
    return this.map.size - this.tombs
  }

  /** Entries including Tombstones: what counts against V8's limit per Map. */
  get entriesHeld(): number {
    return this.map.size
  }

  get(key: string): V | undefined {
    const v = this.map.get(key)
    return v instanceof Tombstone ? undefined : v
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  /** Whether the key has an entry, live or a Tombstone: a set() of it adds no entry. */
  holds(key: string): boolean {
    return this.map.has(key)
  }

  /** Sets a key; true when the key is new. */
  set(key: string, value: V): boolean {
    const map = this.map
    if (this.tombs === 0) {
      const before = map.size
      map.set(key, value)
      return map.size !== before
    }
    const old = map.get(key)
    map.set(key, value)
    if (old === undefined) return true
    if (!(old instanceof Tombstone)) return false
    this.tombs--
    return true
  }

  delete(key: string): boolean {
    const map = this.map
    if (map.size - this.tombs < MIN_SIZE) return this.unlink(key)
    const old = map.get(key)
    if (old === undefined || old instanceof Tombstone) return false
    map.set(key, this.bury(key))
    this.tombs++
    return true
  }

  /** Deletes and unlinks at once, so that a key set again goes to the end of the order. */
  unlink(key: string): boolean {
    const map = this.map
    if (this.tombs === 0) return map.delete(key)
    const old = map.get(key)
    if (old === undefined) return false
    map.delete(key)
    if (!(old instanceof Tombstone)) return true
    this.tombs--
    return false
  }

  clear(): void {
    this.map.clear()
    this.tombs = 0
    this.burial = null
  }

  /** A Tombstone for `key`, queued; removes the ones that have waited their window. */
  private bury(key: string): Tombstone {
    const b = (this.burial ??= { ring: [], head: 0, queued: 0, deletes: 0 })
    const map = this.map
    const at = ++b.deletes
    const oldest = at - ((map.size - this.tombs) >> 3)
    let ring = b.ring
    while (b.queued !== 0 && ring[b.head].at <= oldest) {
      const t = ring[b.head]
      if (map.get(t.key) === t) {
        map.delete(t.key)
        this.tombs--
      }
      t.key = ''
      b.head = (b.head + 1) % ring.length
      b.queued--
    }
    if (b.queued === ring.length) {
      // Full: unroll into a ring twice the size, oldest first.
      const old = ring
      ring = b.ring = new Array<Tombstone>(Math.max(16, old.length * 2))
      for (let i = 0; i < old.length; i++) ring[i] = old[(b.head + i) % old.length]
      b.head = 0
    }
    const slot = (b.head + b.queued++) % ring.length
    const t = (ring[slot] ??= new Tombstone())
    t.key = key
    t.at = at
    return t
  }

  keys(): IterableIterator<string> {
    return new LiveIterator<string>(this.map.entries(), KEY)
  }

  values(): IterableIterator<V> {
    return new LiveIterator<V>(this.map.entries(), VALUE)
  }

  entries(): IterableIterator<[string, V]> {
    return new LiveIterator<[string, V]>(this.map.entries(), ENTRY)
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()
  }
}

const KEY = 0
const VALUE = 1
const ENTRY = 2

/** A Map iterator that skips Tombstones; a class, not a generator, for its cost per step. */
class LiveIterator<R> implements IterableIterator<R> {
  constructor(
    private readonly inner: IterableIterator<[string, unknown]>,
    private readonly part: typeof KEY | typeof VALUE | typeof ENTRY,
  ) {}

  next(): IteratorResult<R> {
    for (;;) {
      const r = this.inner.next()
      if (r.done === true) return r
      const e = r.value
      if (!(e[1] instanceof Tombstone)) return { done: false, value: (this.part === ENTRY ? e : e[this.part]) as R }
    }
  }

  [Symbol.iterator](): IterableIterator<R> {
    return this
  }
}
