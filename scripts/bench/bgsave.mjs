#!/usr/bin/env node
/**
 * BGSAVE under load, respite's fork-less save (src/persistence/background-save.ts)
 * against redis-server 7.0.15's fork. With `--keys` keys loaded (default 1M,
 * redis-benchmark's key:NNNNNNNNNNNN names, 16-byte values), redis-benchmark runs SET
 * and then GET over those keys with 50 clients, once with no save and once with
 * BGSAVE after BGSAVE for the whole run (alternating, `--rounds` times each), and the
 * script reports the medians of:
 *
 *   p99 / max      redis-benchmark's latency, without and during saves (target for
 *                  respite: p99 during <= 2x p99 without)
 *   save (idle)    one BGSAVE's wall time on an idle server, BGSAVE to in_progress:0
 *   save (load)    the mean wall time of the saves made during the SET run
 *   extra memory   the peak RSS during the saves minus RSS just before them, and
 *                  for respite used_memory likewise, for Redis INFO's CoW peak of
 *                  its child (what the fork costs)
 *   big value      the longest PING round trip while respite saves one key holding a
 *                  list, hash, set or sorted set of a million elements, a stream of
 *                  100k entries or a 13 MB string, or a million 16-byte keys (`--big
 *                  list,hash,set,zset,stream,string,keys`; the list alone by default;
 *                  `--big-only` measures nothing else), and the round
 *                  trip of a write to that key while the save is inside it
 *
 * Needs `npm run build`, redis-server, redis-benchmark. On a shared 2-core machine the
 * load generator competes with the server: compare the rows, not absolute numbers.
 *
 *   node scripts/bench/bgsave.mjs [--keys 1000000] [--requests 400000] [--rounds 3] [--servers respite,redis] [--no-big | --big-only] [--big list,hash,...] [--big-rounds 3] [--build dist] [--json FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { resolveBuild } from './builds.mjs'
import { loadKeys } from './load-keys.mjs'
import { runBenchmark } from './redis-benchmark.mjs'
import { machineLine, option, rssBytes, startRedis, startRespite } from './servers.mjs'

const KEYS = Number(option('keys', '1000000'))
const REQUESTS = Number(option('requests', '400000'))
const SERVERS = option('servers', 'respite,redis').split(',')
const ROUNDS = Number(option('rounds', '3'))
const JSON_OUT = option('json', null)
const BIG_KINDS = option('big', 'list').split(',')
const BIG_ROUNDS = Number(option('big-rounds', '3'))

/** Each figure's median over the runs. */
function median(runs) {
  const out = {}
  for (const k of Object.keys(runs[0])) {
    const v = runs.map((x) => x[k]).sort((a, b) => a - b)
    out[k] = v[Math.floor(v.length / 2)]
  }
  return out
}
const cliPath = join(resolveBuild(option('build', 'dist')), 'cli.js')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function field(info, name) {
  const m = new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info)
  return m ? m[1].trim() : ''
}

/** Starts one BGSAVE and resolves with its wall time in ms, polling INFO every 10 ms. */
async function bgsave(r) {
  const started = performance.now()
  const reply = await r.bgsave()
  if (!/started/.test(reply)) throw new Error(`BGSAVE: ${reply}`)
  for (;;) {
    const info = await r.info('persistence')
    if (field(info, 'rdb_bgsave_in_progress') === '0') {
      if (field(info, 'rdb_last_bgsave_status') !== 'ok') throw new Error('the background save failed')
      return performance.now() - started
    }
    await sleep(10)
  }
}

/** Samples the server's RSS (and used_memory / CoW peak from INFO) until stopped. */
function sampler(server, r) {
  let stop = false
  const peak = { rss: 0, used: 0, cow: 0 }
  const done = (async () => {
    while (!stop) {
      peak.rss = Math.max(peak.rss, rssBytes(server.pid))
      const mem = await r.info('memory')
      peak.used = Math.max(peak.used, Number(field(mem, 'used_memory')))
      const per = await r.info('persistence')
      peak.cow = Math.max(peak.cow, Number(field(per, 'current_cow_peak')) || 0, Number(field(per, 'rdb_last_cow_size')) || 0)
      await sleep(25)
    }
  })()
  return {
    peak,
    async end() {
      stop = true
      await done
      return peak
    },
  }
}

