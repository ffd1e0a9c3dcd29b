#!/usr/bin/env node
// respite vs the Debian redis-server under identical redis-benchmark workloads, run
// interleaved (respite, Redis, Redis, respite, ...) for several rounds. Reports the
// medians and respite/Redis ratios of requests per second, p50/p99/max latency and
// server CPU time per request (utime+stime from /proc/PID/stat around each run), plus
// RSS growth per key (10M keys of 100 bytes, 1M of 1 KiB). Writes docs/benchmark.md and docs/benchmark.svg.
//
//   npm run build && npm run bench                 full run (about 45 minutes)
//   npm run bench -- --quick                       smoke run (about a minute)
//   npm run bench -- --scale                       50M keys: load, RSS per key, GET/SET rate
//   npm run bench -- --baseline HEAD~1             also run an older build ('before')
//
// Connection handling has two workloads: churn-k0 (redis-benchmark -k 0, a new
// connection per request; req/s is connections/s) and open-10k (10,000 connections
// opened at once, each answering a PING; see bench/open-connections.mjs). Run them
// alone with --only churn-k0,open-10k.
//
// Pub/sub fan-out (bench/pubsub.mjs): one publisher, 100 subscribers of a channel and
// one of a pattern that matches it; figures are per delivered message. A run of only
// these rows (--only pubsub-P1,pubsub-P16) rewrites just their section of the report.
//
// Lua scripting (bench/lua-scripts.mjs): EVALSHA of a two-INCR script and of a
// BullMQ-like script of 20 redis.call's, loaded with SCRIPT LOAD on both servers, and
// FCALL of the same scripts as functions, sent by redis-benchmark. Their rows get a
// section of their own; run them alone with --only evalsha-incr2,evalsha-incr2-P16,
// evalsha-bullmq,evalsha-bullmq-P16,fcall-incr2,fcall-bullmq,fcall-bullmq-P16, which
// rewrites just that section of the report.
//
// Persistence and memcached (bench/subsystems.mjs): SET with appendonly at each
// appendfsync, 1M-key SAVE and load, BGSAVE under load, and the memcached front end
// against memcached; each is a script under scripts/bench/ run as a child. Run them
// alone with --only aof,rdb,bgsave,memcached, which rewrites just their section.
//
// Options (or environment): --rounds N (BENCH_ROUNDS), --factor F to scale every -n
// (BENCH_FACTOR; not open-10k's connection count), --only c50-P16,c1-P1 (workload ids), --tests set,get,
// --cli path/to/cli.js (RESPITE_CLI), --node-flags "..." for respite's node,
// --keys N for the large keyspace, --no-write to leave docs/ alone, --json FILE,
// --baseline-node-flags "..." (defaults to --node-flags).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { REPO, resolveBuild } from './bench/builds.mjs'
import { loadKeys } from './bench/load-keys.mjs'
import { runOpenConnections } from './bench/open-connections.mjs'
import { runPubSub } from './bench/pubsub.mjs'
import { runStreamGroup } from './bench/streams.mjs'
import { asFunction, BULLMQ_LIKE, INCR2, loadScript, scriptCommand } from './bench/lua-scripts.mjs'
import { PROBES, runBenchmark } from './bench/redis-benchmark.mjs'
import { buildComparisonTable, chartSvg, checkTargets, markdownTable, memoryTable, pubsubTable, summarize, targetsTable } from './bench/report.mjs'
import { CLOCK_TICKS, cli, machineLine, startRedis, startRespite } from './bench/servers.mjs'
import { runScale, SCALE_END, SCALE_START } from './bench/scale.mjs'
import { runSubsystems, SUBSYSTEMS, SUBSYSTEMS_END, SUBSYSTEMS_START, subsystemsSection } from './bench/subsystems.mjs'

const CODEC_START = '<!-- codec:start -->'
const CODEC_END = '<!-- codec:end -->'
const PUBSUB_START = '<!-- pubsub:start -->'
const PUBSUB_END = '<!-- pubsub:end -->'
const SCRIPTING_START = '<!-- scripting:start -->'
const SCRIPTING_END = '<!-- scripting:end -->'
const DATATYPES_START = '<!-- datatypes:start -->'
const DATATYPES_END = '<!-- datatypes:end -->'
// Written by bench-lua.mjs (npm run bench:lua).
const LUA_START = '<!-- lua:start -->'
const LUA_END = '<!-- lua:end -->'

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    factor: { type: 'string' },
    only: { type: 'string' },
    tests: { type: 'string' },
    cli: { type: 'string' },
    'node-flags': { type: 'string' },
    baseline: { type: 'string' },
    'baseline-node-flags': { type: 'string' },
    keys: { type: 'string' },
    'scale-keys': { type: 'string' },
    write: { type: 'boolean', default: true },
    'no-write': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
  allowPositionals: false,
})

