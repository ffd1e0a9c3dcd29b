import { formatG } from '../../resp/format.js'
import { LuaError, LuaTable, LuaUserdata, typeName, type LuaResult, type LuaValue } from '../value.js'
import { argError, checkString } from './aux.js'

/**
 * lua-cjson 2.1.0 as Redis 7.0 bundles it. Numbers encode with %.14g (by default);
 * `/` is escaped; an empty table is an object; sparse arrays follow
 * encode_sparse_array (convert=false, ratio=2, safe=10). Decoding accepts what strtod
 * accepts where a number starts (hex, inf, nan, leading zeros, '+').
 */

/** The null sentinel: one identity for the process, as the C library's NULL pointer is. */
export const cjsonNull = new LuaUserdata('cjson.null')

interface Config {
  sparseConvert: boolean
  sparseRatio: number
  sparseSafe: number
  encodeMaxDepth: number
  decodeMaxDepth: number
  precision: number
  keepBuffer: boolean
  encodeInvalid: boolean | 'null'
  decodeInvalid: boolean | 'null'
}

const ESCAPES: string[] = []
for (let i = 0; i < 256; i++) {
  ESCAPES.push(i < 32 || i === 127 ? '\\u' + i.toString(16).padStart(4, '0') : String.fromCharCode(i))
}
ESCAPES[8] = '\\b'
ESCAPES[9] = '\\t'
ESCAPES[10] = '\\n'
ESCAPES[12] = '\\f'
ESCAPES[13] = '\\r'
ESCAPES[0x22] = '\\"'
ESCAPES[0x5c] = '\\\\'
ESCAPES[0x2f] = '\\/'

/** The index of the first character of s from `from` on that encoding escapes, or -1. */
function firstEscape(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 0x22 || c === 0x5c || c === 0x2f || c === 127) return i
  }
  return -1
}

/** s as a JSON string literal: most strings need no escape and are quoted whole. */
function escapeString(s: string): string {
  let i = firstEscape(s, 0)
  if (i < 0) return '"' + s + '"'
  let out = '"'
  let start = 0
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 0x22 || c === 0x5c || c === 0x2f || c === 127) {
      out += s.slice(start, i) + ESCAPES[c]
      start = i + 1
    }
  }
  return out + s.slice(start) + '"'
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i)

/**
 * %.<precision>g of a finite n. Where |n| is in [1e-4, 10^precision), JavaScript's
 * shortest round-trip form is fixed-point; when it has at most `precision` significant
 * digits it is also what printf prints: it lies within half an ulp of n, far inside
 * half a unit of the precision-th digit (for precision <= 15), so rounding n to that
 * many digits gives those digits, and %g drops the trailing zeros. Otherwise formatG.
 */
function formatNumber(n: number, precision: number): string {
  const a = n < 0 ? -n : n
  if (a >= 1e-4 && a < POWERS_OF_TEN[precision]) {
    const s = String(n)
    // Significant digits: all the digits but the leading zeros (of 0.000ddd).
    let i = n < 0 ? 1 : 0
    let digits = s.length - i
    if (a < 1) {
      i += 2 // "0."
      digits -= 2
      while (s.charCodeAt(i) === 0x30) {
        i++
        digits--
      }
    } else if (!Number.isInteger(n)) {
      digits-- // the point
    }
    if (digits <= precision) return s
  }
  return formatG(n, precision)
}

/** %.14g of numbers beyond int32 (the default precision), recently encoded. */
const G14 = new Map<number, string>()

