// Opens N connections to a server at once and measures the time until every one is
// established and has answered a PING (inline, so a reply is one "+PONG\r\n").
// All connections stay open until the last reply, so the server holds N clients at
// the end. Runs in its own process (see runOpenConnections), so the load generator's
// file descriptors, heap and event loop are fresh for every measurement.
//
//   node scripts/bench/open-connections.mjs PORT [N] [HOST]
//
// prints one JSON line: { ok, connections, ms, connectMs, p50, p99, max, errors, sample }
// where p50/p99/max are the per-connection times (ms) from the start to its PONG.
import { spawn } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { withFdLimit } from './servers.mjs'

const SELF = fileURLToPath(import.meta.url)

/** Runs the measurement in a child process; resolves to its figures. */
export function runOpenConnections({ port, connections = 10_000, host = '127.0.0.1', timeoutMs = 120_000 }) {
  return new Promise((resolve, reject) => {
    // The child needs one descriptor per connection.
    const child = spawn(...withFdLimit(process.execPath, [SELF, String(port), String(connections), host]), { stdio: ['ignore', 'pipe', 'pipe'] })
    const out = []
    const err = []
    child.stdout.on('data', (d) => out.push(d))
    child.stderr.on('data', (d) => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      const text = Buffer.concat(out).toString('utf8').trim()
      let figures = null
      try {
        figures = JSON.parse(text.split('\n').pop())
      } catch {
        // reported below
      }
      if (code !== 0 || figures === null || !figures.ok) {
        reject(new Error(`open-connections ${port} x${connections} failed (code ${code}): ${Buffer.concat(err).toString('utf8').slice(0, 400)} ${text.slice(-400)}`))
        return
      }
      resolve(figures)
    })
  })
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

/** The measurement itself, in this process. */
export function openConnections(port, n, host) {
  return new Promise((resolve) => {
    const sockets = new Array(n)
    const doneAt = new Float64Array(n)
    let answered = 0
    let lastConnect = 0
    let errors = 0
    let sample = ''
    let finished = false
    const start = performance.now()
    const finish = () => {
      if (finished) return
      finished = true
      const end = performance.now()
      for (const s of sockets) s?.destroy()
      const times = Array.from(doneAt).filter((t) => t > 0).sort((a, b) => a - b)
      resolve({
        ok: answered === n && errors === 0,
        connections: n,
        answered,
        ms: end - start,
        connectMs: lastConnect - start,
        p50: percentile(times, 50),
        p99: percentile(times, 99),
        max: times.length ? times[times.length - 1] : NaN,
        errors,
        sample,
      })
    }
    const failed = new Uint8Array(n)
    const fail = (i, why) => {
      if (failed[i] || doneAt[i] > 0) return
      failed[i] = 1
      errors++
      if (sample === '') sample = why
      if (answered + errors >= n) finish()
    }
    for (let i = 0; i < n; i++) {
      const s = net.connect({ port, host, noDelay: true })
      sockets[i] = s
      let got = ''
      s.once('connect', () => {
        lastConnect = performance.now()
        s.write('PING\r\n')
      })
      s.on('data', (d) => {
        got += d.toString('latin1')
        if (!got.endsWith('\r\n') || doneAt[i] > 0) return
        if (got !== '+PONG\r\n') {
          fail(i, got.trim())
          return
        }
        doneAt[i] = performance.now() - start
        answered++
        if (answered + errors >= n) finish()
      })
      s.on('error', (e) => fail(i, e.code ?? e.message))
      s.on('close', () => {
        if (!finished) fail(i, 'closed before replying')
      })
    }
  })
}

if (process.argv[1] === SELF) {
  const port = Number(process.argv[2])
  const n = Number(process.argv[3] ?? 10_000)
  const host = process.argv[4] ?? '127.0.0.1'
  openConnections(port, n, host).then((r) => {
    process.stdout.write(JSON.stringify(r) + '\n')
    process.exit(r.ok ? 0 : 1)
  })
}
