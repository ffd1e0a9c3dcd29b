import { LuaError, type LuaValue } from '../value.js'
import { argError, checkNumber, checkString } from './aux.js'

/**
 * string.format as Lua 5.1 does it in Redis 7.0: each item is handed to C's sprintf
 * (glibc, x86-64), so this reproduces printf's conversions exactly, including the
 * casts 5.1 applies first (%d takes a long, %x an unsigned long, %c an int) and the
 * digits of %e/%f/%g, which must match glibc's correctly rounded output.
 */

const FLAG_MINUS = 1
const FLAG_PLUS = 2
const FLAG_SPACE = 4
const FLAG_HASH = 8
const FLAG_ZERO = 16

interface Spec {
  flags: number
  width: number
  /** -1 when absent. */
  precision: number
}

const spec: Spec = { flags: 0, width: 0, precision: -1 }

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** Reads flags, width and precision after a '%' into `spec`; returns the index of the conversion. */
function scanSpec(fmt: string, i: number): number {
  const start = i
  let flags = 0
  for (;;) {
    const c = fmt.charCodeAt(i)
    if (c === 0x2d) flags |= FLAG_MINUS
    else if (c === 0x2b) flags |= FLAG_PLUS
    else if (c === 0x20) flags |= FLAG_SPACE
    else if (c === 0x23) flags |= FLAG_HASH
    else if (c === 0x30) flags |= FLAG_ZERO
    else break
    i++
  }
  // 5.1 counts flag characters, not repeats: five are allowed, whatever they are.
  if (i - start >= 6) throw new LuaError('invalid format (repeated flags)')
  let width = 0
  if (isDigit(fmt.charCodeAt(i))) width = fmt.charCodeAt(i++) - 0x30
  if (isDigit(fmt.charCodeAt(i))) width = width * 10 + fmt.charCodeAt(i++) - 0x30
  let precision = -1
  if (fmt.charCodeAt(i) === 0x2e) {
    i++
    precision = 0
    if (isDigit(fmt.charCodeAt(i))) precision = fmt.charCodeAt(i++) - 0x30
    if (isDigit(fmt.charCodeAt(i))) precision = precision * 10 + fmt.charCodeAt(i++) - 0x30
  }
  if (isDigit(fmt.charCodeAt(i))) throw new LuaError('invalid format (width or precision too long)')
  spec.flags = flags
  spec.width = width
  spec.precision = precision
  return i
}

export function format(...args: LuaValue[]): string {
  const fmt = checkString('format', 1, args[0])
  const top = args.length
  let arg = 0
  let out = ''
  let i = 0
  const n = fmt.length
  while (i < n) {
    const pct = fmt.indexOf('%', i)
    if (pct < 0) {
      out += i === 0 ? fmt : fmt.slice(i)
      break
    }
    if (pct > i) out += fmt.slice(i, pct)
    i = pct + 1
    if (i < n && fmt.charCodeAt(i) === 0x25) {
      out += '%'
      i++
      continue
    }
    if (++arg >= top) argError('format', arg + 1, 'no value')
    i = scanSpec(fmt, i)
    const conv = i < n ? fmt.charCodeAt(i) : 0
    i++
    const v = args[arg]
    const narg = arg + 1
    switch (conv) {
      case 0x64: case 0x69: // d i
        out += formatInteger(toLong(checkNumber('format', narg, v, top)), 10, false, true)
        break
      case 0x75: // u
        out += formatInteger(toUnsignedLong(checkNumber('format', narg, v, top)), 10, false, false)
        break
      case 0x6f: // o
        out += formatInteger(toUnsignedLong(checkNumber('format', narg, v, top)), 8, false, false)
        break
      case 0x78: // x
        out += formatInteger(toUnsignedLong(checkNumber('format', narg, v, top)), 16, false, false)
        break
      case 0x58: // X
        out += formatInteger(toUnsignedLong(checkNumber('format', narg, v, top)), 16, true, false)
        break
      case 0x63: // c
        out += formatChar(checkNumber('format', narg, v, top))
        break
      case 0x65: case 0x45: case 0x66: case 0x67: case 0x47: // e E f g G
        out += formatFloat(checkNumber('format', narg, v, top), conv)
        break
      case 0x71: // q
        out += quoted(checkString('format', narg, v, top))
        break
      case 0x73: { // s
        const s = checkString('format', narg, v, top)
        // 5.1 passes long strings through untouched when there is no precision.
        if (spec.precision < 0 && s.length >= 100) out += s
        else out += formatString(s)
        break
      }
      default:
        // 5.1 builds the message as a C string, so a NUL option shows as nothing.
        throw new LuaError(`invalid option '%${conv === 0 ? '' : String.fromCharCode(conv)}' to 'format'`)
    }
  }
  return out
}

