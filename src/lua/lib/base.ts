import {
  LuaError, LuaTable, READONLY_TABLE, LuaUserdata, NO_VALUES, numberToString, stringToNumber, typeName,
  type LuaFunction, type LuaResult, type LuaValue,
} from '../value.js'
import { LuaAbort, allOf, callable, errorAtLevel, errorNoPosition, firstOf, ipairsStep, isTruthy, metaOf, settleError, unnamedArgError } from '../runtime.js'
import { argError, checkAny, checkInt, checkString, checkTable, optInt, typeError } from './aux.js'
import { chunkId, compile } from '../compiler.js'

/** Lua 5.1's base library as Redis's sandbox keeps it (no print, dofile, loadfile, require). */

const addresses = new WeakMap<object, number>()
let nextAddress = 0x55a4c0e01000

/** A stable, unique pseudo-address per object, printed as %p would. */
export function addressOf(v: object): string {
  let a = addresses.get(v)
  if (a === undefined) {
    a = nextAddress
    nextAddress += 0x40
    addresses.set(v, a)
  }
  return `0x${a.toString(16)}`
}

export function tostring(v: LuaValue): string {
  const mt = metaOf(v)
  if (mt !== null) {
    const h = mt.getStr('__tostring')
    if (h !== undefined) {
      const r = firstOf(callable(h)(v))
      if (typeof r !== 'string' && typeof r !== 'number') throw new LuaError("'__tostring' must return a string")
      return typeof r === 'number' ? numberToString(r) : r
    }
  }
  switch (typeof v) {
    case 'undefined': return 'nil'
    case 'boolean': return v ? 'true' : 'false'
    case 'number': return numberToString(v)
    case 'string': return v
    default: return `${typeName(v)}: ${addressOf(v as object)}`
  }
}

function tonumber(v: LuaValue, base: LuaValue): LuaValue {
  const argc = arguments.length
  // Base 10 is the ordinary conversion in 5.1 (decimals and exponents included).
  if (base === undefined || base === 10 || base === '10') {
    if (typeof v === 'number') return v
    if (typeof v === 'string') return stringToNumber(v)
    // luaL_checkany: tonumber() with no argument at all (an explicit nil is fine).
    if (argc === 0) argError('tonumber', 1, 'value expected')
    return undefined
  }
  const b = checkInt('tonumber', 2, base, argc)
  const s = checkString('tonumber', 1, v, argc)
  if (b < 2 || b > 36) argError('tonumber', 2, 'base out of range')
  // strtoul: leading space, optional sign, "0x" allowed in base 16, then trailing space only.
  const m = /^[\t\n\v\f\r ]*([+-]?)(.*?)[\t\n\v\f\r ]*$/s.exec(s)!
  let digits = m[2]
  if (b === 16 && /^0[xX]/.test(digits)) digits = digits.slice(2)
  if (digits === '') return undefined
  let n = 0
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i)
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : c >= 65 && c <= 90 ? c - 55 : 99
    if (d >= b) return undefined
    n = n * b + d
  }
  // strtoul negates in unsigned arithmetic: "-ff" is 2^64 - 255.
  return m[1] === '-' && n !== 0 ? 2 ** 64 - n : n
}

function next(t: LuaValue, k: LuaValue): LuaResult {
  const r = checkTable('next', 1, t, arguments.length).next(k)
  return r === undefined ? undefined : r
}

function select(n: LuaValue, ...args: LuaValue[]): LuaResult {
  if (n === '#') return args.length
  const i = checkInt('select', 1, n)
  // Negative indexes count from the end: -1 is the last argument.
  const start = i < 0 ? args.length + i : i - 1
  if (i === 0 || start < 0) argError('select', 1, 'index out of range')
  const rest = args.slice(start)
  return rest.length === 1 ? rest[0] : rest
}

function unpack(t: LuaValue, i: LuaValue, j: LuaValue): LuaResult {
  const tab = checkTable('unpack', 1, t, arguments.length)
  const from = optInt('unpack', 2, i, 1)
  const to = j === undefined ? tab.length() : checkInt('unpack', 3, j)
  if (from > to) return NO_VALUES
  const n = to - from + 1
  // lua_checkstack's limit (LUAI_MAXCSTACK) in PUC Lua 5.1.
  if (n >= 8000) throw new LuaError('too many results to unpack')
  if (n === 1) return tab.get(from)
  const out: LuaValue[] = new Array(n)
  for (let k = 0; k < n; k++) out[k] = tab.get(from + k)
  return out
}

