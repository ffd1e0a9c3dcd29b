// The consumer-group workload: a producer XADDs `entries` entries (pipelined, in
// batches) to a fresh stream while `consumers` connections of one group each loop on
// `XREADGROUP GROUP g <me> COUNT <count> STREAMS <key> >` then `XACK <key> g <ids...>`
// for what they got, until every entry has been acknowledged. redis-benchmark sends
// one fixed command, and this needs the ids a read returned, so it is a small client
// of its own. Figures are per command sent (XADD, XREADGROUP, XACK); latency is each
// XREADGROUP+XACK round trip.
import net from 'node:net'
import { encodeCommand } from './pubsub.mjs'

/** Parses one RESP2 value at `pos`; [value, next] or null when incomplete. */
function parse(buf, pos) {
  if (pos >= buf.length) return null
  const nl = buf.indexOf('\r\n', pos)
  if (nl < 0) return null
  const type = buf[pos]
  const line = buf.slice(pos + 1, nl)
  if (type === '+' || type === ':') return [line, nl + 2]
  if (type === '-') throw new Error(line)
  if (type === '$') {
    const n = Number(line)
    if (n < 0) return [null, nl + 2]
    if (nl + 2 + n + 2 > buf.length) return null
    return [buf.slice(nl + 2, nl + 2 + n), nl + 2 + n + 2]
  }
  if (type === '*') {
    const n = Number(line)
    if (n < 0) return [null, nl + 2]
    const out = []
    let p = nl + 2
    for (let i = 0; i < n; i++) {
      const r = parse(buf, p)
      if (r === null) return null
      out.push(r[0])
      p = r[1]
    }
    return [out, p]
  }
  throw new Error(`bad reply ${JSON.stringify(buf.slice(pos, pos + 40))}`)
}

/** A connection whose call() sends one command and resolves with its parsed reply. */
function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1')
    s.setNoDelay(true)
    let buf = ''
    const waiting = []
    s.on('data', (d) => {
      buf += d.toString('latin1')
      let p = 0
      for (;;) {
        const r = parse(buf, p)
        if (r === null) break
        p = r[1]
        waiting.shift()(r[0])
      }
      buf = buf.slice(p)
    })
    s.once('error', reject)
    s.once('connect', () =>
      resolve({
        call: (args) => new Promise((res) => {
          waiting.push(res)
          s.write(encodeCommand(args), 'latin1')
        }),
        /** Sends many commands at once; resolves after the last reply. */
        pipeline: (cmds) => new Promise((res) => {
          for (let i = 0; i < cmds.length - 1; i++) waiting.push(() => {})
          waiting.push(res)
          s.write(cmds.map(encodeCommand).join(''), 'latin1')
        }),
        close: () => s.destroy(),
      }))
  })
}

export async function runStreamGroup({ port, consumers, entries, count, size = 16 }) {
  const key = `bench:stream:${Date.now()}`
  const admin = await connect(port)
  await admin.call(['XGROUP', 'CREATE', key, 'g', '$', 'MKSTREAM'])
  const producer = await connect(port)
  const clients = await Promise.all(Array.from({ length: consumers }, () => connect(port)))
  const value = 'v'.repeat(size)
  let acked = 0
  let commands = 0
  const latencies = []
  const started = performance.now()
  const produce = (async () => {
    const BATCH = 500
    for (let sent = 0; sent < entries; sent += BATCH) {
      const n = Math.min(BATCH, entries - sent)
      await producer.pipeline(Array.from({ length: n }, () => ['XADD', key, '*', 'f', value]))
      commands += n
    }
  })()
  const consume = clients.map(async (c, i) => {
    const me = `c${i}`
    while (acked < entries) {
      const t0 = performance.now()
      const reply = await c.call(['XREADGROUP', 'GROUP', 'g', me, 'COUNT', String(count), 'BLOCK', '100', 'STREAMS', key, '>'])
      commands++
      if (reply === null) continue
      const ids = reply[0][1].map((e) => e[0])
      await c.call(['XACK', key, 'g', ...ids])
      commands++
      acked += ids.length
      latencies.push(performance.now() - t0)
    }
  })
  await Promise.all([produce, ...consume])
  const ms = performance.now() - started
  await admin.call(['DEL', key])
  for (const c of [admin, producer, ...clients]) c.close()
  latencies.sort((a, b) => a - b)
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
  return { rps: (commands * 1000) / ms, delivered: commands, entries, ms, p50: pick(0.5), p99: pick(0.99), max: latencies[latencies.length - 1] }
}
