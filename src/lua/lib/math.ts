import { LuaError, LuaTable, NO_VALUES, type LuaResult, type LuaValue } from '../value.js'
import { argError, checkNumber } from './aux.js'
import * as rand48 from './rand48.js'

/**
 * Lua 5.1's math library as Redis 7.0 bundles it (with the 5.0 name math.mod), with
 * random/randomseed drawing from Redis's rand48 generator.
 */
export function createMath(): LuaTable {
  const t = new LuaTable()
  const num = (name: string, v: LuaValue) => checkNumber(name, 1, v)
  const def1 = (name: string, f: (x: number) => number) => t.set(name, (x: LuaValue) => f(num(name, x)))
  def1('abs', Math.abs)
  def1('ceil', Math.ceil)
  def1('floor', Math.floor)
  def1('sqrt', Math.sqrt)
  def1('sin', Math.sin)
  def1('cos', Math.cos)
  def1('tan', Math.tan)
  def1('asin', Math.asin)
  def1('acos', Math.acos)
  def1('atan', Math.atan)
  def1('exp', Math.exp)
  def1('log', Math.log)
  def1('log10', Math.log10)
  def1('sinh', Math.sinh)
  def1('cosh', Math.cosh)
  def1('tanh', Math.tanh)
  // 5.1 divides by (and multiplies with) pi/180; the rounding differs from 180/pi.
  def1('deg', (x) => x / RADIANS_PER_DEGREE)
  def1('rad', (x) => x * RADIANS_PER_DEGREE)
  t.set('atan2', (y: LuaValue, x: LuaValue) => Math.atan2(checkNumber('atan2', 1, y), checkNumber('atan2', 2, x)))
  t.set('pow', (x: LuaValue, y: LuaValue) => cPow(checkNumber('pow', 1, x), checkNumber('pow', 2, y)))
  const fmod = (name: string) => (a: LuaValue, b: LuaValue) => cFmod(checkNumber(name, 1, a), checkNumber(name, 2, b))
  t.set('fmod', fmod('fmod'))
  t.set('mod', fmod('mod'))
  t.set('modf', (v: LuaValue): LuaResult => {
    const x = num('modf', v)
    // C's modf: the integral part keeps the sign, and inf has a zero (signed) fraction.
    const ip = x >= 0 ? Math.floor(x) : Math.ceil(x)
    let frac = x === Infinity ? 0 : x === -Infinity ? -0 : x - ip
    if (frac === 0 && (x < 0 || Object.is(x, -0))) frac = -0
    return [ip, frac]
  })
  t.set('frexp', (v: LuaValue): LuaResult => frexp(num('frexp', v)))
  t.set('ldexp', (m: LuaValue, e: LuaValue) => ldexp(checkNumber('ldexp', 1, m), toCInt(checkNumber('ldexp', 2, e))))
  t.set('min', (...args: LuaValue[]) => {
    let m = checkNumber('min', 1, args[0])
    for (let i = 1; i < args.length; i++) {
      const d = checkNumber('min', i + 1, args[i])
      if (d < m) m = d
    }
    return m
  })
  t.set('max', (...args: LuaValue[]) => {
    let m = checkNumber('max', 1, args[0])
    for (let i = 1; i < args.length; i++) {
      const d = checkNumber('max', i + 1, args[i])
      if (d > m) m = d
    }
    return m
  })
  t.set('huge', Infinity)
  t.set('pi', Math.PI)
  t.set('random', (...args: LuaValue[]): LuaResult => {
    // Lua 5.1 maps the generator with `rand() % RAND_MAX / RAND_MAX`, so 2^31-1 itself maps to 0.
    const r = (rand48.next() % rand48.RAND48_MAX) / rand48.RAND48_MAX
    switch (args.length) {
      case 0:
        return r
      case 1: {
        const u = toCInt(checkNumber('random', 1, args[0]))
        if (u < 1) argError('random', 1, 'interval is empty')
        return Math.floor(r * u) + 1
      }
      case 2: {
        const l = toCInt(checkNumber('random', 1, args[0]))
        const u = toCInt(checkNumber('random', 2, args[1]))
        if (l > u) argError('random', 2, 'interval is empty')
        // The width is a C int: the full int32 range wraps to 0 and yields l.
        return Math.floor(r * ((u - l + 1) | 0)) + l
      }
      default:
        throw new LuaError('wrong number of arguments')
    }
  })
  t.set('randomseed', (s: LuaValue): LuaResult => {
    rand48.seed(toCInt(checkNumber('randomseed', 1, s)))
    return NO_VALUES
  })
  return t
}

const RADIANS_PER_DEGREE = Math.PI / 180

/**
 * luaL_checkint: the double goes to a 64-bit integer (out of range gives INT64_MIN,
 * as x86-64 does) and then keeps its low 32 bits, signed.
 */
export function toCInt(d: number): number {
  if (!(Math.abs(d) < 9223372036854775808)) return 0
  const t = Math.trunc(d)
  if (Math.abs(t) <= 0x7fffffff) return t
  return Number(BigInt.asIntN(32, BigInt(t)))
}

/** C fmod: the result has the dividend's sign, and is NaN for a zero divisor or infinite dividend. */
export function cFmod(a: number, b: number): number {
  if (b === 0 || !Number.isFinite(a) || b !== b) return NaN
  if (!Number.isFinite(b)) return a
  return a % b
}

/** C pow differs from JS ** where 1 and -1 meet infinities or NaN. */
function cPow(x: number, y: number): number {
  if (x === 1) return 1
  if (y === 0) return 1
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1
  return x ** y
}

function frexp(x: number): LuaResult {
  if (x === 0 || !Number.isFinite(x)) return [x, 0]
  let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1)
  let m = x * 2 ** -e
  // log2 may be off by one near powers of two; settle the mantissa into [0.5, 1).
  while (Math.abs(m) < 0.5) {
    m *= 2
    e--
  }
  while (Math.abs(m) >= 1) {
    m /= 2
    e++
  }
  return [m, e]
}

function ldexp(m: number, e: number): number {
  // Split the scaling so neither factor overflows or underflows on its own.
  if (e > 1023) {
    m *= 2 ** 1023
    e -= 1023
    if (e > 1023) {
      m *= 2 ** 1023
      e -= 1023
    }
  } else if (e < -1022) {
    m *= 2 ** -1022
    e += 1022
    if (e < -1022) {
      m *= 2 ** -1022
      e += 1022
    }
  }
  return m * 2 ** e
}
