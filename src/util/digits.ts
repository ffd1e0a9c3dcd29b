/**
 * Decimal digits of non-negative safe integers, written as bytes: the integer replies
 * (writer.ts) and the values INCR stores (numbers.ts intText) both print this way.
 */

/** "00" to "99": two digits per division, as Redis's ull2string does. */
const PAIRS = new Uint8Array(200)
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 0x30 + Math.floor(i / 10)
  PAIRS[2 * i + 1] = 0x30 + (i % 10)
}

/** How many digits n has. */
export function decimalLength(n: number): number {
  if (n < 0x80000000) {
    return n < 100 ? (n < 10 ? 1 : 2) : n < 10000 ? (n < 1000 ? 3 : 4) : n < 1000000 ? (n < 100000 ? 5 : 6)
      : n < 100000000 ? (n < 10000000 ? 7 : 8) : n < 1000000000 ? 9 : 10
  }
  let digits = 10
  for (let t = Math.floor(n / 1e10); t >= 1; t = Math.floor(t / 10)) digits++
  return digits
}

/** Writes n's digits so that the last is at b[end - 1]; returns where the first went. */
export function writeDigits(b: Uint8Array, end: number, n: number): number {
  let p = end
  if (n < 0x80000000) {
    // int32 arithmetic: V8 turns the division into a multiply.
    let m = n | 0
    while (m >= 100) {
      const q = (m / 100) | 0
      const r = (m - q * 100) << 1
      b[--p] = PAIRS[r + 1]
      b[--p] = PAIRS[r]
      m = q
    }
    if (m >= 10) {
      b[--p] = PAIRS[2 * m + 1]
      b[--p] = PAIRS[2 * m]
    } else {
      b[--p] = 0x30 + m
    }
    return p
  }
  do {
    const q = Math.floor(n / 10)
    b[--p] = 0x30 + (n - q * 10)
    n = q
  } while (n > 0)
  return p
}
