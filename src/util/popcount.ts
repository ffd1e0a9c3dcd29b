/**
 * Counting set bits of a latin1 string or a byte array (BITCOUNT). JS has no 64-bit popcount, and a
 * table or SWAR loop costs ~5 µs per 8 KiB, several times Redis's. WebAssembly has
 * i64.popcnt, so the bytes are copied (one memcpy) into a small module's memory in
 * chunks and counted there, 8 bytes per instruction. Without WebAssembly (node
 * --jitless) a SWAR loop does the same work.
 *
 * The module is hand-assembled; its one function is
 *
 *   (func (param $p i32) (param $end i32) (result i32) (local $n i64)
 *     (block (loop
 *       (br_if 1 (i32.ge_u (local.get $p) (local.get $end)))
 *       (local.set $n (i64.add (local.get $n) (i64.popcnt (i64.load (local.get $p)))))
 *       (local.set $p (i32.add (local.get $p) (i32.const 8)))
 *       (br 0)))
 *     (i32.wrap_i64 (local.get $n)))
 */

/** Bytes copied into the module per call: 4 pages of its memory. */
const CHUNK = 4 * 65536

const BODY = [
  0x01, 0x01, 0x7e, // one i64 local
  0x02, 0x40, 0x03, 0x40,
  0x20, 0x00, 0x20, 0x01, 0x4f, 0x0d, 0x01,
  0x20, 0x02, 0x20, 0x00, 0x29, 0x03, 0x00, 0x7b, 0x7c, 0x21, 0x02,
  0x20, 0x00, 0x41, 0x08, 0x6a, 0x21, 0x00,
  0x0c, 0x00, 0x0b, 0x0b,
  0x20, 0x02, 0xa7, 0x0b,
]

function section(id: number, bytes: number[]): number[] {
  return [id, bytes.length, ...bytes]
}

const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f]), // type: (i32, i32) -> i32
  ...section(3, [0x01, 0x00]), // one function of that type
  ...section(5, [0x01, 0x00, 0x04]), // one memory of 4 pages
  ...section(7, [0x02, 0x02, 0x70, 0x63, 0x00, 0x00, 0x01, 0x6d, 0x02, 0x00]), // exports "pc", "m"
  ...section(10, [0x01, BODY.length, ...BODY]),
])

interface Counter {
  count(start: number, end: number): number
  bytes: Buffer
}

function instantiate(): Counter | null {
  try {
    if (typeof WebAssembly === 'undefined') return null
    const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE))
    const memory = instance.exports.m as WebAssembly.Memory
    const count = instance.exports.pc as (start: number, end: number) => number
    return { count, bytes: Buffer.from(memory.buffer, 0, CHUNK) }
  } catch {
    return null
  }
}

const wasm = instantiate()

const POPCOUNT = new Uint8Array(256)
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]

/** Set bits in one byte value. */
export function popcount8(b: number): number {
  return POPCOUNT[b]
}

let scratch: Buffer | null = null

/** Set bits of bytes [from, to) of a latin1 string or of a byte array. */
export function popcount(v: string | Uint8Array, from: number, to: number): number {
  let n = 0
  const text = typeof v === 'string'
  if (to - from < 64) {
    if (text) for (let i = from; i < to; i++) n += POPCOUNT[v.charCodeAt(i)]
    else for (let i = from; i < to; i++) n += POPCOUNT[v[i]]
    return n
  }
  const whole = from === 0 && to === v.length
  const bytes = wasm !== null ? wasm.bytes : (scratch ??= Buffer.allocUnsafe(CHUNK))
  for (let at = from; at < to; at += CHUNK) {
    const len = Math.min(CHUNK, to - at)
    if (text) bytes.latin1Write(whole && len === v.length ? v : v.slice(at, at + len), 0, len)
    else bytes.set(v.subarray(at, at + len))
    const words = len & ~7
    n += wasm !== null ? wasm.count(0, words) : swar(bytes, words)
    for (let i = words; i < len; i++) n += POPCOUNT[bytes[i]]
  }
  return n
}

function swar(bytes: Buffer, len: number): number {
  const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset, len >> 2)
  let n = 0
  for (let i = 0; i < u32.length; i++) {
    let x = u32[i]
    x = x - ((x >>> 1) & 0x55555555)
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
    n += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24
  }
  return n
}
