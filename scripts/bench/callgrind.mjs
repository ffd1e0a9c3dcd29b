// Reading callgrind's output files (bench-instructions.mjs).
import { readFileSync } from 'node:fs'

/**
 * Self cost per function of a callgrind dump. Names are compressed as "(id) name" the
 * first time and "(id)" after, in fn= and cfn= lines alike; the cost line after a
 * calls= line is the callee's inclusive cost, not this function's own.
 */
export function selfCosts(text) {
  const names = new Map()
  const name = (spec) => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(spec)
    if (m === null) return spec
    if (m[2] !== undefined) names.set(m[1], m[2])
    return names.get(m[1]) ?? spec
  }
  const costs = new Map()
  let fn = ''
  let afterCalls = false
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) fn = name(line.slice(3))
    else if (line.startsWith('cfn=')) name(line.slice(4))
    else if (line.startsWith('calls=')) afterCalls = true
    else if (/^[0-9+*-]/.test(line)) {
      if (afterCalls) afterCalls = false
      else costs.set(fn, (costs.get(fn) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)))
    }
  }
  return costs
}

/** The total instruction count of a dump ("summary:" or "totals:" line). */
export function totalOf(text) {
  const m = /^(?:summary|totals): (\d+)/m.exec(text)
  if (m === null) throw new Error('no total in the callgrind dump')
  return Number(m[1])
}

/** Names JIT addresses ("0x000000000d0c3040") from node's perf map; the latest entry wins, as code moves. */
export function jitNamer(pid) {
  let entries = []
  try {
    entries = readFileSync(`/tmp/perf-${pid}.map`, 'latin1').split('\n').filter(Boolean).map((l, order) => {
      const [start, size, ...rest] = l.split(' ')
      return { start: parseInt(start, 16), end: parseInt(start, 16) + parseInt(size, 16), name: rest.join(' '), order }
    })
  } catch {
    // no map: addresses stay as they are
  }
  return (fn) => {
    if (!/^0x[0-9a-f]+$/.test(fn)) return fn
    const at = parseInt(fn, 16)
    let best = null
    for (const e of entries) if (at >= e.start && at < e.end && (best === null || e.order > best.order)) best = e
    return best === null ? fn : best.name
  }
}
