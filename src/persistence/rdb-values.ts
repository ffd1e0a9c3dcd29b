import { RespDouble, RespMap, RespSet, RespSimple, type RespValue } from '../resp/values.js'
import { HashValue } from '../store/hash.js'
import { ListValue } from '../store/list.js'
import { SetValue } from '../store/set.js'
import { Consumer, ConsumerGroup, formatId, StreamValue, U64_MAX, type PendingEntry, type StreamEntry } from '../store/stream.js'
import { MutableString, Structured, type KeyspaceValue, type StoredValue } from '../store/types.js'
import { ZSet } from '../store/zset.js'
import { latin1Write } from '../resp/latin1.js'
import { strtod } from '../util/numbers.js'
import { corrupt, listpackEntryBytes, ListpackBuilder, readIntset, readListpack, readZiplist, readZipmap } from './packed.js'
import { lzfCompress, readLength, readRdbBytes, readRdbString, readSpan, releaseSpan, span, type Reader } from './rdb-strings.js'
import { withRoom } from '../util/buffers.js'

/**
 * One value in RDB version 10 form (Redis 7.0): the type byte and the encoding that
 * follows it, shared by snapshots (rdb-file.ts) and DUMP/RESTORE payloads (dump.ts).
 * Written by hand from the format's descriptions, never from Redis's code.
 *
 * Writing picks the encoding Redis 7.0 would have in memory for the value (our
 * collections track it for OBJECT ENCODING): quicklist 2 for lists, listpack or
 * hashtable for hashes, intset or hashtable for sets, listpack or skiplist (ZSET_2)
 * for sorted sets, STREAM_LISTPACKS_2 for streams. Reading also accepts the older
 * encodings Redis 7.0 still loads.
 */

export const RDB_VERSION = 10

export const enum RdbType {
  String = 0,
  List = 1,
  Set = 2,
  Zset = 3,
  Hash = 4,
  Zset2 = 5,
  ModulePreGa = 6,
  Module2 = 7,
  HashZipmap = 9,
  ListZiplist = 10,
  SetIntset = 11,
  ZsetZiplist = 12,
  HashZiplist = 13,
  ListQuicklist = 14,
  StreamListpacks = 15,
  HashListpack = 16,
  ZsetListpack = 17,
  ListQuicklist2 = 18,
  StreamListpacks2 = 19,
  SetListpack = 20,
  StreamListpacks3 = 21,
}

export function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 21)
}

// --- Writing ------------------------------------------------------------------------

/**
 * A growable output buffer with RDB's primitives. Snapshots take() its contents a
 * chunk at a time, so a save never holds the whole file in memory.
 */
export class RdbWriter {
  buf: Buffer = Buffer.allocUnsafe(1 << 16)
  pos = 0

  constructor(readonly compress: boolean) {}

  ensure(n: number): void {
    this.buf = withRoom(this.buf, this.pos, this.pos + n)
  }

  /** The bytes written so far, and an empty buffer for what comes next. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos))
    this.pos = 0
    return out
  }

  byte(b: number): void {
    this.ensure(1)
    this.buf[this.pos++] = b
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  length(n: number | bigint): void {
    this.ensure(9)
    const b = this.buf
    if (typeof n === 'number' && n < 0x40) {
      b[this.pos++] = n
    } else if (typeof n === 'number' && n < 0x4000) {
      b[this.pos++] = 0x40 | (n >> 8)
      b[this.pos++] = n & 0xff
    } else if (typeof n === 'number' && n <= 0xffffffff) {
      b[this.pos++] = 0x80
      b.writeUInt32BE(n, this.pos)
      this.pos += 4
    } else {
      b[this.pos++] = 0x81
      b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(n)), this.pos)
      this.pos += 8
    }
  }

  /** An 8-byte little-endian integer (expiry times, PEL delivery times). */
  int64(v: number | bigint): void {
    this.ensure(8)
    this.buf.writeBigInt64LE(BigInt.asIntN(64, BigInt(v)), this.pos)
    this.pos += 8
  }

  binaryDouble(d: number): void {
    this.ensure(8)
    this.buf.writeDoubleLE(d, this.pos)
    this.pos += 8
  }

