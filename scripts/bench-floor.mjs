#!/usr/bin/env node
// What Node itself costs per request, against what respite and Redis cost.
//
// Three servers take the same redis-benchmark runs, interleaved round by round:
// redis-server, respite, and the "floor" (bench/floor-server.mjs), a Node server on
// respite's own I/O path that does nothing but answer +PONG once per request. The
// floor's server CPU per request is the least any Node server reading and writing
// this way can spend; where it is above Redis's, so is every command of respite's, and
// respite's share is what it spends above the floor.
//
//   npm run build && node scripts/bench-floor.mjs [--rounds 3] [--factor 1] [--build dist]
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { resolveBuild } from './bench/builds.mjs'
import { runBenchmark } from './bench/redis-benchmark.mjs'
import { CLOCK_TICKS, cli, freePort, machineLine, option, startRedis, startRespite, cpuTicks } from './bench/servers.mjs'

const ROUNDS = Number(option('rounds', '3'))
const FACTOR = Number(option('factor', '1'))
const build = resolveBuild(option('build', 'dist'))

const SHAPES = [
  { title: '50 clients', test: 'get', clients: 50, pipeline: 1, requests: 200_000 },
  { title: '1 client', test: 'get', clients: 1, pipeline: 1, requests: 30_000 },
  { title: '50 clients, -P 16', test: 'get', clients: 50, pipeline: 16, requests: 2_000_000 },
  { title: '50 clients, -P 16', test: 'incr', clients: 50, pipeline: 16, requests: 2_000_000 },
]

/** The floor server, shaped as servers.mjs's ServerProcess where bench-floor uses it. */
async function startFloor() {
  const port = await freePort()
  const child = spawn(process.execPath, [fileURLToPath(new URL('./bench/floor-server.mjs', import.meta.url)), '--port', String(port), '--build', build], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  for (let i = 0; ; i++) {
    try {
      if (cli(port, ['PING']).trim() === 'PONG') break
    } catch {
      if (i === 100 || child.exitCode !== null) throw new Error('the floor server did not start')
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return {
    name: 'floor',
    port,
    pid: child.pid,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))),
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const servers = [await startRedis(), await startRespite({ cliPath: join(build, 'cli.js') }), await startFloor()]
/** cpu[shape][server]: µs of server CPU per request, one per round. */
const cpu = SHAPES.map(() => servers.map(() => []))
const started = Date.now()
try {
  // GET reads the key SET wrote (redis-benchmark's default key), and the first run of
  // each test on each server warms its JIT; neither is measured.
  for (const s of servers) {
    for (const test of ['set', 'get', 'incr']) await runBenchmark({ port: s.port, test, clients: 50, pipeline: 16, requests: 200_000 })
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, shape] of SHAPES.entries()) {
      // Each round starts with another server, so no one always runs first.
      for (let k = 0; k < servers.length; k++) {
        const j = (k + round) % servers.length
        const s = servers[j]
        const requests = Math.max(1000, Math.round(shape.requests * FACTOR))
        const before = cpuTicks(s.pid)
        await runBenchmark({ port: s.port, test: shape.test, clients: shape.clients, pipeline: shape.pipeline, requests })
        cpu[i][j].push((((cpuTicks(s.pid) - before) / CLOCK_TICKS) * 1e6) / requests)
      }
    }
  }
} finally {
  for (const s of servers) await s.stop()
}

const fmt = (x) => x.toFixed(2)
console.log(`${machineLine()}\n${ROUNDS} round(s), ${Math.round((Date.now() - started) / 1000)} s; medians of server CPU µs per request\n`)
console.log('| Workload | Command | Redis | Node floor | respite | floor / Redis | respite / Redis | respite above the floor |')
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const [i, shape] of SHAPES.entries()) {
  const [redis, respite, floor] = cpu[i].map(median)
  console.log(`| ${shape.title} | ${shape.test.toUpperCase()} | ${fmt(redis)} | ${fmt(floor)} | ${fmt(respite)} | ${fmt(floor / redis)}× | ${fmt(respite / redis)}× | ${fmt(respite - floor)} |`)
}
