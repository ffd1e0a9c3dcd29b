import {
  LuaError, LuaTable, NO_VALUES, typeName, numberToString, stringToNumber, type LuaFunction, type LuaMulti,
  type LuaResult, type LuaValue,
} from './value.js'
import { argErrorParts, renamedArgError, type ArgErrorParts } from './lib/aux.js'

/**
 * The operations compiled code calls into. Each has a fast path for the types
 * scripts use almost always (numbers, strings, tables without metatables) small
 * enough for V8 to inline, and a slow path with metamethods and Lua's error texts.
 *
 * Runtime errors are thrown without a position: the innermost compiled function
 * catches them and adds "chunk:line: " for its current line (see fixError), which
 * is what luaG_runerror and luaL_error do for the running Lua function.
 */

/** Thrown by the host to stop a script; pcall never catches it. */
export class LuaAbort extends Error {
  /** "chunk:line" of the Lua code that was running, set as it unwinds (as LuaError.where). */
  where: string | undefined = undefined
}

/** Instruction budget, decremented at loop back-edges and function entries. */
export interface Budget {
  left: number
  /** Called when `left` reaches 0: throw (usually a LuaAbort) to stop, or refill and return. */
  hook: () => void
}

export const budget: Budget = {
  left: 1e9,
  hook: () => {
    budget.left = 1e9
  },
}

export function budgetExhausted(): void {
  budget.hook()
}

/** Metatable of strings, whose __index the host points at the string library. */
export const stringMeta: { table: LuaTable | null } = { table: null }

/**
 * Position bookkeeping carried on errors: the number of Lua frames still to
 * unwind before the position is added (error()'s level), 0 for none.
 */
const pending = new WeakMap<LuaError, number>()

/** error(v, level): a LuaError whose position is that of the level-th Lua caller. */
export function errorAtLevel(v: LuaValue, level: number): LuaError {
  // lua_isstring holds for numbers too: error(7) gets a position and becomes a string.
  if (typeof v === 'number' && level > 0) v = numberToString(v)
  const e = new LuaError(v)
  // Lua positions any message lua_isstring accepts: error(42) says "chunk:1: 42".
  pending.set(e, (typeof v === 'string' || typeof v === 'number') && level > 0 ? level : 0)
  return e
}

/** A LuaError that must not get a position (already has one, or error(v, 0)). */
export function errorNoPosition(v: LuaValue): LuaError {
  return errorAtLevel(v, 0)
}

/** pcall and coroutine.resume: the frame that catches the error is a host one. */
export function settleError(e: unknown): LuaValue {
  if (e instanceof LuaError) return e.value
  return convertForeign(e).value
}

/*
 * Recursion depth. Lua frames are JS frames here, so a deep recursion ends when V8's
 * stack (Node's default --stack-size, about 1 MB) runs out, and becomes Lua's "stack
 * overflow" error, which pcall catches like Redis's. Measured on Node 20: a function
 * that recurses straight away runs in the interpreter, whose frames for a compiled Lua
 * function take about 170 bytes, so the limit is about 5,900 Lua calls (Redis 7: about
 * 16,000 to 20,000, LUAI_MAXCALLS); once V8 has optimised the function (a recursive
 * function called often enough first) its frames take about 36 bytes and the limit is
 * about 27,000. Raising it needs a larger stack: --stack-size only takes effect when
 * given on node's command line (v8.setFlagsFromString('--stack-size') leaves the running
 * isolate's limit alone, NODE_OPTIONS refuses it), and scripts must run on the server's
 * own thread, so a Worker with a bigger stack is no option either. Frames could shrink
 * somewhat (fewer registers per call), not to Redis's depth, so we leave it.
 */
