import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import { parseInt64 } from '../util/numbers.js'
import { popcount, popcount8 } from '../util/popcount.js'
import { Err } from './errors.js'
import { command, oneKey, type CommandSpec } from './spec.js'
import { MutableString } from '../store/types.js'

/**
 * Bitmaps and bitfields: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
 * BITFIELD_RO over the same string values as GET/SET. Bit 0 is the most significant
 * bit of byte 0, as in Redis.
 *
 * The writes (SETBIT, BITFIELD, BITOP's result) keep the value as a MutableString
 * (store/types.ts) and change its bytes in place; the reads take it or a plain latin1
 * string alike, through length and charCodeAt.
 */

const BitErr = {
  offset: 'ERR bit offset is not an integer or out of range',
  bit: 'ERR bit is not an integer or out of range',
  bitposBit: 'ERR The bit argument must be 1 or 0.',
  bitopNot: 'ERR BITOP NOT must be called with a single source key.',
  type: 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.',
  overflowType: 'ERR Invalid OVERFLOW type specified',
  readOnly: 'ERR BITFIELD_RO only supports the GET subcommand',
}

/** Bits in the smallest proto-max-bulk-len (1 MB). */
const MIN_BULK_BITS = 8 * 1024 * 1024

/**
 * A bit offset argument as Redis reads it: an int64, `#N` meaning N * bits where
 * allowed (wrapping as Redis's 64-bit product does), refused when negative or when
 * its byte lies past proto-max-bulk-len. -1 for a bad one.
 */
function bitOffset(c: Caller, arg: string, hashBits: number): number {
  let n: number | bigint | null
  if (hashBits > 0 && arg.charCodeAt(0) === 0x23) {
    n = parseInt64(arg.slice(1))
    if (n !== null) {
      const product = BigInt.asIntN(64, BigInt(n) * BigInt(hashBits))
      n = product >= BigInt(Number.MIN_SAFE_INTEGER) && product <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(product) : product
    }
  } else n = parseInt64(arg)
  if (n === null || n < 0 || typeof n === 'bigint') return -1
  // proto-max-bulk-len is at least 1 MB, so most offsets need no config lookup.
  if (n >= MIN_BULK_BITS && Math.floor(n / 8) >= c.server.config.int('proto-max-bulk-len')) return -1
  return n
}

/**
 * The value at `key` for a bitmap write, as a MutableString holding at least
 * `lastByte` + 1 bytes: a string value (or none) becomes one. Null once it has
 * replied WRONGTYPE.
 */
function writable(c: Caller, key: string, lastByte: number): MutableString | null {
  const db = c.db
  const v = db.getStored(key)
  let m: MutableString
  if (v instanceof MutableString) {
    m = v
    stored = false
    grew = m.length <= lastByte
    m.grow(lastByte + 1)
  } else if (v === undefined || typeof v === 'string') {
    m = MutableString.from(v ?? '', lastByte + 1)
    m.grow(lastByte + 1)
    if (v === undefined) db.set(key, m)
    else db.replace(key, m)
    stored = grew = true
  } else {
    c.out.error(Err.wrongType)
    return null
  }
  return m
}

/** Whether the last writable() stored a new value, which signalled the change. */
let stored = false
/** Whether the last writable() made the value longer: a change even if no bit is set. */
let grew = false

/** The value at `key` for a bitmap read: a string or a MutableString, undefined, or null after WRONGTYPE. */
function readable(c: Caller, key: string): string | MutableString | undefined | null {
  const v = c.db.lookupReadStored(key)
  if (v === undefined || typeof v === 'string' || v instanceof MutableString) return v
  c.out.error(Err.wrongType)
  return null
}

// ---------------------------------------------------------------------------------
// SETBIT, GETBIT

function setbit(c: Caller, argv: string[]): void {
  const offset = bitOffset(c, argv[2], 0)
  if (offset < 0) return c.out.error(BitErr.offset)
  const bitArg = argv[3]
  if (bitArg !== '0' && bitArg !== '1') return c.out.error(BitErr.bit)
  const key = argv[1]
  const byte = Math.floor(offset / 8)
  const m = writable(c, key, byte)
  if (m === null) return
  const mask = 0x80 >> (offset & 7)
  const was = m.buf[byte]
  m.setByte(byte, bitArg === '1' ? was | mask : was & ~mask)
  // Even when no bit changed, Redis counts it a write: WATCH, tracking, events.
  if (!stored) c.db.modified(key)
  c.notify(Notify.string, 'setbit', key)
  c.out.integer((was & mask) === 0 ? 0 : 1)
}

