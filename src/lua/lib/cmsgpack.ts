import { LuaError, LuaTable, NO_VALUES, type LuaResult, type LuaValue } from '../value.js'
import { argError, checkInt, checkString, optInt } from './aux.js'

/**
 * lua-cmsgpack as Redis 7.0 bundles it. Numbers that are integers (within int64)
 * take the smallest integer encoding; other numbers go as float32 when that is exact,
 * else float64. Strings use fixstr/str8/str16/str32. A table is an array when its keys
 * are exactly 1..n. Tables nested deeper than 16 levels, functions and userdata encode
 * as nil. Decoding knows no bin or ext types (they are a format error).
 */

const MAX_NESTING = 16

const scratch = new DataView(new ArrayBuffer(8))

function byteString(n: number): string {
  let s = ''
  for (let k = 0; k < n; k++) s += String.fromCharCode(scratch.getUint8(k))
  return s
}

function encodeInt(n: number): string {
  const c = String.fromCharCode
  if (n >= 0) {
    if (n <= 127) return c(n)
    if (n <= 0xff) return c(0xcc, n)
    if (n <= 0xffff) return c(0xcd, n >> 8, n & 0xff)
    if (n <= 0xffffffff) {
      scratch.setUint32(0, n)
      return c(0xce) + byteString(4)
    }
    scratch.setBigUint64(0, BigInt(n))
    return c(0xcf) + byteString(8)
  }
  if (n >= -32) return c(n & 0xff)
  if (n >= -128) return c(0xd0, n & 0xff)
  if (n >= -32768) return c(0xd1, (n >> 8) & 0xff, n & 0xff)
  if (n >= -2147483648) {
    scratch.setInt32(0, n)
    return c(0xd2) + byteString(4)
  }
  scratch.setBigInt64(0, BigInt(n))
  return c(0xd3) + byteString(8)
}

function encodeNumber(n: number): string {
  // (int64_t)n == n: infinities, NaN and 2^63 and beyond are not integers here.
  if (Number.isInteger(n) && n >= -9223372036854775808 && n < 9223372036854775808) return encodeInt(n)
  if (Math.fround(n) === n) {
    scratch.setFloat32(0, n)
    return '\xca' + byteString(4)
  }
  scratch.setFloat64(0, n)
  return '\xcb' + byteString(8)
}

function encodeLength(n: number, fix: number, fixMax: number, code16: number): string {
  const c = String.fromCharCode
  if (n < fixMax) return c(fix | n)
  if (n <= 0xffff) return c(code16, n >> 8, n & 0xff)
  scratch.setUint32(0, n)
  return c(code16 + 1) + byteString(4)
}

function encodeString(s: string): string {
  const n = s.length
  const c = String.fromCharCode
  if (n < 32) return c(0xa0 | n) + s
  if (n <= 0xff) return c(0xd9, n) + s
  if (n <= 0xffff) return c(0xda, n >> 8, n & 0xff) + s
  scratch.setUint32(0, n)
  return '\xdb' + byteString(4) + s
}

/** The array length when the keys are exactly 1..n (the empty table included), else -1. */
function arrayLength(t: LuaTable): number {
  let count = 0
  let max = 0
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
    const k = e[0]
    if (typeof k !== 'number' || k <= 0 || !Number.isInteger(k)) return -1
    if (k > max) max = k
    count++
  }
  return max === count ? count : -1
}

function encode(v: LuaValue, level: number, out: string[]): void {
  switch (typeof v) {
    case 'string':
      out.push(encodeString(v))
      return
    case 'number':
      out.push(encodeNumber(v))
      return
    case 'boolean':
      out.push(v ? '\xc3' : '\xc2')
      return
  }
  if (!(v instanceof LuaTable) || level >= MAX_NESTING) {
    out.push('\xc0')
    return
  }
  const n = arrayLength(v)
  if (n >= 0) {
    out.push(encodeLength(n, 0x90, 16, 0xdc))
    for (let i = 1; i <= n; i++) encode(v.get(i), level + 1, out)
    return
  }
  const entries: [LuaValue, LuaValue][] = []
  for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) entries.push(e)
  out.push(encodeLength(entries.length, 0x80, 16, 0xde))
  for (const [k, val] of entries) {
    encode(k, level + 1, out)
    encode(val, level + 1, out)
  }
}

/** Encodes the values as one string, as cmsgpack.pack does with several arguments. */
export function pack(...args: LuaValue[]): string {
  const out: string[] = []
  for (const v of args) encode(v, 0, out)
  return out.join('')
}

class Cursor {
  constructor(readonly s: string, public p: number) {}

  need(n: number): void {
    if (this.p + n > this.s.length) throw new LuaError('Missing bytes in input.')
  }

