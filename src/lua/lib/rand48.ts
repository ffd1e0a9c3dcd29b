/**
 * The 48-bit linear congruential generator Redis gives Lua's math.random
 * (redisLrand48: the drand48 family's constants). Its state is process-wide and is
 * not reset between scripts in Redis 7.0: a fresh server's first math.random() is
 * always 0.39646477363839, and each later script continues the sequence.
 *
 * The state is kept as three 16-bit limbs so the 48-bit multiply stays exact in doubles.
 */
const A0 = 0xe66d
const A1 = 0xdeec
const A2 = 0x0005
const C = 0xb

let x0 = 0x330e
let x1 = 0xabcd
let x2 = 0x1234

/** Back to the unseeded state of a freshly started server. */
export function reset(): void {
  x0 = 0x330e
  x1 = 0xabcd
  x2 = 0x1234
}

/** srand48: the seed's 32 bits become the high limbs, the low limb is fixed. */
export function seed(s: number): void {
  const u = s >>> 0
  x0 = 0x330e
  x1 = u & 0xffff
  x2 = u >>> 16
}

/** The next 31-bit value (the top bits of the state), as lrand48 returns it. */
export function next(): number {
  // Schoolbook multiply by limbs; every partial product stays below 2^53.
  const p0 = A0 * x0 + C
  const p1 = A0 * x1 + A1 * x0 + Math.floor(p0 / 0x10000)
  const p2 = A0 * x2 + A1 * x1 + A2 * x0 + Math.floor(p1 / 0x10000)
  x0 = p0 % 0x10000
  x1 = p1 % 0x10000
  x2 = p2 % 0x10000
  return x2 * 0x8000 + (x1 >>> 1)
}

export const RAND48_MAX = 0x7fffffff