function getbit(c: Caller, argv: string[]): void {
  const offset = bitOffset(c, argv[2], 0)
  if (offset < 0) return c.out.error(BitErr.offset)
  const v = readable(c, argv[1])
  if (v === null) return
  if (v === undefined) return c.out.integer(0)
  const byte = Math.floor(offset / 8)
  if (byte >= v.length) return c.out.integer(0)
  c.out.integer((v.charCodeAt(byte) >> (7 - (offset & 7))) & 1)
}

// ---------------------------------------------------------------------------------
// BITCOUNT, BITPOS

const LIMIT = 2 ** 53

/** Redis's range rules: negative from the end, clamped; null when empty. */
function range(start: number | bigint, end: number | bigint, total: number): [number, number] | null {
  let s = start < 0 ? total + Math.max(Number(start), -LIMIT) : Math.min(Number(start), LIMIT)
  let e = end < 0 ? total + Math.max(Number(end), -LIMIT) : Math.min(Number(end), LIMIT)
  if (s < 0) s = 0
  if (e < 0) e = 0
  if (e >= total) e = total - 1
  if (s > e) return null
  return [s, e]
}

/** BYTE or BIT (case-insensitively); null for anything else. */
function unit(arg: string): boolean | null {
  const u = arg.toLowerCase()
  return u === 'bit' ? true : u === 'byte' ? false : null
}

function bitcount(c: Caller, argv: string[]): void {
  const v = readable(c, argv[1])
  if (v === null) return
  if (v === undefined) return c.out.integer(0)
  const argc = argv.length
  const bytes = typeof v === 'string' ? v : v.buf
  if (argc === 2) return c.out.integer(popcount(bytes, 0, v.length))
  if (argc !== 4 && argc !== 5) return c.out.error(Err.syntax)
  const start = parseInt64(argv[2])
  if (start === null) return c.out.error(Err.notInteger)
  const end = parseInt64(argv[3])
  if (end === null) return c.out.error(Err.notInteger)
  // Unlike BITPOS, two negative indexes the wrong way round count nothing before
  // clamping, and Redis answers so before it reads BYTE or BIT.
  if (start < 0 && end < 0 && start > end) return c.out.integer(0)
  let bits = false
  if (argc === 5) {
    const u = unit(argv[4])
    if (u === null) return c.out.error(Err.syntax)
    bits = u
  }
  const r = range(start, end, bits ? v.length * 8 : v.length)
  if (r === null) return c.out.integer(0)
  if (!bits) return c.out.integer(popcount(bytes, r[0], r[1] + 1))
  const [s, e] = r
  const first = s >>> 3
  const last = e >>> 3
  let n = popcount(bytes, first, last + 1)
  // Take off the bits of the edge bytes outside the range.
  n -= popcount8(v.charCodeAt(first) & (0xff00 >> (s & 7)))
  n -= popcount8(v.charCodeAt(last) & (0xff >> ((e & 7) + 1)))
  c.out.integer(n)
}

