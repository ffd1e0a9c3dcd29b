import { KeySpace } from './keyspace.js'
import { SMALL_MIN, SmallStrings } from './small-strings.js'
import { BYTES_THRESHOLD, MutableString, type KeyspaceValue } from './types.js'

/** A value as held in the Maps: a number is a SmallStrings handle. */
export type HeldValue = KeyspaceValue | number

/**
 * A database's keys and values, where the store's rule for keeping strings lives:
 * short ones as JS strings, mid-sized ones in `strings` (off the heap, see
 * small-strings.ts), long ones as MutableString bytes. Handles never leave this
 * class: get() and the iterators answer with the text, so a value moved by RENAME,
 * MOVE or COPY is stored again, never shared, and a freed slot is never read.
 */
export class Keys extends KeySpace<HeldValue> {
  strings = new SmallStrings()

  override get(key: string): KeyspaceValue | undefined {
    const v = super.get(key)
    return typeof v === 'number' ? this.strings.text(v) : v
  }

  /** The value as held (a number for a handle into `strings`). */
  held(key: string): HeldValue | undefined {
    return super.get(key)
  }

  /** A held value as commands see it. */
  value(v: HeldValue): KeyspaceValue {
    return typeof v === 'number' ? this.strings.text(v) : v
  }

  /**
   * Sets a key; true when it is new. A string takes the place of the old one's bytes
   * when it can (an overwrite allocates nothing), else the old one's are freed. The
   * old value is never shared: COPY clones, and a background save has written the key
   * before any command changes it.
   */
  override set(key: string, value: KeyspaceValue): boolean {
    if (typeof value === 'string' && value.length >= SMALL_MIN) {
      const old = super.get(key)
      let held: HeldValue
      if (value.length >= BYTES_THRESHOLD) {
        if (typeof old === 'number') this.strings.free(old)
        held = old instanceof MutableString && old.assign(value) ? old : MutableString.ofText(value)
      } else {
        held = typeof old === 'number' ? this.strings.assign(old, value) : this.strings.store(value)
        if (held === old) return false
      }
      return super.set(key, held)
    }
    // Without a slot in use, no old value can hold one: one Map operation, as before
    // slots existed (the short values of most benchmarks and counters).
    if (this.strings.used !== 0) this.freeHeld(key)
    return super.set(key, value)
  }

  override delete(key: string): boolean {
    if (this.strings.used !== 0) this.freeHeld(key)
    return super.delete(key)
  }

  private freeHeld(key: string): void {
    const old = super.get(key)
    if (typeof old === 'number') this.strings.free(old)
  }

  override clear(): void {
    super.clear()
    this.strings = new SmallStrings()
  }

  override *entries(): IterableIterator<[string, KeyspaceValue]> {
    for (const [k, v] of super.entries()) yield [k, typeof v === 'number' ? this.strings.text(v) : v]
  }

  override [Symbol.iterator](): IterableIterator<[string, KeyspaceValue]> {
    return this.entries()
  }
}
