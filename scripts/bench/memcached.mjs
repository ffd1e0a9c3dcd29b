#!/usr/bin/env node
// get/set throughput and server CPU per request of respite's memcached front end
// against the real memcached, with the same small Node load generator for both.
//
//   node scripts/bench/memcached.mjs [--seconds 3] [--rounds 3] [--clients 8] [--value 100] [--keys 10000] [--build dist] [--json FILE]
//
// Each case runs --clients connections for --seconds, each keeping --pipeline
// requests in flight (1 and 16), and reports requests per second and the server's CPU
// time per request (utime + stime of its process, from /proc), then the ratios
// respite / memcached. memcached runs with -t 1 (one worker thread, as respite has
// one event loop); CPU per request is the fairer figure on a loaded machine.
// Both servers run side by side and each case alternates between them for --rounds
// rounds, so a burst of load from elsewhere on a shared machine hits both; the
// figures are the medians.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import { resolveBuild } from './builds.mjs'
import { median } from './report.mjs'
import { CLOCK_TICKS, cpuTicks, freePort, option } from './servers.mjs'

const SECONDS = Number(option('seconds', '3'))
const ROUNDS = Number(option('rounds', '3'))
const CLIENTS = Number(option('clients', '8'))
const VALUE = Number(option('value', '100'))
const KEYS = Number(option('keys', '10000'))
const build = resolveBuild(option('build', 'dist'))
const JSON_OUT = option('json', null)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * CPU seconds (user + system) a process and its descendants have used so far: the
 * respite CLI may serve from a child it starts (heap sizing), so the tree is summed.
 */
function cpuOf(pid) {
  let total = 0
  try {
    total += cpuTicks(pid) / CLOCK_TICKS
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
      for (const child of children ? children.split(' ') : []) total += cpuOf(Number(child))
    }
  } catch {
    // The process is gone.
  }
  return total
}

async function waitPort(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1')
      s.once('connect', () => (s.destroy(), r(true)))
      s.once('error', () => r(false))
    })
    if (ok) return
    await sleep(25)
  }
  throw new Error(`nothing listening on ${port}`)
}

async function startMemcached() {
  const port = await freePort()
  const a = ['-p', String(port), '-U', '0', '-l', '127.0.0.1', '-t', '1', '-m', '1024']
  if (process.getuid?.() === 0) a.push('-u', 'root')
  const child = spawn('memcached', a, { stdio: 'ignore' })
  await waitPort(port)
  return { name: 'memcached', port, pid: child.pid, stop: () => child.kill('SIGTERM') }
}

async function startRespite() {
  const port = await freePort()
  const child = spawn(process.execPath, [join(build, 'cli.js'), '--port', '0', '--memcached-port', String(port), '--save', '', '--loglevel', 'warning'], { stdio: 'ignore' })
  await waitPort(port)
  return { name: 'respite', port, pid: child.pid, stop: () => child.kill('SIGTERM') }
}

const value = 'v'.repeat(VALUE)
const keyOf = (i) => `key:${String(i).padStart(8, '0')}`

/** Fills the keyspace so gets hit. */
async function load(port) {
  const s = net.connect(port, '127.0.0.1')
  await new Promise((r) => s.once('connect', r))
  let batch = ''
  for (let i = 0; i < KEYS; i++) batch += `set ${keyOf(i)} 0 0 ${VALUE} noreply\r\n${value}\r\n`
  s.write(batch + 'mn\r\n')
  await new Promise((r) => {
    let tail = ''
    s.on('data', (d) => {
      tail = (tail + d.toString('latin1')).slice(-4)
      if (tail === 'MN\r\n') r()
    })
  })
  s.destroy()
}

/**
 * One case: CLIENTS connections each keeping `depth` requests in flight for SECONDS;
 * a reply is counted by its terminator (END for get, STORED for set).
 */
async function run(server, op, depth) {
  const terminator = op === 'get' ? 'END\r\n' : 'STORED\r\n'
  const request = (i) => (op === 'get' ? `get ${keyOf(i % KEYS)}\r\n` : `set ${keyOf(i % KEYS)} 0 0 ${VALUE}\r\n${value}\r\n`)
  let done = 0
  let stop = false
  const conns = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => new Promise((resolve) => {
    const s = net.connect(server.port, '127.0.0.1')
    s.setNoDelay(true)
    let n = c * 7919
    let carry = ''
    let inFlight = 0
    const send = (count) => {
      let out = ''
      for (let i = 0; i < count; i++) out += request(n++)
      inFlight += count
      s.write(out)
    }
    s.on('data', (d) => {
      const text = carry + d.toString('latin1')
      let got = 0
      let at = text.indexOf(terminator)
      let last = 0
      while (at >= 0) {
        got++
        last = at + terminator.length
        at = text.indexOf(terminator, last)
      }
      carry = text.slice(Math.max(last, text.length - terminator.length))
      inFlight -= got
      done += got
      if (!stop && inFlight === 0) send(depth)
    })
    s.once('connect', () => resolve({ s, start: () => send(depth) }))
  })))
  const cpu0 = cpuOf(server.pid)
  const t0 = performance.now()
  for (const c of conns) c.start()
  await sleep(SECONDS * 1000)
  stop = true
  const elapsed = (performance.now() - t0) / 1000
  const cpu = cpuOf(server.pid) - cpu0
  const requests = done
  for (const c of conns) c.s.destroy()
  await sleep(100)
  return { rps: requests / elapsed, cpuUsPerReq: (cpu * 1e6) / requests }
}

const cases = [
  ['set', 1], ['get', 1], ['set', 16], ['get', 16],
]
const servers = [await startMemcached(), await startRespite()]
const samples = {}
try {
  for (const server of servers) {
    await load(server.port)
    samples[server.name] = {}
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [op, depth] of cases) {
      for (const server of servers) (samples[server.name][`${op} P${depth}`] ??= []).push(await run(server, op, depth))
    }
  }
} finally {
  for (const server of servers) server.stop()
}
const results = {}
for (const [name, byCase] of Object.entries(samples)) {
  results[name] = {}
  for (const [k, runs] of Object.entries(byCase)) {
    results[name][k] = { rps: median(runs.map((r) => r.rps)), cpuUsPerReq: median(runs.map((r) => r.cpuUsPerReq)) }
  }
}

console.log(`memcached front end vs memcached 1.6 (-t 1): ${CLIENTS} clients, ${VALUE}-byte values, ${KEYS} keys, ${SECONDS}s per case, median of ${ROUNDS} rounds`)
console.log('case      memcached req/s  respite req/s  ratio   memcached CPU/req  respite CPU/req  ratio')
for (const [op, depth] of cases) {
  const k = `${op} P${depth}`
  const m = results.memcached[k]
  const r = results.respite[k]
  console.log(
    `${k.padEnd(9)} ${m.rps.toFixed(0).padStart(15)} ${r.rps.toFixed(0).padStart(14)} ${(r.rps / m.rps).toFixed(2).padStart(6)}` +
      ` ${(m.cpuUsPerReq.toFixed(2) + ' us').padStart(18)} ${(r.cpuUsPerReq.toFixed(2) + ' us').padStart(16)} ${(r.cpuUsPerReq / m.cpuUsPerReq).toFixed(2).padStart(6)}`,
  )
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ clients: CLIENTS, value: VALUE, keys: KEYS, seconds: SECONDS, rounds: ROUNDS, cases: cases.map(([op, depth]) => ({ op, depth, ...Object.fromEntries(Object.keys(results).map((n) => [n, results[n][`${op} P${depth}`]])) })) }))
