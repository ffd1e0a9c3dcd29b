// The persistence and memcached rows of `npm run bench`: each one is a script of its
// own (aof.mjs, persistence.mjs, bgsave.mjs, memcached.mjs) that can run alone and
// prints its own table; here they run as child processes with --json, and their
// figures become one section of docs/benchmark.md with the issues' targets.
// Child processes rather than imports: each script is a top-level program, and a
// fresh process keeps one script's servers and garbage out of the next one's figures.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO } from './builds.mjs'

export const SUBSYSTEMS_START = '<!-- subsystems:start -->'
export const SUBSYSTEMS_END = '<!-- subsystems:end -->'

/** Workload ids for --only, with each script's arguments for a full and a --quick run. */
export const SUBSYSTEMS = {
  // Warmed up as every row of the main table is: a server that has just started has not
  // optimised its request path yet, which an always run (a second or less) would mostly measure.
  aof: { script: 'aof.mjs', full: ['--samples', '5', '--warmup', '20000', '--always-requests', '60000'], quick: ['--samples', '1', '--requests', '20000', '--always-requests', '5000'] },
  rdb: { script: 'persistence.mjs', full: ['--rounds', '3'], quick: ['--keys', '100000'] },
  bgsave: { script: 'bgsave.mjs', full: [], quick: ['--keys', '100000', '--requests', '50000', '--rounds', '1', '--no-big'] },
  memcached: { script: 'memcached.mjs', full: ['--rounds', '5'], quick: ['--seconds', '1', '--rounds', '1'] },
}

/** Runs the scripts named in `ids` (with `build`'s cli.js) and returns their figures by id. */
export function runSubsystems(ids, { quick, build, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'respite-bench-subsystems-'))
  const out = {}
  try {
    for (const id of ids) {
      const { script, full, quick: small } = SUBSYSTEMS[id]
      const json = join(dir, `${id}.json`)
      log(`${id}: node scripts/bench/${script} ${(quick ? small : full).join(' ')}`)
      const args = [join(REPO, 'scripts', 'bench', script), ...(quick ? small : full), '--build', build, '--json', json]
      const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] })
      if (r.status !== 0) throw new Error(`scripts/bench/${script} failed (exit ${r.status})`)
      out[id] = JSON.parse(readFileSync(json, 'utf8'))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return out
}

const x = (v) => `${v.toFixed(2)}×`
const n = (v) => Math.round(v).toLocaleString('en-US')
const ms = (v) => v.toFixed(2)
const mib = (b) => `${(b / 1048576).toFixed(0)} MiB`
const table = (rows) => [rows[0], rows[0].map(() => '---'), ...rows.slice(1)].map((r) => `| ${r.join(' | ')} |`).join('\n')
const met = (ok) => (ok ? 'yes' : '**no**')

