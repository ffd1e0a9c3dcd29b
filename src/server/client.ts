import { ProtocolError, QueryBufferLimitError, RequestDecoder } from '../resp/decoder.js'
import { SMALL_MIN } from '../store/small-strings.js'
import type { Argv } from '../resp/values.js'
import { ReplyWriter } from '../resp/writer.js'
import type { Database } from '../store/database.js'
import type { CommandSpec } from '../commands/spec.js'
import { Caller } from './caller.js'
import { readNow } from './busy.js'
import { ConnectionOutput, type OutputOwner } from './connection-output.js'
import type { ClientSocket, RawReader } from './fast-io.js'
import { contain } from './faults.js'
import { ClientClass } from './output-limits.js'
import { clientInfoLine } from '../commands/connection.js'
import type { Server } from './server.js'

/** What a blocked client waits for; see blocking.ts. */
export interface BlockState {
  db: Database
  keys: string[]
  spec: CommandSpec
  argv: string[]
  timer: NodeJS.Timeout | null
  /** Writes the reply for a timeout (a null array for the list pops). */
  onTimeout: (caller: Caller) => void
  /** Set while the command is re-run for a ready key and chose to keep waiting. */
  stillWaiting: boolean
  /** During a re-run, the signalled key the waiter is to be served from. */
  readyKey: string | null
  /** When the wait ends, in ms since the epoch (0 = never). */
  deadline: number
  /**
   * Re-run also when a key is deleted or loses its type (XREADGROUP answers such a
   * change with an error, as Redis does); other waiters only hear of keys with data.
   */
  wakeOnDelete: boolean
}

/** CLIENT REPLY state, in Client.replyFlags. */
export const ReplyFlag = {
  /** CLIENT REPLY OFF: no replies until ON. */
  off: 1,
  /** CLIENT REPLY SKIP was just run: the next command is silent. */
  skipNext: 2,
  /** The running command is the one SKIP silences. */
  skip: 4,
} as const

/** Below Buffer.poolSize / 2, so it comes from Node's shared pool. */
const INITIAL_OUTPUT_BUFFER = 256

/**
 * One connection and its request loop. Data is read into the server's shared buffer
 * (net's `onread`), decoded in place, and every reply produced from that read goes
 * out in a single socket.write. The loop stops while the client is blocked (BLPOP)
 * and while the socket pushes back, and resumes on unblock or 'drain'.
 */
export class Client extends Caller implements RawReader, OutputOwner {
  readonly decoder: RequestDecoder
  readonly createdAt = Date.now()
  lastInteraction = Date.now()
  /** Re-entrancy guard: process() may be reached from another client's command. */
  private processing = false
  /** "ip:port" of each end, fetched on first use (two syscalls that few connections need). */
  private peerAddr: string | null = null
  private localAddr: string | null = null
  /** Writes, output limits and closing (connection-output.ts, shared with memcached connections). */
  readonly output: ConnectionOutput
  /** Pub/sub subscriptions (pubsub/pubsub.ts holds the reverse maps). */
  readonly channels = new Set<string>()
  readonly patterns = new Set<string>()
  readonly shardChannels = new Set<string>()
  /** Set while in the server's list of clients with out-of-band output to send. */
  flushQueued = false
  /** The request CLIENT PAUSE holds back (pause.ts); the loop waits while it is set. */
  postponed: string[] | null = null
  /** CLIENT REPLY OFF / SKIP (ReplyFlag bits); 0 is the common case. */
  replyFlags = 0
  /** While a silenced command runs: pushes delivered meanwhile, kept out of the truncation. */
  private held: Buffer[] | null = null
  /**
   * Set while the AOF holds this client's replies (aof.ts): until the writes before
   * them are in the file, and under appendfsync always on disk, which `aofUpTo` (an
   * AOF offset) says. Replies produced meanwhile join them in `out`.
   */
  aofWaiting = false
  aofUpTo = 0

  constructor(
    server: Server,
    /** A net.Socket, or a DirectSocket (fast-io.ts) when direct I/O is available. */
    readonly socket: ClientSocket,
    id: number,
    mini: boolean,
  ) {
    // Starts small: a 16 KiB buffer per connection is a fresh ArrayBuffer (and, with
    // 10,000 clients, 160 MiB of external memory that drives V8's collections), while a
    // small one is a slice of Node's buffer pool. It grows to what the replies need.
    super(server, id, mini, INITIAL_OUTPUT_BUFFER)
    this.decoder = new RequestDecoder({
      maxBulkLen: server.config.int('proto-max-bulk-len'),
      queryBufferLimit: server.config.int('client-query-buffer-limit'),
    })
    this.decoder.authenticated = this.authenticated
    // SET's value arrives as bytes (CommandSpec.bytesValue) from the length on which the
    // store keeps it as bytes (keys.ts): 100-byte SETs at -P 16 took 10% less CPU, 1 KiB
    // ones 25% less, than with strings up to 2 KiB.
    this.decoder.bytesFrom = SMALL_MIN
    this.output = new ConnectionOutput(socket, this, this.out, this)
  }

