import { formatG } from '../resp/format.js'

/**
 * Lua 5.1 values as the engine represents them in JavaScript. Everything else in
 * src/lua/ (the compiler, the standard library, cjson, cmsgpack...) builds on these
 * conventions; the layer knows nothing about Redis.
 *
 * | Lua            | JavaScript                                                   |
 * |----------------|--------------------------------------------------------------|
 * | nil            | `undefined` (never `null`; hosts convert at the boundary)    |
 * | boolean        | `boolean`                                                    |
 * | number         | `number` (a double, as in Lua 5.1)                           |
 * | string         | `string`, one char per byte (latin1), never decoded          |
 * | table          | `LuaTable`                                                   |
 * | function       | `LuaFunction`: a JS function, Lua closure or host function   |
 * | light userdata | `LuaUserdata` (cjson.null)                                   |
 * | thread         | `LuaThread` (coroutines; defined by the coroutine library)   |
 *
 * Calling convention (the speed of scripts depends on it): a function takes its
 * arguments as ordinary JS arguments and returns
 * - a single value (including `undefined` for one nil) in the common case, or
 * - a `LuaMulti` (a JS array, which is never a Lua value) for zero or several values.
 * `first()` reads the first value of a result; `values()` all of them.
 */

export type LuaValue = undefined | boolean | number | string | LuaTable | LuaFunction | LuaUserdata | LuaThreadLike

/** What a function call yields: one value, or a LuaMulti of any count. */
export type LuaResult = LuaValue | LuaMulti

/** Zero or several results. A plain JS array: Lua values never are one. */
export type LuaMulti = LuaValue[]

/** A Lua-callable function. Host functions have the same shape as compiled closures. */
export type LuaFunction = (...args: LuaValue[]) => LuaResult

/** No results at all (`return` with nothing), shared: callers never mutate results. */
export const NO_VALUES: LuaMulti = Object.freeze([]) as unknown as LuaMulti

/** The first value of a call's results (nil when there are none). */
export function first(r: LuaResult): LuaValue {
  return Array.isArray(r) ? r[0] : r
}

/** Every value of a call's results, as an array the caller may keep. */
export function values(r: LuaResult): LuaValue[] {
  return Array.isArray(r) ? r.slice() : [r]
}

/** Several results; one value stays a plain value, so the common case allocates nothing. */
export function multi(...vs: LuaValue[]): LuaResult {
  return vs.length === 1 ? vs[0] : vs
}

/** Light userdata: an opaque identity (cjson.null, cmsgpack's own markers). */
export class LuaUserdata {
  constructor(readonly name: string) {}
}

/** Implemented by the coroutine library; declared here so `type()` can name it. */
export interface LuaThreadLike {
  readonly isLuaThread: true
}

/**
 * A Lua error in flight: `error(v)`, a failed runtime check, or a host function's
 * failure turned into one. `value` is what pcall returns (a string with its
 * "chunk:line: " prefix for runtime errors, or any value given to error()).
 */
/** Redis's wording for a change to a read-only table. */
export const READONLY_TABLE = 'Attempt to modify a readonly table'

export class LuaError extends Error {
  /**
   * "chunk:line" of the innermost Lua function running when the error was raised, set
   * as it unwinds through that function (a host reports where a script failed).
   */
  where: string | undefined = undefined

  constructor(readonly value: LuaValue, readonly traceback?: string) {
    super(typeof value === 'string' ? value : `(error object is a ${typeName(value)} value)`)
  }
}

/**
 * A table: a dense array part for keys 1..n and a Map for the rest. Integer-valued
 * number keys normalise (2.0 and 2 are one key), and the border `#t` follows PUC Lua
 * 5.1 in the cases scripts meet: values set after a gap stay in the hash part until the
 * array part reaches them, so `t[1],t[2],t[4]` in that order give 4 once t[3] is set,
 * and a constructor `{1, nil, 3}` keeps its slots in the array part (length 3).
 */
