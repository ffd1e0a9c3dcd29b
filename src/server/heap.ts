import { spawn } from 'node:child_process'
import v8 from 'node:v8'
import { machineMargin, machineMemory } from './memory.js'

/**
 * Sizing V8's heap to the data.
 *
 * V8 fixes its heap limit when the process starts (about 4 GB here, whatever the
 * machine has), dies for good when live data reaches it, and ignores
 * --max-old-space-size set later through v8.setFlagsFromString. So respite-server,
 * when its heap is smaller than maxmemory needs, starts itself again once with the
 * right --max-old-space-size and stays as a thin parent that forwards signals and the
 * exit status. That keeps `respite-server` and `npm start` free of node flags. The
 * alternative, keeping values off the heap, would not cover keys and collections.
 *
 * - maxmemory N: twice N plus 256 MB, since a collecting heap needs room for garbage
 *   beside the live data; never more than the machine less its margin.
 * - maxmemory 0: the machine (or cgroup) less its margin; the memory guard then
 *   refuses writes before either limit is reached.
 *
 * A --max-old-space-size the user gave (node flags or NODE_OPTIONS) is respected.
 *
 * The child also runs without V8's memory reducer. After a quiet minute it starts a
 * full collection to hand memory back, which the next burst of requests then waits
 * for: with ten million keys, a 210-380 ms pause at the start of a SET run. The
 * heap's live data is the dataset, which stays; the idle collector (idle-gc.ts)
 * already runs the collections a quiet server's smaller heap is worth. A
 * --memory-reducer given on node's command line still wins.
 */

const CHILD_MARK = 'RESPITE_HEAP_SIZED'
const MB = 1024 * 1024

export function heapTarget(maxmemory: number): number {
  const machine = machineMemory()
  const cap = machine - machineMargin(machine)
  return maxmemory > 0 ? Math.min(cap, maxmemory * 2 + 256 * MB) : cap
}

/**
 * Starts the server again with a heap sized for `maxmemory` when this process's is
 * too small. Returns true when it did: this process then only relays to the child.
 */
export function relaunchWithHeap(maxmemory: number): boolean {
  if (process.env[CHILD_MARK] !== undefined) {
    // The parent relays signals; if it dies without doing so, so does the server,
    // rather than living on unseen.
    process.on('disconnect', () => process.exit(1))
    process.channel?.unref()
    return false
  }
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`
  if (/--max[-_]old[-_]space[-_]size/.test(flags)) return false
  const target = heapTarget(maxmemory)
  if (v8.getHeapStatistics().heap_size_limit >= target * 0.95) return false
  const heapFlags = ['--no-memory-reducer', ...process.execArgv, `--max-old-space-size=${Math.floor(target / MB)}`]
  const child = spawn(process.execPath, [...heapFlags, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [CHILD_MARK]: '1' },
  })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const) {
    process.on(signal, () => child.kill(signal))
  }
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
    }
    process.exit(code ?? 1)
  })
  return true
}
