import {
  closeSync, existsSync, fdatasync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync,
  statSync, unlink, writeSync,
} from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { ReplyWriter } from '../resp/writer.js'
import type { Loading } from './loading.js'
import type { WriteSink } from '../server/propagation.js'
import type { Server } from '../server/server.js'
import type { Database } from '../store/database.js'
import { AofFileLoad, AofLoadError, LoadStatus } from './aof-load.js'
import { FileType, Manifest, ManifestError, type AofFile } from './aof-manifest.js'
import { header, rewriteKeyspace, type RewriteCommand } from './aof-rewrite.js'
import { BackgroundSave } from './background-save.js'

export { AofLoadError } from './aof-load.js'

/** A connection whose replies the AOF may hold (a Redis client, a memcached connection). */
export interface AofWaiter {
  aofWaiting: boolean
  aofUpTo: number
  releaseFromAof(): void
}

/** A rewrite in progress: its save, the base it writes, and where the writes meanwhile go. */
interface Rewrite {
  save: BackgroundSave
  base: AofFile
  /** The temporary base's name in the directory. */
  temp: string
  /** appendonly being switched on: the temporary incremental file's path. */
  tempIncr: string | null
  why: 'command' | 'auto' | 'enable'
  started: number
}

const enum Fsync {
  Always,
  EverySec,
  No,
}

/** The pending buffer's size to start with, and the most it keeps after a burst. */
const PENDING_INITIAL = 64 * 1024
const PENDING_KEEP = 4 * 1024 * 1024

/** Arguments up to this length are copied into `pending` char by char. */
const SHORT_ARG = 32

/** Bytes of a rewritten base gathered before each write to the file. */
const REWRITE_CHUNK = 1 << 20

/**
 * Redis 7.0's multi-part append-only file, in `dir`/`appenddirname`: a base file (the
 * keyspace as of the last rewrite), incremental files with every write since, and the
 * manifest that lists them. A propagation sink: each write arrives in its replayable
 * form (propagation.ts) and is encoded as a RESP command, preceded by SELECT when the
 * database changes.
 *
 * Encoded commands gather in `pending` (bytes, encoded in place as the reply writer
 * does, with no string per command) and reach the kernel before any reply leaves,
 * so a write that was acknowledged survives the process being killed. As in Redis,
 * whose beforeSleep writes the AOF buffer before it sends replies, the clients served
 * in one event-loop turn keep their replies (holds) until the end of the turn, when
 * one write(2) takes everything they appended. Under `appendfsync always` the replies
 * wait further, until an fdatasync issued after their writes completes: one covers
 * everything appended before it started, so a turn's clients share it (group commit),
 * and it runs on libuv's thread pool, leaving the event loop free to gather the next
 * group. `everysec` syncs from a one-second tick, `no` never.
 */
/**
 * How long a sync under `always` may wait for the rest of its group (see startSync):
 * at most GATHER_MAX_NS in all, and no longer than GATHER_IDLE_NS after the last
 * client joined.
 */
const GATHER_MAX_NS = 1_000_000n
const GATHER_IDLE_NS = 200_000n

export class AppendOnlyFile implements WriteSink {
  private readonly dirPath: string
  private readonly fileName: string
  private manifest = new Manifest()
  private fd = -1
  /** Commands not yet handed to the kernel: `pendingBytes` bytes of `pending`. */
  private pending = Buffer.allocUnsafe(PENDING_INITIAL)
  private pendingBytes = 0
  /** The database the file's last SELECT chose (-1: none yet in this file). */
  private selectedDb = -1
  /** Bytes appended since start-up, pending ones included: what a held reply waits for. */
  private appended = 0
  /** Of those, bytes known to be on disk. */
  private syncedTo = 0
  private syncing = false
  /** Clients waiting when the last `always` sync completed, and when the wait for the next group began (0n: not waiting). */
  private lastGroup = 0
  private gatherSince = 0n
  /** During that wait: how many clients waited at the last look, and when that number last grew. */
  private gatherCount = 0
  private gatherJoined = 0n
  /** A drain of the turn's writes is due (setImmediate). */
  private drainScheduled = false
  /** Clients whose replies wait for the file (Client.aofWaiting). */
  private waiting: AofWaiter[] = []
  /** Descriptors replaced by a rewrite while a sync on them was in flight. */
  private retired: number[] = []
  private policy = Fsync.EverySec
  private lastFsync = Date.now()
  baseSize = 0
  private incrSize = 0
  /** aof_last_write_status, aof_last_bgrewrite_status and friends. */
  lastWriteOk = true
  lastRewriteOk = true
  rewrites = 0
  rewriteFailures = 0
  lastRewriteSeconds = -1
  delayedFsyncs = 0
  /** Set while appendonly is yes. */
  enabled = false
  /** Writes are being logged (appendonly yes, once its first rewrite started). */
  private attached = false
  private readonly encoder = new ReplyWriter(256)

