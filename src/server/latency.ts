import { PerformanceObserver, performance } from 'node:perf_hooks'

/**
 * Redis's latency monitor (LATENCY LATEST, HISTORY, RESET, GRAPH, DOCTOR): with
 * latency-monitor-threshold set, anything that held the event loop at least that many
 * milliseconds is kept as a spike of its event class, up to 160 per class, one per
 * second (a second's spikes keep the highest).
 *
 * The classes are Redis's where respite does the same work ("command", "fast-command",
 * "expire-cycle", "aof-write" and its three kinds), plus "gc": a garbage-collection
 * pause of V8, which Redis does not have and which is respite's main source of stalls
 * that no command asked for.
 */

/** Spikes kept per event class, as in Redis. */
const HISTORY_LENGTH = 160

class Series {
  /** Unix seconds and milliseconds of the last HISTORY_LENGTH spikes, oldest overwritten. */
  readonly times = new Float64Array(HISTORY_LENGTH)
  readonly ms = new Float64Array(HISTORY_LENGTH)
  /** Where the next spike goes. */
  next = 0
  count = 0
  max = 0

  add(time: number, ms: number): void {
    if (ms > this.max) this.max = ms
    const last = (this.next + HISTORY_LENGTH - 1) % HISTORY_LENGTH
    if (this.count > 0 && this.times[last] === time) {
      if (ms > this.ms[last]) this.ms[last] = ms
      return
    }
    this.times[this.next] = time
    this.ms[this.next] = ms
    this.next = (this.next + 1) % HISTORY_LENGTH
    if (this.count < HISTORY_LENGTH) this.count++
  }

  /** The kept spikes as [unix time, ms], oldest first. */
  spikes(): [number, number][] {
    const out: [number, number][] = []
    for (let i = 0; i < this.count; i++) {
      const at = (this.next - this.count + i + HISTORY_LENGTH) % HISTORY_LENGTH
      out.push([this.times[at], this.ms[at]])
    }
    return out
  }

  get latest(): number {
    return (this.next + HISTORY_LENGTH - 1) % HISTORY_LENGTH
  }
}

export class LatencyMonitor {
  /**
   * latency-monitor-threshold in milliseconds, 0 for off. The dispatcher reads it on
   * every command, and times the command only when it is set.
   */
  threshold = 0
  private readonly series = new Map<string, Series>()
  private gcObserver: PerformanceObserver | null = null

