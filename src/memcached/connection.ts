import { ConnectionOutput, type OutputOwner } from '../server/connection-output.js'
import type { ClientSocket, RawReader } from '../server/fast-io.js'
import { contain } from '../server/faults.js'
import { ClientClass } from '../server/output-limits.js'
import { dataArrived, PendingStore, runLine, type Session } from './commands.js'
import type { MemcachedFrontEnd } from './frontend.js'
import { Output } from './output.js'
import { MAX_GET_LINE, MAX_LINE, tokenize } from './parser.js'

/**
 * memcached serves reqs_per_event (20) requests of a connection per event before it
 * sends their replies and yields; an event that starts with a read serves one more
 * (the first request is parsed before the budget is counted). Only visible through
 * mg's item references (Session.held).
 */
const REQUESTS_PER_EVENT = 20

/** Lines longer than this are searched by Buffer.indexOf, shorter ones in JS. */
const SHORT_LINE = 128

/**
 * Where the next \n in data[pos, end) is, or -1. A request line is short, and for
 * one Buffer.indexOf's call into C++ costs more than looking at its bytes here.
 */
function newline(data: Buffer, pos: number, end: number): number {
  const stop = Math.min(end, pos + SHORT_LINE)
  for (let i = pos; i < stop; i++) if (data[i] === 10) return i
  if (stop === end) return -1
  const nl = data.indexOf(10, stop)
  return nl < end ? nl : -1
}

/**
 * One memcached connection. It rides the Redis port's socket machinery: accepted by
 * the same Server.admit (maxclients, TCP options), read through the server's shared
 * buffer with direct handle I/O (fast-io.ts), written once per read as the Redis
 * port's are (WriteBatch.served), subject to the normal class's output buffer limit
 * and the idle `timeout`. Only the framing and the commands are memcached's.
 *
 * Framing: a request is a line ending in \n (a \r before it is dropped); storage
 * commands are followed by a data block of a stated length plus \r\n. Requests may
 * be pipelined in one read or split at any byte: an unfinished line is kept (copied
 * out of the shared buffer), a data block is gathered into a buffer of its size.
 */
export class MemcachedConnection implements RawReader, OutputOwner, Session {
  readonly out = new Output()
  readonly createdAt = Date.now()
  lastInteraction = Date.now()
  closed = false
  flushQueued = false
  /** The start of a line not yet ended, copied out of the shared read buffer. */
  private partial: Buffer | null = null
  /** A data block awaited (for `pending`), and the buffer it is gathered in when split across reads. */
  private awaitingData = false
  private block: Buffer | null = null
  private blockNeed = 0
  private blockFilled = 0
  readonly pending = new PendingStore()
  /** Every line's tokens, reused (see tokenize). */
  private readonly tokens: string[] = []
  /** Input still to discard (a refused store's data), then the reply to write. */
  private swallowLeft = 0
  private swallowReply: string | null = null
  /** Writes, output limits and closing, as for a Redis client (server/connection-output.ts). */
  private readonly output: ConnectionOutput
  readonly held = new Set<number>()
  /** Requests since memcached would last have sent its replies (see REQUESTS_PER_EVENT). */
  private batch = 0
  private batchLimit = REQUESTS_PER_EVENT + 1

  constructor(
    readonly front: MemcachedFrontEnd,
    readonly socket: ClientSocket,
    /** Its place in the front end's ClientTable. */
    readonly id: number,
  ) {
    this.output = new ConnectionOutput(socket, this, this.out, this)
  }

  onRawRead(nread: number): void {
    if (nread > 0) {
      this.front.server.stats.totalNetInput += nread
      this.onRead(nread, this.front.server.readBuffer)
    } else if (nread < 0) {
      this.destroy()
    }
  }

  /** A read into the server's shared buffer (net's onread, or fast-io). */
  onRead(nread: number, buf: Buffer): void {
    if (this.output.closing || this.closed) return
    const front = this.front
    const server = front.server
    this.lastInteraction = server.clock
    front.now = Date.now()
    front.counters.bytes_read += nread
    try {
      this.consume(buf, nread)
    } catch (e) {
      contain(server, 'a memcached connection', e)
      this.destroy()
      return
    }
    server.writes.served(this)
  }

