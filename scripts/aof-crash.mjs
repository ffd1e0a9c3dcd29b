#!/usr/bin/env node
// Crash test of the append-only file: respite-server runs as a child process with
// appendonly yes while writers record every write it acknowledged; the child is
// killed with SIGKILL at a random moment, restarted on the same directory, and every
// acknowledged write must be there (unacknowledged ones may or may not be).
//
//   npm run build && node scripts/aof-crash.mjs                  20 trials, fsync policies alternating
//   node scripts/aof-crash.mjs --trials 50 --fsync always        one policy
//
// A killed process loses nothing the kernel has, so `everysec` and `no` must pass this
// too: respite hands each write to the kernel before its reply. (Power loss is what
// separates the policies; a process kill cannot show that.)
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = resolve(fileURLToPath(import.meta.url), '../..')
const CLI = join(process.env.RESPITE_DIST ?? join(ROOT, 'dist'), 'cli.js')

/** Starts respite-server on `dir` and resolves with the child and its port once it is ready. */
export function startServer(dir, fsync) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--dir', dir, '--appendonly', 'yes', '--appendfsync', fsync], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    const onData = (d) => {
      log += d.toString('latin1')
      const m = /Running mode=standalone, port=(\d+)\./.exec(log)
      if (m && log.includes('Ready to accept connections')) {
        resolvePromise({ child, port: Number(m[1]), log: () => log })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => reject(new Error(`respite-server exited (${code}) before it was ready: ${log}`)))
  })
}

