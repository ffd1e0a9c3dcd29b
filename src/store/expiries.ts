import { FreeList } from './free-list.js'
import { KeySpace } from './keyspace.js'

/** Times per page of `times`; a handle is `page << PAGE_SHIFT | slot`. */
const PAGE_SHIFT = 16
const PAGE_SIZE = 1 << PAGE_SHIFT

/**
 * Expiry times in ms by key. The tables hold a small integer per key, naming a slot in
 * pages of doubles, rather than the time itself: a time in ms since the epoch is no
 * Smi, so V8 would box each one in a heap object, and every SET ... EX over millions
 * of keys would store a new young one into the huge table for the scavenger to trace
 * (as values did before small-strings.ts). A new time for a key overwrites its slot.
 */
export class Expiries {
  private readonly space = new KeySpace<number>()
  private pages: Float64Array[] = []
  private next = 0
  private readonly free = new FreeList()

  get size(): number {
    return this.space.size
  }

  has(key: string): boolean {
    return this.space.has(key)
  }

  get(key: string): number | undefined {
    const h = this.space.get(key)
    return h === undefined ? undefined : this.pages[h >>> PAGE_SHIFT][h & (PAGE_SIZE - 1)]
  }

  set(key: string, at: number): void {
    let h = this.space.get(key)
    if (h === undefined) {
      h = this.slot()
      this.space.set(key, h)
    }
    this.pages[h >>> PAGE_SHIFT][h & (PAGE_SIZE - 1)] = at
  }

  reserve(n: number): void {
    this.space.reserve(n)
  }

  delete(key: string): boolean {
    const h = this.space.get(key)
    if (h === undefined) return false
    this.free.push(h)
    return this.space.delete(key)
  }

  clear(): void {
    this.space.clear()
    this.pages = []
    this.next = 0
    this.free.clear()
  }

  keys(): IterableIterator<string> {
    return this.space.keys()
  }

  /** Live, like KeySpace's: survives inserts and deletes (the active expiry cycle resumes one). */
  *entries(): IterableIterator<[string, number]> {
    for (const [key, h] of this.space.entries()) yield [key, this.pages[h >>> PAGE_SHIFT][h & (PAGE_SIZE - 1)]]
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries()
  }

  private slot(): number {
    if (this.free.size !== 0) return this.free.pop()
    const h = this.next++
    if ((h & (PAGE_SIZE - 1)) === 0) this.pages.push(new Float64Array(PAGE_SIZE))
    return h
  }
}
