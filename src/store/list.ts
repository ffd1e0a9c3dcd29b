import type { Collection } from './types.js'

/** Smallest ring; also the floor below which a shrinking list keeps its buffer. */
const MIN_CAPACITY = 8

/**
 * A list value: a growable ring buffer of latin1 strings. Pushes and pops at either
 * end are O(1) amortised, index access is O(1) however long the list gets, and an
 * insert or removal in the middle moves only the shorter side.
 *
 * The capacity is a power of two so a logical index maps to a slot with one mask.
 * Vacated slots are cleared, so popped strings can be collected.
 */
export class ListValue implements Collection {
  readonly type = 'list'
  private slots: (string | undefined)[]
  private mask: number
  private head = 0
  private length = 0

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY
    while (cap < capacity) cap *= 2
    this.slots = new Array<string | undefined>(cap)
    this.mask = cap - 1
  }

  static from(values: readonly string[]): ListValue {
    const list = new ListValue(values.length)
    for (let i = 0; i < values.length; i++) list.slots[i] = values[i]
    list.length = values.length
    return list
  }

  get size(): number {
    return this.length
  }

  /**
   * Redis 7.0 keeps every list in a quicklist and reports that encoding whatever the
   * size (the listpack encoding for small lists arrived in 7.2).
   */
  encoding(): string {
    return 'quicklist'
  }

  clone(): ListValue {
    return ListValue.from(this.toArray())
  }

  /** The element at logical index i (0 <= i < size). */
  at(i: number): string {
    return this.slots[(this.head + i) & this.mask]!
  }

  setAt(i: number, value: string): void {
    this.slots[(this.head + i) & this.mask] = value
  }

  pushFront(value: string): void {
    if (this.length === this.slots.length) this.resize(this.slots.length * 2)
    this.head = (this.head - 1) & this.mask
    this.slots[this.head] = value
    this.length++
  }

  pushBack(value: string): void {
    if (this.length === this.slots.length) this.resize(this.slots.length * 2)
    this.slots[(this.head + this.length) & this.mask] = value
    this.length++
  }

  popFront(): string | undefined {
    if (this.length === 0) return undefined
    const slots = this.slots
    const value = slots[this.head]
    slots[this.head] = undefined
    this.head = (this.head + 1) & this.mask
    this.length--
    this.maybeShrink()
    return value
  }

  popBack(): string | undefined {
    if (this.length === 0) return undefined
    const i = (this.head + this.length - 1) & this.mask
    const value = this.slots[i]
    this.slots[i] = undefined
    this.length--
    this.maybeShrink()
    return value
  }

  /** Inserts before logical index i (0 <= i <= size), moving the shorter side. */
  insert(i: number, value: string): void {
    if (this.length === this.slots.length) this.resize(this.slots.length * 2)
    const slots = this.slots
    const mask = this.mask
    if (i < this.length - i) {
      const head = (this.head - 1) & mask
      for (let j = 0; j < i; j++) slots[(head + j) & mask] = slots[(head + j + 1) & mask]
      this.head = head
    } else {
      const head = this.head
      for (let j = this.length; j > i; j--) slots[(head + j) & mask] = slots[(head + j - 1) & mask]
    }
    slots[(this.head + i) & mask] = value
    this.length++
  }

  /** Removes the element at logical index i, moving the shorter side. */
  removeAt(i: number): string {
    const slots = this.slots
    const mask = this.mask
    const head = this.head
    const value = slots[(head + i) & mask]!
    if (i < this.length - 1 - i) {
      for (let j = i; j > 0; j--) slots[(head + j) & mask] = slots[(head + j - 1) & mask]
      slots[head] = undefined
      this.head = (head + 1) & mask
    } else {
      const last = this.length - 1
      for (let j = i; j < last; j++) slots[(head + j) & mask] = slots[(head + j + 1) & mask]
      slots[(head + last) & mask] = undefined
    }
    this.length--
    this.maybeShrink()
    return value
  }

  /** Logical index of the first element equal to value, or -1. */
  indexOf(value: string): number {
    const slots = this.slots
    const mask = this.mask
    const head = this.head
    for (let i = 0; i < this.length; i++) if (slots[(head + i) & mask] === value) return i
    return -1
  }

  /**
   * LREM: removes up to `limit` elements equal to value (0 = all), scanning from the
   * head or, when `fromTail`, from the tail. One compaction pass; it moves whichever
   * side of the removed span is shorter. Returns how many were removed.
   */
  removeValue(value: string, limit: number, fromTail: boolean): number {
    const n = this.length
    const max = limit <= 0 ? n : limit
    // The span [first, last] holding the matches that will go, in logical indexes.
    let first = -1
    let last = -1
    let found = 0
    if (!fromTail) {
      for (let i = 0; i < n && found < max; i++) {
        if (this.at(i) !== value) continue
        if (first < 0) first = i
        last = i
        found++
      }
    } else {
      for (let i = n - 1; i >= 0 && found < max; i--) {
        if (this.at(i) !== value) continue
        if (last < 0) last = i
        first = i
        found++
      }
    }
    if (found === 0) return 0
    // Every match inside [first, last] is removed, so the span compacts by value alone.
    if (first < n - 1 - last) {
      // Close the gaps towards the tail: elements before `last` move right.
      let w = last
      for (let r = last; r >= 0; r--) {
        const v = this.at(r)
        if (r >= first && v === value) continue
        this.setAt(w--, v)
      }
      for (let i = 0; i < found; i++) this.vacate(i)
      this.head = (this.head + found) & this.mask
    } else {
      let w = first
      for (let r = first; r < n; r++) {
        const v = this.at(r)
        if (r <= last && v === value) continue
        this.setAt(w++, v)
      }
      for (let i = w; i < n; i++) this.vacate(i)
    }
    this.length = n - found
    this.maybeShrink()
    return found
  }

  /** LTRIM: keeps logical indexes [start, stop] (already clamped; start > stop empties). */
  trim(start: number, stop: number): void {
    const n = this.length
    if (start > stop || start >= n) {
      this.clear()
      return
    }
    const keep = stop - start + 1
    if (keep < n / 2) {
      // Copy the survivors into a right-sized buffer rather than clearing the rest.
      const next = new ListValue(keep)
      for (let i = 0; i < keep; i++) next.slots[i] = this.at(start + i)
      this.slots = next.slots
      this.mask = next.mask
      this.head = 0
      this.length = keep
      return
    }
    for (let i = 0; i < start; i++) this.vacate(i)
    for (let i = stop + 1; i < n; i++) this.vacate(i)
    this.head = (this.head + start) & this.mask
    this.length = keep
  }

  clear(): void {
    this.slots = new Array<string | undefined>(MIN_CAPACITY)
    this.mask = MIN_CAPACITY - 1
    this.head = 0
    this.length = 0
  }

  /** Elements [start, stop] (clamped by the caller) as a new array. */
  slice(start: number, stop: number): string[] {
    const out = new Array<string>(Math.max(0, stop - start + 1))
    for (let i = start; i <= stop; i++) out[i - start] = this.at(i)
    return out
  }

  toArray(): string[] {
    return this.slice(0, this.length - 1)
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.toArray()[Symbol.iterator]()
  }

  private vacate(i: number): void {
    this.slots[(this.head + i) & this.mask] = undefined
  }

  /** Halves the buffer once a quarter of it is used, so a drained list gives memory back. */
  private maybeShrink(): void {
    const cap = this.slots.length
    if (cap > MIN_CAPACITY && this.length <= cap >>> 2) this.resize(cap >>> 1)
  }

  private resize(capacity: number): void {
    const next = new Array<string | undefined>(capacity)
    const slots = this.slots
    const mask = this.mask
    for (let i = 0; i < this.length; i++) next[i] = slots[(this.head + i) & mask]
    this.slots = next
    this.mask = capacity - 1
    this.head = 0
  }
}
