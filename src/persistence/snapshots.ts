import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { LoadSteps, Loading } from './loading.js'
import type { Server } from '../server/server.js'
import type { Database } from '../store/database.js'
import type { StoredValue } from '../store/types.js'
import { BackgroundSave } from './background-save.js'
import { KEYS_PER_CLOCK_CHECK, RdbFormatError, RdbLoad, snapshotChunks, type LoadResult, type SnapshotOptions, type SnapshotStats } from './rdb-file.js'

/**
 * The server's RDB snapshots: SAVE and BGSAVE writing `dir`/`dbfilename`,
 * the start-up load, the `save <seconds> <changes>` points checked by housekeeping,
 * and the counters INFO persistence reports.
 */
export class Snapshots {
  /** Unix time (s) of the last successful save, or of start-up. */
  lastSave: number
  /** server.dirty as of the last successful save: the changes since are the difference. */
  private dirtyAtSave = 0
  /** Saves attempted (INFO rdb_saves). */
  saves = 0
  lastBgsaveOk = true
  lastBgsaveSeconds = -1
  private lastBgsaveTry = 0
  loadedKeys = 0
  /** What the last background save kept of keys changed during it (INFO rdb_last_cow_size). */
  lastCowBytes = 0
  loadExpiredKeys = 0

  constructor(private readonly server: Server) {
    this.lastSave = Math.floor(server.stats.startTime / 1000)
  }

  /** stop-writes-on-bgsave-error: the last background save failed and save points are set. */
  get writesRefused(): boolean {
    const config = this.server.config
    return !this.lastBgsaveOk && config.get('stop-writes-on-bgsave-error') === 'yes' && config.get('save') !== ''
  }

  get changesSinceSave(): number {
    return this.server.dirty - this.dirtyAtSave
  }

  get path(): string {
    const config = this.server.config
    return join(config.get('dir'), config.get('dbfilename'))
  }

  /** The configured save points as [seconds, changes] pairs (none: `save ""`). */
  savePoints(): [number, number][] {
    const w = this.server.config.get('save').split(' ').filter((x) => x !== '')
    const out: [number, number][] = []
    for (let i = 0; i + 1 < w.length; i += 2) out.push([Number(w[i]), Number(w[i + 1])])
    return out
  }

  /**
   * Writes the snapshot to a temporary file in `dir`, syncs it and renames it over
   * `dbfilename`, so a crash mid-save leaves the previous file intact. Logs and
   * returns false on failure.
   */
  save(counted = true): boolean {
    const server = this.server
    const config = server.config
    const dir = config.get('dir')
    const temp = join(dir, `temp-${process.pid}.rdb`)
    const stats: SnapshotStats = { keys: 0 }
    // Redis's rdb_saves counts attempts, failed ones included (not FLUSHALL's save).
    if (counted) this.saves++
    let fd: number | null = null
    try {
      fd = openSync(temp, 'w')
      const chunks = snapshotChunks(server.store.dbs, this.options(), stats)
      for (const chunk of chunks) {
        let off = 0
        while (off < chunk.length) off += writeSync(fd, chunk, off)
      }
      fsyncSync(fd)
      closeSync(fd)
      fd = null
      renameSync(temp, this.path)
    } catch (e) {
      if (fd !== null) closeSync(fd)
      rmSync(temp, { force: true })
      server.log('warning', `Failed saving the DB: ${(e as Error).message}`)
      return false
    }
    server.log('notice', 'DB saved on disk')
    this.dirtyAtSave = server.dirty
    this.lastSave = Math.floor(Date.now() / 1000)
    return true
  }

  /**
   * FLUSHALL with save points set saves the empty dataset at once, as Redis does, so a
   * restart does not bring the flushed keys back.
   */
  afterFlushAll(): void {
    // Redis kills its saving child here: the image of what was just flushed would
    // otherwise land on disk after the flush, and a restart bring the keys back.
    this.abortBackground('Background saving aborted by FLUSHALL')
    if (this.savePoints().length > 0) this.save(false)
  }