  /** CONFIG SET latency-monitor-threshold: GC pauses are observed only while it is set. */
  configure(threshold: number): void {
    this.threshold = threshold
    if (threshold > 0 && this.gcObserver === null) {
      this.gcObserver = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) this.add('gc', entry.duration, performance.timeOrigin + entry.startTime)
      })
      this.gcObserver.observe({ entryTypes: ['gc'] })
    } else if (threshold === 0) {
      this.close()
    }
  }

  /** A stall of `ms` milliseconds in `event` that ended (or, for GC, began) at `atMs`. */
  add(event: string, ms: number, atMs = Date.now()): void {
    if (this.threshold === 0 || ms < this.threshold) return
    let s = this.series.get(event)
    if (s === undefined) this.series.set(event, (s = new Series()))
    s.add(Math.floor(atMs / 1000), Math.floor(ms))
  }

  /** LATENCY LATEST: [event, unix time, latest ms, all-time max ms] per class. */
  latest(): [string, number, number, number][] {
    const out: [string, number, number, number][] = []
    for (const [event, s] of this.series) out.push([event, s.times[s.latest], s.ms[s.latest], s.max])
    return out
  }

  /** LATENCY HISTORY: [unix time, ms] pairs, oldest first; none for an unknown class. */
  history(event: string): [number, number][] {
    return this.series.get(event)?.spikes() ?? []
  }

  /** LATENCY RESET: drops the named classes (all of them when none is named); how many there were. */
  reset(events: string[]): number {
    if (events.length === 0) {
      const n = this.series.size
      this.series.clear()
      return n
    }
    let n = 0
    for (const e of events) if (this.series.delete(e)) n++
    return n
  }

  /**
   * LATENCY GRAPH: one column per spike, oldest first, as bars up to four rows high
   * ('#' tops the highest, '_' marks the lowest), each labelled below with its age
   * (15s, 2m, 3h) written downwards. Null when the class has no spikes.
   */
  graph(event: string, nowSeconds = Math.floor(Date.now() / 1000)): string | null {
    const s = this.series.get(event)
    if (s === undefined || s.count === 0) return null
    const spikes = s.spikes()
    const values = spikes.map(([, ms]) => ms)
    const labels = spikes.map(([time]) => age(nowSeconds - time))
    const high = Math.max(...values)
    const low = Math.min(...values)
    const rows = 4
    const lines: string[] = [`${event} - high ${high} ms, low ${low} ms (all time high ${s.max} ms)`, '-'.repeat(80)]
    // Each column is a bar of up to `rows` cells; the lowest value gets a floor mark only.
    const heights = values.map((v) => (high === low ? rows : Math.max(0, Math.round(((v - low) / (high - low)) * rows))))
    for (let r = rows; r >= 1; r--) {
      let line = ''
      for (let i = 0; i < values.length; i++) {
        const h = heights[i]
        if (h === 0) line += r === 1 ? '_' : ' '
        else if (h === r) line += values[i] === high ? '#' : '|'
        else line += h > r ? '|' : ' '
      }
      lines.push(line)
    }
    lines.push(' '.repeat(values.length))
    const labelRows = Math.max(...labels.map((l) => l.length))
    for (let r = 0; r < labelRows; r++) lines.push(labels.map((l) => l[r] ?? ' ').join(''))
    return lines.join('\n') + '\n'
  }

  /** LATENCY DOCTOR: each class's spikes summed up, and what usually causes them. */
  doctor(): string {
    if (this.threshold === 0) {
      return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
    }
    if (this.series.size === 0) {
      return 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n'
    }
    const lines = ["Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?", '']
    let n = 0
    for (const [event, s] of this.series) {
      const spikes = s.spikes()
      const ms = spikes.map(([, v]) => v)
      const avg = ms.reduce((a, b) => a + b, 0) / ms.length
      const deviation = ms.reduce((a, b) => a + Math.abs(b - avg), 0) / ms.length
      const period = (spikes[spikes.length - 1][0] - spikes[0][0]) / spikes.length
      lines.push(
        `${++n}. ${event}: ${s.count} latency spikes (average ${Math.round(avg)}ms, mean deviation ${Math.round(deviation)}ms, ` +
          `period ${period.toFixed(2)} sec). Worst all time event ${s.max}ms.`,
      )
    }
    lines.push('', 'I have a few advices for you:', '')
    const events = new Set(this.series.keys())
    if (events.has('command') || events.has('fast-command')) {
      lines.push('- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Commands over whole collections (KEYS, SMEMBERS, HGETALL, LRANGE 0 -1, SORT) take time in proportion to their size; SCAN and its family walk a collection in steps.')
    }
    if (events.has('gc')) {
      lines.push("- The gc spikes are pauses of V8's garbage collector. They grow with the number of objects in the heap: keys, and the members of hashes, sets, sorted sets and lists, are each an object (string values of 16 bytes or more are kept out of it). Fewer, larger collections pause it less.")
    }
    if (events.has('aof-write')) {
      lines.push('- Writes to the append-only file held the server: the disk, or the kernel writing dirty pages back to it, is slow. A faster disk helps, and so does keeping other heavy writers off it; appendfsync does not change it, as the fsync runs off the event loop.')
    }
    if (events.has('expire-cycle')) {
      lines.push('- Many keys expired at once. Spread the expiry times, for example by adding a random amount of seconds to each TTL.')
    }
    return lines.join('\n') + '\n'
  }

  /** Stops observing GC, so a closed server keeps nothing alive. */
  close(): void {
    this.gcObserver?.disconnect()
    this.gcObserver = null
  }
}

/** An age in seconds as the graph labels it: 15s, 2m, 3h, 4d. */
function age(seconds: number): string {
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86400)}d`
}
