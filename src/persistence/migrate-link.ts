import { Worker } from 'node:worker_threads'

/**
 * MIGRATE's connection to the target server, used synchronously.
 *
 * Redis blocks while it migrates: nothing else runs between dumping the keys, the
 * target's RESTOREs and deleting the keys here, so no write can slip in and be lost
 * with the deleted key. Node cannot read a socket synchronously, so a worker thread
 * does the network exchange while this thread waits for it in Atomics.wait, bounded
 * by the command's timeout. The worker keeps connections open for reuse, closing
 * those idle for 10 s, as Redis caches its migrate sockets.
 *
 * The worker is CommonJS source evaluated in the thread (as busy.ts's acceptor), so
 * it runs the same from src/ under the tests and from dist/.
 */

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const net = require('node:net')
const st = new Int32Array(workerData.state)
const out = new Uint8Array(workerData.result)
const cache = new Map()

function finish(result) {
  let bytes = Buffer.from(JSON.stringify(result))
  if (bytes.length > out.length) bytes = Buffer.from(JSON.stringify({ error: 'IOERR error or timeout reading to target instance' }))
  out.set(bytes)
  Atomics.store(st, 1, bytes.length)
  Atomics.store(st, 0, 1)
  Atomics.notify(st, 0)
}

// The end of one reply at pos, or -1 when incomplete: the target answers AUTH,
// SELECT and RESTORE with status lines and errors, but any RESP value is skipped whole.
function replyEnd(buf, pos) {
  const nl = buf.indexOf('\\r\\n', pos)
  if (nl < 0) return -1
  const type = buf[pos]
  if (type === 0x2b || type === 0x2d || type === 0x3a) return nl + 2
  const n = Number(buf.toString('latin1', pos + 1, nl))
  if (type === 0x24) return n < 0 ? nl + 2 : nl + 2 + n + 2 <= buf.length ? nl + 2 + n + 2 : -1
  if (type === 0x2a) {
    let p = nl + 2
    for (let i = 0; i < n; i++) {
      p = replyEnd(buf, p)
      if (p < 0) return -1
    }
    return p
  }
  return nl + 2
}

function connection(host, port, timeout, fresh) {
  const name = host + ':' + port
  const cached = cache.get(name)
  if (cached && !fresh && !cached.socket.destroyed) return cached
  if (cached) cached.socket.destroy()
  const socket = net.connect({ host, port })
  socket.setNoDelay(true)
  const link = { socket, connected: false, lastUse: Date.now() }
  socket.on('connect', () => { link.connected = true })
  socket.on('error', () => {})
  cache.set(name, link)
  return link
}

function run(job, retried) {
  const link = connection(job.host, job.port, job.timeout, retried)
  const socket = link.socket
  const reused = link.connected
  let buf = Buffer.alloc(0)
  const replies = []
  let done = false
  const end = (result) => {
    if (done) return
    done = true
    clearTimeout(timer)
    socket.removeListener('data', onData)
    socket.removeListener('close', onClose)
    link.lastUse = Date.now()
    if (result.error !== undefined) {
      socket.destroy()
      cache.delete(job.host + ':' + job.port)
      // A cached connection the target closed meanwhile: once more on a new one.
      if (reused && !retried && replies.length === 0) return run(job, true)
    }
    finish(result)
  }
  const onData = (d) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d])
    let p = 0
    for (;;) {
      const e = replyEnd(buf, p)
      if (e < 0) break
      replies.push(buf.toString('latin1', p, e - 2))
      p = e
      if (replies.length === job.replies) return end({ replies })
    }
    buf = buf.subarray(p)
    restart()
  }
  const onClose = () => end({ error: link.connected ? 'IOERR error or timeout reading to target instance' : 'IOERR error or timeout writing to target instance' })
  let timer = null
  const restart = () => {
    clearTimeout(timer)
    timer = setTimeout(() => end({ error: link.connected ? 'IOERR error or timeout reading to target instance' : 'IOERR error or timeout writing to target instance' }), job.timeout)
  }
  socket.on('data', onData)
  socket.on('close', onClose)
  restart()
  socket.write(Buffer.from(job.payload))
}

parentPort.on('message', (job) => {
  try {
    run(job, false)
  } catch (e) {
    finish({ error: 'IOERR error or timeout writing to target instance' })
  }
})

setInterval(() => {
  const now = Date.now()
  for (const [name, link] of cache) {
    if (now - link.lastUse > 10000) {
      link.socket.destroy()
      cache.delete(name)
    }
  }
}, 1000).unref()
`

/** Bytes for the worker's answer: the target's reply lines, in JSON. */
const RESULT_BYTES = 1 << 20

export interface Exchange {
  /** The target's replies, one line each (`+OK`, `-ERR ...`), when all arrived. */
  replies?: string[]
  /** Redis's IOERR text when the target could not be reached or did not answer in time. */
  error?: string
}

export class MigrateLink {
  private worker: Worker | null = null
  private readonly state = new Int32Array(new SharedArrayBuffer(8))
  private readonly result = new Uint8Array(new SharedArrayBuffer(RESULT_BYTES))

  /**
   * Sends `payload` (RESP commands) to host:port and waits, blocking this thread, for
   * `replies` replies, each within `timeout` ms of the last sign of life.
   */
  exchange(host: string, port: number, payload: Buffer, replies: number, timeout: number): Exchange {
    const worker = (this.worker ??= this.start())
    Atomics.store(this.state, 0, 0)
    worker.postMessage({ host, port, payload, replies, timeout })
    // The worker gives up after `timeout` without progress; this bound only guards
    // against a worker that died, with room for a slow but steady transfer.
    const limit = timeout * (replies + 2) + 5000
    if (Atomics.wait(this.state, 0, 0, limit) === 'timed-out') {
      this.close()
      return { error: 'IOERR error or timeout reading to target instance' }
    }
    const n = Atomics.load(this.state, 1)
    return JSON.parse(Buffer.from(this.result.subarray(0, n)).toString()) as Exchange
  }

  close(): void {
    void this.worker?.terminate()
    this.worker = null
  }

  private start(): Worker {
    const worker = new Worker(WORKER, {
      eval: true,
      // Not the process's flags: --input-type=module (node -e) would make this CommonJS code ESM.
      execArgv: [],
      workerData: { state: this.state.buffer, result: this.result.buffer },
    })
    // A worker that fails is dropped; the next MIGRATE starts another.
    worker.on('error', () => {
      if (this.worker === worker) this.worker = null
    })
    // Idle between migrations, it must not keep the process alive.
    worker.unref()
    return worker
  }
}
