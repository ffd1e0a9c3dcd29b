import v8 from 'node:v8'
import vm from 'node:vm'

/**
 * Garbage collection while the server is idle, so the pauses fall where no client
 * waits.
 *
 * After a burst of writes the young generation is full of values that survive (they
 * are stored), and the next scavenge copies them all: 10-25 ms with a large keyspace.
 * Overwritten values pile up in the old generation until a full collection, whose
 * marking can land in one 100 ms pause when the cores are busy. So the first
 * housekeeping tick without client input runs the scavenge, and the second one runs
 * a full collection when the heap has grown well past what the last one left, as long
 * as the heap is small enough for that pause to stay short. Bigger heaps are left to
 * V8's concurrent marker. After 6 s of quiet, one more scavenge hands back the young
 * generation's growth (SHRINK_AFTER_MS), except in a big heap, which keeps it
 * (MAX_SHRINK_HEAP).
 */

type GcFunction = (options: { type: 'minor' | 'major' }) => void

/** Below this much young-generation data a forced scavenge is not worth it. */
const MIN_YOUNG_BYTES = 1024 * 1024
/** No forced full collection above this heap size: its pause grows with the heap. */
const MAX_MAJOR_HEAP = 512 * 1024 * 1024
/** A full collection is worth it once the heap has grown this much since the last. */
const MAJOR_GROWTH = 1.25
const MIN_MAJOR_GROWTH_BYTES = 32 * 1024 * 1024
/**
 * A burst of writes grows the young generation to 32 MiB, and V8 shrinks it back
 * only in a collection that finds the last 5 s of allocation slow, or whenever its
 * memory reducer gets to it (not within 25 s of quiet, in one measurement). So once
 * this long quiet has passed, one scavenge gives those pages back: RSS growth per
 * entry of a 1M-entry stream, measured 10 s after the load, falls from 64 to 29 bytes
 * (scripts/bench-stream-memory.mjs; Redis 31.5).
 */
const SHRINK_AFTER_MS = 6000
/** A young generation at most this big is left as it is. */
const MAX_IDLE_YOUNG_SIZE = 4 * 1024 * 1024
/**
 * Above this heap size the young generation is kept as it is, however long the quiet:
 * its 32 MiB are a small part of the RSS, and a small one costs dear. A scavenge takes
 * some 1.3 ms at ten million keys however little it copies, and V8 grows the young
 * generation again only once many objects survive, which reads never make: GETs over
 * 10M keys after half a minute of quiet scavenged every 45 ms instead of every 600,
 * and their p99 went from 0.83-0.95 ms to 1.7 ms.
 */
const MAX_SHRINK_HEAP = 256 * 1024 * 1024
/**
 * V8 itself shrinks the young generation in the first scavenge that finds less than
 * 1 MB/s allocated over the last 5 s, which is any scavenge after a quiet spell. So in
 * a heap past MAX_SHRINK_HEAP each quiet tick allocates this much per ms of its period,
 * in arrays of BALLAST_LENGTH numbers (small enough to be young objects). A scavenge
 * every ten seconds or so of quiet is what it costs.
 */
const BALLAST_BYTES_PER_MS = 1500
const BALLAST_LENGTH = 4096
let ballast: unknown = null

let gcFunction: GcFunction | null | undefined

/** V8's gc(), fetched once through a fresh context so no global `gc` leaks out. */
export function loadGc(): GcFunction | null {
  if (gcFunction !== undefined) return gcFunction
  gcFunction = null
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as unknown
    if (typeof gc === 'function') gcFunction = gc as GcFunction
  } catch {
    // no gc extension: idle collection stays off
  } finally {
    v8.setFlagsFromString('--no-expose-gc')
  }
  return gcFunction
}

export class IdleCollector {
  private lastActivity = -1
  private lastTick = 0
  private idleTicks = 0
  /** Heap in use after the last full collection (or the lowest seen since). */
  private baseline = Infinity

  /** `gc`, `young` and `heapUsed` are V8's, or stand-ins in a test. */
  constructor(
    private readonly gc: () => GcFunction | null = loadGc,
    private readonly young: () => YoungGeneration = youngGeneration,
    private readonly heapUsed: () => number = () => v8.getHeapStatistics().used_heap_size,
  ) {}

  /**
   * Called every housekeeping tick (at `now`, `periodMs` after the last one if on
   * time) with a counter that moves whenever clients send data.
   */
  tick(activity: number, now: number, periodMs: number): void {
    // A tick that comes late follows a stall (a long GC, a slow command): timers run
    // before the poll phase reads what clients sent meanwhile, so an unchanged counter
    // would look idle, and a forced collection would add to the stall under load.
    const late = now - this.lastTick > periodMs * 1.5
    this.lastTick = now
    if (activity !== this.lastActivity || late) {
      this.lastActivity = activity
      this.idleTicks = 0
      return
    }
    this.idleTicks++
    const used = this.heapUsed()
    const keepYoung = used > MAX_SHRINK_HEAP
    if (keepYoung) {
      for (let n = (periodMs * BALLAST_BYTES_PER_MS) / (BALLAST_LENGTH * 8); n > 0; n--) ballast = new Array(BALLAST_LENGTH).fill(0)
    }
    if (this.idleTicks === 1) {
      if (this.young().used >= MIN_YOUNG_BYTES) this.gc()?.({ type: 'minor' })
    } else if (this.idleTicks === Math.ceil(SHRINK_AFTER_MS / periodMs)) {
      if (this.young().size > MAX_IDLE_YOUNG_SIZE && !keepYoung) this.gc()?.({ type: 'minor' })
    } else if (this.idleTicks === 2) {
      if (used < this.baseline) this.baseline = used
      if (used > MAX_MAJOR_HEAP || used < this.baseline * MAJOR_GROWTH || used - this.baseline < MIN_MAJOR_GROWTH_BYTES) return
      const gc = this.gc()
      if (gc === null) return
      gc({ type: 'major' })
      this.baseline = this.heapUsed()
    }
  }
}

export interface YoungGeneration {
  used: number
  /** What V8 has committed for it: it grows under allocation and shrinks only in some collections. */
  size: number
}

function youngGeneration(): YoungGeneration {
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name === 'new_space') return { used: space.space_used_size, size: space.space_size }
  }
  return { used: 0, size: 0 }
}