function bitpos(c: Caller, argv: string[]): void {
  const bitArg = parseInt64(argv[2])
  if (bitArg === null) return c.out.error(Err.notInteger)
  if (bitArg !== 0 && bitArg !== 1) return c.out.error(BitErr.bitposBit)
  const bit = bitArg === 1
  const v = readable(c, argv[1])
  if (v === null) return
  if (v === undefined) return c.out.integer(bit ? -1 : 0)
  const argc = argv.length
  if (argc > 6) return c.out.error(Err.syntax)
  let start: number | bigint = 0
  let end: number | bigint = -1
  let bits = false
  if (argc >= 4) {
    const s = parseInt64(argv[3])
    if (s === null) return c.out.error(Err.notInteger)
    start = s
  }
  if (argc === 6) {
    const u = unit(argv[5])
    if (u === null) return c.out.error(Err.syntax)
    bits = u
  }
  if (argc >= 5) {
    const e = parseInt64(argv[4])
    if (e === null) return c.out.error(Err.notInteger)
    end = e
  }
  const endGiven = argc >= 5
  const r = range(start, end, bits ? v.length * 8 : v.length)
  if (r === null) return c.out.integer(-1)
  // Bit positions [s, e], scanned byte by byte with the edge bytes masked.
  const s = bits ? r[0] : r[0] * 8
  const e = bits ? r[1] : r[1] * 8 + 7
  const first = s >>> 3
  const last = e >>> 3
  const headMask = 0xff >> (s & 7)
  const tailMask = (0xff00 >> ((e & 7) + 1)) & 0xff
  for (let i = first; i <= last; i++) {
    let b = v.charCodeAt(i)
    if (!bit) b ^= 0xff
    if (i === first) b &= headMask
    if (i === last) b &= tailMask
    if (b !== 0) return c.out.integer(i * 8 + Math.clz32(b) - 24)
  }
  // No clear bit up to the end of the string: Redis answers the first bit past it,
  // as if the string were padded with zeros, unless an end was given.
  if (!bit && !endGiven) return c.out.integer((last + 1) * 8)
  c.out.integer(-1)
}

// ---------------------------------------------------------------------------------
// BITOP

function bitop(c: Caller, argv: string[]): void {
  const op = argv[1].toLowerCase()
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') return c.out.error(Err.syntax)
  if (op === 'not' && argv.length !== 4) return c.out.error(BitErr.bitopNot)
  const db = c.db
  const sources: (string | MutableString)[] = []
  let max = 0
  for (let i = 3; i < argv.length; i++) {
    const v = readable(c, argv[i])
    if (v === null) return
    if (v === undefined) {
      sources.push('')
      continue
    }
    sources.push(v)
    if (v.length > max) max = v.length
  }
  const dest = argv[2]
  if (max === 0) {
    if (db.delete(dest)) c.notify(Notify.generic, 'del', dest)
    return c.out.integer(0)
  }
  const out = Buffer.alloc(max)
  const first = sources[0]
  if (typeof first === 'string') out.latin1Write(first, 0)
  else first.buf.copy(out, 0, 0, first.length)
  if (op === 'not') {
    for (let i = 0; i < max; i++) out[i] = ~out[i]
  } else {
    // Missing bytes count as zeros: AND clears past a shorter source.
    for (let k = 1; k < sources.length; k++) {
      const src = sources[k]
      const len = src.length
      if (op === 'and') {
        for (let i = 0; i < len; i++) out[i] &= src.charCodeAt(i)
        out.fill(0, len)
      } else if (op === 'or') {
        for (let i = 0; i < len; i++) out[i] |= src.charCodeAt(i)
      } else {
        for (let i = 0; i < len; i++) out[i] ^= src.charCodeAt(i)
      }
    }
    if (op === 'and' && first.length < max) out.fill(0, first.length)
  }
  db.set(dest, new MutableString(out, max))
  c.notify(Notify.string, 'set', dest)
  c.out.integer(max)
}

// ---------------------------------------------------------------------------------
// BITFIELD, BITFIELD_RO

const enum Op { Get, Set, Incrby }
const enum Overflow { Wrap, Sat, Fail }

interface FieldOp {
  op: Op
  signed: boolean
  bits: number
  offset: number
  /** SET's value or INCRBY's increment. */
  value: bigint
  overflow: Overflow
}

/** "i1".."i64" and "u1".."u63": [signed, bits], or null. */
function fieldType(arg: string): [boolean, number] | null {
  const kind = arg.charCodeAt(0)
  if (kind !== 0x69 && kind !== 0x75) return null
  const bits = parseInt64(arg.slice(1))
  if (typeof bits !== 'number') return null
  const signed = kind === 0x69
  if (bits < 1 || bits > (signed ? 64 : 63)) return null
  return [signed, bits]
}

