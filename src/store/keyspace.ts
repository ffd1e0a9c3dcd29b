import { TombstoneMap } from './tombstone-map.js'

/**
 * A string-keyed map that holds more than V8's limit of 2^24 entries per Map.
 *
 * Entries live in the first table until it holds `limit` keys; later keys spill into
 * further tables. With one table (every keyspace below the limit) each operation is a
 * single table call, so the common case pays nothing for the split. A key has an
 * entry in one table at most, its Tombstone included (tombstone-map.ts), so a key set
 * again after a delete goes back to its table. Iteration is over live iterators,
 * which survive inserts and deletes: SCAN relies on that.
 */
export class KeySpace<V> {
  private maps: TombstoneMap<V>[] = [new TombstoneMap()]

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
    if (maps.length === 1 && maps[0].entriesHeld < this.limit) return maps[0].set(key, value)
    for (const m of maps) if (m.holds(key)) return m.set(key, value)
    for (const m of maps) if (m.entriesHeld < this.limit) return m.set(key, value)
    const spill = new TombstoneMap<V>()
    maps.push(spill)
    return spill.set(key, value)
  }

  delete(key: string): boolean {
    const maps = this.maps
    if (maps.length === 1) return maps[0].delete(key)
    for (const m of maps) if (m.holds(key)) return m.delete(key)
    return false
  }

  clear(): void {
    this.maps = [new TombstoneMap()]
  }

  /**
   * The tables themselves, live (a table added later shows up in the array), for a
   * walk that pauses between iterator steps without a generator's cost per entry.
   */
  tables(): readonly TombstoneMap<V>[] {
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
