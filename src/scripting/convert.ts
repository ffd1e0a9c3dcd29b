import { formatG } from '../resp/format.js'
import type { ReplyWriter } from '../resp/writer.js'
import { LuaTable, type LuaValue } from '../lua/value.js'

/**
 * The two conversions between the server and a script, as Redis 7.0 makes them.
 *
 * A command run by redis.call writes its reply into the script caller's writer, as it
 * would for a socket; `replyToLua` reads those bytes back as Lua values. Redis does
 * the same (its script client has a reply buffer that it parses), and it keeps one
 * path for every command: a handler never knows it runs for a script.
 *
 * `luaToReply` writes a script's result to the client that ran it.
 */

// ---- reply bytes → Lua -------------------------------------------------------

let pos = 0

/** The reply in buf[start, end), one complete value, as Lua sees it. */
export function replyToLua(buf: Buffer, start: number): LuaValue {
  pos = start
  return readValue(buf)
}

/** The line of an error reply starting at buf[start], dash included. */
export function errorLine(buf: Buffer, start: number): string {
  return buf.latin1Slice(start, buf.indexOf(13, start))
}

function readLine(buf: Buffer): string {
  const eol = buf.indexOf(13, pos)
  const s = buf.latin1Slice(pos, eol)
  pos = eol + 2
  return s
}

/** An integer header or value: digits after the type byte, up to CRLF. */
function readInt(buf: Buffer): number {
  let n = 0
  let neg = false
  let c = buf[pos]
  if (c === 45) {
    neg = true
    c = buf[++pos]
  }
  while (c !== 13) {
    n = n * 10 + (c - 48)
    c = buf[++pos]
  }
  pos += 2
  return neg ? -n : n
}

function field(name: string, value: LuaValue): LuaTable {
  const t = new LuaTable()
  t.set(name, value)
  return t
}

function readValue(buf: Buffer): LuaValue {
  const type = buf[pos++]
  switch (type) {
    case 0x3a: // ':'
      return readInt(buf)
    case 0x24: { // '$'
      if (buf[pos] === 45) {
        pos += 4 // -1\r\n
        return false
      }
      const len = readInt(buf)
      const s = buf.latin1Slice(pos, pos + len)
      pos += len + 2
      return s
    }
    case 0x2b: // '+'
      return field('ok', readLine(buf))
    case 0x2d: // '-'
      return field('err', readLine(buf))
    case 0x2a: // '*'
    case 0x7e: // '~'
    case 0x25: { // '%'
      if (buf[pos] === 45) {
        pos += 4
        return false
      }
      const n = readInt(buf)
      const t = new LuaTable()
      if (type === 0x2a) {
        for (let i = 1; i <= n; i++) t.set(i, readValue(buf))
        return t
      }
      for (let i = 0; i < n; i++) {
        const k = readValue(buf)
        t.set(k, type === 0x25 ? readValue(buf) : true)
      }
      return field(type === 0x25 ? 'map' : 'set', t)
    }
    case 0x5f: // '_'
      pos += 2
      return undefined
    case 0x23: { // '#'
      const b = buf[pos] === 0x74
      pos += 3
      return b
    }
    case 0x2c: // ','
      return field('double', Number(readLine(buf).replace(/^(-?)inf$/, '$1Infinity')))
    case 0x28: // '('
      return field('big_number', readLine(buf))
    case 0x3d: { // '='
      const len = readInt(buf)
      const format = buf.latin1Slice(pos, pos + 3)
      const text = buf.latin1Slice(pos + 4, pos + len)
      pos += len + 2
      const t = new LuaTable()
      t.set('format', format)
      t.set('string', text)
      return field('verbatim_string', t)
    }
    default:
      throw new Error(`unexpected reply type byte ${type} in a script's command reply`)
  }
}

// ---- Lua → reply --------------------------------------------------------------

/** How deep a returned table may nest: Redis runs out of Lua stack about there. */
const MAX_DEPTH = 1000

const INT64_MIN = -9223372036854775808n
const TWO_63 = 2 ** 63

/**
 * A Lua number as Redis replies it: C's (long long) cast, which truncates towards zero
 * and, on x86-64, gives INT64_MIN for NaN, the infinities and anything out of range.
 * Beyond 2^53 the double's exact integer value, as a bigint.
 */
export function luaNumberToInteger(v: number): number | bigint {
  if (!(v >= -TWO_63 && v < TWO_63)) return INT64_MIN
  const t = Math.trunc(v)
  if (Number.isSafeInteger(t)) return t || 0
  return BigInt(t)
}