  constructor(private readonly server: Server) {
    const config = server.config
    this.dirPath = resolve(config.get('dir'), config.get('appenddirname'))
    this.fileName = config.get('appendfilename')
    this.configure()
    // Structured values are written in their RESP3 form.
    this.encoder.proto = 3
  }

  /** appendfsync changed (CONFIG SET): takes effect from the next write. */
  configure(): void {
    const policy = this.server.config.get('appendfsync')
    this.policy = policy === 'always' ? Fsync.Always : policy === 'no' ? Fsync.No : Fsync.EverySec
  }

  get currentSize(): number {
    return this.baseSize + this.incrSize
  }

  private get manifestPath(): string {
    return join(this.dirPath, `${this.fileName}.manifest`)
  }

  // --- start-up ---------------------------------------------------------------------

  /**
   * appendonly yes at start-up: loads what the directory holds (after upgrading a
   * Redis 6 single-file AOF), then appends to its last incremental file, creating the
   * base and first incremental file when there were none, as Redis 7.0 does.
   */
  async start(loading: Loading): Promise<void> {
    const server = this.server
    this.upgradeSingleFile()
    if (existsSync(this.manifestPath)) {
      await this.load(loading)
    }
    mkdirSync(this.dirPath, { recursive: true })
    if (this.manifest.base === null && this.manifest.incrs.length === 0) {
      this.rewriteNow('start')
    } else if (this.manifest.incrs.length === 0) {
      const incr = this.newIncr()
      server.log('notice', `Creating AOF incr file ${incr.name} on server start`)
      this.writeManifest()
    } else {
      const last = this.manifest.incrs[this.manifest.incrs.length - 1]
      this.openIncr(last.name)
      server.log('notice', `Opening AOF incr file ${last.name} on server start`)
    }
    this.enabled = true
    this.attach()
  }

  private attach(): void {
    this.attached = true
    this.server.propagation.attach(this)
  }

  /**
   * Replays base and incremental files in manifest order, each through the ordinary
   * command handlers, a step per event-loop turn (loading.ts).
   */
  private async load(loading: Loading): Promise<void> {
    const server = this.server
    let text: string
    try {
      text = readFileSync(this.manifestPath, 'latin1')
    } catch (e) {
      throw new AofLoadError(`Unable to open the AOF manifest file ${this.fileName}.manifest for reading: ${(e as Error).message}`)
    }
    try {
      this.manifest = Manifest.parse(text)
    } catch (e) {
      if (e instanceof ManifestError) throw new AofLoadError(e.message)
      throw e
    }
    const files = this.manifest.loadOrder
    const started = Date.now()
    // loading_total_bytes: every file there is, as Redis counts them before it starts.
    for (const file of files) {
      const path = join(this.dirPath, file.name)
      if (existsSync(path)) loading.totalBytes += statSync(path).size
    }
    for (let i = 0; i < files.length; i++) {
      const file = files[i]
      const path = join(this.dirPath, file.name)
      if (!existsSync(path)) throw new AofLoadError(`The AOF file ${file.name} doesn't exist`)
      const t = Date.now()
      const load = new AofFileLoad(server, path, file.name, i === files.length - 1)
      await loading.run(load, load.length)
      const status = load.status
      const size = statSync(path).size
      if (file.type === FileType.Base) this.baseSize = size
      else this.incrSize += size
      const kind = file.type === FileType.Base ? 'base' : 'incr'
      if (status === LoadStatus.Empty) server.log('notice', `DB loaded from ${kind} file ${file.name}: 0.000 seconds`)
      else server.log('notice', `DB loaded from ${kind} file ${file.name}: ${((Date.now() - t) / 1000).toFixed(3)} seconds`)
    }
    server.log('notice', `DB loaded from append only file: ${((Date.now() - started) / 1000).toFixed(3)} seconds`)
    // Loading is not a change to persist (rdb_changes_since_last_save starts at 0).
    server.dirty = 0
  }