/** A character that needs an escape, or one beyond latin1. */
const SPECIAL = /[\x00-\x1f"\\/\x7f\u0100-\uffff]/

/** 1 for the bytes a JSON string escapes. */
const NEEDS_ESCAPE = new Uint8Array(256)
for (let i = 0; i < 256; i++) NEEDS_ESCAPE[i] = ESCAPES[i].length > 1 ? 1 : 0

/** The output bytes of the encode in progress, reused (encoding runs no Lua, so never re-enters). */
let scratch = Buffer.allocUnsafe(8192)

class Encoder {
  private depth = 0
  private buf = scratch
  private pos = 0
  /** Output before buf's, once a string with a character beyond latin1 has been written. */
  private head = ''
  constructor(private readonly cfg: Config) {}

  result(): string {
    const s = this.head + this.buf.latin1Slice(0, this.pos)
    if (this.buf.length > 1 << 20) scratch = Buffer.allocUnsafe(8192)
    return s
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(bigger, 0, 0, this.pos)
    this.buf = scratch = bigger
  }

  private raw(s: string): void {
    const n = s.length
    this.room(n)
    const buf = this.buf
    let pos = this.pos
    for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i)
    this.pos = pos
  }

  /** A positive int32's decimal digits (what %.Ng prints for it when N >= 10). */
  private digits(n: number): void {
    if (this.cfg.precision < 10) {
      this.raw(this.number(n))
      return
    }
    let len = 1
    while (len < 10 && n >= POWERS_OF_TEN[len]) len++
    this.room(len)
    const buf = this.buf
    let pos = this.pos + len
    this.pos = pos
    do {
      buf[--pos] = 0x30 + (n % 10)
      n = (n / 10) | 0
    } while (n > 0)
  }

  private byte(c: number): void {
    this.room(1)
    this.buf[this.pos++] = c
  }

  private str(s: string): void {
    const n = s.length
    this.room(n * 6 + 2)
    const buf = this.buf
    const begin = this.pos
    let pos = begin
    buf[pos++] = 0x22
    if (n > 24 && !SPECIAL.test(s)) {
      // A long string with nothing to escape: copied natively.
      pos += buf.latin1Write(s, pos)
      buf[pos++] = 0x22
      this.pos = pos
      return
    }
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c > 0xff) {
        // Not a byte (no Lua string holds one, but a host value might): kept as it
        // is, in the string part of the output.
        this.head += buf.latin1Slice(0, begin) + escapeString(s)
        this.pos = 0
        return
      }
      if (NEEDS_ESCAPE[c] === 0) {
        buf[pos++] = c
      } else {
        const e = ESCAPES[c]
        for (let j = 0; j < e.length; j++) buf[pos++] = e.charCodeAt(j)
      }
    }
    buf[pos++] = 0x22
    this.pos = pos
  }

  number(n: number): string {
    if (n !== n || n === Infinity || n === -Infinity) {
      if (this.cfg.encodeInvalid === false) throw new LuaError('Cannot serialise number: must not be NaN or Inf')
      if (this.cfg.encodeInvalid === 'null') return 'null'
      return n !== n ? 'nan' : n > 0 ? 'inf' : '-inf'
    }
    if (n === 0) return Object.is(n, -0) ? '-0' : '0'
    const precision = this.cfg.precision
    if ((n | 0) === n || precision !== 14) return formatNumber(n, precision)
    // Other numbers format slowly enough (~100 ns) that a cache of the default
    // precision's results pays; emptied when full.
    let s = G14.get(n)
    if (s === undefined) {
      s = formatNumber(n, 14)
      if (G14.size >= 4096) G14.clear()
      G14.set(n, s)
    }
    return s
  }

  /**
   * The array length, or -1 when the table must be an object. Reads the table's parts
   * directly; the keys are those next() visits (the array part's non-nil slots, then
   * the hash part's non-nil entries).
   */
  private arrayLength(t: LuaTable): number {
    const arr = t.arr
    let max = 0
    let items = 0
    for (let i = 0; i < arr.length; i++) {
      if (arr[i] !== undefined) {
        max = i + 1
        items++
      }
    }
    const hash = t.hash
    if (hash !== null && hash.size > 0) {
      for (const [k, v] of hash) {
        if (v === undefined) continue
        if (typeof k !== 'number' || k < 1 || !Number.isInteger(k)) return -1
        if (k > max) max = k
        items++
      }
    }
    const cfg = this.cfg
    if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
      if (!cfg.sparseConvert) throw new LuaError('Cannot serialise table: excessively sparse array')
      return -1
    }
    return max
  }

  value(v: LuaValue): void {
    switch (typeof v) {
      case 'string': this.str(v); return
      case 'number':
        if ((v | 0) === v && v > 0) this.digits(v)
        else this.raw(this.number(v))
        return
      case 'boolean': this.raw(v ? 'true' : 'false'); return
      case 'undefined': this.raw('null'); return
    }
    if (v === cjsonNull) {
      this.raw('null')
      return
    }
    if (!(v instanceof LuaTable)) throw new LuaError(`Cannot serialise ${typeName(v)}: type not supported`)
    if (++this.depth > this.cfg.encodeMaxDepth) throw new LuaError(`Cannot serialise, excessive nesting (${this.depth})`)
    const n = this.arrayLength(v)
    if (n > 0) {
      this.byte(0x5b)
      const arr = v.arr
      for (let i = 1; i <= n; i++) {
        if (i > 1) this.byte(0x2c)
        this.value(i <= arr.length ? arr[i - 1] : v.get(i))
      }
      this.byte(0x5d)
    } else {
      this.byte(0x7b)
      let firstKey = true
      const arr = v.arr
      for (let i = 0; i < arr.length; i++) {
        const e = arr[i]
        if (e === undefined) continue
        if (!firstKey) this.byte(0x2c)
        firstKey = false
        this.raw('"' + this.number(i + 1) + '":')
        this.value(e)
      }
      const hash = v.hash
      if (hash !== null) {
        for (const [k, e] of hash) {
          if (e === undefined) continue
          if (!firstKey) this.byte(0x2c)
          firstKey = false
          if (typeof k === 'string') {
            this.str(k)
            this.byte(0x3a)
          } else if (typeof k === 'number') {
            this.raw('"' + this.number(k) + '":')
          } else {
            throw new LuaError(`Cannot serialise ${typeName(k)}: table key must be a number or string`)
          }
          this.value(e)
        }
      }
      this.byte(0x7d)
    }
    this.depth--
  }
}