/** (long)d on x86-64: truncation, and LONG_MIN for NaN and anything out of range. */
function toLong(d: number): bigint | number {
  if (d > -9007199254740992 && d < 9007199254740992) return Math.trunc(d)
  if (d >= -9223372036854775808 && d < 9223372036854775808) return BigInt(d)
  return -9223372036854775808n
}

/** (unsigned long)d as gcc compiles it on x86-64 (negative values wrap through long). */
function toUnsignedLong(d: number): bigint | number {
  if (d >= 0 && d < 9007199254740992) return Math.trunc(d)
  if (d >= 9223372036854775808) {
    // gcc subtracts 2^63, converts, and flips the top bit back; out of range gives 0.
    return d < 18446744073709551616 ? BigInt(d) : 0n
  }
  const l = toLong(d)
  return BigInt.asUintN(64, BigInt(l))
}

/** printf's %d/%u/%o/%x/%X of an integer already cast as C would. */
function formatInteger(v: bigint | number, radix: number, upper: boolean, signed: boolean): string {
  const negative = v < 0
  const zero = v === 0 || v === 0n
  let digits = typeof v === 'number' ? Math.abs(v).toString(radix) : (negative ? -v : v).toString(radix)
  if (upper) digits = digits.toUpperCase()
  const { flags, precision } = spec
  if (precision >= 0) {
    // An explicit precision of 0 prints no digits for 0.
    if (precision === 0 && digits === '0') digits = ''
    if (digits.length < precision) digits = '0'.repeat(precision - digits.length) + digits
  }
  let prefix = ''
  if (signed) {
    if (negative) prefix = '-'
    else if (flags & FLAG_PLUS) prefix = '+'
    else if (flags & FLAG_SPACE) prefix = ' '
  } else if (flags & FLAG_HASH && radix !== 10) {
    if (radix === 8) {
      if (digits.charCodeAt(0) !== 0x30) digits = '0' + digits
    } else if (!zero) {
      prefix = upper ? '0X' : '0x'
    }
  }
  return pad(prefix, digits, (flags & FLAG_ZERO) !== 0 && precision < 0)
}

/** Pads to the width: left-justified, zero-filled after the sign, or right-justified. */
function pad(prefix: string, body: string, zeroFill: boolean): string {
  const { flags, width } = spec
  const len = prefix.length + body.length
  if (len >= width) return prefix + body
  if (flags & FLAG_MINUS) return prefix + body + ' '.repeat(width - len)
  if (zeroFill) return prefix + '0'.repeat(width - len) + body
  return ' '.repeat(width - len) + prefix + body
}

/**
 * %c: (int)d, printed as one byte. 5.1 copies the result up to its first NUL, so
 * char 0 is dropped along with anything after it.
 */
function formatChar(d: number): string {
  const i = d > -2147483649 && d < 2147483648 ? Math.trunc(d) : 0
  const ch = String.fromCharCode(i & 0xff)
  const { flags, width } = spec
  const padding = width > 1 ? ' '.repeat(width - 1) : ''
  const full = flags & FLAG_MINUS ? ch + padding : padding + ch
  const nul = full.indexOf('\0')
  return nul < 0 ? full : full.slice(0, nul)
}

/** %s through sprintf: the string ends at its first NUL, then precision and width apply. */
function formatString(s: string): string {
  const nul = s.indexOf('\0')
  if (nul >= 0) s = s.slice(0, nul)
  if (spec.precision >= 0 && s.length > spec.precision) s = s.slice(0, spec.precision)
  return pad('', s, false)
}

/** %q: a string Lua can read back, with 5.1's escapes (a newline stays a backslash-newline). */
export function quoted(s: string): string {
  let out = '"'
  let from = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    let esc: string
    if (c === 0x22) esc = '\\"'
    else if (c === 0x5c) esc = '\\\\'
    else if (c === 0x0a) esc = '\\\n'
    else if (c === 0x0d) esc = '\\r'
    else if (c === 0) esc = '\\000'
    else continue
    out += s.slice(from, i) + esc
    from = i + 1
  }
  return out + s.slice(from) + '"'
}

function formatFloat(d: number, conv: number): string {
  const { flags } = spec
  const upper = conv === 0x45 || conv === 0x47
  const negative = d < 0 || Object.is(d, -0) || (d !== d && nanIsNegative(d))
  const prefix = negative ? '-' : flags & FLAG_PLUS ? '+' : flags & FLAG_SPACE ? ' ' : ''
  let body: string
  if (d !== d || d === Infinity || d === -Infinity) {
    body = d !== d ? 'nan' : 'inf'
    if (upper) body = body.toUpperCase()
    // glibc never zero-fills infinities and NaNs.
    return pad(prefix, body, false)
  }
  const a = Math.abs(d)
  const precision = spec.precision < 0 ? 6 : spec.precision
  const hash = (flags & FLAG_HASH) !== 0
  if (conv === 0x66) {
    body = fixed(a, precision)
    if (hash && precision === 0) body += '.'
  } else if (conv === 0x65 || conv === 0x45) {
    body = exponential(a, precision, hash)
  } else {
    body = general(a, precision === 0 ? 1 : precision, hash)
  }
  if (upper) body = body.toUpperCase()
  return pad(prefix, body, (flags & FLAG_ZERO) !== 0)
}

