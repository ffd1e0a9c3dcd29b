/**
 * sin, cos and asin rounded correctly (to the nearest double), as glibc's libm
 * gives them in practice. V8's Math.sin/cos/asin (fdlibm) are off by one ulp on a few
 * percent of arguments, which shows in Redis-compatible replies that print full
 * doubles (GEOSEARCHSTORE ... STOREDIST scores). The values are computed in
 * double-double arithmetic (about 106 bits) and rounded once.
 *
 * Only meant for the arguments geo code uses: |x| up to a few π.
 */

/** Veltkamp's splitter for 53-bit doubles: 2^27 + 1. */
const SPLITTER = 134217729

// A double-double is hi + lo with |lo| ≤ ulp(hi)/2; results go through these scratch slots.
let rh = 0
let rl = 0

function twoSum(a: number, b: number): void {
  const s = a + b
  const bb = s - a
  rl = (a - (s - bb)) + (b - bb)
  rh = s
}

function quickTwoSum(a: number, b: number): void {
  const s = a + b
  rl = b - (s - a)
  rh = s
}

function twoProd(a: number, b: number): void {
  const p = a * b
  let t = SPLITTER * a
  const ah = t - (t - a)
  const al = a - ah
  t = SPLITTER * b
  const bh = t - (t - b)
  const bl = b - bh
  rl = ((ah * bh - p) + ah * bl + al * bh) + al * bl
  rh = p
}

function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh)
  const sh = rh
  const sl = rl
  twoSum(al, bl)
  const th = rh
  const tl = rl
  quickTwoSum(sh, sl + th)
  quickTwoSum(rh, rl + tl)
}

function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh)
  const ph = rh
  const pl = rl + (ah * bl + al * bh)
  quickTwoSum(ph, pl)
}

/** 1/n! for n = 0..29 as double-doubles, built by exact-ish division. */
const INV_FACT_HI: number[] = []
const INV_FACT_LO: number[] = []
{
  let h = 1
  let l = 0
  for (let n = 0; n < 30; n++) {
    if (n > 0) {
      // (h + l) / n in double-double.
      const q1 = h / n
      twoProd(q1, n)
      const r = (h - rh - rl + l) / n
      quickTwoSum(q1, r)
      h = rh
      l = rl
    }
    INV_FACT_HI.push(h)
    INV_FACT_LO.push(l)
  }
}

const PIO2_HI = 1.5707963267948966
const PIO2_MID = 6.123233995736766e-17
const PIO2_LO = -1.4973849048591698e-33

/** sin (odd = true) or cos of the double-double r, |r| ≤ π/4, by Taylor series; result in rh/rl. */
function series(h: number, l: number, odd: boolean): void {
  ddMul(h, l, h, l)
  const x2h = rh
  const x2l = rl
  // Horner from the highest term: sum_k (-1)^k x^(2k) / (2k + odd)!
  const start = odd ? 27 : 26
  let sh = INV_FACT_HI[start]
  let sl = INV_FACT_LO[start]
  for (let n = start - 2; n >= 0; n -= 2) {
    ddMul(sh, sl, x2h, x2l)
    ddAdd(INV_FACT_HI[n], INV_FACT_LO[n], -rh, -rl)
    sh = rh
    sl = rl
  }
  if (odd) ddMul(sh, sl, h, l)
  else {
    rh = sh
    rl = sl
  }
}

/** sin(x) (quadrant 0) or cos(x) (quadrant 1) in double-double: result in rh/rl. */
function sinCosDD(x: number, cos: boolean): void {
  const k = Math.round(x / PIO2_HI)
  // r = x - k·π/2, with π/2 to three doubles.
  twoProd(k, PIO2_HI)
  const ph = rh
  const pl = rl
  twoProd(k, PIO2_MID)
  const mh = rh
  const ml = rl + k * PIO2_LO
  ddAdd(x, 0, -ph, -pl)
  ddAdd(rh, rl, -mh, -ml)
  const h = rh
  const l = rl
  const q = (((k + (cos ? 1 : 0)) % 4) + 4) % 4
  // sin(r + qπ/2): q=0 sin r, 1 cos r, 2 -sin r, 3 -cos r.
  series(h, l, q % 2 === 0)
  if (q >= 2) {
    rh = -rh
    rl = -rl
  }
}

export function sin(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) > 1e6) return Math.sin(x)
  if (x === 0) return x
  sinCosDD(x, false)
  return rh + rl
}

export function cos(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) > 1e6) return Math.cos(x)
  sinCosDD(x, true)
  return rh + rl
}

/** asin(y): one Newton step in double-double from V8's estimate. */
export function asin(y: number): number {
  if (!(y > -1 && y < 1) || y === 0) return Math.asin(y)
  const x0 = Math.asin(y)
  sinCosDD(x0, false)
  ddAdd(y, 0, -rh, -rl)
  const delta = (rh + rl) / Math.cos(x0)
  twoSum(x0, delta)
  return rh + rl
}