export class LuaTable {
  /** arr[i] is t[i + 1]; may hold `undefined` holes (a constructor's nils). */
  arr: LuaValue[] = []
  hash: Map<LuaValue, LuaValue> | null = null
  metatable: LuaTable | null = null
  /**
   * Refuses every change, raw or not, and its metatable with it: the host's sandbox
   * (Redis makes the globals and the libraries read-only).
   */
  readonly = false

  /** Raw get (no __index). */
  get(key: LuaValue): LuaValue {
    if (typeof key === 'number') {
      const i = key - 1
      if (i >= 0 && i < this.arr.length && (i | 0) === i) return this.arr[i]
      if (key !== key) return undefined
    }
    const hash = this.hash
    return hash === null ? undefined : hash.get(key)
  }

  /** Raw get of a string key: the common case for fields and globals. */
  getStr(key: string): LuaValue {
    const hash = this.hash
    return hash === null ? undefined : hash.get(key)
  }

  /**
   * Raw set (no __newindex). Throws a LuaError for a nil or NaN key, with Lua's text;
   * callers add the position prefix.
   */
  set(key: LuaValue, value: LuaValue): void {
    if (this.readonly) throw new LuaError(READONLY_TABLE)
    if (typeof key === 'number') {
      const arr = this.arr
      const i = key - 1
      if ((i | 0) === i && i >= 0) {
        if (i < arr.length) {
          arr[i] = value
          if (value === undefined && i === arr.length - 1) this.trimArray()
          return
        }
        if (i === arr.length) {
          if (value === undefined) {
            this.hash?.delete(key)
            return
          }
          arr.push(value)
          this.hash?.delete(key)
          this.migrate()
          return
        }
      } else if (key !== key) {
        throw new LuaError('table index is NaN')
      } else if (Object.is(key, -0)) {
        key = 0
      }
    } else if (key === undefined) {
      throw new LuaError('table index is nil')
    }
    if (value === undefined) {
      this.hash?.delete(key)
      return
    }
    if (this.hash === null) this.hash = new Map()
    this.hash.set(key, value)
  }

  /** Moves t[n+1], t[n+2]... from the hash part once the array part reaches them. */
  private migrate(): void {
    const hash = this.hash
    if (hash === null || hash.size === 0) return
    const arr = this.arr
    for (;;) {
      const k = arr.length + 1
      const v = hash.get(k)
      if (v === undefined) return
      hash.delete(k)
      arr.push(v)
    }
  }

  /** Drops trailing nils so the array part ends on a value. */
  private trimArray(): void {
    const arr = this.arr
    let n = arr.length
    while (n > 0 && arr[n - 1] === undefined) n--
    arr.length = n
  }

  /** The `#` border, without __len (5.1 has no __len for tables). */
  length(): number {
    const n = this.arr.length
    if (n > 0) return n
    // Everything in the hash part: walk 1, 2, 3... as PUC Lua's unbound search does
    // for the small cases scripts produce.
    const hash = this.hash
    if (hash === null || !hash.has(1)) return 0
    let i = 1
    while (hash.get(i + 1) !== undefined) i++
    return i
  }

  /**
   * `next(t, key)`: the entry after `key` (array part first, then the hash part in
   * insertion order), or undefined at the end. Assigning to existing fields during a
   * traversal is allowed, as in Lua; a key that is not in the table is an error.
   */
  next(key: LuaValue): [LuaValue, LuaValue] | undefined {
    const arr = this.arr
    let i = 0
    if (key !== undefined) {
      if (typeof key === 'number' && key >= 1 && key <= arr.length && (key | 0) === key) {
        i = key
      } else {
        return this.nextInHash(key)
      }
    }
    for (; i < arr.length; i++) {
      if (arr[i] !== undefined) return [i + 1, arr[i]]
    }
    return this.nextInHash(undefined)
  }

  /** Hash-part iteration keeps a cursor so that pairs() stays O(1) per step. */
  private cursor: Iterator<[LuaValue, LuaValue]> | null = null
  private cursorKey: LuaValue = undefined

