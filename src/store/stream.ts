import { latin1Write } from '../resp/latin1.js'
import { withRoom } from '../util/buffers.js'
import type { Collection } from './types.js'

/**
 * A Redis stream: entries ordered by id, consumer groups with their pending entries
 * lists (PEL) and consumers. It knows ids, ranges, trimming and group bookkeeping;
 * the command syntax and replies live in src/commands/streams/.
 *
 * An id is a pair of unsigned 64-bit integers (ms, seq), kept as one 128-bit bigint
 * `ms << 64 | seq`, so ids compare with < and sort as Redis sorts them.
 *
 * Entries sit in nodes that mirror Redis's listpack nodes: a node takes new entries
 * until it has held stream-node-max-entries (deleted ones count, as in Redis) or its
 * estimated size reaches stream-node-max-bytes. Approximate trimming (`~`) drops
 * whole nodes only, so keeping the same boundaries makes it trim what Redis trims.
 * Appends go to the last node, ranges binary-search the nodes, and trimming drops
 * nodes from the front.
 */

/** Node limits, as CONFIG SET stream-node-max-entries/-bytes change them. */
export const streamLimits = { maxEntries: 100, maxBytes: 4096 }

export const U64_MAX = (1n << 64n) - 1n
export const MAX_ID = (U64_MAX << 64n) | U64_MAX
const LISTPACK_MAX = 1 << 30

export function makeId(ms: bigint, seq: bigint): bigint {
  return (ms << 64n) | seq
}

export function idMs(id: bigint): bigint {
  return id >> 64n
}

export function idSeq(id: bigint): bigint {
  return id & U64_MAX
}

/** Below this, an id part is exact as a double. */
const SAFE_PART = 1n << 53n

/**
 * The parts of one id as numbers, for the last id split() was given (or setSplit
 * told): XADD works out an id, sizes its entry and formats it for the reply, and
 * each bigint shift or mask allocates, so the parts are found once and reused.
 */
let splitOf = -1n
let splitOk = false
let splitMs = 0
let splitSeq = 0

/** Sets splitMs and splitSeq to the id's parts; false (and not set) when one is 2^53 or more. */
function split(id: bigint): boolean {
  if (id !== splitOf) {
    splitOf = id
    const ms = id >> 64n
    const seq = id & U64_MAX
    splitOk = ms < SAFE_PART && seq < SAFE_PART
    if (splitOk) {
      splitMs = Number(ms)
      splitSeq = Number(seq)
    }
  }
  return splitOk
}

function setSplit(id: bigint, ms: number, seq: number): void {
  splitOf = id
  splitOk = true
  splitMs = ms
  splitSeq = seq
}

/** The last ms part formatId turned to text, with its dash: ids in a row mostly share it. */
let formattedMs = -1
let formattedMsText = ''
let formattedBigMs = -1n
let formattedBigMsText = ''

export function formatId(id: bigint): string {
  if (split(id)) {
    if (splitMs !== formattedMs) {
      formattedMs = splitMs
      formattedMsText = `${splitMs}-`
    }
    return formattedMsText + splitSeq
  }
  const ms = id >> 64n
  if (ms !== formattedBigMs) {
    formattedBigMs = ms
    formattedBigMsText = `${ms}-`
  }
  return formattedBigMsText + (id & U64_MAX).toString()
}

export interface StreamEntry {
  readonly id: bigint
  /** field, value, field, value... */
  readonly fields: string[]
  /**
   * formatId(id) for an id without a number key whose text was at hand (XADD, or a
   * packed node's decoding when the id's parts are below 2^53).
   */
  readonly text?: string
  /**
   * idKey(id) when it is a number (nearly every id: see idKey), set by XADD and by a
   * packed node's decoding, which have the id's parts at hand: a delivery keys the
   * pending entry by it and replies write the id from it (working either out from
   * the bigint costs bigint allocations, and a text a string to build and flatten).
   */
  readonly key?: number
}

/**
 * A node of entries. The tail node, which takes appends, keeps them as StreamEntry
 * objects; once a newer node starts, it is packed much as Redis packs a listpack: one
 * flat latin1 string holding, for each entry, its id (ms after the master id's, and
 * seq, as varints) and its strings, each after its length as a varint, the field
 * names left out when they are the node's master fields. That is a few dozen bytes an entry instead of
 * several objects. Reads decode the node; XDEL and trimming inside it unpack, edit
 * and pack again.
 */
class StreamNode {
  /**
   * The entries as objects: always for the tail node, and for the node before it,
   * which is packed but stays decoded too (see pack); null when only packed.
   */
  private list: StreamEntry[] | null = []
  private data = ''
  /** Whether `data` holds the entries (false while the node is being appended to or edited). */
  private packed = false
  /** Live entries. */
  count = 0
  /** Entries ever added to the node, deleted ones included. */
  added = 0
  /**
   * The last id appended to the node, deleted or not. Redis keeps deleted entries in
   * the listpack, so MINID trimming judges a node by it, and exact trimming can leave
   * a node with no live entries behind.
   */
  last: bigint

  /**
   * Where the last scan of `data` stopped early with its count of entries: the next
   * entry's offset and index, and the id of the entry before it (MAX_ID: none). A
   * consumer group reads a packed node COUNT entries at a time, each read starting
   * just past where the last one stopped, which without this decoded its way again
   * through every entry before.
   */
  private resumeAt = 0
  private resumeIndex = 0
  private resumeAfter = MAX_ID

  /** The parts of the id `firstOf` (the first live entry's, as entryBytes last saw it) as numbers. */
  private firstOf = -1n
  firstMs = 0
  firstSeq = 0

