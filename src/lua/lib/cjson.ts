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

function escapeString(s: string): string {
  let out = '"'
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 0x22 || c === 0x5c || c === 0x2f || c === 127) {
      out += s.slice(start, i) + ESCAPES[c]
      start = i + 1
    }
  }
  return out + s.slice(start) + '"'
}

class Encoder {
  private depth = 0
  constructor(private readonly cfg: Config) {}

  number(n: number): string {
    if (n !== n || n === Infinity || n === -Infinity) {
      if (this.cfg.encodeInvalid === false) throw new LuaError('Cannot serialise number: must not be NaN or Inf')
      if (this.cfg.encodeInvalid === 'null') return 'null'
      return n !== n ? 'nan' : n > 0 ? 'inf' : '-inf'
    }
    return formatG(n, this.cfg.precision)
  }

  /** The array length, or -1 when the table must be an object. */
  private arrayLength(t: LuaTable): number {
    let max = 0
    let items = 0
    for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
      const k = e[0]
      if (typeof k !== 'number' || k < 1 || !Number.isInteger(k)) return -1
      if (k > max) max = k
      items++
    }
    const cfg = this.cfg
    if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
      if (!cfg.sparseConvert) throw new LuaError('Cannot serialise table: excessively sparse array')
      return -1
    }
    return max
  }

  value(v: LuaValue, out: string[]): void {
    switch (typeof v) {
      case 'string': out.push(escapeString(v)); return
      case 'number': out.push(this.number(v)); return
      case 'boolean': out.push(v ? 'true' : 'false'); return
      case 'undefined': out.push('null'); return
    }
    if (v === cjsonNull) {
      out.push('null')
      return
    }
    if (!(v instanceof LuaTable)) throw new LuaError(`Cannot serialise ${typeName(v)}: type not supported`)
    if (++this.depth > this.cfg.encodeMaxDepth) throw new LuaError(`Cannot serialise, excessive nesting (${this.depth})`)
    const n = this.arrayLength(v)
    if (n > 0) {
      out.push('[')
      for (let i = 1; i <= n; i++) {
        if (i > 1) out.push(',')
        this.value(v.get(i), out)
      }
      out.push(']')
    } else {
      out.push('{')
      let firstKey = true
      for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) {
        if (!firstKey) out.push(',')
        firstKey = false
        const k = e[0]
        if (typeof k === 'string') out.push(escapeString(k), ':')
        else if (typeof k === 'number') out.push('"', this.number(k), '":')
        else throw new LuaError(`Cannot serialise ${typeName(k)}: table key must be a number or string`)
        this.value(e[1], out)
      }
      out.push('}')
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
    const out: string[] = []
    new Encoder(cfg).value(args[0], out)
    return out.join('')
  })
  t.set('decode', (...args: LuaValue[]) => {
    if (args.length !== 1) argError('decode', 1, 'expected 1 argument')
    const s = checkString('decode', 1, args[0])
    // lua-cjson's guess at UTF-16/32: a NUL among the first two bytes.
    if (s.length >= 2 && (s.charCodeAt(0) === 0 || s.charCodeAt(1) === 0)) throw new LuaError('JSON parser does not support UTF-16 or UTF-32')
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
