import {
  LuaError, LuaTable, NO_VALUES, first, numberToString, truthy, typeName,
  type LuaFunction, type LuaResult, type LuaValue,
} from '../value.js'
import { argError, checkNumber, checkString } from './aux.js'
import { format } from './format.js'
import { acquireMatchState, hasSpecials, MatchState, releaseMatchState } from './lpattern.js'

/**
 * Lua 5.1's string library as Redis 7.0 exposes it. Strings are byte strings (latin1
 * JS strings); case mapping and classes follow the C locale, so only ASCII letters
 * change case. Errors carry 5.1's texts; the caller adds the script position.
 */
export function createStringLibrary(): LuaTable {
  const lib = new LuaTable()
  const fns: Record<string, LuaFunction> = {
    byte, char, dump, find, format, gmatch, gsub, len, lower, match, rep, reverse, sub, upper,
    // 5.1 keeps its old name for compatibility (LUA_COMPAT_GFIND), and Redis has it.
    gfind: gmatch,
  }
  for (const name of Object.keys(fns)) lib.set(name, fns[name])
  return lib
}

/** 5.1's stack limit (LUAI_MAXCSTACK): byte() cannot return more values than this. */
const MAX_C_STACK = 8000

/** C's (long)d on x86-64: truncation toward zero, LONG_MIN for NaN and out of range. */
function castLong(d: number): number {
  if (d >= -9223372036854775808 && d < 9223372036854775808) return Math.trunc(d)
  return -9223372036854775808
}

function intArg(fname: string, n: number, v: LuaValue): number {
  return castLong(checkNumber(fname, n, v))
}

function optIntArg(fname: string, n: number, v: LuaValue, def: number): number {
  return v === undefined ? def : intArg(fname, n, v)
}

/** A string position from the end when negative (-1 is the last byte), clamped at 0. */
function relative(pos: number, len: number): number {
  if (pos < 0) pos += len + 1
  return pos >= 0 ? pos : 0
}

function len(s: LuaValue): number {
  return checkString('len', 1, s).length
}

/** string.sub(s, i [, j]) */
function sub(s: LuaValue, i: LuaValue, j: LuaValue): string {
  const str = checkString('sub', 1, s)
  const l = str.length
  let start = relative(intArg('sub', 2, i), l)
  let end = relative(optIntArg('sub', 3, j, -1), l)
  if (start < 1) start = 1
  if (end > l) end = l
  return start <= end ? str.slice(start - 1, end) : ''
}

function upper(s: LuaValue): string {
  const str = checkString('upper', 1, s)
  // Only ASCII letters change in the C locale; JS would also map latin1 letters.
  if (!/[^\x00-\x7f]/.test(str)) return str.toUpperCase()
  let out = ''
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i)
    out += String.fromCharCode(c >= 0x61 && c <= 0x7a ? c - 0x20 : c)
  }
  return out
}

function lower(s: LuaValue): string {
  const str = checkString('lower', 1, s)
  if (!/[^\x00-\x7f]/.test(str)) return str.toLowerCase()
  let out = ''
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i)
    out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c)
  }
  return out
}

function reverse(s: LuaValue): string {
  const str = checkString('reverse', 1, s)
  let out = ''
  for (let i = str.length - 1; i >= 0; i--) out += str[i]
  return out
}

/** V8's longest string; 5.1 would fail its allocation with this message. */
const MAX_STRING = 2 ** 29 - 24

function rep(s: LuaValue, n: LuaValue): string {
  const str = checkString('rep', 1, s)
  const count = intArg('rep', 2, n)
  if (count <= 0 || str.length === 0) return ''
  if (str.length * count > MAX_STRING) throw new LuaError('not enough memory')
  return str.repeat(count)
}

/** string.byte(s [, i [, j]]) */
function byte(...args: LuaValue[]): LuaResult {
  const str = checkString('byte', 1, args[0])
  const l = str.length
  let posi = relative(optIntArg('byte', 2, args[1], 1), l)
  let pose = relative(optIntArg('byte', 3, args[2], posi), l)
  if (posi <= 0) posi = 1
  if (pose > l) pose = l
  if (posi > pose) return NO_VALUES
  const n = pose - posi + 1
  if (n + args.length > MAX_C_STACK) throw new LuaError('stack overflow (string slice too long)')
  if (n === 1) return str.charCodeAt(posi - 1)
  const out = new Array<LuaValue>(n)
  for (let k = 0; k < n; k++) out[k] = str.charCodeAt(posi - 1 + k)
  return out
}

function char(...args: LuaValue[]): string {
  let out = ''
  for (let i = 0; i < args.length; i++) {
    const d = checkNumber('char', i + 1, args[i])
    // luaL_checkint: through long to int, keeping the low 32 bits.
    const c = d >= -9223372036854775808 && d < 9223372036854775808 ? Math.trunc(d) | 0 : 0
    if (c < 0 || c > 255) argError('char', i + 1, 'invalid value')
    out += String.fromCharCode(c)
  }
  return out
}

/** Functions here are never bytecode, so there is nothing to dump (Redis would dump Lua ones). */
function dump(f: LuaValue): never {
  if (typeof f !== 'function') argError('dump', 1, `function expected, got ${f === undefined ? 'no value' : typeName(f)}`)
  throw new LuaError('unable to dump given function')
}

function find(s: LuaValue, p: LuaValue, init: LuaValue, plain: LuaValue): LuaResult {
  return findAux('find', true, s, p, init, plain)
}

function match(s: LuaValue, p: LuaValue, init: LuaValue): LuaResult {
  return findAux('match', false, s, p, init, undefined)
}