function convertForeign(e: unknown): LuaError {
  if (e instanceof LuaError) return e
  if (e instanceof RangeError) {
    // V8's own limits, in Lua's words: the call stack, and strings or arrays too large to allocate.
    // Plain string tests: near the stack limit even compiling a RegExp can overflow.
    const m = e.message
    if (m.includes('call stack')) return new LuaError('stack overflow')
    if (m.includes('Invalid string length') || m.includes('Invalid array length')) return new LuaError('not enough memory')
  }
  const msg = e instanceof Error ? e.message : String(e)
  return new LuaError(msg)
}

/**
 * Call sites of a compiled function, by line: [name, 1 for a method call] as
 * luaL_argerror would name the callee (getfuncname), for renaming argument errors.
 */
export type CallSites = Record<number, [string, number][]>

/** The catch of every compiled function: positions errors raised at this level. */
export function fixError(e: unknown, chunk: string, line: number, sites?: CallSites): unknown {
  if (e instanceof LuaAbort) {
    // Where it stopped, for the killed script's error ("on @user_script:N.").
    if (e.where === undefined) e.where = `${chunk}:${line}`
    return e
  }
  let err: LuaError
  if (e instanceof LuaError) {
    err = e
  } else {
    // A RangeError near the stack limit can recur while handling; keep it cheap.
    err = convertForeign(e)
  }
  if (err.where === undefined) err.where = `${chunk}:${line}`
  let level = pending.get(err)
  if (level === undefined) level = typeof err.value === 'string' ? 1 : 0
  if (level === 0) return err
  if (level > 1) {
    pending.set(err, level - 1)
    return err
  }
  let text = err.value as string
  if (sites !== undefined) {
    const parts = argErrorParts(err)
    if (parts !== undefined) text = renameArgError(parts, text, sites[line])
  }
  const out = new LuaError(`${chunk}:${line}: ${text}`)
  out.where = err.where
  pending.set(out, 0)
  return out
}

/**
 * A library function's argument error as Lua words it for the call on this line: by
 * the name the call used, with self not counted in a method call. A host function
 * knows its own name; when the line's calls do not tell which one failed, keep it.
 */
function renameArgError(err: ArgErrorParts, text: string, here: [string, number][] | undefined): string {
  if (here === undefined || here.length === 0) return text
  const same = here.filter(([name]) => name === err.fname)
  if (same.length > 0) {
    const method = same[0][1]
    if (same.every(([, m]) => m === method)) return renamedArgError(err, err.fname, method === 1)
    return text
  }
  if (here.length === 1) return renamedArgError(err, here[0][0], here[0][1] === 1)
  return text
}

/** pcall and xpcall calling a library function directly: C calls have no name ('?'). */
export function unnamedArgError(e: unknown): unknown {
  const parts = argErrorParts(e)
  return parts === undefined ? e : new LuaError(renamedArgError(parts, '?', false))
}

export function isTruthy(v: LuaValue): boolean {
  return v !== undefined && v !== false
}

export function firstOf(r: LuaResult): LuaValue {
  return Array.isArray(r) ? r[0] : r
}

/** All results as an array, without copying when it already is one (read-only use). */
export function allOf(r: LuaResult): LuaMulti {
  return Array.isArray(r) ? r : [r]
}

/** `return a, b`: one value stays bare. */
export function ret(vs: LuaValue[]): LuaResult {
  return vs.length === 1 ? vs[0] : vs
}

function typeErr(op: string, v: LuaValue, desc: string | undefined): never {
  if (desc) throw new LuaError(`attempt to ${op} ${desc} (a ${typeName(v)} value)`)
  throw new LuaError(`attempt to ${op} a ${typeName(v)} value`)
}

export function metaOf(v: LuaValue): LuaTable | null {
  if (v instanceof LuaTable) return v.metatable
  if (typeof v === 'string') return stringMeta.table
  return null
}

function metaField(v: LuaValue, name: string): LuaValue {
  const mt = metaOf(v)
  return mt === null ? undefined : mt.getStr(name)
}

// ---- indexing --------------------------------------------------------------