  private nextInHash(after: LuaValue): [LuaValue, LuaValue] | undefined {
    const hash = this.hash
    if (hash === null) {
      if (after !== undefined) throw new LuaError("invalid key to 'next'")
      return undefined
    }
    let it: Iterator<[LuaValue, LuaValue]>
    if (after === undefined) {
      it = hash.entries()
    } else if (this.cursor !== null && this.cursorKey === after) {
      it = this.cursor
    } else {
      if (!hash.has(after)) throw new LuaError("invalid key to 'next'")
      it = hash.entries()
      for (let r = it.next(); !r.done; r = it.next()) if (r.value[0] === after) break
    }
    for (let r = it.next(); !r.done; r = it.next()) {
      const [k, v] = r.value
      if (v === undefined) continue
      this.cursor = it
      this.cursorKey = k
      return [k, v]
    }
    this.cursor = null
    this.cursorKey = undefined
    return undefined
  }

  /** A table of the given values as t[1..n] (table constructors, varargs packing). */
  static fromArray(items: LuaValue[]): LuaTable {
    const t = new LuaTable()
    let n = items.length
    while (n > 0 && items[n - 1] === undefined) n--
    t.arr = n === items.length ? items : items.slice(0, n)
    return t
  }
}

/** `type(v)`. */
export function typeName(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined': return 'nil'
    case 'boolean': return 'boolean'
    case 'number': return 'number'
    case 'string': return 'string'
    case 'function': return 'function'
    default:
      if (v instanceof LuaTable) return 'table'
      if (v instanceof LuaUserdata) return 'userdata'
      return 'thread'
  }
}

/** Lua's truth: everything but nil and false. */
export function truthy(v: LuaValue): boolean {
  return v !== undefined && v !== false
}

/**
 * A number as Lua 5.1 prints it (LUAI_NUMFFORMAT "%.14g"): 1e+15, 9.007199254741e+15,
 * inf, -inf, and NaN as "nan" or "-nan" the way glibc prints the NaN x86-64 computes
 * (0/0 gives "-nan"; see formatG).
 */
export function numberToString(n: number): string {
  // Integers below 1e14 print exactly, the overwhelmingly common case.
  if (Number.isInteger(n) && Math.abs(n) < 1e14 && !Object.is(n, -0)) return String(n)
  return formatG(n, 14)
}

/**
 * A string as a number the way Lua 5.1 converts it (lua_str2number then the check for
 * trailing text): decimal with optional exponent, or hex "0x..." as an integer,
 * surrounded by optional white space; undefined when it is not a number.
 */
export function stringToNumber(s: string): number | undefined {
  let start = 0
  let end = s.length
  while (start < end && isSpace(s.charCodeAt(start))) start++
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--
  if (start === end) return undefined
  const text = start === 0 && end === s.length ? s : s.slice(start, end)
  // strtod's forms: decimal, hex (with 0x), inf/nan spellings.
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text)
  // glibc's strtod also reads hex floats: digits, an optional fraction, a binary exponent.
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(text)
  if (hex !== null && (hex[2] !== '' || (hex[3] ?? '') !== '')) {
    const fraction = hex[3] ?? ''
    const mantissa = parseInt(hex[2] + fraction || '0', 16)
    const v = mantissa * 2 ** ((hex[4] === undefined ? 0 : Number(hex[4])) - 4 * fraction.length)
    return hex[1] === '-' ? -v : v
  }
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text)
  if (special !== null) {
    if (special[2].toLowerCase() === 'nan') return NaN
    return special[1] === '-' ? -Infinity : Infinity
  }
  return undefined
}

/** C's isspace in the "C" locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d)
}

/** Lua's automatic coercion of a value to a number (arithmetic on strings), or undefined. */
export function toNumber(v: LuaValue): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'string') return stringToNumber(v)
  return undefined
}

/** Lua's automatic coercion to a string (concatenation), or undefined for non-strings/numbers. */
export function toStringCoerce(v: LuaValue): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return numberToString(v)
  return undefined
}