  /**
   * An RDB string as Redis saves one: short canonical integers in the 8, 16 or 32-bit
   * encodings, strings over 20 bytes LZF-compressed when that saves 4 bytes or more
   * (and compression is on), everything else raw.
   */
  string(s: string): void {
    const len = s.length
    if (len <= 11 && len > 0) {
      const c = s.charCodeAt(0)
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
        const v = Number(s)
        if (Number.isInteger(v) && String(v) === s && !Object.is(v, -0)) {
          this.ensure(5)
          const b = this.buf
          if (v >= -128 && v <= 127) {
            b[this.pos++] = 0xc0
            b.writeInt8(v, this.pos)
            this.pos += 1
            return
          }
          if (v >= -32768 && v <= 32767) {
            b[this.pos++] = 0xc1
            b.writeInt16LE(v, this.pos)
            this.pos += 2
            return
          }
          if (v >= -2147483648 && v <= 2147483647) {
            b[this.pos++] = 0xc2
            b.writeInt32LE(v, this.pos)
            this.pos += 4
            return
          }
        }
      }
    }
    if (this.compress && len > 20) {
      const bytes = Buffer.from(s, 'latin1')
      if (this.compressed(bytes)) return
      this.length(len)
      this.raw(bytes)
      return
    }
    this.length(len)
    this.ensure(len)
    this.pos += latin1Write(this.buf, this.pos, s)
  }

  /**
   * A string of `len` bytes of `src` from `start`, as string() writes its text: a
   * mid-sized value (store/small-strings.ts) goes from its slot without a JS string
   * made of it. Too long for an integer encoding (at least SMALL_MIN bytes).
   */
  stringBytes(src: Buffer, start: number, len: number): void {
    if (this.compress && len > 20) return this.blob(src.subarray(start, start + len))
    this.length(len)
    this.ensure(len)
    const b = this.buf
    const at = this.pos
    if (len > 32) src.copy(b, at, start, start + len)
    else for (let i = 0; i < len; i++) b[at + i] = src[start + i]
    this.pos = at + len
  }

  /** A binary blob (a listpack) as an RDB string, compressed like any other. */
  blob(bytes: Buffer): void {
    if (this.compress && bytes.length > 20 && this.compressed(bytes)) return
    this.length(bytes.length)
    this.raw(bytes)
  }

  private compressed(bytes: Buffer): boolean {
    const packed = lzfCompress(bytes, bytes.length - 4)
    if (packed === null) return false
    this.byte(0xc3)
    this.length(packed.length)
    this.length(bytes.length)
    this.raw(packed)
    return true
  }
}

/** Elements per quicklist node: about what list-max-listpack-size -2 (8 KiB) holds. */
const QUICKLIST_NODE_BYTES = 8192
const QUICKLIST_NODE_MAX = 128

/**
 * The type byte and encoding of one value; with a key, the key goes between them, as
 * in a snapshot's key records (DUMP payloads have none).
 */
export function writeObject(w: RdbWriter, value: KeyspaceValue, key: string | null = null): void {
  if (typeof value === 'string') {
    head(w, RdbType.String, key)
    w.string(value)
    return
  }
  if (value instanceof MutableString) {
    head(w, RdbType.String, key)
    // Short ones may read as integers, which Redis saves int-encoded; long ones are
    // written from the bytes, as a bitmap may be longer than any JS string.
    if (value.length <= 11) w.string(value.text())
    else w.blob(value.bytes())
    return
  }
  switch (value.type) {
    case 'list':
      return writeList(w, value as ListValue, key)
    case 'hash':
      return writeHash(w, value as HashValue, key)
    case 'set':
      return writeSet(w, value as SetValue, key)
    case 'zset':
      return writeZset(w, value as ZSet, key)
    case 'stream':
      return writeStream(w, value as StreamValue, key)
    case 'structured':
      return writeStructured(w, value as Structured, key)
  }
}

/** A string value given as bytes (see RdbWriter.stringBytes), with its key, as writeObject writes a string. */
export function writeStringBytes(w: RdbWriter, key: string, src: Buffer, start: number, len: number): void {
  head(w, RdbType.String, key)
  w.stringBytes(src, start, len)
}

