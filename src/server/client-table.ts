/**
 * Connected clients (or memcached connections) in id order, as CLIENT LIST shows them,
 * found by id with a binary search.
 *
 * Not a Map, because of connection churn. A Map's table is rebuilt every few
 * connections, and V8 links each replaced table to its successor (for iterators still
 * on it), entries and all. Once one table of that chain is in the old generation, a
 * scavenge keeps every later table and each client they held, until a full collection.
 * With a new connection per request (redis-benchmark -k 0), 1.1-1.3 KB of every
 * connection was promoted, and each scavenge took 5-18 ms; a server that does nothing
 * on the same I/O path (scripts/bench/floor-server.mjs) promoted none.
 *
 * Here a closed client's slot is emptied at once, and a compaction empties the array
 * it replaces, so nothing dead holds a client.
 */
export class ClientTable<C extends { readonly id: number }> {
  /** Clients by ascending id, null where one has gone. */
  private slots: (C | null)[] = []
  /** Each slot's id (kept after the client goes), for the binary search. */
  private ids: number[] = []
  private live = 0

  get size(): number {
    return this.live
  }

  /**
   * Adds a client whose id is above every id added before (ids only grow). Compacts
   * first when most slots are empty; a walk in progress (values()) then sees no more
   * clients, so clients are only added outside walks.
   */
  add(client: C): void {
    const ids = this.ids
    if (ids.length !== 0 && client.id <= ids[ids.length - 1]) throw new Error(`client id ${client.id} is not above the last one`)
    if (ids.length - this.live > this.live + 16) this.compact()
    this.slots.push(client)
    this.ids.push(client.id)
    this.live++
  }

  get(id: number): C | undefined {
    const i = this.find(id)
    return i < 0 ? undefined : (this.slots[i] ?? undefined)
  }

  has(id: number): boolean {
    return this.get(id) !== undefined
  }

  delete(id: number): boolean {
    const i = this.find(id)
    if (i < 0 || this.slots[i] === null) return false
    this.slots[i] = null
    this.live--
    return true
  }

  /** The clients in id order; one that goes meanwhile is skipped. */
  *values(): IterableIterator<C> {
    const slots = this.slots
    for (let i = 0; i < slots.length; i++) {
      const c = slots[i]
      if (c !== null) yield c
    }
  }

  [Symbol.iterator](): IterableIterator<C> {
    return this.values()
  }

  private find(id: number): number {
    const ids = this.ids
    let lo = 0
    let hi = ids.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const at = ids[mid]
      if (at === id) return mid
      if (at < id) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  private compact(): void {
    const old = this.slots
    const slots: C[] = []
    const ids: number[] = []
    for (const c of old) {
      if (c === null) continue
      slots.push(c)
      ids.push(c.id)
    }
    // The replaced array may sit dead in the old generation until a full collection:
    // emptied, it holds no client through the scavenges before that.
    old.fill(null)
    this.slots = slots
    this.ids = ids
  }
}
