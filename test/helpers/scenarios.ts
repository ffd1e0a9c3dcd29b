import net from 'node:net'
import { frameEnd } from './differential.js'
import { until } from './fixture.js'
import { resp } from './raw.js'

/**
 * Multi-client blocking scenarios, run alike against respite and a real redis-server
 * so that every connection can be checked to receive the same bytes. Waits are
 * synchronised on the server's own INFO blocked_clients, never on sleeps.
 */

/** One command on connection `client`; 'blocks' when the command is expected to block. */
export type Step = [client: number, args: string[], blocks?: 'blocks']

/** A connection that keeps everything it receives. */
export class Conn {
  data = Buffer.alloc(0)
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.data = Buffer.concat([this.data, d])
    })
    socket.on('error', () => {})
  }

  static open(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Conn(s)))
      s.once('error', reject)
    })
  }

  /** Complete replies received so far. */
  frames(): number {
    let n = 0
    for (let p = 0; p < this.data.length; n++) {
      const e = frameEnd(this.data, p)
      if (e < 0) break
      p = e
    }
    return n
  }

  /** Sends a command and waits for one more frame (its reply, or a push before it). */
  async send(args: string[]): Promise<void> {
    const before = this.frames()
    this.socket.write(resp(...args))
    await until(() => this.frames() > before, `reply to ${args.join(' ')}`)
  }
}

async function blockedClients(control: Conn): Promise<number> {
  control.data = Buffer.alloc(0)
  control.socket.write(resp('INFO', 'clients'))
  await until(() => control.frames() === 1, 'INFO')
  return Number(/blocked_clients:(\d+)/.exec(control.data.toString('latin1'))![1])
}

/**
 * Runs the steps on fresh connections to an emptied server and returns what each
 * connection received, ending with its reply to an ECHO once no one is blocked. HELLO
 * replies name each server's own connection id, which reads as N here.
 */
export async function runScenario(port: number, steps: Step[]): Promise<string[]> {
  const clients = 1 + Math.max(...steps.map((s) => s[0]))
  const control = await Conn.open(port)
  const conns = await Promise.all(Array.from({ length: clients }, () => Conn.open(port)))
  try {
    control.socket.write(resp('FLUSHALL'))
    await until(() => control.frames() === 1, 'FLUSHALL')
    for (const [i, args, blocks] of steps) {
      const c = conns[i]
      if (blocks) {
        const before = await blockedClients(control)
        c.socket.write(resp(...args))
        await until(async () => (await blockedClients(control)) === before + 1, `${args.join(' ')} to block`)
      } else {
        const before = c.frames()
        c.socket.write(resp(...args))
        await until(() => c.frames() > before, `reply to ${args.join(' ')}`)
      }
    }
    await until(async () => (await blockedClients(control)) === 0, 'all clients to be served')
    for (const c of conns) {
      const before = c.frames()
      c.socket.write(resp('ECHO', 'end'))
      await until(() => c.frames() > before, 'ECHO')
    }
    return conns.map((c) => c.data.toString('latin1').replace(/\$2\r\nid\r\n:\d+\r\n/g, '$2\r\nid\r\n:N\r\n'))
  } finally {
    control.socket.destroy()
    for (const c of conns) c.socket.destroy()
  }
}