function findAux(fname: string, isFind: boolean, s: LuaValue, p: LuaValue, init: LuaValue, plain: LuaValue): LuaResult {
  const str = checkString(fname, 1, s)
  const pat = checkString(fname, 2, p)
  const l = str.length
  let start = relative(optIntArg(fname, 3, init, 1), l) - 1
  if (start < 0) start = 0
  else if (start > l) start = l
  if (isFind && (truthy(plain) || !hasSpecials(pat))) {
    const at = str.indexOf(pat, start)
    return at < 0 ? undefined : [at + 1, at + pat.length]
  }
  const ms = acquireMatchState(str, pat)
  try {
    const anchor = pat.charCodeAt(0) === 0x5e
    const p0 = anchor ? 1 : 0
    let s1 = start
    do {
      const e = ms.match(s1, p0)
      if (e >= 0) {
        if (!isFind) {
          const caps = ms.captures(s1, e, true)
          return caps.length === 1 ? caps[0] : caps
        }
        if (ms.level === 0) return [s1 + 1, e]
        const caps = ms.captures(s1, e, false)
        return [s1 + 1, e, ...caps]
      }
    } while (s1++ < l && !anchor)
    return undefined
  } finally {
    releaseMatchState(ms)
  }
}

/** string.gmatch(s, pattern): an iterator over successive matches; "^" is not an anchor here. */
function gmatch(s: LuaValue, p: LuaValue): LuaFunction {
  const str = checkString('gmatch', 1, s)
  const pat = checkString('gmatch', 2, p)
  const ms = new MatchState(str, pat)
  let pos = 0
  return () => {
    for (let src = pos; src <= str.length; src++) {
      const e = ms.match(src, 0)
      if (e >= 0) {
        // An empty match moves on by one so the iteration ends.
        pos = e === src ? e + 1 : e
        const caps = ms.captures(src, e, true)
        return caps.length === 1 ? caps[0] : caps
      }
    }
    pos = str.length + 1
    return NO_VALUES
  }
}

/** string.gsub(s, pattern, repl [, n]) */
function gsub(s: LuaValue, p: LuaValue, repl: LuaValue, maxN: LuaValue): LuaResult {
  const str = checkString('gsub', 1, s)
  const pat = checkString('gsub', 2, p)
  const l = str.length
  const max = optIntArg('gsub', 4, maxN, l + 1)
  const kind = typeof repl
  if (kind !== 'number' && kind !== 'string' && kind !== 'function' && !(repl instanceof LuaTable)) {
    argError('gsub', 3, 'string/function/table expected')
  }
  const template = kind === 'number' ? numberToString(repl as number) : kind === 'string' ? (repl as string) : undefined
  const ms = acquireMatchState(str, pat)
  try {
    return replaceAll(ms, str, repl, template, max, pat.charCodeAt(0) === 0x5e)
  } finally {
    releaseMatchState(ms)
  }
}

/** gsub's loop over matches, with a state the caller releases. */
function replaceAll(ms: MatchState, str: string, repl: LuaValue, template: string | undefined, max: number, anchor: boolean): LuaResult {
  const l = str.length
  const simple = template !== undefined && template.indexOf('%') < 0
  const p0 = anchor ? 1 : 0
  let out = ''
  let src = 0
  /** Start of the text not yet copied to out: copying runs at once is cheaper than per byte. */
  let copied = 0
  let n = 0
  while (n < max) {
    const e = ms.match(src, p0)
    if (e >= 0) {
      n++
      out += str.slice(copied, src)
      if (simple) out += template
      else if (template !== undefined) out += expand(ms, template, src, e)
      else out += replacementValue(ms, repl, src, e)
      copied = e
    }
    if (e >= 0 && e > src) src = e
    else if (src < l) src++
    else break
    if (anchor) break
  }
  out += str.slice(copied)
  return [out, n]
}

/** A replacement string's %0-%9 and %x escapes; a lone '%' at the end adds a NUL, as 5.1 reads past it. */
function expand(ms: MatchState, template: string, s: number, e: number): string {
  let out = ''
  const tl = template.length
  for (let i = 0; i < tl; i++) {
    const c = template.charCodeAt(i)
    if (c !== 0x25) {
      out += template[i]
      continue
    }
    i++
    const d = i < tl ? template.charCodeAt(i) : 0
    if (d < 0x30 || d > 0x39) {
      out += String.fromCharCode(d)
    } else if (d === 0x30) {
      out += ms.src.slice(s, e)
    } else {
      const cap = ms.capture(d - 0x31, s, e)
      out += typeof cap === 'number' ? numberToString(cap) : (cap as string)
    }
  }
  return out
}

/** The text a table or function replacement gives; false or nil keeps the match. */
function replacementValue(ms: MatchState, repl: LuaValue, s: number, e: number): string {
  let v: LuaValue
  if (typeof repl === 'function') {
    v = first(repl(...ms.captures(s, e, true)))
  } else {
    v = indexTable(repl as LuaTable, ms.capture(0, s, e))
  }
  if (v === undefined || v === false) return ms.src.slice(s, e)
  if (typeof v === 'string') return v
  if (typeof v === 'number') return numberToString(v)
  throw new LuaError(`invalid replacement value (a ${typeName(v)})`)
}

/** t[key] with __index, as lua_gettable does for gsub's table replacements. */
function indexTable(t: LuaTable, key: LuaValue): LuaValue {
  for (let depth = 0; depth < 100; depth++) {
    const v = t.get(key)
    if (v !== undefined) return v
    const handler = t.metatable?.getStr('__index')
    if (handler === undefined) return undefined
    if (typeof handler === 'function') return first(handler(t, key))
    if (!(handler instanceof LuaTable)) return undefined
    t = handler
  }
  // 5.1's MAXTAGLOOP guard against __index cycles.
  throw new LuaError('loop in gettable')
}
