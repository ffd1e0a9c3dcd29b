import { performance } from 'node:perf_hooks'
import { closeSync, fsync, linkSync, openSync, renameSync, rmSync, unlink, write } from 'node:fs'
import type { CommandSpec } from '../commands/spec.js'
import { keyIndexes } from '../commands/table.js'
import type { Database, SaveHook } from '../store/database.js'
import type { HeldValue, Keys } from '../store/keys.js'
import { hashOf } from '../store/key-table.js'
import type { SpaceWalk } from '../store/keyspace.js'
import type { Expiries } from '../store/expiries.js'
import { MutableString, type KeyspaceValue } from '../store/types.js'
import { ReplyWriter } from '../resp/writer.js'
import { Crc64 } from '../util/crc64.js'
import { rewriteKey, writeCommand } from './aof-rewrite.js'
import { writeEof, writeExpiry, writeHeldKey, writePreamble, writeSelect, type SnapshotOptions } from './rdb-file.js'
import { BigValue, commandSteps, isBig, type Steps } from './rdb-steps.js'
import { RdbWriter } from './rdb-values.js'

/**
 * BGSAVE without a fork: the snapshot is written from the event loop in short slices
 * while clients keep being served, and still shows the data as it was when the save
 * started. Consistency comes from copy-on-write at key granularity, as Dragonfly's
 * snapshots do it: a key about to change (a write command naming it, an expiry, a
 * flush) that the save has not written yet is written first, with its value and TTL
 * of before the change, and remembered as settled so the walk over the keyspace skips
 * it later. A key created during the save is settled unwritten: it is not part of the
 * image. No value is copied in memory: an old value goes to the file at once. What
 * the save holds is the set of settled keys (some 16 MB per million keys, see
 * SettledKeys), since a Map iterator cannot tell whether it has passed a key.
 *
 * A big value (a list of a million elements) would stall clients for as long as it
 * takes to write, so the walk writes it in steps across slices (rdb-steps.ts), the
 * file's other bytes waiting for it: a key written out of turn meanwhile goes to a
 * side buffer that follows the big key into the file. A command about to change the
 * big key itself makes the save copy what the steps still read, where that is cheap
 * (the rest of a list or set, a byte string), or else run the rest of the steps at
 * once (hashes, sorted sets, streams): a stall, but only on such a conflict. Either
 * way the value in the file is that of the start.
 *
 * An AOF rewrite's base is the same walk (aof.ts), written as an RDB image or, with
 * `commands`, as the commands that rebuild each key.
 *
 * The walk is a live walk of the key tables (keyspace.ts), which survives inserts and
 * deletes: a deleted key was written before it went, and a key inserted behind the
 * walk was settled when it was created. Eviction needs no hook: respite evicts nothing (past
 * maxmemory it refuses writes, as under noeviction).
 */

/** One database as it was when the save started. */
interface View {
  index: number
  /**
   * The tables that held its keys. A view follows them, not the database number:
   * SWAPDB moves them to another Database, FLUSHDB leaves them to the save alone.
   */
  keys: Keys
  expires: Expiries
  /** The Database holding `keys` when last seen; null once a flush detached them. */
  owner: Database | null
  /** exactExpires as the flush left it, for a detached view. */
  exact: Map<string, bigint> | null
  sizes: { keys: number; volatile: number }
  /** RESIZEDB goes with the first SELECTDB of the database only. */
  resized: boolean
  /** The walk of the tables that held its keys at the start. */
  walk: SpaceWalk<HeldValue>
  /** Keys already written, or created since the start; null once the walk is past the view. */
  settled: SettledKeys | null
}

export interface BackgroundSaveOptions extends SnapshotOptions {
  temp: string
  path: string
  dbs: readonly Database[]
  /**
   * rdb-key-save-delay: microseconds to spend per key, as Redis's child sleeps, so
   * tests can hold a save open. 0 (or less) for none.
   */
  keyDelay: number
  /** Write the keys as commands (an AOF base without the RDB preamble) rather than as an RDB image. */
  commands?: boolean
  /** Told once, when the file is in place (null) or the save failed (the error). */
  done(error: Error | null): void
}

