import { REDIS_VERSION } from '../server/server.js'
import type { Database } from '../store/database.js'
import type { HeldValue } from '../store/keys.js'
import type { SmallStrings } from '../store/small-strings.js'
import type { KeyspaceValue, StoredValue } from '../store/types.js'
import { Crc64 } from '../util/crc64.js'
import { corrupt, RdbFormatError } from './packed.js'
import { bytes, isObjectType, len, RDB_VERSION, RdbWriter, readObject, str, writeObject, writeStringBytes } from './rdb-values.js'
import type { Reader } from './rdb-strings.js'

/**
 * RDB snapshot files (version 10, as Redis 7.0 writes them): "REDIS0010", auxiliary
 * fields, the function libraries, then per database a SELECTDB and RESIZEDB and the
 * keys (each optionally after an EXPIRETIME_MS), then EOF and a CRC-64 of everything
 * before it (0 when rdbchecksum is off).
 */

const OP_FUNCTION_PRE_GA = 246
const OP_FUNCTION2 = 245
const OP_MODULE_AUX = 247
const OP_IDLE = 248
const OP_FREQ = 249
const OP_AUX = 250
const OP_RESIZEDB = 251
const OP_EXPIRETIME_MS = 252
const OP_EXPIRETIME = 253
const OP_SELECTDB = 254
const OP_EOF = 255

export interface SnapshotOptions {
  compress: boolean
  checksum: boolean
  /** The function libraries' code, saved before the keys. */
  functions: readonly string[]
  usedMemory: number
  /** aof-base: 1 when the snapshot starts an append-only file. */
  aofBase?: boolean
}

/** Bytes gathered before a chunk is handed out. */
const CHUNK = 1 << 20

export interface SnapshotStats {
  /** Keys written so far. */
  keys: number
}

/**
 * The file's opening: the signature, the auxiliary fields and the function libraries.
 * A background save writes it at its start, so ctime and used-mem are of that moment.
 */
