/**
 * The start-up load, run while the server already accepts connections, as Redis 7.0
 * does: the file is read a step at a time, each a slice of work of about STEP_MS, and
 * between steps the event loop serves clients, which get -LOADING for any command not
 * flagged `loading` (dispatcher.ts) and INFO's loading_* fields here.
 */

/** A file being loaded: an RDB image (SnapshotLoad) or an AOF file (AofFileLoad). */
export interface LoadSteps {
  /** Works until performance.now() passes `deadline`; true once the whole file is in. */
  step(deadline: number): boolean
  /** Bytes of the file read so far. */
  readonly pos: number
  /** The used-mem of the RDB image read, once its header was (0 without one). */
  readonly usedMem: number
}

/**
 * The work between two looks at the sockets. Every turn between steps lets V8 run its
 * collector's tasks, which made a million-key load 8% slower with 25 ms steps (1.35 s
 * against 1.25 s in one go) and 2% with 100 ms ones; at 200 ms the load takes what it
 * does in one go, and a client connecting meanwhile still has its -LOADING well within
 * a ping's patience (Redis looks at its clients every 2 MB it reads).
 */
const STEP_MS = 200

/** Thrown out of a load the server was closed during (SHUTDOWN, an embedder's close()). */
export class LoadAborted extends Error {}

export class Loading {
  /** Unix time (s) the load began (loading_start_time). */
  readonly startTime = Math.floor(Date.now() / 1000)
  /** The size of every file to load (loading_total_bytes). */
  totalBytes = 0
  /** loading_rdb_used_mem: the used-mem field of the last RDB image read. */
  usedMem = 0
  /** Bytes of the files already loaded in full. */
  private doneBytes = 0
  private current: LoadSteps | null = null

  constructor(private readonly closed: () => boolean) {}

  get loadedBytes(): number {
    return this.doneBytes + (this.current === null ? 0 : this.current.pos)
  }

  /**
   * Loads one file of `bytes` bytes, a step per event-loop turn. Throws what a step
   * throws, or LoadAborted when the server closes meanwhile.
   */
  async run(file: LoadSteps, bytes: number): Promise<void> {
    this.current = file
    try {
      while (!file.step(performance.now() + STEP_MS)) {
        this.noteUsedMem(file)
        await nextTurn()
        if (this.closed()) throw new LoadAborted('The server closed while loading')
      }
      this.noteUsedMem(file)
    } finally {
      this.current = null
    }
    this.doneBytes += bytes
  }

  /** The last RDB header's used-mem stays shown while an AOF's commands follow it. */
  private noteUsedMem(file: LoadSteps): void {
    const mem = file.usedMem
    if (mem !== 0) this.usedMem = mem
  }

  /** INFO persistence's lines for a load in progress, after the AOF's, as Redis shows them. */
  info(): string[] {
    const loaded = this.loadedBytes
    const elapsed = Math.floor(Date.now() / 1000) - this.startTime
    const remaining = Math.max(0, this.totalBytes - loaded)
    // ioredis waits this long before its next ready check: never 0, which it reads as 1 s anyway.
    const eta = elapsed === 0 || loaded === 0 ? 1 : Math.floor((elapsed * remaining) / loaded)
    const perc = this.totalBytes === 0 ? 0 : (loaded / this.totalBytes) * 100
    return [
      `loading_start_time:${this.startTime}`,
      `loading_total_bytes:${this.totalBytes}`,
      `loading_rdb_used_mem:${this.usedMem}`,
      `loading_loaded_bytes:${loaded}`,
      `loading_loaded_perc:${perc.toFixed(2)}`,
      `loading_eta_seconds:${eta}`,
    ]
  }
}

/** Resolves on the next event-loop turn, after the sockets' pending events (setImmediate runs after the poll phase). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
