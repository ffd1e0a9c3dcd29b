import { LuaTable, type LuaValue } from '../value.js'
import { checkNumber } from './aux.js'

/**
 * LuaBitOp as Redis bundles it: every operand becomes a signed 32-bit integer and
 * every result is one.
 */

const view = new DataView(new ArrayBuffer(8))

/**
 * LuaBitOp normalises by adding 2^52+2^51 and reading the low word of the double, so
 * fractions round to even, anything is taken mod 2^32, and huge values keep whatever
 * low bits survive the addition (NaN and infinities give 0). Emulating the trick
 * itself reproduces all of that.
 */
export function toBit(x: number): number {
  view.setFloat64(0, x + 6755399441055744)
  return view.getInt32(4)
}

function arg(name: string, n: number, v: LuaValue): number {
  return toBit(checkNumber(name, n, v))
}

export function createBit(): LuaTable {
  const t = new LuaTable()
  t.set('tobit', (x: LuaValue) => arg('tobit', 1, x))
  t.set('bnot', (x: LuaValue) => ~arg('bnot', 1, x))
  const fold = (name: string, op: (a: number, b: number) => number) =>
    t.set(name, (...args: LuaValue[]) => {
      let r = arg(name, 1, args[0])
      for (let i = 1; i < args.length; i++) r = op(r, arg(name, i + 1, args[i]))
      return r
    })
  fold('band', (a, b) => a & b)
  fold('bor', (a, b) => a | b)
  fold('bxor', (a, b) => a ^ b)
  const shift = (name: string, op: (a: number, n: number) => number) =>
    t.set(name, (x: LuaValue, n: LuaValue) => op(arg(name, 1, x), arg(name, 2, n) & 31))
  shift('lshift', (a, n) => a << n)
  shift('rshift', (a, n) => (a >>> n) | 0)
  shift('arshift', (a, n) => a >> n)
  shift('rol', (a, n) => (a << n) | (a >>> (32 - n)))
  shift('ror', (a, n) => (a >>> n) | (a << (32 - n)))
  t.set('bswap', (x: LuaValue) => {
    const b = arg('bswap', 1, x)
    return ((b >>> 24) | ((b >> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)) | 0
  })
  t.set('tohex', (x: LuaValue, nv: LuaValue) => {
    const b = arg('tohex', 1, x)
    let n = nv === undefined ? 8 : arg('tohex', 2, nv)
    let digits = '0123456789abcdef'
    // Redis's build prints INT32_MIN (whose negation overflows) as 8 lowercase digits.
    if (n === -2147483648) n = 8
    if (n < 0) {
      n = -n
      digits = '0123456789ABCDEF'
    }
    if (n > 8) n = 8
    let s = ''
    for (let i = 0, v = b; i < n; i++, v >>>= 4) s = digits[v & 15] + s
    return s
  })
  return t
}