  constructor(
    /** Estimated listpack size in bytes. */
    public bytes: number,
    /** The first entry's field names, which later entries may share (smaller encoding). */
    readonly master: string[],
    /** The id of the first entry appended to the node: Redis's radix tree key for it. */
    readonly masterId: bigint,
  ) {
    this.last = masterId
  }

  /** Sets firstMs and firstSeq to the parts of `first`; false when one is 2^53 or more. */
  splitFirst(first: bigint): boolean {
    if (first !== this.firstOf) {
      if (!split(first)) return false
      this.firstOf = first
      this.firstMs = splitMs
      this.firstSeq = splitSeq
    }
    return true
  }

  /** The live entries in order; not to be modified (see edit). */
  get entries(): StreamEntry[] {
    return this.list ?? this.decode()
  }

  /** The entries as an array to modify in place; call done() afterwards. */
  edit(): StreamEntry[] {
    if (this.list === null) this.list = this.decode()
    this.data = ''
    this.packed = false
    this.resumeAfter = MAX_ID
    return this.list
  }

  /** Keeps only the packed form (the node has dropped out of pack's `keep` window). */
  dropDecoded(): void {
    if (this.packed) this.list = null
  }

  /** After edit(): recounts, and packs again unless the node is the tail. */
  done(tail: boolean): void {
    this.count = this.list!.length
    if (!tail) this.pack()
  }

  push(entry: StreamEntry): void {
    this.edit().push(entry)
    this.count++
  }

  /**
   * Packs the entries. With `keep`, the objects stay as well: consumer groups mostly
   * read a little behind the tail, and decoding the newest packed node for every
   * such read cost more than keeping one node's objects (the stream drops them when
   * the next node is packed).
   */
  pack(keep = false): void {
    const list = this.list
    if (list === null) return
    if (this.packed) {
      if (!keep) this.list = null
      return
    }
    const master = this.master
    const baseMs = this.masterId >> 64n
    const baseMsN = baseMs < SAFE_PART ? Number(baseMs) : -1
    let b = packScratch
    let p = 0
    for (let i = 0; i < list.length; i++) {
      const { id, fields, key } = list[i]
      let need = 40 + fields.length * 5
      for (let j = 0; j < fields.length; j++) need += fields[j].length
      if (p + need > b.length) b = packScratch = withRoom(b, p, p + need)
      if (baseMsN >= 0 && key !== undefined) {
        // The parts from the number key, sparing split's bigint shift and mask.
        const ms = Math.floor(key / KEY_SEQ)
        p = writeVarint(b, p, ms - baseMsN)
        p = writeVarint(b, p, key - ms * KEY_SEQ)
      } else if (baseMsN >= 0 && split(id)) {
        p = writeVarint(b, p, splitMs - baseMsN)
        p = writeVarint(b, p, splitSeq)
      } else {
        p = writeBigVarint(b, p, (id >> 64n) - baseMs)
        p = writeBigVarint(b, p, id & U64_MAX)
      }
      let same = fields.length === master.length * 2
      for (let j = 0; same && j < fields.length; j += 2) if (fields[j] !== master[j >> 1]) same = false
      if (same) {
        b[p++] = 0
        for (let j = 1; j < fields.length; j += 2) p = writeString(b, p, fields[j])
      } else {
        p = writeVarint(b, p, fields.length)
        for (let j = 0; j < fields.length; j++) p = writeString(b, p, fields[j])
      }
    }
    this.data = b.latin1Slice(0, p)
    this.packed = true
    this.resumeAfter = MAX_ID
    if (!keep) this.list = null
  }

  private decode(): StreamEntry[] {
    const out: StreamEntry[] = []
    this.scan(0n, MAX_ID, 0, out)
    return out
  }