const T = {
  OBJ_BEGIN: 'T_OBJ_BEGIN', OBJ_END: 'T_OBJ_END', ARR_BEGIN: 'T_ARR_BEGIN', ARR_END: 'T_ARR_END',
  STRING: 'T_STRING', NUMBER: 'T_NUMBER', BOOLEAN: 'T_BOOLEAN', NULL: 'T_NULL', COLON: 'T_COLON',
  COMMA: 'T_COMMA', END: 'T_END', ERROR: 'T_ERROR',
} as const

interface Token {
  type: string
  index: number
  value?: LuaValue
  /** For T_ERROR: what went wrong, shown in place of the token name. */
  error?: string
}

/** strtod's longest numeric prefix of s at i: decimal, hex (with fraction and p exponent), inf, nan. */
function strtodPrefix(s: string, i: number): [number, number] | null {
  const rest = s.slice(i, i + 400)
  let m = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?/.exec(rest)
  if (m !== null) {
    const t = m[0]
    const neg = t[0] === '-'
    const body = t.replace(/^[+-]?0[xX]/, '')
    const [mant, exp] = body.split(/[pP]/)
    const [ip, fp = ''] = mant.split('.')
    let v = 0
    for (const ch of ip + fp) v = v * 16 + parseInt(ch, 16)
    v = v * 2 ** (-4 * fp.length + (exp === undefined ? 0 : Number(exp)))
    return [neg ? -v : v, t.length]
  }
  m = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest)
  if (m !== null) return [Number(m[0].replace(/^\+/, '')), m[0].length]
  m = /^([+-]?)(?:(inf(?:inity)?)|nan(?:\([0-9a-zA-Z_]*\))?)/i.exec(rest)
  if (m !== null) return [m[2] !== undefined ? (m[1] === '-' ? -Infinity : Infinity) : NaN, m[0].length]
  return null
}

function isInvalidNumberStart(s: string, i: number): boolean {
  if (s[i] === '+') return true
  let p = i
  if (s[p] === '-') p++
  if (s[p] === '0') {
    const c2 = s[p + 1]
    return c2 === 'x' || c2 === 'X' || (c2 !== undefined && c2 >= '0' && c2 <= '9')
  }
  if (p < s.length && s.charCodeAt(p) <= 0x39) return false
  const three = s.slice(p, p + 3).toLowerCase()
  return three === 'inf' || three === 'nan'
}

class Decoder {
  private p = 0
  private depth = 0
  constructor(private readonly s: string, private readonly cfg: Config) {}

  private err(tok: Token, expected: string): never {
    throw new LuaError(`Expected ${expected} but found ${tok.type === T.ERROR ? tok.error : tok.type} at character ${tok.index + 1}`)
  }

