import { murmur64a, murmurHi, murmurLo } from '../util/murmur.js'

/**
 * HyperLogLog values in Redis's own byte format, so a value made here can be SET on
 * Redis and read back and the other way round. This file knows bytes only; the
 * commands are in commands/hyperloglog.ts.
 *
 * Layout: a 16-byte header, "HYLL", an encoding byte (0 dense, 1 sparse), three unused
 * bytes, and the cached cardinality as 8 bytes little endian whose most significant bit
 * (bit 7 of byte 15) marks the cache as stale. Then the registers, 16384 of them:
 *
 * - dense: 6 bits each, packed from the least significant bit of each byte, so
 *   register i starts at bit 6*i (12288 bytes, 12304 with the header);
 * - sparse: run-length opcodes covering the registers in order:
 *   ZERO  00xxxxxx           xxxxxx+1 (1..64) registers at zero;
 *   XZERO 01xxxxxx yyyyyyyy  the 14-bit xxxxxxyyyyyyyy+1 (1..16384) registers at zero;
 *   VAL   1vvvvvxx           xx+1 (1..4) registers at vvvvv+1 (1..32).
 *
 * An element hashes with MurmurHash64A (seed 0xadc83b19): the low 14 bits pick the
 * register, and the register's candidate value is 1 + the number of zero bits above
 * them, counted from the least significant (at most 51, bit 50 being forced to one).
 */

export const HLL_P = 14
export const HLL_Q = 64 - HLL_P
export const REGISTERS = 1 << HLL_P
export const HEADER_SIZE = 16
export const DENSE_SIZE = HEADER_SIZE + (REGISTERS * 6) / 8
export const DENSE = 0
export const SPARSE = 1

const SEED = 0xadc83b19
const VAL_MAX_VALUE = 32
const VAL_MAX_LEN = 4
const ZERO_MAX_LEN = 64
const XZERO_MAX_LEN = 16384
const ALPHA_INF = 0.721347520444481703680

/** A value being worked on: `len` bytes of `bytes` are the value, the rest is room. */
export interface Hll {
  bytes: Uint8Array
  len: number
}

/**
 * Whether a string value passes Redis's isHLLObjectOrReply: at least a header, the
 * magic, a known encoding, and exactly the dense size when dense.
 */
export function isHll(v: string): boolean {
  if (v.length < HEADER_SIZE) return false
  if (v.charCodeAt(0) !== 0x48 || v.charCodeAt(1) !== 0x59 || v.charCodeAt(2) !== 0x4c || v.charCodeAt(3) !== 0x4c) return false
  const enc = v.charCodeAt(4)
  if (enc > SPARSE) return false
  return enc !== DENSE || v.length === DENSE_SIZE
}

/** The bytes of a latin1 string value (a copy: Buffer's native conversion). */
export function fromString(v: string): Hll {
  const bytes = Buffer.from(v, 'latin1')
  return { bytes, len: bytes.length }
}

/** A dense register read straight from the string value, without converting it. */
export function denseGetString(v: string, index: number): number {
  const bit = index * 6 + HEADER_SIZE * 8
  const at = bit >>> 3
  const shift = bit & 7
  const next = at + 1 < v.length ? v.charCodeAt(at + 1) : 0
  return ((v.charCodeAt(at) >>> shift) | (next << (8 - shift))) & 63
}

/** The cached cardinality of a string value, or null when stale (see cachedCardinality). */
export function cachedCardinalityOfString(v: string): number | bigint | null {
  if ((v.charCodeAt(15) & 0x80) !== 0) return null
  let lo = 0
  let hi = 0
  for (let i = 3; i >= 0; i--) {
    lo = lo * 256 + v.charCodeAt(8 + i)
    hi = hi * 256 + v.charCodeAt(12 + i)
  }
  if (hi < 0x200000) return hi * 0x100000000 + lo
  return (BigInt(hi) << 32n) | BigInt(lo)
}

