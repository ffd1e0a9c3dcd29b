import { LuaError, LuaTable, type LuaResult, type LuaValue } from '../value.js'
import { argError, checkNumber, checkString, optInt } from './aux.js'

/**
 * Roberto Ierusalimschy's struct library (0.2) as Redis bundles it: binary packing
 * driven by a format string. Integers travel as doubles and are cut to their width
 * the way C casts do; sizes up to 32 bytes are accepted for i/I.
 */

const MAXINTSIZE = 32
/** The strictest alignment of the platform (x86-64): '!' without a number. */
const MAXALIGN = 8

interface State {
  little: boolean
  align: number
}

interface Option {
  opt: string
  size: number
}

/** Reads the next option from fmt at pos[0]; header options update the state and yield null. */
function nextOption(fname: string, fmt: string, pos: { i: number }, st: State): Option | null {
  const opt = fmt[pos.i++]
  const readSize = (def: number): number => {
    const m = /^\d+/.exec(fmt.slice(pos.i))
    if (m === null) return def
    pos.i += m[0].length
    return Number(m[0])
  }
  switch (opt) {
    case 'b': case 'B': return { opt, size: 1 }
    case 'h': case 'H': return { opt, size: 2 }
    case 'l': case 'L': case 'T': return { opt, size: 8 }
    case 'f': return { opt, size: 4 }
    case 'd': return { opt, size: 8 }
    case 'x': return { opt, size: 1 }
    case 's': return { opt, size: 0 }
    case 'c': return { opt, size: readSize(1) }
    case 'i': case 'I': {
      const size = readSize(4)
      if (size > MAXINTSIZE) throw new LuaError(`integral size ${size} is larger than limit of ${MAXINTSIZE}`)
      return { opt, size }
    }
    case ' ': return null
    case '>': st.little = false; return null
    case '<': st.little = true; return null
    case '!': {
      const a = readSize(MAXALIGN)
      if ((a & (a - 1)) !== 0) throw new LuaError(`alignment ${a} is not a power of 2`)
      st.align = a
      return null
    }
    default:
      // struct.size lets unknown letters and digits through as zero-sized items.
      if (fname === 'size' && /[0-9A-Za-z]/.test(opt)) return { opt, size: 0 }
      return argError(fname, 1, `invalid format option '${opt}'`)
  }
}

/** Padding before an item at offset len so it sits on min(size, align). */
function padding(len: number, st: State, o: Option): number {
  if (o.size === 0 || o.opt === 'c') return 0
  // Sizes that are not powers of two (i3) give odd paddings; that is struct's arithmetic.
  const a = Math.min(o.size, st.align)
  return (a - (len & (a - 1))) & (a - 1)
}

/** C's conversion of a double to the packed integer: negatives via int64, positives via uint64. */
function toUint64(n: number): bigint {
  if (n !== n) return 1n << 63n
  const t = Math.trunc(n)
  if (t < 0) return t < -9223372036854775808 ? 1n << 63n : BigInt.asUintN(64, BigInt(t))
  return t >= 18446744073709551616 ? 0n : BigInt(t)
}

function putInteger(n: number, size: number, little: boolean): string {
  let v = toUint64(n)
  const bytes: number[] = new Array(size)
  for (let k = 0; k < size; k++) {
    bytes[little ? k : size - 1 - k] = Number(v & 0xffn)
    v >>= 8n
  }
  return String.fromCharCode(...bytes)
}

const fbuf = new DataView(new ArrayBuffer(8))

function putFloat(n: number, size: 4 | 8, little: boolean): string {
  if (size === 4) fbuf.setFloat32(0, n, little)
  else fbuf.setFloat64(0, n, little)
  let s = ''
  for (let k = 0; k < size; k++) s += String.fromCharCode(fbuf.getUint8(k))
  return s
}

/** struct.pack reports a missing value as nil, not "no value". */
function packArg(v: LuaValue, n: number, expected: string): void {
  if (v === undefined) argError('pack', n, `${expected} expected, got nil`)
}