  /** Writes queued in libuv (CLIENT LIST oll). */
  get pendingWrites(): number {
    return this.output.pendingWrites
  }

  /** When queued output reached the soft output buffer limit (unix seconds; 0 = below it). */
  get softLimitSince(): number {
    return this.output.softLimitSince
  }

  /** The peer's "ip:port" (CLIENT LIST addr=). */
  get addr(): string {
    if (this.peerAddr !== null) return this.peerAddr
    const socket = this.socket
    const ip = socket.remoteAddress
    // Once the socket is closed the address can no longer be read; Redis shows "?:0" then.
    if (ip === undefined) return '?:0'
    return (this.peerAddr = `${ip}:${socket.remotePort}`)
  }

  /** This end's "ip:port" (CLIENT LIST laddr=). */
  get laddr(): string {
    if (this.localAddr !== null) return this.localAddr
    const socket = this.socket
    const ip = socket.localAddress
    if (ip === undefined) return '?:0'
    return (this.localAddr = `${ip}:${socket.localPort}`)
  }

  /** Reads delivered straight from the handle (fast-io.ts) into the server's buffer. */
  onRawRead(nread: number): void {
    if (nread > 0) {
      this.server.stats.totalNetInput += nread
      this.onRead(nread, this.server.readBuffer)
    } else if (nread < 0) {
      // EOF or a read error: like Redis, drop the client and anything unsent.
      this.destroy()
    }
  }

  /** net's onread callback: `buf` is the server's shared read buffer. */
  onRead(nread: number, buf: Buffer): void {
    if (this.output.closing || this.closed) return
    this.lastInteraction = this.server.clock
    try {
      this.decoder.feed(buf, nread)
    } catch (e) {
      this.loopFault(e)
      return
    }
    this.serve()
  }