/** Reads `bits` bits at bit `offset`, MSB first, zeros past the end; unsigned. */
function readField(buf: Buffer | string | MutableString, offset: number, bits: number): bigint {
  let n = 0n
  let small = 0
  const useSmall = bits <= 32
  for (let i = 0; i < bits; i++) {
    const at = offset + i
    const byte = Math.floor(at / 8)
    const b = byte >= buf.length ? 0 : typeof buf === 'string' || buf instanceof MutableString ? buf.charCodeAt(byte) : buf[byte]
    const bit = (b >> (7 - (at & 7))) & 1
    if (useSmall) small = small * 2 + bit
    else n = (n << 1n) | BigInt(bit)
  }
  return useSmall ? BigInt(small) : n
}

function writeField(buf: Buffer, offset: number, bits: number, value: bigint): void {
  let v = BigInt.asUintN(bits, value)
  for (let i = bits - 1; i >= 0; i--) {
    const at = offset + i
    const byte = Math.floor(at / 8)
    const mask = 0x80 >> (at & 7)
    if ((v & 1n) === 1n) buf[byte] |= mask
    else buf[byte] &= ~mask
    v >>= 1n
  }
}

/**
 * Which way a signed field overflows (1 up, -1 down, 0 not) when `incr` is added to
 * `value` (SET: the new value plus 0). Redis measures the headroom max - value and
 * min - value in 64-bit arithmetic, which wraps when value is far outside a narrow
 * field's range: SET i23 of -2^63 saturates to the maximum, not the minimum. Observed
 * on redis-server 7.0.15 and reproduced here, headroom wrapping included.
 */
function signedOverflow(value: bigint, incr: bigint, bits: number, min: bigint, max: bigint): number {
  const up = BigInt.asIntN(64, max - value)
  const down = BigInt.asIntN(64, min - value)
  if (value > max || (bits !== 64 && incr > up) || (value >= 0n && incr > 0n && incr > up)) return 1
  if (value < min || (bits !== 64 && incr < down) || (value < 0n && incr < 0n && incr < down)) return -1
  return 0
}

function bitfieldWith(c: Caller, argv: string[], readOnly: boolean): void {
  const ops: FieldOp[] = []
  let overflow = Overflow.Wrap
  let writes = false
  let lastByte = -1
  for (let i = 2; i < argv.length;) {
    const sub = argv[i].toLowerCase()
    const left = argv.length - i - 1
    if (sub === 'overflow' && left >= 1) {
      const o = argv[i + 1].toLowerCase()
      if (o === 'wrap') overflow = Overflow.Wrap
      else if (o === 'sat') overflow = Overflow.Sat
      else if (o === 'fail') overflow = Overflow.Fail
      else return c.out.error(BitErr.overflowType)
      i += 2
      continue
    }
    let op: Op
    if (sub === 'get' && left >= 2) op = Op.Get
    else if (sub === 'set' && left >= 3) op = Op.Set
    else if (sub === 'incrby' && left >= 3) op = Op.Incrby
    else return c.out.error(Err.syntax)
    const type = fieldType(argv[i + 1])
    if (type === null) return c.out.error(BitErr.type)
    const offset = bitOffset(c, argv[i + 2], type[1])
    if (offset < 0) return c.out.error(BitErr.offset)
    let value = 0n
    if (op !== Op.Get) {
      const n = parseInt64(argv[i + 3])
      if (n === null) return c.out.error(Err.notInteger)
      value = BigInt(n)
      i += 4
    } else i += 3
    if (op !== Op.Get) {
      writes = true
      const end = Math.floor((offset + type[1] - 1) / 8)
      if (end > lastByte) lastByte = end
    }
    ops.push({ op, signed: type[0], bits: type[1], offset, value, overflow })
  }
  // BITFIELD_RO refuses writes only once every operation has parsed.
  if (readOnly && writes) return c.out.error(BitErr.readOnly)
  const db = c.db
  const key = argv[1]
  if (!writes) {
    const v = readable(c, key)
    if (v === null) return
    const s = v ?? ''
    c.out.array(ops.length)
    for (const f of ops) {
      const u = readField(s, f.offset, f.bits)
      c.out.integer(f.signed ? BigInt.asIntN(f.bits, u) : u)
    }
    return
  }
  const m = writable(c, key, lastByte)
  if (m === null) return
  const buf = m.buf
  const replies: (bigint | null)[] = []
  let changes = 0
  for (const f of ops) {
    const { bits, signed } = f
    const raw = readField(buf, f.offset, bits)
    const current = signed ? BigInt.asIntN(bits, raw) : raw
    if (f.op === Op.Get) {
      replies.push(current)
      continue
    }
    const isSet = f.op === Op.Set
    // SET takes its int64 value as uint64 for unsigned fields, as Redis does.
    const base = isSet ? (signed ? f.value : BigInt.asUintN(64, f.value)) : current
    const incr = isSet ? 0n : f.value
    const sum = base + incr
    const min = signed ? -(1n << BigInt(bits - 1)) : 0n
    const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n
    const dir = signed ? signedOverflow(base, incr, bits, min, max) : sum > max ? 1 : sum < 0n ? -1 : 0
    let next = sum
    if (dir !== 0) {
      if (f.overflow === Overflow.Fail) {
        replies.push(null)
        continue
      }
      if (f.overflow === Overflow.Sat) next = dir > 0 ? max : min
      else next = signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum)
    } else if (signed) next = BigInt.asIntN(64, sum)
    writeField(buf, f.offset, bits, next)
    changes++
    replies.push(f.op === Op.Set ? current : next)
  }
  if (changes > 0) m.changed()
  if (!stored && (grew || changes > 0)) db.modified(key)
  if (changes > 0) c.notify(Notify.string, 'setbit', key)
  c.out.array(replies.length)
  for (const r of replies) {
    if (r === null) c.out.nullBulk()
    else c.out.integer(r)
  }
}