  /** Serves the requests in input[0, length). */
  private consume(input: Buffer, length: number): void {
    let data = input
    let end = length
    if (this.partial !== null) {
      data = Buffer.concat([this.partial, input.subarray(0, length)])
      end = data.length
      this.partial = null
    }
    let pos = 0
    const output = this.output
    while (pos < end && !output.closing && !this.closed) {
      if (this.swallowLeft > 0) {
        const n = Math.min(this.swallowLeft, end - pos)
        pos += n
        this.swallowLeft -= n
        if (this.swallowLeft === 0) this.endSwallow()
        continue
      }
      if (this.awaitingData) {
        pos = this.fillBlock(data, pos, end)
        continue
      }
      const nl = newline(data, pos, end)
      if (nl < 0) {
        this.keepPartial(data, pos, end)
        break
      }
      const lineEnd = nl > pos && data[nl - 1] === 13 ? nl - 1 : nl
      const line = data.latin1Slice(pos, lineEnd)
      pos = nl + 1
      if (++this.batch > this.batchLimit) {
        this.letGo()
        this.batch = 1
        this.batchLimit = REQUESTS_PER_EVENT
      }
      runLine(this, tokenize(line, this.tokens))
      this.enforceOutputLimits()
    }
    // Out of input: memcached sends its replies here, and lets go of what mg held.
    this.letGo()
    this.batch = 0
    this.batchLimit = REQUESTS_PER_EVENT + 1
  }

  /** Ends mg's references (Session.held). Set.clear allocates a new table even when empty, hence the check. */
  private letGo(): void {
    if (this.held.size !== 0) this.held.clear()
  }

  /** Takes what the current data block still needs; runs its command once complete. */
  private fillBlock(data: Buffer, pos: number, end: number): number {
    const need = this.blockNeed
    if (this.blockFilled === 0 && end - pos >= need) {
      // The whole block is here: the command reads it in place (it copies what it keeps).
      this.finishBlock(data, pos)
      return pos + need
    }
    if (this.block === null) this.block = Buffer.allocUnsafe(need)
    const n = Math.min(need - this.blockFilled, end - pos)
    data.copy(this.block, this.blockFilled, pos, pos + n)
    this.blockFilled += n
    if (this.blockFilled === need) this.finishBlock(this.block, 0)
    return pos + n
  }

  private finishBlock(input: Buffer, at: number): void {
    this.awaitingData = false
    this.block = null
    this.blockFilled = 0
    dataArrived(this, input, at)
    this.enforceOutputLimits()
  }

  /**
   * An unfinished line waits for more input, within bounds: past MAX_LINE bytes
   * memcached drops the connection unless the line is a get/gets, whose many keys may
   * be long (we cap those at MAX_GET_LINE).
   */
  private keepPartial(data: Buffer, pos: number, end: number): void {
    const length = end - pos
    if (length > MAX_LINE) {
      let p = pos
      while (p < end && data[p] === 32) p++
      const head = data.latin1Slice(p, Math.min(end, p + 5))
      const isGet = head.startsWith('get ') || head.startsWith('gets ')
      if (!isGet || p - pos > 100 || length > MAX_GET_LINE) {
        this.destroy()
        return
      }
    }
    this.partial = Buffer.from(data.subarray(pos, end))
  }

  private endSwallow(): void {
    const reply = this.swallowReply
    this.swallowReply = null
    if (reply !== null) this.out.line(reply)
  }

  // Session: what commands ask of the connection.

  expectData(): void {
    this.blockNeed = this.pending.length + 2
    this.blockFilled = 0
    this.block = null
    this.awaitingData = true
  }

  swallow(bytes: number, reply: string | null): void {
    this.swallowLeft = bytes
    this.swallowReply = reply
    if (bytes === 0) this.endSwallow()
  }

  quit(): void {
    this.output.closeAfterReply()
  }

  /**
   * Set while the AOF holds this connection's replies (aof.ts), as for a Redis client:
   * until the writes before them are in the file, and under appendfsync always on disk.
   */
  aofWaiting = false
  aofUpTo = 0

  /** Sends everything produced so far in one write, once the AOF has what it depends on. */
  flush(): void {
    if (this.closed) return
    if (this.out.pos === 0) {
      if (this.output.closing) this.output.closeWhenSent()
      return
    }
    const aof = this.front.server.aof
    if (aof !== null && aof.enabled && aof.holds(this)) return
    this.send()
  }

  /** The AOF has what this connection's held replies depend on: they go now. */
  releaseFromAof(): void {
    this.aofWaiting = false
    if (this.closed) return
    if (this.out.pos !== 0) this.send()
    else if (this.output.closing) this.output.closeWhenSent()
  }

  private send(): void {
    const length = this.out.pos
    this.front.counters.bytes_written += length
    this.front.server.stats.totalNetOutput += length
    this.output.send()
  }

  /** Reading resumed after the socket took its queued output; nothing else waits for that. */
  drained(): void {}

  /** client-output-buffer-limit's normal class, as for a Redis client. */
  private enforceOutputLimits(): void {
    const server = this.front.server
    if (!this.output.overLimit(server.outputLimits[ClientClass.Normal], server.clock)) return
    server.log('warning', `memcached client ${this.socket.remoteAddress}:${this.socket.remotePort} closed for overcoming of output buffer limits.`)
    this.output.abandon()
    server.flushSoon(this)
  }

  destroy(): void {
    if (this.closed) return
    this.closed = true
    this.socket.destroy()
  }

  onClose(): void {
    this.closed = true
    this.front.connections.delete(this.id)
  }
}
