/**
 * A connection's pending replies: latin1 text and value bytes appended into one
 * growing buffer, sent in a single write per read (connection.ts), as the Redis
 * port's ReplyWriter is.
 */
export class Output {
  buf: Buffer
  pos = 0

  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size)
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  /** A line of latin1 text, with its \r\n. */
  line(s: string): void {
    this.ensure(s.length + 2)
    const buf = this.buf
    this.pos += buf.latin1Write(s, this.pos)
    buf[this.pos++] = 13
    buf[this.pos++] = 10
  }

  /** Latin1 text as is (a value held as a JS string). */
  text(s: string): void {
    this.ensure(s.length)
    this.pos += this.buf.latin1Write(s, this.pos)
  }

  truncate(mark: number): void {
    this.pos = mark
  }

  /** The bytes to send; follow with reuse() when the write completed, detach() when queued. */
  take(): Buffer {
    return this.buf.subarray(0, this.pos)
  }

  reuse(): void {
    this.pos = 0
  }

  /** The buffer now belongs to a queued write: start a fresh one. */
  detach(): void {
    this.buf = Buffer.allocUnsafe(Math.min(this.buf.length, 16 * 1024))
    this.pos = 0
  }
}
