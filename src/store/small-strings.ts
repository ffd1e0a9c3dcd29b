/**
 * Mid-sized string values (SMALL_MIN up to BYTES_THRESHOLD bytes) kept outside the JS
 * heap, in slabs of fixed-size slots, and named in the keyspace by a small integer.
 *
 * Why: as a JS string, every value a SET stores is a young heap object that the
 * keyspace's Map (itself a huge old array) points to. With 10M keys loaded, the
 * scavenger then spent 20-44 ms per collection on those few MB of survivors, every
 * half second under SET load (the 10M-key latency target is a 20 ms max), and the
 * full collector has one more object per key to mark. A handle is a Smi: storing one
 * allocates nothing and leaves V8 no old-to-new pointer to trace, and a SET over a
 * value of the same size class writes the new bytes into the old slot. The same
 * 10M-key SET run gave 1.6 ms scavenges with values out of the heap.
 *
 * A slot is a 2-byte length and the bytes, rounded up to a size class (slotSizeFor).
 * Every page is PAGE_BYTES, so that after a flush (reset) any page serves any class;
 * a handle is `page * PAGE_SLOTS + slot`, below 2^31 so that it stays a Smi. Freed
 * slots go on their class's free list. Pages are kept, as an allocator keeps its
 * arenas; used_memory counts the slots in use (`slack` is the rest, MemoryGuard).
 */
import { FreeList } from './free-list.js'
import { BYTES_THRESHOLD } from './types.js'

/** Strings shorter than this stay JS strings: small ones are shared by the decoder's cache, and cheap to copy. */
export const SMALL_MIN = 16

const PAGE_SHIFT = 16
const PAGE_SLOTS = 1 << PAGE_SHIFT
/** With 2^15 pages per database at most: 32 GB of values of 16 bytes to 32 KiB. */
const PAGE_BYTES = 1 << 20
/** Up to this slot size, classes go in 8-byte steps. */
const FINE_MAX = 2048
const CLASSES = (slotSizeFor(BYTES_THRESHOLD - 1) >> 3) + 1

/**
 * The slot for `n` bytes and their 2-byte length: in 8-byte steps up to 2 KiB, then in
 * eight steps per doubling (18 KiB for a 16 KiB value), so a value that changes size a
 * little keeps its slot, and large classes stay few. At most 12.5% is slack, where
 * jemalloc's classes leave Redis's 16 KiB strings 25%.
 */
function slotSizeFor(n: number): number {
  const need = n + 2
  if (need <= FINE_MAX) return (need + 7) & ~7
  const step = 1 << (28 - Math.clz32(need - 1))
  return (need + step - 1) & -step
}

class SizeClass {
  /** Freed handles. */
  readonly free = new FreeList()
  /** The page new slots come from, and its next unused slot (slots: a page's capacity). */
  page = -1
  next = 0
  readonly slots: number

  constructor(readonly slotSize: number) {
    this.slots = Math.min(PAGE_SLOTS, Math.floor(PAGE_BYTES / slotSize))
  }
}

export class SmallStrings {
  private readonly pages: Buffer[] = []
  /** Each page's ArrayBuffer (pageBytes), kept because reading `.buffer` is a call into C++. */
  private readonly pageArrays: ArrayBufferLike[] = []
  /** Each page's slot size (0: a spare page, see reset). */
  private readonly slotSizes: number[] = []
  /** Pages no class holds since the last reset. */
  private spare: number[] = []
  private classes: (SizeClass | undefined)[] = new Array(CLASSES)
  /** Bytes of the slots in use, for INFO memory. */
  used = 0

  /** A handle holding `s` (latin1 or bytes, SMALL_MIN <= length < BYTES_THRESHOLD). */
  store(s: string | Uint8Array): number {
    const size = slotSizeFor(s.length)
    const cls = (this.classes[size >> 3] ??= new SizeClass(size))
    let h: number
    if (cls.free.size !== 0) {
      h = cls.free.pop()
    } else {
      if (cls.page < 0 || cls.next === cls.slots) {
        cls.page = this.newPage(cls.slotSize)
        cls.next = 0
      }
      h = cls.page * PAGE_SLOTS + cls.next++
    }
    this.used += cls.slotSize
    this.write(h, s)
    return h
  }

  /** `s` in place of handle `h`'s contents: in the same slot when the size class is the same. */
  assign(h: number, s: string | Uint8Array): number {
    const size = this.slotSizes[h >>> PAGE_SHIFT]
    if (slotSizeFor(s.length) === size) {
      this.write(h, s)
      return h
    }
    this.free(h)
    return this.store(s)
  }

  private write(h: number, s: string | Uint8Array): void {
    const page = h >>> PAGE_SHIFT
    const buf = this.pages[page]
    const at = (h & (PAGE_SLOTS - 1)) * this.slotSizes[page]
    const n = s.length
    buf[at] = n & 0xff
    buf[at + 1] = n >>> 8
    if (typeof s === 'string') buf.latin1Write(s, at + 2, n)
    else buf.set(s, at + 2)
  }

  free(h: number): void {
    const size = this.slotSizes[h >>> PAGE_SHIFT]
    const cls = this.classes[size >> 3]!
    cls.free.push(h)
    this.used -= size
  }

  length(h: number): number {
    const page = h >>> PAGE_SHIFT
    const buf = this.pages[page]
    const at = (h & (PAGE_SLOTS - 1)) * this.slotSizes[page]
    return buf[at] | (buf[at + 1] << 8)
  }

  text(h: number): string {
    const page = h >>> PAGE_SHIFT
    const buf = this.pages[page]
    const at = (h & (PAGE_SLOTS - 1)) * this.slotSizes[page]
    return buf.latin1Slice(at + 2, at + 2 + (buf[at] | (buf[at + 1] << 8)))
  }

  /** The page holding `h`; its bytes start at offset(h), length(h) of them. */
  page(h: number): Buffer {
    return this.pages[h >>> PAGE_SHIFT]
  }

  /** page(h)'s memory, at the same offsets (a page is a whole ArrayBuffer). */
  pageBytes(h: number): ArrayBufferLike {
    return this.pageArrays[h >>> PAGE_SHIFT]
  }

  offset(h: number): number {
    return (h & (PAGE_SLOTS - 1)) * this.slotSizes[h >>> PAGE_SHIFT] + 2
  }

  private newPage(slotSize: number): number {
    let page = this.spare.pop()
    if (page === undefined) {
      page = this.pages.length
      if (page >= 2 ** 31 / PAGE_SLOTS) throw new RangeError('out of value pages')
      const bytes = Buffer.allocUnsafeSlow(PAGE_BYTES)
      this.pages.push(bytes)
      this.pageArrays.push(bytes.buffer)
      this.slotSizes.push(0)
    }
    this.slotSizes[page] = slotSize
    return page
  }

  /**
   * Frees every slot at once (FLUSHDB), keeping the pages for the values to come: their
   * memory is the process's either way until V8 collects a dropped Buffer, and used
   * memory must fall at once, as Redis's does.
   */
  reset(): void {
    this.classes = new Array(CLASSES)
    this.spare = this.pages.map((_, i) => i)
    this.slotSizes.fill(0)
    this.used = 0
  }

  /** Bytes of pages not holding a value: outside the JS heap, but not used memory. */
  get slack(): number {
    return this.pages.length * PAGE_BYTES - this.used
  }

  /** Bytes the slot of `h` occupies (MEMORY USAGE). */
  slotSize(h: number): number {
    return this.slotSizes[h >>> PAGE_SHIFT]
  }
}