  /**
   * A Redis 6 `appendonly.aof` in `dir` and no manifest: as Redis 7.0 does, the file
   * moves into the AOF directory unchanged as the base, under a manifest that says so.
   */
  private upgradeSingleFile(): void {
    const old = resolve(this.server.config.get('dir'), this.fileName)
    if (existsSync(this.manifestPath) || !existsSync(old) || !statSync(old).isFile()) return
    mkdirSync(this.dirPath, { recursive: true })
    renameSync(old, join(this.dirPath, this.fileName))
    this.manifest = new Manifest()
    this.manifest.base = { name: this.fileName, seq: 1, type: FileType.Base }
    this.writeManifest()
    const dirName = this.server.config.get('appenddirname')
    this.server.log('notice', `Successfully migrated an old-style AOF file (${this.fileName}) into the AOF directory (${dirName}).`)
  }

  // --- appending --------------------------------------------------------------------

  write(db: Database, argv: readonly string[]): void {
    if (db.index !== this.selectedDb) {
      this.selectedDb = db.index
      this.appendCommand(['SELECT', String(db.index)])
    }
    this.appendCommand(argv)
    // Writes no reply waits for (expiry from a timer, a memcached store) still end
    // up in the file at the end of the turn.
    if (!this.drainScheduled) {
      this.drainScheduled = true
      setImmediate(this.drain)
    }
  }

