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
import { median } from './bench/report.mjs'
import { CLOCK_TICKS, freePort, machineLine, option, ServerProcess, startRedis, startRespite, waitForPing } from './bench/servers.mjs'

const ROUNDS = Number(option('rounds', '3'))
const FACTOR = Number(option('factor', '1'))
const build = resolveBuild(option('build', 'dist'))

const SHAPES = [
  { title: '50 clients', test: 'get', clients: 50, pipeline: 1, requests: 200_000 },
  { title: '1 client', test: 'get', clients: 1, pipeline: 1, requests: 30_000 },
  { title: '50 clients, -P 16', test: 'get', clients: 50, pipeline: 16, requests: 2_000_000 },
  { title: '50 clients, -P 16', test: 'incr', clients: 50, pipeline: 16, requests: 2_000_000 },
]

/** The floor server, started and stopped as servers.mjs starts the others. */
async function startFloor() {
  const port = await freePort()
  const child = spawn(process.execPath, [fileURLToPath(new URL('./bench/floor-server.mjs', import.meta.url)), '--port', String(port), '--build', build], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  await waitForPing(port, child, 'floor')
  return new ServerProcess('floor', 'floor', port, child)
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
        const before = s.cpuTicks()
        await runBenchmark({ port: s.port, test: shape.test, clients: shape.clients, pipeline: shape.pipeline, requests })
        cpu[i][j].push((((s.cpuTicks() - before) / CLOCK_TICKS) * 1e6) / requests)
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