/** Bytes gathered in the writer before a slice hands them to the file. */
const FLUSH_AT = 64 << 10
/** Bytes given to fs.write and not yet written, past which the walk waits for the disk. */
const MAX_PENDING = 8 << 20
/**
 * Bytes of keys written out of turn that may wait behind a big key; past them the big
 * key is finished at once, so the side buffer stays bounded.
 */
const MAX_SIDE = 32 << 20
/** One slice's longest budget, in ms, and the least worth running; see slice(). */
const MAX_SLICE = 0.25
const MIN_SLICE = 0.1
/** Less work than this (ms) between two turns means the loop had nothing else to do. */
const IDLE_WORK = 0.05

/**
 * The keys a view has settled: 64 open-addressing tables of key strings (linear
 * probing), picked by a hash of the key. Sets growing by doubling allocated some 40 MB
 * per million keys, half of it garbage by the end, and in the old generation, where it
 * brings on mark-compacts of the whole heap (pauses of 20-40 ms with a million keys)
 * in the middle of a save under load. A table here is one array sized
 * for the view at the start (8 bytes per slot, at most 70% full; at a million keys
 * 256 KB each, allocated straight in the large-object space rather than copied by
 * scavenges), so a save that creates few keys allocates nothing more. One that
 * creates many grows a shard at a time, a 64th of the work, where a single table's
 * doubling would stall the loop for tens of ms.
 */
class SettledKeys {
  private readonly shards: (string | undefined)[][] = []
  private readonly counts = new Int32Array(64)

  constructor(expected: number) {
    let size = 16
    while (size * 0.7 < expected / 64 + 16) size *= 2
    for (let i = 0; i < 64; i++) this.shards.push(new Array<string | undefined>(size))
  }

  /** Adds the key; false when it was there already. */
  add(key: string): boolean {
    const h = hashOf(key)
    const shard = h >>> 26
    let table = this.shards[shard]
    const mask = table.length - 1
    let i = h & mask
    for (let k = table[i]; k !== undefined; k = table[i]) {
      if (k === key) return false
      i = (i + 1) & mask
    }
    if (++this.counts[shard] > table.length * 0.7) {
      table = this.shards[shard] = grown(table)
      i = freeSlot(table, h)
    }
    table[i] = key
    return true
  }
}

/** The table twice the size, with the same keys. */
function grown(table: (string | undefined)[]): (string | undefined)[] {
  const out = new Array<string | undefined>(table.length * 2)
  for (const k of table) if (k !== undefined) out[freeSlot(out, hashOf(k))] = k
  return out
}

function freeSlot(table: (string | undefined)[], h: number): number {
  const mask = table.length - 1
  let i = h & mask
  while (table[i] !== undefined) i = (i + 1) & mask
  return i
}

type State = 'running' | 'closing' | 'finished'

export class BackgroundSave implements SaveHook {
  /** Keys written so far, and keys in the image (INFO current_save_keys_*). */
  keysWritten = 0
  readonly keysTotal: number
  /**
   * Bytes of keys written out of turn because they were about to change: what the
   * save kept of the old data, as a fork's copy-on-write keeps pages (INFO *_cow_size).
   */
  cowBytes = 0
  /** Bytes handed to the file so far. */
  size = 0

  private readonly w: RdbWriter
  private readonly crc = new Crc64()
  private readonly views: View[] = []
  private readonly byKeys = new Map<Keys, View>()
  /** Index in `views` of the database the walk is in. */
  private current = 0
  /** The database of the last SELECTDB written, so a key written out of turn selects its own. */
  private selected = -1
  private state: State = 'running'
  private fd: number | null = null
  private queue: Buffer[] = []
  /** Bytes of queue[0] already written. */
  private written = 0
  private writing = false
  private pending = 0
  /** The next turn, from setImmediate or (immediateIsTimer) from a timer. */
  private immediate: NodeJS.Immediate | NodeJS.Timeout | null = null
  private immediateIsTimer = false
  /** The loop's utilisation when the last turn ended, to see what it did since. */
  private elu = performance.eventLoopUtilization()
  /** Time (ms) the save may still spend: see slice(). */
  private credit = 0
  /** The loop looks idle: turns follow each other from setImmediate, slices whole. */
  private burst = false
  /** The command form's encoder for structured values (RESP3), and the time keys expire against. */
  private readonly structured: ReplyWriter | null = null
  private readonly started = Date.now()
  /** The big key being written in steps by the walk, if any. */
  private partial: { view: View; key: string; steps: Steps; value: BigValue | null } | null = null
  /** Keys written out of turn while `partial` is open, in the order they go after it. */
  private side: RdbWriter | null = null
  private sideChunks: Buffer[] = []
  private sideBytes = 0

