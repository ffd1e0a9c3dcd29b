/**
 * SCAN-family cursors. A JS Map iterator is live: it survives inserts and deletes and
 * visits every entry present from start to end exactly once, which is the guarantee
 * Redis gives for SCAN. So a cursor number names a parked iterator.
 *
 * Cursors are not stateless as in Redis: the table keeps the most recent `capacity`
 * of them. An unknown cursor (evicted, or from before a restart) restarts the
 * iteration, which may repeat elements but never misses one, as SCAN allows.
 */
export class CursorTable<T> {
  private readonly open = new Map<number, Iterator<T>>()
  private nextId = 1

  constructor(private readonly capacity = 4096) {}

  /** Takes the iterator behind a cursor, or undefined for cursor 0 or an unknown one. */
  take(cursor: number): Iterator<T> | undefined {
    const it = this.open.get(cursor)
    if (it !== undefined) this.open.delete(cursor)
    return it
  }

  /** Parks an unfinished iterator and returns its new cursor number. */
  park(it: Iterator<T>): number {
    if (this.open.size >= this.capacity) {
      const oldest = this.open.keys().next().value as number
      this.open.delete(oldest)
    }
    const id = this.nextId
    this.nextId = this.nextId >= Number.MAX_SAFE_INTEGER ? 1 : this.nextId + 1
    this.open.set(id, it)
    return id
  }

  clear(): void {
    this.open.clear()
  }
}

/**
 * One SCAN step: up to `count` items from the cursor's iterator (or a fresh one),
 * those that `keep` accepts (all without it), then the next cursor (0 when done).
 */
export function scanStep<T>(
  table: CursorTable<T>,
  cursor: number,
  count: number,
  fresh: () => Iterator<T>,
  keep?: (item: T) => boolean,
): { cursor: number; items: T[] } {
  const it = (cursor !== 0 ? table.take(cursor) : undefined) ?? fresh()
  const items: T[] = []
  // Like Redis, COUNT bounds the work, not the number returned, so a sparse MATCH
  // still comes back promptly.
  for (let visited = 0; visited < count; visited++) {
    const r = it.next()
    if (r.done) return { cursor: 0, items }
    if (keep === undefined || keep(r.value)) items.push(r.value)
  }
  return { cursor: table.park(it), items }
}