function head(w: RdbWriter, type: RdbType, key: string | null): void {
  w.byte(type)
  if (key !== null) w.string(key)
}

function writeList(w: RdbWriter, list: ListValue, key: string | null): void {
  head(w, RdbType.ListQuicklist2, key)
  const nodes: Buffer[] = []
  let lp = new ListpackBuilder()
  const n = list.size
  for (let i = 0; i < n; i++) {
    const s = list.at(i)
    if (lp.count > 0 && (lp.count >= QUICKLIST_NODE_MAX || lp.bytes + s.length > QUICKLIST_NODE_BYTES)) {
      nodes.push(lp.finish())
      lp = new ListpackBuilder()
    }
    lp.add(s)
  }
  if (lp.count > 0) nodes.push(lp.finish())
  w.length(nodes.length)
  for (const node of nodes) {
    w.length(2) // QUICKLIST_NODE_CONTAINER_PACKED
    w.blob(node)
  }
}

/** What the quicklist node writers read of a list: a ListValue, or a copy of part of one. */
export interface ListLike {
  readonly size: number
  at(i: number): string
}

/**
 * Where the quicklist node starting at element `from` ends (exclusive), as writeList
 * splits: a big list written across turns (rdb-steps.ts) sizes its nodes first,
 * since their count comes before them.
 */
export function listNodeEnd(list: ListLike, from: number): number {
  const n = list.size
  // ListpackBuilder.bytes: its 7-byte frame and the elements so far.
  let bytes = 7
  let i = from
  for (; i < n && i - from < QUICKLIST_NODE_MAX; i++) {
    const s = list.at(i)
    if (i > from && bytes + s.length > QUICKLIST_NODE_BYTES) break
    bytes += listpackEntryBytes(s)
  }
  return i
}

/** Elements from..to-1 as one quicklist node: a packed container holding a listpack. */
export function writeListNode(w: RdbWriter, list: ListLike, from: number, to: number): void {
  const lp = new ListpackBuilder()
  for (let i = from; i < to; i++) lp.add(list.at(i))
  w.length(2) // QUICKLIST_NODE_CONTAINER_PACKED
  w.blob(lp.finish())
}

function writeHash(w: RdbWriter, hash: HashValue, key: string | null): void {
  if (hash.isListpack) {
    head(w, RdbType.HashListpack, key)
    const lp = new ListpackBuilder()
    for (const [f, v] of hash.entries()) {
      lp.add(f)
      lp.add(v)
    }
    w.blob(lp.finish())
    return
  }
  head(w, RdbType.Hash, key)
  w.length(hash.size)
  for (const [f, v] of hash.entries()) {
    w.string(f)
    w.string(v)
  }
}

function writeSet(w: RdbWriter, set: SetValue, key: string | null): void {
  const members = set.members()
  if (set.isIntset) {
    head(w, RdbType.SetIntset, key)
    let width = 2
    for (const m of members) {
      const v = Number(m)
      if (v < -2147483648 || v > 2147483647) {
        width = 8
        break
      }
      if (v < -32768 || v > 32767) width = 4
    }
    const b = Buffer.allocUnsafe(8 + members.length * width)
    b.writeUInt32LE(width, 0)
    b.writeUInt32LE(members.length, 4)
    // members() is in ascending numeric order, as an intset keeps them.
    for (let i = 0; i < members.length; i++) {
      const at = 8 + i * width
      if (width === 8) b.writeBigInt64LE(BigInt(members[i]), at)
      else b.writeIntLE(Number(members[i]), at, width)
    }
    w.blob(b)
    return
  }
  head(w, RdbType.Set, key)
  w.length(members.length)
  for (const m of members) w.string(m)
}

/** A score as listpack text: what strtod reads back exactly. */
function scoreText(d: number): string {
  if (d === Infinity) return 'inf'
  if (d === -Infinity) return '-inf'
  return String(d)
}