  /**
   * Appends the entries with start <= id <= end to `out` in order until `out` holds
   * `max` (0: no limit); true when it stopped early (an id past `end`, or full), so
   * later nodes need not be looked at. A packed node is decoded only as far as needed,
   * skipping the strings of entries before `start`.
   */
  scan(start: bigint, end: bigint, max: number, out: StreamEntry[]): boolean {
    const list = this.list
    if (list !== null) {
      for (let i = lowerBound(list, start); i < list.length; i++) {
        const e = list[i]
        if (e.id > end) return true
        out.push(e)
        if (out.length === max) return true
      }
      return false
    }
    const master = this.master
    const baseMs = this.masterId >> 64n
    // The master ms as a number, or -1 past 2^53 (then every id is worked out as a bigint).
    const baseMsN = baseMs < SAFE_PART ? Number(baseMs) : -1
    packed = this.data
    at = 0
    let i = 0
    // Past the entry where the last scan stopped, start from there.
    if (start > this.resumeAfter) {
      at = this.resumeAt
      i = this.resumeIndex
    }
    // Entries before `start` are skipped comparing ids as doubles, exact while the
    // start's parts are below 2^49 (larger stored values only compare greater).
    const startMs = (start >> 64n) - baseMs
    const startSeq = start & U64_MAX
    if (start > this.masterId && startMs < 0x2000000000000n && startSeq < 0x2000000000000n) {
      const sMs = Number(startMs)
      const sSeq = Number(startSeq)
      for (; i < this.count; i++) {
        const from = at
        const ms = readVarint()
        const seq = readVarint()
        if (ms > sMs || (ms === sMs && seq >= sSeq)) {
          at = from
          break
        }
        skipStrings(readVarint(), master.length)
      }
    }
    // Ids of a node mostly share their ms: its bigint half, its part of the idKey and
    // its text are worked out once.
    let msDelta = -1
    let ms = 0
    let msPart = 0n
    let msKey = -1
    let msText = ''
    for (; i < this.count; i++) {
      let id: bigint
      const from = at
      const dms = readSmallVarint()
      const seq = dms < 0 ? -1 : readSmallVarint()
      const small = seq >= 0 && baseMsN >= 0 && baseMsN + dms < SAFE_MS
      if (small) {
        if (dms !== msDelta) {
          msDelta = dms
          ms = baseMsN + dms
          msPart = BigInt(ms) << 64n
          msKey = ms < KEY_MS ? ms * KEY_SEQ : -1
          msText = ''
        }
        id = msPart | (seq < KEY_SEQ ? smallBigInt(seq) : BigInt(seq))
      } else {
        at = from
        const bigMs = baseMs + readBigVarint()
        id = (bigMs << 64n) | readBigVarint()
      }
      const k = readVarint()
      if (id < start) {
        skipStrings(k, master.length)
        continue
      }
      if (id > end) return true
      let fields: string[]
      if (k === 0) {
        fields = new Array(master.length * 2)
        for (let j = 0; j < master.length; j++) {
          fields[2 * j] = master[j]
          fields[2 * j + 1] = readString()
        }
      } else {
        fields = new Array(k)
        for (let j = 0; j < k; j++) fields[j] = readString()
      }
      // An id with a number key is written from it (replyEntryHead), with no text to
      // build; other ids of safe parts get their text here, the rest from formatId.
      let key: number | undefined
      let text: string | undefined
      if (small && msKey >= 0 && seq < KEY_SEQ) key = msKey + seq
      else if (small) {
        if (msText === '') msText = `${ms}-`
        text = msText + seq
      }
      out.push({ id, fields, text, key })
      if (out.length === max) {
        this.resumeAt = at
        this.resumeIndex = i + 1
        this.resumeAfter = id
        return true
      }
    }
    return false
  }

  clone(): StreamNode {
    const copy = new StreamNode(this.bytes, this.master, this.masterId)
    copy.list = this.list === null ? null : this.list.slice()
    copy.data = this.data
    copy.packed = this.packed
    copy.count = this.count
    copy.added = this.added
    copy.last = this.last
    return copy
  }
}

/** BigInt(n) for 0 <= n < KEY_SEQ, made once: decoding an id ORs its sequence in. */
const smallBigInts: bigint[] = []
for (let n = 0; n < 1024; n++) smallBigInts.push(BigInt(n))

function smallBigInt(n: number): bigint {
  return smallBigInts[n]
}

/** An id's ms below this (2^53) is exact as a double. */
const SAFE_MS = 2 ** 53

/** The packed node data StreamNode.scan reads, and its position in it. */
let packed = ''
let at = 0

function readVarint(): number {
  let c = packed.charCodeAt(at++)
  if (c < 0x80) return c
  let n = c & 0x7f
  // A multiplier, not 2 ** shift: V8 calls pow() for a variable exponent.
  let scale = 0x80
  for (;;) {
    c = packed.charCodeAt(at++)
    n += (c & 0x7f) * scale
    if (c < 0x80) return n
    scale *= 0x80
  }
}

/** A varint of at most 7 bytes (below 2^49, exact as a double); -1, reading nothing, for a longer one. */
function readSmallVarint(): number {
  let end = at
  while (packed.charCodeAt(end) >= 0x80) end++
  if (end - at >= 7) return -1
  return readVarint()
}

/** A varint that may not fit a double exactly. */
function readBigVarint(): bigint {
  const from = at
  while (packed.charCodeAt(at) >= 0x80) at++
  at++
  if (at - from <= 7) {
    at = from
    return BigInt(readVarint())
  }
  let n = 0n
  for (let q = at - 1; q >= from; q--) n = (n << 7n) | BigInt(packed.charCodeAt(q) & 0x7f)
  return n
}

function readString(): string {
  const len = readVarint()
  const s = packed.slice(at, at + len)
  at += len
  return s
}

/** Passes over an entry's strings: `k` of them, or the master fields' values when k is 0. */
function skipStrings(k: number, masterCount: number): void {
  const strings = k === 0 ? masterCount : k
  for (let j = 0; j < strings; j++) {
    // Not `at += readVarint()`: that would read `at` before readVarint moves it.
    const len = readVarint()
    at += len
  }
}

/** pack()'s output area, reused: a node is one latin1 copy out of it. */
let packScratch: Buffer = Buffer.allocUnsafe(8192)

function writeVarint(b: Buffer, p: number, n: number): number {
  while (n >= 0x80) {
    b[p++] = (n % 0x80) | 0x80
    n = Math.floor(n / 0x80)
  }
  b[p++] = n
  return p
}

function writeBigVarint(b: Buffer, p: number, n: bigint): number {
  if (n < 0x10000000000000n) return writeVarint(b, p, Number(n))
  while (n >= 0x80n) {
    b[p++] = Number(n & 0x7fn) | 0x80
    n >>= 7n
  }
  b[p++] = Number(n)
  return p
}

/** A string after its length; `b` has room for both. */
function writeString(b: Buffer, p: number, s: string): number {
  p = writeVarint(b, p, s.length)
  return p + latin1Write(b, p, s)
}

/** A pending entry: delivered to a consumer of a group and not acknowledged yet. */
export interface PendingEntry {
  readonly id: bigint
  /** ms since the epoch of the last delivery. */
  deliveryTime: number
  deliveryCount: number
  consumer: Consumer
}

