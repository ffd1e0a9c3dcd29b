import { closeSync, readSync } from 'node:fs'
import type { Server as NetServer } from 'node:net'
import { Worker } from 'node:worker_threads'
import type { Run } from '../scripting/scripting.js'
import type { AcceptedHandle } from './fast-io.js'
import type { Server } from './server.js'

/**
 * Busy scripts: what the server does while a script runs past busy-reply-threshold.
 *
 * As in Redis the script keeps running, but everyone else is answered: -BUSY to most
 * commands, while SCRIPT KILL / FUNCTION KILL, SHUTDOWN NOSAVE and the other allow_busy
 * commands (MULTI, WATCH, AUTH, HELLO...) run (dispatcher.ts). Redis gets there by
 * running its event loop from the Lua hook. Node cannot: a script runs synchronously
 * inside a command, and the event loop only turns once it returns. So, from the
 * script's budget hook (Scripting.onBudget, every POLL_INTERVAL ms or more, see POLL_SPACING):
 *
 * - Existing connections are read with plain read(2) on their descriptors
 *   (fs.readSync on the non-blocking fd: EAGAIN = nothing there, 0 = closed), fed to
 *   the client's own decoder and served by its ordinary request loop (Client.onRead),
 *   whose write (fast-io.ts / net.Socket) already tries the kernel synchronously
 *   before queueing in libuv. What is read here is consumed here, so nothing is lost
 *   or read twice when the event loop resumes: libuv's poll is level-triggered and
 *   only sees what is left in the kernel. Clients whose loop cannot run now (the
 *   script's own, blocked, paused, push-backed, or with output still queued in libuv
 *   that our write would overtake) are left alone until the script ends, as Redis
 *   leaves a blocked client's input alone.
 *
 * - New connections (redis-cli opens one to send SCRIPT KILL) cannot be accepted
 *   synchronously through any Node API. A worker thread (the acceptor) listens on the
 *   same listening descriptors, and its event loop accepts them while ours cannot. It
 *   only does so during busy periods: the rest of the time it sleeps in Atomics.wait,
 *   so it never competes with the main loop for connections (both poll the same
 *   descriptor; a sleeping thread does not accept). Each accepted descriptor is handed
 *   over through a SharedArrayBuffer ring; the hook drains the ring, wraps the
 *   descriptor in a TCP handle of the main thread's own (tcp_wrap's open(fd)) and
 *   admits it as if the main loop had accepted it, then serves it as above. After the
 *   busy period a message from the worker drains whatever it accepted in its last
 *   moments. The worker keeps its own handle for each descriptor it handed over and
 *   never closes it: closing a handle closes the descriptor, which the client now
 *   owns. Those handles (a few hundred bytes each, only for connections made during
 *   busy periods) and the thread live until the process exits; closing the server
 *   in-process (embedding) leaves the thread asleep, never closing anything.
 *   The worker is started once a script has run for half of busy-reply-threshold (a
 *   server whose scripts are all quick never starts it), so that it is up by the time
 *   the script is busy: a thread takes tens of ms to start, more on a loaded machine.
 *
 * Chosen over a worker that would serve the new connections itself and proxy them
 * afterwards: here every connection, old or new, is served by the one request loop on
 * the main thread, with the server's state, and only the accept() is done elsewhere.
 * Without the tcp_wrap binding (or a worker), new connections wait in the kernel's
 * backlog and are served as soon as the script ends: delayed, never lost.
 */

/** How often, at most, the busy hook reads the clients (ms). */
export const POLL_INTERVAL = 10

/**
 * A poll costs about 3 µs per idle client (read(2) answers EAGAIN, which Node throws
 * as an exception): 30 ms for 10,000 clients. The next poll waits this many times as
 * long as the last one took, so the script keeps most of the CPU however many
 * clients there are (it is the script everyone waits for, to end or to be killed).
 */
const POLL_SPACING = 4

/** Hand-over ring: [0] mode (0 asleep, 1 accepting), [1] entries written, [2] entries taken, then the entries. */
const RING = 4096
const HEADER = 4
/** An entry is fd * LISTENERS + the listener's index. */
const LISTENERS = 16

interface TcpBinding {
  TCP: new (type: number) => AcceptedHandle & { open(fd: number): number }
  constants: { SOCKET: number }
}

function tcpBinding(): TcpBinding | null {
  try {
    const legacy = (process as unknown as { binding?: (name: string) => unknown }).binding
    if (typeof legacy !== 'function') return null
    const b = legacy('tcp_wrap') as Partial<TcpBinding>
    if (typeof b.TCP !== 'function' || typeof b.constants?.SOCKET !== 'number') return null
    return b as TcpBinding
  } catch {
    return null
  }
}

/** The acceptor thread (plain JavaScript, run with eval so it needs no file of its own). */
const ACCEPTOR = `
const { workerData, parentPort } = require('node:worker_threads')
const net = require('node:net')
const { fds, state, backlog, ring, header, listeners } = workerData
const st = new Int32Array(state)
// Accepted handles: never closed here, as their descriptors now belong to the main thread.
const keep = []
const pending = []
function push() {
  while (pending.length > 0) {
    const head = Atomics.load(st, 1)
    if (head - Atomics.load(st, 2) >= ring) break
    Atomics.store(st, header + (head % ring), pending.shift())
    Atomics.store(st, 1, head + 1)
  }
  parentPort.postMessage(0)
}
let ready = 0
fds.forEach((fd, index) => {
  const s = net.createServer()
  s.listen({ fd, backlog }, () => {
    s._handle.onconnection = (status, handle) => {
      if (status < 0 || !handle) return
      keep.push(handle)
      pending.push(handle.fd * listeners + index)
      push()
    }
    if (++ready === fds.length) sleep()
  })
})
function sleep() {
  while (Atomics.load(st, 0) === 0) Atomics.wait(st, 0, 0)
  setTimeout(check, 5)
}
function check() {
  if (pending.length > 0) push()
  if (Atomics.load(st, 0) === 1) setTimeout(check, 5)
  else sleep()
}
`

