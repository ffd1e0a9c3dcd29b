import { parseInt64 } from '../util/numbers.js'
import { CursorTable } from './cursors.js'
import { TombstoneMap } from './tombstone-map.js'
import { distinctIndexes } from './sample.js'
import type { Collection } from './types.js'

/**
 * Encoding thresholds, as CONFIG SET set-max-intset-entries would change them. The
 * server may update this object; a set only ever reads it when it grows.
 */
export const setLimits = { maxIntsetEntries: 512 }

/** Cursors parked per scanned collection; older ones restart, as SCAN allows. */
const SCAN_CURSORS = 64

/**
 * Strings kept in a dense array with each one's position in a Map. Membership is a Map
 * lookup, a uniformly random pick is one array read, and removal swaps the last entry
 * into the hole, so SPOP and SRANDMEMBER stay O(1) however large the set grows.
 *
 * The Map keeps insertion order and a swap only updates a value, so iterating the Map
 * (SSCAN's live cursors) is unaffected by removals elsewhere.
 */
export class MemberIndex {
  protected readonly pos = new TombstoneMap<number>()
  protected readonly dense: string[] = []

  get size(): number {
    return this.dense.length
  }

  has(member: string): boolean {
    return this.pos.has(member)
  }

  /** Adds a member; false when it was already present. */
  add(member: string): boolean {
    if (this.pos.has(member)) return false
    this.pos.set(member, this.dense.length)
    this.dense.push(member)
    return true
  }

  delete(member: string): boolean {
    const i = this.pos.get(member)
    if (i === undefined) return false
    this.removeAt(i, member)
    return true
  }

  protected removeAt(i: number, member: string): void {
    this.pos.delete(member)
    const last = this.dense.pop()!
    if (i < this.dense.length) {
      this.dense[i] = last
      this.pos.set(last, i)
    }
  }

  /** A uniformly random member; the index must not be empty. */
  random(): string {
    return this.dense[Math.floor(Math.random() * this.dense.length)]
  }

  /** Removes and returns a uniformly random member; the index must not be empty. */
  pop(): string {
    const i = Math.floor(Math.random() * this.dense.length)
    const member = this.dense[i]
    this.removeAt(i, member)
    return member
  }

  /** `count` distinct random members, in random order. */
  sampleDistinct(count: number): string[] {
    const dense = this.dense
    const n = dense.length
    if (count >= n) return dense.slice()
    return distinctIndexes(n, count).map((i) => dense[i])
  }

  /** A live iterator in insertion order; it survives writes (SSCAN). */
  keys(): IterableIterator<string> {
    return this.pos.keys()
  }
}

/**
 * A Redis set of binary-safe members (latin1 strings).
 *
 * Redis 7.0 stores a set whose members are all integers (int64 in canonical form),
 * at most set-max-intset-entries of them, as a sorted intset and everything else as a
 * hashtable; the conversion is one way. We track that state to report OBJECT
 * ENCODING and, more visibly, because an intset replies in ascending numeric order
 * (SMEMBERS, SSCAN, SORT BY nosort) and clients see that order.
 */
export class SetValue extends MemberIndex implements Collection {
  readonly type = 'set' as const
  private intset = true
  /** The intset order, computed on demand and dropped on every write. */
  private ordered: string[] | null = null
  private scans: CursorTable<string> | null = null

  static of(members: Iterable<string>): SetValue {
    const s = new SetValue()
    for (const m of members) s.add(m)
    return s
  }

  override add(member: string): boolean {
    if (this.pos.has(member)) return false
    this.pos.set(member, this.dense.length)
    this.dense.push(member)
    if (this.intset) {
      this.ordered = null
      if (this.dense.length > setLimits.maxIntsetEntries || parseInt64(member) === null) this.intset = false
    }
    return true
  }

  protected override removeAt(i: number, member: string): void {
    super.removeAt(i, member)
    this.ordered = null
  }

  /** True while Redis would keep this set as an intset. */
  get isIntset(): boolean {
    return this.intset
  }

  /**
   * Every member in the order Redis replies with them: ascending for an intset,
   * storage order otherwise. Read-only, and only valid until the next write.
   */
  members(): readonly string[] {
    if (!this.intset) return this.dense
    if (this.ordered === null) this.ordered = this.dense.slice().sort(compareIntegers)
    return this.ordered
  }

  /** SSCAN's cursors for this set. */
  cursors(): CursorTable<string> {
    if (this.scans === null) this.scans = new CursorTable(SCAN_CURSORS)
    return this.scans
  }

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable'
  }

  clone(): SetValue {
    const copy = new SetValue()
    for (const m of this.dense) {
      copy.pos.set(m, copy.dense.length)
      copy.dense.push(m)
    }
    copy.intset = this.intset
    return copy
  }
}

/** Orders canonical int64 strings numerically, exactly beyond 2^53. */
function compareIntegers(a: string, b: string): number {
  const x = Number(a)
  const y = Number(b)
  if (x !== y) return x < y ? -1 : 1
  if (Number.isSafeInteger(x)) return 0
  const bx = BigInt(a)
  const by = BigInt(b)
  return bx < by ? -1 : bx > by ? 1 : 0
}
