import type { Collection } from './types.js'

/** Smallest ring; also the floor below which a shrinking list keeps its buffer. */
const MIN_CAPACITY = 8
/** Elements per block of a long list (a power of two, so positions split by shift and mask). */
const BLOCK_BITS = 10
const BLOCK = 1 << BLOCK_BITS
const BLOCK_MASK = BLOCK - 1

type Slots = (string | undefined)[]

/**
 * A list value: a deque of latin1 strings. Pushes and pops at either end are O(1)
 * amortised, index access is O(1) however long the list gets, and an insert or
 * removal in the middle moves only the shorter side.
 *
 * - Up to BLOCK elements it is one ring buffer whose capacity is a power of two, so a
 *   logical index maps to a slot with one mask.
 * - Longer, it is a row of blocks of BLOCK slots, as Redis's quicklist is a chain of
 *   nodes: element i sits at position `head + i` of the row (head < BLOCK). A push
 *   adds at most one block and a pop drops at most one, so no push copies the list.
 *   One ring for every size had to double by copying, and on this host the 4M-slot
 *   ring of a 2M-element list took about 100 ms to allocate and fill (page faults on
 *   32 MB): LPUSH at -P 16 showed that as a 101 ms command.
 * - It goes back to a ring once a quarter of a block or less is left.
 *
 * Vacated slots are cleared, so popped strings can be collected.
 */