  /** The background save in progress (INFO rdb_bgsave_in_progress), or null. */
  background: BackgroundSave | null = null
  /** When it started, in ms (rdb_current_bgsave_time_sec). */
  backgroundStarted = 0
  /** BGSAVE in EXEC: started by the next housekeeping round, as Redis's cron does. */
  private scheduled = false

  /**
   * BGSAVE: starts writing the snapshot from the event loop (background-save.ts) and
   * returns at once. False when one is in progress already. The outcome shows in the
   * log and INFO persistence, as for Redis's child.
   */
  backgroundSave(): boolean {
    if (this.background !== null) return false
    const server = this.server
    const config = server.config
    const started = Date.now()
    this.scheduled = false
    this.lastBgsaveTry = Math.floor(started / 1000)
    this.saves++
    // The image is of this moment: the changes it holds are those counted so far.
    const dirty = server.dirty
    const save: BackgroundSave = new BackgroundSave({
      ...this.options(),
      temp: join(config.get('dir'), `temp-bg-${process.pid}.rdb`),
      path: this.path,
      dbs: server.store.dbs,
      keyDelay: config.int('rdb-key-save-delay'),
      done: (error) => this.backgroundDone(save, error, dirty),
    })
    server.log('notice', `Background saving started by pid ${process.pid}`)
    this.background = save
    this.backgroundStarted = started
    if (!save.start()) return true
    server.saving = save
    for (const db of server.store.dbs) db.saving = save
    return true
  }

  /** BGSAVE inside a transaction: Redis schedules it rather than starting it from EXEC. */
  scheduleBackgroundSave(): void {
    this.scheduled = true
  }

  private backgroundDone(save: BackgroundSave, error: Error | null, dirty: number): void {
    if (this.background !== save) return
    this.unhook()
    this.lastCowBytes = save.cowBytes
    const server = this.server
    const now = Date.now()
    this.lastBgsaveSeconds = Math.floor(now / 1000) - Math.floor(this.backgroundStarted / 1000)
    if (error === null) {
      server.log('notice', 'DB saved on disk')
      server.log('notice', 'Background saving terminated with success')
      this.dirtyAtSave = dirty
      this.lastSave = Math.floor(now / 1000)
      this.lastBgsaveOk = true
    } else {
      server.log('warning', `Write error saving DB on disk: ${error.message}`)
      server.log('warning', 'Background saving error')
      this.lastBgsaveOk = false
    }
  }

  /**
   * Stops a background save, removing its temporary file: SHUTDOWN and FLUSHALL do,
   * as Redis kills its child for them, and closing an embedded server. The last
   * status stays as it was, as after Redis's SIGUSR1.
   */
  abortBackground(reason: string): void {
    const save = this.background
    if (save === null) return
    this.server.log('warning', reason)
    this.unhook()
    save.abort()
    this.lastBgsaveSeconds = Math.floor(Date.now() / 1000) - Math.floor(this.backgroundStarted / 1000)
  }

  private unhook(): void {
    this.background = null
    this.server.saving = null
    for (const db of this.server.store.dbs) db.saving = null
  }

  /** From housekeeping: saves once a save point's changes and seconds have both passed. */
  checkSavePoints(): void {
    // One background job at a time, as Redis runs one child: an AOF rewrite goes first.
    if (this.background !== null || this.server.aof?.rewriteInProgress === true) return
    const now = Math.floor(Date.now() / 1000)
    // A scheduled BGSAVE waits out the 5 s retry delay after a failure, as Redis's does.
    if (this.scheduled && (now - this.lastBgsaveTry > 5 || this.lastBgsaveOk)) {
      this.backgroundSave()
      return
    }
    const changes = this.changesSinceSave
    if (changes === 0) return
    for (const [seconds, needed] of this.savePoints()) {
      // After a failed save, retry no sooner than 5 s later, as Redis does.
      if (changes >= needed && now - this.lastSave > seconds && (now - this.lastBgsaveTry > 5 || this.lastBgsaveOk)) {
        this.server.log('notice', `${needed} changes in ${seconds} seconds. Saving...`)
        this.backgroundSave()
        return
      }
    }
  }