export class Consumer {
  /** Last time the consumer read or claimed something, in ms since the epoch. */
  seenTime = Date.now()
  readonly pending = new IdList<PendingEntry>()
  constructor(readonly name: string) {}
}

/** Not a valid counter: the group's entries-read is unknown. */
export const INVALID_ENTRIES_READ = -1n

export class ConsumerGroup {
  readonly pending = new IdMap<PendingEntry>()
  readonly consumers = new Map<string, Consumer>()
  constructor(
    readonly name: string,
    public lastId: bigint,
    public entriesRead: bigint,
  ) {}

  consumer(name: string): Consumer | undefined {
    return this.consumers.get(name)
  }

  /** The named consumer, created when missing; `created` tells whether it was. */
  consumerOrCreate(name: string): { consumer: Consumer; created: boolean } {
    const found = this.consumers.get(name)
    if (found !== undefined) return { consumer: found, created: false }
    return { consumer: this.addConsumer(name), created: true }
  }

  /** A new consumer; the name must not be taken. */
  addConsumer(name: string): Consumer {
    const consumer = new Consumer(name)
    this.consumers.set(name, consumer)
    return consumer
  }

  /** Deletes a consumer and its pending entries; the number of those. */
  deleteConsumer(name: string): number {
    const consumer = this.consumers.get(name)
    if (consumer === undefined) return -1
    const n = consumer.pending.size
    for (const id of consumer.pending.keys()) this.pending.delete(id)
    this.consumers.delete(name)
    return n
  }

  /** Consumers in Redis's (byte) order of names. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => compareBytes(a.name, b.name))
  }
}

export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** What an IdMap keys an id by (idKey). */
export type IdKey = number | string

/**
 * An id as a Map key. Not the bigint itself: V8 hashes a BigInt by its lowest 64 bits
 * alone, the sequence, so every id with sequence 0 would share one bucket and a PEL
 * of 200k entries took 450 µs per lookup. While ms < 2^43 (year 2248) and seq < 1024
 * the id packs exactly into a double; other ids key by their text, which no number
 * equals.
 */
export function idKey(id: bigint): IdKey {
  if (split(id) && splitMs < KEY_MS && splitSeq < KEY_SEQ) return splitMs * KEY_SEQ + splitSeq
  return formatId(id)
}

/** The bounds of the parts of an id whose idKey is a number, and the ms part's multiplier. */
export const KEY_MS = 0x80000000000
export const KEY_SEQ = 1024

/** idKey of the id (ms, seq) when that is a number (both parts in its range), else null. */
export function numericIdKey(ms: number, seq: number): number | null {
  return ms < KEY_MS && seq < KEY_SEQ ? ms * KEY_SEQ + seq : null
}

/**
 * Ids in order, each with a value: a consumer's pending entries list. The ids sit in
 * a sorted array beside their values, found by binary search; a deleted id keeps its
 * slot, its value undefined, until the slots are compacted in place. Pending entries
 * are mostly delivered in order and acknowledged in order, so adding one appends,
 * deleting one moves the head, and once a list empties it starts again from slot 0:
 * the arrays stay the size of the backlog and are not reallocated, as a Map (which
 * V8 grows and shrinks as a consumer's few pending entries come and go) would be.
 */
export class IdList<V> {
  /** Sorted; slots [0, len) are in use. */
  protected ids: bigint[] = []
  /** The value of each slot, undefined when its id was deleted. */
  protected vals: (V | undefined)[] = []
  protected len = 0
  /** Slots before this are all deleted. */
  protected head = 0
  private live = 0
  /** Bumped whenever slots move, so that an iteration in progress finds its place again. */
  private moves = 0

  get size(): number {
    return this.live
  }

  get(id: bigint): V | undefined {
    const i = this.lowerBound(id, this.head)
    return i < this.len && this.ids[i] === id ? this.vals[i] : undefined
  }

  /** Whether every id here (deleted ones included) is below `id`: then it is not here. */
  isAfterAll(id: bigint): boolean {
    return this.len === 0 || this.ids[this.len - 1] < id
  }

  set(id: bigint, v: V): void {
    const ids = this.ids
    const len = this.len
    if (len === 0 || ids[len - 1] < id) {
      this.append(id, v)
      return
    }
    // Searched from slot 0: the id may still stand, deleted, before the head.
    const i = this.lowerBound(id, 0)
    if (ids[i] === id) {
      if (this.vals[i] === undefined) {
        this.live++
        if (i < this.head) this.head = i
      }
      this.vals[i] = v
      return
    }
    this.insertAt(i, id, v)
  }

  private append(id: bigint, v: V): void {
    // Rather than grow the arrays, take back the slots of deleted ids.
    if (this.len === this.ids.length && this.len - this.live > this.live + 32) this.compact()
    const at = this.len++
    if (at === this.ids.length) {
      this.ids.push(id)
      this.vals.push(v)
    } else {
      this.ids[at] = id
      this.vals[at] = v
    }
    this.live++
  }

  private insertAt(i: number, id: bigint, v: V): void {
    const ids = this.ids
    const vals = this.vals
    const len = this.len
    if (len === ids.length) {
      ids.push(0n)
      vals.push(undefined)
    }
    for (let j = len; j > i; j--) {
      ids[j] = ids[j - 1]
      vals[j] = vals[j - 1]
    }
    ids[i] = id
    vals[i] = v
    this.len = len + 1
    this.live++
    if (i < this.head) this.head = i
    this.moves++
  }