export class ListValue implements Collection {
  readonly type = 'list'
  /** The ring while the list is short, else null. */
  private slots: Slots | null
  /** The blocks while the list is long, else null. */
  private blocks: Slots[] | null = null
  private mask: number
  /** Ring: the slot of element 0. Blocks: its position in the first block. */
  private head = 0
  private length = 0

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY
    while (cap < capacity) cap *= 2
    this.slots = new Array<string | undefined>(cap)
    this.mask = cap - 1
  }

  static from(values: readonly string[]): ListValue {
    const list = new ListValue(values.length <= BLOCK ? values.length : 0)
    list.load(values)
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
    const slots = this.slots
    if (slots !== null) return slots[(this.head + i) & this.mask]!
    const p = this.head + i
    return this.blocks![p >> BLOCK_BITS][p & BLOCK_MASK]!
  }

  setAt(i: number, value: string): void {
    const slots = this.slots
    if (slots !== null) {
      slots[(this.head + i) & this.mask] = value
      return
    }
    const p = this.head + i
    this.blocks![p >> BLOCK_BITS][p & BLOCK_MASK] = value
  }

  pushFront(value: string): void {
    if (this.slots !== null && this.length === this.slots.length) this.grow()
    const slots = this.slots
    if (slots !== null) {
      this.head = (this.head - 1) & this.mask
      slots[this.head] = value
      this.length++
      return
    }
    if (this.head === 0) {
      this.blocks!.unshift(new Array<string | undefined>(BLOCK))
      this.head = BLOCK
    }
    this.head--
    this.blocks![0][this.head] = value
    this.length++
  }

  pushBack(value: string): void {
    if (this.slots !== null && this.length === this.slots.length) this.grow()
    const slots = this.slots
    if (slots !== null) {
      slots[(this.head + this.length) & this.mask] = value
      this.length++
      return
    }
    const blocks = this.blocks!
    const p = this.head + this.length
    if (p >> BLOCK_BITS === blocks.length) blocks.push(new Array<string | undefined>(BLOCK))
    blocks[p >> BLOCK_BITS][p & BLOCK_MASK] = value
    this.length++
  }

  popFront(): string | undefined {
    if (this.length === 0) return undefined
    const slots = this.slots
    let value: string | undefined
    if (slots !== null) {
      value = slots[this.head]
      slots[this.head] = undefined
      this.head = (this.head + 1) & this.mask
    } else {
      const blocks = this.blocks!
      value = blocks[0][this.head]
      blocks[0][this.head] = undefined
      if (++this.head === BLOCK) {
        blocks.shift()
        this.head = 0
      }
    }
    this.length--
    this.maybeShrink()
    return value
  }

  popBack(): string | undefined {
    if (this.length === 0) return undefined
    const slots = this.slots
    let value: string | undefined
    this.length--
    if (slots !== null) {
      const i = (this.head + this.length) & this.mask
      value = slots[i]
      slots[i] = undefined
    } else {
      const blocks = this.blocks!
      const p = this.head + this.length
      const block = blocks[p >> BLOCK_BITS]
      value = block[p & BLOCK_MASK]
      block[p & BLOCK_MASK] = undefined
      if ((p & BLOCK_MASK) === 0) blocks.pop()
    }
    this.maybeShrink()
    return value
  }

  /** Inserts before logical index i (0 <= i <= size), moving the shorter side. */
  insert(i: number, value: string): void {
    if (i < this.length - i) {
      // Room at the front; everything before i moves one place towards it.
      this.pushFront(value)
      for (let j = 0; j < i; j++) this.setAt(j, this.at(j + 1))
    } else {
      this.pushBack(value)
      for (let j = this.length - 1; j > i; j--) this.setAt(j, this.at(j - 1))
    }
    this.setAt(i, value)
  }

  /** Removes the element at logical index i, moving the shorter side. */
  removeAt(i: number): string {
    const value = this.at(i)
    if (i < this.length - 1 - i) {
      for (let j = i; j > 0; j--) this.setAt(j, this.at(j - 1))
      this.popFront()
    } else {
      for (let j = i; j < this.length - 1; j++) this.setAt(j, this.at(j + 1))
      this.popBack()
    }
    return value
  }

  /** Logical index of the first element equal to value, or -1. */
  indexOf(value: string): number {
    for (let i = 0; i < this.length; i++) if (this.at(i) === value) return i
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
      // Close the gaps towards the tail: elements before `last` move right, and the
      // first `found` places are left over.
      let w = last
      for (let r = last; r >= 0; r--) {
        const v = this.at(r)
        if (r >= first && v === value) continue
        this.setAt(w--, v)
      }
      for (let i = 0; i < found; i++) this.popFront()
    } else {
      let w = first
      for (let r = first; r < n; r++) {
        const v = this.at(r)
        if (r <= last && v === value) continue
        this.setAt(w++, v)
      }
      for (let i = 0; i < found; i++) this.popBack()
    }
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
      // Copy the survivors into right-sized storage rather than popping the rest.
      this.load(this.slice(start, stop))
      return
    }
    for (let i = 0; i < start; i++) this.popFront()
    for (let i = stop + 1; i < n; i++) this.popBack()
  }

  clear(): void {
    this.slots = new Array<string | undefined>(MIN_CAPACITY)
    this.blocks = null
    this.mask = MIN_CAPACITY - 1
    this.head = 0
    this.length = 0
  }

  /** Elements [start, stop] (clamped by the caller) as a new array. */
  slice(start: number, stop: number): string[] {
    const out = new Array<string>(Math.max(0, stop - start + 1))
    const slots = this.slots
    if (slots !== null) {
      const head = this.head
      const mask = this.mask
      for (let i = start; i <= stop; i++) out[i - start] = slots[(head + i) & mask]!
      return out
    }
    const blocks = this.blocks!
    for (let i = start, p = this.head + start; i <= stop; i++, p++) out[i - start] = blocks[p >> BLOCK_BITS][p & BLOCK_MASK]!
    return out
  }

  toArray(): string[] {
    return this.slice(0, this.length - 1)
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.toArray()[Symbol.iterator]()
  }

  /** Replaces the contents with `values`: a ring up to BLOCK of them, blocks beyond. */
  private load(values: readonly string[]): void {
    const n = values.length
    if (n <= BLOCK) {
      let cap = MIN_CAPACITY
      while (cap < n) cap *= 2
      // An empty ring holds nothing (pops clear their slots): from() fills its own.
      const empty = this.slots !== null && this.slots.length === cap && this.length === 0
      const slots = empty ? this.slots! : new Array<string | undefined>(cap)
      for (let i = 0; i < n; i++) slots[i] = values[i]
      this.head = 0
      this.length = n
      this.slots = slots
      this.blocks = null
      this.mask = cap - 1
      return
    }
    this.head = 0
    this.length = n
    const blocks: Slots[] = []
    for (let from = 0; from < n; from += BLOCK) {
      const block = new Array<string | undefined>(BLOCK)
      for (let i = from; i < n && i < from + BLOCK; i++) block[i - from] = values[i]
      blocks.push(block)
    }
    this.slots = null
    this.blocks = blocks
  }

  /** A full ring doubles, or at BLOCK elements becomes the first block. */
  private grow(): void {
    const cap = this.slots!.length
    if (cap < BLOCK) {
      this.resize(cap * 2)
      return
    }
    // resize() lays the elements out from slot 0, which is what a block holds.
    this.resize(BLOCK)
    this.blocks = [this.slots!]
    this.slots = null
  }

  /**
   * Halves the ring once a quarter of it is used, so a drained list gives memory
   * back; blocks go back to a ring at a quarter of a block.
   */
  private maybeShrink(): void {
    const slots = this.slots
    if (slots === null) {
      if (this.length <= BLOCK >> 2) this.load(this.toArray())
      return
    }
    const cap = slots.length
    if (cap > MIN_CAPACITY && this.length <= cap >>> 2) this.resize(cap >>> 1)
  }

  private resize(capacity: number): void {
    const next = new Array<string | undefined>(capacity)
    const slots = this.slots!
    const mask = this.mask
    for (let i = 0; i < this.length; i++) next[i] = slots[(this.head + i) & mask]
    this.slots = next
    this.mask = capacity - 1
    this.head = 0
  }
}
