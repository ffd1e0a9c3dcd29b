/**
 * Drives a server with fuzz frames over several pipelined connections and counts what
 * comes back. Used by scripts/fuzz.mjs and by test/server/fuzz.test.ts.
 *
 * Each batch is a run of valid frames, sometimes followed by junk, then a sentinel:
 * RESET (which ends MULTI, subscriptions and RESP3 alike) and `PING <token>`. The
 * batch is done when the token comes back. Junk may make the server close the
 * connection, or wait for bytes that never come; either way the connection is
 * replaced. Before a new connection is used it must answer PING: a server that
 * accepts no connection or does not answer then is reported, and the run stops.
 */
import net from 'node:net'
import { commandModel, createFrames, encode } from './frames.mjs'
import { rng } from '../prng.mjs'
import { ErrorReply, MalformedReply, ReplyReader } from './replies.mjs'

/** How long a fresh connection may take to answer PING before the server counts as hung. */
export const HANG_MS = 5000
/** Silence after which a batch with junk is given up: the server is waiting for the rest of a frame. */
const JUNK_IDLE_MS = 250
/** Silence after which a batch of valid frames is given up (and the server checked for a hang). */
const VALID_IDLE_MS = 5000

const INTERNAL = /^ERR internal error in '([^']*)'/
/** Commands that may answer a frame with several replies. */
const MULTI_REPLY = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe'])
const RESET = encode(['RESET'])

class Connection {
  /** @param {net.Socket} socket */
  constructor(socket, onReply) {
    this.socket = socket
    this.reader = new ReplyReader()
    this.closed = false
    this.malformed = null
    this.lastData = Date.now()
    this.wake = null
    socket.setNoDelay(true)
    socket.on('data', (d) => {
      this.lastData = Date.now()
      if (this.malformed !== null) return
      let replies
      try {
        replies = this.reader.feed(d)
      } catch (e) {
        if (!(e instanceof MalformedReply)) throw e
        this.malformed = e.message
        this.socket.destroy()
        return
      }
      for (const reply of replies) onReply(reply)
      this.wake?.()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake?.()
    })
    socket.on('error', () => {})
  }

  static open(port, host, onReply) {
    return new Promise((resolve) => {
      const s = net.connect(port, host)
      const timer = setTimeout(() => {
        s.destroy()
        resolve(null)
      }, HANG_MS)
      s.once('connect', () => {
        clearTimeout(timer)
        resolve(new Connection(s, onReply))
      })
      s.once('error', () => {
        clearTimeout(timer)
        resolve(null)
      })
    })
  }

  /** Resolves when `done()` holds, the peer closes, or nothing arrives for `idleMs`. */
  async until(done, idleMs) {
    while (!done()) {
      if (this.closed) return 'closed'
      const quiet = Date.now() - this.lastData
      if (quiet >= idleMs) return 'stalled'
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, idleMs - quiet)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
    }
    return 'done'
  }

  close() {
    this.socket.destroy()
  }
}

/** Whether a fresh connection gets +PONG within HANG_MS. */
export async function answersPing(port, host = '127.0.0.1') {
  let pong = false
  const c = await Connection.open(port, host, (reply) => (pong ||= reply === 'PONG'))
  if (c === null) return false
  c.lastData = Date.now()
  c.socket.write(encode(['PING']))
  await c.until(() => pong, HANG_MS)
  c.close()
  return pong
}

/** Sends one request on a fresh RESP2 connection and returns the reply. */
async function request(port, host, args) {
  const replies = []
  const c = await Connection.open(port, host, (reply) => replies.push(reply))
  if (c === null) throw new Error(`cannot connect to ${host}:${port}`)
  c.socket.write(encode(args))
  c.lastData = Date.now()
  const how = await c.until(() => replies.length > 0, 30_000)
  c.close()
  if (how !== 'done') throw new Error(`${args.join(' ')}: ${how}`)
  if (replies[0] instanceof ErrorReply) throw new Error(`${args.join(' ')}: ${replies[0].message}`)
  return replies[0]
}

/** The fuzzable commands of the server on `port`, from its COMMAND and COMMAND DOCS. */
export async function loadModel(port, host = '127.0.0.1') {
  return commandModel(await request(port, host, ['COMMAND']), await request(port, host, ['COMMAND', 'DOCS']))
}

function printable(frame) {
  const s = frame.args !== null ? frame.args.map((a) => JSON.stringify(a)).join(' ') : JSON.stringify(frame.bytes.toString('latin1'))
  return s.length > 300 ? `${s.slice(0, 300)}...` : s
}

/**
 * Sends `frames` frames (spread over `connections` connections) to the server on
 * `port` and returns what happened. `stopped()` is polled between batches so a caller
 * that sees the process exit can end the run early.
 */