  constructor(private readonly opts: BackgroundSaveOptions) {
    this.w = new RdbWriter(opts.compress)
    if (opts.commands === true) {
      this.structured = new ReplyWriter(256)
      this.structured.proto = 3
    }
    let total = 0
    for (const db of opts.dbs) {
      if (db.size === 0) continue
      const view: View = {
        index: db.index,
        keys: db.keys,
        expires: db.expires,
        owner: db,
        exact: null,
        sizes: { keys: db.size, volatile: db.expires.size },
        resized: false,
        walk: db.keys.walk(),
        settled: new SettledKeys(db.size),
      }
      total += db.size
      this.views.push(view)
      this.byKeys.set(db.keys, view)
    }
    this.keysTotal = total
  }

  /**
   * Opens the temporary file (a small synchronous call: a failure shows at once, as
   * Redis's child failing to open shows in the next cron) and starts the walk. The
   * caller installs the hooks (Server.saving, Database.saving) when this returns true.
   */
  start(): boolean {
    try {
      this.fd = openSync(this.opts.temp, 'w')
    } catch (e) {
      this.state = 'finished'
      this.opts.done(e as Error)
      return false
    }
    if (this.structured === null) writePreamble(this.w, this.opts)
    // Functions come first, as in Redis's rewrite: FCALLs later in the file need them.
    else for (const code of this.opts.functions) writeCommand(this.w, ['FUNCTION', 'LOAD', code], this.structured)
    this.elu = performance.eventLoopUtilization()
    this.schedule()
    return true
  }

  // --- Copy-on-write hooks ------------------------------------------------------------

  /**
   * The dispatcher, before a command that may change keys runs (a write command, or
   * one whose key spec says RW, as PFCOUNT's cache update): its keys keep their
   * current value in the image. Scripts' redis.call and EXEC's commands come here one
   * by one, so keys a script did not declare are covered too.
   */
  beforeCommand(spec: CommandSpec, db: Database, argv: string[]): void {
    if (this.state !== 'running') return
    if (spec.writes !== true && spec.keyFlags?.[0] !== 'RW') return
    let keys: number[]
    try {
      keys = keyIndexes(spec, argv)
    } catch {
      // A bad numkeys: the command fails without touching a key.
      return
    }
    for (const i of keys) if (i > 0 && i < argv.length) this.preserve(db, argv[i])
    // The two commands that name a key of another database (MOVE's target, COPY ... DB).
    const name = spec.fullName
    if (name === 'move' || name === 'copy') {
      let target: string | undefined
      if (name === 'move') target = argv[2]
      else for (let i = 3; i + 1 < argv.length; i++) if (argv[i].toLowerCase() === 'db') target = argv[i + 1]
      const index = target === undefined ? NaN : Number(target)
      const other = Number.isInteger(index) ? this.opts.dbs[index] : undefined
      if (other !== undefined) this.preserve(other, name === 'move' ? argv[1] : argv[2])
    }
  }

