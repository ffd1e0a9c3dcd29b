#!/usr/bin/env node
// SET throughput with the append-only file on: respite against redis-server 7.0, both
// with appendonly yes and the same appendfsync, measured with redis-benchmark -t set.
// Each figure is the median of --samples runs, and the best run beside it; the servers
// alternate so that noise from the rest of the machine falls on both.
//
//   npm run build && node scripts/bench/aof.mjs
//   node scripts/bench/aof.mjs --fsync off,no,everysec,always --clients 50 --pipeline 1 --requests 100000
//
// `off` runs both with appendonly no, for the cost of the AOF itself.
//
// --warmup N sends N SETs to each fresh server before the measured run. A fresh
// respite runs its first requests before V8 has optimised them: with the 20,000
// requests of an `always` run (a third of a second) that start is a large part of the
// figure, while redis-server is at full speed from its first request.
//
// `always` syncs the disk before each group of replies on both servers, so its figures
// follow the disk (and whoever else uses it) more than either server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { median } from './report.mjs'
import { runBenchmark } from './redis-benchmark.mjs'
import { machineLine, startRedis, startRespite } from './servers.mjs'

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..')
const { values: opts } = parseArgs({
  options: {
    fsync: { type: 'string', default: 'off,everysec,always' },
    clients: { type: 'string', default: '50' },
    pipeline: { type: 'string', default: '1' },
    requests: { type: 'string', default: '100000' },
    'always-requests': { type: 'string', default: '20000' },
    samples: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '0' },
    build: { type: 'string', default: join(ROOT, 'dist') },
    // Also writes the figures there, for npm run bench's report (bench/subsystems.mjs).
    json: { type: 'string' },
  },
})

async function measure(kind, fsync, requests) {
  const dir = mkdtempSync(join(tmpdir(), `respite-bench-aof-${kind}-`))
  // `off`: appendonly no, the baseline the others are read against.
  const args = fsync === 'off' ? ['--dir', dir] : ['--dir', dir, '--appendonly', 'yes', '--appendfsync', fsync]
  // redis-server's base would be an RDB preamble; respite writes command form, so both write commands.
  const server = kind === 'respite'
    ? await startRespite({ cliPath: join(opts.build, 'cli.js'), args })
    : await startRedis({ args: [...args, '--aof-use-rdb-preamble', 'no'] })
  try {
    const warmup = Number(opts.warmup)
    if (warmup > 0) await runBenchmark({ port: server.port, test: 'set', clients: Number(opts.clients), pipeline: Number(opts.pipeline), requests: warmup })
    const r = await runBenchmark({ port: server.port, test: 'set', clients: Number(opts.clients), pipeline: Number(opts.pipeline), requests })
    return r.rps
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

console.log(machineLine())
console.log(`redis-benchmark -t set -c ${opts.clients} -P ${opts.pipeline}, median of ${opts.samples}` +
  (Number(opts.warmup) > 0 ? `, after ${opts.warmup} SETs of warm-up` : ''))
const rows = []
for (const fsync of opts.fsync.split(',')) {
  const requests = Number(fsync === 'always' ? opts['always-requests'] : opts.requests)
  const ours = []
  const theirs = []
  for (let i = 0; i < Number(opts.samples); i++) {
    ours.push(await measure('respite', fsync, requests))
    theirs.push(await measure('redis', fsync, requests))
  }
  const a = median(ours)
  const b = median(theirs)
  // On a shared machine other load only ever slows a run, so the best run is shown too.
  const bestA = Math.max(...ours)
  const bestB = Math.max(...theirs)
  const fmt = (n) => Math.round(n).toString().padStart(8)
  rows.push({ fsync, requests, respite: { rps: a, best: bestA, samples: ours }, redis: { rps: b, best: bestB, samples: theirs } })
  console.log(`appendfsync ${fsync.padEnd(8)} respite ${fmt(a)} req/s   redis-server ${fmt(b)} req/s   ratio ${(a / b).toFixed(2)}` +
    `   (best: ${fmt(bestA)} / ${fmt(bestB)}, ratio ${(bestA / bestB).toFixed(2)})`)
}
if (opts.json) writeFileSync(opts.json, JSON.stringify({ clients: Number(opts.clients), pipeline: Number(opts.pipeline), samples: Number(opts.samples), warmup: Number(opts.warmup), rows }))
