import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import type { RunningServer } from '../../src/index.js'
import { canConnect, freePort, startRespite as startTestServer } from '../helpers/servers.js'

export { freePort }

/** The real memcached, when installed (the differential tests compare against it). */
export const memcachedBinary = spawnSync('memcached', ['-h'], { stdio: 'ignore' }).status === 0 ? 'memcached' : null

export interface RealMemcached {
  port: number
  stop(): Promise<void>
}

/** Starts memcached 1.6 on a free port (TCP only, loopback). */
export async function startMemcached(extra: string[] = []): Promise<RealMemcached> {
  const port = await freePort()
  const args = ['-p', String(port), '-U', '0', '-l', '127.0.0.1', ...extra]
  if (process.getuid?.() === 0) args.push('-u', 'root')
  const child: ChildProcess = spawn(memcachedBinary!, args, { stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    if (await canConnect(port)) break
    await sleep(20)
  }
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

export async function startRespite(config: Record<string, string | number> = {}): Promise<RunningServer> {
  return startTestServer({ memcachedPort: 0, config: { save: '', ...config } })
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** A raw connection collecting every byte the server sends. */
export class Conn {
  private data = Buffer.alloc(0)
  closed = false
  private waiter: (() => void) | null = null

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true)
    socket.on('data', (d) => {
      this.data = Buffer.concat([this.data, d])
      this.waiter?.()
    })
    socket.on('close', () => {
      this.closed = true
      this.waiter?.()
    })
    socket.on('error', () => {})
  }

  static open(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1')
      s.once('connect', () => resolve(new Conn(s)))
      s.once('error', reject)
    })
  }

  write(b: Buffer | string): void {
    this.socket.write(typeof b === 'string' ? Buffer.from(b, 'latin1') : b)
  }

  /** Waits until the received bytes end with `suffix`, the peer closes, or `ms` pass. */
  async until(suffix: string, ms = 3000): Promise<Buffer> {
    const end = Date.now() + ms
    const tail = Buffer.from(suffix, 'latin1')
    while (!this.closed && !(this.data.length >= tail.length && this.data.subarray(this.data.length - tail.length).equals(tail))) {
      const left = end - Date.now()
      if (left <= 0) break
      await new Promise<void>((r) => {
        const t = setTimeout(r, left)
        this.waiter = () => {
          clearTimeout(t)
          r()
        }
      })
      this.waiter = null
    }
    const out = this.data
    this.data = Buffer.alloc(0)
    return out
  }

  /** Whatever arrives within `ms`. */
  async quiet(ms = 150): Promise<Buffer> {
    await sleep(ms)
    const out = this.data
    this.data = Buffer.alloc(0)
    return out
  }

  close(): void {
    this.socket.destroy()
  }
}

/**
 * Sends `input` (split at `splitAt`, each piece written separately with a pause so
 * the server sees split frames), then a fence request no script sends, and returns
 * the reply with the fence's own reply removed. "<EOF>" is appended when the server closed.
 */
const FENCE = 'mg __fence__ k O31337\r\n'
const FENCE_REPLY = 'EN k__fence__ O31337\r\n'

export async function exchange(port: number, input: Buffer, splitAt: number[] = []): Promise<string> {
  const c = await Conn.open(port)
  let last = 0
  for (const at of [...splitAt, input.length]) {
    if (at <= last) continue
    c.write(input.subarray(last, at))
    last = at
    if (at < input.length) await sleep(3)
  }
  c.write(FENCE)
  let out = (await c.until(FENCE_REPLY)).toString('latin1')
  if (out.endsWith(FENCE_REPLY)) out = out.slice(0, -FENCE_REPLY.length)
  if (c.closed) out += '<EOF>'
  c.close()
  return out
}

/**
 * CAS uniques are opaque and memcached spends some where respite does not; replies
 * are compared with each CAS replaced by the order in which it first appeared, so
 * equal and different CAS values must still line up.
 */
export function normalizeCas(reply: string): string {
  const seen = new Map<string, number>()
  const id = (v: string) => {
    if (!seen.has(v)) seen.set(v, seen.size + 1)
    return `#${seen.get(v)}`
  }
  return reply
    .replace(/^(VALUE \S+ \d+ \d+) (\d+)\r$/gm, (_, head, cas) => `${head} ${id(cas)}\r`)
    .replace(/^((?:VA \d+|HD|EN|NS|EX|NF)(?: \S+)*?) c(\d+)/gm, (_, head, cas) => `${head} c${id(cas)}`)
    .replace(/cas=(\d+)/g, (_, cas) => `cas=${id(cas)}`)
}