  delete(id: bigint): boolean {
    const ids = this.ids
    let i = this.head
    // Acknowledged in order, the id is the head's.
    if (i >= this.len || ids[i] !== id) {
      i = this.lowerBound(id, i)
      if (i >= this.len || ids[i] !== id) return false
    }
    const vals = this.vals
    if (vals[i] === undefined) return false
    vals[i] = undefined
    this.live--
    if (i !== this.head) return true
    if (this.live === 0) {
      this.clear()
      return true
    }
    let head = i + 1
    while (vals[head] === undefined) head++
    this.head = head
    // The slots before the head are free: move the rest down once they are half.
    if (head >= 32 && head * 2 >= this.len) this.compact()
    return true
  }

  /** Empties the list, keeping the arrays unless they are much larger than a list usually needs. */
  private clear(): void {
    const ids = this.ids
    const vals = this.vals
    if (ids.length > 1024) {
      ids.length = 0
      vals.length = 0
    } else {
      for (let i = 0; i < this.len; i++) ids[i] = 0n
    }
    this.len = 0
    this.head = 0
    this.moves++
  }

  /** Moves the live slots down to the start, in place, dropping the deleted ones. */
  private compact(): void {
    const ids = this.ids
    const vals = this.vals
    const len = this.len
    let n = 0
    for (let i = this.head; i < len; i++) {
      const v = vals[i]
      if (v === undefined) continue
      ids[n] = ids[i]
      vals[n] = v
      n++
    }
    for (let i = n; i < len; i++) {
      ids[i] = 0n
      vals[i] = undefined
    }
    if (ids.length > 1024 && n * 4 < ids.length) {
      ids.length = n
      vals.length = n
    }
    this.len = n
    this.head = 0
    this.moves++
  }

  /** Index of the first slot from `lo` whose id is >= `id`. */
  private lowerBound(id: bigint, lo: number): number {
    const ids = this.ids
    let hi = this.len
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (ids[mid] < id) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /**
   * Live entries with ids >= `start`, in order. Deleting entries (even the current one)
   * while iterating is allowed; adding to this list is not.
   */
  *from(start = 0n): Generator<[bigint, V]> {
    if (this.len - this.live > this.live + 32) this.compact()
    let moves = this.moves
    let i = this.lowerBound(start, this.head)
    while (i < this.len) {
      const id = this.ids[i]
      const v = this.vals[i]
      if (v !== undefined) {
        yield [id, v]
        if (this.moves !== moves) {
          // A deletion compacted the slots: carry on after the id just given.
          moves = this.moves
          i = this.lowerBound(id, this.head)
          if (i < this.len && this.ids[i] === id) i++
          continue
        }
      }
      i++
    }
  }

  first(): bigint | undefined {
    for (let i = this.head; i < this.len; i++) if (this.vals[i] !== undefined) return this.ids[i]
    return undefined
  }

  last(): bigint | undefined {
    for (let i = this.len - 1; i >= this.head; i--) if (this.vals[i] !== undefined) return this.ids[i]
    return undefined
  }

  /** Live ids in order. */
  keys(): bigint[] {
    const out: bigint[] = []
    for (let i = this.head; i < this.len; i++) if (this.vals[i] !== undefined) out.push(this.ids[i])
    return out
  }

  /** Live values in id order. */
  values(): V[] {
    const out: V[] = []
    for (let i = this.head; i < this.len; i++) {
      const v = this.vals[i]
      if (v !== undefined) out.push(v)
    }
    return out
  }
}

/**
 * An IdList that also finds values by idKey through a Map: a group's pending entries
 * list, which XACK, XCLAIM and deliveries look ids up in, however long it grows.
 * The *ByKey methods and the `k` arguments take an idKey the caller already has, as
 * XACK and XREADGROUP do for every id they touch, sparing the bigint work of finding
 * it again.
 */
export class IdMap<V> extends IdList<V> {
  private readonly map = new Map<IdKey, V>()

  override get(id: bigint): V | undefined {
    return this.map.get(idKey(id))
  }

  getByKey(k: IdKey): V | undefined {
    return this.map.get(k)
  }

  override set(id: bigint, v: V, k: IdKey = idKey(id)): void {
    this.map.set(k, v)
    super.set(id, v)
  }

  override delete(id: bigint, k: IdKey = idKey(id)): boolean {
    if (!this.map.delete(k)) return false
    super.delete(id)
    return true
  }
}

export type TrimStrategy = 'maxlen' | 'minid'

export interface TrimArgs {
  strategy: TrimStrategy
  /** MAXLEN's count or MINID's id. */
  maxlen: number
  minid: bigint
  approx: boolean
  /** Most entries to remove; 0 for no limit. */
  limit: number
}

export class StreamValue implements Collection {
  readonly type = 'stream' as const
  private nodes: StreamNode[] = []
  /** The packed node that still keeps its entry objects (StreamNode.pack's `keep`). */
  private keptDecoded: StreamNode | null = null
  length = 0
  lastId = 0n
  /** The first entry's id, 0-0 when empty (recorded-first-entry-id). */
  firstId = 0n
  maxDeletedId = 0n
  entriesAdded = 0n
  readonly groups = new Map<string, ConsumerGroup>()

  get size(): number {
    return this.length
  }

  encoding(): string {
    return 'stream'
  }

  /** Number of nodes (XINFO's radix-tree-keys). */
  get nodeCount(): number {
    return this.nodes.length
  }