function pcall(f: LuaValue, ...args: LuaValue[]): LuaResult {
  checkAny('pcall', 1, f)
  try {
    const r = callable(f)(...args)
    if (!Array.isArray(r)) return [true, r]
    return [true, ...r]
  } catch (e) {
    if (e instanceof LuaAbort) throw e
    return [false, settleError(unnamedArgError(e))]
  }
}

function xpcall(f: LuaValue, handler: LuaValue): LuaResult {
  try {
    const r = callable(f)()
    return [true, ...allOf(r)]
  } catch (e) {
    if (e instanceof LuaAbort) throw e
    const v = settleError(unnamedArgError(e))
    return [false, firstOf(callable(handler)(v))]
  }
}

function setmetatable(t: LuaValue, mt: LuaValue): LuaValue {
  const tab = checkTable('setmetatable', 1, t, arguments.length)
  if (mt !== undefined && !(mt instanceof LuaTable)) argError('setmetatable', 2, 'nil or table expected')
  if (tab.readonly) throw errorNoPosition(READONLY_TABLE)
  if (tab.metatable !== null && tab.metatable.getStr('__metatable') !== undefined) {
    throw new LuaError('cannot change a protected metatable')
  }
  tab.metatable = (mt as LuaTable | undefined) ?? null
  return tab
}

function getmetatable(v: LuaValue): LuaValue {
  const mt = metaOf(v)
  if (mt === null) return undefined
  const protectedMt = mt.getStr('__metatable')
  return protectedMt !== undefined ? protectedMt : mt
}

/** Installs the base functions into `g` (the globals table). */
export function openBase(g: LuaTable): void {
  const fns: Record<string, LuaFunction> = {
    assert: (...a) => {
      if (a.length === 0) argError('assert', 1, 'value expected')
      if (!isTruthy(a[0])) throw new LuaError(a[1] === undefined ? 'assertion failed!' : checkString('assert', 2, a[1]))
      return a.length === 1 ? a[0] : a
    },
    error: (v, level) => {
      throw errorAtLevel(v, optInt('error', 2, level, 1))
    },
    pcall,
    xpcall,
    type: (...a) => {
      if (a.length === 0) argError('type', 1, 'value expected')
      return typeName(a[0])
    },
    tostring: (...a) => {
      if (a.length === 0) argError('tostring', 1, 'value expected')
      return tostring(a[0])
    },
    tonumber,
    ipairs(t) {
      return [ipairsStep, checkTable('ipairs', 1, t, arguments.length), 0]
    },
    pairs(t) {
      return [next, checkTable('pairs', 1, t, arguments.length), undefined]
    },
    next,
    select,
    unpack,
    rawget(t, k) {
      return checkTable('rawget', 1, t, arguments.length).get(k)
    },
    rawset(t, k, v) {
      const tab = checkTable('rawset', 1, t, arguments.length)
      // Raised inside a host function, so without a position, as Lua's own rawset.
      if (tab.readonly) throw errorNoPosition(READONLY_TABLE)
      tab.set(k, v)
      return t
    },
    rawequal: (a, b) => a === b,
    setmetatable,
    getmetatable,
    loadstring: (s, name) => {
      const src = checkString('loadstring', 1, s)
      if (src.startsWith('\x1bLua')) return [undefined, 'loadstring: binary chunks are not allowed']
      try {
        return compile(src, chunkId(name === undefined ? src : checkString('loadstring', 2, name)), g)
      } catch (e) {
        return [undefined, settleError(e)]
      }
    },
    load: (f, name) => {
      if (typeof f !== 'function') return typeError('load', 1, 'function', f)
      // The reader returns pieces until nil or an empty string.
      let src = ''
      for (;;) {
        const piece = firstOf(f())
        if (piece === undefined || piece === '') break
        if (typeof piece !== 'string') return [undefined, 'reader function must return a string']
        src += piece
      }
      try {
        return compile(src, chunkId(name === undefined ? '=(load)' : checkString('load', 2, name)), g)
      } catch (e) {
        return [undefined, settleError(e)]
      }
    },
    gcinfo: () => Math.floor(process.memoryUsage().heapUsed / 1024),
    collectgarbage: (opt) => {
      const o = opt === undefined ? 'collect' : checkString('collectgarbage', 1, opt)
      if (o === 'count') return process.memoryUsage().heapUsed / 1024
      if (['collect', 'stop', 'restart', 'step', 'setpause', 'setstepmul'].includes(o)) return 0
      return argError('collectgarbage', 1, `invalid option '${o}'`)
    },
  }
  for (const [name, f] of Object.entries(fns)) g.set(name, f)
  g.set('_G', g)
  g.set('_VERSION', 'Lua 5.1')
}

export { LuaUserdata }