const nanView = new DataView(new ArrayBuffer(8))

function nanIsNegative(d: number): boolean {
  nanView.setFloat64(0, d)
  return (nanView.getUint8(0) & 0x80) !== 0
}

/** A finite non-negative double as an exact fraction mantissa * 2^exp2. */
function decompose(a: number): { mantissa: bigint; exp2: number } {
  nanView.setFloat64(0, a)
  const hi = nanView.getUint32(0)
  const biased = (hi >>> 20) & 0x7ff
  let m = (hi & 0xfffff) * 2 ** 32 + nanView.getUint32(4)
  let exp2 = -1074
  if (biased !== 0) {
    m += 2 ** 52
    exp2 = biased - 1075
  }
  return { mantissa: BigInt(m), exp2 }
}

/**
 * Whether a * 10^scale lies exactly halfway between two integers. JavaScript's
 * toFixed and toExponential are exact except there: they round such ties up, where
 * glibc rounds them to even.
 */
function isTie(a: number, scale: number): boolean {
  const { mantissa, exp2 } = decompose(a)
  if (mantissa === 0n) return false
  let m = Number(mantissa)
  let e = exp2
  while (m % 2 === 0) {
    m /= 2
    e++
  }
  // a * 10^scale * 2 = m * 5^scale * 2^(e + scale + 1) must be an odd integer.
  if (e + scale + 1 !== 0) return false
  return scale >= 0 || (-scale <= 22 && m % 5 ** -scale === 0)
}

/** After a tie was rounded up, the even neighbour: an odd last digit comes down by one (never borrows). */
function toEven(digits: string): string {
  const last = digits.charCodeAt(digits.length - 1)
  return (last & 1) === 1 ? digits.slice(0, -1) + String.fromCharCode(last - 1) : digits
}

/** %.<precision>f of a non-negative finite double, exactly as glibc prints it. */
function fixed(a: number, precision: number): string {
  if (a < 1e21) {
    const text = a.toFixed(precision)
    return isTie(a, precision) ? toEven(text) : text
  }
  // toFixed switches to exponential form here; such doubles are integers, printed in full.
  const digits = BigInt(a).toString()
  return precision === 0 ? digits : digits + '.' + '0'.repeat(precision)
}

/** The precision + 1 significant digits of a (> 0) rounded, and the decimal exponent of the first. */
function significant(a: number, precision: number): { digits: string; exp10: number } {
  const text = a.toExponential(precision)
  const e = text.indexOf('e')
  const exp10 = Number(text.slice(e + 1))
  let digits = precision === 0 ? text.slice(0, e) : text.slice(0, 1) + text.slice(2, e)
  // A tie that carried into a new leading digit ends in 0, which is already even.
  if (isTie(a, precision - exp10)) digits = toEven(digits)
  return { digits, exp10 }
}

function exponentText(e: number): string {
  const abs = Math.abs(e)
  return (e < 0 ? 'e-' : 'e+') + (abs < 10 ? '0' + abs : String(abs))
}

function exponential(a: number, precision: number, hash: boolean): string {
  let digits: string
  let exp10 = 0
  if (a === 0) {
    digits = '0'.repeat(precision + 1)
  } else {
    const sig = significant(a, precision)
    digits = sig.digits
    exp10 = sig.exp10
  }
  let mantissa = digits.slice(0, 1)
  if (precision > 0 || hash) mantissa += '.' + digits.slice(1)
  return mantissa + exponentText(exp10)
}

/** %g: %e or %f by the exponent, trailing zeros removed unless '#'. */
function general(a: number, precision: number, hash: boolean): string {
  let exp10 = 0
  if (a !== 0) exp10 = significant(a, precision - 1).exp10
  let body: string
  if (exp10 < -4 || exp10 >= precision) {
    body = exponential(a, precision - 1, hash)
    if (!hash) {
      const e = body.indexOf('e')
      body = trimFraction(body.slice(0, e)) + body.slice(e)
    }
  } else {
    body = fixed(a, precision - 1 - exp10)
    if (hash) {
      if (body.indexOf('.') < 0) body += '.'
    } else {
      body = trimFraction(body)
    }
  }
  return body
}

function trimFraction(s: string): string {
  if (s.indexOf('.') < 0) return s
  let end = s.length
  while (s.charCodeAt(end - 1) === 0x30) end--
  if (s.charCodeAt(end - 1) === 0x2e) end--
  return s.slice(0, end)
}