function encode(args) {
  let out = `*${args.length}\r\n`
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`
  return out
}

/**
 * A writer on its own connection, one command in flight at a time: SET of a fresh key,
 * INCR of its counter and RPUSH to its list, in turn. `acked` records what the server
 * confirmed.
 */
function writer(port, id, acked) {
  return new Promise((done) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    let i = 0
    let buf = ''
    let expecting = null
    const next = () => {
      const n = i++
      const kind = n % 3
      if (kind === 0) expecting = { kind, key: `k:${id}:${n}`, value: `v${n}` }
      else if (kind === 1) expecting = { kind, key: `counter:${id}` }
      else expecting = { kind, key: `list:${id}`, value: String(n) }
      const args = kind === 0 ? ['SET', expecting.key, expecting.value] : kind === 1 ? ['INCR', expecting.key] : ['RPUSH', expecting.key, expecting.value]
      socket.write(encode(args))
    }
    socket.on('connect', next)
    socket.on('data', (d) => {
      buf += d.toString('latin1')
      const eol = buf.indexOf('\r\n')
      if (eol < 0) return
      const line = buf.slice(0, eol)
      buf = buf.slice(eol + 2)
      const e = expecting
      if (e.kind === 0 && line === '+OK') acked.sets.set(e.key, e.value)
      else if (e.kind === 1 && line[0] === ':') acked.counters.set(e.key, Number(line.slice(1)))
      else if (e.kind === 2 && line[0] === ':') acked.lists.set(e.key, { length: Number(line.slice(1)), last: e.value })
      next()
    })
    socket.on('error', () => {})
    socket.on('close', () => done())
  })
}

function query(port, commands) {
  return new Promise((resolvePromise, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let buf = ''
    socket.on('connect', () => socket.write(commands.map(encode).join('')))
    socket.on('data', (d) => {
      buf += d.toString('latin1')
      const replies = parseReplies(buf)
      if (replies !== null && replies.length >= commands.length) {
        socket.destroy()
        resolvePromise(replies)
      }
    })
    socket.on('error', reject)
  })
}

/** Replies of the kinds the checks ask for: bulk strings, integers, arrays of bulks. Null while incomplete. */
function parseReplies(text) {
  const out = []
  let pos = 0
  const line = () => {
    const eol = text.indexOf('\r\n', pos)
    if (eol < 0) return null
    const l = text.slice(pos, eol)
    pos = eol + 2
    return l
  }
  const value = () => {
    const l = line()
    if (l === null) return undefined
    if (l[0] === '$') {
      const n = Number(l.slice(1))
      if (n < 0) return null
      if (text.length < pos + n + 2) return undefined
      const s = text.slice(pos, pos + n)
      pos += n + 2
      return s
    }
    if (l[0] === ':') return Number(l.slice(1))
    if (l[0] === '*') {
      const items = []
      for (let k = Number(l.slice(1)); k > 0; k--) {
        const v = value()
        if (v === undefined) return undefined
        items.push(v)
      }
      return items
    }
    return l
  }
  while (pos < text.length) {
    const v = value()
    if (v === undefined) return out.length ? out : null
    out.push(v)
  }
  return out
}

/**
 * One trial: start, write from `writers` connections, SIGKILL after a random 50-550 ms,
 * restart and check. Resolves with { acked, lost } (lost: descriptions of acknowledged
 * writes missing after the restart).
 */
export async function crashTrial({ fsync = 'everysec', writers = 4, random = Math.random } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'respite-aof-crash-'))
  try {
    const first = await startServer(dir, fsync)
    const acked = { sets: new Map(), counters: new Map(), lists: new Map() }
    const running = Array.from({ length: writers }, (_, id) => writer(first.port, id, acked))
    await new Promise((r) => setTimeout(r, 50 + Math.floor(random() * 500)))
    first.child.kill('SIGKILL')
    await Promise.all(running)
    const second = await startServer(dir, fsync)
    const lost = []
    try {
      const sets = [...acked.sets]
      for (let i = 0; i < sets.length; i += 500) {
        const chunk = sets.slice(i, i + 500)
        const [values] = await query(second.port, [['MGET', ...chunk.map(([k]) => k)]])
        chunk.forEach(([k, v], j) => {
          if (values[j] !== v) lost.push(`${k}=${v} (found ${values[j]})`)
        })
      }
      for (const [key, n] of acked.counters) {
        const [v] = await query(second.port, [['GET', key]])
        // A write applied but not acknowledged may have gone further; never less.
        if (!(Number(v) >= n)) lost.push(`${key}>=${n} (found ${v})`)
      }
      for (const [key, { length, last }] of acked.lists) {
        const [len, items] = await query(second.port, [['LLEN', key], ['LRANGE', key, String(length - 1), String(length - 1)]])
        if (!(len >= length) || items[0] !== last) lost.push(`${key}[${length - 1}]=${last} (length ${len}, found ${items[0]})`)
      }
    } finally {
      second.child.kill('SIGKILL')
    }
    const check = spawnSync('redis-check-aof', [join(dir, 'appendonlydir', 'appendonly.aof.manifest')], { encoding: 'latin1' })
    return { acked: acked.sets.size + acked.counters.size + acked.lists.size, writes: countWrites(acked), lost, check: check.status }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function countWrites(acked) {
  let n = acked.sets.size
  for (const v of acked.counters.values()) n += v
  for (const { length } of acked.lists.values()) n += length
  return n
}

async function main() {
  const { values } = parseArgs({ options: { trials: { type: 'string', default: '20' }, fsync: { type: 'string' }, writers: { type: 'string', default: '4' } } })
  const trials = Number(values.trials)
  let failed = 0
  for (let t = 0; t < trials; t++) {
    const fsync = values.fsync ?? ['everysec', 'always', 'no'][t % 3]
    const r = await crashTrial({ fsync, writers: Number(values.writers) })
    const ok = r.lost.length === 0 && r.check === 0
    if (!ok) failed++
    console.log(`trial ${t + 1}/${trials} appendfsync ${fsync}: ${r.writes} acknowledged writes, ${r.lost.length} lost, redis-check-aof ${r.check === 0 ? 'ok' : 'FAILED'}`)
    for (const l of r.lost.slice(0, 5)) console.log(`  lost: ${l}`)
  }
  console.log(failed === 0 ? `all ${trials} trials kept every acknowledged write` : `${failed} of ${trials} trials failed`)
  process.exit(failed === 0 ? 0 : 1)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