  /**
   * While a script is busy (busy.ts): reads what the peer sent straight from the
   * descriptor and serves it through the ordinary loop, unless the loop cannot run
   * now (this is the script's client, or it is blocked, paused, closing or pushed
   * back) or replies are still queued in libuv, which a synchronous write would
   * overtake. Those wait in the kernel until the script ends.
   */
  pollWhileBusy(buf: Buffer): void {
    const output = this.output
    while (!this.processing && this.blocked === null && this.postponed === null && !output.closing && !this.closed && !output.writePaused) {
      if (output.io !== null ? output.pendingOutput !== 0 : this.socket.writableLength !== 0) return
      const fd = (this.socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd
      if (typeof fd !== 'number' || fd < 0) return
      const n = readNow(fd, buf)
      if (n === -1) return
      if (n <= 0) {
        this.destroy()
        return
      }
      this.server.stats.totalNetInput += n
      this.onRead(n, buf)
      if (n < buf.length) return
    }
  }

  /**
   * Runs the request loop and sends its replies in one write: after a read, and when
   * the loop may go on (unblocked, drained, a pause ended). Every entry to the loop
   * comes through here, so a fault in it never escapes to the event loop.
   */
  private serve(): void {
    try {
      this.process()
      // Anything not decoded yet must be copied before the shared buffer is reused.
      this.decoder.release()
      this.server.writes.served(this)
    } catch (e) {
      this.loopFault(e)
    }
  }

  /**
   * Handlers are contained by the dispatcher; what reaches here is a fault in the loop
   * itself (or the query buffer limit), which leaves this connection's state unknown:
   * drop it alone and keep serving everyone else.
   */
  private loopFault(e: unknown): void {
    if (e instanceof QueryBufferLimitError) {
      this.server.log('warning', `Closing client that reached max query buffer length (id=${this.id} addr=${this.addr})`)
    } else {
      contain(this.server, `the request loop of client id=${this.id}`, e)
    }
    this.destroy()
  }

  /** Runs buffered requests until none is complete, the client blocks, or it closes. */
  process(): void {
    if (this.processing) return
    this.processing = true
    const server = this.server
    const output = this.output
    try {
      while (this.blocked === null && this.postponed === null && !output.closing && !this.closed && !output.writePaused) {
        let argv
        try {
          argv = this.decoder.next()
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e
          this.out.error('ERR ' + e.message)
          this.closeAfterReply()
          server.log('verbose', `Protocol error (${e.message}) from client id=${this.id} addr=${this.addr}`)
          break
        }
        if (argv === undefined) break
        this.runRequest(argv)
      }
    } finally {
      this.processing = false
    }
  }

  /** One request: run it (silenced under CLIENT REPLY), serve what it fed, check the output limit. */
  private runRequest(argv: Argv): void {
    const server = this.server
    if (this.replyFlags === 0) server.dispatch(this, argv)
    else this.dispatchQuietly(argv)
    if (server.blocking.pending) server.blocking.serveReady()
    this.enforceOutputLimits()
  }

  /**
   * A command under CLIENT REPLY OFF or SKIP: its reply is written and then taken
   * back, so handlers need not know. Pushes (messages, invalidations) still go out,
   * as in Redis 7.0. The reply to CLIENT REPLY ON survives because the flags are read
   * after the command.
   */
  private dispatchQuietly(argv: Argv): void {
    let flags = this.replyFlags
    if ((flags & ReplyFlag.skipNext) !== 0) flags = (flags & ~ReplyFlag.skipNext) | ReplyFlag.skip
    this.replyFlags = flags
    const out = this.out
    const mark = out.pos
    const held: Buffer[] = (this.held = [])
    try {
      this.server.dispatch(this, argv)
    } finally {
      this.held = null
    }
    if ((this.replyFlags & (ReplyFlag.off | ReplyFlag.skip)) !== 0) out.truncate(mark)
    this.replyFlags &= ~ReplyFlag.skip
    for (const frame of held) out.raw(frame)
  }

  /** The pause that held this client's command is over: run it, then carry on reading. */
  runPostponed(): void {
    const argv = this.postponed
    if (argv === null || this.closed) return
    this.postponed = null
    this.processing = true
    try {
      this.runRequest(argv)
    } catch (e) {
      this.loopFault(e)
      return
    } finally {
      this.processing = false
    }
    this.serve()
  }

  /** Sends everything produced so far in one write. */
  flush(): void {
    const out = this.out
    if (out.pos === 0 || this.closed) {
      if (this.output.closing) this.output.closeWhenSent()
      return
    }
    // With appendonly on, the writes behind these replies reach the file first (and,
    // under appendfsync always, the disk): the AOF may keep them to send later.
    const aof = this.server.aof
    if (aof !== null && aof.enabled && aof.holds(this)) return
    this.output.send()
  }

  /**
   * flush() for the first `limit` bytes only, when there are more: false when it wrote
   * nothing (then flush() sends all). Not while the AOF may hold replies back.
   */
  flushHead(limit: number): boolean {
    const aof = this.server.aof
    return !this.closed && (aof === null || !aof.enabled) && this.output.sendHead(limit)
  }

  /** The AOF has what this client's held replies depend on (aof.ts): they go now. */
  releaseFromAof(): void {
    this.aofWaiting = false
    if (this.closed) return
    if (this.out.pos !== 0) this.output.send()
    else if (this.output.closing) this.output.closeWhenSent()
  }

  /** The socket took its queued output: the loop may go on. */
  drained(): void {
    this.serve()
  }

  /**
   * QUIT and protocol errors: stop reading, deliver pending replies, then close the
   * socket outright as Redis does. A half-close (end()) would leave us reading and
   * discarding what a desynchronised client keeps sending, and the client would not
   * see its connection fail.
   */
  closeAfterReply(): void {
    this.output.closeAfterReply()
  }

  /** Drops the connection at once (CLIENT KILL, query buffer limit, shutdown). */
  destroy(): void {
    if (this.closed) return
    this.closed = true
    this.socket.destroy()
  }

  /** Called once the socket has closed, whoever closed it. */
  onClose(): void {
    this.closed = true
    if (this.blocked !== null) this.server.blocking.forget(this)
    if (this.postponed !== null) this.server.pause.forget(this)
    if (this.tracking !== null) this.server.tracking.disable(this)
    if (this.subscribed) this.server.pubsub.unsubscribeAll(this)
    if (this.watching !== null) this.server.watches.unwatchAll(this)
    this.multi = null
    this.server.removeClient(this)
  }

  /** Keeps `subscribed` in step with the subscription sets (RESP2's subscribed mode). */
  updatePubSubMode(): void {
    this.subscribed = this.channels.size + this.patterns.size + this.shardChannels.size !== 0
  }

  /**
   * Output that no request of this client produced: a published message, an
   * invalidation. It joins the pending replies; a client in the middle of its own
   * request loop sends it with them, any other is flushed once the current batch of
   * work is done (Server.flushSoon), so a burst of messages is one write.
   */
  deliver(frame: Buffer): void {
    if (this.closed || this.output.closing) return
    if (this.held !== null) {
      this.held.push(frame)
      return
    }
    this.out.raw(frame)
    this.enforceOutputLimits()
    if (!this.processing) this.server.flushSoon(this)
  }

  /** Output waiting for this client: not yet written, or written but not taken by the kernel. */
  get queuedOutput(): number {
    return this.output.queued
  }

  /**
   * client-output-buffer-limit, checked whenever output is added. A subscriber is in
   * the pubsub class; there are no replicas, so everyone else is normal.
   */
  private enforceOutputLimits(): void {
    const server = this.server
    if (!this.output.overLimit(server.outputLimits[this.subscribed ? ClientClass.PubSub : ClientClass.Normal], server.clock)) return
    server.log('warning', `Client ${clientInfoLine(this).trimEnd()} scheduled to be closed ASAP for overcoming of output buffer limits.`)
    this.output.abandon()
    server.flushSoon(this)
  }

  /** Resumes the request loop after unblocking, and sends the replies. */
  resume(): void {
    this.serve()
  }

  override setAuthenticated(ok: boolean): void {
    this.authenticated = ok
    this.decoder.authenticated = ok
  }

  get connection(): Client {
    return this
  }
}