/** The value as a latin1 string again. */
export function toString(h: Hll): string {
  return Buffer.from(h.bytes.buffer, h.bytes.byteOffset, h.len).toString('latin1')
}

/** An empty HLL as Redis creates it: sparse, one XZERO covering every register, cache 0. */
export function createHll(): Hll {
  const bytes = new Uint8Array(HEADER_SIZE + 2 + 64)
  bytes[0] = 0x48; bytes[1] = 0x59; bytes[2] = 0x4c; bytes[3] = 0x4c
  bytes[4] = SPARSE
  bytes[HEADER_SIZE] = 0x40 | ((XZERO_MAX_LEN - 1) >> 8)
  bytes[HEADER_SIZE + 1] = (XZERO_MAX_LEN - 1) & 0xff
  return { bytes, len: HEADER_SIZE + 2 }
}

export function encoding(h: Hll): number {
  return h.bytes[4]
}

export function invalidateCache(h: Hll): void {
  h.bytes[15] |= 0x80
}

/** The cached cardinality, or null when stale. */
export function cachedCardinality(h: Hll): number | bigint | null {
  const b = h.bytes
  if ((b[15] & 0x80) !== 0) return null
  const lo = (b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24)) >>> 0
  const hi = (b[12] | (b[13] << 8) | (b[14] << 16) | (b[15] << 24)) >>> 0
  if (hi < 0x200000) return hi * 0x100000000 + lo
  return (BigInt(hi) << 32n) | BigInt(lo)
}

/** Stores a cardinality (below 2^53) in the cache, which makes it valid. */
export function setCachedCardinality(h: Hll, n: number): void {
  const b = h.bytes
  const lo = n % 0x100000000
  const hi = Math.floor(n / 0x100000000)
  b[8] = lo & 0xff; b[9] = (lo >>> 8) & 0xff; b[10] = (lo >>> 16) & 0xff; b[11] = lo >>> 24
  b[12] = hi & 0xff; b[13] = (hi >>> 8) & 0xff; b[14] = (hi >>> 16) & 0xff; b[15] = hi >>> 24
}

// ---------------------------------------------------------------------------------
// Hashing

/** Register index and candidate value of the latest hashElement call. */
export let hashIndex = 0
export let hashCount = 0

export function hashElement(s: string): void {
  murmur64a(s, SEED)
  hashIndex = murmurLo & (REGISTERS - 1)
  // The 50 bits above the index, bit 50 set so the count stops there.
  const low = ((murmurLo >>> HLL_P) | (murmurHi << (32 - HLL_P))) >>> 0
  if (low !== 0) hashCount = 32 - Math.clz32(low & -low)
  else {
    const high = (murmurHi >>> HLL_P) | (1 << (HLL_Q - 32))
    hashCount = 32 + 32 - Math.clz32(high & -high)
  }
}

// ---------------------------------------------------------------------------------
// Dense registers

export function denseGet(b: Uint8Array, index: number): number {
  const bit = index * 6 + HEADER_SIZE * 8
  const at = bit >>> 3
  const shift = bit & 7
  const next = at + 1 < b.length ? b[at + 1] : 0
  return ((b[at] >>> shift) | (next << (8 - shift))) & 63
}

function denseWrite(b: Uint8Array, index: number, value: number): void {
  const bit = index * 6 + HEADER_SIZE * 8
  const at = bit >>> 3
  const shift = bit & 7
  b[at] = (b[at] & ~(63 << shift)) | (value << shift)
  if (shift > 2) b[at + 1] = (b[at + 1] & ~(63 >>> (8 - shift))) | (value >>> (8 - shift))
}

/** Raises a dense register to `count`: 1 when it changed, 0 when it was already there. */
export function denseSet(h: Hll, index: number, count: number): 0 | 1 {
  if (denseGet(h.bytes, index) >= count) return 0
  denseWrite(h.bytes, index, count)
  return 1
}

// ---------------------------------------------------------------------------------
// Sparse opcodes