  /**
   * `key` of `db` is about to change or go: write it now unless already settled. A key
   * that does not exist is settled too, so that, created, it stays out of the image.
   */
  preserve(db: Database, key: string): void {
    if (this.state !== 'running') return
    const view = this.byKeys.get(db.keys)
    if (view === undefined) return
    const partial = this.partial
    if (partial !== null && partial.key === key && partial.view === view) {
      // Copying what is left of a list or set (pointers) beats writing it all now.
      if (partial.value?.detach() !== true) this.finishPartial()
      return
    }
    const settled = view.settled
    if (settled === null || !settled.add(key)) return
    view.owner = db
    const value = view.keys.held(key)
    if (value === undefined) return
    const w = this.partial === null ? this.w : (this.side ??= new RdbWriter(this.opts.compress))
    const before = w.pos
    this.writeOne(view, key, value, w)
    this.cowBytes += w.pos - before
    if (w === this.side) {
      this.sideBytes += w.pos - before
      if (w.pos >= FLUSH_AT) this.sideChunks.push(w.take())
      if (this.sideBytes >= MAX_SIDE) this.finishPartial()
    }
  }

  /**
   * FLUSHDB (or FLUSHALL, which aborts the save first, as Redis kills its child) is
   * about to empty `db`: the database gets new tables and the save keeps the old
   * ones, which nothing changes any more. O(1), where writing the rest at once would
   * stall every client for the whole remaining save.
   */
  emptying(db: Database): void {
    if (this.state !== 'running') return
    const view = this.byKeys.get(db.keys)
    if (view === undefined || view.settled === null) return
    view.exact = db.exactExpires
    view.owner = null
    db.detachContents()
  }

  // --- The walk -----------------------------------------------------------------------

  private schedule(): void {
    if (this.immediate === null && this.state === 'running' && this.pending < MAX_PENDING) {
      // With a key delay, a slice writes a millisecond's worth of keys and waits one.
      this.immediateIsTimer = this.opts.keyDelay > 0 || !this.burst
      if (this.opts.keyDelay > 0) this.immediate = setTimeout(() => this.slice(), 1)
      else if (this.burst) this.immediate = setImmediate(() => this.slice())
      else this.immediate = setTimeout(() => this.slice(), 0)
    }
  }

  /**
   * One turn of the walk. The save earns a fifth of the time the loop spends on
   * clients and timers (eventLoopUtilization), and half of the time it spent waiting,
   * and spends it in slices of MIN_SLICE..MAX_SLICE from a timer: under full load it
   * takes a sixth of the loop, and a request waits at most a slice longer; a slice that
   * overran is paid back by skipped turns. With 50 clients, what the save takes from
   * the loop shows in p99 more than the slices do (scripts/bench/bgsave.mjs, SET at 1M
   * keys: a third and 0.25 ms slices gave 2.1x the p99 without a save, a fifth
   * 1.9-2.0x, the save taking 4 s instead of 2.4). Without the idle time, a save with
   * one client pinging crawled at a fifth of that client's load: a million keys took
   * 17 s (3.2 s with it, 0.8 s on an idle server).
   * When the loop waited for the timer with nothing to do, turns run back to back from
   * setImmediate, until one finds that the loop had work meanwhile. A big value (a
   * list of a million elements) goes a step at a time like keys do (rdb-steps.ts).
   */
  private slice(): void {
    this.immediate = null
    if (this.state !== 'running') return
    try {
      this.walk()
    } catch (e) {
      // A bug in an encoder: the save fails (and says why) rather than the server.
      this.fail(e as Error)
    }
  }

  private walk(): void {
    const started = performance.now()
    const since = performance.eventLoopUtilization(this.elu)
    this.burst = since.active < IDLE_WORK && (this.burst || since.idle > 0.5)
    this.credit = Math.min(MAX_SLICE, this.credit + since.active / 5 + since.idle / 2)
    if (!this.burst && this.credit < MIN_SLICE) {
      this.elu = performance.eventLoopUtilization()
      this.schedule()
      return
    }
    const budget = this.burst ? MAX_SLICE : this.credit
    const w = this.w
    const delay = this.opts.keyDelay
    const most = delay > 0 ? Math.max(1, Math.floor(1000 / delay)) : Infinity
    let n = 0
    while (n < most) {
      if (this.partial !== null) {
        if (this.partial.steps.next().done === true) this.closePartial()
        // The key delay holds a big key open too, a step costing what a key does.
        if (delay > 0) n++
        if (w.pos >= FLUSH_AT * 4 || performance.now() - started >= budget) break
        continue
      }
      if (this.current === this.views.length) break
      const view = this.views[this.current]
      const key = view.walk.step()
      if (key === undefined) {
        view.settled = null
        this.current++
        continue
      }
      if (view.settled!.add(key)) this.writeOne(view, key, view.walk.value!, w, true)
      if ((++n & 7) === 0 && (w.pos >= FLUSH_AT * 4 || performance.now() - started >= budget)) break
    }
    if (this.current === this.views.length && this.partial === null) {
      this.finishFile()
    } else {
      if (w.pos >= FLUSH_AT) this.flush()
      this.schedule()
    }
    if (!this.burst) this.credit -= performance.now() - started
    this.elu = performance.eventLoopUtilization()
  }