export function index(o: LuaValue, k: LuaValue, desc?: string): LuaValue {
  if (o instanceof LuaTable) {
    const v = o.get(k)
    if (v !== undefined || o.metatable === null) return v
  }
  return indexSlow(o, k, desc)
}

export function indexStr(o: LuaValue, k: string, desc?: string): LuaValue {
  if (o instanceof LuaTable) {
    const h = o.hash
    const v = h === null ? undefined : h.get(k)
    if (v !== undefined || o.metatable === null) return v
  }
  return indexSlow(o, k, desc)
}

function indexSlow(o: LuaValue, k: LuaValue, desc: string | undefined): LuaValue {
  for (let loop = 0; loop < 100; loop++) {
    let h: LuaValue
    if (o instanceof LuaTable) {
      const v = o.get(k)
      if (v !== undefined) return v
      h = o.metatable === null ? undefined : o.metatable.getStr('__index')
      if (h === undefined) return undefined
    } else {
      h = metaField(o, '__index')
      if (h === undefined) typeErr('index', o, loop === 0 ? desc : undefined)
    }
    if (typeof h === 'function') return firstOf(h(o, k))
    o = h
  }
  throw new LuaError("loop in gettable")
}

export function setIndex(o: LuaValue, k: LuaValue, v: LuaValue, desc?: string): void {
  if (o instanceof LuaTable && o.metatable === null) {
    o.set(k, v)
    return
  }
  for (let loop = 0; loop < 100; loop++) {
    let h: LuaValue
    if (o instanceof LuaTable) {
      const mt = o.metatable
      h = mt === null ? undefined : mt.getStr('__newindex')
      if (h === undefined || o.get(k) !== undefined) {
        o.set(k, v)
        return
      }
    } else {
      h = metaField(o, '__newindex')
      if (h === undefined) typeErr('index', o, loop === 0 ? desc : undefined)
    }
    if (typeof h === 'function') {
      h(o, k, v)
      return
    }
    o = h
  }
  throw new LuaError('loop in settable')
}

// ---- calls -----------------------------------------------------------------

/** The function to call for a non-function value (its __call), or Lua's error. */
export function callable(f: LuaValue, desc?: string): LuaFunction {
  if (typeof f === 'function') return f as LuaFunction
  const h = metaField(f, '__call')
  if (typeof h === 'function') return (...args: LuaValue[]) => h(f, ...args)
  return typeErr('call', f, desc)
}

// ---- coroutines -------------------------------------------------------------

/** Results the generator twins yield to coroutine.resume, and receive back. */
export type LuaGenerator = Generator<LuaValue[], LuaResult, LuaValue[]>
type GeneratorTwin = (...args: LuaValue[]) => LuaGenerator

/** Attaches a compiled function's generator twin (see compiler.ts). */
export function withGenerator(f: LuaFunction, g: GeneratorTwin): LuaFunction {
  ;(f as { gen?: GeneratorTwin }).gen = g
  return f
}

/** The twin of a compiled function, or of a host function that can yield (yield, pcall). */
export function generatorOf(f: LuaFunction): GeneratorTwin | undefined {
  return (f as { gen?: GeneratorTwin }).gen
}

/** A call made from a generator twin: the callee may yield if it has a twin itself. */
export function* callGenerator(f: LuaValue, args: LuaValue[], desc?: string): LuaGenerator {
  const fn = typeof f === 'function' ? f as LuaFunction : callable(f, desc)
  const g = generatorOf(fn)
  if (g !== undefined) return yield* g(...args)
  return fn(...args)
}

// ---- arithmetic ------------------------------------------------------------

const arithEvents: Record<string, string> = {
  '+': '__add', '-': '__sub', '*': '__mul', '/': '__div', '%': '__mod', '^': '__pow',
}

export function mod(a: number, b: number): number {
  return a - Math.floor(a / b) * b
}