const quick = opts.quick
const rounds = Number(opts.rounds ?? process.env.BENCH_ROUNDS ?? (quick ? 1 : 5))
const factor = Number(opts.factor ?? process.env.BENCH_FACTOR ?? (quick ? 0.1 : 1))
const write = opts.write && !opts['no-write']
const cliPath = join(resolveBuild(opts.cli ?? process.env.RESPITE_CLI ?? 'dist'), 'cli.js')
const nodeFlags = (opts['node-flags'] ?? '').split(/\s+/).filter(Boolean)
const largeKeys = Number(opts.keys ?? (quick ? 100_000 : 10_000_000))

/**
 * redis-benchmark's default suite, in its order: each test may need what an earlier
 * one left (LPOP pops what LPUSH pushed, SPOP and ZPOPMIN what SADD and ZADD added).
 */
const SUITE = ['ping_inline', 'ping_mbulk', 'set', 'get', 'incr', 'lpush', 'rpush', 'lpop', 'rpop', 'sadd', 'hset', 'spop', 'zadd', 'zpopmin', 'lrange_100', 'lrange_300', 'lrange_500', 'lrange_600', 'mset']
/** The suite's rows that the chart shows; the tables show them all. */
const CHARTED = new Set(['set', 'get', 'incr', 'lpush', 'rpop', 'sadd', 'hset', 'zadd'])
/**
 * Tests that cost several times a SET per request run this many times fewer, so every
 * run takes about as long. (redis-benchmark fills the list for LRANGE with as many LPUSHes
 * first, charged to the run.) Not with one client, whose rate is set by round trips, not
 * by the command: there the cut left runs of 1,250 requests, too short to compare (CPU
 * per request in steps of 4-8 µs, req/s ratios from 0.4x to 1.1x between runs).
 */
const HEAVY = { lrange_100: 2, lrange_300: 4, lrange_500: 6, lrange_600: 8, mset: 2 }

/** open-10k: as many as maxclients (10000 by default) lets in. */
const OPEN_CONNECTIONS = 10_000

const BITMAP_COMMANDS = {
  setbit: ['SETBIT', 'bitmap:__rand_int__', '65535', '1'],
  bitcount: ['BITCOUNT', 'bitmap:__rand_int__'],
}

/**
 * The issue's workloads. `requests` is sized so one run takes one to two seconds on
 * Redis here; `large` rows run against servers preloaded with `largeKeys` keys.
 */