function writeZset(w: RdbWriter, z: ZSet, key: string | null): void {
  if (z.isListpack) {
    head(w, RdbType.ZsetListpack, key)
    const lp = new ListpackBuilder()
    for (const [m, s] of z.entries()) {
      lp.add(m)
      lp.add(scoreText(s))
    }
    w.blob(lp.finish())
    return
  }
  head(w, RdbType.Zset2, key)
  w.length(z.size)
  // Highest first, as Redis saves a skiplist, so a loader appending in order does less work.
  for (const [m, s] of z.entries(0, true)) {
    w.string(m)
    w.binaryDouble(s)
  }
}

function idKey(id: bigint): Buffer {
  const b = Buffer.allocUnsafe(16)
  b.writeBigUInt64BE(id >> 64n, 0)
  b.writeBigUInt64BE(id & U64_MAX, 8)
  return b
}

/**
 * STREAM_LISTPACKS_2: the entries in listpack nodes keyed by their master id, then
 * the stream's counters, then each consumer group with its pending entries list and
 * its consumers' lists. A node is written from the live entries only (no deleted
 * flags), the first entry being the master whose field names later ones may share.
 */
function writeStream(w: RdbWriter, s: StreamValue, key: string | null): void {
  head(w, RdbType.StreamListpacks2, key)
  const nodes = [...s.savedNodes()]
  w.length(nodes.length)
  for (const node of nodes) writeStreamNode(w, node)
  writeStreamState(w, s)
}

/** One node of a stream: its master id, then its listpack. */
export function writeStreamNode(w: RdbWriter, node: { masterId: bigint; master: readonly string[]; entries: readonly StreamEntry[] }): void {
  const { masterId, master, entries } = node
  const masterMs = masterId >> 64n
  const masterSeq = masterId & U64_MAX
  const lp = new ListpackBuilder()
  lp.addInt(entries.length) // live entries
  lp.addInt(0) // deleted entries (not kept, so not saved)
  lp.addInt(master.length)
  for (const f of master) lp.add(f)
  lp.addInt(0) // end of the master entry
  for (const e of entries) {
    const same = sameFields(e, master)
    const pairs = e.fields.length / 2
    lp.addInt(same ? 2 : 0) // flags: SAMEFIELDS or none
    lp.addInt(BigInt.asIntN(64, (e.id >> 64n) - masterMs))
    lp.addInt(BigInt.asIntN(64, (e.id & U64_MAX) - masterSeq))
    if (same) {
      for (let i = 1; i < e.fields.length; i += 2) lp.add(e.fields[i])
      lp.addInt(pairs + 3)
    } else {
      lp.addInt(pairs)
      for (const f of e.fields) lp.add(f)
      lp.addInt(pairs * 2 + 4)
    }
  }
  w.blob(idKey(masterId))
  w.blob(lp.finish())
}

/** What follows a stream's nodes: its counters, then its consumer groups. */
export function writeStreamState(w: RdbWriter, s: StreamValue): void {
  w.length(s.length)
  w.length(s.lastId >> 64n)
  w.length(s.lastId & U64_MAX)
  w.length(s.firstId >> 64n)
  w.length(s.firstId & U64_MAX)
  w.length(s.maxDeletedId >> 64n)
  w.length(s.maxDeletedId & U64_MAX)
  w.length(s.entriesAdded)
  w.length(s.groups.size)
  for (const g of s.groups.values()) {
    w.string(g.name)
    w.length(g.lastId >> 64n)
    w.length(g.lastId & U64_MAX)
    w.length(BigInt.asUintN(64, g.entriesRead))
    const pel = g.pending.values()
    w.length(pel.length)
    for (const p of pel) {
      w.raw(idKey(p.id))
      w.int64(p.deliveryTime)
      w.length(p.deliveryCount)
    }
    w.length(g.consumers.size)
    for (const c of g.consumers.values()) {
      w.string(c.name)
      w.int64(c.seenTime)
      const ids = c.pending.keys()
      w.length(ids.length)
      for (const id of ids) w.raw(idKey(id))
    }
  }
}

/** Whether an entry has exactly the master entry's field names, in order. */
function sameFields(e: StreamEntry, master: readonly string[]): boolean {
  if (e.fields.length !== master.length * 2) return false
  for (let i = 0; i < master.length; i++) if (e.fields[i * 2] !== master[i]) return false
  return true
}