export interface Listening {
  listener: NetServer
  fd: number
  mini: boolean
}

class Acceptor {
  private readonly state = new Int32Array(new SharedArrayBuffer((HEADER + RING) * 4))
  private readonly worker: Worker
  private taken = 0

  constructor(
    private readonly listening: Listening[],
    backlog: number,
    private readonly adopt: (l: Listening, fd: number) => void,
    onError: (e: unknown) => void,
  ) {
    this.worker = new Worker(ACCEPTOR, {
      eval: true,
      // Not the process's flags: --input-type=module (node -e) would make this CommonJS code ESM.
      execArgv: [],
      workerData: {
        fds: listening.map((l) => l.fd), state: this.state.buffer, backlog, ring: RING, header: HEADER, listeners: LISTENERS,
      },
    })
    this.worker.on('message', () => this.drain())
    this.worker.on('error', onError)
    // After the listeners: adding a 'message' listener refs the worker again, and a
    // sleeping acceptor must not keep the process alive.
    this.worker.unref()
  }

  setAccepting(on: boolean): void {
    Atomics.store(this.state, 0, on ? 1 : 0)
    if (on) Atomics.notify(this.state, 0)
  }

  /** Admits every connection the worker has handed over. */
  drain(): void {
    const st = this.state
    const head = Atomics.load(st, 1)
    while (this.taken < head) {
      const entry = Atomics.load(st, HEADER + (this.taken % RING))
      Atomics.store(st, 2, ++this.taken)
      const l = this.listening[entry % LISTENERS]
      if (l !== undefined) this.adopt(l, Math.floor(entry / LISTENERS))
    }
  }
}

export class BusyScripts {
  /** Where polled clients' bytes are read: not the server's shared buffer, which the running request may still be using. */
  private readonly buf = Buffer.allocUnsafe(64 * 1024)
  private acceptor: Acceptor | null = null
  private acceptorFailed = false
  /** Date.now() from which the next poll is due. */
  private nextPoll = 0

  constructor(private readonly server: Server) {}

  /** Starts the acceptor thread (once per server; see above). */
  prepare(): void {
    if (this.acceptor !== null || this.acceptorFailed) return
    const server = this.server
    const tcp = tcpBinding()
    const listening = server.listening()
    if (tcp === null || listening.length === 0 || listening.length > LISTENERS) {
      this.acceptorFailed = true
      return
    }
    try {
      this.acceptor = new Acceptor(listening, server.config.int('tcp-backlog'), (l, fd) => {
        const handle = new tcp.TCP(tcp.constants.SOCKET)
        const err = handle.open(fd)
        if (err !== 0) closeQuietly(fd)
        server.acceptHandle(l.listener, err, err === 0 ? handle : undefined, l.mini)
      }, (e) => {
        server.log('warning', `Busy script acceptor failed: ${e instanceof Error ? e.message : String(e)}`)
        this.acceptor = null
        this.acceptorFailed = true
      })
    } catch (e) {
      server.log('warning', `Busy script acceptor unavailable: ${e instanceof Error ? e.message : String(e)}`)
      this.acceptorFailed = true
    }
  }

  /** The script has run past busy-reply-threshold: say so, and start answering everyone else. */
  begin(run: Run, elapsed: number): void {
    const server = this.server
    const name = run.label.slice(run.label.indexOf(': ') + 2)
    server.log('warning', `Slow script detected: still in execution after ${elapsed} milliseconds. You can try killing the script using the ${run.kind === 'script' ? 'SCRIPT' : 'FUNCTION'} KILL command. Script name is: ${name}.`)
    server.busy = run
    this.acceptor?.setAccepting(true)
    this.poll(Date.now())
  }

  /** Whether it is time to poll again. */
  due(now: number): boolean {
    return now >= this.nextPoll
  }

  /** Serves what every other client has sent, new connections included. */
  poll(now: number): void {
    const server = this.server
    // EAGAIN is thrown for every idle client: without stack traces it costs little.
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      this.acceptor?.drain()
      server.clock = now
      for (const client of server.clients.values()) {
        if (server.isClosed) break
        client.pollWhileBusy(this.buf)
      }
    } finally {
      Error.stackTraceLimit = limit
      const end = Date.now()
      this.nextPoll = end + Math.max(POLL_INTERVAL, (end - now) * POLL_SPACING)
    }
  }

  /** The script has returned: the event loop takes over again. */
  end(): void {
    this.server.busy = null
    const acceptor = this.acceptor
    if (acceptor !== null) {
      acceptor.setAccepting(false)
      acceptor.drain()
    }
  }
}

/** Reads a descriptor without blocking: bytes read, 0 at EOF, -1 when nothing is there, -2 on an error. */
export function readNow(fd: number, buf: Buffer): number {
  try {
    return readSync(fd, buf, 0, buf.length, null)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR' ? -1 : -2
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // Already gone.
  }
}
