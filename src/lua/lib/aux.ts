import { LuaError, LuaTable, typeName, stringToNumber, numberToString, type LuaValue } from '../value.js'

/**
 * Argument checks for library functions, with Lua 5.1's lauxlib messages. The
 * compiler adds the "chunk:line: " prefix of the calling line when the error
 * leaves a host function, so these messages carry no position.
 *
 * Every check takes (fname, n, v[, argc]): the function's name as Lua reports it,
 * the 1-based argument number, the value, and optionally how many arguments the
 * call passed (see typeError).
 */

/**
 * `bad argument #n to 'fname' (msg)`. Lua names the function as the caller called it
 * (luaL_argerror asks the calling instruction), so the frame that catches this first
 * may rename it: '?' when pcall called it, the alias or method it was called by. The
 * parts are kept aside (the error itself stays a plain LuaError).
 */
export function argError(fname: string, n: number, msg: string): never {
  const e = new LuaError(`bad argument #${n} to '${fname}' (${msg})`)
  argErrors.set(e, { fname, n, msg })
  throw e
}

export interface ArgErrorParts { fname: string; n: number; msg: string }

const argErrors = new WeakMap<LuaError, ArgErrorParts>()

/** The parts of an argument error raised by argError, if `e` is one. */
export function argErrorParts(e: unknown): ArgErrorParts | undefined {
  return e instanceof LuaError ? argErrors.get(e) : undefined
}

/** The message as the caller names the function; a method call does not count self. */
export function renamedArgError(p: ArgErrorParts, name: string, method: boolean): string {
  if (!method) return `bad argument #${p.n} to '${name}' (${p.msg})`
  if (p.n === 1) return `calling '${name}' on bad self (${p.msg})`
  return `bad argument #${p.n - 1} to '${name}' (${p.msg})`
}

/**
 * luaL_typerror: `bad argument #n to 'fname' (expected expected, got <type>)`. Lua
 * says "no value" for an argument past the last one given and "nil" for an explicit
 * nil. Host functions see both as undefined; those that pass their `arguments.length`
 * as `argc` get the exact word, the others report a missing argument, which is what
 * scripts get wrong far more often.
 */
export function typeError(fname: string, n: number, expected: string, v: LuaValue, argc = -1): never {
  const got = v !== undefined ? typeName(v) : argc >= 0 && n <= argc ? 'nil' : 'no value'
  return argError(fname, n, `${expected} expected, got ${got}`)
}

/** A string argument; numbers convert as Lua does (lua_tolstring). */
export function checkString(fname: string, n: number, v: LuaValue, argc = -1): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return numberToString(v)
  return typeError(fname, n, 'string', v, argc)
}

/** A number argument; numeric strings convert (lua_tonumber). */
export function checkNumber(fname: string, n: number, v: LuaValue, argc = -1): number {
  if (typeof v === 'number') return v
  if (typeof v === 'string') {
    const x = stringToNumber(v)
    if (x !== undefined) return x
  }
  return typeError(fname, n, 'number', v, argc)
}

/** An integer argument, truncated toward zero as luaL_checkint's cast does. */
export function checkInt(fname: string, n: number, v: LuaValue, argc = -1): number {
  return toInt(checkNumber(fname, n, v, argc))
}

export function checkTable(fname: string, n: number, v: LuaValue, argc = -1): LuaTable {
  if (v instanceof LuaTable) return v
  return typeError(fname, n, 'table', v, argc)
}

/** Any value but none/nil (luaL_checkany). */
export function checkAny(fname: string, n: number, v: LuaValue): LuaValue {
  if (v === undefined) argError(fname, n, 'value expected')
  return v
}

/** An optional number: nil gives `def`. */
export function optNumber(fname: string, n: number, v: LuaValue, def: number): number {
  return v === undefined ? def : checkNumber(fname, n, v)
}

export function optInt(fname: string, n: number, v: LuaValue, def: number): number {
  return v === undefined ? def : checkInt(fname, n, v)
}

export function optString(fname: string, n: number, v: LuaValue, def: string): string {
  return v === undefined ? def : checkString(fname, n, v)
}

/**
 * A double as C's (int) cast after lua_Number → lua_Integer: truncation toward
 * zero; out-of-range values and NaN give what x86-64's cvttsd2si gives for 64-bit
 * then narrowed, which scripts never rely on, so they saturate to 0 here.
 */
export function toInt(x: number): number {
  if (x !== x || x === Infinity || x === -Infinity) return 0
  return Math.trunc(x)
}