  private next(): Token {
    const s = this.s
    while (this.p < s.length) {
      const c = s.charCodeAt(this.p)
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.p++
      else break
    }
    const index = this.p
    if (index >= s.length) return { type: T.END, index }
    const ch = s[index]
    switch (ch) {
      case '{': this.p++; return { type: T.OBJ_BEGIN, index }
      case '}': this.p++; return { type: T.OBJ_END, index }
      case '[': this.p++; return { type: T.ARR_BEGIN, index }
      case ']': this.p++; return { type: T.ARR_END, index }
      case ':': this.p++; return { type: T.COLON, index }
      case ',': this.p++; return { type: T.COMMA, index }
      case '"': return this.string(index)
      case '\0': return { type: T.END, index }
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      if (this.cfg.decodeInvalid === false && isInvalidNumberStart(s, index)) return { type: T.ERROR, index, error: 'invalid number' }
      return this.number(index)
    }
    if (s.startsWith('true', index)) { this.p += 4; return { type: T.BOOLEAN, index, value: true } }
    if (s.startsWith('false', index)) { this.p += 5; return { type: T.BOOLEAN, index, value: false } }
    if (s.startsWith('null', index)) { this.p += 4; return { type: T.NULL, index, value: cjsonNull } }
    if (this.cfg.decodeInvalid !== false && isInvalidNumberStart(s, index)) return this.number(index)
    return { type: T.ERROR, index, error: 'invalid token' }
  }

  private number(index: number): Token {
    const r = strtodPrefix(this.s, index)
    if (r === null) return { type: T.ERROR, index, error: 'invalid number' }
    this.p += r[1]
    return { type: T.NUMBER, index, value: r[0] }
  }

  private string(index: number): Token {
    const s = this.s
    let p = index + 1
    let out = ''
    let start = p
    for (;;) {
      if (p >= s.length || s.charCodeAt(p) === 0) {
        this.p = p
        return { type: T.ERROR, index: p, error: 'unexpected end of string' }
      }
      const ch = s[p]
      if (ch === '"') break
      if (ch !== '\\') {
        p++
        continue
      }
      out += s.slice(start, p)
      const e = s[p + 1]
      let rep: string | undefined
      switch (e) {
        case '"': case '\\': case '/': rep = e; break
        case 'b': rep = '\b'; break
        case 'f': rep = '\f'; break
        case 'n': rep = '\n'; break
        case 'r': rep = '\r'; break
        case 't': rep = '\t'; break
        case 'u': {
          const u = this.unicode(p)
          if (u === null) return { type: T.ERROR, index: p, error: 'invalid unicode escape code' }
          out += u[0]
          p += u[1]
          start = p
          continue
        }
      }
      if (rep === undefined) return { type: T.ERROR, index: p, error: 'invalid escape code' }
      out += rep
      p += 2
      start = p
    }
    out += s.slice(start, p)
    this.p = p + 1
    return { type: T.STRING, index, value: out }
  }

  /** A \uXXXX escape (or a surrogate pair) at p as UTF-8 bytes and the length consumed. */
  private unicode(p: number): [string, number] | null {
    const hex4 = (at: number): number => {
      const h = this.s.slice(at, at + 4)
      return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1
    }
    let cp = hex4(p + 2)
    let len = 6
    if (cp < 0) return null
    if (cp >= 0xdc00 && cp <= 0xdfff) return null
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (this.s[p + 6] !== '\\' || this.s[p + 7] !== 'u') return null
      const lo = hex4(p + 8)
      if (lo < 0xdc00 || lo > 0xdfff) return null
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00)
      len = 12
    }
    return [Buffer.from(String.fromCodePoint(cp), 'utf8').toString('latin1'), len]
  }

  private descend(tok: Token): void {
    if (++this.depth > this.cfg.decodeMaxDepth) {
      throw new LuaError(`Found too many nested data structures (${this.depth}) at character ${tok.index + 1}`)
    }
  }

  value(tok: Token): LuaValue {
    switch (tok.type) {
      case T.STRING: case T.NUMBER: case T.BOOLEAN: case T.NULL:
        return tok.value
      case T.OBJ_BEGIN: return this.object(tok)
      case T.ARR_BEGIN: return this.array(tok)
      default: return this.err(tok, 'value')
    }
  }

  private object(open: Token): LuaTable {
    this.descend(open)
    const t = new LuaTable()
    let tok = this.next()
    if (tok.type === T.OBJ_END) {
      this.depth--
      return t
    }
    for (;;) {
      if (tok.type !== T.STRING) this.err(tok, 'object key string')
      const key = tok.value
      tok = this.next()
      if (tok.type !== T.COLON) this.err(tok, 'colon')
      t.set(key, this.value(this.next()))
      tok = this.next()
      if (tok.type === T.OBJ_END) break
      if (tok.type !== T.COMMA) this.err(tok, 'comma or object end')
      tok = this.next()
    }
    this.depth--
    return t
  }

  private array(open: Token): LuaTable {
    this.descend(open)
    const t = new LuaTable()
    let tok = this.next()
    if (tok.type === T.ARR_END) {
      this.depth--
      return t
    }
    for (let i = 1; ; i++) {
      t.set(i, this.value(tok))
      tok = this.next()
      if (tok.type === T.ARR_END) break
      if (tok.type !== T.COMMA) this.err(tok, 'comma or array end')
      tok = this.next()
    }
    this.depth--
    return t
  }

  document(): LuaValue {
    const v = this.value(this.next())
    const tok = this.next()
    if (tok.type !== T.END) this.err(tok, 'the end')
    return v
  }
}