async function measure(server) {
  const r = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true })
  await r.connect()
  await loadKeys(server.port, KEYS, 16)
  if (Number(await r.dbsize()) !== KEYS) throw new Error('the keys did not load')
  const out = { name: server.name }
  // Settle what loading left behind before taking the baselines.
  await sleep(1000)
  out.idleSave = await bgsave(r)
  await sleep(500)
  for (const test of ['set', 'get']) {
    const shape = { port: server.port, test, clients: 50, pipeline: 1, requests: REQUESTS, dataSize: 16, keyspace: KEYS }
    const bases = []
    const durings = []
    const saves = []
    let before = null
    let peak = { rss: 0, used: 0, cow: 0 }
    // Rounds alternate a run without saves and one with, so that whatever else the
    // machine does weighs on both; the medians are reported.
    for (let round = 0; round < ROUNDS; round++) {
      bases.push(await runBenchmark(shape))
      await sleep(300)
      const now = { rss: rssBytes(server.pid), used: Number(field(await r.info('memory'), 'used_memory')) }
      if (before === null) before = now
      const s = sampler(server, r)
      const run = runBenchmark(shape)
      let finished = false
      void run.finally(() => (finished = true)).catch(() => {})
      await sleep(50)
      while (!finished) saves.push(await bgsave(r))
      durings.push(await run)
      const p = await s.end()
      // The extra memory of a round, from what the server held just before it.
      if (p.rss - now.rss > peak.rss - before.rss) peak = { ...peak, rss: p.rss - now.rss + before.rss }
      if (p.used - now.used > peak.used - before.used) peak = { ...peak, used: p.used - now.used + before.used }
      peak.cow = Math.max(peak.cow, p.cow)
    }
    out[test] = { base: median(bases), during: median(durings), saves, before, peak }
  }
  r.disconnect()
  return out
}

/**
 * The big values: one key each, built with pipelined commands of 1000 elements (a
 * string grown by APPEND), then saved alone while a client PINGs in a loop.
 */
const BIG = {
  list: (i, items) => ['RPUSH', 'big', ...items],
  hash: (i, items) => ['HSET', 'big', ...items.flatMap((m) => [m, i])],
  set: (i, items) => ['SADD', 'big', ...items],
  zset: (i, items) => ['ZADD', 'big', ...items.flatMap((m, j) => [i * 1000 + j, m])],
  stream: (i, items) => ['XADD', 'big', '*', 'f', items[0], 'g', items[1]],
  string: (i, items) => ['APPEND', 'big', items.join(',')],
  // Not one big value: a million small keys named as redis-benchmark names them.
  keys: (i, items) => ['MSET', ...items.flatMap((_, j) => [`key:${String(i * 1000 + j).padStart(12, '0')}`, 'xxxxxxxxxxxxxxxx'])],
}

/** The write sent to the big key 100 ms into its save: the save must keep the value of before. */
const CONFLICT = {
  list: ['LPUSH', 'big', 'x'],
  hash: ['HSET', 'big', 'new-field', 'x'],
  set: ['SADD', 'big', 'new-member'],
  zset: ['ZADD', 'big', '0', 'new-member'],
  stream: ['XADD', 'big', '*', 'f', 'x'],
  string: ['APPEND', 'big', 'x'],
}

/**
 * The longest and p99 PING round trip while respite saves one big value: a million elements
 * (a hundred thousand stream entries; a string of some 13 MB), `--big-rounds` saves each;
 * the longest over as long again with no save, the machine's own noise; and the round
 * trip of a write to the value 100 ms into its save.
 */