const WORKLOADS = [
  { id: 'c50-P1', title: '50 clients', clients: 50, pipeline: 1, tests: SUITE, requests: 200_000, suite: true },
  { id: 'c50-P16', title: '50 clients, -P 16', clients: 50, pipeline: 16, tests: SUITE, requests: 2_000_000, suite: true },
  { id: 'c1-P1', title: '1 client', clients: 1, pipeline: 1, tests: SUITE, requests: 20_000, suite: true },
  { id: '1k-P1', title: '1 KiB values', clients: 50, pipeline: 1, tests: ['set', 'get'], requests: 200_000, dataSize: 1024, keyspace: 100_000 },
  { id: '1k-P16', title: '1 KiB values, -P 16', clients: 50, pipeline: 16, tests: ['set', 'get'], requests: 1_000_000, dataSize: 1024, keyspace: 100_000 },
  { id: '16k-P1', title: '16 KiB values', clients: 50, pipeline: 1, tests: ['set', 'get'], requests: 100_000, dataSize: 16384, keyspace: 10_000 },
  { id: '16k-P16', title: '16 KiB values, -P 16', clients: 50, pipeline: 16, tests: ['set', 'get'], requests: 200_000, dataSize: 16384, keyspace: 10_000 },
  // The latency run over a big keyspace: one run per server and test (not per round),
  // sized to last about a minute, for its p99 and max.
  { id: 'large-P1', title: `${fmtKeys(largeKeys)} keys, ~60 s`, clients: 50, pipeline: 1, tests: ['get', 'set'], requests: 6_000_000, dataSize: 100, keyspace: largeKeys, large: true, once: true },
  // req/s is connections/s: every request opens, uses and closes a connection.
  { id: 'churn-k0', title: 'new connection per request (-k 0)', clients: 10, pipeline: 1, tests: ['ping_inline', 'ping_mbulk'], requests: 20_000, keepalive: false },
  // `requests` is the connection count, not scaled by --factor: the point is 10,000 at once.
  { id: 'open-10k', title: `${OPEN_CONNECTIONS.toLocaleString('en-US')} connections opened at once`, clients: OPEN_CONNECTIONS, pipeline: 1, tests: ['ping_inline'], requests: OPEN_CONNECTIONS, open: true, fixed: true },
  // `requests` is messages published; each is delivered to 101 subscribers.
  { id: 'pubsub-P1', title: 'PUBLISH to 100 + 1 pattern subscribers', clients: 102, pipeline: 1, tests: ['publish'], requests: 10_000, pubsub: true, subscribers: 100, dataSize: 32 },
  { id: 'pubsub-P16', title: 'PUBLISH to 100 + 1 pattern subscribers, -P 16', clients: 102, pipeline: 16, tests: ['publish'], requests: 100_000, pubsub: true, subscribers: 100, dataSize: 32 },
  // EVALSHA of a script loaded beforehand; `script` is what bench/lua-scripts.mjs defines.
  // Bitmaps: SETBIT and BITCOUNT on 1,000 bitmaps of 8 KiB (bit 65535). redis-benchmark
  // pads __rand_int__ to 12 digits, which no bit offset accepts, so the randomness is in
  // the key; `commands` gives each test's command line.
  { id: 'bitmap-P1', dataType: true, title: 'SETBIT/BITCOUNT, 8 KiB bitmaps', clients: 50, pipeline: 1, tests: ['setbit', 'bitcount'], requests: 200_000, keyspace: 1000, commands: BITMAP_COMMANDS },
  { id: 'bitmap-P16', dataType: true, title: 'SETBIT/BITCOUNT, 8 KiB bitmaps, -P 16', clients: 50, pipeline: 16, tests: ['setbit', 'bitcount'], requests: 1_000_000, keyspace: 1000, commands: BITMAP_COMMANDS },
  { id: 'evalsha-incr2', title: 'EVALSHA, 2 INCRs', clients: 50, pipeline: 1, tests: ['evalsha'], requests: 200_000, script: INCR2 },
  { id: 'evalsha-incr2-P16', title: 'EVALSHA, 2 INCRs, -P 16', clients: 50, pipeline: 16, tests: ['evalsha'], requests: 1_000_000, script: INCR2 },
  { id: 'evalsha-bullmq', title: "EVALSHA, BullMQ-like, 20 redis.call's", clients: 50, pipeline: 1, tests: ['evalsha'], requests: 100_000, script: BULLMQ_LIKE },
  { id: 'evalsha-bullmq-P16', title: "EVALSHA, BullMQ-like, 20 redis.call's, -P 16", clients: 50, pipeline: 16, tests: ['evalsha'], requests: 200_000, script: BULLMQ_LIKE },
  // The same two scripts as Redis functions, run by FCALL.
  { id: 'fcall-incr2', title: 'FCALL, 2 INCRs', clients: 50, pipeline: 1, tests: ['fcall'], requests: 200_000, script: asFunction(INCR2, 'bench_incr2') },
  { id: 'fcall-bullmq', title: "FCALL, BullMQ-like, 20 redis.call's", clients: 50, pipeline: 1, tests: ['fcall'], requests: 100_000, script: asFunction(BULLMQ_LIKE, 'bench_bullmq') },
  { id: 'fcall-bullmq-P16', title: "FCALL, BullMQ-like, 20 redis.call's, -P 16", clients: 50, pipeline: 16, tests: ['fcall'], requests: 200_000, script: asFunction(BULLMQ_LIKE, 'bench_bullmq') },
  // Streams: XADD sent by redis-benchmark as a custom command (the stream grows over
  // the rounds), and a consumer group (bench/streams.mjs): a producer XADDs while 10
  // consumers XREADGROUP COUNT 10 and XACK; `requests` is entries, figures are per
  // command (XADD, XREADGROUP, XACK). Run alone with --only xadd,xadd-P16,xreadgroup-xack.
  { id: 'xadd', dataType: true, title: 'XADD key * f v', clients: 50, pipeline: 1, tests: ['xadd'], requests: 200_000, command: ['XADD', 'bench:stream', '*', 'f', 'v'] },
  { id: 'xadd-P16', dataType: true, title: 'XADD key * f v, -P 16', clients: 50, pipeline: 16, tests: ['xadd'], requests: 500_000, command: ['XADD', 'bench:stream', '*', 'f', 'v'] },
  // 200k entries make 240k commands, 1.4 s on Redis, as the other rows last. At 100k
  // (0.35 s at --factor 0.5) respite's CPU per command moved by up to a third between
  // the rounds of one run (2.00-2.83 µs; Redis 2.33-2.50), too coarse for a 1.2x target.
  { id: 'xreadgroup-xack', dataType: true, title: 'XREADGROUP COUNT 10 + XACK, 10 consumers, 1 producer', clients: 11, pipeline: 1, tests: ['xreadgroup'], requests: 200_000, streamGroup: { consumers: 10, count: 10 } },
]

