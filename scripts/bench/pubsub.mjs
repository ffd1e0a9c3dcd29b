// The pub/sub fan-out workload: one publisher, `subscribers` connections subscribed to
// one channel and one more subscribed to a pattern that matches it. The publisher sends
// PUBLISH in pipelined batches; every message is delivered `subscribers + 1` times.
// redis-benchmark cannot subscribe, so this is a small client of its own: subscribers
// count bytes (every frame of a run has the same size) instead of parsing.
import net from 'node:net'

/** RESP2 bytes of one command. */
export function encodeCommand(args) {
  let s = `*${args.length}\r\n`
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`
  return s
}

/** Byte size of a RESP2 message frame (pattern null: `message`, else `pmessage`). */
export function messageFrameSize(channel, pattern, payloadSize) {
  const bulk = (n) => `$${n}\r\n`.length + n + 2
  const kind = pattern === null ? 'message' : 'pmessage'
  return `*${pattern === null ? 3 : 4}\r\n`.length + bulk(kind.length) + (pattern === null ? 0 : bulk(pattern.length)) +
    bulk(channel.length) + bulk(payloadSize)
}

/** Byte size of the (p)subscribe confirmation for one name, the connection's first. */
export function confirmationSize(verb, name) {
  return encodeCommand([verb, name]).length - '*2\r\n'.length + '*3\r\n'.length + ':1\r\n'.length
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1')
    s.setNoDelay(true)
    s.once('connect', () => resolve(s))
    s.once('error', reject)
  })
}

/**
 * One run on the server at `port`. Resolves with { rps: delivered messages per second,
 * delivered, published, ms, p50, p99, max }, where the latencies are per batch, from
 * sending it to the last subscriber having every message of it.
 *
 * The publisher keeps at most `window` messages ahead of the slowest subscriber, so a
 * server that answers PUBLISH faster than it delivers is measured, not buffered into
 * its output limits.
 */
export async function runPubSub({ port, subscribers = 100, messages = 20_000, pipeline = 16, size = 32, window = 4096, timeoutMs = 120_000 }) {
  const channel = 'bench:pubsub'
  const pattern = 'bench:*'
  const payload = 'x'.repeat(size)
  const sockets = []
  /** Per receiver: bytes expected per message, bytes seen, and messages fully seen. */
  const receivers = []
  const batches = Math.ceil(messages / pipeline)
  /** sentAt[i] for batch i, and how many receivers have all of batch i. */
  const sentAt = new Float64Array(batches)
  const complete = new Uint32Array(batches)
  const latencies = []
  /** Batches delivered to every receiver, in order from the first. */
  let allHave = 0
  let finished = null

  const total = subscribers + 1
  const onBatchComplete = (b) => {
    latencies.push(performance.now() - sentAt[b])
    while (allHave < batches && complete[allHave] === total) allHave++
    if (allHave === batches) finished?.()
  }

  try {
    for (let i = 0; i < total; i++) {
      const s = await connect(port)
      sockets.push(s)
      const isPattern = i === subscribers
      const r = { frame: messageFrameSize(channel, isPattern ? pattern : null, size), skip: 0, bytes: 0, seen: 0 }
      r.skip = confirmationSize(isPattern ? 'psubscribe' : 'subscribe', isPattern ? pattern : channel)
      receivers.push(r)
      s.on('data', (d) => {
        r.bytes += d.length
        const seen = Math.max(0, Math.floor((r.bytes - r.skip) / r.frame))
        // Batches this receiver now holds completely.
        const from = Math.floor(r.seen / pipeline)
        const to = seen >= messages ? batches : Math.floor(seen / pipeline)
        r.seen = seen
        for (let b = from; b < to; b++) if (++complete[b] === total) onBatchComplete(b)
      })
      s.on('error', () => {})
      s.write(isPattern ? encodeCommand(['PSUBSCRIBE', pattern]) : encodeCommand(['SUBSCRIBE', channel]))
    }
    // Every confirmation in, so no message can reach a subscriber before it is counted.
    await waitFor(() => receivers.every((r) => r.bytes >= r.skip), 10_000, 'subscription confirmations')

    const pub = await connect(port)
    sockets.push(pub)
    let replyLines = 0
    let wake = null
    pub.on('data', (d) => {
      for (let i = 0; i < d.length; i++) if (d[i] === 10) replyLines++
      wake?.()
    })
    const batch = encodeCommand(['PUBLISH', channel, payload]).repeat(pipeline)
    const done = new Promise((resolve) => (finished = resolve))
    const started = performance.now()
    const deadline = Date.now() + timeoutMs
    for (let b = 0; b < batches; b++) {
      const n = Math.min(pipeline, messages - b * pipeline)
      sentAt[b] = performance.now()
      pub.write(n === pipeline ? batch : encodeCommand(['PUBLISH', channel, payload]).repeat(n))
      const want = b * pipeline + n
      while (replyLines < want || want - allHave * pipeline > window) {
        if (Date.now() > deadline) throw new Error(`pub/sub run timed out: ${allHave} of ${batches} batches delivered to every subscriber`)
        await new Promise((resolve) => {
          wake = resolve
          setTimeout(resolve, 5)
        })
      }
    }
    if (allHave < batches) {
      let timer
      const expired = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`pub/sub run timed out: ${allHave} of ${batches} batches delivered to every subscriber`)), Math.max(1000, deadline - Date.now()))
      })
      await Promise.race([done, expired]).finally(() => clearTimeout(timer))
    }
    const ms = performance.now() - started
    const delivered = messages * total
    latencies.sort((a, b) => a - b)
    const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
    return { rps: (delivered * 1000) / ms, delivered, published: messages, ms, p50: pick(0.5), p99: pick(0.99), max: latencies[latencies.length - 1] }
  } finally {
    for (const s of sockets) s.destroy()
  }
}

async function waitFor(cond, ms, what) {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