  /** One command in RESP, encoded straight into `pending`. */
  private appendCommand(argv: readonly (string | RewriteCommand[number])[]): void {
    let need = 16
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      need += typeof a === 'string' || a instanceof Uint8Array ? a.length + 16 : 0
    }
    this.reserve(need)
    const start = this.pendingBytes
    let pos = header(this.pending, start, 0x2a, argv.length)
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a instanceof Uint8Array) {
        // A long value as the decoder left it (CommandSpec.bytesValue).
        pos = header(this.pending, pos, 0x24, a.length)
        this.pending.set(a, pos)
        pos += a.length
        this.pending[pos++] = 0x0d
        this.pending[pos++] = 0x0a
        continue
      }
      if (typeof a !== 'string') {
        // A structured value (the mini dialect's SET) in its RESP3 form.
        const encoder = this.encoder
        encoder.reuse()
        encoder.value(a)
        const bytes = encoder.take()
        this.pendingBytes = pos
        this.reserve(bytes.length + need)
        this.pending.set(bytes, pos)
        pos += bytes.length
        continue
      }
      const buf = this.pending
      const n = a.length
      pos = header(buf, pos, 0x24, n)
      // A short argument (a key, a small value) is cheaper copied here than through a
      // native call; our strings hold one byte per char.
      if (n <= SHORT_ARG) for (let j = 0; j < n; j++) buf[pos++] = a.charCodeAt(j)
      else pos += buf.latin1Write(a, pos)
      buf[pos++] = 0x0d
      buf[pos++] = 0x0a
    }
    this.pendingBytes = pos
    this.appended += pos - start
  }

  /** Room for `bytes` more in `pending`, growing it (by doubling) when needed. */
  private reserve(bytes: number): void {
    const used = this.pendingBytes
    if (used + bytes <= this.pending.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.pending.length * 2, used + bytes))
    this.pending.copy(grown, 0, 0, used)
    this.pending = grown
  }

  /** Hands pending commands to the kernel. A failed write is reported in INFO and the log, as Redis does. */
  private writePending(): boolean {
    const n = this.pendingBytes
    if (n === 0 || this.fd < 0) return true
    const latency = this.server.latency
    const started = latency.threshold > 0 ? performance.now() : 0
    try {
      let off = 0
      while (off < n) off += writeSync(this.fd, this.pending, off, n - off)
      if (started > 0) this.noteWrite(performance.now() - started)
      this.pendingBytes = 0
      this.incrSize += n
      // A burst may have grown the buffer a lot; it need not stay that big.
      if (this.pending.length > PENDING_KEEP) this.pending = Buffer.allocUnsafe(PENDING_INITIAL)
      if (!this.lastWriteOk) this.server.log('warning', 'AOF write error looks solved, Redis can write again.')
      this.lastWriteOk = true
      return true
    } catch (e) {
      if (this.lastWriteOk) this.server.log('warning', `Error writing to the AOF file: ${(e as Error).message}`)
      this.lastWriteOk = false
      return false
    }
  }

  /**
   * A write that held the event loop, as Redis's latency monitor files it: under
   * aof-write, and by what else was going on (an fdatasync, a rewrite or background
   * save, or neither).
   */
  private noteWrite(ms: number): void {
    const latency = this.server.latency
    if (this.syncing) latency.add('aof-write-pending-fsync', ms)
    else if (this.rewriting !== null || this.server.saving !== null) latency.add('aof-write-active-child', ms)
    else latency.add('aof-write-alone', ms)
    latency.add('aof-write', ms)
  }

  /**
   * Called by a client about to send replies (Client.flush): true when they must wait
   * for the AOF, which then sends them (Client.releaseFromAof). They wait while writes
   * of this turn are not in the file yet, or, under `always`, not on disk; and behind
   * the client's own earlier replies, so they keep their order.
   */
  holds(client: AofWaiter): boolean {
    const always = this.policy === Fsync.Always
    if (!client.aofWaiting) {
      if (this.pendingBytes === 0 && (!always || this.appended === this.syncedTo)) return false
      // While a script is busy (busy.ts) the turn cannot end; what is answered
      // meanwhile (-BUSY, SCRIPT KILL) depends on no write, as in Redis.
      if (this.server.busy !== null) return false
      client.aofWaiting = true
      this.waiting.push(client)
    }
    client.aofUpTo = this.appended
    if (!this.drainScheduled) {
      this.drainScheduled = true
      setImmediate(this.drain)
    }
    return true
  }

  /**
   * The end of a turn: what it appended goes to the file in one write, then the
   * replies that needed only that go out. Under `always` an fdatasync starts (unless
   * one is running, whose completion starts the next) and its completion sends the
   * replies it covers.
   */
  private readonly drain = (): void => {
    this.drainScheduled = false
    this.writePending()
    if (this.policy !== Fsync.Always) {
      this.release(this.appended - this.pendingBytes)
      return
    }
    this.startSync()
  }

  private startSync(): void {
    if (this.syncing || this.fd < 0) return
    const upTo = this.appended - this.pendingBytes
    if (upTo === this.syncedTo) {
      this.release(upTo)
      return
    }
    // Group commit: the clients the last sync released are sending their next writes
    // now. A sync started before they arrive would cover only the first few, and the
    // rest would wait for the one after; so the start waits (a turn at a time) until as
    // many clients wait as waited on the last sync when it completed. Stragglers cost more than the wait:
    // with two cores, a sync in flight while the event loop serves them completes late
    // (its thread-pool thread, the load generator and the loop all want a core). The wait
    // ends early once no client has joined for GATHER_IDLE_NS, which a closed loop of
    // clients never leaves between two arrivals, so a client that went quiet costs the
    // others little.
    const waiting = this.waiting.length
    if (waiting < this.lastGroup) {
      const now = process.hrtime.bigint()
      if (this.gatherSince === 0n) {
        this.gatherSince = now
        this.gatherJoined = now
        this.gatherCount = waiting
      } else if (waiting !== this.gatherCount) {
        this.gatherJoined = now
        this.gatherCount = waiting
      }
      if (now - this.gatherSince < GATHER_MAX_NS && now - this.gatherJoined < GATHER_IDLE_NS) {
        if (!this.drainScheduled) {
          this.drainScheduled = true
          setImmediate(this.drain)
        }
        return
      }
    }
    this.gatherSince = 0n
    this.syncing = true
    fdatasync(this.fd, (err) => this.synced(err, upTo))
  }

  private synced(err: NodeJS.ErrnoException | null, upTo: number): void {
    this.syncing = false
    for (const fd of this.retired) closeQuietly(fd)
    this.retired = []
    if (err !== null) {
      // Redis cannot keep its promise under `always` once a sync fails: it exits.
      this.lastWriteOk = false
      this.server.log('warning', `Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${err.message}. Exiting...`)
      process.exit(1)
    }
    this.lastFsync = Date.now()
    if (upTo > this.syncedTo) this.syncedTo = upTo
    // The next group: the clients this sync releases and those that arrived during it,
    // which counting only the former would leave a sync behind for good.
    this.lastGroup = this.waiting.length
    this.release(this.policy === Fsync.Always ? this.syncedTo : this.appended - this.pendingBytes)
    // Writes that came in during the sync form the next group.
    if (this.waiting.length !== 0 && !this.drainScheduled) {
      this.writePending()
      this.startSync()
    }
  }

  /** Sends the held replies of every client whose writes are covered up to `upTo`. */
  private release(upTo: number): void {
    const waiting = this.waiting
    if (waiting.length === 0) return
    const still: AofWaiter[] = []
    this.waiting = still
    for (const client of waiting) {
      if (client.aofUpTo <= upTo) client.releaseFromAof()
      else still.push(client)
    }
  }

  /**
   * Housekeeping (every `hz` tick): writes from no client (active expiry) reach the
   * file, `everysec` syncs once a second, off the event loop, and an AOF grown past
   * auto-aof-rewrite-percentage is rewritten.
   */
  tick(now: number): void {
    this.runScheduled()
    if (!this.attached) return
    if (this.pendingBytes !== 0) this.writePending()
    // Replies still held after a failed write get another chance each tick.
    if (this.waiting.length !== 0 && !this.drainScheduled) this.drain()
    if (this.policy === Fsync.EverySec && now - this.lastFsync >= 1000 && this.appended > this.syncedTo) {
      if (this.syncing) {
        this.delayedFsyncs++
      } else {
        const upTo = this.appended
        this.syncing = true
        this.lastFsync = now
        fdatasync(this.fd, (err) => {
          this.syncing = false
          for (const fd of this.retired) closeQuietly(fd)
          this.retired = []
          if (err !== null) {
            if (this.lastWriteOk) this.server.log('warning', `Error syncing the AOF file: ${err.message}`)
            this.lastWriteOk = false
          } else if (upTo > this.syncedTo) this.syncedTo = upTo
        })
      }
    } else if (this.policy === Fsync.Always && this.appended > this.syncedTo) {
      this.startSync()
    }
    this.autoRewrite()
  }

  private autoRewrite(): void {
    const config = this.server.config
    if (this.rewriting !== null || this.server.snapshots.background !== null) return
    const percentage = config.int('auto-aof-rewrite-percentage')
    if (percentage === 0 || this.currentSize <= config.int('auto-aof-rewrite-min-size')) return
    const base = this.baseSize === 0 ? 1 : this.baseSize
    const growth = Math.floor((this.currentSize * 100) / base) - 100
    if (growth < percentage) return
    this.server.log('notice', `Starting automatic rewriting of AOF on ${growth}% growth`)
    this.rewrite('auto')
  }

  // --- rewriting --------------------------------------------------------------------

  /**
   * A rewrite run to completion at once: at a first start with nothing on disk (from
   * what the RDB file loaded, if anything), before any client connects; and at
   * shutdown while appendonly is being switched on, whose writes are in no listed file
   * yet. A new base from the data as it is, a new empty incremental file, a manifest
   * naming just those, and the files they replace deleted.
   */
  private rewriteNow(why: 'start' | 'shutdown'): void {
    const server = this.server
    const old = this.manifest
    const usePreamble = server.config.get('aof-use-rdb-preamble') === 'yes'
    const seq = old.baseSeq + 1
    const base: AofFile = { name: `${this.fileName}.${seq}.base.${usePreamble ? 'rdb' : 'aof'}`, seq, type: FileType.Base }
    const temp = join(this.dirPath, `temp-rewriteaof-${process.pid}.aof`)
    this.baseSize = usePreamble ? this.writeRdbBase(temp) : this.writeBase(temp)
    renameSync(temp, join(this.dirPath, base.name))
    const incrSeq = old.incrSeq + 1
    const incr: AofFile = { name: `${this.fileName}.${incrSeq}.incr.aof`, seq: incrSeq, type: FileType.Incr }
    this.closeFd()
    this.openIncr(incr.name)
    this.incrSize = 0
    if (why === 'start') {
      server.log('notice', `Creating AOF base file ${base.name} on server start`)
      server.log('notice', `Creating AOF incr file ${incr.name} on server start`)
    }
    const next = new Manifest()
    next.base = base
    next.incrs.push(incr)
    this.manifest = next
    this.writeManifest()
    for (const f of [...(old.base === null ? [] : [old.base]), ...old.incrs, ...old.history]) {
      if (f.name !== base.name && f.name !== incr.name) rmSync(join(this.dirPath, f.name), { force: true })
    }
  }

  /** The rewrite in progress (INFO aof_rewrite_in_progress). */
  private rewriting: Rewrite | null = null
  /** BGREWRITEAOF waits for a BGSAVE, or ran in EXEC (INFO aof_rewrite_scheduled). */
  rewriteScheduled = false
  /** INFO aof_last_cow_size. */
  lastCowBytes = 0

  get rewriteInProgress(): boolean {
    return this.rewriting !== null
  }

  /** The rewrite's BackgroundSave, for INFO's current_* fields. */
  get rewriteSave(): BackgroundSave | null {
    return this.rewriting?.save ?? null
  }

  get rewriteStarted(): number {
    return this.rewriting?.started ?? 0
  }

  /**
   * BGREWRITEAOF, the automatic rewrite and CONFIG SET appendonly yes, as Redis 7.0
   * does them without its fork. At the start the writes switch to a new incremental
   * file, which the manifest lists at once; the new base is then written from the
   * event loop by the BGSAVE machinery (background-save.ts), a point-in-time image
   * kept by its copy-on-write hooks while clients keep writing. Once it is synced and
   * in place, the manifest is replaced atomically by one naming the new base and the
   * new incremental file, and the files the base covers are deleted. A crash before
   * that switch leaves the old manifest, whose files (the new incremental one
   * included) still replay to everything acknowledged.
   *
   * With appendonly being switched on, the writes go meanwhile to a temporary file that
   * joins the manifest only with the base; with appendonly off there is no incremental
   * file, as in Redis. False when the rewrite could not start.
   */
  rewrite(why: 'command' | 'auto' | 'enable'): boolean {
    if (this.rewriting !== null) return false
    // appendonly yes whose first rewrite failed or waited: this one is it.
    if (this.enabled && !this.attached) why = 'enable'
    const server = this.server
    const config = server.config
    const started = Date.now()
    this.rewriteScheduled = false
    let tempIncr: string | null = null
    let save: BackgroundSave
    try {
      mkdirSync(this.dirPath, { recursive: true })
      if (why === 'enable' || !this.enabled) this.adoptManifest()
      if (why === 'enable') {
        tempIncr = join(this.dirPath, `temp-${this.fileName}.incr`)
        // A retry starts over: what the last attempt logged is in the new base.
        this.closeFd()
        this.fd = openSync(tempIncr, 'w')
        this.incrSize = 0
        this.selectedDb = -1
      } else if (this.enabled) {
        // The old files must hold everything before the switch; replies waiting on
        // them are released by this sync.
        this.syncAllNow()
        const incr = this.newIncr()
        this.writeManifest()
        server.log('notice', `Creating AOF incr file ${incr.name} on background rewrite`)
      }
    } catch (e) {
      this.rewriteFailed(e as Error, why, tempIncr)
      return false
    }
    const usePreamble = config.get('aof-use-rdb-preamble') === 'yes'
    const seq = this.manifest.baseSeq + 1
    const base: AofFile = { name: `${this.fileName}.${seq}.base.${usePreamble ? 'rdb' : 'aof'}`, seq, type: FileType.Base }
    const temp = `temp-rewriteaof-bg-${process.pid}.aof`
    save = new BackgroundSave({
      ...server.snapshots.options(),
      aofBase: true,
      commands: !usePreamble,
      temp: join(this.dirPath, temp),
      path: join(this.dirPath, base.name),
      dbs: server.store.dbs,
      keyDelay: config.int('rdb-key-save-delay'),
      done: (error) => this.rewriteDone(save, error),
    })
    this.rewriting = { save, base, temp, tempIncr, why, started }
    // Redis counts a rewrite when its child starts.
    this.rewrites++
    server.log('notice', `Background append only file rewriting started by pid ${process.pid}`)
    if (!save.start()) return false
    server.saving = save
    for (const db of server.store.dbs) db.saving = save
    if (why === 'enable' && !this.attached) this.attach()
    return true
  }

  private rewriteDone(save: BackgroundSave, error: Error | null): void {
    const r = this.rewriting
    if (r === null || r.save !== save) return
    this.unhook()
    this.lastCowBytes = save.cowBytes
    const server = this.server
    if (error !== null) return this.rewriteFailed(error, r.why, r.tempIncr)
    server.log('notice', 'Background AOF rewrite terminated with success')
    try {
      const old = this.manifest
      const next = new Manifest()
      next.base = r.base
      server.log('notice', `Successfully renamed the temporary AOF base file ${r.temp} into ${r.base.name}`)
      if (r.tempIncr !== null) {
        const seq = old.incrSeq + 1
        const incr: AofFile = { name: `${this.fileName}.${seq}.incr.aof`, seq, type: FileType.Incr }
        // The descriptor stays open on the renamed file: appending carries on.
        renameSync(r.tempIncr, join(this.dirPath, incr.name))
        server.log('notice', `Successfully renamed the temporary AOF incr file ${basename(r.tempIncr)} into ${incr.name}`)
        next.incrs.push(incr)
      } else if (this.enabled) {
        // The incremental file opened when the rewrite started, which the base does not cover.
        next.incrs.push(old.incrs[old.incrs.length - 1])
      }
      this.manifest = next
      this.writeManifest()
      for (const f of [...(old.base === null ? [] : [old.base]), ...old.incrs, ...old.history]) {
        if (f.name === r.base.name || next.incrs.some((i) => i.name === f.name)) continue
        server.log('notice', `Removing the history file ${f.name} in the background`)
        unlink(join(this.dirPath, f.name), () => {})
      }
    } catch (e) {
      return this.rewriteFailed(e as Error, r.why, r.tempIncr)
    }
    this.baseSize = save.size
    this.lastRewriteOk = true
    this.rewriteFailures = 0
    this.lastRewriteSeconds = Math.floor(Date.now() / 1000) - Math.floor(r.started / 1000)
    server.log('notice', 'Background AOF rewrite finished successfully')
  }

  /**
   * The rewrite failed: the old manifest stays, with the incremental file the rewrite
   * opened, so nothing is lost. appendonly being switched on retries, as Redis does.
   */
  private rewriteFailed(error: Error, why: Rewrite['why'], tempIncr: string | null): void {
    this.rewriting = null
    this.lastRewriteOk = false
    this.rewriteFailures++
    this.lastRewriteSeconds = -1
    this.server.log('warning', `Background AOF rewrite failed: ${error.message}`)
    this.server.log('warning', 'Background AOF rewrite terminated with error')
    if (why === 'enable' && tempIncr !== null) this.rewriteScheduled = true
  }

  private unhook(): void {
    this.rewriting = null
    this.server.saving = null
    for (const db of this.server.store.dbs) db.saving = null
  }

  /**
   * Stops a rewrite in progress (appendonly off, SHUTDOWN, closing), as Redis kills its
   * child: the temporary files go, the manifest on disk stays valid.
   */
  private abortRewrite(): void {
    const r = this.rewriting
    if (r === null) return
    this.server.log('notice', 'Killing running AOF rewrite child')
    this.unhook()
    r.save.abort()
    if (r.tempIncr !== null) {
      this.closeFd()
      rmSync(r.tempIncr, { force: true })
    }
  }

  /** Housekeeping: a scheduled rewrite starts once no BGSAVE runs. */
  private runScheduled(): void {
    if (!this.rewriteScheduled || this.rewriting !== null || this.server.snapshots.background !== null) return
    this.rewrite(this.enabled && !this.attached ? 'enable' : 'command')
  }

  /**
   * With appendonly off the files on disk were never loaded; a rewrite still follows
   * on from their manifest (sequence numbers, files to retire), as Redis's does.
   */
  private adoptManifest(): void {
    if (this.manifest.base !== null || this.manifest.incrs.length !== 0 || !existsSync(this.manifestPath)) return
    try {
      this.manifest = Manifest.parse(readFileSync(this.manifestPath, 'latin1'))
    } catch {
      // An unreadable manifest is replaced by the rewrite's.
    }
  }

  /** The keyspace in command form, written in chunks; the file's size. */
  private writeBase(path: string): number {
    const fd = openSync(path, 'w')
    let size = 0
    try {
      let chunk = ''
      const libraries = [...(this.server.scriptingIfStarted?.functionsIfLoaded?.libraries.values() ?? [])].map((lib) => lib.code)
      for (const argv of rewriteKeyspace(this.server.store, Date.now(), libraries)) {
        chunk += encode(argv, this.encoder)
        if (chunk.length >= REWRITE_CHUNK) {
          size += writeAll(fd, chunk)
          chunk = ''
        }
      }
      size += writeAll(fd, chunk)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    return size
  }

  private writeRdbBase(path: string): number {
    const data = this.server.snapshots.image()
    const fd = openSync(path, 'w')
    try {
      writeSync(fd, data)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    return data.length
  }

  /** Everything appended so far onto the disk, and the replies that waited on it sent. */
  private syncAllNow(): void {
    if (this.fd < 0) return
    this.writePending()
    try {
      fdatasyncSync(this.fd)
    } catch {
      this.lastWriteOk = false
    }
    this.syncedTo = this.appended
    this.release(this.syncedTo)
  }

  private newIncr(): AofFile {
    const seq = this.manifest.incrSeq + 1
    const incr: AofFile = { name: `${this.fileName}.${seq}.incr.aof`, seq, type: FileType.Incr }
    this.switchIncr(incr.name)
    this.manifest.incrs.push(incr)
    return incr
  }

  private switchIncr(name: string): void {
    const old = this.fd
    this.fd = openSync(join(this.dirPath, name), 'a')
    this.incrSize = 0
    this.selectedDb = -1
    if (old >= 0) {
      if (this.syncing) this.retired.push(old)
      else closeQuietly(old)
    }
  }

  private openIncr(name: string): void {
    this.fd = openSync(join(this.dirPath, name), 'a')
    this.selectedDb = -1
  }

  private writeManifest(): void {
    const temp = join(this.dirPath, `temp-${this.fileName}.manifest`)
    const fd = openSync(temp, 'w')
    try {
      writeAll(fd, this.manifest.format())
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, this.manifestPath)
    syncDir(this.dirPath)
  }

  // --- switching on and off -----------------------------------------------------------

  /**
   * CONFIG SET appendonly yes: as in Redis, a rewrite makes the base from the data as
   * it is while logging starts; with a BGSAVE running it is scheduled for after it.
   */
  enable(): void {
    if (this.enabled) return
    this.enabled = true
    // A BGREWRITEAOF of appendonly off logs nothing meanwhile: it cannot be the base.
    this.abortRewrite()
    if (this.server.snapshots.background !== null) {
      this.rewriteScheduled = true
      this.server.log('notice', 'AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.')
      return
    }
    this.rewrite('enable')
  }

  /** CONFIG SET appendonly no, and shutdown: a rewrite stops, what was appended is synced and the file closed. */
  disable(): void {
    this.abortRewrite()
    this.rewriteScheduled = false
    if (!this.enabled) return
    this.enabled = false
    if (!this.attached) {
      this.closeFd()
      return
    }
    this.syncAllNow()
    // Nothing is logged from now on, so nothing is left to wait for.
    this.release(Infinity)
    this.server.propagation.detach(this)
    this.attached = false
    this.closeFd()
    this.pendingBytes = 0
  }

  private closeFd(): void {
    if (this.fd >= 0) {
      if (this.syncing) this.retired.push(this.fd)
      else closeQuietly(this.fd)
    }
    this.fd = -1
  }

  /** Shutdown: the file is complete on disk before the process exits. */
  close(): void {
    const r = this.rewriting
    if (this.enabled && (!this.attached || (r !== null && r.tempIncr !== null))) {
      // appendonly was switched on and its first base is not done: Redis refuses to
      // exit then; here the base is finished in the foreground instead, so the writes
      // since (in the temporary incremental file) are not lost with it.
      this.abortRewrite()
      this.pendingBytes = 0
      try {
        this.rewriteNow('shutdown')
        this.server.log('notice', 'Background AOF rewrite finished successfully')
      } catch (e) {
        this.server.log('warning', `Writing initial AOF failed: ${(e as Error).message}`)
      }
    }
    if (!this.attached) {
      this.disable()
      return
    }
    this.server.log('notice', 'Calling fsync() on the AOF file.')
    this.disable()
  }

  get pendingFsync(): boolean {
    return this.syncing
  }

  get bufferLength(): number {
    return this.pendingBytes
  }
}

/**
 * One command in RESP, as a latin1 string (our strings are one char per byte). A
 * structured value (the mini dialect's SET) goes in its RESP3 form, which respite's
 * request decoder reads back.
 */
export function encode(argv: readonly (string | RewriteCommand[number])[], structured: ReplyWriter): string {
  let out = `*${argv.length}\r\n`
  for (const a of argv) {
    if (typeof a === 'string') {
      out += `$${a.length}\r\n${a}\r\n`
    } else {
      structured.reuse()
      structured.value(a)
      out += structured.take().toString('latin1')
    }
  }
  return out
}

function writeAll(fd: number, text: string): number {
  if (text === '') return 0
  const data = Buffer.from(text, 'latin1')
  let off = 0
  while (off < data.length) off += writeSync(fd, data, off, data.length - off)
  return data.length
}

function syncDir(path: string): void {
  try {
    const fd = openSync(path, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // Already closed.
  }
}