  bytes(n: number): void {
    this.need(n)
    for (let k = 0; k < n; k++) scratch.setUint8(k, this.s.charCodeAt(this.p + k))
    this.p += n
  }

  u8(): number {
    this.need(1)
    return this.s.charCodeAt(this.p++)
  }

  u16(): number {
    this.bytes(2)
    return scratch.getUint16(0)
  }

  u32(): number {
    this.bytes(4)
    return scratch.getUint32(0)
  }

  str(n: number): string {
    this.need(n)
    const r = this.s.slice(this.p, this.p + n)
    this.p += n
    return r
  }
}

function decode(c: Cursor): LuaValue {
  const b = c.u8()
  if (b <= 0x7f) return b
  if (b >= 0xe0) return b - 256
  if (b >= 0xa0 && b <= 0xbf) return c.str(b & 0x1f)
  if (b >= 0x90 && b <= 0x9f) return decodeArray(c, b & 0x0f)
  if (b >= 0x80 && b <= 0x8f) return decodeMap(c, b & 0x0f)
  switch (b) {
    case 0xc0: return undefined
    case 0xc2: return false
    case 0xc3: return true
    case 0xca: c.bytes(4); return scratch.getFloat32(0)
    case 0xcb: c.bytes(8); return scratch.getFloat64(0)
    case 0xcc: return c.u8()
    case 0xcd: return c.u16()
    case 0xce: return c.u32()
    // Redis's build hands uint64 to Lua through a signed integer: 2^64-1 reads as -1.
    case 0xcf: c.bytes(8); return Number(scratch.getBigInt64(0))
    case 0xd0: c.bytes(1); return scratch.getInt8(0)
    case 0xd1: c.bytes(2); return scratch.getInt16(0)
    case 0xd2: c.bytes(4); return scratch.getInt32(0)
    case 0xd3: c.bytes(8); return Number(scratch.getBigInt64(0))
    case 0xd9: return c.str(c.u8())
    case 0xda: return c.str(c.u16())
    case 0xdb: return c.str(c.u32())
    case 0xdc: return decodeArray(c, c.u16())
    case 0xdd: return decodeArray(c, c.u32())
    case 0xde: return decodeMap(c, c.u16())
    case 0xdf: return decodeMap(c, c.u32())
    default: throw new LuaError('Bad data format in input.')
  }
}

function decodeArray(c: Cursor, n: number): LuaTable {
  const t = new LuaTable()
  for (let i = 1; i <= n; i++) t.set(i, decode(c))
  return t
}

function decodeMap(c: Cursor, n: number): LuaTable {
  const t = new LuaTable()
  for (let i = 0; i < n; i++) {
    const k = decode(c)
    t.set(k, decode(c))
  }
  return t
}

/**
 * unpack, unpack_one and unpack_limit share this: decode up to `limit` values from
 * byte `offset`; unless everything was asked for, the results start with the offset
 * of the next value (-1 at the end of the input).
 */
function unpackFull(s: string, limit: number, offset: number): LuaResult {
  const all = limit === 0 && offset === 0
  // Redis's version reports the input length where the limit belongs.
  if (offset < 0 || limit < 0) throw new LuaError(`Invalid request to unpack with offset of ${offset} and limit of ${s.length}.`)
  if (offset > s.length) throw new LuaError(`Start offset ${offset} greater than input length ${s.length}.`)
  const c = new Cursor(s, offset)
  const max = all ? Infinity : limit
  const out: LuaValue[] = []
  for (let cnt = 0; c.p < s.length && cnt < max; cnt++) out.push(decode(c))
  if (all) return out.length === 0 ? NO_VALUES : out
  out.unshift(c.p >= s.length ? -1 : c.p)
  return out
}

export function createCmsgpack(): LuaTable {
  const t = new LuaTable()
  t.set('_NAME', 'cmsgpack')
  t.set('_VERSION', 'lua-cmsgpack 0.4.0')
  t.set('_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo')
  t.set('_DESCRIPTION', 'MessagePack C implementation for Lua')
  t.set('pack', (...args: LuaValue[]) => {
    if (args.length === 0) argError('pack', 0, 'MessagePack pack needs input.')
    return pack(...args)
  })
  t.set('unpack', (s: LuaValue) => unpackFull(checkString('unpack', 1, s), 0, 0))
  t.set('unpack_one', (s: LuaValue, o: LuaValue) => unpackFull(checkString('unpack_one', 1, s), 1, optInt('unpack_one', 2, o, 0)))
  t.set('unpack_limit', (s: LuaValue, l: LuaValue, o: LuaValue) =>
    unpackFull(checkString('unpack_limit', 1, s), checkInt('unpack_limit', 2, l), optInt('unpack_limit', 3, o, 0)),
  )
  return t
}