/**
 * A script's result as a reply. `scriptProto` is the protocol the script chose with
 * redis.setresp (2 unless it called it): as in Redis, it decides how booleans are
 * given, while the client's own protocol decides everything else.
 */
export function luaToReply(out: ReplyWriter, v: LuaValue, scriptProto: number = 2, depth = 0): void {
  switch (typeof v) {
    case 'string':
      out.bulk(v)
      return
    case 'number':
      out.integer(luaNumberToInteger(v))
      return
    case 'boolean':
      if (scriptProto === 3) out.boolean(v)
      else if (v) out.integer(1)
      else out.nullBulk()
      return
    case 'undefined':
      out.nullBulk()
      return
  }
  if (!(v instanceof LuaTable)) {
    out.nullBulk()
    return
  }
  if (depth >= MAX_DEPTH) {
    out.error('ERR reached lua stack limit')
    return
  }
  // A table with nothing but an array part (most results) has none of the special
  // fields below: it is an array up to its first nil.
  if (v.hash === null) {
    arrayReply(out, v, scriptProto, depth)
    return
  }
  const err = v.getStr('err')
  if (typeof err === 'string') {
    out.error(err)
    return
  }
  const ok = v.getStr('ok')
  if (typeof ok === 'string') {
    out.simple(ok.replace(/[\r\n]/g, ' '))
    return
  }
  const double = v.getStr('double')
  if (typeof double === 'number') {
    out.double(double)
    return
  }
  const big = v.getStr('big_number')
  if (typeof big === 'string') {
    out.bigNumber(big.replace(/[\r\n]/g, ' '))
    return
  }
  const map = v.getStr('map')
  if (map instanceof LuaTable) {
    const entries: LuaValue[] = []
    for (let e = map.next(undefined); e !== undefined; e = map.next(e[0])) entries.push(e[0], e[1])
    out.map(entries.length / 2)
    for (const item of entries) luaToReply(out, item, scriptProto, depth + 1)
    return
  }
  const set = v.getStr('set')
  if (set instanceof LuaTable) {
    const members: LuaValue[] = []
    for (let e = set.next(undefined); e !== undefined; e = set.next(e[0])) members.push(e[0])
    out.set(members.length)
    for (const item of members) luaToReply(out, item, scriptProto, depth + 1)
    return
  }
  const verbatim = v.getStr('verbatim_string')
  if (verbatim instanceof LuaTable) {
    const format = verbatim.getStr('format')
    const text = verbatim.getStr('string')
    if (typeof format === 'string' && typeof text === 'string') {
      out.verbatim(text, format)
      return
    }
  }
  arrayReply(out, v, scriptProto, depth)
}

/** A table as an array reply: items 1, 2, ... up to the first nil. */
function arrayReply(out: ReplyWriter, v: LuaTable, scriptProto: number, depth: number): void {
  let n = 0
  while (v.get(n + 1) !== undefined) n++
  out.array(n)
  for (let i = 1; i <= n; i++) luaToReply(out, v.get(i), scriptProto, depth + 1)
}

// ---- errors as tables ---------------------------------------------------------

/**
 * The {err=...} table Redis makes of an error text (luaPushError). "-CODE message"
 * keeps its code and loses the dash; text without a dash gets the generic ERR code;
 * a lone "-word" is the message of an ERR. Errors that came from a command's reply
 * are marked so the server does not count them twice when the script returns them.
 */
export function errorTable(text: string, fromReply: boolean): LuaTable {
  const t = new LuaTable()
  t.set('err', errorText(text))
  if (fromReply) t.set('ignore_error_stats_update', true)
  return t
}

/** The err text luaPushError makes of `text` (see errorTable). */
export function errorText(text: string): string {
  if (!text.startsWith('-')) return `ERR ${text}`
  return text.indexOf(' ') < 0 ? `ERR ${text.slice(1)}` : text.slice(1)
}

// ---- Lua → command arguments --------------------------------------------------

/** A redis.call argument as the command sees it, or null when Lua cannot pass it. */
export function toArgument(v: LuaValue): string | null {
  if (typeof v === 'string') return v
  // Redis prints numbers with %.17g, not Lua's %.14g: 0.1 arrives as 0.10000000000000001.
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e17 ? (Object.is(v, -0) ? '-0' : String(v)) : formatG(v, 17)
  return null
}
