import { LuaError, LuaTable, NO_VALUES, first, numberToString, truthy, typeName, type LuaFunction, type LuaResult, type LuaValue } from '../value.js'
import { argError, checkInt, checkTable, optString } from './aux.js'

/** Lua 5.1's table library as Redis 7.0 bundles it (with getn, setn, maxn, foreach, foreachi). */
export function createTable(): LuaTable {
  const t = new LuaTable()
  t.set('getn', (tv: LuaValue) => checkTable('getn', 1, tv).length())
  t.set('setn', (tv: LuaValue): LuaResult => {
    checkTable('setn', 1, tv)
    throw new LuaError("'setn' is obsolete")
  })
  t.set('maxn', (tv: LuaValue) => {
    const tab = checkTable('maxn', 1, tv)
    let max = 0
    for (let e = tab.next(undefined); e !== undefined; e = tab.next(e[0])) {
      if (typeof e[0] === 'number' && e[0] > max) max = e[0]
    }
    return max
  })
  t.set('foreachi', (tv: LuaValue, f: LuaValue): LuaResult => {
    const tab = checkTable('foreachi', 1, tv)
    const fn = checkFunction('foreachi', 2, f)
    const n = tab.length()
    for (let i = 1; i <= n; i++) {
      const r = first(fn(i, tab.get(i)))
      if (r !== undefined) return r
    }
    return NO_VALUES
  })
  t.set('foreach', (tv: LuaValue, f: LuaValue): LuaResult => {
    const tab = checkTable('foreach', 1, tv)
    const fn = checkFunction('foreach', 2, f)
    for (let e = tab.next(undefined); e !== undefined; e = tab.next(e[0])) {
      const r = first(fn(e[0], e[1]))
      if (r !== undefined) return r
    }
    return NO_VALUES
  })
  t.set('insert', (...args: LuaValue[]): LuaResult => {
    const tab = checkTable('insert', 1, args[0])
    let e = tab.length() + 1
    let pos: number
    // The argument count, not nil-ness, decides: table.insert(t, nil) appends nothing at #t+1.
    switch (args.length) {
      case 2:
        pos = e
        break
      case 3:
        pos = checkInt('insert', 2, args[1])
        if (pos > e) e = pos
        for (let i = e; i > pos; i--) tab.set(i, tab.get(i - 1))
        break
      default:
        throw new LuaError("wrong number of arguments to 'insert'")
    }
    tab.set(pos, args[args.length - 1])
    return NO_VALUES
  })
  t.set('remove', (tv: LuaValue, p: LuaValue): LuaResult => {
    const tab = checkTable('remove', 1, tv)
    const e = tab.length()
    let pos = p === undefined ? e : checkInt('remove', 2, p)
    if (!(pos >= 1 && pos <= e)) return NO_VALUES
    const removed = tab.get(pos)
    for (; pos < e; pos++) tab.set(pos, tab.get(pos + 1))
    tab.set(e, undefined)
    return removed
  })
  t.set('concat', (tv: LuaValue, sepv: LuaValue, iv: LuaValue, jv: LuaValue) => {
    const tab = checkTable('concat', 1, tv)
    const sep = optString('concat', 2, sepv, '')
    const i = iv === undefined ? 1 : checkInt('concat', 3, iv)
    const last = jv === undefined ? tab.length() : checkInt('concat', 4, jv)
    const parts: string[] = []
    for (let k = i; k <= last; k++) {
      const v = tab.get(k)
      if (typeof v === 'string') parts.push(v)
      else if (typeof v === 'number') parts.push(numberToString(v))
      // Redis's Lua names the offending type (stock 5.1 does not).
      else throw new LuaError(`invalid value (${typeName(v)}) at index ${k} in table for 'concat'`)
    }
    return parts.join(sep)
  })
  t.set('sort', (tv: LuaValue, f: LuaValue): LuaResult => {
    const tab = checkTable('sort', 1, tv)
    const cmp = f === undefined ? undefined : checkFunction('sort', 2, f)
    const lt = cmp === undefined ? lessThan : (a: LuaValue, b: LuaValue) => truthy(first(cmp(a, b)))
    quicksort(tab, 1, tab.length(), lt)
    return NO_VALUES
  })
  return t
}

function checkFunction(fname: string, n: number, v: LuaValue): LuaFunction {
  if (typeof v === 'function') return v as LuaFunction
  return argError(fname, n, `function expected, got ${v === undefined ? 'no value' : typeName(v)}`)
}

/** Lua's `<` for the values sort meets without a comparator. */
export function lessThan(a: LuaValue, b: LuaValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b
  if (typeof a === 'string' && typeof b === 'string') return a < b
  const ta = typeName(a)
  const tb = typeName(b)
  throw new LuaError(ta === tb ? `attempt to compare two ${ta} values` : `attempt to compare ${ta} with ${tb}`)
}

/**
 * Lua 5.1's sort: a quicksort on the table in place with a median-of-three pivot,
 * recursing into the smaller half. The order of comparisons and swaps is part of the
 * behaviour scripts can see (an inconsistent comparator runs off the partition and
 * raises "invalid order function for sorting" on the same inputs as Redis), so the
 * scheme is kept step for step rather than using Array.prototype.sort.
 */
function quicksort(t: LuaTable, lo: number, up: number, lt: (a: LuaValue, b: LuaValue) => boolean): void {
  const swap = (i: number, j: number) => {
    const a = t.get(i)
    const b = t.get(j)
    t.set(i, b)
    t.set(j, a)
  }
  while (lo < up) {
    if (lt(t.get(up), t.get(lo))) swap(lo, up)
    if (up - lo === 1) return
    let i = Math.floor((lo + up) / 2)
    if (lt(t.get(i), t.get(lo))) swap(i, lo)
    else if (lt(t.get(up), t.get(i))) swap(i, up)
    if (up - lo === 2) return
    const pivot = t.get(i)
    swap(i, up - 1)
    i = lo
    let j = up - 1
    for (;;) {
      while (lt(t.get(++i), pivot)) {
        if (i > up) throw new LuaError('invalid order function for sorting')
      }
      while (lt(pivot, t.get(--j))) {
        if (j < lo) throw new LuaError('invalid order function for sorting')
      }
      if (j < i) break
      swap(i, j)
    }
    swap(up - 1, i)
    if (i - lo < up - i) {
      j = lo
      i = i - 1
      lo = i + 2
    } else {
      j = i + 1
      i = up
      up = j - 2
    }
    quicksort(t, j, i, lt)
  }
}
