/**
 * The keyspace's hash table: entries in insertion order in one array, found through
 * an open-addressing index of typed arrays.
 *
 * Hand-written because V8's Map is slow at a database's size. With a million keys,
 * inserting a new key cost 390-450 ns in a Map against 110-190 here, and a lookup
 * with a key just decoded from a request (a new string, the server's usual case)
 * 900-1000 ns against 550-700. Map.set was half of a million-key load. The Map also
 * leaves a deleted entry's hole in its bucket chain until it rehashes (the reason
 * tombstone-map.ts exists); here a delete empties its index slot at once.
 *
 * Iteration is live, as a Map's: a walk (TableWalk) survives inserts and deletes, and
 * visits every entry present from its start to its end exactly once. SCAN, the
 * background save and the active expiry cycle rely on that.
 */

/** Seeded per process, so that no one can choose keys whose slots collide. */
const SEED = (Math.random() * 0x100000000) | 0

/**
 * FNV-1a over the whole string, then murmur3's finaliser so that both the low bits
 * (the slot) and the high ones (background-save.ts's shards) vary.
 *
 * The last key's hash is kept: a command looks its key up more than once (INCR's
 * read and write, the expiry check), and a hot key comes back as the same string
 * object from the decoder's cache (latin1.ts), which === tells at once. A Map keeps
 * a string's hash in the string itself; JS cannot.
 */
export function hashOf(key: string): number {
  if (key === lastKey) return lastHash
  let h = SEED ^ key.length
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  lastKey = key
  // An int32, a small integer to V8 where a uint32 past 2^31 would be a boxed double.
  return (lastHash = h ^ (h >>> 16))
}

let lastKey: string | undefined
let lastHash = 0

const MIN_CAPACITY = 8

export class KeyTable<V> {
  /**
   * Entry e's key at 2e and value at 2e+1, so one cache line holds both. A deleted
   * entry holds undefined in both until a rebuild drops it.
   */
  private kv: (string | V | undefined)[]
  /**
   * Linear probing over [hash, entry + 1] pairs, twice as many slots as entries fit
   * in `kv`, so at most half are used. A hash is compared before its key is read,
   * which spares most key reads (a cache miss each) on a probe. 0 as the entry marks
   * a free slot: a delete shifts the slots after it back (no tombstones).
   */
  private index: Int32Array
  private mask: number
  private capacity: number
  /** Entries used in kv, deleted ones included. */
  private end = 0
  private live = 0
  /** Walks in progress, moved along when a rebuild moves the entries. */
  private walks: WeakRef<TableWalk<V>>[] = []
  private walksKept = 0

  constructor(capacity = MIN_CAPACITY) {
    this.capacity = MIN_CAPACITY
    while (this.capacity < capacity) this.capacity *= 2
    this.kv = new Array(2 * this.capacity)
    this.index = new Int32Array(4 * this.capacity)
    this.mask = 2 * this.capacity - 1
  }

  get size(): number {
    return this.live
  }