/**
 * Structured values (the mini dialect's non-string RESP values) have no Redis type.
 * They are saved as a module value (RDB_TYPE_MODULE_2) of a module named
 * "respite-s": respite reads them back, so its own restarts keep them, while
 * redis-server refuses such a file cleanly, naming the module it lacks, rather than
 * loading it with keys silently missing. Inside is one module string holding the
 * value in a small tagged form of our own (STRUCTURED_TAGS).
 */
export const STRUCTURED_MODULE_NAME = 'respite-s'
const MODULE_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** A module id: nine 6-bit characters of the name, then a 10-bit encoding version (1). */
export const STRUCTURED_MODULE_ID = (() => {
  let id = 0n
  for (const ch of STRUCTURED_MODULE_NAME) id = (id << 6n) | BigInt(MODULE_CHARSET.indexOf(ch))
  return (id << 10n) | 1n
})()
const MODULE_OPCODE_EOF = 0
const MODULE_OPCODE_STRING = 5

const enum Tag {
  Bulk = 0,
  Int = 1,
  Null = 3,
  True = 4,
  False = 5,
  Array = 6,
  Map = 7,
  Set = 8,
  Double = 9,
  Simple = 10,
}

function writeStructured(w: RdbWriter, v: Structured, key: string | null): void {
  head(w, RdbType.Module2, key)
  w.length(STRUCTURED_MODULE_ID)
  const inner = new RdbWriter(false)
  writeResp(inner, v.value)
  w.length(MODULE_OPCODE_STRING)
  w.blob(inner.take())
  w.length(MODULE_OPCODE_EOF)
}

function writeResp(w: RdbWriter, v: RespValue): void {
  if (typeof v === 'string') {
    w.byte(Tag.Bulk)
    w.string(v)
  } else if (typeof v === 'number' || typeof v === 'bigint') {
    w.byte(Tag.Int)
    w.string(String(v))
  } else if (v === null) {
    w.byte(Tag.Null)
  } else if (typeof v === 'boolean') {
    w.byte(v ? Tag.True : Tag.False)
  } else if (Array.isArray(v)) {
    w.byte(Tag.Array)
    w.length(v.length)
    for (const item of v) writeResp(w, item)
  } else if (v instanceof RespMap || v instanceof RespSet) {
    const items = v instanceof RespMap ? v.entries : v.items
    w.byte(v instanceof RespMap ? Tag.Map : Tag.Set)
    w.length(items.length)
    for (const item of items) writeResp(w, item)
  } else if (v instanceof RespDouble) {
    w.byte(Tag.Double)
    w.binaryDouble(v.value)
  } else {
    w.byte(Tag.Simple)
    w.string((v as RespSimple).value)
  }
}

// --- Reading ------------------------------------------------------------------------

/** Reader helpers that throw RdbFormatError instead of returning null. */
export function len(r: Reader): number {
  const n = readLength(r)
  if (n === null || n < 0) corrupt('bad length')
  return n
}

/** A count of items each taking at least one byte: more than the bytes left is corrupt. */
export function count(r: Reader): number {
  const n = len(r)
  if (n > r.buf.length - r.pos) corrupt('count exceeds the data')
  return n
}

/** A length that may use all 64 bits (stream ids and counters). */
export function bigLen(r: Reader): bigint {
  const b = r.buf
  if (r.pos < b.length && b[r.pos] === 0x81) {
    if (r.pos + 9 > b.length) corrupt('truncated length')
    r.pos += 9
    return b.readBigUInt64BE(r.pos - 8)
  }
  return BigInt(len(r))
}

export function str(r: Reader): string {
  const s = readRdbString(r)
  if (s === null) corrupt('bad string')
  return s
}

export function bytes(r: Reader, n: number): Buffer {
  if (r.pos + n > r.buf.length) corrupt('truncated')
  r.pos += n
  return r.buf.subarray(r.pos - n, r.pos)
}

function blob(r: Reader): Buffer {
  const b = readRdbBytes(r)
  if (b === null) corrupt('bad string')
  return b
}