export async function fuzz({
  port, host = '127.0.0.1', model, seed, frames, connections = 8, batch = 64, junkRate = 0.25,
  onProgress = () => {}, stopped = () => false,
}) {
  const stats = {
    frames: 0,
    junkFrames: 0,
    batches: 0,
    replies: 0,
    errors: 0,
    /** Error replies by their first word and the start of their text, for comparing servers. */
    errorKinds: new Map(),
    /** Per command: valid frames sent and how many of them got an error reply. */
    commands: new Map(),
    internalErrors: 0,
    /** The first few internal errors, with the frame that caused each when it is known. */
    internalExamples: [],
    malformed: [],
    closedByServer: 0,
    junkStalls: 0,
    validStalls: 0,
    /** 'hang' (no PING answer on a fresh connection) or 'refused' (no connection at all). */
    failure: null,
    elapsedMs: 0,
  }
  const started = Date.now()
  const quota = Math.ceil(frames / connections)

  async function worker(index) {
    const workerSeed = (seed + Math.imul(index, 0x9e3779b9)) >>> 0
    const source = createFrames(model, workerSeed)
    const plan = rng(workerSeed ^ 0x5bd1e995)
    let fresh = false
    let sent = 0
    let conn = null
    let pending = []
    let valid = 0
    let replyIndex = 0
    let token = ''
    let tokenSeen = false
    const onReply = (reply) => {
      stats.replies++
      const at = replyIndex++
      if (reply === token) tokenSeen = true
      // Replies match frames one to one up to the first junk frame of the batch.
      const f = at < valid ? pending[at] : undefined
      const counts = f?.command ? stats.commands.get(f.command) ?? { sent: 0, errors: 0 } : null
      if (counts !== null) {
        stats.commands.set(f.command, counts)
        counts.sent++
      }
      if (!(reply instanceof ErrorReply)) return
      if (counts !== null) counts.errors++
      stats.errors++
      const kind = reply.message.replace(/^(\S+ \S*).*$/s, '$1').slice(0, 60)
      stats.errorKinds.set(kind, (stats.errorKinds.get(kind) ?? 0) + 1)
      const internal = INTERNAL.exec(reply.message)
      if (internal === null) return
      stats.internalErrors++
      if (stats.internalExamples.length < 20) {
        stats.internalExamples.push({ command: internal[1], message: reply.message, frame: f ? printable(f) : null })
      }
    }
    while (sent < quota && stats.failure === null && !stopped()) {
      if (conn === null) {
        conn = await Connection.open(port, host, onReply)
        if (conn === null) {
          stats.failure ??= 'refused'
          break
        }
        token = `fz-ping-${index}-${stats.batches}`
        tokenSeen = false
        replyIndex = 0
        pending = []
        valid = 0
        conn.lastData = Date.now()
        conn.socket.write(encode(['PING', token]))
        if ((await conn.until(() => tokenSeen, HANG_MS)) !== 'done') {
          conn.close()
          stats.failure ??= (await answersPing(port, host)) ? null : 'hang'
          conn = null
          continue
        }
        fresh = true
      }
      const list = []
      // A new connection starts in database 0 with the typed keys in place; later
      // batches restore them now and then, since the fuzz deletes and retypes them.
      if (fresh || plan.chance(0.2)) list.push(...source.setup())
      fresh = false
      while (list.length < batch) list.push(source.valid())
      const validCount = list.length
      if (plan.chance(junkRate)) {
        for (let n = 1 + plan.int(3); n > 0; n--) list.push(source.junk())
      }
      token = `fz-${index}-${stats.batches}-${sent}`
      tokenSeen = false
      replyIndex = 0
      pending = list
      // (UN)SUBSCRIBE answers once per channel, so replies pair with frames only up to
      // the first of them.
      const multi = list.findIndex((f, i) => i < validCount && MULTI_REPLY.has(f.command))
      valid = multi < 0 ? validCount : multi + 1
      const bytes = Buffer.concat([...list.map((f) => f.bytes), Buffer.from(RESET + encode(['PING', token]), 'latin1')])
      conn.lastData = Date.now()
      conn.socket.write(bytes)
      stats.batches++
      sent += list.length
      stats.frames += list.length
      stats.junkFrames += list.length - validCount
      const how = await conn.until(() => tokenSeen, list.length > validCount ? JUNK_IDLE_MS : VALID_IDLE_MS)
      if (conn.malformed !== null) {
        stats.malformed.push({ message: conn.malformed, frames: list.slice(0, 3).map(printable) })
        conn.close()
        conn = null
      } else if (how === 'closed') {
        stats.closedByServer++
        conn = null
      } else if (how === 'stalled') {
        if (list.length > validCount) stats.junkStalls++
        else stats.validStalls++
        conn.close()
        conn = null
      }
      onProgress(stats)
    }
    conn?.close()
  }

  await Promise.all(Array.from({ length: connections }, (_, i) => worker(i)))
  stats.elapsedMs = Date.now() - started
  return stats
}