const isZero = (op: number): boolean => (op & 0xc0) === 0
const isXZero = (op: number): boolean => (op & 0xc0) === 0x40
const zeroLen = (op: number): number => (op & 0x3f) + 1
const xzeroLen = (op: number, next: number): number => (((op & 0x3f) << 8) | next) + 1
const valValue = (op: number): number => ((op >>> 2) & 0x1f) + 1
const valLen = (op: number): number => (op & 3) + 1
const val = (value: number, len: number): number => 0x80 | ((value - 1) << 2) | (len - 1)

/** Makes room for `more` bytes past h.len. */
function reserve(h: Hll, more: number): void {
  if (h.len + more <= h.bytes.length) return
  const bytes = new Uint8Array(Math.max(h.len + more, h.bytes.length * 2))
  bytes.set(h.bytes.subarray(0, h.len))
  h.bytes = bytes
}

/**
 * The sparse registers as dense, in place; false (and nothing changed) when the
 * opcodes do not cover exactly 16384 registers. A dense value is left alone. The
 * header, cache included, is kept.
 */
export function sparseToDense(h: Hll): boolean {
  if (h.bytes[4] === DENSE) return true
  const src = h.bytes
  const dense = new Uint8Array(DENSE_SIZE + 1)
  dense.set(src.subarray(0, HEADER_SIZE))
  dense[4] = DENSE
  let idx = 0
  let p = HEADER_SIZE
  const end = h.len
  while (p < end) {
    const op = src[p]
    if (isZero(op)) {
      idx += zeroLen(op)
      p++
    } else if (isXZero(op)) {
      idx += xzeroLen(op, p + 1 < end ? src[p + 1] : 0)
      p += 2
    } else {
      const run = valLen(op)
      const value = valValue(op)
      if (run + idx > REGISTERS) return false
      for (let k = 0; k < run; k++) denseWrite(dense, idx++, value)
      p++
    }
  }
  if (idx !== REGISTERS) return false
  h.bytes = dense
  h.len = DENSE_SIZE
  return true
}

/**
 * Raises a sparse register to `count`, Redis's hllSparseSet step by step (the bytes
 * it leaves must be Redis's): 1 when changed, 0 when not, -1 for a corrupt value.
 * Promotes to dense past `maxBytes` or for a count above 32.
 */
export function sparseSet(h: Hll, index: number, count: number, maxBytes: number): -1 | 0 | 1 {
  if (count > VAL_MAX_VALUE) return promote(h, index, count)
  reserve(h, 3)
  const b = h.bytes
  const sparse = HEADER_SIZE
  let end = h.len
  let p = sparse
  let first = 0
  let prev = -1
  let span = 0
  while (p < end) {
    const op = b[p]
    let oplen = 1
    if (isZero(op)) span = zeroLen(op)
    else if (!isXZero(op)) span = valLen(op)
    else {
      span = xzeroLen(op, p + 1 < end ? b[p + 1] : 0)
      oplen = 2
    }
    if (index <= first + span - 1) break
    prev = p
    p += oplen
    first += span
  }
  if (span === 0 || p >= end) return -1

  const op = b[p]
  const zero = isZero(op)
  const xzero = isXZero(op)
  const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(op, p + 1 < end ? b[p + 1] : 0) : valLen(op)
  let next = xzero ? p + 2 : p + 1
  if (next >= end) next = -1

  let simple = false
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0
    if (runlen === 1) {
      b[p] = val(count, 1)
      simple = true
    }
  }
  if (zero && runlen === 1) {
    b[p] = val(count, 1)
    simple = true
  }

  if (!simple) {
    const seq: number[] = []
    const last = first + span - 1
    if (zero || xzero) {
      if (index !== first) pushZeros(seq, index - first)
      seq.push(val(count, 1))
      if (index !== last) pushZeros(seq, last - index)
    } else {
      const cur = valValue(op)
      if (index !== first) seq.push(val(cur, index - first))
      seq.push(val(count, 1))
      if (index !== last) seq.push(val(cur, last - index))
    }
    const delta = seq.length - (xzero ? 2 : 1)
    if (delta > 0 && h.len + delta > maxBytes) return promote(h, index, count)
    if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end)
    h.len += delta
    for (let k = 0; k < seq.length; k++) b[p + k] = seq[k]
    end += delta
  }

  // Merge neighbouring VALs of one value, up to five opcodes from the one before.
  p = prev !== -1 ? prev : sparse
  let scan = 5
  while (p < end && scan-- > 0) {
    const o = b[p]
    if (isXZero(o)) {
      p += 2
      continue
    }
    if (isZero(o)) {
      p++
      continue
    }
    if (p + 1 < end && !isZero(b[p + 1]) && !isXZero(b[p + 1])) {
      const v1 = valValue(o)
      const o2 = b[p + 1]
      if (v1 === valValue(o2)) {
        const len = valLen(o) + valLen(o2)
        if (len <= VAL_MAX_LEN) {
          b[p + 1] = val(v1, len)
          b.copyWithin(p, p + 1, end)
          h.len--
          end--
          continue
        }
      }
    }
    p++
  }
  invalidateCache(h)
  return 1
}