// Packed containers are decoded where they lie (or from the LZF scratch buffer),
// without a Buffer view or copy per value.
function inPlace(r: Reader, decode: (b: Buffer, from: number, to: number) => string[]): string[] {
  if (!readSpan(r)) corrupt('bad string')
  try {
    return decode(span.buf, span.start, span.end)
  } finally {
    releaseSpan()
  }
}

function listpack(r: Reader): string[] {
  return inPlace(r, readListpack)
}

function ziplist(r: Reader): string[] {
  return inPlace(r, readZiplist)
}

function binaryDouble(r: Reader): number {
  return bytes(r, 8).readDoubleLE(0)
}

/** ZSET (type 3) scores: a length byte, 253/254/255 for NaN/inf/-inf, else text. */
function textDouble(r: Reader): number {
  const n = bytes(r, 1)[0]
  if (n === 253) return NaN
  if (n === 254) return Infinity
  if (n === 255) return -Infinity
  return parseScore(bytes(r, n).latin1Slice(0, n))
}

function parseScore(s: string): number {
  const d = strtod(s)
  if (d !== d) corrupt('bad score')
  return d
}

function pairs(items: string[]): void {
  if (items.length % 2 !== 0) corrupt('odd number of elements')
}

function hashFrom(items: string[]): HashValue {
  pairs(items)
  const h = new HashValue()
  for (let i = 0; i < items.length; i += 2) if (!h.set(items[i], items[i + 1])) corrupt('duplicate hash field')
  return h
}

function zsetFrom(members: string[], scores: number[]): ZSet {
  for (let i = 0; i < scores.length; i++) if (scores[i] !== scores[i]) corrupt('NaN score')
  // The built set's map holds each member once: fewer entries than members means a
  // repeat, found without a Set of our own per value.
  const z = ZSet.build(members, scores)
  if (z.size !== members.length) corrupt('duplicate zset member')
  return z
}

function setFrom(members: string[]): SetValue {
  const s = new SetValue()
  for (const m of members) if (!s.add(m)) corrupt('duplicate set member')
  return s
}

/**
 * The value of the given type, fully built before it is returned, so a load or
 * RESTORE that fails leaves no half-made key. Empty collections are corrupt (Redis
 * never saves them). Throws RdbFormatError.
 */
export function readObject(r: Reader, type: number): StoredValue {
  const v = readAny(r, type)
  if (typeof v !== 'string' && v.type !== 'structured' && v.size === 0 && v.type !== 'stream') corrupt('empty collection')
  return v
}

function readAny(r: Reader, type: number): StoredValue {
  switch (type) {
    case RdbType.String:
      return str(r)
    case RdbType.List: {
      const n = count(r)
      const items: string[] = []
      for (let i = 0; i < n; i++) items.push(str(r))
      return ListValue.from(items)
    }
    case RdbType.ListZiplist:
      return ListValue.from(ziplist(r))
    case RdbType.ListQuicklist:
    case RdbType.ListQuicklist2: {
      const n = count(r)
      const items: string[] = []
      for (let i = 0; i < n; i++) {
        let container = 2
        if (type === RdbType.ListQuicklist2) {
          container = len(r)
          if (container !== 1 && container !== 2) corrupt('bad quicklist container')
        }
        if (container === 1) {
          items.push(str(r))
          continue
        }
        const node = type === RdbType.ListQuicklist2 ? listpack(r) : ziplist(r)
        for (const s of node) items.push(s)
      }
      return ListValue.from(items)
    }
    case RdbType.Set: {
      const n = count(r)
      const items: string[] = []
      for (let i = 0; i < n; i++) items.push(str(r))
      return setFrom(items)
    }
    case RdbType.SetIntset:
      return setFrom(inPlace(r, readIntset))
    case RdbType.SetListpack:
      return setFrom(listpack(r))
    case RdbType.Zset:
    case RdbType.Zset2: {
      const n = count(r)
      const members: string[] = []
      const scores: number[] = []
      for (let i = 0; i < n; i++) {
        members.push(str(r))
        scores.push(type === RdbType.Zset2 ? binaryDouble(r) : textDouble(r))
      }
      return zsetFrom(members, scores)
    }
    case RdbType.ZsetZiplist:
    case RdbType.ZsetListpack: {
      const items = type === RdbType.ZsetListpack ? listpack(r) : ziplist(r)
      pairs(items)
      const members: string[] = []
      const scores: number[] = []
      for (let i = 0; i < items.length; i += 2) {
        members.push(items[i])
        scores.push(parseScore(items[i + 1]))
      }
      return zsetFrom(members, scores)
    }
    case RdbType.Hash: {
      const n = count(r)
      const items: string[] = []
      for (let i = 0; i < n; i++) items.push(str(r), str(r))
      return hashFrom(items)
    }
    case RdbType.HashZipmap:
      return hashFrom(inPlace(r, readZipmap))
    case RdbType.HashZiplist:
      return hashFrom(ziplist(r))
    case RdbType.HashListpack:
      return hashFrom(listpack(r))
    case RdbType.StreamListpacks:
    case RdbType.StreamListpacks2:
    case RdbType.StreamListpacks3:
      return readStream(r, type)
    case RdbType.Module2:
      return readModule(r)
    case RdbType.ModulePreGa:
      corrupt('pre-GA module values are not supported')
    default:
      corrupt(`unknown value type ${type}`)
  }
}