  /** `h` is hashOf(key), when the caller has it already (KeySpace picks a table by it). */
  get(key: string, h = hashOf(key)): V | undefined {
    const index = this.index
    const mask = this.mask
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = index[2 * i + 1]
      if (e === 0) return undefined
      if (index[2 * i] === h && this.kv[2 * e - 2] === key) return this.kv[2 * e - 1] as V
    }
  }

  /** Sets a key; true when it is new. */
  set(key: string, value: V, h = hashOf(key)): boolean {
    let index = this.index
    let mask = this.mask
    let i = h & mask
    for (let e = index[2 * i + 1]; e !== 0; e = index[2 * i + 1]) {
      if (index[2 * i] === h && this.kv[2 * e - 2] === key) {
        this.kv[2 * e - 1] = value
        return false
      }
      i = (i + 1) & mask
    }
    if (this.end === this.capacity) {
      // Fewer than a quarter deleted: grow, so that rebuilds stay O(1) per insert.
      this.rebuild(this.end - this.live >= this.capacity >> 2 ? this.capacity : this.capacity * 2)
      index = this.index
      mask = this.mask
      for (i = h & mask; index[2 * i + 1] !== 0; i = (i + 1) & mask);
    }
    const e = this.end++
    this.kv[2 * e] = key
    this.kv[2 * e + 1] = value
    index[2 * i] = h
    index[2 * i + 1] = e + 1
    this.live++
    return true
  }

  delete(key: string, h = hashOf(key)): boolean {
    const index = this.index
    const mask = this.mask
    let i = h & mask
    let e = index[2 * i + 1]
    for (; e !== 0; e = index[2 * i + 1]) {
      if (index[2 * i] === h && this.kv[2 * e - 2] === key) break
      i = (i + 1) & mask
    }
    if (e === 0) return false
    const kv = this.kv
    kv[2 * e - 2] = undefined
    kv[2 * e - 1] = undefined
    this.live--
    // Backward shift: a later slot of the run moves into the hole unless its home
    // slot lies after the hole, so every key stays reachable from its home.
    let hole = i
    for (let j = (i + 1) & mask; index[2 * j + 1] !== 0; j = (j + 1) & mask) {
      if (((j - index[2 * j]) & mask) >= ((j - hole) & mask)) {
        index[2 * hole] = index[2 * j]
        index[2 * hole + 1] = index[2 * j + 1]
        hole = j
      }
    }
    index[2 * hole] = 0
    index[2 * hole + 1] = 0
    // A key set and deleted in turn (a lock) takes the same entry again.
    if (e === this.end) while (this.end > 0 && kv[2 * this.end - 2] === undefined) this.end--
    if (this.live < this.capacity >> 3 && this.capacity > MIN_CAPACITY) this.rebuild(this.capacity >> 1)
    return true
  }

  /**
   * A key picked uniformly at random, or undefined when empty. Deleted entries are at
   * most 7 in 8 of `end` (delete shrinks the table below that), so the draws that
   * land on one stay few.
   */
  randomKey(): string | undefined {
    if (this.live === 0) return undefined
    for (;;) {
      const key = this.kv[2 * Math.floor(Math.random() * this.end)]
      if (key !== undefined) return key as string
    }
  }

  /** Makes room for `n` entries at once (a snapshot's load, told its size), sparing the doublings. */
  reserve(n: number): void {
    let capacity = this.capacity
    while (capacity < n) capacity *= 2
    if (capacity !== this.capacity) this.rebuild(capacity)
  }

  /** Entries into new arrays of `capacity`, deleted ones dropped, walks moved along. */
  private rebuild(capacity: number): void {
    const kv = this.kv
    const end = this.end
    const next = new Array<string | V | undefined>(2 * capacity)
    // Each old entry's new number (its count of live entries before it).
    const moved = new Int32Array(end + 1)
    let n = 0
    for (let e = 0; e < end; e++) {
      moved[e] = n
      if (kv[2 * e] === undefined) continue
      next[2 * n] = kv[2 * e]
      next[2 * n + 1] = kv[2 * e + 1]
      n++
    }
    moved[end] = n
    const old = this.index
    const index = new Int32Array(4 * capacity)
    const mask = 2 * capacity - 1
    for (let s = 0; s < old.length; s += 2) {
      const e = old[s + 1]
      if (e === 0) continue
      const h = old[s]
      let i = h & mask
      while (index[2 * i + 1] !== 0) i = (i + 1) & mask
      index[2 * i] = h
      index[2 * i + 1] = moved[e - 1] + 1
    }
    this.kv = next
    this.index = index
    this.mask = mask
    this.capacity = capacity
    this.end = n
    this.keepWalks(moved, end)
  }

  /**
   * Drops the walks that ended or were collected; with `moved` (a rebuild's new entry
   * numbers, for entries up to `end`), moves the others along.
   */
  private keepWalks(moved?: Int32Array, end = 0): void {
    let kept = 0
    for (const ref of this.walks) {
      const w = ref.deref()
      if (w === undefined || w.pos < 0) continue
      if (moved !== undefined) w.pos = moved[Math.min(w.pos, end)]
      this.walks[kept++] = ref
    }
    this.walks.length = kept
    this.walksKept = kept
  }

  /** A live walk from the first entry. */
  walk(): TableWalk<V> {
    const w = new TableWalk<V>(this)
    // Walks that ended or were dropped are pruned here too, not only by rebuilds, so
    // that a table never rebuilt (no deletes) does not keep a WeakRef per SCAN.
    if (this.walks.length >= 2 * this.walksKept + 64) this.keepWalks()
    this.walks.push(new WeakRef(w))
    return w
  }

  /** The walk's next live entry at or after `w.pos`, as TableWalk.step describes. */
  stepWalk(w: TableWalk<V>): string | undefined {
    const kv = this.kv
    for (let e = w.pos; e < this.end; e++) {
      const key = kv[2 * e]
      if (key === undefined) continue
      w.pos = e + 1
      w.value = kv[2 * e + 1] as V
      return key as string
    }
    w.pos = -1
    w.value = undefined
    return undefined
  }

}

/** A live walk: step() returns each key and leaves its value in `value`. */
export interface Walk<V> {
  /** The value of the key step() returned last. */
  readonly value: V | undefined
  /** The next live key, or undefined at the end (and from then on). */
  step(): string | undefined
}

/**
 * A live walk over a table, with no result object per entry (a background save's
 * walk of a million keys).
 */
export class TableWalk<V> implements Walk<V> {
  /** The next entry to look at; -1 once the walk has ended. */
  pos = 0
  value: V | undefined = undefined

  constructor(private readonly table: KeyTable<V>) {}

  step(): string | undefined {
    return this.pos < 0 ? undefined : this.table.stepWalk(this)
  }
}

export const KEY = 0
export const ENTRY = 1

/** A walk as an iterator of keys or of entries; a class, not a generator, for its cost per step. */
export class WalkIterator<V, R> implements IterableIterator<R> {
  constructor(
    private readonly walk: Walk<V>,
    private readonly part: typeof KEY | typeof ENTRY,
  ) {}

  next(): IteratorResult<R> {
    const key = this.walk.step()
    if (key === undefined) return { done: true, value: undefined }
    return { done: false, value: (this.part === KEY ? key : [key, this.walk.value as V]) as R }
  }

  [Symbol.iterator](): IterableIterator<R> {
    return this
  }
}
