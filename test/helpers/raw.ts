import net from 'node:net'

/**
 * A raw TCP client for exact-byte tests: send bytes, then read until the reply has
 * the expected length, the peer closes, or a short quiet period passes.
 */
export class RawClient {
  private chunks: Buffer[] = []
  private waiters: (() => void)[] = []
  closed = false

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.chunks.push(d)
      this.wake()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
    socket.on('error', () => {})
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host)
      s.once('connect', () => resolve(new RawClient(s)))
      s.once('error', reject)
    })
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)
  }

  /** Everything received so far, consumed. */
  take(): string {
    const s = Buffer.concat(this.chunks).toString('latin1')
    this.chunks = []
    return s
  }

  private get received(): number {
    let n = 0
    for (const c of this.chunks) n += c.length
    return n
  }

  /** Waits for at least `bytes` bytes (or close, or timeout) and returns them all. */
  async read(bytes: number, timeoutMs = 2000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    while (this.received < bytes && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()))
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
    return this.take()
  }

  /** Sends a request and returns the reply once it is `expected.length` bytes long. */
  async roundTrip(request: string | Buffer, expectedLength: number): Promise<string> {
    this.write(request)
    return this.read(expectedLength)
  }

  /** Resolves when the server has closed the connection. */
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    await this.read(Number.MAX_SAFE_INTEGER, timeoutMs)
    return this.closed
  }

  close(): void {
    this.socket.destroy()
  }
}

/** Encodes a command as a RESP multibulk of bulk strings. */
export function resp(...args: (string | Buffer)[]): string {
  let s = `*${args.length}\r\n`
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a
    s += `$${b.length}\r\n${b.toString('latin1')}\r\n`
  }
  return s
}
