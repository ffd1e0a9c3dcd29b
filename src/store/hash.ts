import { CursorTable } from './cursors.js'
import { TombstoneMap } from './tombstone-map.js'
import { MemberIndex } from './set.js'
import type { Collection } from './types.js'

/**
 * Encoding thresholds, as CONFIG SET hash-max-listpack-entries/-value would change
 * them. The server may update this object; a hash reads it only when written.
 */
export const hashLimits = { maxListpackEntries: 512, maxListpackValue: 64 }

/** Cursors parked per scanned hash; older ones restart, as HSCAN allows. */
const SCAN_CURSORS = 64

/**
 * A Redis hash: binary-safe fields and values (latin1 strings) in a Map, which keeps
 * insertion order as Redis's listpack encoding does, so small hashes reply in the
 * same order as Redis.
 *
 * Random picks (HRANDFIELD) need positional access, which a Map lacks; the first one
 * builds a MemberIndex over the fields, and from then on writes keep it current.
 * Hashes nobody samples never pay for it.
 */
export class HashValue implements Collection {
  readonly type = 'hash' as const
  private readonly map = new TombstoneMap<string>()
  /** Redis 7.0 converts listpack to hashtable one way, on a long string or many fields. */
  private listpack = true
  private index: MemberIndex | null = null
  private scans: CursorTable<string> | null = null

  get size(): number {
    return this.map.size
  }

  get(field: string): string | undefined {
    return this.map.get(field)
  }

  has(field: string): boolean {
    return this.map.has(field)
  }

  /** Sets a field; true when the field is new. */
  set(field: string, value: string): boolean {
    const map = this.map
    const added = map.set(field, value)
    if (this.listpack) {
      const max = hashLimits.maxListpackValue
      if (field.length > max || value.length > max || map.size > hashLimits.maxListpackEntries) this.listpack = false
    }
    if (added && this.index !== null) this.index.add(field)
    return added
  }

  delete(field: string): boolean {
    // A listpack's order is Redis's reply order: a field set again goes to the end.
    if (!(this.listpack ? this.map.unlink(field) : this.map.delete(field))) return false
    if (this.index !== null) this.index.delete(field)
    return true
  }

  /** Fields in insertion order; a live iterator that survives writes. */
  fields(): IterableIterator<string> {
    return this.map.keys()
  }

  values(): IterableIterator<string> {
    return this.map.values()
  }

  entries(): IterableIterator<[string, string]> {
    return this.map.entries()
  }

  /** Random access to the fields (HRANDFIELD): built on first use, then kept current. */
  sampler(): MemberIndex {
    let index = this.index
    if (index === null) {
      index = new MemberIndex()
      for (const f of this.map.keys()) index.add(f)
      this.index = index
    }
    return index
  }

  /** HSCAN's cursors for this hash. */
  cursors(): CursorTable<string> {
    if (this.scans === null) this.scans = new CursorTable(SCAN_CURSORS)
    return this.scans
  }

  /** True while Redis would keep this hash as a listpack. */
  get isListpack(): boolean {
    return this.listpack
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'hashtable'
  }

  clone(): HashValue {
    const copy = new HashValue()
    for (const [f, v] of this.map) copy.map.set(f, v)
    copy.listpack = this.listpack
    return copy
  }
}