function fmtKeys(n) {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`
}

function log(msg) {
  process.stderr.write(msg + '\n')
}

async function main() {
  if (opts.scale) {
    await runScale({ cliPath, nodeFlags, keys: Number(opts['scale-keys'] ?? (quick ? 2_000_000 : 50_000_000)), write, quick })
    return
  }
  const only = opts.only?.split(',')
  const onlyTests = opts.tests?.split(',')
  const workloads = WORKLOADS.filter((w) => !only || only.includes(w.id)).map((w) => ({
    ...w,
    tests: w.tests.filter((t) => !onlyTests || onlyTests.includes(t)),
    requests: w.fixed ? w.requests : Math.max(1000, Math.round(w.requests * factor)),
  }))
  const memoryRuns = opts.only && !only.includes('memory-1k') ? [] : [{ id: 'memory-1k', keys: quick ? 20_000 : 1_000_000, valueSize: 1024 }]
  const started = Date.now()
  const builds = [{ name: 'respite', cliPath, nodeFlags }]
  if (opts.baseline) {
    const flags = (opts['baseline-node-flags'] ?? opts['node-flags'] ?? '').split(/\s+/).filter(Boolean)
    builds.push({ name: 'respite-before', cliPath: join(resolveBuild(opts.baseline), 'cli.js'), nodeFlags: flags })
  }
  const serverNames = [...builds.map((b) => b.name), 'redis']
  log(`respite: ${cliPath}${nodeFlags.length ? ' with node ' + nodeFlags.join(' ') : ''}; ${rounds} round(s), -n x${factor}`)

  /** rows[i].samples[server] = per-round figures */
  const rows = []
  for (const w of workloads) {
    for (const test of w.tests) {
      const requests = w.suite && w.clients > 1 && HEAVY[test] ? Math.max(1000, Math.round(w.requests / HEAVY[test])) : w.requests
      rows.push({ ...w, requests, workload: w.id, test, samples: Object.fromEntries(serverNames.map((n) => [n, []])), missing: new Set() })
    }
  }
  /** memory[i][server]: RSS growth per key of one loaded keyspace (the large rows' keys, then memoryRuns). */
  const memory = []
  const measureLoad = async (servers, keys, valueSize) => {
    const entry = {}
    for (const s of servers) {
      const before = s.rss()
      const t0 = Date.now()
      await loadKeys(s.port, keys, valueSize)
      const loadMs = Date.now() - t0
      // Let the loader's garbage settle the way it would on a server that stays up.
      await new Promise((r) => setTimeout(r, 2000))
      const after = s.rss()
      const dbsize = Number(cli(s.port, ['DBSIZE']).trim())
      entry[s.name] = { keys, valueSize, before, after, growth: after - before, perKey: (after - before) / keys, loadMs, dbsize }
      log(`${s.name}: loaded ${dbsize} keys of ${valueSize} bytes in ${loadMs} ms, RSS ${mib(before)} -> ${mib(after)} (${Math.round((after - before) / keys)} bytes/key)`)
      if (dbsize !== keys) throw new Error(`${s.name} holds ${dbsize} keys after loading ${keys}`)
    }
    memory.push(entry)
  }

  const startAll = async () => {
    const list = []
    for (const b of builds) list.push(await startRespite({ name: b.name, cliPath: b.cliPath, nodeFlags: b.nodeFlags }))
    list.push(await startRedis({ name: 'redis' }))
    return list
  }

  const smallRows = rows.filter((r) => !r.large)
  const largeRows = rows.filter((r) => r.large)

  if (smallRows.length > 0) {
    const servers = await startAll()
    try {
      probeCommands(servers, smallRows)
      loadScripts(servers, smallRows)
      await runRounds(servers, smallRows)
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  }

  if (largeRows.length > 0) {
    const servers = await startAll()
    try {
      await measureLoad(servers, largeKeys, 100)
      await runRounds(servers, largeRows)
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  }

  // Memory with bigger values, on fresh servers of every build and Redis.
  for (const m of memoryRuns) {
    const servers = await startAll()
    try {
      await measureLoad(servers, m.keys, m.valueSize)
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  }

  const subsystemIds = Object.keys(SUBSYSTEMS).filter((id) => !only || only.includes(id))
  const figures = subsystemIds.length > 0 ? runSubsystems(subsystemIds, { quick, build: dirname(cliPath), log }) : null

  const results = rows.map((r) => ({
    workload: r.workload,
    title: r.title,
    test: r.test,
    clients: r.clients,
    pipeline: r.pipeline,
    dataSize: r.dataSize,
    keyspace: r.keyspace,
    requests: r.requests,
    large: r.large ?? false,
    keepalive: r.keepalive ?? true,
    open: r.open ?? false,
    pubsub: r.pubsub ?? false,
    script: r.script !== undefined,
    dataType: r.dataType ?? false,
    suite: r.suite ?? false,
    servers: Object.fromEntries(serverNames.map((n) => [n, r.missing.has(n) ? null : summarize(r.samples[n])])),
    samples: r.samples,
  }))
  const elapsed = ((Date.now() - started) / 1000).toFixed(0)
  const machine = machineLine()
  const command = `npm run build && npm run bench${quick ? ' -- --quick' : ''}`
  const requestRows = results.filter((r) => !r.pubsub && !r.script && !r.dataType)
  const dataRows = results.filter((r) => r.dataType)
  const pubsubRows = results.filter((r) => r.pubsub)
  const scriptRows = results.filter((r) => r.script)
  const table = markdownTable(requestRows, 'respite', 'redis')
  const mem = memoryTable(memory, 'respite', 'redis')
  const targets = checkTargets(results, memory, 'respite', 'redis')
  const compare = opts.baseline ? buildComparisonTable(results, 'respite', 'respite-before') : ''
  const pubsub = pubsubRows.length > 0 ? pubsubSection({ machine, rounds, rows: pubsubRows, targets }) : ''
  const scripting = scriptRows.length > 0 ? scriptingSection({ machine, rounds, rows: scriptRows, targets }) : ''
  const dataTypes = dataRows.length > 0 ? dataTypesSection({ machine, rounds, rows: dataRows, targets }) : ''
  const subsystems = figures ? subsystemsSection({ machine, figures, only: subsystemIds.join(',') }) : ''

  console.log(`\nMachine: ${machine}\nReproduce: ${command}\n${rounds} round(s), ${elapsed} s\n`)
  if (requestRows.length > 0 || memory.length > 0) console.log(table + '\n\n' + mem + '\n\n' + targetsTable(targets.filter((t) => !t.pubsub && !t.scripting && !t.dataType)))
  if (pubsub) console.log('\n' + pubsub)
  if (scripting) console.log('\n' + scripting)
  if (dataTypes) console.log('\n' + dataTypes)
  if (subsystems) console.log('\n' + subsystems)
  if (compare) console.log(`\nrespite before (${opts.baseline}) and after:\n\n${compare}`)

  if (opts.json) writeFileSync(opts.json, JSON.stringify({ machine, rounds, factor, memory, results, targets, subsystems: figures }, null, 2))
  if (write && requestRows.length === 0) {
    // Only pub/sub, scripting, data-type or subsystem rows: the rest of the report stays as the last full run wrote it.
    const path = join(REPO, 'docs', 'benchmark.md')
    if (pubsub) replaceSection(path, PUBSUB_START, PUBSUB_END, pubsub)
    if (scripting) replaceSection(path, SCRIPTING_START, SCRIPTING_END, scripting)
    if (dataTypes) replaceSection(path, DATATYPES_START, DATATYPES_END, dataTypes)
    if (subsystems) replaceSection(path, SUBSYSTEMS_START, SUBSYSTEMS_END, subsystems)
    log(`updated the ${[pubsub && 'pub/sub', scripting && 'scripting', dataTypes && 'data types', subsystems && 'persistence and memcached'].filter(Boolean).join(' and ')} section of docs/benchmark.md`)
  } else if (write) {
    const docs = join(REPO, 'docs')
    mkdirSync(docs, { recursive: true })
    const date = new Date().toISOString().slice(0, 10)
    const svg = await chartSvg(requestRows.filter((r) => !r.suite || CHARTED.has(r.test)), serverNames, `${date} · ${machine.split(';')[0]}`)
    writeFileSync(join(docs, 'benchmark.svg'), svg)
    const path = join(docs, 'benchmark.md')
    writeFileSync(path, benchmarkMarkdown({ date, machine, command, rounds, elapsed, table, mem, targets: targets.filter((t) => !t.pubsub && !t.scripting && !t.dataType), compare }) + keptSections(path, { pubsub, scripting, dataTypes, subsystems }))
    updateReadme(table, mem, machine, command)
    log(`wrote docs/benchmark.md and docs/benchmark.svg`)
  }
}

/** Marks rows 'n/a' for a server whose command table lacks the test's command. */
function probeCommands(servers, rows) {
  for (const row of rows) {
    const probe = PROBES[row.test]
    if (!probe) continue
    for (const s of servers) {
      const reply = cli(s.port, probe)
      if (/^ERR unknown command/.test(reply)) {
        row.missing.add(s.name)
        log(`${s.name}: ${row.test.toUpperCase()} is not implemented; its rows show n/a`)
      }
    }
  }
}

/** SCRIPT LOADs each script row's script; a server where it does not run shows n/a. */
function loadScripts(servers, rows) {
  for (const row of rows) {
    if (!row.script) continue
    for (const s of servers) {
      const problem = loadScript(s.port, row.script)
      if (problem !== null) {
        row.missing.add(s.name)
        log(`${s.name}: ${row.id} cannot run (${problem}); its row shows n/a`)
      }
    }
  }
}

/** A B A B...: each round runs every row on every server, alternating who goes first. */
async function runRounds(servers, rows) {
  // One unrecorded run of each row at a tenth of its size first, on every server: a
  // fresh respite's first runs cost more (XREADGROUP + XACK on a fresh server: 4.8,
  // 4.1, 2.8, 2.7, 2.8 µs/req over five runs, Redis 2.5 throughout), and the figures
  // are for a server in service. The consumer-group row, whose commands take many
  // paths (blocking, groups, PELs), warms up at full size: after a tenth, its first
  // round still read 1.3-1.5x its later ones. The big keyspace warms up too: its first
  // GETs ever, in its measured run, took 10-15 ms more than after a warm-up.
  for (const row of rows) {
    if (row.open || row.keepalive === false) continue
    const warmup = row.streamGroup ? row.requests : Math.max(1000, Math.round(row.requests / 10))
    for (const s of servers) if (!row.missing.has(s.name)) await runRow(s, row, warmup)
  }
  // CPU is counted from the end of the server's previous run, so work it does while
  // idle (respite's idle-time garbage collection, Redis's cron) is charged too.
  for (const s of servers) s.lastTicks = s.cpuTicks()
  for (let round = 1; round <= rounds; round++) {
    for (const row of rows) {
      if (row.once && round > 1) continue
      const order = round % 2 === 1 ? servers : [...servers].reverse()
      for (const s of order) {
        if (row.missing.has(s.name)) continue
        if (row.large) watchLatency(s.port)
        const figures = await runRow(s, row, row.requests)
        if (row.large) figures.spikes = latencySpikes(s.port)
        const now = s.cpuTicks()
        const ticks = now - s.lastTicks
        s.lastTicks = now
        // Pub/sub is charged per delivered message, everything else per request.
        figures.cpuUs = (ticks * 1e6) / CLOCK_TICKS / (figures.delivered ?? row.requests)
        row.samples[s.name].push(figures)
        const unit = row.pubsub ? 'msg' : 'req'
        log(`round ${round}/${rounds} ${row.id} ${row.test.toUpperCase().padEnd(5)} ${s.name.padEnd(14)} ${Math.round(figures.rps).toString().padStart(8)} ${unit}/s  p50 ${figures.p50.toFixed(3)}  p99 ${figures.p99.toFixed(3)}  max ${figures.max.toFixed(3)} ms  ${figures.cpuUs.toFixed(2)} µs/${unit}`)
      }
    }
  }
}

/**
 * The big keyspace's runs keep each server's latency monitor on at 1 ms (LATENCY,
 * reset before each run), so the longest stall the server itself saw, and for respite
 * its longest GC pause, stand beside the longest wait redis-benchmark saw.
 */
function watchLatency(port) {
  cli(port, ['CONFIG', 'SET', 'latency-monitor-threshold', '1'])
  cli(port, ['LATENCY', 'RESET'])
}

/** LATENCY LATEST as { event: all-time max ms }. */
function latencySpikes(port) {
  const lines = cli(port, ['LATENCY', 'LATEST']).trim().split('\n')
  const spikes = {}
  for (let i = 0; i + 3 < lines.length; i += 4) spikes[lines[i]] = Number(lines[i + 3])
  return spikes
}

/** One run of `row` against server `s` with `requests` requests (messages, entries). */
function runRow(s, row, requests) {
  if (row.open) return openAtOnce(s, requests)
  if (row.pubsub) return runPubSub({ port: s.port, subscribers: row.subscribers, messages: requests, pipeline: row.pipeline, size: row.dataSize })
  if (row.streamGroup) return runStreamGroup({ port: s.port, consumers: row.streamGroup.consumers, count: row.streamGroup.count, entries: requests })
  return runBenchmark({ port: s.port, test: row.test, clients: row.clients, pipeline: row.pipeline, requests, dataSize: row.dataSize, keyspace: row.keyspace, keepalive: row.keepalive, command: row.commands?.[row.test] ?? row.command ?? (row.script && scriptCommand(row.script)) })
}

/**
 * open-10k on one server: waits until the connections of earlier runs are gone (so
 * all `n` fit under maxclients), then opens `n` at once. Figures in the shape of a
 * redis-benchmark run: rps is connections per second over the whole opening, p50/p99/max
 * the time from the start to each connection's PONG, and `ms` the time until the last.
 */
async function openAtOnce(server, n) {
  for (let i = 0; i < 200; i++) {
    const m = /connected_clients:(\d+)/.exec(cli(server.port, ['INFO', 'clients']))
    // The INFO connection itself is one.
    if (m && Number(m[1]) <= 1) break
    await new Promise((r) => setTimeout(r, 50))
  }
  const r = await runOpenConnections({ port: server.port, connections: n })
  return { rps: (n * 1000) / r.ms, p50: r.p50, p99: r.p99, max: r.max, ms: r.ms, connectMs: r.connectMs }
}

/**
 * The sections other runs wrote into an existing report (--scale, bench:codec, bench:lua), which
 * a regular run leaves in place.
 */
function keptSections(path, fresh) {
  let text
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    text = ''
  }
  const sections = [
    [PUBSUB_START, PUBSUB_END, fresh.pubsub],
    [SCRIPTING_START, SCRIPTING_END, fresh.scripting],
    [DATATYPES_START, DATATYPES_END, fresh.dataTypes],
    [SUBSYSTEMS_START, SUBSYSTEMS_END, fresh.subsystems],
    [SCALE_START, SCALE_END],
    [CODEC_START, CODEC_END],
    [LUA_START, LUA_END],
  ]
  let kept = ''
  for (const [start, end, body] of sections) {
    // This run's figures replace a section's old ones; without them the old ones stay.
    if (body) {
      kept += `\n${start}\n${body}\n${end}\n`
      continue
    }
    const a = text.indexOf(start)
    const b = text.indexOf(end)
    if (a >= 0 && b > a) kept += '\n' + text.slice(a, b + end.length) + '\n'
  }
  return kept
}

/** Puts `body` between the markers in the file at `path`, or appends it with them. */
function replaceSection(path, start, end, body) {
  let text = ''
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    // no report yet: the section is all there is
  }
  const block = `${start}\n${body}\n${end}`
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  writeFileSync(path, a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + end.length) : text + '\n' + block + '\n')
}

/** The report's pub/sub section: method, figures and their targets. */
function pubsubSection({ machine, rounds, rows, targets }) {
  const date = new Date().toISOString().slice(0, 10)
  const only = rows.map((r) => r.workload).join(',')
  return `## Pub/sub fan-out

Generated by \`scripts/bench.mjs\` on ${date} (${rounds} round${rounds === 1 ? '' : 's'}, medians; ratios respite / Redis).

- **Machine:** ${machine.replace('load generator redis-benchmark', 'load generator scripts/bench/pubsub.mjs')}
- **Reproduce:** \`npm run build && npm run bench -- --only ${only}\` (this section only; a full run includes it)

One publisher sends \`PUBLISH bench:pubsub <32 bytes>\` (one at a time, or in pipelined batches of 16); 100 connections
are subscribed to \`bench:pubsub\` and one to the pattern \`bench:*\`, so every message is delivered 101 times. The
publisher stays at most 4,096 messages ahead of the slowest subscriber. **msg/s** is delivered messages per second over
the run, **p50/p99** the time from sending a batch to the last subscriber having all of it (\`respite / Redis\`), and
**CPU µs/msg** the server's utime+stime (\`/proc/PID/stat\`, as for the other rows) per delivered message. The load
generator (\`scripts/bench/pubsub.mjs\`, Node) counts bytes on each subscriber rather than parsing, and shares the two
cores with the server.

${pubsubTable(rows, 'respite', 'redis')}

${targetsTable(targets.filter((t) => t.pubsub))}`
}

