import { FastIo, WriteResult, type ClientSocket, type RawReader, type RawWriter } from './fast-io.js'
import { outputLimitReached, type OutputLimit } from './output-limits.js'

/** Pause reading from a connection whose unsent replies pass this many bytes. */
const OUTPUT_HIGH_WATER = 4 * 1024 * 1024

/** A connection's reply buffer as its write side uses it (ReplyWriter, memcached's Output). */
export interface OutputBuffer {
  readonly pos: number
  /** The bytes to send; follow with reuse() when the write completed, detach() when queued. */
  take(): Uint8Array
  /** Bytes from..to of the pending replies, for a write of part of them (sendHead). */
  part(from: number, to: number): Uint8Array
  reuse(): void
  detach(): void
  truncate(mark: number): void
}

/** What the write side needs of the connection it writes for. */
export interface OutputOwner {
  readonly closed: boolean
  /** Set while the AOF holds the connection's replies (aof.ts): a close waits for them. */
  readonly aofWaiting: boolean
  destroy(): void
  /** The socket took what was queued after pushing back: reading has resumed. */
  drained(): void
}

/**
 * The write side of a connection, the same for a Redis client (client.ts) and a
 * memcached connection (memcached/connection.ts): one write of the pending replies
 * per flush, by direct handle I/O (fast-io.ts) or through the socket's stream; reading
 * paused while too much is queued in the kernel's stead; closing once everything is
 * sent (QUIT), or at once with the output dropped (past an output buffer limit).
 */
export class ConnectionOutput implements RawWriter {
  /** Direct handle I/O (see fast-io.ts), or null to go through the socket's streams. */
  readonly io: FastIo | null
  /** Bytes handed to the kernel asynchronously and not yet confirmed written. */
  pendingOutput = 0
  /** Writes behind those bytes (CLIENT LIST oll). */
  pendingWrites = 0
  /** When queued output reached the soft output buffer limit (unix seconds; 0 = below it). */
  softLimitSince = 0
  /** Send what is pending, then close (QUIT, protocol errors, an output limit). */
  closing = false
  /** Past an output buffer limit: queued output is dropped and the socket closed, not flushed. */
  dropOutput = false
  writePaused = false
  /** Pending bytes already written ahead of the rest by sendHead; 0 otherwise. */
  private headSent = 0
  /** Whether that write was queued in libuv, which then holds the buffer. */
  private headQueued = false

  constructor(
    readonly socket: ClientSocket,
    reader: RawReader,
    private readonly out: OutputBuffer,
    private readonly owner: OutputOwner,
  ) {
    this.io = FastIo.attach(socket, reader)
  }

  /** Output waiting: not yet written, or written but not taken by the kernel. */
  get queued(): number {
    return this.out.pos + (this.io !== null ? this.pendingOutput : this.socket.writableLength)
  }

  onRawWriteDone(bytes: number, status: number): void {
    this.pendingOutput -= bytes
    this.pendingWrites--
    if (status < 0 || (this.closing && this.pendingOutput === 0)) {
      this.owner.destroy()
      return
    }
    if (this.writePaused && this.pendingOutput === 0) this.onDrain()
  }

  /**
   * Writes the first `limit` pending bytes now and leaves the rest to the next send(),
   * when there are more than that; returns whether it did. See Server.flushEach.
   */
  sendHead(limit: number): boolean {
    const io = this.io
    if (io === null || this.out.pos <= limit || this.headSent !== 0 || this.closing) return false
    const result = io.write(this.out.part(0, limit), this)
    if (result === WriteResult.Failed) {
      this.owner.destroy()
      return false
    }
    this.headSent = limit
    if (result === WriteResult.Queued) {
      this.headQueued = true
      this.noteQueued(limit)
    }
    return true
  }

  /** A write libuv queued: counted until done, and reading paused past the high-water mark. */
  private noteQueued(length: number): void {
    this.pendingOutput += length
    this.pendingWrites++
    if (this.pendingOutput > OUTPUT_HIGH_WATER && !this.writePaused && !this.closing) {
      this.writePaused = true
      this.socket.pause()
    }
  }

  /** Writes the pending replies to the socket, at once or queued. */
  send(): void {
    const out = this.out
    const socket = this.socket
    const io = this.io
    if (io !== null) {
      const from = this.headSent
      const length = out.pos - from
      const result = io.write(from === 0 ? out.take() : out.part(from, out.pos), this)
      const headQueued = this.headQueued
      this.headSent = 0
      this.headQueued = false
      if (result === WriteResult.Done) {
        if (headQueued) out.detach()
        else out.reuse()
      } else if (result === WriteResult.Queued) {
        out.detach()
        this.noteQueued(length)
      } else {
        this.owner.destroy()
        return
      }
      if (this.closing) this.closeWhenSent()
      return
    }
    const ok = socket.write(out.take())
    // A write that completed synchronously has copied our bytes to the kernel, so the
    // buffer can be reused; otherwise the socket still references it.
    if (socket.writableLength === 0) out.reuse()
    else out.detach()
    if (this.closing) {
      this.closeWhenSent()
      return
    }
    if (!ok && socket.writableLength > OUTPUT_HIGH_WATER && !this.writePaused) {
      this.writePaused = true
      socket.pause()
      socket.once('drain', this.onDrain)
    }
  }

  private readonly onDrain = (): void => {
    this.writePaused = false
    if (this.owner.closed) return
    this.socket.resume()
    this.owner.drained()
  }

  /** Stop reading; what is pending still goes out, then the connection closes. */
  closeAfterReply(): void {
    this.closing = true
    this.socket.pause()
  }

  /** Closes once every reply is written; queued direct writes finish in onRawWriteDone. */
  closeWhenSent(): void {
    // Replies the AOF holds go first; the owner's releaseFromAof comes back here.
    if (this.owner.aofWaiting && !this.dropOutput) return
    if (this.dropOutput) this.owner.destroy()
    else if (this.io === null) this.socket.destroySoon()
    else if (this.pendingOutput === 0) this.owner.destroy()
  }

  /**
   * client-output-buffer-limit, checked whenever output is added: whether `limit` is
   * now broken (clock in ms, Server.clock). Then the owner logs it and calls abandon().
   */
  overLimit(limit: OutputLimit, clock: number): boolean {
    const used = this.queued
    if (used < limit.floor) {
      this.softLimitSince = 0
      return false
    }
    return !this.closing && outputLimitReached(limit, used, Math.floor(clock / 1000), this)
  }

  /**
   * As Redis's freeClientAsync: queued output is dropped, nothing more is read or
   * queued (closing), and the owner is flushed once the current batch of work is done.
   */
  abandon(): void {
    this.closing = true
    this.dropOutput = true
    this.out.truncate(0)
    this.socket.pause()
  }
}
