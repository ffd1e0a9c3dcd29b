/**
 * MurmurHash64A (Austin Appleby), the 64-bit hash Redis's HyperLogLog uses, over the
 * bytes of a latin1 string (one char per byte), reading 8-byte blocks little endian as
 * Redis does on x86. Arithmetic is done on 32-bit halves: no BigInt on the PFADD path.
 * The result is left in `murmurHi` / `murmurLo` (unsigned 32-bit halves) to avoid an
 * allocation per element.
 */

const MH = 0xc6a4a793
const ML = 0x5bd1e995

export let murmurHi = 0
export let murmurLo = 0

// The product of a multiplication, mod 2^64.
let rH = 0
let rL = 0

function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff
  const a1 = al >>> 16
  const b0 = bl & 0xffff
  const b1 = bl >>> 16
  const p00 = a0 * b0
  const p01 = a0 * b1
  const p10 = a1 * b0
  const p11 = a1 * b1
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)
  rL = ((mid << 16) | (p00 & 0xffff)) >>> 0
  rH = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(al, bh) + Math.imul(ah, bl)) >>> 0
}

/** Hashes the latin1 string `s` with `seed` (below 2^32); read murmurHi/murmurLo after. */
export function murmur64a(s: string, seed: number): void {
  const len = s.length
  mul64(0, len, MH, ML)
  let hh = rH
  let hl = (rL ^ seed) >>> 0
  const blocks = len & ~7
  let i = 0
  for (; i < blocks; i += 8) {
    let kl = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0
    let kh = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0
    mul64(kh, kl, MH, ML)
    kh = rH
    kl = (rL ^ (rH >>> 15)) >>> 0
    mul64(kh, kl, MH, ML)
    hh = (hh ^ rH) >>> 0
    hl = (hl ^ rL) >>> 0
    mul64(hh, hl, MH, ML)
    hh = rH
    hl = rL
  }
  const rest = len & 7
  if (rest !== 0) {
    let tl = 0
    let th = 0
    for (let j = 0; j < rest; j++) {
      const b = s.charCodeAt(i + j)
      if (j < 4) tl |= b << (8 * j)
      else th |= b << (8 * (j - 4))
    }
    hh = (hh ^ th) >>> 0
    hl = (hl ^ tl) >>> 0
    mul64(hh, hl, MH, ML)
    hh = rH
    hl = rL
  }
  hl = (hl ^ (hh >>> 15)) >>> 0
  mul64(hh, hl, MH, ML)
  hh = rH
  hl = (rL ^ (rH >>> 15)) >>> 0
  murmurHi = hh
  murmurLo = hl
}
