import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import type { Database } from '../store/database.js'
import { HashValue } from '../store/hash.js'
import { ListValue } from '../store/list.js'
import { SetValue } from '../store/set.js'
import { ZSet } from '../store/zset.js'
import type { Collection, StoredValue } from '../store/types.js'
import { isOption } from './args.js'
import { parseInt64, parseSortScore } from '../util/numbers.js'
import { Err } from './errors.js'
import { command, type CommandSpec } from './spec.js'

/**
 * SORT and SORT_RO: key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC]
 * [ALPHA] [STORE destination], over lists, sets and sorted sets.
 *
 * The order of work follows Redis, because it shows in replies: options are parsed
 * first (a bad LIMIT wins over WRONGTYPE), a BY pattern without '*' means "don't
 * sort" and sticks, lists and sorted sets keep their own order when not sorted, and
 * a score that is not a number fails the command only after everything was looked at.
 */

interface SortRequest {
  desc: boolean
  alpha: boolean
  /** BY without '*': keep the collection's order. */
  dontSort: boolean
  by: string | null
  gets: string[]
  store: string | null
  limitStart: number
  limitCount: number
}

/** Parses the options after the key; null after an error reply. */
function parseRequest(c: Caller, argv: string[], readonly: boolean): SortRequest | null {
  const req: SortRequest = {
    desc: false, alpha: false, dontSort: false, by: null, gets: [], store: null, limitStart: 0, limitCount: -1,
  }
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]
    const left = argv.length - j - 1
    if (isOption(opt, 'ASC')) {
      req.desc = false
    } else if (isOption(opt, 'DESC')) {
      req.desc = true
    } else if (isOption(opt, 'ALPHA')) {
      req.alpha = true
    } else if (isOption(opt, 'LIMIT') && left >= 2) {
      const start = parseInt64(argv[j + 1])
      const count = start === null ? null : parseInt64(argv[j + 2])
      if (start === null || count === null) {
        c.out.error(Err.notInteger)
        return null
      }
      req.limitStart = Number(start)
      req.limitCount = Number(count)
      j += 2
    } else if (!readonly && isOption(opt, 'STORE') && left >= 1) {
      req.store = argv[++j]
    } else if (isOption(opt, 'BY') && left >= 1) {
      req.by = argv[++j]
      if (req.by.indexOf('*') < 0) req.dontSort = true
    } else if (isOption(opt, 'GET') && left >= 1) {
      req.gets.push(argv[++j])
    } else {
      c.out.error(Err.syntax)
      return null
    }
  }
  return req
}

/** `count` members of a sorted set from rank `from`, counted from the top when `desc`. */
function zsetByRank(z: ZSet, from: number, count: number, desc: boolean): string[] {
  const items = new Array<string>(count)
  const cur = z.at(desc ? z.size - 1 - from : from)
  for (let i = 0; i < count && cur.valid; i++) {
    items[i] = cur.member
    if (desc) cur.prev()
    else cur.next()
  }
  return items
}

function sort(c: Caller, argv: string[]): void {
  sortGeneric(c, argv, false)
}

function sortRo(c: Caller, argv: string[]): void {
  sortGeneric(c, argv, true)
}

function sortGeneric(c: Caller, argv: string[], readonly: boolean): void {
  const req = parseRequest(c, argv, readonly)
  if (req === null) return
  const db = c.db
  const value = db.lookupRead(argv[1])
  if (value !== undefined && !isSortable(value)) return c.out.error(Err.wrongType)
  // A set has no order of its own worth keeping: what is stored must not depend on
  // hash order, so "don't sort" into STORE sorts alphabetically after all.
  if (req.dontSort && value instanceof SetValue && req.store !== null) {
    req.dontSort = false
    req.alpha = true
    req.by = null
  }
  // Redis converts a listpack sorted set to a skiplist for SORT, even SORT_RO.
  if (value instanceof ZSet) value.forceSkiplist()
  const size = value === undefined ? 0 : (value as Collection).size
  let start = req.limitStart < 0 ? 0 : req.limitStart
  let end = req.limitCount < 0 ? size - 1 : start + req.limitCount - 1
  if (start >= size) {
    start = size - 1
    end = size - 2
  }
  if (end >= size) end = size - 1

  let items: string[]
  if (value === undefined) {
    items = []
  } else if (req.dontSort && !(value instanceof SetValue)) {
    // Lists and sorted sets: read just the LIMIT range, in (reversed) native order.
    const count = end - start + 1
    if (count <= 0) {
      items = []
    } else if (value instanceof ListValue) {
      items = new Array<string>(count)
      for (let i = 0; i < count; i++) items[i] = value.at(req.desc ? size - 1 - start - i : start + i)
    } else {
      items = zsetByRank(value as ZSet, start, count, req.desc)
    }
    end -= start
    start = 0
  } else if (value instanceof ListValue) {
    items = value.toArray()
  } else if (value instanceof SetValue) {
    items = value.members().slice()
  } else {
    items = Array.from((value as ZSet).members())
  }

  if (!req.dontSort && items.length !== 0) {
    const sorted = sortItems(db, items, req)
    if (sorted === null) return c.out.error(Err.sortNotDouble)
    items = sorted
  }

  const gets = req.gets
  const rows = Math.max(0, end - start + 1)
  const outputLength = gets.length === 0 ? rows : rows * gets.length
  if (req.store === null) {
    const out = c.out
    out.array(outputLength)
    for (let j = start; j <= end; j++) {
      const item = items[j]
      if (gets.length === 0) {
        out.bulk(item)
        continue
      }
      for (let g = 0; g < gets.length; g++) {
        const v = lookupByPattern(db, gets[g], item)
        if (v === null) out.nullBulk()
        else out.bulk(v)
      }
    }
    return
  }
  const stored: string[] = []
  for (let j = start; j <= end; j++) {
    const item = items[j]
    if (gets.length === 0) {
      stored.push(item)
      continue
    }
    for (let g = 0; g < gets.length; g++) stored.push(lookupByPattern(db, gets[g], item) ?? '')
  }
  const dest = req.store
  if (stored.length > 0) {
    db.set(dest, ListValue.from(stored))
    c.notify(Notify.list, 'sortstore', dest)
  } else if (db.deleteStored(dest)) {
    c.notify(Notify.generic, 'del', dest)
  }
  c.out.integer(outputLength)
}