/** The report section for the figures `runSubsystems` returned; `only` is the ids for its reproduce line. */
export function subsystemsSection({ machine, figures, only }) {
  const date = new Date().toISOString().slice(0, 10)
  const parts = [`## Persistence and memcached (${date})

- **Machine:** ${machine}
- **Reproduce:** \`npm run build && npm run bench -- --only ${only}\` (this section only; a full run includes it).
  Each row comes from its own script under scripts/bench/, which also runs alone and prints more detail.`]
  const targets = []
  if (figures.aof) {
    const f = figures.aof
    const rows = [['appendfsync', 'req/s respite', 'req/s redis', 'ratio', 'best respite', 'best redis', 'ratio of bests']]
    for (const r of f.rows) {
      const policy = r.fsync === 'off' ? 'appendonly no' : r.fsync
      rows.push([policy, n(r.respite.rps), n(r.redis.rps), x(r.respite.rps / r.redis.rps), n(r.respite.best), n(r.redis.best), x(r.respite.best / r.redis.best)])
      if (r.fsync === 'everysec' || r.fsync === 'always') targets.push([`SET req/s, appendfsync ${r.fsync} ≥ 0.9× Redis`, x(r.respite.rps / r.redis.rps), r.respite.rps / r.redis.rps >= 0.9])
    }
    parts.push(`### SET with the append-only file (scripts/bench/aof.mjs)

redis-benchmark \`-t set -c ${f.clients} -P ${f.pipeline}\` against each server started with \`appendonly yes\` and the
policy shown (Redis without its RDB preamble, so both log commands), a fresh server per run${f.warmup > 0 ? `, each first sent ${n(f.warmup)} unrecorded SETs` : ''}, median of ${f.samples}
runs per server, alternating. \`always\` follows the disk as much as either server.

${table(rows)}`)
  }
  if (figures.rdb) {
    const f = figures.rdb
    const rows = [['server', 'keys', 'SAVE s', 'load s', 'file MiB']]
    for (const name of ['respite', 'redis']) rows.push([name, n(f[name].keys), f[name].save.toFixed(3), f[name].load.toFixed(3), (f[name].size / 1048576).toFixed(1)])
    const save = f.respite.save / f.redis.save
    const load = f.respite.load / f.redis.load
    rows.push(['ratio', '', x(save), x(load), x(f.respite.size / f.redis.size)])
    targets.push(['SAVE time ≤ 2× Redis', x(save), save <= 2], ['load time ≤ 2× Redis', x(load), load <= 2])
    parts.push(`### Snapshot save and load (scripts/bench/persistence.mjs)

${n(f.keys)} keys (80% short strings and integers, then small hashes, lists, sets and sorted sets) piped into each
server; SAVE is the command's time as a client sees it, load the "DB loaded from disk" time each server logs at its
next start-up. Median of ${f.rounds} round(s).

${table(rows)}`)
  }
  if (figures.bgsave) {
    const f = figures.bgsave
    const rows = [['server', 'test', 'p99 ms no save', 'p99 ms saving', 'ratio', 'max ms no save', 'max ms saving', 'saves', 'extra RSS', 'extra used_memory / CoW']]
    for (const r of f.results) {
      for (const test of ['set', 'get']) {
        const t = r[test]
        const ratio = t.during.p99 / t.base.p99
        const extra = r.name === 'redis' ? `${mib(t.peak.cow)} (child CoW)` : mib(t.peak.used - t.before.used)
        rows.push([r.name, test.toUpperCase(), ms(t.base.p99), ms(t.during.p99), x(ratio), ms(t.base.max), ms(t.during.max), String(t.saves.length), mib(t.peak.rss - t.before.rss), extra])
        if (r.name === 'respite') targets.push([`BGSAVE under ${test.toUpperCase()} load: p99 ≤ 2× p99 without`, x(ratio), ratio <= 2])
      }
    }
    parts.push(`### BGSAVE under load (scripts/bench/bgsave.mjs)

${n(f.keys)} keys loaded; redis-benchmark \`-c 50 -n ${n(f.requests)} -d 16\` over them, alternating runs without saves
and runs with BGSAVE after BGSAVE, medians of ${f.rounds}. Extra memory is the peak during the saves minus what the
server held before them.

${table(rows)}${f.big?.length ? `\n\nOne big value alone (a list of a million elements...), written across event-loop turns: the save's time, the longest PING round trip during it and over as long again with no save, and a write to the value while the save is inside it.\n\n${table([
  ['value', 'BGSAVE ms', 'longest PING ms', 'longest PING ms, no save', 'write ms'],
  ...f.big.map((b) => [b.kind, ms(b.took), ms(b.max), ms(b.quietMax), b.write === null || Number.isNaN(b.write) ? '-' : ms(b.write)]),
])}` : ''}`)
  }
  if (figures.memcached) {
    const f = figures.memcached
    const rows = [['case', 'req/s respite', 'req/s memcached', 'ratio', 'CPU µs/req respite', 'CPU µs/req memcached', 'CPU ratio']]
    for (const c of f.cases) {
      const cpu = c.respite.cpuUsPerReq / c.memcached.cpuUsPerReq
      rows.push([`${c.op} -P ${c.depth}`, n(c.respite.rps), n(c.memcached.rps), x(c.respite.rps / c.memcached.rps), ms(c.respite.cpuUsPerReq), ms(c.memcached.cpuUsPerReq), x(cpu)])
      targets.push([`memcached ${c.op} -P ${c.depth}: CPU/request ≤ 1.5× memcached -t 1`, x(cpu), cpu <= 1.5])
    }
    parts.push(`### memcached front end (scripts/bench/memcached.mjs)

respite's \`--memcached-port\` against memcached 1.6 with one worker thread (\`-t 1\`), ${f.clients} connections for
${f.seconds} s per case, ${f.value}-byte values over ${n(f.keys)} keys, each connection keeping 1 or 16 requests in flight
(scripts/bench/memcached.mjs, a small Node load generator); the servers alternate case by case, medians of ${f.rounds}
rounds. CPU is each server's utime + stime per request.

${table(rows)}`)
  }
  if (targets.length > 0) parts.push(`### Targets\n\n${table([['target', 'measured', 'met'], ...targets.map(([t, v, ok]) => [t, v, met(ok)])])}`)
  return parts.join('\n\n')
}