function pushZeros(seq: number[], len: number): void {
  if (len > ZERO_MAX_LEN) {
    seq.push(0x40 | ((len - 1) >> 8), (len - 1) & 0xff)
  } else {
    seq.push(len - 1)
  }
}

function promote(h: Hll, index: number, count: number): -1 | 1 {
  if (!sparseToDense(h)) return -1
  denseSet(h, index, count)
  return 1
}

/** Adds an element (a latin1 string): 1 when a register changed, 0 if not, -1 if corrupt. */
export function add(h: Hll, element: string, maxBytes: number): -1 | 0 | 1 {
  hashElement(element)
  const enc = h.bytes[4]
  if (enc === DENSE) return denseSet(h, hashIndex, hashCount)
  if (enc === SPARSE) return sparseSet(h, hashIndex, hashCount, maxBytes)
  return -1
}

/** Raises a register in either encoding (-1 for a corrupt sparse value). */
export function setRegister(h: Hll, index: number, count: number, maxBytes: number): -1 | 0 | 1 {
  return h.bytes[4] === DENSE ? denseSet(h, index, count) : sparseSet(h, index, count, maxBytes)
}

// ---------------------------------------------------------------------------------
// Counting

/**
 * The register histogram (how many registers hold each value 0..51), or null when a
 * sparse value does not cover exactly 16384 registers.
 */
export function histogram(h: Hll): Float64Array | null {
  const histo = new Float64Array(64)
  const b = h.bytes
  if (b[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) histo[denseGet(b, i)]++
    return histo
  }
  let idx = 0
  let p = HEADER_SIZE
  const end = h.len
  while (p < end) {
    const op = b[p]
    if (isZero(op)) {
      const run = zeroLen(op)
      idx += run
      histo[0] += run
      p++
    } else if (isXZero(op)) {
      const run = xzeroLen(op, p + 1 < end ? b[p + 1] : 0)
      idx += run
      histo[0] += run
      p += 2
    } else {
      const run = valLen(op)
      idx += run
      histo[valValue(op)] += run
      p++
    }
  }
  return idx === REGISTERS ? histo : null
}

/** The histogram of plain registers, one byte each (PFCOUNT's union). */
export function rawHistogram(registers: Uint8Array): Float64Array {
  const histo = new Float64Array(64)
  for (let i = 0; i < REGISTERS; i++) histo[registers[i]]++
  return histo
}

function sigma(x: number): number {
  if (x === 1) return Infinity
  let zPrime: number
  let y = 1
  let z = x
  do {
    x *= x
    zPrime = z
    z += x * y
    y += y
  } while (zPrime !== z)
  return z
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0
  let zPrime: number
  let y = 1
  let z = 1 - x
  do {
    x = Math.sqrt(x)
    zPrime = z
    y *= 0.5
    const d = 1 - x
    z -= d * d * y
  } while (zPrime !== z)
  return z / 3
}