  /** What every snapshot is written with: the rdb* settings, the function libraries' code, used_memory. */
  options(): SnapshotOptions {
    const server = this.server
    const config = server.config
    const registry = server.scriptingIfStarted?.functionsIfLoaded
    return {
      compress: config.get('rdbcompression') === 'yes',
      checksum: config.get('rdbchecksum') === 'yes',
      functions: registry === undefined ? [] : [...registry.libraries.values()].map((l) => l.code),
      usedMemory: server.memory.used,
    }
  }

  /**
   * DEBUG RELOAD's load of `dir`/`dbfilename`, when it exists, in one go (Redis blocks
   * there too). Throws an Error whose message says what was wrong. With `merge` (DEBUG
   * RELOAD MERGE), keys and function libraries in the file replace those already there.
   */
  load(merge = false): LoadResult | null {
    const path = this.path
    if (!existsSync(path)) return null
    const started = performance.now()
    const load = new SnapshotLoad(this.server, readFileSync(path), path, merge)
    load.step(Infinity)
    this.logLoaded(started)
    return load.result
  }

  /**
   * The start-up load of `dir`/`dbfilename`, when it exists, a step per event-loop turn
   * (loading.ts). Rejects with an Error whose message says what was wrong; the caller
   * decides whether that is fatal.
   */
  async loadInSteps(loading: Loading): Promise<void> {
    const path = this.path
    if (!existsSync(path)) return
    const started = performance.now()
    const buf = readFileSync(path)
    loading.totalBytes = buf.length
    await loading.run(new SnapshotLoad(this.server, buf, path, false), buf.length)
    this.logLoaded(started)
  }

  private logLoaded(started: number): void {
    this.server.log('notice', `DB loaded from disk: ${((performance.now() - started) / 1000).toFixed(3)} seconds`)
  }

  /** The whole dataset as one RDB image in memory: an AOF rewrite's base (aof-use-rdb-preamble). */
  image(): Buffer {
    return Buffer.concat([...snapshotChunks(this.server.store.dbs, { ...this.options(), aofBase: true })])
  }
}

/**
 * An RDB image (a dump.rdb, or the preamble of an AOF base file, which commands may
 * follow: result.length tells where the image ends) loaded into the databases in
 * steps (RdbLoad). `name` is for messages. On error the data is emptied and an Error
 * thrown with Redis's message.
 */
export class SnapshotLoad implements LoadSteps {
  private readonly rdb: RdbLoad
  private readonly batch: KeyBatch
  private readonly codes: string[] = []
  /** The whole image is read (the last keys may not be stored yet). */
  private read = false
  /** The batch is full, or the image read: its keys are being stored. */
  private flushing = false

  constructor(
    private readonly server: Server,
    buf: Buffer,
    private readonly name: string,
    private readonly merge: boolean,
  ) {
    const batch = (this.batch = new KeyBatch(server.store.dbs, merge))
    const codes = this.codes
    try {
      this.rdb = new RdbLoad(buf, {
        databases: server.store.dbs.length,
        add: (db, key, value, at) => batch.add(db, key, value, at),
        library: (code) => codes.push(code),
        reserve: (db, keys, volatile) => {
          const d = server.store.dbs[db]
          d.keys.reserve(keys)
          d.expires.reserve(volatile)
        },
      })
    } catch (e) {
      throw this.failed(e)
    }
  }

  get pos(): number {
    return this.rdb.pos
  }

  get usedMem(): number {
    return Number(this.rdb.result.aux.get('used-mem') ?? 0) || 0
  }

  get result(): LoadResult {
    return this.rdb.result
  }

