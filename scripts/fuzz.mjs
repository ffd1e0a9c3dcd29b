#!/usr/bin/env node
// Fuzzes respite and/or redis-server with random and mutated request frames
// (scripts/fuzz/frames.mjs), each started here on a free port, and reports per server
// the frames sent, crashes, hangs, peak memory and error replies. Exits 1 when a
// server crashed, hung or wrote a reply that is not RESP.
//
//   node scripts/fuzz.mjs --frames 1000000 --seed 1 --target both
//
// respite runs from dist/ (npm run build first). With --target both, both servers get
// the same frames: the commands they have in common, with respite's documentation.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { startRedis, startRespite } from './bench/servers.mjs'
import { answersPing, fuzz, loadModel } from './fuzz/driver.mjs'
import { commonModel } from './fuzz/frames.mjs'

const argv = yargs(hideBin(process.argv))
  .scriptName('fuzz')
  .option('frames', { type: 'number', default: 100_000, describe: 'frames to send to each server' })
  .option('seed', { type: 'number', default: 1, describe: 'PRNG seed; the same seed sends the same frames' })
  .option('target', { choices: ['respite', 'redis', 'both'], default: 'both' })
  .option('connections', { type: 'number', default: 8, describe: 'pipelining connections per server' })
  .option('batch', { type: 'number', default: 64, describe: 'valid frames per pipelined batch' })
  .option('junk-rate', { type: 'number', default: 0.25, describe: 'share of batches that end in junk frames' })
  .strict()
  .help()
  .parseSync()

const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
if (argv.target !== 'redis' && !existsSync(cliPath)) {
  console.error(`${cliPath} is missing: run npm run build first`)
  process.exit(2)
}

const MB = 1024 * 1024

function status(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'latin1')
  } catch {
    return ''
  }
}

/** VmRSS and VmHWM (peak RSS) in bytes, or null once the process is gone (a zombie has neither). */
function memory(pid) {
  const text = status(pid)
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) * 1024
  const rss = kb('VmRSS')
  return Number.isNaN(rss) ? null : { rss, hwm: kb('VmHWM') }
}

async function start(kind) {
  return kind === 'respite' ? startRespite({ cliPath, args: ['--save', ''] }) : startRedis()
}

async function run(server, model) {
  let exit = null
  server.child.once('exit', (code, signal) => (exit = signal ?? code))
  // respite-server may serve from a heap-sized child (src/server/heap.ts) that dies
  // before the process we spawned notices.
  const gone = () => exit !== null || !/^State:\s+[^ZX]/m.test(status(server.pid))
  const startRss = memory(server.pid)?.rss ?? 0
  let maxRss = startRss
  const sample = () => {
    const m = memory(server.pid)
    if (m !== null) maxRss = Math.max(maxRss, m.rss, m.hwm)
  }
  const sampler = setInterval(sample, 200)
  let lastPrint = Date.now()
  const stats = await fuzz({
    port: server.port,
    model,
    seed: argv.seed,
    frames: argv.frames,
    connections: argv.connections,
    batch: argv.batch,
    junkRate: argv.junkRate,
    stopped: gone,
    onProgress: (s) => {
      if (Date.now() - lastPrint < 5000) return
      lastPrint = Date.now()
      const rss = memory(server.pid)?.rss ?? NaN
      process.stderr.write(`  ${server.name}: ${s.frames} frames, ${s.errors} errors, ${s.internalErrors} internal, RSS ${(rss / MB).toFixed(0)} MB\n`)
    },
  })
  clearInterval(sampler)
  sample()
  // A server that still runs but no longer answers a new connection is hung.
  const alive = !gone() && (await answersPing(server.port))
  const result = {
    name: server.name,
    stats,
    crashed: gone() ? String(exit ?? 'the serving process is gone') : null,
    hung: !gone() && (!alive || stats.failure !== null),
    startRss,
    maxRss,
  }
  // A hung server may never act on the SIGTERM that stop() relays to it.
  if (result.hung) process.kill(server.pid, 'SIGKILL')
  return result
}

function report(r) {
  const s = r.stats
  const lines = [
    `${r.name}`,
    `  frames sent        ${s.frames} (${s.junkFrames} junk) in ${s.batches} batches, ${(s.elapsedMs / 1000).toFixed(1)} s (${Math.round(s.frames / (s.elapsedMs / 1000))}/s)`,
    `  crashes            ${r.crashed === null ? 0 : `1 (exit ${r.crashed})`}`,
    `  hangs              ${r.hung ? 1 : 0}`,
    `  max RSS            ${(r.maxRss / MB).toFixed(1)} MB (${(r.startRss / MB).toFixed(1)} MB at start)`,
    `  replies            ${s.replies}, of which errors ${s.errors}`,
    `  internal errors    ${s.internalErrors}`,
    `  malformed replies  ${s.malformed.length}`,
    `  connections        ${s.closedByServer} closed by the server, ${s.junkStalls} left waiting on junk, ${s.validStalls} stalled on valid frames`,
  ]
  for (const e of s.internalExamples.slice(0, 10)) lines.push(`    ${e.message}${e.frame ? `\n      after ${e.frame}` : ''}`)
  for (const e of s.malformed.slice(0, 5)) lines.push(`    malformed: ${e.message}; batch began ${e.frames.join(' | ')}`)
  const ran = [...s.commands].filter(([, c]) => c.errors < c.sent).length
  const onlyErrors = [...s.commands].filter(([, c]) => c.errors === c.sent).map(([name]) => name)
  lines.push(`  commands           ${s.commands.size} sent, ${ran} ran without error at least once${onlyErrors.length > 0 ? `; only errors from ${onlyErrors.join(', ')}` : ''}`)
  const kinds = [...s.errorKinds].sort((a, b) => b[1] - a[1]).slice(0, 12)
  lines.push(`  commonest errors   ${kinds.map(([k, n]) => `${n} ${k}`).join('; ')}`)
  return lines.join('\n')
}

const kinds = argv.target === 'both' ? ['respite', 'redis'] : [argv.target]
const servers = []
const results = []
try {
  for (const kind of kinds) servers.push(await start(kind))
  const models = await Promise.all(servers.map((s) => loadModel(s.port)))
  // Both servers get respite's commands that redis-server also has, so the same seed sends the same frames.
  const model = models.length === 2 ? commonModel(models[0], models[1]) : models[0]
  console.log(`seed ${argv.seed}, ${argv.frames} frames per server, ${model.length} commands and subcommands, ${argv.connections} connections`)
  for (const server of servers) {
    const r = await run(server, model)
    results.push(r)
    console.log(report(r))
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()))
}
const failed = results.some((r) => r.crashed !== null || r.hung || r.stats.malformed.length > 0)
process.exit(failed ? 1 : 0)
