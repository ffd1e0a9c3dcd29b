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
 * A table: an array part for keys 1..sa and a Map for the rest, laid out as PUC Lua
 * 5.1 lays out its tables so that the border `#t` is the one Redis gives even for
 * tables with holes (`t[1],t[2],t[4]` gives 4, `{1, nil, 3}` gives 3).
 *
 * PUC Lua only resizes on inserting a new key into a full hash part ("rehash"): it
 * then counts the integer keys, picks the largest power of two n such that more than
 * n/2 of the slots 1..n would be used as the new array size, and sizes the hash part
 * to the power of two that holds the rest. Setting a field to nil leaves its node in
 * place (a dead key, reused if the same key is set again, or taken over by a new key
 * whose main position it is) until the next rehash, and assigning nil to an absent
 * key still takes a node. So that rehashes happen at the same moments, we keep the
 * same sizes (sa, hcap), the dead entries (Map entries whose value is undefined), and
 * a shadow of the node vector: which key sits in which node and the collision chains,
 * with Lua's hash functions for numbers, strings and booleans. Only objects used as
 * keys hash differently (PUC hashes their address); lookups never touch the shadow,
 * only the insertion of a new key into the hash part does.
 */
export class LuaTable {
  /** arr[i] is t[i + 1]; never ends with undefined, may hold undefined holes. */
  arr: LuaValue[] = []
  /** PUC's sizearray: keys 1..sa live in the array part (arr.length <= sa). */
  sa = 0
  /** Number of undefined slots inside arr, so `#t` of an array without holes stays O(1). */
  holes = 0
  /** The hash part; entries with an undefined value are PUC's dead keys. */
  hash: Map<LuaValue, LuaValue> | null = null
  /** Size of PUC's node vector (0 for its shared empty "dummynode"). */
  hcap = 0
  /** The node vector's shadow: the key in each node (undefined: free) and its chain link (-1: none). */
  nodeKeys: LuaValue[] | null = null
  nodeNext: number[] | null = null
  /** getfreepos's cursor: nodes at and above it are all taken. */
  lastFree = 0
  /** Whether the node shadow is kept (from the first dead key on; see buildShadow). */
  shadowed = false
  /** Whether a number key ever went into the hash part (until then rehashes only count fields). */
  numberKeys = false
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
    // Small enough for V8 to inline into compiled code: overwriting a value of the
    // array part, and appending within it.
    if (typeof key === 'number' && value !== undefined) {
      const arr = this.arr
      const i = key - 1
      if (i >= 0 && i < arr.length && (i | 0) === i) {
        if (arr[i] !== undefined) {
          arr[i] = value
          return
        }
      } else if (i === arr.length && i < this.sa && (i | 0) === i) {
        arr.push(value)
        return
      }
    }
    this.setSlow(key, value)
  }

  private setSlow(key: LuaValue, value: LuaValue): void {
    // A read-only table has no array part, so every change to it comes here.
    if (this.readonly) throw new LuaError(READONLY_TABLE)
    if (typeof key === 'number') {
      const i = key - 1
      if ((i | 0) === i && i >= 0) {
        const arr = this.arr
        if (i < arr.length) {
          const old = arr[i]
          arr[i] = value
          if (old === undefined) {
            if (value !== undefined) this.holes--
          } else if (value === undefined) {
            this.holes++
            if (i === arr.length - 1) this.trimArray()
          }
          return
        }
        if (i < this.sa) {
          if (value === undefined) return
          while (arr.length < i) {
            arr.push(undefined)
            this.holes++
          }
          arr.push(value)
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
    const hash = this.hash
    if (this.hcap === 0 && (hash === null || hash.size === 0)) {
      // The two rehashes scripts do all the time, in short: appending to an array
      // without holes doubles its array part; a first field gets a one-node hash part.
      if (key === this.sa + 1 && this.holes === 0 && this.arr.length === this.sa) {
        this.sa = this.sa === 0 ? 1 : 1 << ceilLog2(key)
        if (value !== undefined) this.arr.push(value)
        return
      }
      if (this.sa === 0 && value !== undefined && !this.shadowed && !isArrayIndex(key)) {
        this.sizeHash(1)
        this.hash!.set(key, value)
        return
      }
    }
    if (typeof key === 'number') this.numberKeys = true
    if (hash !== null) {
      if (value === undefined && !this.shadowed && this.hcap > 0) this.buildShadow()
      // An existing key (live or dead) keeps its node; a new one needs one, which
      // exists while some node is free.
      const n = hash.size
      if (n < this.hcap) {
        hash.set(key, value)
        if (hash.size !== n && this.nodeKeys !== null) this.place(key)
        return
      }
      if (hash.has(key) || this.place(key)) {
        hash.set(key, value)
        return
      }
    }
    this.rehash(key)
    this.set(key, value)
  }

  /**
   * Sizes the hash part for `n` keys (OP_NEWTABLE's hint, or after a rehash): a fresh
   * node vector of the next power of two, every node free.
   */
  sizeHash(n: number): void {
    const cap = n === 0 ? 0 : 1 << ceilLog2(n)
    this.hcap = cap
    this.lastFree = cap
    if (cap === 0) {
      this.nodeKeys = null
      this.nodeNext = null
      return
    }
    if (this.hash === null) this.hash = new Map()
    if (!this.shadowed) return
    const keys: LuaValue[] = []
    const next: number[] = []
    for (let i = 0; i < cap; i++) {
      keys.push(undefined)
      next.push(-1)
    }
    this.nodeKeys = keys
    this.nodeNext = next
  }

  /**
   * Starts keeping the node shadow, when a table is about to get its first dead key.
   * Until then the counts alone decide rehashes exactly (a new key needs a free node
   * exactly when every node holds a key), and the shadow would only cost time: most
   * tables never delete a field. The nodes are filled in the Map's order, which is
   * PUC's own order unless a rehash reinserted keys since.
   */
  private buildShadow(): void {
    this.shadowed = true
    this.sizeHash(this.hcap)
    for (const k of this.hash!.keys()) this.place(k)
  }

  /** The node a key hashes to (mainposition). */
  private mainPosition(key: LuaValue): number {
    const cap = this.hcap
    switch (typeof key) {
      case 'number': {
        if (key === 0) return 0
        F64[0] = key
        return ((U32[0] + U32[1]) >>> 0) % ((cap - 1) | 1)
      }
      case 'string': return stringHash(key) & (cap - 1)
      case 'boolean': return (key ? 1 : 0) & (cap - 1)
      default: return objectHash(key) % ((cap - 1) | 1)
    }
  }

  /**
   * Puts a new key into the node shadow as luaH_newkey does; false when no node is
   * free (the caller rehashes). A dead key in the new key's main position is taken
   * over, so it leaves the table.
   */
  private place(key: LuaValue): boolean {
    const keys = this.nodeKeys
    const next = this.nodeNext
    if (keys === null || next === null) return false
    const mp = this.mainPosition(key)
    const other = keys[mp]
    if (other === undefined || this.hash!.get(other) === undefined) {
      if (other !== undefined) this.hash!.delete(other)
      keys[mp] = key
      return true
    }
    // getfreepos: the next free node below the cursor, which only moves down.
    let free = this.lastFree
    let found = -1
    while (free > 0) {
      free--
      if (keys[free] === undefined) {
        found = free
        break
      }
    }
    this.lastFree = free
    if (found < 0) return false
    free = found
    let prev = this.mainPosition(other)
    if (prev !== mp) {
      // The colliding key is not in its main position: move it to the free node.
      while (next[prev] !== mp) prev = next[prev]
      next[prev] = free
      keys[free] = other
      next[free] = next[mp]
      next[mp] = -1
      keys[mp] = key
    } else {
      next[free] = next[mp]
      next[mp] = free
      keys[free] = key
    }
    return true
  }

  /** Drops trailing nils so the array part ends on a value. */
  private trimArray(): void {
    const arr = this.arr
    let n = arr.length
    while (n > 0 && arr[n - 1] === undefined) {
      n--
      this.holes--
    }
    if (n !== arr.length) arr.length = n
  }

  /**
   * PUC Lua's rehash before inserting `extra` into a full hash part: new sizes for
   * both parts from the live keys plus the extra one, dead keys dropped, integer
   * keys moved to whichever part now holds them.
   */
  private rehash(extra: LuaValue): void {
    const arr = this.arr
    const hash = this.hash
    if (arr.length === 0 && !isArrayIndex(extra) && !this.shadowed && !this.numberKeys && this.sa === 0) {
      // Fields only, none deleted (no shadow, so no dead keys): the hash part doubles.
      this.sizeHash(hash === null ? 1 : hash.size + 1)
      return
    }
    if (arr.length === 0 && !isArrayIndex(extra)) {
      // No integer keys in the array part nor in the new key: if the hash part has
      // none either, the array part stays empty and the hash part holds every key.
      let live = 1
      let ints = false
      if (hash !== null) {
        for (const [k, v] of hash) {
          if (v === undefined) continue
          live++
          if (typeof k === 'number' && isArrayIndex(k)) ints = true
        }
      }
      if (!ints) {
        if (this.shadowed || this.sa !== 0) this.resize(0, live)
        else this.sizeHash(live)
        return
      }
    }
    const nums = NUMS
    for (let i = 0; i <= MAXBITS; i++) nums[i] = 0
    let nasize = 0
    for (let i = 0; i < arr.length; i++) {
      if (arr[i] !== undefined) {
        nums[ceilLog2(i + 1)]++
        nasize++
      }
    }
    let total = nasize
    if (hash !== null) {
      for (const [k, v] of hash) {
        if (v === undefined) continue
        total++
        if (isArrayIndex(k)) {
          nums[ceilLog2(k as number)]++
          nasize++
        }
      }
    }
    if (isArrayIndex(extra)) {
      nums[ceilLog2(extra as number)]++
      nasize++
    }
    total++
    // computesizes: the largest n = 2^i with more than n/2 of 1..n in use.
    let a = 0
    let na = 0
    let size = 0
    for (let i = 0, twoToI = 1; (twoToI >> 1) < nasize; i++, twoToI *= 2) {
      if (nums[i] > 0) {
        a += nums[i]
        if (a > (twoToI >> 1)) {
          size = twoToI
          na = a
        }
      }
      if (a === nasize) break
    }
    this.resize(size, total - na)
  }

  /**
   * New sizes for both parts: the slice of the array part that no longer fits, then
   * the keys of the old nodes from last to first, go back in as luaH_set puts them.
   */
  private resize(size: number, hashKeys: number): void {
    const arr = this.arr
    const hash = this.hash
    const oldKeys = this.nodeKeys
    const oldCap = this.hcap
    this.sizeHash(hashKeys)
    this.cursor = null
    const map = this.hash ?? new Map<LuaValue, LuaValue>()
    this.hash = map
    if (size < arr.length) {
      for (let i = size; i < arr.length; i++) {
        if (arr[i] !== undefined) {
          map.set(i + 1, arr[i])
          this.numberKeys = true
          if (this.nodeKeys !== null) this.place(i + 1)
        }
      }
      arr.length = size
    }
    this.sa = size
    if (oldKeys !== null) {
      for (let i = oldCap - 1; i >= 0; i--) if (oldKeys[i] !== undefined) this.reinsert(oldKeys[i], map, size)
    } else if (hash !== null && size > 0 && !this.shadowed) {
      // Without a shadow there are no dead keys: only integer keys may move.
      for (const k of hash.keys()) if (typeof k === 'number') this.reinsert(k, map, size)
    }
    let holes = 0
    for (let i = 0; i < arr.length; i++) if (arr[i] === undefined) holes++
    this.holes = holes
    this.trimArray()
  }

  /** A key of the old hash part back into the resized table (dead ones are dropped). */
  private reinsert(k: LuaValue, map: Map<LuaValue, LuaValue>, size: number): void {
    const v = map.get(k)
    if (v === undefined) {
      map.delete(k)
    } else if (typeof k === 'number' && k <= size && isArrayIndex(k)) {
      map.delete(k)
      const arr = this.arr
      while (arr.length < k - 1) arr.push(undefined)
      if (arr.length === k - 1) arr.push(v)
      else arr[k - 1] = v
    } else if (this.nodeKeys !== null) {
      this.place(k)
    }
  }

  /** The `#` border, without __len (5.1 has no __len for tables): luaH_getn. */
  length(): number {
    const arr = this.arr
    const n = arr.length
    let j = this.sa
    if (n < j) {
      // The last slot of the array part is nil: binary search for a border in it.
      if (this.holes === 0) return n
      let i = 0
      while (j - i > 1) {
        const m = (i + j) >>> 1
        if (m > n || arr[m - 1] === undefined) j = m
        else i = m
      }
      return i
    }
    if (this.hcap === 0) return j
    return this.unboundSearch(j)
  }

  /** luaH_getn's search beyond the array part: doubling, then bisecting. */
  private unboundSearch(j: number): number {
    let i = j
    j++
    while (this.get(j) !== undefined) {
      i = j
      j *= 2
      if (j > 2147483647) {
        i = 1
        while (this.get(i) !== undefined) i++
        return i - 1
      }
    }
    while (j - i > 1) {
      const m = Math.floor((i + j) / 2)
      if (this.get(m) === undefined) j = m
      else i = m
    }
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

  /** A table of the given values as t[1..n], its array part sized to all of them (table constructors, varargs packing). */
  static fromArray(items: LuaValue[]): LuaTable {
    const t = new LuaTable()
    const size = items.length
    let n = size
    while (n > 0 && items[n - 1] === undefined) n--
    t.arr = n === size ? items : items.slice(0, n)
    t.sa = size
    let holes = 0
    for (let i = 0; i < n; i++) if (items[i] === undefined) holes++
    t.holes = holes
    return t
  }
}

const F64 = new Float64Array(1)
const U32 = new Uint32Array(F64.buffer)

/** luaS_hash of Lua 5.1: seeded with the length, at most 32 characters sampled. */
function stringHash(s: string): number {
  const l = s.length
  let h = l
  const step = (l >> 5) + 1
  for (let i = l; i >= step; i -= step) h = (h ^ ((h << 5) + (h >>> 2) + s.charCodeAt(i - 1))) >>> 0
  return h
}

const objectIds = new WeakMap<object, number>()
let nextObjectId = 1

/** PUC hashes tables, functions and userdata by address; we number them instead. */
function objectHash(o: LuaValue): number {
  const obj = o as object
  let id = objectIds.get(obj)
  if (id === undefined) {
    id = (nextObjectId = (nextObjectId * 1103515245 + 12345) >>> 0)
    objectIds.set(obj, id)
  }
  return id
}

/** Lua 5.1's MAXBITS: array parts hold at most 2^26 slots. */
const MAXBITS = 26
const MAXASIZE = 1 << MAXBITS

/** rehash's count of integer keys per power-of-two slice (reused: rehash never nests). */
const NUMS: number[] = new Array<number>(MAXBITS + 1).fill(0)

/** Whether a key counts towards the array part (countint): an integer in 1..2^26. */
function isArrayIndex(k: LuaValue): boolean {
  return typeof k === 'number' && k >= 1 && k <= MAXASIZE && Math.floor(k) === k
}

/** The smallest i with 2^i >= x, for x >= 1. */
function ceilLog2(x: number): number {
  return x <= 1 ? 0 : 32 - Math.clz32(x - 1)
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
    // strtod keeps the sign of "-nan" (tostring(0/0) reads back as what it was).
    if (special[2].toLowerCase() === 'nan') return special[1] === '-' ? NEGATIVE_NAN : POSITIVE_NAN
    return special[1] === '-' ? -Infinity : Infinity
  }
  return undefined
}

const nanBits = new DataView(new ArrayBuffer(8))
nanBits.setUint32(0, 0xfff80000)
const NEGATIVE_NAN = nanBits.getFloat64(0)
nanBits.setUint32(0, 0x7ff80000)
const POSITIVE_NAN = nanBits.getFloat64(0)

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