/** The report's scripting section: EVALSHA rows and their CPU targets. */
function scriptingSection({ machine, rounds, rows, targets }) {
  const date = new Date().toISOString().slice(0, 10)
  const only = rows.map((r) => r.workload).join(',')
  return `## Lua scripting (EVALSHA)

Generated by \`scripts/bench.mjs\` on ${date} (${rounds} round${rounds === 1 ? '' : 's'}, medians; ratios respite / Redis).

- **Machine:** ${machine}
- **Reproduce:** \`npm run build && npm run bench -- --only ${only}\` (this section only; a full run includes it)

The scripts (\`scripts/bench/lua-scripts.mjs\`) are loaded with SCRIPT LOAD on both servers, and redis-benchmark sends
\`EVALSHA <sha> numkeys keys... args...\` as its command. **2 INCRs** is nearly all the cost of a script call itself;
**BullMQ-like** is 20 \`redis.call\`s (INCR, HSET, HINCRBY, HGET, LPUSH, ZADD, LLEN, RPOPLPUSH, ZREM, EXISTS, LREM,
ZCARD, ZREMRANGEBYRANK, HDEL) in the shape of a job queue's add/take/finish scripts. Figures are per EVALSHA; CPU is the
server's utime+stime as for the other rows.

${markdownTable(rows, 'respite', 'redis')}

${targetsTable(targets.filter((t) => t.scripting))}`
}