function readModule(r: Reader): Structured {
  const id = bigLen(r)
  if (id !== STRUCTURED_MODULE_ID) {
    const name = [...Array(9)].map((_, i) => MODULE_CHARSET[Number((id >> BigInt(10 + 6 * (8 - i))) & 63n)]).join('')
    corrupt(`module value of module '${name}', which respite does not have`)
  }
  if (len(r) !== MODULE_OPCODE_STRING) corrupt('bad module value')
  const inner = { buf: blob(r), pos: 0 }
  if (len(r) !== MODULE_OPCODE_EOF) corrupt('module value not terminated')
  const value = readResp(inner, 0)
  if (inner.pos !== inner.buf.length) corrupt('trailing bytes in module value')
  return new Structured(value)
}

function readResp(r: Reader, depth: number): RespValue {
  if (depth > 1000) corrupt('structured value nested too deeply')
  const tag = bytes(r, 1)[0]
  switch (tag) {
    case Tag.Bulk:
      return str(r)
    case Tag.Int: {
      const s = str(r)
      if (!/^-?\d+$/.test(s)) corrupt('bad integer')
      const n = Number(s)
      return Number.isSafeInteger(n) ? n : BigInt(s)
    }
    case Tag.Null:
      return null
    case Tag.True:
      return true
    case Tag.False:
      return false
    case Tag.Array:
    case Tag.Map:
    case Tag.Set: {
      const n = count(r)
      const items: RespValue[] = []
      for (let i = 0; i < n; i++) items.push(readResp(r, depth + 1))
      return tag === Tag.Array ? items : tag === Tag.Map ? new RespMap(items) : new RespSet(items)
    }
    case Tag.Double:
      return new RespDouble(binaryDouble(r))
    case Tag.Simple:
      return new RespSimple(str(r))
    default:
      corrupt('bad structured value tag')
  }
}

function readIdKey(b: Buffer): bigint {
  if (b.length !== 16) corrupt('bad stream node key')
  return (b.readBigUInt64BE(0) << 64n) | b.readBigUInt64BE(8)
}

function lpInt(s: string | undefined): bigint {
  if (s === undefined || !/^-?\d+$/.test(s)) corrupt('bad stream listpack')
  return BigInt(s)
}

