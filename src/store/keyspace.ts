import { KeyTable, hashOf } from './key-table.js'

/** Tables per keyspace, picked by the top bits of a key's hash. */
const SHARD_BITS = 6
const SHARDS = 1 << SHARD_BITS

/**
 * A string-keyed map of any size, split by hash into SHARDS tables (key-table.ts).
 *
 * - A table grows by rebuilding itself whole: 0.9 s for one of 8M keys, 15 ms for
 *   one of 128K, a sixty-fourth of that. (V8's collector still pauses a growing heap
 *   of millions of keys longer than that; the split takes the table's share away.)
 * - A table's arrays stop at V8's limit of 2^27 elements each, some 25M keys; the
 *   tables together hold more than memory does.
 * - A key's table is known from its hash, so a lookup reads one table, however many
 *   keys there are.
 *
 * Iteration goes table by table over live walks, which survive inserts and deletes:
 * a key present throughout is met exactly once (SCAN, the background save and the
 * expiry cycle rely on that), a key added meanwhile maybe.
 */
export class KeySpace<V> {
  private maps: KeyTable<V>[] = newShards()
  private count = 0

  get size(): number {
    return this.count
  }

  get(key: string): V | undefined {
    const h = hashOf(key)
    return this.maps[h >>> (32 - SHARD_BITS)].get(key, h)
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  /** Sets a key; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const h = hashOf(key)
    if (!this.maps[h >>> (32 - SHARD_BITS)].set(key, value, h)) return false
    this.count++
    return true
  }

  delete(key: string): boolean {
    const h = hashOf(key)
    if (!this.maps[h >>> (32 - SHARD_BITS)].delete(key, h)) return false
    this.count--
    return true
  }

  /** A key picked uniformly at random (RANDOMKEY), or undefined when empty. */
  randomKey(): string | undefined {
    let pick = Math.floor(Math.random() * this.size)
    for (const m of this.maps) {
      if (pick < m.size) return m.randomKey()
      pick -= m.size
    }
    return undefined
  }

  /** Room for `n` keys (a snapshot's load, told its size): each table's share, and some. */
  reserve(n: number): void {
    for (const m of this.maps) m.reserve(Math.ceil((n / SHARDS) * 1.05))
  }

  clear(): void {
    this.maps = newShards()
    this.count = 0
  }

  /** The tables themselves, for a walk that pauses between steps without a generator's cost per entry. */
  tables(): readonly KeyTable<V>[] {
    return this.maps
  }

  *keys(): IterableIterator<string> {
    for (const m of this.maps) yield* m.keys()
  }

  *entries(): IterableIterator<[string, V]> {
    for (const m of this.maps) yield* m.entries()
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()
  }
}

function newShards<V>(): KeyTable<V>[] {
  return Array.from({ length: SHARDS }, () => new KeyTable<V>())
}