function bitfield(c: Caller, argv: string[]): void {
  bitfieldWith(c, argv, false)
}

function bitfieldRo(c: Caller, argv: string[]): void {
  bitfieldWith(c, argv, true)
}

// ---------------------------------------------------------------------------------

const FIELD_OPS = '[GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> ...]]'

export const bitmapCommands: CommandSpec[] = [
  command({
    name: 'setbit', arity: 4, flags: ['write', 'denyoom'], keyFlags: ['RW', 'access', 'update'], ...oneKey,
    group: 'bitmap', since: '2.2.0', complexity: 'O(1)',
    summary: 'Sets or clears the bit at offset in the string value stored at key', syntax: 'key offset value',
    handler: setbit,
  }),
  command({
    name: 'getbit', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'bitmap', since: '2.2.0',
    complexity: 'O(1)', summary: 'Returns the bit value at offset in the string value stored at key',
    syntax: 'key offset', handler: getbit,
  }),
  command({
    name: 'bitcount', arity: -2, flags: ['readonly'], ...oneKey, group: 'bitmap', since: '2.6.0',
    complexity: 'O(N)', summary: 'Count set bits in a string', syntax: 'key [start end [BYTE | BIT]]',
    handler: bitcount,
  }),
  command({
    name: 'bitpos', arity: -3, flags: ['readonly'], ...oneKey, group: 'bitmap', since: '2.8.7',
    complexity: 'O(N)', summary: 'Find first bit set or clear in a string', syntax: 'key bit [start [end [BYTE | BIT]]]',
    handler: bitpos,
  }),
  command({
    name: 'bitop', arity: -4, flags: ['write', 'denyoom'], firstKey: 2, lastKey: -1, step: 1,
    keySpecs: [
      { flags: ['OW', 'update'], begin: { index: 2 }, range: [0, 1, 0] },
      { flags: ['RO', 'access'], begin: { index: 3 }, range: [-1, 1, 0] },
    ],
    group: 'bitmap', since: '2.6.0', complexity: 'O(N)', summary: 'Perform bitwise operations between strings',
    syntax: 'operation destkey key [key ...]', handler: bitop,
  }),
  command({
    name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], keyFlags: ['RW', 'access', 'update', 'variable_flags'],
    keyNotes: 'This command allows both access and modification of the key', ...oneKey,
    group: 'bitmap', since: '3.2.0', complexity: 'O(1) for each subcommand specified',
    summary: 'Perform arbitrary bitfield integer operations on strings', syntax: `key ${FIELD_OPS}`, handler: bitfield,
  }),
  command({
    name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], ...oneKey, group: 'bitmap', since: '6.0.0',
    complexity: 'O(1) for each subcommand specified',
    summary: 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD',
    syntax: 'key [GET encoding offset [GET encoding offset ...]]', handler: bitfieldRo,
  }),
]
