/**
 * A string-keyed map that holds more than V8's limit of 2^24 entries per Map.
 *
 * Entries live in the first Map until it holds `limit` keys; later keys spill into
 * further Maps. With one Map (every keyspace below the limit) each operation is a
 * single Map call, so the common case pays nothing for the split. Iteration is over
 * live Map iterators, which survive inserts and deletes: SCAN relies on that.
 */
export class KeySpace<V> {
  private maps: Map<string, V>[] = [new Map()]

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
    const maps = this.maps
    if (maps.length === 1) return maps[0].has(key)
    for (const m of maps) if (m.has(key)) return true
    return false
  }

  /** Sets a key; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const maps = this.maps
    if (maps.length === 1) {
      const m = maps[0]
      const before = m.size
      if (before < this.limit) {
        m.set(key, value)
        return m.size !== before
      }
      if (m.has(key)) {
        m.set(key, value)
        return false
      }
    }
    for (const m of maps) {
      if (m.has(key)) {
        m.set(key, value)
        return false
      }
    }
    for (const m of maps) {
      if (m.size < this.limit) {
        m.set(key, value)
        return true
      }
    }
    const spill = new Map<string, V>()
    maps.push(spill)
    spill.set(key, value)
    return true
  }

  delete(key: string): boolean {
    const maps = this.maps
    if (maps.length === 1) return maps[0].delete(key)
    for (const m of maps) if (m.delete(key)) return true
    return false
  }

  clear(): void {
    this.maps = [new Map()]
  }

  /**
   * The Maps themselves, live (a Map added later shows up in the array), for a walk
   * that pauses between Map iterator steps without a generator's cost per entry.
   */
  tables(): readonly Map<string, V>[] {
    return this.maps
  }

  *keys(): IterableIterator<string> {
    // Read `this.maps` afresh each round so a Map added mid-iteration is visited.
    for (let i = 0; i < this.maps.length; i++) yield* this.maps[i].keys()
  }

  *entries(): IterableIterator<[string, V]> {
    for (let i = 0; i < this.maps.length; i++) yield* this.maps[i].entries()
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()
  }
}
