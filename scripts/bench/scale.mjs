// --scale: load tens of millions of keys (more than a V8 Map could hold) into
// respite, then serve GET/SET over the whole keyspace. Redis runs the same afterwards
// (never both at once, to keep memory in check) as a reference.
import { readFileSync, writeFileSync } from 'node:fs'
import { freemem } from 'node:os'
import { join } from 'node:path'
import { REPO } from './builds.mjs'
import { loadKeys } from './load-keys.mjs'
import { runBenchmark } from './redis-benchmark.mjs'
import { CLOCK_TICKS, cli, machineLine, startRedis, startRespite } from './servers.mjs'

/** Issue 14's capacity target: 100-byte values, each distinct (see load-keys.mjs). */
const VALUE_SIZE = 100
/** V8's limit of entries per Map, which the keyspace once had to spread past. */
const MAP_LIMIT = 2 ** 24

export const SCALE_START = '<!-- scale:start -->'
export const SCALE_END = '<!-- scale:end -->'

function log(msg) {
  process.stderr.write(msg + '\n')
}

async function measure(server, keys, quick) {
  const before = server.rss()
  const t0 = Date.now()
  let lastLog = t0
  await loadKeys(server.port, keys, VALUE_SIZE, (n) => {
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now()
      log(`  ${server.name}: ${(n / 1e6).toFixed(0)}M keys, RSS ${(server.rss() / 2 ** 30).toFixed(2)} GiB`)
    }
  })
  const loadMs = Date.now() - t0
  await new Promise((r) => setTimeout(r, 2000))
  const rss = server.rss()
  const dbsize = Number(cli(server.port, ['DBSIZE']).trim())
  log(`${server.name}: ${dbsize} keys loaded in ${(loadMs / 1000).toFixed(1)} s, RSS ${(rss / 2 ** 30).toFixed(2)} GiB`)
  if (dbsize !== keys) throw new Error(`${server.name} holds ${dbsize} keys after loading ${keys}`)
  const runs = []
  for (const [test, pipeline] of [['get', 1], ['set', 1], ['get', 16], ['set', 16]]) {
    const requests = (pipeline === 16 ? 2_000_000 : 300_000) * (quick ? 0.2 : 1)
    const c0 = server.cpuTicks()
    const f = await runBenchmark({ port: server.port, test, clients: 50, pipeline, requests, dataSize: VALUE_SIZE, keyspace: keys })
    f.cpuUs = ((server.cpuTicks() - c0) * 1e6) / CLOCK_TICKS / requests
    runs.push({ test, pipeline, ...f })
    log(`  ${server.name} ${test.toUpperCase()} -P ${pipeline}: ${Math.round(f.rps)} req/s, p99 ${f.p99} ms, max ${f.max} ms, ${f.cpuUs.toFixed(2)} µs/req`)
  }
  const after = Number(cli(server.port, ['DBSIZE']).trim())
  return { name: server.name, keys, dbsize: after, loadMs, rssBefore: before, rss, runs }
}

export async function runScale({ cliPath, nodeFlags, keys, write, quick }) {
  const need = keys * 250
  if (freemem() < need) log(`warning: ${(freemem() / 2 ** 30).toFixed(1)} GiB free; ${keys} keys may need ${(need / 2 ** 30).toFixed(1)} GiB`)
  const results = []
  // No --max-old-space-size: the keys must fit in the heap the server sizes for itself (src/server/heap.ts).
  log(`respite: ${cliPath}${nodeFlags.length ? ` with node ${nodeFlags.join(' ')}` : ''}`)
  const respite = await startRespite({ cliPath, nodeFlags })
  try {
    results.push(await measure(respite, keys, quick))
  } finally {
    await respite.stop()
  }
  const redis = await startRedis()
  try {
    results.push(await measure(redis, keys, quick))
  } finally {
    await redis.stop()
  }
  const machine = machineLine()
  const command = `npm run build && npm run bench -- --scale${keys !== 50_000_000 ? ` --scale-keys ${keys}` : ''}`
  const md = scaleMarkdown(results, machine, command, keys)
  console.log('\n' + md)
  if (write) {
    const path = join(REPO, 'docs', 'benchmark.md')
    let text = ''
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      text = '# Benchmark: respite vs Redis 7.0.15\n'
    }
    writeFileSync(path, replaceSection(text, md))
    log('updated the scale section of docs/benchmark.md')
  }
}

/** Puts `md` between the scale markers, appending them when absent. */
export function replaceSection(text, md) {
  const a = text.indexOf(SCALE_START)
  const b = text.indexOf(SCALE_END)
  const block = `${SCALE_START}\n${md}\n${SCALE_END}`
  if (a < 0 || b < a) return text.trimEnd() + '\n\n' + block + '\n'
  return text.slice(0, a) + block + text.slice(b + SCALE_END.length)
}

function scaleMarkdown(results, machine, command, keys) {
  const gib = (n) => (n / 2 ** 30).toFixed(2) + ' GiB'
  const lines = [
    `## Scale: ${(keys / 1e6).toFixed(0)}M keys`,
    '',
    `${keys.toLocaleString('en-US')} keys (more than the ${MAP_LIMIT.toLocaleString('en-US')} entries one V8 Map can hold), ${VALUE_SIZE}-byte values (all different), loaded by pipelined SETs, then GET/SET with \`-r ${keys}\` and 50 clients.`,
    '',
    `- **Machine:** ${machine}`,
    `- **Reproduce:** \`${command}\``,
    '',
    '| Server | DBSIZE | Load time | RSS | RSS/key | RSS/key ratio | GET req/s | SET req/s | GET -P 16 req/s | SET -P 16 req/s | p99 ms (GET / SET) | max ms (GET / SET) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  const perKey = (r) => (r.rss - r.rssBefore) / r.keys
  const reference = results.find((r) => r.name === 'redis')
  for (const r of results) {
    const run = (t, p) => r.runs.find((x) => x.test === t && x.pipeline === p)
    const rps = (t, p) => Math.round(run(t, p).rps).toLocaleString('en-US')
    lines.push(
      `| ${r.name} | ${r.dbsize.toLocaleString('en-US')} | ${(r.loadMs / 1000).toFixed(1)} s | ${gib(r.rss)} | ${Math.round(perKey(r))} B | ${reference ? `${(perKey(r) / perKey(reference)).toFixed(2)}×` : ''} | ` +
        `${rps('get', 1)} | ${rps('set', 1)} | ${rps('get', 16)} | ${rps('set', 16)} | ${run('get', 1).p99} / ${run('set', 1).p99} | ${run('get', 1).max} / ${run('set', 1).max} |`,
    )
  }
  return lines.join('\n')
}
