#!/usr/bin/env node
// Stream memory per entry, respite vs redis-server: XADD of N entries (1M by default)
// with 3 fields each to one stream, pipelined, then the growth of RSS and of INFO
// memory's used_memory divided by N, and respite/Redis ratios. The servers run one
// after the other so they do not compete for memory or CPU.
//
//   npm run build && node scripts/bench-stream-memory.mjs [--entries N] [--cli dist]
//
// RSS is read twice: 2 s after the load, and once the server has settled (--settle
// seconds later, 10 by default). A burst of writes grows V8's young generation to
// 32 MiB, a fixed cost that respite's idle collector hands back after 6 s of quiet
// (src/server/idle-gc.ts). At 1M entries that fixed cost is half of respite's RSS
// growth 2 s after; at 3M entries, a quarter. Redis's RSS does not move.
//
// Entries look like sensor readings: `XADD readings * temp <n> hum <n%100> loc
// sensor-<n%1000>` (same field names in every entry, as in most streams, values
// mostly distinct). `*` ids, as producers send them.
import net from 'node:net'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { resolveBuild } from './bench/builds.mjs'
import { cli, machineLine, startRedis, startRespite } from './bench/servers.mjs'

const { values: opts } = parseArgs({
  options: { entries: { type: 'string' }, settle: { type: 'string' }, cli: { type: 'string' }, 'node-flags': { type: 'string' } },
})
const N = Number(opts.entries ?? 1_000_000)
const SETTLE_S = Number(opts.settle ?? 10)
const cliPath = join(resolveBuild(opts.cli ?? process.env.RESPITE_CLI ?? 'dist'), 'cli.js')
const nodeFlags = (opts['node-flags'] ?? '').split(/\s+/).filter(Boolean)

function bulk(s) {
  return `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`
}

function xadd(n) {
  const args = ['XADD', 'readings', '*', 'temp', String(n), 'hum', String(n % 100), 'loc', `sensor-${n % 1000}`]
  return `*${args.length}\r\n${args.map(bulk).join('')}`
}

/** Sends N XADDs in pipelined batches and resolves when every reply has come back. */
function load(port) {
  const BATCH = 5000
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let sent = 0
    let replies = 0
    const send = () => {
      if (sent >= N) return
      const n = Math.min(BATCH, N - sent)
      let s = ''
      for (let i = 0; i < n; i++) s += xadd(sent + i)
      sent += n
      socket.write(s, 'latin1')
    }
    let tail = ''
    socket.on('connect', () => {
      send()
      send()
    })
    socket.on('data', (chunk) => {
      const text = tail + chunk.toString('latin1')
      if (text.includes('\r\n-')) reject(new Error(text.slice(text.indexOf('\r\n-'), 200)))
      // Each reply is one bulk id: $len\r\nid\r\n; count the "$".
      let at = 0
      for (;;) {
        const d = text.indexOf('$', at)
        if (d < 0) break
        const nl = text.indexOf('\r\n', d)
        if (nl < 0) break
        const len = Number(text.slice(d + 1, nl))
        const end = nl + 2 + len + 2
        if (end > text.length) break
        at = end
        replies++
        if (replies % BATCH === 0) send()
      }
      tail = text.slice(at)
      if (replies === N) {
        socket.end()
        resolve()
      }
    })
    socket.on('error', reject)
  })
}

function usedMemory(port) {
  return Number(/used_memory:(\d+)/.exec(cli(port, ['INFO', 'memory']))[1])
}

async function measure(server) {
  try {
    const rss0 = server.rss()
    const used0 = usedMemory(server.port)
    const t0 = Date.now()
    await load(server.port)
    const ms = Date.now() - t0
    await new Promise((r) => setTimeout(r, 2000))
    const rss1 = server.rss()
    const used1 = usedMemory(server.port)
    const len = Number(cli(server.port, ['XLEN', 'readings']).trim())
    if (len !== N) throw new Error(`${server.name}: XLEN ${len}, expected ${N}`)
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000))
    const rss2 = server.rss()
    return { name: server.name, ms, rssPer: (rss1 - rss0) / N, settledPer: (rss2 - rss0) / N, usedPer: (used1 - used0) / N, rss1 }
  } finally {
    await server.stop()
  }
}

const respite = await measure(await startRespite({ cliPath, nodeFlags }))
const redis = await measure(await startRedis())
const row = (r) =>
  `| ${r.name} | ${(r.ms / 1000).toFixed(1)} s | ${(r.rss1 / 2 ** 20).toFixed(0)} MiB | ${r.rssPer.toFixed(1)} B | ${r.settledPer.toFixed(1)} B | ${r.usedPer.toFixed(1)} B |`
console.log(`Machine: ${machineLine()}`)
console.log(`Reproduce: npm run build && node scripts/bench-stream-memory.mjs --entries ${N} --settle ${SETTLE_S}\n`)
console.log(`XADD of ${N.toLocaleString('en-US')} entries, 3 fields each, to one stream\n`)
console.log(`| server | load time | RSS after | RSS growth / entry, 2 s after | same, ${SETTLE_S} s later | used_memory growth / entry |`)
console.log('|---|---|---|---|---|---|')
console.log(row(respite))
console.log(row(redis))
const ratio = (k) => (respite[k] / redis[k]).toFixed(2)
console.log(`\nrespite/Redis: RSS ${ratio('rssPer')}x 2 s after, ${ratio('settledPer')}x settled, used_memory ${ratio('usedPer')}x (target <= 1.5x)`)
