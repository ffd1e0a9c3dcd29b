import os from 'node:os'
import v8 from 'node:v8'
import { loadGc } from './idle-gc.js'

/**
 * used_memory and the maxmemory ceiling.
 *
 * Redis counts every allocation, so its used_memory is exact and cheap to compare on
 * every write. Here the figure comes from V8: the heap in use plus memory held outside
 * it (large strings, Buffers). Two things make that harder than a counter:
 *
 * - Reading it costs about a microsecond, so it is sampled: by the housekeeping tick,
 *   and whenever clients have sent `sampleStep` more bytes since the last sample, since
 *   what a write stores arrives over the network first.
 * - The heap in use includes garbage until V8 collects it. So when a sample passes the
 *   limit, a full collection settles what is really live before writes are refused.
 *   That collection runs only when something was written or deleted since the last one
 *   (otherwise its answer cannot have changed) and is spaced so that forced collections
 *   take at most a tenth of the time. Between two, the live figure is estimated as the
 *   last one's plus the bytes received since: an upper bound for writes that store what
 *   they receive.
 *
 * The ceiling is maxmemory, but never more than the process can hold: V8 dies for good
 * at its heap limit, and the machine (or the container's cgroup) at its memory. With
 * maxmemory 0 the ceiling is that safe limit alone, so the process refuses writes with
 * -OOM instead of crashing and losing every key.
 */

/** Room V8 needs in its heap above the live data to collect garbage without failing. */
const HEAP_HEADROOM = 0.85
/** Memory left to the rest of the machine when maxmemory is 0. */
export function machineMargin(total: number): number {
  return Math.max(512 * 1024 * 1024, total * 0.1)
}

/** Physical memory, or the cgroup's limit when it is lower (containers). */
export function machineMemory(): number {
  const total = os.totalmem()
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0
  return constrained !== undefined && constrained > 0 && constrained < total ? constrained : total
}

/** The most this process can hold without V8 or the machine failing it. */
export function safeLimit(): number {
  const machine = machineMemory()
  return Math.min(v8.getHeapStatistics().heap_size_limit * HEAP_HEADROOM, machine - machineMargin(machine))
}

/** What the guard reads of the server. */
interface Counters {
  /** stats.totalNetInput: bytes received from clients so far. */
  readonly stats: { readonly totalNetInput: number }
  /** Moves whenever a write command runs: the data may have grown or shrunk. */
  readonly dirty: number
  readonly store: { valueSlack(): number }
}

export class MemoryGuard {
  /** used_memory as of the last sample: live heap estimate plus memory outside the heap. */
  used = 0
  /** Bytes above which denyoom commands are refused. */
  limit = 0
  /** Whether the ceiling is tighter than maxmemory asked for (see setMaxmemory). */
  clamped = false
  private over = false
  private inputAtSample = 0
  private dirtyAtSample = 0
  private sampleStep = 1024 * 1024
  /** Heap in use right after the last forced collection, and the counters then. */
  private liveBase = Infinity
  private inputAtGc = 0
  private dirtyAtGc = -1
  private nextGcAllowed = 0

  /** Starts with no maxmemory; the server applies its setting. */
  constructor(private readonly counters: Counters) {
    this.setMaxmemory(0)
  }

  setMaxmemory(maxmemory: number): void {
    const safe = safeLimit()
    this.clamped = maxmemory === 0 || maxmemory > safe
    this.limit = this.clamped ? safe : maxmemory
    // About 1% of the limit between samples: a burst of writes overshoots by no more.
    this.sampleStep = Math.min(16 * 1024 * 1024, Math.max(64 * 1024, Math.floor(this.limit / 100)))
    this.sample()
  }

  /** For denyoom commands: whether the write must be refused. Cheap unless it is time to sample. */
  refuses(): boolean {
    const counters = this.counters
    // Past the limit, any write or delete since the last sample may have changed the answer.
    if (counters.stats.totalNetInput - this.inputAtSample >= this.sampleStep || (this.over && counters.dirty !== this.dirtyAtSample)) {
      this.sample()
    }
    return this.over
  }

  sample(): number {
    const counters = this.counters
    const input = counters.stats.totalNetInput
    if (input < this.inputAtSample) {
      // CONFIG RESETSTAT zeroed the byte counter: the estimate since the last forced
      // collection is lost, so fall back on the heap figure alone until the next one.
      this.liveBase = Infinity
      this.inputAtGc = input
    }
    this.inputAtSample = input
    this.dirtyAtSample = counters.dirty
    this.measure()
    if (this.used > this.limit && counters.dirty !== this.dirtyAtGc && Date.now() >= this.nextGcAllowed) {
      const gc = loadGc()
      if (gc !== null) {
        const start = Date.now()
        gc({ type: 'major' })
        const end = Date.now()
        this.nextGcAllowed = end + 10 * (end - start)
        this.liveBase = v8.getHeapStatistics().used_heap_size
        this.inputAtGc = counters.stats.totalNetInput
        this.dirtyAtGc = counters.dirty
        this.measure()
      }
    }
    this.over = this.used > this.limit
    return this.used
  }

  private measure(): void {
    const h = v8.getHeapStatistics()
    const live = Math.min(h.used_heap_size, this.liveBase + (this.counters.stats.totalNetInput - this.inputAtGc))
    // Value pages are outside the heap; only their slots in use are used memory.
    this.used = live + h.external_memory - this.counters.store.valueSlack()
  }
}
