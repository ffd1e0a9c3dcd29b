/**
 * Freed slot numbers of an allocator, a stack over a typed array that doubles as
 * needed: no heap object per freed slot (SmallStrings' size classes, Expiries).
 */
export class FreeList {
  private items = new Int32Array(64)
  private count = 0

  get size(): number {
    return this.count
  }

  push(slot: number): void {
    if (this.count === this.items.length) {
      const grown = new Int32Array(this.items.length * 2)
      grown.set(this.items)
      this.items = grown
    }
    this.items[this.count++] = slot
  }

  /** The last slot pushed; call only when size is not 0. */
  pop(): number {
    return this.items[--this.count]
  }

  clear(): void {
    this.count = 0
  }
}
