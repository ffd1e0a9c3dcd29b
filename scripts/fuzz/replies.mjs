/**
 * Reads what a server sends back: RESP2 and RESP3 replies, whole, from a byte stream
 * that arrives in arbitrary chunks. A reply it cannot parse is a finding in itself (a
 * server that writes broken RESP desynchronises every client), so it throws
 * MalformedReply rather than guessing.
 */

export class MalformedReply extends Error {}

/** An error reply (`-` or `!`), kept apart from strings so callers can count it. */
export class ErrorReply {
  constructor(message) {
    this.message = message
  }
}

const INCOMPLETE = Symbol('incomplete')
const CR = 13

export class ReplyReader {
  buf = Buffer.alloc(0)
  pos = 0

  /** Appends bytes and returns every reply they complete. */
  feed(chunk) {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk
    this.pos = 0
    const replies = []
    for (;;) {
      const start = this.pos
      const value = this.value()
      if (value === INCOMPLETE) {
        this.pos = start
        return replies
      }
      replies.push(value)
    }
  }

  /** The line after a type byte, without CRLF, or INCOMPLETE. */
  line() {
    const lf = this.buf.indexOf(10, this.pos)
    if (lf < 0) return INCOMPLETE
    if (lf === this.pos || this.buf[lf - 1] !== CR) throw new MalformedReply(`line without CRLF at byte ${this.pos}`)
    const s = this.buf.latin1Slice(this.pos, lf - 1)
    this.pos = lf + 1
    return s
  }

  length(s) {
    if (!/^(-1|0|[1-9]\d*)$/.test(s)) throw new MalformedReply(`bad length ${JSON.stringify(s)}`)
    return Number(s)
  }

  blob(n) {
    if (this.buf.length - this.pos < n + 2) return INCOMPLETE
    if (this.buf[this.pos + n] !== CR || this.buf[this.pos + n + 1] !== 10) throw new MalformedReply('blob not followed by CRLF')
    const s = this.buf.latin1Slice(this.pos, this.pos + n)
    this.pos += n + 2
    return s
  }

  value() {
    if (this.pos >= this.buf.length) return INCOMPLETE
    const type = String.fromCharCode(this.buf[this.pos++])
    const line = this.line()
    if (line === INCOMPLETE) return INCOMPLETE
    switch (type) {
      case '+':
        return line
      case '-':
        return new ErrorReply(line)
      case ':':
      case '(':
        if (!/^-?\d+$/.test(line)) throw new MalformedReply(`bad integer ${JSON.stringify(line)}`)
        return type === ':' ? Number(line) : BigInt(line)
      case ',':
        if (!/^(-?inf|nan|-?\d+(\.\d+)?([eE][-+]?\d+)?)$/.test(line)) throw new MalformedReply(`bad double ${JSON.stringify(line)}`)
        return Number(line.replace('inf', 'Infinity'))
      case '#':
        if (line !== 't' && line !== 'f') throw new MalformedReply(`bad boolean ${JSON.stringify(line)}`)
        return line === 't'
      case '_':
        if (line !== '') throw new MalformedReply('null with a payload')
        return null
      case '$':
      case '=':
      case '!': {
        const n = this.length(line)
        if (n === -1) {
          if (type !== '$') throw new MalformedReply(`${type}-1`)
          return null
        }
        const s = this.blob(n)
        if (s === INCOMPLETE) return INCOMPLETE
        return type === '!' ? new ErrorReply(s) : s
      }
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        const n = this.length(line)
        if (n === -1) {
          if (type !== '*') throw new MalformedReply(`${type}-1`)
          return null
        }
        const count = type === '%' || type === '|' ? n * 2 : n
        const items = []
        for (let i = 0; i < count; i++) {
          const v = this.value()
          if (v === INCOMPLETE) return INCOMPLETE
          items.push(v)
        }
        // An attribute annotates the reply that follows it, which is the real one.
        return type === '|' ? this.value() : items
      }
      default:
        throw new MalformedReply(`unknown reply type ${JSON.stringify(type)} at byte ${this.pos - 1}`)
    }
  }
}