/** The report's data-type section: streams and bitmaps, with their CPU targets. */
function dataTypesSection({ machine, rounds, rows, targets }) {
  const date = new Date().toISOString().slice(0, 10)
  const only = rows.map((r) => r.workload).filter((w, i, a) => a.indexOf(w) === i).join(',')
  return `## Streams and bitmaps

Generated by \`scripts/bench.mjs\` on ${date} (${rounds} round${rounds === 1 ? '' : 's'}, medians; ratios respite / Redis).

- **Machine:** ${machine}
- **Reproduce:** \`npm run build && npm run bench -- --only ${only}\` (this section only; a full run includes it)

**XADD** is redis-benchmark sending \`XADD bench:stream * f v\` to one stream. **SETBIT/BITCOUNT** run on 1,000
bitmaps of 8 KiB (\`SETBIT bitmap:<n> 65535 1\`, then \`BITCOUNT bitmap:<n>\`). **XREADGROUP + XACK** is
\`scripts/bench/streams.mjs\`: one producer XADDs 100,000 entries in pipelined batches of 500 while 10 consumers of one
group loop on \`XREADGROUP ... COUNT 10 BLOCK 100 ... >\` and \`XACK\` what they got; its figures are per command sent,
and its latency is each read-and-ack round trip. CPU is the server's utime+stime as for the other rows.

${markdownTable(rows, 'respite', 'redis')}

${targetsTable(targets.filter((t) => t.dataType))}`
}