function isSortable(v: StoredValue): boolean {
  return typeof v !== 'string' && (v.type === 'list' || v.type === 'set' || v.type === 'zset')
}

/**
 * Sorts the elements by their BY values (or themselves); null when a numeric sort
 * meets a value that is not a score (parseSortScore). Ties in score fall back to comparing the
 * elements as binary strings, so the result does not depend on load order.
 */
function sortItems(db: Database, items: string[], req: SortRequest): string[] | null {
  const n = items.length
  const order = new Array<number>(n)
  for (let i = 0; i < n; i++) order[i] = i
  const sign = req.desc ? -1 : 1
  const by = req.by
  if (!req.alpha) {
    const scores = new Float64Array(n)
    let bad = false
    for (let i = 0; i < n; i++) {
      const v = by === null ? items[i] : lookupByPattern(db, by, items[i])
      if (v === null) continue
      const d = parseSortScore(v)
      if (d === null) bad = true
      else scores[i] = d
    }
    if (bad) return null
    order.sort((a, b) => {
      const x = scores[a]
      const y = scores[b]
      const cmp = x > y ? 1 : x < y ? -1 : compareBinary(items[a], items[b])
      return sign * cmp
    })
  } else if (by === null) {
    // Redis compares with strcoll (C strings) for replies and memcmp for STORE.
    const compare = req.store !== null ? compareBinary : compareCStrings
    order.sort((a, b) => sign * compare(items[a], items[b]))
  } else {
    const keys = new Array<string | null>(n)
    for (let i = 0; i < n; i++) keys[i] = lookupByPattern(db, by, items[i])
    const compare = req.store !== null ? compareBinary : compareCStrings
    order.sort((a, b) => {
      const x = keys[a]
      const y = keys[b]
      // Elements without a BY value come first.
      const cmp = x === null ? (y === null ? 0 : -1) : y === null ? 1 : compare(x, y)
      return sign * cmp
    })
  }
  const sorted = new Array<string>(n)
  for (let i = 0; i < n; i++) sorted[i] = items[order[i]]
  return sorted
}

/** memcmp order, shorter first on a common prefix: latin1 strings compare by byte. */
function compareBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** strcmp order (strcoll in the C locale): each string ends at its first NUL. */
function compareCStrings(a: string, b: string): number {
  const na = a.indexOf('\0')
  const nb = b.indexOf('\0')
  return compareBinary(na < 0 ? a : a.slice(0, na), nb < 0 ? b : b.slice(0, nb))
}

/**
 * The value a BY or GET pattern names for one element: "#" is the element itself;
 * otherwise the first '*' becomes the element, and "key->field" reads a hash field.
 * Null when the pattern has no '*', the key is missing or of the wrong type.
 */
function lookupByPattern(db: Database, pattern: string, element: string): string | null {
  if (pattern === '#') return element
  const star = pattern.indexOf('*')
  if (star < 0) return null
  let keyEnd = pattern.length
  let field: string | null = null
  const arrow = pattern.indexOf('->', star + 1)
  if (arrow >= 0 && arrow + 2 < pattern.length) {
    field = pattern.slice(arrow + 2)
    keyEnd = arrow
  }
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, keyEnd)
  const v = db.lookupRead(key)
  if (v === undefined) return null
  if (field !== null) return v instanceof HashValue ? (v.get(field) ?? null) : null
  return typeof v === 'string' ? v : null
}

/**
 * SORT's keys: the sorted key, and the last STORE destination. Like Redis, LIMIT
 * skips two arguments and GET/BY one, so a pattern named "store" is not a key.
 */
function sortKeys(argv: string[]): number[] {
  const keys = [1]
  let store = -1
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]
    if (isOption(a, 'LIMIT')) i += 2
    else if (isOption(a, 'GET') || isOption(a, 'BY')) i += 1
    else if (isOption(a, 'STORE') && i + 1 < argv.length) store = i + 1
  }
  if (store > 0) keys.push(store)
  return keys
}

const SORT_COMPLEXITY = 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).'
const SORT_SYNTAX = 'key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]'

export const sortCommands: CommandSpec[] = [
  command({
    name: 'sort', arity: -2, flags: ['write', 'denyoom', 'movablekeys'], firstKey: 1, lastKey: 1, step: 1,
    acl: ['-keyspace', 'set', 'sortedset', 'list', 'dangerous'], group: 'generic', since: '1.0.0', complexity: SORT_COMPLEXITY,
    summary: 'Sort the elements in a list, set or sorted set', syntax: `${SORT_SYNTAX} [STORE destination]`,
    keys: sortKeys, handler: sort,
  }),
  command({
    name: 'sort_ro', arity: -2, flags: ['readonly', 'movablekeys'], firstKey: 1, lastKey: 1, step: 1,
    acl: ['-keyspace', 'set', 'sortedset', 'list', 'dangerous'], group: 'generic', since: '7.0.0', complexity: SORT_COMPLEXITY,
    summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.', syntax: SORT_SYNTAX,
    keys: () => [1], handler: sortRo,
  }),
]