  clone(): StreamValue {
    const copy = new StreamValue()
    copy.nodes = this.nodes.map((n) => n.clone())
    const kept = this.keptDecoded === null ? -1 : this.nodes.indexOf(this.keptDecoded)
    copy.keptDecoded = kept < 0 ? null : copy.nodes[kept]
    copy.length = this.length
    copy.lastId = this.lastId
    copy.firstId = this.firstId
    copy.maxDeletedId = this.maxDeletedId
    copy.entriesAdded = this.entriesAdded
    for (const [name, g] of this.groups) {
      const cg = new ConsumerGroup(name, g.lastId, g.entriesRead)
      for (const [cname, c] of g.consumers) {
        const nc = new Consumer(cname)
        nc.seenTime = c.seenTime
        cg.consumers.set(cname, nc)
      }
      for (const p of g.pending.values()) {
        const consumer = cg.consumers.get(p.consumer.name)!
        const np: PendingEntry = { id: p.id, deliveryTime: p.deliveryTime, deliveryCount: p.deliveryCount, consumer }
        cg.pending.set(p.id, np)
        consumer.pending.set(p.id, np)
      }
      copy.groups.set(name, cg)
    }
    return copy
  }

  /**
   * The id XADD would give: `ms`/`seq` from the request (null `ms` for `*`, null `seq`
   * for `<ms>-*`). Null when it would not be greater than the last id.
   */
  nextId(ms: bigint | null, seq: bigint | null, now: number): bigint | null {
    const last = this.lastId
    if (ms === null && split(last)) {
      // `*` with the last id's parts below 2^53 (any id of this era): worked out on
      // numbers, and the new id's parts left in split's memo for append and the reply.
      const lastMs = splitMs
      const lastSeq = splitSeq
      if (now > lastMs) {
        const id = BigInt(now) << 64n
        setSplit(id, now, 0)
        return id
      }
      if (lastSeq < Number.MAX_SAFE_INTEGER) {
        const id = last + 1n
        setSplit(id, lastMs, lastSeq + 1)
        return id
      }
    }
    let id: bigint
    if (ms === null) {
      const t = BigInt(now)
      if (t > idMs(last)) id = makeId(t, 0n)
      else if (idSeq(last) === U64_MAX) {
        if (idMs(last) === U64_MAX) return null
        id = makeId(idMs(last) + 1n, 0n)
      } else id = last + 1n
    } else if (seq === null) {
      if (ms === idMs(last)) {
        if (idSeq(last) === U64_MAX) return null
        id = last + 1n
      } else {
        id = makeId(ms, 0n)
      }
    } else {
      id = makeId(ms, seq)
    }
    return id > last ? id : null
  }

  /** Appends an entry whose id is greater than lastId, and returns it. */
  append(id: bigint, fields: string[]): StreamEntry {
    // XADD has just worked the id out (nextId), so split's memo holds its parts.
    const key = split(id) && splitMs < KEY_MS && splitSeq < KEY_SEQ ? splitMs * KEY_SEQ + splitSeq : undefined
    const entry: StreamEntry = { id, fields, text: key === undefined ? formatId(id) : undefined, key }
    let node: StreamNode | undefined = this.nodes[this.nodes.length - 1]
    let size = 0
    for (const f of fields) size += f.length
    if (node !== undefined) {
      const maxBytes = streamLimits.maxBytes === 0 || streamLimits.maxBytes > LISTPACK_MAX ? LISTPACK_MAX : streamLimits.maxBytes
      if (node.bytes + size >= maxBytes) node = undefined
      else if (streamLimits.maxEntries !== 0 && node.added >= streamLimits.maxEntries) node = undefined
    }
    if (node === undefined) {
      const master: string[] = []
      for (let i = 0; i < fields.length; i += 2) master.push(fields[i])
      const previous = this.nodes[this.nodes.length - 1]
      this.keptDecoded?.dropDecoded()
      previous?.pack(true)
      this.keptDecoded = previous ?? null
      node = new StreamNode(7 + 6 + 2 + listpackStrings(master), master, id)
      this.nodes.push(node)
    }
    node.bytes += entryBytes(node, entry)
    node.push(entry)
    node.added++
    node.last = id
    if (this.length === 0) this.firstId = id
    this.length++
    this.lastId = id
    this.entriesAdded++
    return entry
  }

  /**
   * The nodes as an RDB snapshot stores them: each node's master id and master
   * fields, and its live entries (deleted ones are not kept here, so not saved).
   */
  *savedNodes(): Generator<{ masterId: bigint; master: readonly string[]; entries: readonly StreamEntry[] }> {
    for (const node of this.nodes) {
      if (node.count > 0) yield { masterId: node.masterId, master: node.master, entries: node.entries }
    }
  }

  /** How many nodes savedNodes() yields, without decoding any. */
  get savedNodeCount(): number {
    let n = 0
    for (const node of this.nodes) if (node.count > 0) n++
    return n
  }

  /**
   * Loading a snapshot: appends a node as the file had it, so node boundaries (and
   * with them approximate trimming and XINFO's radix-tree figures) are what they were.
   * `added` counts the node's deleted entries too; `last` is the last id it took.
   * Entries must follow lastId; the stream's counters are the caller's to set.
   */
  appendNode(masterId: bigint, master: string[], entries: StreamEntry[], added: number, last: bigint): void {
    this.nodes[this.nodes.length - 1]?.pack()
    const node = new StreamNode(7 + 6 + 2 + listpackStrings(master), master, masterId)
    for (const e of entries) {
      node.bytes += entryBytes(node, e)
      node.push(e)
    }
    node.added = added
    node.last = last
    this.nodes.push(node)
    if (entries.length > 0) {
      if (this.length === 0) this.firstId = entries[0].id
      this.length += entries.length
      this.lastId = entries[entries.length - 1].id
    }
  }