/** STREAM_LISTPACKS (5.0), _2 (7.0) and _3 (7.2): entries, counters, groups. */
function readStream(r: Reader, type: number): StreamValue {
  const s = new StreamValue()
  const nodes = count(r)
  for (let n = 0; n < nodes; n++) {
    const master = readIdKey(blob(r))
    const lp = listpack(r)
    if (lp.length === 0) corrupt('empty stream node')
    let p = 0
    const next = (): string => {
      if (p >= lp.length) corrupt('bad stream listpack')
      return lp[p++]
    }
    const live = Number(lpInt(next()))
    const deleted = Number(lpInt(next()))
    const nMaster = Number(lpInt(next()))
    if (nMaster < 0 || nMaster > lp.length) corrupt('bad stream listpack')
    const masterFields: string[] = []
    for (let i = 0; i < nMaster; i++) masterFields.push(next())
    if (next() !== '0') corrupt('bad stream master entry')
    const masterMs = master >> 64n
    const masterSeq = master & U64_MAX
    const entries: StreamEntry[] = []
    let last = master
    for (let e = 0; e < live + deleted; e++) {
      const flags = Number(lpInt(next()))
      const ms = BigInt.asUintN(64, masterMs + lpInt(next()))
      const seq = BigInt.asUintN(64, masterSeq + lpInt(next()))
      const fields: string[] = []
      if (flags & 2) {
        for (let i = 0; i < nMaster; i++) fields.push(masterFields[i], next())
      } else {
        const k = Number(lpInt(next()))
        if (k < 0 || k > lp.length) corrupt('bad stream listpack')
        for (let i = 0; i < k; i++) fields.push(next(), next())
      }
      next() // lp-count
      const id = (ms << 64n) | seq
      if (id < last || (e > 0 && id === last) || (s.length > 0 && id <= s.lastId)) corrupt('stream ids out of order')
      last = id
      if (!(flags & 1)) entries.push({ id, fields })
    }
    if (p !== lp.length || entries.length !== live) corrupt('bad stream listpack')
    // Redis drops a node once every entry in it is deleted; one in a file holds nothing.
    if (entries.length > 0) s.appendNode(master, masterFields, entries, live + deleted, last)
  }
  const length = bigLen(r)
  const lastMs = bigLen(r)
  const lastSeq = bigLen(r)
  if (length !== BigInt(s.length)) corrupt('stream length mismatch')
  const lastId = (lastMs << 64n) | lastSeq
  if (s.length > 0 && lastId < s.lastId) corrupt('stream last id too small')
  s.lastId = lastId
  if (type >= RdbType.StreamListpacks2) {
    s.firstId = (bigLen(r) << 64n) | bigLen(r)
    s.maxDeletedId = (bigLen(r) << 64n) | bigLen(r)
    s.entriesAdded = bigLen(r)
  } else {
    // 5.0-6.2 kept no such counters; Redis 7.0 assumes what they can be.
    s.entriesAdded = BigInt(s.length)
    s.maxDeletedId = 0n
  }
  if (s.length === 0) s.firstId = 0n
  const groups = count(r)
  for (let g = 0; g < groups; g++) {
    const name = str(r)
    const lastId = (bigLen(r) << 64n) | bigLen(r)
    const entriesRead = type >= RdbType.StreamListpacks2 ? BigInt.asIntN(64, bigLen(r)) : s.estimateDistance(lastId)
    if (s.groups.has(name)) corrupt('duplicate consumer group')
    const group = new ConsumerGroup(name, lastId, entriesRead)
    const nacks = new Map<bigint, { deliveryTime: number; deliveryCount: number }>()
    const pel = count(r)
    for (let i = 0; i < pel; i++) {
      const id = readIdKey(bytes(r, 16))
      const deliveryTime = Number(bytes(r, 8).readBigInt64LE(0))
      const deliveryCount = len(r)
      if (nacks.has(id)) corrupt('duplicate pending entry')
      nacks.set(id, { deliveryTime, deliveryCount })
    }
    const consumers = count(r)
    for (let c = 0; c < consumers; c++) {
      const consumer = new Consumer(str(r))
      if (group.consumers.has(consumer.name)) corrupt('duplicate consumer')
      consumer.seenTime = Number(bytes(r, 8).readBigInt64LE(0))
      if (type >= RdbType.StreamListpacks3) bytes(r, 8) // active-time (7.2), which 7.0 has no use for
      group.consumers.set(consumer.name, consumer)
      const owned = count(r)
      for (let i = 0; i < owned; i++) {
        const id = readIdKey(bytes(r, 16))
        const nack = nacks.get(id)
        if (nack === undefined || group.pending.get(id) !== undefined) corrupt(`pending entry ${formatId(id)} not in the group's list`)
        const entry: PendingEntry = { id, deliveryTime: nack.deliveryTime, deliveryCount: nack.deliveryCount, consumer }
        group.pending.set(id, entry)
        consumer.pending.set(id, entry)
      }
    }
    s.groups.set(name, group)
  }
  return s
}