/** 10^0 to 10^22: the powers of ten a double holds exactly. */
const POWERS_OF_TEN_22 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`))

/** Thrown by FastDecoder where it leaves a document to Decoder. */
const BAIL = Symbol('bail')

/** 0-15 for a hex digit's code, -1 otherwise. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  c |= 0x20
  return c >= 0x61 && c <= 0x66 ? c - 0x57 : -1
}

/** A code point as its UTF-8 bytes, one character per byte. */
function utf8(cp: number): string {
  if (cp < 0x80) return String.fromCharCode(cp)
  if (cp < 0x800) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f))
  if (cp < 0x10000) return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f))
  return String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f))
}

/**
 * The decoder for the common case: one pass over the string's character codes that
 * builds the values directly. It reads well-formed JSON within the depth limit,
 * numbers in JSON's own syntax included; on anything else (an error, a number only
 * strtod reads such as 0x10, 1. or inf, trailing NUL) it throws BAIL, and the document
 * is decoded again by Decoder, which gives lua-cjson's exact result or error.
 */
class FastDecoder {
  private p = 0
  private depth = 0
  constructor(private readonly s: string, private readonly maxDepth: number) {}

  /** The code of the next character after white space (NaN at the end). */
  private skip(): number {
    const s = this.s
    let p = this.p
    let c = s.charCodeAt(p)
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++p)
    this.p = p
    return c
  }

  private value(c: number): LuaValue {
    const s = this.s
    switch (c) {
      case 0x22: return this.string()
      case 0x7b: return this.object()
      case 0x5b: return this.array()
      case 0x74:
        if (s.startsWith('true', this.p)) {
          this.p += 4
          return true
        }
        throw BAIL
      case 0x66:
        if (s.startsWith('false', this.p)) {
          this.p += 5
          return false
        }
        throw BAIL
      case 0x6e:
        if (s.startsWith('null', this.p)) {
          this.p += 4
          return cjsonNull
        }
        throw BAIL
    }
    return this.number(c)
  }

  /**
   * -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? not followed by what strtod would read on.
   * With at most 15 digits and a power of ten within 10^22 both are exact doubles, and
   * one multiplication or division rounds correctly, as strtod does; otherwise Number()
   * (also correctly rounded) reads the text.
   */
  private number(c: number): number {
    const s = this.s
    const start = this.p
    let p = start
    const neg = c === 0x2d
    if (neg) c = s.charCodeAt(++p)
    let m = 0
    let digits = 0
    if (c === 0x30) {
      c = s.charCodeAt(++p)
    } else if (c >= 0x31 && c <= 0x39) {
      do {
        m = m * 10 + (c - 0x30)
        digits++
        c = s.charCodeAt(++p)
      } while (c >= 0x30 && c <= 0x39)
    } else {
      throw BAIL
    }
    let scale = 0
    if (c === 0x2e) {
      c = s.charCodeAt(++p)
      if (!(c >= 0x30 && c <= 0x39)) throw BAIL
      do {
        m = m * 10 + (c - 0x30)
        digits++
        scale--
        c = s.charCodeAt(++p)
      } while (c >= 0x30 && c <= 0x39)
    }
    if (c === 0x65 || c === 0x45) {
      c = s.charCodeAt(++p)
      let expNeg = false
      if (c === 0x2b || c === 0x2d) {
        expNeg = c === 0x2d
        c = s.charCodeAt(++p)
      }
      if (!(c >= 0x30 && c <= 0x39)) throw BAIL
      let e = 0
      do {
        if (e < 100000) e = e * 10 + (c - 0x30)
        c = s.charCodeAt(++p)
      } while (c >= 0x30 && c <= 0x39)
      scale += expNeg ? -e : e
    }
    // Leading zeros, hex, a second point or exponent: strtod's business.
    if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x78 || c === 0x58 || (c >= 0x30 && c <= 0x39)) throw BAIL
    this.p = p
    if (digits <= 15 && scale >= -22 && scale <= 22) {
      const v = scale === 0 ? m : scale > 0 ? m * POWERS_OF_TEN_22[scale] : m / POWERS_OF_TEN_22[-scale]
      return neg ? -v : v
    }
    return Number(s.slice(start, p))
  }

  private string(): string {
    const s = this.s
    const start = this.p + 1
    let p = start
    let c = s.charCodeAt(p)
    // Past the characters that stand for themselves (the end gives NaN, which stops it).
    while ((c > 0x22 && c !== 0x5c) || (c > 0 && c < 0x22)) c = s.charCodeAt(++p)
    if (c === 0x22) {
      this.p = p + 1
      return s.slice(start, p)
    }
    // Escapes: pieces between them, and what each stands for.
    let out = s.slice(start, p)
    let from = p
    for (;;) {
      const c = s.charCodeAt(p)
      if (c === 0x22) break
      if (c !== 0x5c) {
        if (c === 0 || c !== c) throw BAIL
        p++
        continue
      }
      out += s.slice(from, p)
      switch (s.charCodeAt(p + 1)) {
        case 0x22: out += '"'; break
        case 0x5c: out += '\\'; break
        case 0x2f: out += '/'; break
        case 0x62: out += '\b'; break
        case 0x66: out += '\f'; break
        case 0x6e: out += '\n'; break
        case 0x72: out += '\r'; break
        case 0x74: out += '\t'; break
        case 0x75: {
          let cp = this.hex4(p + 2)
          if (cp >= 0xdc00 && cp <= 0xdfff) throw BAIL
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (s.charCodeAt(p + 6) !== 0x5c || s.charCodeAt(p + 7) !== 0x75) throw BAIL
            const lo = this.hex4(p + 8)
            if (lo < 0xdc00 || lo > 0xdfff) throw BAIL
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00)
            p += 6
          }
          out += utf8(cp)
          p += 4
          break
        }
        default: throw BAIL
      }
      p += 2
      from = p
    }
    this.p = p + 1
    return out + s.slice(from, p)
  }

  /** The four hex digits at p as a number (BAIL unless there are four). */
  private hex4(p: number): number {
    const s = this.s
    const a = hexDigit(s.charCodeAt(p))
    const b = hexDigit(s.charCodeAt(p + 1))
    const c = hexDigit(s.charCodeAt(p + 2))
    const d = hexDigit(s.charCodeAt(p + 3))
    if ((a | b | c | d) < 0) throw BAIL
    return (a << 12) | (b << 8) | (c << 4) | d
  }

  private object(): LuaTable {
    if (++this.depth > this.maxDepth) throw BAIL
    this.p++
    const t = new LuaTable()
    let c = this.skip()
    if (c === 0x7d) {
      this.p++
      this.depth--
      return t
    }
    const hash = new Map<LuaValue, LuaValue>()
    t.hash = hash
    for (;;) {
      if (c !== 0x22) throw BAIL
      const key = this.string()
      if (this.skip() !== 0x3a) throw BAIL
      this.p++
      hash.set(key, this.value(this.skip()))
      c = this.skip()
      this.p++
      if (c === 0x7d) break
      if (c !== 0x2c) throw BAIL
      c = this.skip()
    }
    // The node vector PUC Lua would have grown to by inserting these keys one by one
    // (value.ts keeps its size so that later rehashes happen where Lua's do).
    t.hcap = 1 << Math.ceil(Math.log2(hash.size))
    this.depth--
    return t
  }

  private array(): LuaTable {
    if (++this.depth > this.maxDepth) throw BAIL
    this.p++
    const items: LuaValue[] = []
    let c = this.skip()
    if (c === 0x5d) {
      this.p++
    } else {
      for (;;) {
        items.push(this.value(c))
        c = this.skip()
        this.p++
        if (c === 0x5d) break
        if (c !== 0x2c) throw BAIL
        c = this.skip()
      }
    }
    this.depth--
    return LuaTable.fromArray(items)
  }

  document(): LuaValue {
    const v = this.value(this.skip())
    this.skip()
    if (this.p !== this.s.length) throw BAIL
    return v
  }
}

function intOption(fname: string, n: number, v: LuaValue, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  const x = typeof v === 'number' ? v : Number.NaN
  if (!(x >= min && x <= max) || !Number.isInteger(x)) argError(fname, n, `expected integer between ${min} and ${max}`)
  return x
}

function enumOption(fname: string, n: number, v: LuaValue, allowNull: boolean): boolean | 'null' | undefined {
  if (v === undefined) return undefined
  if (typeof v === 'boolean') return v
  if (v === 'on') return true
  if (v === 'off') return false
  if (allowNull && v === 'null') return 'null'
  return argError(fname, n, `invalid option '${checkString(fname, n, v)}'`)
}

export function createCjson(): LuaTable {
  const cfg: Config = {
    sparseConvert: false, sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
    precision: 14, keepBuffer: true, encodeInvalid: false, decodeInvalid: true,
  }
  const t = new LuaTable()
  t.set('_NAME', 'cjson')
  t.set('_VERSION', '2.1.0')
  t.set('null', cjsonNull)
  t.set('encode', (...args: LuaValue[]) => {
    if (args.length !== 1) argError('encode', 1, 'expected 1 argument')
    const enc = new Encoder(cfg)
    enc.value(args[0])
    return enc.result()
  })
  t.set('decode', (...args: LuaValue[]) => {
    if (args.length !== 1) argError('decode', 1, 'expected 1 argument')
    const s = checkString('decode', 1, args[0])
    // lua-cjson's guess at UTF-16/32: a NUL among the first two bytes.
    if (s.length >= 2 && (s.charCodeAt(0) === 0 || s.charCodeAt(1) === 0)) throw new LuaError('JSON parser does not support UTF-16 or UTF-32')
    try {
      return new FastDecoder(s, cfg.decodeMaxDepth).document()
    } catch (e) {
      if (e !== BAIL) throw e
    }
    return new Decoder(s, cfg).document()
  })
  const enumResult = (v: boolean | 'null'): LuaValue => v
  t.set('encode_sparse_array', (c: LuaValue, r: LuaValue, s: LuaValue): LuaResult => {
    const conv = enumOption('encode_sparse_array', 1, c, false)
    if (conv !== undefined) cfg.sparseConvert = conv === true
    cfg.sparseRatio = intOption('encode_sparse_array', 2, r, 0, 2147483647) ?? cfg.sparseRatio
    cfg.sparseSafe = intOption('encode_sparse_array', 3, s, 0, 2147483647) ?? cfg.sparseSafe
    return [cfg.sparseConvert, cfg.sparseRatio, cfg.sparseSafe]
  })
  t.set('encode_max_depth', (v: LuaValue) => (cfg.encodeMaxDepth = intOption('encode_max_depth', 1, v, 1, 2147483647) ?? cfg.encodeMaxDepth))
  t.set('decode_max_depth', (v: LuaValue) => (cfg.decodeMaxDepth = intOption('decode_max_depth', 1, v, 1, 2147483647) ?? cfg.decodeMaxDepth))
  t.set('encode_number_precision', (v: LuaValue) => (cfg.precision = intOption('encode_number_precision', 1, v, 1, 14) ?? cfg.precision))
  t.set('encode_keep_buffer', (v: LuaValue) => {
    const o = enumOption('encode_keep_buffer', 1, v, false)
    if (o !== undefined) cfg.keepBuffer = o === true
    return cfg.keepBuffer
  })
  t.set('encode_invalid_numbers', (v: LuaValue) => enumResult((cfg.encodeInvalid = enumOption('encode_invalid_numbers', 1, v, true) ?? cfg.encodeInvalid)))
  t.set('decode_invalid_numbers', (v: LuaValue) => enumResult((cfg.decodeInvalid = enumOption('decode_invalid_numbers', 1, v, false) ?? cfg.decodeInvalid)))
  t.set('new', () => createCjson())
  return t
}