  /**
   * The node count of Redis's radix tree over the nodes' master ids (XINFO's
   * radix-tree-nodes): a compressed node for each run of shared bytes, a branch node
   * where the 16-byte keys part, and a leaf per key.
   */
  radixNodes(): number {
    const keys = this.nodes.map((n) => idBytes(n.masterId))
    if (keys.length === 0) return 1
    return radixCount(keys, 0)
  }

  /** Index of the first node whose last appended id is >= id. */
  private nodeFor(id: bigint): number {
    const nodes = this.nodes
    let lo = 0
    let hi = nodes.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (nodes[mid].last < id) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  get(id: bigint): StreamEntry | undefined {
    const n = this.nodeFor(id)
    if (n >= this.nodes.length) return undefined
    const entries = this.nodes[n].entries
    const i = lowerBound(entries, id)
    return i < entries.length && entries[i].id === id ? entries[i] : undefined
  }

  /** Entries with start <= id <= end in order (reverse: from end down), at most `count` (0: all). */
  range(start: bigint, end: bigint, count: number, reverse = false): StreamEntry[] {
    const out: StreamEntry[] = []
    if (start > end || this.length === 0) return out
    const nodes = this.nodes
    if (!reverse) {
      for (let n = this.nodeFor(start); n < nodes.length; n++) {
        if (nodes[n].scan(start, end, count, out)) return out
      }
      return out
    }
    let n = this.nodeFor(end)
    if (n >= nodes.length) n = nodes.length - 1
    for (; n >= 0; n--) {
      const entries = nodes[n].entries
      let i = lowerBound(entries, end)
      if (i >= entries.length || entries[i].id > end) i--
      for (; i >= 0; i--) {
        const e = entries[i]
        if (e.id < start) return out
        out.push(e)
        if (out.length === count) return out
      }
    }
    return out
  }

  /** The first entry with id >= `id`, or undefined. */
  firstFrom(id: bigint): StreamEntry | undefined {
    const r = this.range(id, MAX_ID, 1)
    return r[0]
  }

  firstEntry(): StreamEntry | undefined {
    for (const node of this.nodes) if (node.count > 0) return node.entries[0]
    return undefined
  }

  lastEntry(): StreamEntry | undefined {
    for (let n = this.nodes.length - 1; n >= 0; n--) {
      if (this.nodes[n].count > 0) {
        const entries = this.nodes[n].entries
        return entries[entries.length - 1]
      }
    }
    return undefined
  }

  /** XDEL of one id: true when it was there. */
  delete(id: bigint): boolean {
    const n = this.nodeFor(id)
    if (n >= this.nodes.length) return false
    const node = this.nodes[n]
    const entries = node.entries
    const i = lowerBound(entries, id)
    if (i >= entries.length || entries[i].id !== id) return false
    node.edit().splice(i, 1)
    node.done(n === this.nodes.length - 1)
    if (node.count === 0) this.nodes.splice(n, 1)
    this.length--
    this.updateFirstId()
    return true
  }

  private updateFirstId(): void {
    this.firstId = this.length === 0 ? 0n : this.firstEntry()!.id
  }

  /** XTRIM / XADD's trimming as Redis does it; the number of entries removed. */
  trim(args: TrimArgs): number {
    let deleted = 0
    const nodes = this.nodes
    while (nodes.length > 0) {
      if (args.strategy === 'maxlen' && this.length <= args.maxlen) break
      const node = nodes[0]
      const live = node.count
      if (args.limit !== 0 && deleted + live > args.limit) break
      const removeNode = args.strategy === 'maxlen'
        ? this.length - live >= args.maxlen
        : node.last < args.minid
      if (removeNode) {
        nodes.shift()
        this.length -= live
        deleted += live
        continue
      }
      if (args.approx) break
      let k = 0
      const entries = node.edit()
      while (k < live) {
        if (args.strategy === 'maxlen' ? this.length <= args.maxlen : entries[k].id >= args.minid) break
        k++
        this.length--
      }
      entries.splice(0, k)
      node.done(nodes.length === 1)
      deleted += k
      break
    }
    this.updateFirstId()
    return deleted
  }

  /** Groups in Redis's (byte) order of names. */
  sortedGroups(): ConsumerGroup[] {
    return [...this.groups.values()].sort((a, b) => compareBytes(a.name, b.name))
  }

  /** Whether an XDEL'd id may lie in [start, end] (Redis's streamRangeHasTombstones). */
  hasTombstones(start: bigint, end: bigint): boolean {
    if (this.length === 0 || this.maxDeletedId === 0n) return false
    if (this.firstId > this.maxDeletedId) return false
    return start <= this.maxDeletedId && this.maxDeletedId <= end
  }

  /** The logical position of `id` among all entries ever added, or INVALID_ENTRIES_READ. */
  estimateDistance(id: bigint): bigint {
    if (this.entriesAdded === 0n) return 0n
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded
    if (id === this.lastId) return this.entriesAdded
    if (id > this.lastId) return INVALID_ENTRIES_READ
    if (this.maxDeletedId === 0n || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - BigInt(this.length)
      if (id === this.firstId) return this.entriesAdded - BigInt(this.length) + 1n
    }
    return INVALID_ENTRIES_READ
  }

  /** A group's lag (entries not yet delivered), or null when it cannot be told. */
  lag(group: ConsumerGroup): bigint | null {
    if (this.entriesAdded === 0n) return 0n
    if (group.entriesRead !== INVALID_ENTRIES_READ && !this.hasTombstones(group.lastId, MAX_ID)) {
      return BigInt.asIntN(64, this.entriesAdded - group.entriesRead)
    }
    const read = this.estimateDistance(group.lastId)
    return read === INVALID_ENTRIES_READ ? null : BigInt.asIntN(64, this.entriesAdded - read)
  }

  /**
   * advanceGroup for each of `entries` (in id order) in turn; in one step when the
   * counter is known and no deleted entry lies ahead, which holds for every later
   * entry once it holds for the first.
   */
  advanceGroupPast(group: ConsumerGroup, entries: readonly StreamEntry[]): void {
    const first = entries[0].id
    if (first > group.lastId && group.entriesRead >= 0n && !this.hasTombstones(first, MAX_ID)) {
      group.entriesRead = BigInt.asIntN(64, group.entriesRead + BigInt(entries.length))
      group.lastId = entries[entries.length - 1].id
      return
    }
    for (const e of entries) this.advanceGroup(group, e.id)
  }

  /** Group bookkeeping when an entry past its last id is delivered (XREADGROUP >). */
  advanceGroup(group: ConsumerGroup, id: bigint): void {
    if (id <= group.lastId) return
    if (group.entriesRead !== INVALID_ENTRIES_READ && !this.hasTombstones(id, MAX_ID)) {
      // A long long in Redis, which wraps.
      group.entriesRead = BigInt.asIntN(64, group.entriesRead + 1n)
    } else if (this.entriesAdded !== 0n) {
      group.entriesRead = this.estimateDistance(id)
    }
    group.lastId = id
  }
}

function idBytes(id: bigint): number[] {
  const out: number[] = []
  for (let i = 15; i >= 0; i--) out.push(Number((id >> BigInt(i * 8)) & 0xffn))
  return out
}

/** Radix tree nodes below (and including) the node holding `keys`, which share their first `depth` bytes. */
function radixCount(keys: number[][], depth: number): number {
  if (depth === 16) return 1
  let common = 0
  while (depth + common < 16 && keys.every((k) => k[depth + common] === keys[0][depth + common])) common++
  if (common > 0) return 1 + radixCount(keys, depth + common)
  const groups = new Map<number, number[][]>()
  for (const k of keys) {
    const g = groups.get(k[depth])
    if (g === undefined) groups.set(k[depth], [k])
    else g.push(k)
  }
  let n = 1
  for (const g of groups.values()) n += radixCount(g, depth + 1)
  return n
}

function lowerBound(entries: StreamEntry[], id: bigint): number {
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (entries[mid].id < id) lo = mid + 1
    else hi = mid
  }
  return lo
}

// --- Listpack size estimates, to split nodes where Redis would -------------------------

function listpackString(s: string): number {
  if (s.length <= 19 && looksLikeInt(s)) return s.length < 16 ? listpackSmallInt(Number(s)) : listpackInt(BigInt(s))
  const n = s.length
  const header = n < 64 ? 1 : n < 4096 ? 2 : 5
  return header + n + backlen(header + n)
}

/** What listpack stores as an integer: -?[1-9][0-9]{0,17} or 0 (up to 19 chars, checked by the caller). */
function looksLikeInt(s: string): boolean {
  const n = s.length
  let i = s.charCodeAt(0) === 45 ? 1 : 0
  if (i === n) return false
  const c = s.charCodeAt(i)
  if (c === 48) return n === 1
  if (c < 49 || c > 57 || n - i > 18) return false
  for (i++; i < n; i++) {
    const d = s.charCodeAt(i)
    if (d < 48 || d > 57) return false
  }
  return true
}

function listpackStrings(items: string[]): number {
  let n = 0
  for (const s of items) n += listpackString(s)
  return n
}

/** listpackInt for an integer a double holds exactly. */
function listpackSmallInt(v: number): number {
  const enc = v >= 0 && v <= 127 ? 1 : v >= -4096 && v <= 4095 ? 2 : v >= -32768 && v <= 32767 ? 3
    : v >= -8388608 && v <= 8388607 ? 4 : v >= -2147483648 && v <= 2147483647 ? 5 : 9
  return enc + 1
}

function listpackInt(v: bigint): number {
  const enc = v >= 0n && v <= 127n ? 1 : v >= -4096n && v <= 4095n ? 2 : v >= -32768n && v <= 32767n ? 3
    : v >= -8388608n && v <= 8388607n ? 4 : v >= -2147483648n && v <= 2147483647n ? 5 : 9
  return enc + 1
}

function backlen(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : n < 268435456 ? 4 : 5
}

const I63 = 1n << 63n
const MINUS_I63 = -I63

function entryBytes(node: StreamNode, e: StreamEntry): number {
  const first = node.entries[0]?.id ?? e.id
  let n = 4
  if (e.id !== first) {
    if (node.splitFirst(first) && split(e.id)) {
      n = listpackSmallInt(splitMs - node.firstMs) + listpackSmallInt(splitSeq - node.firstSeq)
    } else {
      const msDelta = idMs(e.id) - idMs(first)
      const seqDelta = idSeq(e.id) - idSeq(first)
      n = listpackInt(msDelta > I63 ? 0n : msDelta) + listpackInt(seqDelta > I63 || seqDelta < MINUS_I63 ? 0n : seqDelta)
    }
  }
  n += 4
  const fields = e.fields
  let same = fields.length === node.master.length * 2
  for (let i = 0; same && i < fields.length; i += 2) if (fields[i] !== node.master[i / 2]) same = false
  if (same) {
    for (let i = 1; i < fields.length; i += 2) n += listpackString(fields[i])
  } else {
    n += 2 + listpackStrings(fields)
  }
  return n
}