export function createStruct(): LuaTable {
  const t = new LuaTable()
  t.set('pack', (...args: LuaValue[]) => {
    const fmt = checkString('pack', 1, args[0])
    const st: State = { little: true, align: 1 }
    const pos = { i: 0 }
    let out = ''
    let arg = 1
    while (pos.i < fmt.length) {
      const o = nextOption('pack', fmt, pos, st)
      if (o === null) continue
      out += '\0'.repeat(padding(out.length, st, o))
      switch (o.opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
          packArg(args[arg], arg + 1, 'number')
          out += putInteger(checkNumber('pack', arg + 1, args[arg]), o.size, st.little)
          arg++
          break
        case 'x':
          out += '\0'
          break
        case 'f':
        case 'd':
          packArg(args[arg], arg + 1, 'number')
          out += putFloat(checkNumber('pack', arg + 1, args[arg]), o.size as 4 | 8, st.little)
          arg++
          break
        case 'c':
        case 's': {
          packArg(args[arg], arg + 1, 'string')
          const s = checkString('pack', arg + 1, args[arg])
          let size = o.size
          if (o.opt === 's' || size === 0) size = s.length
          // Redis's struct names the argument after this one here.
          if (s.length < size) argError('pack', arg + 2, 'string too short')
          out += s.slice(0, size)
          if (o.opt === 's') out += '\0'
          arg++
          break
        }
      }
    }
    return out
  })
  t.set('unpack', (fv: LuaValue, dv: LuaValue, iv: LuaValue): LuaResult => {
    const fmt = checkString('unpack', 1, fv)
    const data = checkString('unpack', 2, dv)
    const init = optInt('unpack', 3, iv, 1)
    if (init < 1) argError('unpack', 3, 'offset must be 1 or greater')
    let p = init - 1
    const st: State = { little: true, align: 1 }
    const pos = { i: 0 }
    const out: LuaValue[] = []
    while (pos.i < fmt.length) {
      const o = nextOption('unpack', fmt, pos, st)
      if (o === null) continue
      p += padding(p, st, o)
      const need = (size: number) => {
        if (p + size > data.length) argError('unpack', 2, 'data string too short')
      }
      switch (o.opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
          need(o.size)
          let v = 0n
          for (let k = 0; k < o.size; k++) {
            const byte = data.charCodeAt(st.little ? p + o.size - 1 - k : p + k)
            v = BigInt.asUintN(64, (v << 8n) | BigInt(byte))
          }
          const signed = o.opt === 'b' || o.opt === 'h' || o.opt === 'l' || o.opt === 'i'
          if (signed && o.size > 0 && o.size <= 8) v = BigInt.asIntN(o.size * 8, v)
          out.push(Number(v))
          p += o.size
          break
        }
        case 'x':
          p += 1
          break
        case 'f':
        case 'd': {
          need(o.size)
          for (let k = 0; k < o.size; k++) fbuf.setUint8(k, data.charCodeAt(p + k))
          out.push(o.size === 4 ? fbuf.getFloat32(0, st.little) : fbuf.getFloat64(0, st.little))
          p += o.size
          break
        }
        case 'c': {
          let size = o.size
          if (size === 0) {
            // c0 takes its length from the number unpacked just before, which it consumes.
            const prev = out[out.length - 1]
            if (typeof prev !== 'number') throw new LuaError("format 'c0' needs a previous size")
            size = Math.trunc(prev)
            out.pop()
          }
          need(size)
          out.push(data.slice(p, p + size))
          p += size
          break
        }
        case 's': {
          const e = data.indexOf('\0', p)
          if (e < 0) throw new LuaError('unfinished string in data')
          out.push(data.slice(p, e))
          p = e + 1
          break
        }
      }
    }
    out.push(p + 1)
    return out
  })
  t.set('size', (fv: LuaValue) => {
    const fmt = checkString('size', 1, fv)
    const st: State = { little: true, align: 1 }
    const pos = { i: 0 }
    let total = 0
    while (pos.i < fmt.length) {
      const o = nextOption('size', fmt, pos, st)
      if (o === null) continue
      if (o.opt === 's') argError('size', 1, "option 's' has no fixed size")
      if (o.opt === 'c' && o.size === 0) argError('size', 1, "option 'c0' has no fixed size")
      total += padding(total, st, o) + o.size
    }
    return total
  })
  return t
}