  /**
   * Writes a key to `w`: the file's writer, or the side buffer while a big key is
   * open. `walk`: the walk reached it, and a big value may go in steps (a key written
   * out of turn is about to change, so it goes at once).
   */
  private writeOne(view: View, key: string, value: HeldValue, w: RdbWriter, walk = false): void {
    if (this.structured !== null) return this.writeCommands(view, key, view.keys.value(value), w, walk)
    if (this.selected !== view.index) {
      writeSelect(w, view.index, view.resized ? null : view.sizes)
      view.resized = true
      this.selected = view.index
    }
    this.keysWritten++
    const at = this.expireAt(view, key)
    if (walk && typeof value !== 'number' && isBig(value)) {
      writeExpiry(w, at)
      const big = new BigValue(w, key, value)
      this.partial = { view, key, steps: big.steps, value: big }
    } else {
      // Mid-sized strings go from their slots: making a JS string of each was a tenth
      // of a save of 16-byte values.
      writeHeldKey(w, view.keys.strings, key, value, at)
    }
  }

  private writeCommands(view: View, key: string, value: KeyspaceValue, w: RdbWriter, walk: boolean): void {
    const at = this.expireAt(view, key)
    this.keysWritten++
    // Already expired when the rewrite started: not part of the image.
    if (at !== undefined && at <= this.started) return
    if (this.selected !== view.index) {
      writeCommand(w, ['SELECT', String(view.index)], this.structured!)
      this.selected = view.index
    }
    // A string is one SET, so one step: not worth holding open.
    if (walk && typeof value !== 'string' && !(value instanceof MutableString) && isBig(value)) {
      this.partial = { view, key, steps: commandSteps(w, key, value, at, this.structured!), value: null }
    } else {
      for (const argv of rewriteKey(key, value, at)) writeCommand(w, argv, this.structured!)
    }
  }

  /**
   * Runs the open big key's remaining steps at once: it is about to change (its
   * bytes count as kept for the change, cowBytes), or the side buffer is full. Called
   * from a command's hooks, so an encoder's failure fails the save, not the command.
   */
  private finishPartial(): void {
    const partial = this.partial!
    const w = this.w
    let bytes = -w.pos
    try {
      while (partial.steps.next().done !== true) {
        if (w.pos >= FLUSH_AT * 4) {
          bytes += w.pos
          this.flush()
        }
      }
    } catch (e) {
      this.fail(e as Error)
      return
    }
    this.cowBytes += bytes + w.pos
    this.closePartial()
  }

  /** The big key is complete: what was written out of turn meanwhile follows it. */
  private closePartial(): void {
    this.partial = null
    const side = this.side
    if (side === null) return
    this.flush()
    for (const chunk of this.sideChunks) this.emit(chunk)
    if (side.pos > 0) this.emit(side.take())
    this.sideChunks = []
    this.sideBytes = 0
  }

  /** The key's expiry time in the view, exact past 2^53 ms as Database.expireAt is. */
  private expireAt(view: View, key: string): number | bigint | undefined {
    if (view.expires.size === 0) return undefined
    const at = view.expires.get(key)
    if (at === undefined || Number.isSafeInteger(at)) return at
    let exact = view.exact
    if (view.owner !== null) {
      // SWAPDB may have moved the tables since the owner was last seen.
      if (view.owner.keys !== view.keys) view.owner = this.opts.dbs.find((d) => d.keys === view.keys) ?? null
      if (view.owner !== null) exact = view.owner.exactExpires
    }
    const e = exact?.get(key)
    return e !== undefined && Number(e) === at ? e : at
  }

