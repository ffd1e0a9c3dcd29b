import net from 'node:net'
import { resp } from './raw.js'

/**
 * Differential testing against a real redis-server: the same commands go to both
 * servers over raw sockets and the raw reply bytes are compared. Replies whose order
 * Redis leaves unspecified (SMEMBERS, HGETALL, KEYS...) are compared after sorting.
 */

/** A connection that sends commands and returns each reply's raw bytes. */
export class ReplyConnection {
  private buf = Buffer.alloc(0)
  private waiter: (() => void) | null = null

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d])
      this.waiter?.()
    })
    socket.on('error', () => {})
    socket.on('close', () => this.waiter?.())
  }

  static open(port: number): Promise<ReplyConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1')
      s.setNoDelay(true)
      s.once('connect', () => resolve(new ReplyConnection(s)))
      s.once('error', reject)
    })
  }

  /** Sends one command and resolves with its complete reply, as latin1 text. */
  async call(args: string[], timeoutMs = 5000): Promise<string> {
    this.socket.write(Buffer.from(resp(...args), 'latin1'))
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const end = frameEnd(this.buf, 0)
      if (end > 0) {
        const reply = this.buf.subarray(0, end).toString('latin1')
        this.buf = this.buf.subarray(end)
        return reply
      }
      if (this.socket.destroyed || Date.now() > deadline) {
        throw new Error(`no complete reply to ${args.join(' ')}: got ${JSON.stringify(this.buf.toString('latin1'))}`)
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50)
        this.waiter = () => {
          clearTimeout(t)
          this.waiter = null
          resolve()
        }
      })
    }
  }

  close(): void {
    this.socket.destroy()
  }
}

/** Index just past the complete RESP2/RESP3 frame at `pos`, or -1 if incomplete. */
export function frameEnd(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1
  const nl = buf.indexOf(10, pos)
  if (nl < 0) return -1
  const type = String.fromCharCode(buf[pos])
  const line = buf.toString('latin1', pos + 1, nl - 1)
  switch (type) {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(':
      return nl + 1
    case '$': case '=': case '!': {
      const n = Number(line)
      if (n < 0) return nl + 1
      const end = nl + 1 + n + 2
      return end <= buf.length ? end : -1
    }
    case '*': case '~': case '>': case '%': case '|': {
      let n = Number(line)
      if (n < 0) return nl + 1
      if (type === '%' || type === '|') n *= 2
      let p = nl + 1
      for (let i = 0; i < n; i++) {
        p = frameEnd(buf, p)
        if (p < 0) return -1
      }
      if (type === '|') return frameEnd(buf, p)
      return p
    }
    default:
      throw new Error(`bad reply type ${JSON.stringify(type)} in ${JSON.stringify(buf.toString('latin1'))}`)
  }
}

/** Splits an aggregate reply into its element frames (for order-insensitive compares). */
export function elements(reply: string): { header: string; items: string[] } {
  const buf = Buffer.from(reply, 'latin1')
  const nl = buf.indexOf(10)
  const header = reply.slice(0, nl + 1)
  const items: string[] = []
  let p = nl + 1
  while (p < buf.length) {
    const e = frameEnd(buf, p)
    items.push(buf.toString('latin1', p, e))
    p = e
  }
  return { header, items }
}

/** Sorts an array/set reply's elements, or a map's pairs (flat RESP2 pairs if `pairs`). */
export function sortedReply(reply: string, pairs = false): string {
  if (!/^[*~%]/.test(reply) || reply.startsWith('*-1')) return reply
  const { header, items } = elements(reply)
  if (reply[0] === '%' || pairs) {
    const grouped: string[] = []
    for (let i = 0; i < items.length; i += 2) grouped.push(items[i] + items[i + 1])
    return header + grouped.sort().join('')
  }
  return header + items.sort().join('')
}

export interface DifferentialOptions {
  /** RESP protocol: HELLO 3 is sent first to both when 3. */
  proto?: 2 | 3
  /** Rewrites a reply before comparison (e.g. sortedReply for unordered commands). */
  normalize?: (args: string[], reply: string) => string
}

export interface Mismatch {
  index: number
  args: string[]
  respite: string
  redis: string
}

/** A mismatch in a longer sequence: why it fails, and what led up to it. */
export interface Failure extends Mismatch {
  why: string
  /** The latest earlier commands naming the same key (historyOf), to replay by hand. */
  history: string[][]
}

/** Up to `max` of the latest commands before cmds[index] that name its key (OBJECT's is its third argument). */
export function historyOf(cmds: string[][], index: number, max: number): string[][] {
  const key = cmds[index][cmds[index][0].toUpperCase() === 'OBJECT' ? 2 : 1]
  return cmds.slice(0, index).filter((c) => c.includes(key)).slice(-max)
}

/**
 * Opens a connection to each server, switches both to RESP3 if asked, empties both
 * (FLUSHALL), runs `body` with the respite connection first, then closes both.
 */
export async function withConnections<T>(respitePort: number, redisPort: number, proto: 2 | 3 | undefined,
  body: (respite: ReplyConnection, redis: ReplyConnection) => Promise<T>): Promise<T> {
  const a = await ReplyConnection.open(respitePort)
  const b = await ReplyConnection.open(redisPort)
  try {
    if (proto === 3) {
      await a.call(['HELLO', '3'])
      await b.call(['HELLO', '3'])
    }
    await a.call(['FLUSHALL'])
    await b.call(['FLUSHALL'])
    return await body(a, b)
  } finally {
    a.close()
    b.close()
  }
}

/**
 * Runs `commands` in order against both servers, emptied first, and returns the
 * first mismatch, or null when every reply matched.
 */
export function runDifferential(
  respitePort: number,
  redisPort: number,
  commands: string[][],
  options: DifferentialOptions = {},
): Promise<Mismatch | null> {
  return withConnections(respitePort, redisPort, options.proto, async (a, b) => {
    for (let i = 0; i < commands.length; i++) {
      const args = commands[i]
      let ra = await a.call(args)
      let rb = await b.call(args)
      if (options.normalize) {
        ra = options.normalize(args, ra)
        rb = options.normalize(args, rb)
      }
      if (ra !== rb) return { index: i, args, respite: ra, redis: rb }
    }
    return null
  })
}

/** The payload of a bulk-string frame, or null for a null reply. */
export function bulkText(frame: string): string | null {
  if (frame.startsWith('$-1') || frame.startsWith('_')) return null
  return frame.slice(frame.indexOf('\r\n') + 2, -2)
}

/** The shared seeded PRNG, so a failing sequence can be replayed by seed. */
export { rng } from '../../scripts/prng.mjs'
