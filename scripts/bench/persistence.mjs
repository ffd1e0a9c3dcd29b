#!/usr/bin/env node
/**
 * RDB snapshot cost, respite against redis-server 7.0.15: the same keys (default one
 * million; a mix of short strings, integers, small hashes, lists, sets and sorted
 * sets) are piped into each server with `redis-cli --pipe`, then
 *
 *   SAVE   the time of one SAVE command, as a client sees it
 *   load   the "DB loaded from disk: N seconds" a fresh server logs for that file
 *   size   the file's size
 *
 * and respite/redis ratios are printed (lower is better for respite). Each server
 * saves and loads its own file. Needs `npm run build`, redis-server and redis-cli.
 * With --rounds N each figure is the median of N save-and-load runs per server, the
 * servers alternating; --json FILE also writes the figures there (for npm run bench).
 * Usage: node scripts/bench/persistence.mjs [--keys 1000000] [--rounds 1] [--build dist] [--json FILE]
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveBuild } from './builds.mjs'
import { freePort, option } from './servers.mjs'

const KEYS = Number(option('keys', '1000000'))
const ROUNDS = Number(option('rounds', '1'))
const JSON_OUT = option('json', null)
const cli = join(resolveBuild(option('build', 'dist')), 'cli.js')

function resp(...parts) {
  let out = `*${parts.length}\r\n`
  for (const p of parts) out += `$${Buffer.byteLength(p)}\r\n${p}\r\n`
  return out
}

/** The commands for KEYS keys: 80% strings (half integers), then hashes, lists, sets, sorted sets. */
function dataset(file) {
  const chunks = []
  let batch = ''
  for (let i = 0; i < KEYS; i++) {
    const k = `key:${i}`
    const kind = i % 20
    if (kind < 8) batch += resp('SET', k, `value-${i}-${'x'.repeat(i % 24)}`)
    else if (kind < 16) batch += resp('SET', k, String(i * 37))
    else if (kind === 16) batch += resp('HSET', k, 'name', `n${i}`, 'count', String(i), 'tag', 'abc')
    else if (kind === 17) batch += resp('RPUSH', k, 'a', 'b', String(i), 'c')
    else if (kind === 18) batch += resp('SADD', k, '1', '2', String(i))
    else batch += resp('ZADD', k, '1', 'a', '2.5', 'b', String(i), 'c')
    if (batch.length > 1 << 20) {
      chunks.push(batch)
      batch = ''
    }
  }
  chunks.push(batch)
  writeFileSync(file, chunks.join(''))
}

/** Starts a server and resolves once it logs that it is ready, with its log so far. */
function start(kind, dir, port) {
  const argv = kind === 'redis'
    ? ['redis-server', ['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'notice']]
    : [process.execPath, [cli, '--port', String(port), '--dir', dir, '--save', '', '--loglevel', 'notice']]
  const child = spawn(argv[0], argv[1], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout.on('data', (d) => (log += d))
  child.stderr.on('data', (d) => (log += d))
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (/Ready to accept connections/.test(log)) {
        clearInterval(timer)
        resolve({ child, log: () => log })
      } else if (child.exitCode !== null) {
        clearInterval(timer)
        reject(new Error(`${kind} did not start: ${log}`))
      }
    }, 20)
  })
}

function stop(server) {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve()
    server.child.once('exit', resolve)
    server.child.kill('SIGKILL')
  })
}

function redisCli(port, ...a) {
  const r = spawnSync('redis-cli', ['-p', String(port), ...a], { encoding: 'latin1', maxBuffer: 1 << 26 })
  return r.stdout.trim()
}

async function measure(kind, commands) {
  const dir = mkdtempSync(join(tmpdir(), `bench-rdb-${kind}-`))
  try {
    let port = await freePort()
    let server = await start(kind, dir, port)
    const piped = spawnSync('sh', ['-c', `redis-cli -p ${port} --pipe < ${commands}`], { encoding: 'latin1' })
    if (piped.status !== 0) throw new Error(piped.stdout + piped.stderr)
    const dbsize = Number(redisCli(port, 'DBSIZE'))
    const t0 = process.hrtime.bigint()
    const reply = redisCli(port, 'SAVE')
    const save = Number(process.hrtime.bigint() - t0) / 1e9
    if (reply !== 'OK') throw new Error(`${kind} SAVE: ${reply}`)
    await stop(server)
    const size = statSync(join(dir, 'dump.rdb')).size
    port = await freePort()
    server = await start(kind, dir, port)
    const m = /DB loaded from disk: ([\d.]+) seconds/.exec(server.log())
    const loaded = Number(redisCli(port, 'DBSIZE'))
    await stop(server)
    if (!m || loaded !== dbsize) throw new Error(`${kind} load: ${loaded} of ${dbsize} keys\n${server.log()}`)
    return { keys: dbsize, save, load: Number(m[1]), size }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const work = mkdtempSync(join(tmpdir(), 'bench-rdb-'))
try {
  const commands = join(work, 'commands.resp')
  dataset(commands)
  const runs = { redis: [], respite: [] }
  for (let round = 0; round < ROUNDS; round++) {
    runs.redis.push(await measure('redis', commands))
    runs.respite.push(await measure('respite', commands))
  }
  const mid = (list, k) => list.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(list.length / 2)]
  const summary = (list) => ({ keys: list[0].keys, save: mid(list, 'save'), load: mid(list, 'load'), size: mid(list, 'size') })
  const redis = summary(runs.redis)
  const respite = summary(runs.respite)
  const row = (name, r) => `${name.padEnd(8)} ${String(r.keys).padStart(8)} keys  SAVE ${r.save.toFixed(3)} s  load ${r.load.toFixed(3)} s  file ${(r.size / 1048576).toFixed(1)} MiB`
  if (ROUNDS > 1) console.log(`medians of ${ROUNDS} rounds`)
  console.log(row('redis', redis))
  console.log(row('respite', respite))
  console.log(`ratio respite/redis: SAVE ${(respite.save / redis.save).toFixed(2)}x  load ${(respite.load / redis.load).toFixed(2)}x  size ${(respite.size / redis.size).toFixed(2)}x`)
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ keys: KEYS, rounds: ROUNDS, redis, respite, runs }))
} finally {
  rmSync(work, { recursive: true, force: true })
}