  /** Every key is written: the image is complete, later changes are not its concern. */
  private finishFile(): void {
    this.state = 'closing'
    for (const view of this.views) view.settled = null
    this.byKeys.clear()
    if (this.structured !== null) {
      this.flush()
      this.pump()
      return
    }
    writeEof(this.w)
    this.flush()
    const footer = Buffer.alloc(8)
    if (this.opts.checksum) footer.writeBigUInt64LE(this.crc.value)
    this.enqueue(footer)
  }

  private flush(): void {
    if (this.w.pos > 0) this.emit(this.w.take())
  }

  /** The next bytes of the file, in order. */
  private emit(chunk: Buffer): void {
    if (this.opts.checksum) this.crc.update(chunk)
    this.enqueue(chunk)
  }

  private enqueue(chunk: Buffer): void {
    this.queue.push(chunk)
    this.pending += chunk.length
    this.size += chunk.length
    this.pump()
  }

  /** Writes the queue in order, one fs.write at a time; then syncs and renames. */
  private pump(): void {
    if (this.writing || this.fd === null) return
    if (this.queue.length === 0) {
      if (this.state === 'closing') this.complete()
      return
    }
    const chunk = this.queue[0]
    this.writing = true
    write(this.fd, chunk, this.written, chunk.length - this.written, null, (err, n) => {
      this.writing = false
      if (this.state === 'finished') return this.release()
      if (err !== null) return this.fail(err)
      this.written += n
      this.pending -= n
      if (this.written === chunk.length) {
        this.queue.shift()
        this.written = 0
      }
      this.pump()
      this.schedule()
    })
  }

  /**
   * The data is all handed over: sync in the thread pool, then close and rename at
   * once, so that no rename is left in flight for an abort (SHUTDOWN's own save) to
   * race with.
   */
  private complete(): void {
    const fd = this.fd!
    this.writing = true
    fsync(fd, (err) => {
      this.writing = false
      if (this.state === 'finished') return this.release()
      if (err !== null) return this.fail(err)
      // Renaming over the old file frees its blocks there and then (some 8 ms per
      // 30 MB here): a second link keeps them until an unlink in the thread pool.
      const old = `${this.opts.temp}.old`
      let linked = false
      try {
        this.fd = null
        closeSync(fd)
        rmSync(old, { force: true })
        try {
          linkSync(this.opts.path, old)
          linked = true
        } catch {
          // No previous file (or links unsupported): the rename frees nothing, or must.
        }
        renameSync(this.opts.temp, this.opts.path)
      } catch (e) {
        if (linked) unlink(old, () => {})
        return this.fail(e as Error)
      }
      if (linked) unlink(old, () => {})
      this.state = 'finished'
      this.opts.done(null)
    })
  }

  private fail(err: Error): void {
    this.stop()
    this.opts.done(err)
  }

  /**
   * Stops the save and removes its temporary file (SHUTDOWN, FLUSHALL, a failure).
   * `done` is not called for an abort.
   */
  abort(): void {
    if (this.state === 'finished') return
    this.stop()
  }

  private stop(): void {
    this.state = 'finished'
    const next = this.immediate
    if (next !== null) {
      if (this.immediateIsTimer) clearTimeout(next as NodeJS.Timeout)
      else clearImmediate(next as NodeJS.Immediate)
    }
    this.immediate = null
    this.queue = []
    this.pending = 0
    this.partial = null
    this.side = null
    this.sideChunks = []
    this.byKeys.clear()
    for (const view of this.views) view.settled = null
    // Unlinking an open file is fine; the descriptor is closed once no write uses it.
    rmSync(this.opts.temp, { force: true })
    if (!this.writing) this.release()
  }

  private release(): void {
    if (this.fd === null) return
    try {
      closeSync(this.fd)
    } catch {
      // Already failed; nothing more to do with it.
    }
    this.fd = null
  }
}
