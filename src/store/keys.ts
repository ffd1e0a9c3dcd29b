import { KeySpace, type SpaceWalk } from './keyspace.js'
import { SMALL_MIN, SmallStrings } from './small-strings.js'
import { BYTES_THRESHOLD, MutableString, type KeyspaceValue } from './types.js'

/** A value as held in the keyspace: a number is a SmallStrings handle. */
export type HeldValue = KeyspaceValue | number

/**
 * A database's keys and values, where the store's rule for keeping strings lives:
 * short ones as JS strings, mid-sized ones in `strings` (off the heap, see
 * small-strings.ts), long ones as MutableString bytes. Handles leave this class only
 * for readers that copy the bytes there and then (GET's reply, SAVE and BGSAVE):
 * get() and the iterators answer with the text, so a value moved by RENAME, MOVE or
 * COPY is stored again, never shared, and a freed slot is never read.
 */
export class Keys {
  private readonly space = new KeySpace<HeldValue>()
  readonly strings = new SmallStrings()

  get size(): number {
    return this.space.size
  }

  has(key: string): boolean {
    return this.space.has(key)
  }

  get(key: string): KeyspaceValue | undefined {
    return this.value(this.space.get(key))
  }

  /** The value as held (a number for a handle into `strings`). */
  held(key: string): HeldValue | undefined {
    return this.space.get(key)
  }

  /** A held value as commands see it: a handle's text (the one place a handle becomes one). */
  value<V extends HeldValue | undefined>(v: V): Exclude<V, number> | string {
    return typeof v === 'number' ? this.strings.text(v) : (v as Exclude<V, number>)
  }

  /**
   * Sets a key; true when it is new. A string takes the place of the old one's bytes
   * when it can (an overwrite allocates nothing), else the old one's are freed. The
   * old value is never shared: COPY clones, and a background save has written the key
   * before any command changes it.
   */
  set(key: string, value: KeyspaceValue | Buffer): boolean {
    return this.put(key, value, true)
  }

  /**
   * Adds a key the caller knows to be absent (a snapshot's load), sparing set()'s
   * lookup of the old value: at a million keys each lookup misses the cache, and that
   * one was 13% of a load's main thread. False, with the old value replaced and its
   * bytes not reclaimed, when the key was there after all: the caller fails then.
   */
  add(key: string, value: KeyspaceValue): boolean {
    return this.put(key, value, false)
  }

  /** set() and add(); `replacing`: look for an old value whose bytes to reuse or free. */
  private put(key: string, value: KeyspaceValue | Buffer, replacing: boolean): boolean {
    const space = this.space
    // A Uint8Array is a value as the decoder left it (RequestDecoder.bytesFrom): its
    // bytes are copied now, without the string that would only be copied again.
    const bytes = typeof value !== 'string' && value instanceof Uint8Array
    if (bytes || (typeof value === 'string' && value.length >= SMALL_MIN)) {
      if (value.length < SMALL_MIN) return this.put(key, (value as Buffer).latin1Slice(0, value.length), replacing)
      const old = replacing ? space.get(key) : undefined
      let held: HeldValue
      if (value.length >= BYTES_THRESHOLD) {
        if (typeof old === 'number') this.strings.free(old)
        held = old instanceof MutableString && old.assign(value) ? old : MutableString.ofText(value)
      } else {
        held = typeof old === 'number' ? this.strings.assign(old, value) : this.strings.store(value)
        if (held === old) return false
      }
      return space.set(key, held)
    }
    // Without a slot in use, no old value can hold one: one Map operation, as before
    // slots existed (the short values of most benchmarks and counters).
    if (replacing && this.strings.used !== 0) this.freeHeld(key)
    return space.set(key, value)
  }

  randomKey(): string | undefined {
    return this.space.randomKey()
  }

  reserve(n: number): void {
    this.space.reserve(n)
  }

  delete(key: string): boolean {
    if (this.strings.used !== 0) this.freeHeld(key)
    return this.space.delete(key)
  }

  private freeHeld(key: string): void {
    const old = this.space.get(key)
    if (typeof old === 'number') this.strings.free(old)
  }

  clear(): void {
    this.space.clear()
    this.strings.reset()
  }

  /** KeySpace.walk(): a live walk, values as held (see value()). */
  walk(): SpaceWalk<HeldValue> {
    return this.space.walk()
  }

  keys(): IterableIterator<string> {
    return this.space.keys()
  }

  *entries(): IterableIterator<[string, KeyspaceValue]> {
    for (const [k, v] of this.space.entries()) yield [k, this.value(v)]
  }

  [Symbol.iterator](): IterableIterator<[string, KeyspaceValue]> {
    return this.entries()
  }
}
