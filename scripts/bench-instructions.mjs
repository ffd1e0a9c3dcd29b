#!/usr/bin/env node
// Instructions per request, counted by valgrind's callgrind: a figure this shared host
// cannot blur. Server CPU time here moves 10-40% between runs an hour apart (other
// guests share the cores), while the instruction count of one build on one workload
// repeats to within a few percent.
//
// Each server runs under `valgrind --tool=callgrind`. For each test, redis-benchmark
// first warms it up (respite's JIT), then its counters are zeroed, the test's
// requests are sent, and the counters are dumped: the dump's total over the request
// count is the figure, the median of --rounds such runs (a garbage collection that
// falls in one run or not moves a test like INCR by up to 15%). Only the server's
// user-space code is counted (Node and V8 included for respite), not the kernel's work
// for its syscalls. Instructions are not
// time: respite's JIT code and cold caches cost more per instruction than Redis's C,
// so this is the figure for A/B runs of respite's own changes, with bench.mjs and
// bench-floor.mjs for time.
//
//   npm run build && node scripts/bench-instructions.mjs [--tests get,set,incr]
//     [--pipeline 1,16] [--clients 50] [--requests 50000] [--baseline DIR] [--no-redis]
//     [--rounds 3] [--floor] [--top N]
//
// --baseline DIR adds another build (as bench.mjs takes it) for an A/B; --floor adds
// bench/floor-server.mjs (Node answering +PONG, see bench-floor.mjs); --top N lists
// the N costliest functions of each respite run, JIT code named from node's
// --perf-basic-prof map.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveBuild } from './bench/builds.mjs'
import { jitNamer, selfCosts, totalOf } from './bench/callgrind.mjs'
import { runBenchmark } from './bench/redis-benchmark.mjs'
import { median } from './bench/report.mjs'
import { freePort, machineLine, option, redisArgs, ServerProcess, waitForPing, withFdLimit } from './bench/servers.mjs'

const TESTS = option('tests', 'get,set,incr').split(',')
const PIPELINES = option('pipeline', '1,16').split(',').map(Number)
const CLIENTS = Number(option('clients', '50'))
const REQUESTS = Number(option('requests', '50000'))
const TOP = Number(option('top', '0'))
const ROUNDS = Number(option('rounds', '3'))
const baseline = option('baseline', undefined)
const build = resolveBuild('dist')
const dir = mkdtempSync(join(tmpdir(), 'respite-callgrind-'))

/** Starts `command args` under callgrind; the server gets a free port through `args(port)`. */
async function startUnderCallgrind(name, kind, command, args) {
  const port = await freePort()
  const child = spawn(...withFdLimit('valgrind', ['--tool=callgrind', `--callgrind-out-file=${join(dir, `${name}.%p`)}`, command, ...args(port)]), {
    stdio: ['ignore', 'ignore', 'ignore'],
  })
  // Node starts 20-50 times slower under valgrind.
  await waitForPing(port, child, name, 2400)
  return new ServerProcess(name, kind, port, child)
}

function respiteArgs(buildDir) {
  // An explicit heap size keeps the CLI from starting itself again (heap.ts), so the
  // process under valgrind is the server.
  return (port) => ['--perf-basic-prof', '--max-old-space-size=4096', join(buildDir, 'cli.js'), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning']
}

const starts = []
if (!process.argv.includes('--no-redis')) {
  starts.push(startUnderCallgrind('redis', 'redis', 'redis-server', (port) => redisArgs(port, dir)))
}
starts.push(startUnderCallgrind('respite', 'respite', process.execPath, respiteArgs(build)))
if (baseline !== undefined) starts.push(startUnderCallgrind('respite-before', 'respite', process.execPath, respiteArgs(resolveBuild(baseline))))
if (process.argv.includes('--floor')) {
  const floor = fileURLToPath(new URL('./bench/floor-server.mjs', import.meta.url))
  starts.push(startUnderCallgrind('floor', 'floor', process.execPath, (port) => ['--perf-basic-prof', floor, '--port', String(port), '--build', build]))
}
const servers = await Promise.all(starts)

/** Zeroes a server's counters, or dumps them: callgrind_control talks to it through vgdb. */
function control(server, flag) {
  execFileSync('callgrind_control', [flag, String(server.pid)], { stdio: 'ignore' })
}

/** The newest dump of a server: callgrind numbers them name.PID.1, .2, ... */
function latestDump(server) {
  const prefix = `${server.name}.${server.pid}.`
  const parts = readdirSync(dir).filter((f) => f.startsWith(prefix)).map((f) => Number(f.slice(prefix.length)))
  return join(dir, prefix + Math.max(...parts))
}

function topFunctions(text, pid, requests) {
  const named = new Map()
  const nameOf = jitNamer(pid)
  for (const [fn, cost] of selfCosts(text)) named.set(nameOf(fn), (named.get(nameOf(fn)) ?? 0) + cost)
  return [...named].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([fn, cost]) => `    ${(cost / requests).toFixed(0).padStart(6)}  ${fn.slice(0, 110)}`)
}

/** results[shape][server] = instructions per request */
const shapes = PIPELINES.flatMap((pipeline) => TESTS.map((test) => ({ test, pipeline })))
const results = shapes.map(() => servers.map(() => NaN))
try {
  for (const s of servers) {
    // GET reads what SET wrote; a first pass warms every test up.
    for (const test of ['set', ...TESTS]) await runBenchmark({ port: s.port, test, clients: CLIENTS, pipeline: 16, requests: Math.max(200_000, REQUESTS * 2) })
  }
  for (const [i, shape] of shapes.entries()) {
    for (const [j, s] of servers.entries()) {
      const run = { port: s.port, test: shape.test, clients: CLIENTS, pipeline: shape.pipeline }
      await runBenchmark({ ...run, requests: REQUESTS / 2 })
      const counts = []
      let text = ''
      for (let round = 0; round < ROUNDS; round++) {
        control(s, '-z')
        await runBenchmark({ ...run, requests: REQUESTS })
        control(s, '-d')
        text = readFileSync(latestDump(s), 'latin1')
        counts.push(totalOf(text) / REQUESTS)
      }
      results[i][j] = median(counts)
      console.error(`${shape.test} -P ${shape.pipeline} ${s.name}: ${counts.map((c) => c.toFixed(0)).join(', ')} instructions/request`)
      if (TOP > 0 && s.kind !== 'redis') console.error(topFunctions(text, s.pid, REQUESTS).join('\n'))
    }
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()))
  rmSync(dir, { recursive: true, force: true })
}

const ratio = (a, b) => `${(a / b).toFixed(2)}×`
const names = servers.map((s) => s.name)
const pairs = [['respite', 'redis'], ['respite', 'respite-before'], ['floor', 'redis']].filter(([a, b]) => names.includes(a) && names.includes(b))
console.log(`\nMachine: ${machineLine()}`)
console.log(`Server instructions per request (callgrind), ${CLIENTS} clients, ${REQUESTS} requests per run\n`)
const row = (cells) => `| ${cells.join(' | ')} |`
console.log(row(['Test', 'Pipeline', ...names, ...pairs.map(([a, b]) => `${a} / ${b}`)]))
console.log(row(['---', ...Array(1 + names.length + pairs.length).fill('---:')]))
for (const [i, shape] of shapes.entries()) {
  const of = (n) => results[i][names.indexOf(n)]
  console.log(row([shape.test.toUpperCase(), shape.pipeline, ...results[i].map((v) => v.toFixed(0)), ...pairs.map(([a, b]) => ratio(of(a), of(b)))]))
}