export function pow(a: number, b: number): number {
  // C's pow(1, y) is 1 even for NaN and infinite y; JS gives NaN.
  if (a === 1) return 1
  const r = Math.pow(a, b)
  return r === r ? r : powNaN(a, b)
}

const nanView = new DataView(new ArrayBuffer(8))

/** A NaN with the given sign bit (V8 keeps the bits of a NaN it computes or reads). */
export function nanWithSign(negative: boolean): number {
  nanView.setUint32(0, negative ? 0xfff80000 : 0x7ff80000)
  nanView.setUint32(4, 0)
  return nanView.getFloat64(0)
}

function nanSign(x: number): boolean {
  nanView.setFloat64(0, x)
  return (nanView.getUint8(0) & 0x80) !== 0
}

/**
 * The sign of the NaN glibc's pow gives on x86-64 (tostring shows it: "nan" or
 * "-nan"): a NaN argument propagates (x + y keeps the first NaN), squared and negated
 * again for a negative x and an odd integer y; a negative base with a fractional
 * exponent is the invalid operation's default NaN, which has the sign bit set.
 */
function powNaN(a: number, b: number): number {
  if (b !== b) return a !== a ? nanWithSign(nanSign(a)) : nanWithSign(nanSign(b))
  if (a !== a) {
    const odd = Number.isInteger(b) && Math.abs(b) < 2 ** 53 && Math.abs(b % 2) === 1
    return nanWithSign(nanSign(a) && !odd)
  }
  return nanWithSign(true)
}

function arithRaw(op: string, x: number, y: number): number {
  switch (op) {
    case '+': return x + y
    case '-': return x - y
    case '*': return x * y
    case '/': return x / y
    case '%': return mod(x, y)
    default: return pow(x, y)
  }
}

export function arith(op: string, a: LuaValue, b: LuaValue, da?: string, db?: string): number | LuaValue {
  const x = typeof a === 'number' ? a : typeof a === 'string' ? stringToNumber(a) : undefined
  const y = typeof b === 'number' ? b : typeof b === 'string' ? stringToNumber(b) : undefined
  if (x !== undefined && y !== undefined) return arithRaw(op, x, y)
  const ev = arithEvents[op]
  let h = metaField(a, ev)
  if (h === undefined) h = metaField(b, ev)
  if (typeof h === 'function') return firstOf(h(a, b))
  if (x === undefined) return typeErr('perform arithmetic on', a, da)
  return typeErr('perform arithmetic on', b, db)
}

export function add(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? a + b : arith('+', a, b, da, db)
}
export function sub(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? a - b : arith('-', a, b, da, db)
}
export function mul(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? a * b : arith('*', a, b, da, db)
}
export function div(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? a / b : arith('/', a, b, da, db)
}
export function modv(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? mod(a, b) : arith('%', a, b, da, db)
}
export function powv(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
  return typeof a === 'number' && typeof b === 'number' ? pow(a, b) : arith('^', a, b, da, db)
}

export function neg(a: LuaValue, da?: string): LuaValue {
  if (typeof a === 'number') return -a
  const x = typeof a === 'string' ? stringToNumber(a) : undefined
  if (x !== undefined) return -x
  const h = metaField(a, '__unm')
  if (typeof h === 'function') return firstOf(h(a, a))
  return typeErr('perform arithmetic on', a, da)
}

export function len(a: LuaValue, da?: string): LuaValue {
  if (typeof a === 'string') return a.length
  if (a instanceof LuaTable) return a.length()
  const h = metaField(a, '__len')
  if (typeof h === 'function') return firstOf(h(a))
  return typeErr('get length of', a, da)
}