async function bigValue(kind) {
  const dir = mkdtempSync(join(tmpdir(), 'respite-bench-bgsave-'))
  const server = await startRespite({ cliPath, args: ['--save', '', '--dir', dir] })
  const r = new Redis({ port: server.port, host: '127.0.0.1' })
  try {
    const batches = kind === 'stream' ? 100_000 : 1000
    for (let i = 0; i < batches; i += 100) {
      const pipe = r.pipeline()
      for (let j = i; j < i + 100; j++) {
        const items = Array.from({ length: kind === 'stream' ? 2 : 1000 }, (_, k) => `element-${j}-${k}`)
        pipe.call(...BIG[kind](j, items))
      }
      await pipe.exec()
    }
    const p = new Redis({ port: server.port, host: '127.0.0.1' })
    await p.ping()
    const runs = []
    for (let round = 0; round < BIG_ROUNDS; round++) {
      let rtts = []
      let stop = false
      const pinger = (async () => {
        while (!stop) {
          const t = performance.now()
          await p.ping()
          rtts.push(performance.now() - t)
        }
      })()
      await sleep(200)
      rtts = []
      const started = performance.now()
      if (!/started/.test(await r.bgsave())) throw new Error('BGSAVE did not start')
      // A write to the key while the save is (most likely) inside it.
      await sleep(100)
      let write = NaN
      if (CONFLICT[kind] !== undefined) {
        const t = performance.now()
        await r.call(...CONFLICT[kind])
        write = performance.now() - t
      }
      while (field(await r.info('persistence'), 'rdb_bgsave_in_progress') !== '0') await sleep(10)
      const took = performance.now() - started
      const saving = rtts.sort((a, b) => a - b)
      // The same time again with no save: what the machine's noise gives.
      rtts = []
      await sleep(took)
      const quiet = rtts.sort((a, b) => a - b)
      stop = true
      await pinger
      runs.push({ took, max: saving[saving.length - 1], p99: saving[Math.floor(saving.length * 0.99)], quietMax: quiet[quiet.length - 1], write })
    }
    p.disconnect()
    return { kind, ...median(runs) }
  } finally {
    r.disconnect()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const mb = (b) => `${(b / 1024 / 1024).toFixed(0)} MB`
const ms = (v) => `${v.toFixed(2)} ms`

const results = []
for (const kind of process.argv.includes('--big-only') ? [] : SERVERS) {
  const dir = mkdtempSync(join(tmpdir(), 'respite-bench-bgsave-'))
  const server = kind === 'respite'
    ? await startRespite({ cliPath, args: ['--save', '', '--dir', dir] })
    : await startRedis({ name: 'redis' })
  try {
    process.stderr.write(`${kind}: loading ${KEYS} keys and running...\n`)
    results.push(await measure(server))
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
const big = []
if (!process.argv.includes('--no-big')) for (const kind of BIG_KINDS) big.push(await bigValue(kind))

console.log(machineLine())
console.log(`${KEYS} keys, redis-benchmark -c 50 -n ${REQUESTS} -r ${KEYS} -d 16; medians of ${ROUNDS} runs without and ${ROUNDS} with saves back to back\n`)
const rows = [['server', 'test', 'p99 no save', 'p99 saving', 'ratio', 'max no save', 'max saving', 'rps no save', 'rps saving', 'saves', 'save (load)']]
for (const r of results) {
  for (const test of ['set', 'get']) {
    const t = r[test]
    const mean = t.saves.reduce((a, b) => a + b, 0) / Math.max(1, t.saves.length)
    rows.push([r.name, test.toUpperCase(), ms(t.base.p99), ms(t.during.p99), `${(t.during.p99 / t.base.p99).toFixed(2)}x`, ms(t.base.max), ms(t.during.max),
      String(Math.round(t.base.rps)), String(Math.round(t.during.rps)), String(t.saves.length), ms(mean)])
  }
}
const table = (rs) => {
  const w = rs[0].map((_, i) => Math.max(...rs.map((row) => row[i].length)))
  return rs.map((row) => '| ' + row.map((c, i) => c.padEnd(w[i])).join(' | ') + ' |').join('\n')
}
console.log(table(rows))
console.log()
const mem = [['server', 'save (idle)', 'RSS before', 'peak RSS saving', 'extra RSS', 'extra used_memory', 'child CoW peak']]
for (const r of results) {
  const t = r.set
  mem.push([r.name, ms(r.idleSave), mb(t.before.rss), mb(t.peak.rss), mb(t.peak.rss - t.before.rss),
    r.name === 'respite' ? mb(t.peak.used - t.before.used) : '-', r.name === 'redis' ? mb(t.peak.cow) : '-'])
}
console.log(table(mem))
if (big.length > 0) {
  console.log(`\nrespite, one big value alone, medians of ${BIG_ROUNDS} saves`)
  console.log(table([['value', 'BGSAVE took', 'longest PING', 'p99 PING', 'longest PING, no save', 'write to it'],
    ...big.map((b) => [b.kind, ms(b.took), ms(b.max), ms(b.p99), ms(b.quietMax), Number.isNaN(b.write) ? '-' : ms(b.write)])]))
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ keys: KEYS, requests: REQUESTS, rounds: ROUNDS, results, big }))