/**
 * The cardinality estimate from a register histogram: Otmar Ertl's improved raw
 * estimator ("New cardinality estimation algorithms for HyperLogLog sketches",
 * arXiv:1702.01284), in doubles as Redis 7 computes it.
 */
export function estimate(histo: Float64Array): number {
  const m = REGISTERS
  let z = m * tau((m - histo[HLL_Q + 1]) / m)
  for (let j = HLL_Q; j >= 1; j--) {
    z += histo[j]
    z *= 0.5
  }
  z += m * sigma(histo[0] / m)
  return Math.round(ALPHA_INF * m * m / z)
}

/** The estimate for a value, or null for a corrupt sparse one. */
export function count(h: Hll): number | null {
  const histo = histogram(h)
  return histo === null ? null : estimate(histo)
}

/**
 * Raises `max` (16384 plain registers) to the value's registers; false for a corrupt
 * sparse value (registers up to the corruption may have been raised).
 */
export function mergeInto(max: Uint8Array, h: Hll): boolean {
  const b = h.bytes
  if (b[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) {
      const v = denseGet(b, i)
      if (v > max[i]) max[i] = v
    }
    return true
  }
  let i = 0
  let p = HEADER_SIZE
  const end = h.len
  while (p < end) {
    const op = b[p]
    if (isZero(op)) {
      i += zeroLen(op)
      p++
    } else if (isXZero(op)) {
      i += xzeroLen(op, p + 1 < end ? b[p + 1] : 0)
      p += 2
    } else {
      const run = valLen(op)
      const value = valValue(op)
      if (run + i > REGISTERS) return false
      for (let k = 0; k < run; k++, i++) if (value > max[i]) max[i] = value
      p++
    }
  }
  return i === REGISTERS
}

/** PFDEBUG DECODE's text for a sparse value: "Z:16384", "z:3 v:5,1 ..." */
export function decode(h: Hll): string {
  const b = h.bytes
  const parts: string[] = []
  let p = HEADER_SIZE
  const end = h.len
  while (p < end) {
    const op = b[p]
    if (isZero(op)) {
      parts.push(`z:${zeroLen(op)}`)
      p++
    } else if (isXZero(op)) {
      parts.push(`Z:${xzeroLen(op, p + 1 < end ? b[p + 1] : 0)}`)
      p += 2
    } else {
      parts.push(`v:${valValue(op)},${valLen(op)}`)
      p++
    }
  }
  return parts.join(' ')
}

/**
 * PFSELFTEST's checks: registers set at random read back the same from a dense value
 * and from a sparse one promoted to dense, and the estimate of a few thousand distinct
 * elements stays within the expected error. The failure's description, or null.
 */
export function selfTest(): string | null {
  let seed = 0x2545f491
  const rand = (): number => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return seed >>> 0
  }
  const dense = createHll()
  const sparse = createHll()
  if (!sparseToDense(dense)) return 'Could not make a dense HLL'
  const expected = new Uint8Array(REGISTERS)
  for (let k = 0; k < 2000; k++) {
    const i = rand() & (REGISTERS - 1)
    const v = (rand() % 32) + 1
    if (v > expected[i]) expected[i] = v
    denseSet(dense, i, v)
    if (sparseSet(sparse, i, v, 1 << 30) === -1) return 'Sparse HLL corrupted itself'
  }
  if (!sparseToDense(sparse)) return 'Sparse HLL does not cover every register'
  for (let i = 0; i < REGISTERS; i++) {
    if (denseGet(dense.bytes, i) !== expected[i]) return `Dense register ${i} reads back wrong`
    if (denseGet(sparse.bytes, i) !== expected[i]) return `Sparse register ${i} reads back wrong`
  }
  const h = createHll()
  for (let n = 1; n <= 10000; n++) {
    add(h, `element:${n}`, 3000)
    if (n % 1000 === 0) {
      const e = count(h)
      if (e === null || Math.abs(e - n) > n * 5 * 1.04 / Math.sqrt(REGISTERS)) return `Estimate ${e} for ${n} elements is off`
    }
  }
  return null
}