export function writePreamble(w: RdbWriter, opts: SnapshotOptions): void {
  w.raw(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'))
  const aux = (k: string, v: string): void => {
    w.byte(OP_AUX)
    w.string(k)
    w.string(v)
  }
  aux('redis-ver', REDIS_VERSION)
  aux('redis-bits', '64')
  aux('ctime', String(Math.floor(Date.now() / 1000)))
  aux('used-mem', String(Math.floor(opts.usedMemory)))
  aux('aof-base', opts.aofBase ? '1' : '0')
  for (const code of opts.functions) {
    w.byte(OP_FUNCTION2)
    w.string(code)
  }
}

/**
 * SELECTDB with RESIZEDB's size hints. The keys that follow belong to `index`; a file
 * may select a database more than once (a background save does, when it writes a key
 * of another database ahead of its turn), as Redis's loader and redis-check-rdb allow.
 */
export function writeSelect(w: RdbWriter, index: number, sizes: { keys: number; volatile: number } | null): void {
  w.byte(OP_SELECTDB)
  w.length(index)
  if (sizes === null) return
  w.byte(OP_RESIZEDB)
  w.length(sizes.keys)
  w.length(sizes.volatile)
}

/** One key, after its expiry time when it has one. */
export function writeKey(w: RdbWriter, key: string, value: KeyspaceValue, at: number | bigint | undefined): void {
  writeExpiry(w, at)
  writeObject(w, value, key)
}

/**
 * writeKey for a value as the keyspace holds it (Keys.walk()): a mid-sized string
 * goes from its slot's bytes, without a JS string made of it (RdbWriter.stringBytes).
 */
export function writeHeldKey(w: RdbWriter, strings: SmallStrings, key: string, value: HeldValue, at: number | bigint | undefined): void {
  if (typeof value !== 'number') return writeKey(w, key, value, at)
  writeExpiry(w, at)
  writeStringBytes(w, key, strings.page(value), strings.offset(value), strings.length(value))
}

/** What goes before a key that has an expiry time (a big key's steps follow it: rdb-steps.ts). */
export function writeExpiry(w: RdbWriter, at: number | bigint | undefined): void {
  if (at !== undefined) {
    w.byte(OP_EXPIRETIME_MS)
    w.int64(at)
  }
}

/** The EOF opcode; the 8-byte checksum follows it. */
export function writeEof(w: RdbWriter): void {
  w.byte(OP_EOF)
}

/**
 * The snapshot as a sequence of chunks of about 1 MiB, computed as they are asked
 * for. SAVE drains it at once, over a keyspace nothing changes meanwhile; BGSAVE
 * (background-save.ts) writes with the same pieces from the event loop instead.
 */
export function* snapshotChunks(dbs: readonly Database[], opts: SnapshotOptions, stats: SnapshotStats = { keys: 0 }): Generator<Buffer> {
  const w = new RdbWriter(opts.compress)
  const crc = new Crc64()
  const take = (): Buffer => {
    const chunk = w.take()
    if (opts.checksum) crc.update(chunk)
    return chunk
  }
  writePreamble(w, opts)
  for (const db of dbs) {
    if (db.size === 0) continue
    writeSelect(w, db.index, { keys: db.size, volatile: db.expires.size })
    const walk = db.keys.walk()
    for (let key = walk.step(); key !== undefined; key = walk.step()) {
      writeHeldKey(w, db.keys.strings, key, walk.value!, db.expires.size === 0 ? undefined : db.expireAt(key))
      stats.keys++
      if (w.pos >= CHUNK) yield take()
    }
  }
  writeEof(w)
  yield take()
  const footer = Buffer.alloc(8)
  if (opts.checksum) footer.writeBigUInt64LE(crc.value)
  yield footer
}

// --- Loading ------------------------------------------------------------------------

export interface LoadTarget {
  /** Number of databases; a SELECTDB past it is an error, as in Redis. */
  databases: number
  /** Stores a fully built key (expireAt in ms, or undefined). */
  add(db: number, key: string, value: StoredValue, expireAt: number | bigint | undefined): void
  /** A function library's code, in file order. */
  library(code: string): void
  /** RESIZEDB's hints: the keys, and the keys with a TTL, of the database that follows. */
  reserve?(db: number, keys: number, volatile: number): void
}

export interface LoadResult {
  /** Bytes the image took, up to its checksum: an AOF base's commands may follow. */
  length: number
  keys: number
  expired: number
  /** The redis-ver aux field, when present. */
  version: string | null
  aux: Map<string, string>
}

export { RdbFormatError }

/**
 * Reads a whole RDB file into `target`. Throws RdbFormatError on anything malformed
 * or truncated, or on a checksum mismatch (a zero checksum means none was computed).
 * Keys whose time has passed are skipped and counted, as a Redis master does.
 */
export function loadRdb(buf: Buffer, target: LoadTarget, now = Date.now()): LoadResult {
  const load = new RdbLoad(buf, target, now)
  load.step(Infinity)
  return load.result
}

/** Keys read between two looks at the clock: performance.now() per key would show. */
export const KEYS_PER_CLOCK_CHECK = 1024

/**
 * An RDB image read a part at a time (loadRdb reads it in one go): the start-up load
 * runs while clients are served, so each step() returns once its time is up, between
 * two top-level entries. A single value is always read whole.
 */
export class RdbLoad {
  readonly result: LoadResult = { length: 0, keys: 0, expired: 0, version: null, aux: new Map() }
  private readonly r: Reader
  private readonly version: number
  private db = 0
  /**
   * The checksum of the bytes before crcPos, brought up to date at each pause rather
   * than all at the end, where it would be one long stall (some 40 ms for 27 MiB).
   */
  private readonly crc = new Crc64()
  private crcPos = 0

  constructor(
    private readonly buf: Buffer,
    private readonly target: LoadTarget,
    private readonly now = Date.now(),
  ) {
    if (buf.length < 9 || buf.latin1Slice(0, 5) !== 'REDIS') corrupt('Wrong signature trying to load DB from file')
    const version = Number(buf.latin1Slice(5, 9))
    if (!Number.isInteger(version) || version < 1 || version > RDB_VERSION) corrupt(`Can't handle RDB format version ${buf.latin1Slice(5, 9)}`)
    this.version = version
    this.r = { buf, pos: 9 }
  }

  /** Bytes read so far (INFO loading_loaded_bytes). */
  get pos(): number {
    return this.r.pos
  }

  /**
   * Reads entries until the EOF (true), or until performance.now() passes `deadline` or
   * `maxKeys` keys were read, a multiple of KEYS_PER_CLOCK_CHECK (false: call again).
   * Throws RdbFormatError as loadRdb does.
   */
  step(deadline: number, maxKeys = Infinity): boolean {
    const { buf, r, target, now, result } = this
    let db = this.db
    let expireAt: number | bigint | undefined
    let untilClockCheck = KEYS_PER_CLOCK_CHECK
    let keysLeft = maxKeys
    for (;;) {
      if (r.pos >= buf.length) corrupt('truncated')
      const type = buf[r.pos++]
      switch (type) {
        case OP_EXPIRETIME_MS: {
          // Read as two halves: a bigint per volatile key is only needed past 2^53 ms.
          const p = r.pos
          bytes(r, 8)
          const at = buf.readInt32LE(p + 4) * 4294967296 + buf.readUInt32LE(p)
          expireAt = Number.isSafeInteger(at) ? at : buf.readBigInt64LE(p)
          continue
        }
        case OP_EXPIRETIME:
          expireAt = bytes(r, 4).readInt32LE(0) * 1000
          continue
        case OP_IDLE:
          len(r)
          continue
        case OP_FREQ:
          bytes(r, 1)
          continue
        case OP_SELECTDB:
          db = len(r)
          if (db >= target.databases) corrupt(`Data file was created with a Redis server configured to handle more than ${target.databases} databases`)
          continue
        case OP_RESIZEDB: {
          // A key takes 3 bytes at least (type, key length, value): a corrupt hint
          // cannot make the target reserve more than the file can hold.
          const most = (buf.length - r.pos) / 3
          const keys = Math.min(len(r), most)
          const volatile = Math.min(len(r), keys)
          target.reserve?.(db, keys, volatile)
          continue
        }
        case OP_AUX: {
          const k = str(r)
          const v = str(r)
          result.aux.set(k, v)
          if (k === 'redis-ver') result.version = v
          continue
        }
        case OP_MODULE_AUX:
          corrupt('The RDB file contains AUX module data I can\'t load: respite has no modules')
        case OP_FUNCTION2:
          target.library(str(r))
          continue
        case OP_FUNCTION_PRE_GA:
          corrupt('Pre-release function format not supported')
        case OP_EOF: {
          if (this.version >= 5) {
            const at = r.pos
            const stored = bytes(r, 8).readBigUInt64LE(0)
            if (stored !== 0n && this.crc.update(buf, this.crcPos, at).value !== stored) corrupt('Wrong RDB checksum')
          }
          result.length = r.pos
          return true
        }
      }
      if (!isObjectType(type)) corrupt(`Unknown RDB type ${type}`)
      const key = str(r)
      const value = type === 0 ? str(r) : readObject(r, type)
      const at = expireAt
      expireAt = undefined
      if (at !== undefined && at <= now) {
        result.expired++
      } else {
        target.add(db, key, value, at)
        result.keys++
      }
      // Only here, between keys, is there no expiry time read and not yet used.
      if (--untilClockCheck === 0) {
        untilClockCheck = KEYS_PER_CLOCK_CHECK
        if ((keysLeft -= KEYS_PER_CLOCK_CHECK) <= 0 || performance.now() >= deadline) {
          this.db = db
          this.crc.update(buf, this.crcPos, r.pos)
          this.crcPos = r.pos
          return false
        }
      }
    }
  }
}