  step(deadline: number): boolean {
    const server = this.server
    const batch = this.batch
    try {
      // Reading fills the batch, then storing empties it, each stopping at the deadline.
      for (;;) {
        if (this.flushing) {
          if (!batch.flush(deadline)) return false
          this.flushing = false
          if (this.read) break
        }
        this.read = this.rdb.step(deadline, batch.room)
        if (this.read || batch.room === 0) this.flushing = true
        else if (performance.now() >= deadline) return false
      }
      if (this.codes.length > 0) server.scripting.functions.restoreCodes(this.codes, this.merge ? 'REPLACE' : 'APPEND')
    } catch (e) {
      throw this.failed(e)
    }
    const result = this.rdb.result
    if (result.version !== null) server.log('notice', `Loading RDB produced by version ${result.version}`)
    const ctime = Number(result.aux.get('ctime'))
    if (Number.isFinite(ctime)) server.log('notice', `RDB age ${Math.max(0, Math.floor(Date.now() / 1000) - ctime)} seconds`)
    const mem = Number(result.aux.get('used-mem'))
    if (Number.isFinite(mem)) server.log('notice', `RDB memory usage when created ${(mem / 1024 / 1024).toFixed(2)} Mb`)
    server.log('notice', `Done loading RDB, keys loaded: ${result.keys}, keys expired: ${result.expired}.`)
    server.snapshots.loadedKeys = result.keys
    server.snapshots.loadExpiredKeys = result.expired
    return true
  }

  private failed(e: unknown): Error {
    for (const db of this.server.store.dbs) db.empty()
    return new Error(`Short read or corrupt RDB file ${this.name}: ${(e as Error).message}`)
  }
}

/** Keys a load holds before storing them; the first batch is small, for small files. */
const LOAD_BATCH = 1 << 18
const FIRST_BATCH = 1 << 12

/**
 * The keys of a load, stored into the databases a batch at a time rather than each as
 * it is read: measured on a million-key snapshot, the whole load takes 10-20% less
 * CPU that way (the keyspace Map's inserts run back to back, on keys the collector
 * has already moved out of the young generation). Order is kept, so a repeated key
 * is found just as it would be one at a time. Storing a full batch takes some 150 ms,
 * so flush() can do it in steps too.
 */
class KeyBatch {
  private n = 0
  /** Keys before this one are stored already (a flush left off at its deadline). */
  private stored = 0
  private db = new Int32Array(FIRST_BATCH)
  private keys = new Array<string>(FIRST_BATCH)
  private values = new Array<StoredValue>(FIRST_BATCH)
  private expiries = new Array<number | bigint | undefined>(FIRST_BATCH)

  constructor(
    private readonly dbs: readonly Database[],
    private readonly merge: boolean,
  ) {}

  /** Keys that can be added before a flush, in whole clock-check rounds (see RdbLoad.step). */
  get room(): number {
    const left = this.db.length - this.n
    return left - (left % KEYS_PER_CLOCK_CHECK)
  }

  add(db: number, key: string, value: StoredValue, at: number | bigint | undefined): void {
    // A load stops reading at `room` and flushes in steps; this is for any other caller.
    if (this.n === this.db.length) this.flush(Infinity)
    const i = this.n++
    this.db[i] = db
    this.keys[i] = key
    this.values[i] = value
    this.expiries[i] = at
  }

  /** Stores the keys held until performance.now() passes `deadline`; true once all are. */
  flush(deadline: number): boolean {
    const n = this.n
    let i = this.stored
    let untilClockCheck = KEYS_PER_CLOCK_CHECK
    for (; i < n; i++) {
      if (--untilClockCheck === 0) {
        untilClockCheck = KEYS_PER_CLOCK_CHECK
        if (performance.now() >= deadline) {
          this.stored = i
          return false
        }
      }
      const d = this.dbs[this.db[i]]
      const key = this.keys[i]
      const value = this.values[i]
      // Keys.set and add store each string as every write does (keys.ts), so a load needs no special case later.
      if (this.merge) d.keys.set(key, value)
      else if (!d.keys.add(key, value)) throw new RdbFormatError(`Duplicate key '${key}' in the RDB file`)
      const at = this.expiries[i]
      if (at !== undefined) {
        if (typeof at === 'bigint') {
          if (d.exactExpires === null) d.exactExpires = new Map()
          d.exactExpires.set(key, at)
        }
        d.expires.set(key, Number(at))
      }
    }
    this.n = 0
    this.stored = 0
    if (this.db.length < LOAD_BATCH) {
      this.db = new Int32Array(LOAD_BATCH)
      this.keys = new Array<string>(LOAD_BATCH)
      this.values = new Array<StoredValue>(LOAD_BATCH)
      this.expiries = new Array<number | bigint | undefined>(LOAD_BATCH)
    }
    return true
  }
}
