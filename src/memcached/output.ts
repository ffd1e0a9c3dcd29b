/** Up to this length text is copied byte by byte rather than by latin1Write. */
const SHORT_TEXT = 64

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
    this.put(s)
    const buf = this.buf
    buf[this.pos++] = 13
    buf[this.pos++] = 10
  }

  /** Latin1 text as is (a value held as a JS string). */
  text(s: string): void {
    this.ensure(s.length)
    this.put(s)
  }

  /**
   * Short text (the STORED, END and VALUE lines) is copied in JS: latin1Write is a
   * call into C++ whose fixed cost is more than the copy.
   */
  private put(s: string): void {
    const n = s.length
    const buf = this.buf
    if (n <= SHORT_TEXT) {
      let pos = this.pos
      for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i)
      this.pos = pos
    } else {
      this.pos += buf.latin1Write(s, this.pos)
    }
  }

  truncate(mark: number): void {
    this.pos = mark
  }

  /** The bytes to send; follow with reuse() when the write completed, detach() when queued. */
  take(): Buffer {
    return this.buf.subarray(0, this.pos)
  }

  part(from: number, to: number): Buffer {
    return this.buf.subarray(from, to)
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
