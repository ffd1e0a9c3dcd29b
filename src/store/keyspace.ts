import { KeyTable } from './key-table.js'

/**
 * A string-keyed map of any size: a KeyTable's arrays stop at V8's limit of 2^27
 * elements per array, and one of 2^25 slots (the size of a table of 8M keys doubled)
 * already makes a rebuild pause of its own, so a table holds `limit` keys at most.
 *
 * Entries live in the first table until it holds `limit` keys; later keys spill into
 * further tables. With one table (every keyspace below the limit) each operation is a
 * single table call, so the common case pays nothing for the split. A key is in one
 * table at most. Iteration is over live walks, which survive inserts and deletes:
 * SCAN relies on that.
 */
export class KeySpace<V> {
  private maps: KeyTable<V>[] = [new KeyTable()]

  constructor(private readonly limit = 8_000_000) {}

  get size(): number {
    const maps = this.maps
    if (maps.length === 1) return maps[0].size
    let n = 0
    for (const m of maps) n += m.size
    return n
  }

  get(key: string): V | undefined {
    const maps = this.maps
    if (maps.length === 1) return maps[0].get(key)
    for (const m of maps) {
      const v = m.get(key)
      if (v !== undefined) return v
    }
    return undefined
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  /** Sets a key; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const maps = this.maps
    if (maps.length === 1 && maps[0].size < this.limit) return maps[0].set(key, value)
    for (const m of maps) if (m.has(key)) return m.set(key, value)
    for (const m of maps) if (m.size < this.limit) return m.set(key, value)
    const spill = new KeyTable<V>()
    maps.push(spill)
    return spill.set(key, value)
  }

  /** A key picked uniformly at random (RANDOMKEY), or undefined when empty. */
  randomKey(): string | undefined {
    const maps = this.maps
    if (maps.length === 1) return maps[0].randomKey()
    let pick = Math.floor(Math.random() * this.size)
    for (const m of maps) {
      if (pick < m.size) return m.randomKey()
      pick -= m.size
    }
    return undefined
  }

  /** Room for `n` keys in the first table, up to its limit (KeyTable.reserve). */
  reserve(n: number): void {
    this.maps[0].reserve(Math.min(n, this.limit))
  }

  delete(key: string): boolean {
    const maps = this.maps
    if (maps.length === 1) return maps[0].delete(key)
    for (const m of maps) if (m.delete(key)) return true
    return false
  }

  clear(): void {
    this.maps = [new KeyTable()]
  }

  /**
   * The tables themselves, live (a table added later shows up in the array), for a
   * walk that pauses between steps without a generator's cost per entry.
   */
  tables(): readonly KeyTable<V>[] {
    return this.maps
  }

  *keys(): IterableIterator<string> {
    // Read `this.maps` afresh each round so a table added mid-iteration is visited.
    for (let i = 0; i < this.maps.length; i++) yield* this.maps[i].keys()
  }

  *entries(): IterableIterator<[string, V]> {
    for (let i = 0; i < this.maps.length; i++) yield* this.maps[i].entries()
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()
  }
}