export function concat(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
  const ta = typeof a
  const tb = typeof b
  if ((ta === 'string' || ta === 'number') && (tb === 'string' || tb === 'number')) {
    return (ta === 'string' ? a as string : numberToString(a as number)) + (tb === 'string' ? b as string : numberToString(b as number))
  }
  let h = metaField(a, '__concat')
  if (h === undefined) h = metaField(b, '__concat')
  if (typeof h === 'function') return firstOf(h(a, b))
  if (ta === 'string' || ta === 'number') return typeErr('concatenate', b, db)
  return typeErr('concatenate', a, da)
}

// ---- comparison ------------------------------------------------------------

export function eq(a: LuaValue, b: LuaValue): boolean {
  if (a === b) return true
  if (!(a instanceof LuaTable) || !(b instanceof LuaTable)) return false
  const ma = a.metatable
  const mb = b.metatable
  if (ma === null || mb === null) return false
  const h1 = ma.getStr('__eq')
  if (h1 === undefined) return false
  const h2 = ma === mb ? h1 : mb.getStr('__eq')
  if (h1 !== h2 || typeof h1 !== 'function') return false
  return isTruthy(firstOf(h1(a, b)))
}

function compareError(a: LuaValue, b: LuaValue): never {
  const t1 = typeName(a)
  const t2 = typeName(b)
  if (t1 === t2) throw new LuaError(`attempt to compare two ${t1} values`)
  throw new LuaError(`attempt to compare ${t1} with ${t2}`)
}

function orderMeta(a: LuaValue, b: LuaValue, ev: string): LuaValue {
  if (typeName(a) !== typeName(b)) return undefined
  const h1 = metaField(a, ev)
  if (h1 === undefined) return undefined
  const h2 = metaField(b, ev)
  return h1 === h2 ? h1 : undefined
}

export function lt(a: LuaValue, b: LuaValue): boolean {
  const ta = typeof a
  if (ta === typeof b && (ta === 'number' || ta === 'string')) return (a as number) < (b as number)
  const h = orderMeta(a, b, '__lt')
  if (typeof h === 'function') return isTruthy(firstOf(h(a, b)))
  return compareError(a, b)
}

export function le(a: LuaValue, b: LuaValue): boolean {
  const ta = typeof a
  if (ta === typeof b && (ta === 'number' || ta === 'string')) return (a as number) <= (b as number)
  const h = orderMeta(a, b, '__le')
  if (typeof h === 'function') return isTruthy(firstOf(h(a, b)))
  const h2 = orderMeta(a, b, '__lt')
  if (typeof h2 === 'function') return !isTruthy(firstOf(h2(b, a)))
  return compareError(a, b)
}

// ---- tables ----------------------------------------------------------------

/**
 * A table constructor, as OP_NEWTABLE then the stores: both parts sized up front (the
 * array part to the positional items, the hash part to the keyed fields), keyed
 * entries stored in order, then the positional ones, nils included, as SETLIST does.
 */
export function table(items: LuaValue[], keyed: LuaValue[] | null): LuaTable {
  if (keyed === null) return LuaTable.fromArray(items)
  const t = new LuaTable()
  t.sa = items.length
  t.sizeHash(keyed.length >> 1)
  for (let i = 0; i < keyed.length; i += 2) t.set(keyed[i], keyed[i + 1])
  for (let i = 0; i < items.length; i++) t.set(i + 1, items[i])
  return t
}

// ---- loops -----------------------------------------------------------------

export { LuaTable }

/** ipairs' iterator (rawgeti, as in 5.1); generic for recognises it and steps inline. */
export function ipairsStep(t: LuaValue, i: LuaValue): LuaResult {
  const k = (i as number) + 1
  const v = t instanceof LuaTable ? t.get(k) : undefined
  return v === undefined ? undefined : [k, v]
}

export function forNumber(v: LuaValue, what: string): number {
  if (typeof v === 'number') return v
  const x = typeof v === 'string' ? stringToNumber(v) : undefined
  if (x === undefined) throw new LuaError(`'for' ${what} must be a number`)
  return x
}

export { NO_VALUES }