function mib(n) {
  return (n / 1024 / 1024).toFixed(1) + ' MiB'
}

function benchmarkMarkdown({ date, machine, command, rounds, elapsed, table, mem, targets, compare }) {
  return `# Benchmark: respite vs Redis 7.0.15

Generated by \`scripts/bench.mjs\` on ${date} (${rounds} round${rounds === 1 ? '' : 's'}, ${elapsed} s).

- **Machine:** ${machine}
- **Reproduce:** \`${command}\` (options: \`--rounds N\`, \`--factor F\` to scale request counts, \`--quick\`, \`--scale\`; see the script header)

![respite vs Redis: throughput, server CPU per request and p99 latency](benchmark.svg)

## Method

Both servers run side by side on spare ports: respite from \`dist/cli.js\` as a user starts it, and the Debian
\`redis-server\` with persistence off. Every row is one \`redis-benchmark -t <command>\` run per server per round,
interleaved (respite then Redis, then Redis then respite in the next round), after one unrecorded warm-up run of each
row at a tenth of its size on every server (at full size for the consumer-group row). Each figure is the median over the rounds;
each ratio is the median of the per-round respite/Redis ratios, since the two runs of a round see the same conditions
on this shared host while conditions drift between rounds.

- **req/s** and **p50/p99/max** come from redis-benchmark's full report (\`--precision 3\`, its summary block); latency
  cells read \`respite / Redis\`.
- **CPU µs/req** is the server's own utime+stime from \`/proc/PID/stat\`, divided by the request count. It is counted from
  the end of that server's previous run to the end of this one, so work done while idle (respite collects garbage when no
  client is sending) is charged too. It is the fair figure on this host, where the load generator shares the two cores.
- **The default suite** (\`50 clients\`, \`-P 16\`, \`1 client\` rows) is every test redis-benchmark runs by default, in
  its order; with 50 clients the LRANGE and MSET tests run 2 to 8 times fewer requests so each run takes about as long
  (redis-benchmark fills the list for LRANGE with as many LPUSHes first, which is charged to the run). The chart shows a subset.
- **The big keyspace** (\`${fmtKeys(largeKeys)} keys\`) runs once per server and test, about a minute each, for its p99 and max,
  with each server's latency monitor on (\`latency-monitor-threshold 1\`): "longest stall" is the longest event the server
  logged in LATENCY during the run (a command, an expiry cycle, and for respite a GC pause, its own event \`gc\`).
- **Memory** is the growth of each server's RSS while loading the exact key sequence \`key:000000000000\`... with
  values all different (100 bytes for the big keyspace, then 1 KiB on fresh servers), by pipelined SETs (then \`-r\`
  hits only existing keys), two seconds after loading.
- **new connection per request (-k 0)** runs redis-benchmark with \`-k 0\`, so every request connects, sends, reads
  and closes: its req/s is connections per second, its CPU figure CPU per connection.
- **${OPEN_CONNECTIONS.toLocaleString('en-US')} connections opened at once** (\`scripts/bench/open-connections.mjs\`) connects
  ${OPEN_CONNECTIONS.toLocaleString('en-US')} sockets from one Node process at once, each sending an inline PING as soon as it
  is connected, and keeps them open until the last PONG. req/s is connections per second over that time, p50/p99/max
  the time from the start to each connection's PONG; the target checks the time until the last one. Both servers run
  with their default \`maxclients 10000\` and \`tcp-backlog 511\`, and every process's open-files limit raised to the hard limit.
- Rows show n/a where respite does not implement the command yet.

## Results (medians; ratios respite / Redis)

${table}

## Memory

${mem}

## Targets

${targetsTable(targets)}
${compare ? `\n## respite before and after\n\n${compare}\n` : ''}`
}

/** Replaces the generated part of README's Performance section, between its markers. */
function updateReadme(table, mem, machine, command) {
  const path = join(REPO, 'README.md')
  let text
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return
  }
  const start = '<!-- bench:start -->'
  const end = '<!-- bench:end -->'
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  if (a < 0 || b < a) return
  const body = `\n${machine}. Reproduce: \`${command}\`.\n\n${table}\n\n${mem}\n`
  writeFileSync(path, text.slice(0, a + start.length) + body + text.slice(b))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
