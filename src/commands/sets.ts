import type { Client } from '../server/client.js'
import { scanStep } from '../store/cursors.js'
import { globMatch } from '../store/glob.js'
import { SetValue } from '../store/set.js'
import { isOption, parseInt64 } from './args.js'
import { Err } from './errors.js'
import { command, type CommandSpec } from './spec.js'

/**
 * Set commands. A set is a SetValue (store/set.ts); a set left empty is deleted with
 * its key. Replies list members in SetValue.members() order, which is ascending for
 * intset-sized integer sets as in Redis.
 */

// --- helpers shared with hashes.ts (HSCAN, HRANDFIELD) ------------------------------

const INT64_MIN = -9223372036854775808n
/** LONG_MAX / 2: HRANDFIELD WITHVALUES refuses counts beyond it. */
export const HALF_LONG_MAX = 4611686018427387903n

/**
 * Our own limit on picks with repeats (a negative SRANDMEMBER/HRANDFIELD count).
 * Redis starts writing any count and runs out of memory on absurd ones; a Node
 * process cannot even allocate such a reply, so we answer "out of range" instead.
 */
export const MAX_REPEATED_PICKS = 1 << 26

/**
 * A SRANDMEMBER/HRANDFIELD count: any int64 except -2^63, which Redis refuses so that
 * negating it cannot overflow. Null after an error reply.
 */
export function parseSampleCount(c: Client, s: string): number | bigint | null {
  const n = parseInt64(s)
  if (n === null) {
    c.out.error(Err.notInteger)
    return null
  }
  if (n === INT64_MIN) {
    c.out.error(Err.sampleCountRange)
    return null
  }
  return n
}

const UINT64_MAX = 18446744073709551615n

/**
 * A SCAN-family cursor as Redis reads it, with strtoul: an optional sign, decimal
 * digits, nothing else (no leading space); "" is 0 and "-1" wraps around. Null after
 * an "invalid cursor" reply. Our cursors are small, so precision past 2^53 is moot.
 */
export function parseScanCursor(c: Client, s: string): number | null {
  const len = s.length
  if (len === 0) return 0
  let i = 0
  const first = s.charCodeAt(0)
  if (first === 0x2b || first === 0x2d) i = 1
  if (i === len) return invalidCursor(c)
  let n = 0
  for (let j = i; j < len; j++) {
    const d = s.charCodeAt(j) - 0x30
    if (d < 0 || d > 9) return invalidCursor(c)
    n = n * 10 + d
  }
  if (len - i >= 16) {
    let big = BigInt(s.slice(i))
    if (big > UINT64_MAX) return invalidCursor(c)
    if (first === 0x2d && big !== 0n) big = UINT64_MAX + 1n - big
    return Number(big)
  }
  return first === 0x2d && n !== 0 ? Number(UINT64_MAX + 1n - BigInt(n)) : n
}

function invalidCursor(c: Client): null {
  c.out.error(Err.invalidCursor)
  return null
}

export interface ScanOptions {
  count: number
  /** Null when there is no MATCH, or it is "*". */
  pattern: string | null
}

/** [MATCH pattern] [COUNT count] from argv[start] on; null after an error reply. */
export function parseScanOptions(c: Client, argv: string[], start: number): ScanOptions | null {
  let count = 10
  let pattern: string | null = null
  for (let i = start; i < argv.length; i += 2) {
    const opt = argv[i]
    if (i + 1 >= argv.length) {
      c.out.error(Err.syntax)
      return null
    }
    if (isOption(opt, 'COUNT')) {
      const n = parseInt64(argv[i + 1])
      if (n === null) {
        c.out.error(Err.notInteger)
        return null
      }
      if (n < 1) {
        c.out.error(Err.syntax)
        return null
      }
      count = Number(n)
    } else if (isOption(opt, 'MATCH')) {
      const p = argv[i + 1]
      pattern = p === '*' ? null : p
    } else {
      c.out.error(Err.syntax)
      return null
    }
  }
  return { count, pattern }
}

/** The reply to scanning a missing key: cursor 0, nothing found. */
export function replyEmptyScan(c: Client): void {
  c.out.array(2)
  c.out.bulk('0')
  c.out.array(0)
}

// --- lookups --------------------------------------------------------------------------

/** The set at `key` for reading: undefined when missing, null after a WRONGTYPE reply. */
function readSet(c: Client, key: string): SetValue | undefined | null {
  const v = c.db.lookupRead(key)
  if (v === undefined || v instanceof SetValue) return v
  c.out.error(Err.wrongType)
  return null
}

/** Like readSet, for commands that write (no keyspace hit/miss counted). */
function setForWrite(c: Client, key: string): SetValue | undefined | null {
  const v = c.db.get(key)
  if (v === undefined || v instanceof SetValue) return v
  c.out.error(Err.wrongType)
  return null
}

/**
 * The sets at argv[from..to), missing keys as undefined. Every key is type-checked
 * before any work, as Redis does; null after a WRONGTYPE reply.
 */
function gatherSets(c: Client, argv: string[], from: number, to: number, write: boolean): (SetValue | undefined)[] | null {
  const db = c.db
  const sets = new Array<SetValue | undefined>(to - from)
  for (let i = from; i < to; i++) {
    const v = write ? db.get(argv[i]) : db.lookupRead(argv[i])
    if (v !== undefined && !(v instanceof SetValue)) {
      c.out.error(Err.wrongType)
      return null
    }
    sets[i - from] = v
  }
  return sets
}

/** Writes `members` as a set reply. */
function replyMembers(c: Client, members: readonly string[]): void {
  const out = c.out
  out.set(members.length)
  for (let i = 0; i < members.length; i++) out.bulk(members[i])
}

// --- commands -------------------------------------------------------------------------

/** SADD key member [member ...] */
function sadd(c: Client, argv: string[]): void {
  const key = argv[1]
  let s = setForWrite(c, key)
  if (s === null) return
  if (s === undefined) {
    s = new SetValue()
    c.db.set(key, s)
  }
  let added = 0
  for (let i = 2; i < argv.length; i++) if (s.add(argv[i])) added++
  c.out.integer(added)
}

/** SREM key member [member ...] */
function srem(c: Client, argv: string[]): void {
  const key = argv[1]
  const s = setForWrite(c, key)
  if (s === null) return
  if (s === undefined) return c.out.integer(0)
  let removed = 0
  for (let i = 2; i < argv.length; i++) {
    if (s.delete(argv[i])) {
      removed++
      if (s.size === 0) break
    }
  }
  if (s.size === 0) c.db.delete(key)
  c.out.integer(removed)
}

/** SMEMBERS key */
function smembers(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1])
  if (s === null) return
  if (s === undefined) return c.out.set(0)
  replyMembers(c, s.members())
}

/** SISMEMBER key member */
function sismember(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1])
  if (s === null) return
  c.out.integer(s !== undefined && s.has(argv[2]) ? 1 : 0)
}

/** SMISMEMBER key member [member ...] */
function smismember(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1])
  if (s === null) return
  const out = c.out
  out.array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) out.integer(s !== undefined && s.has(argv[i]) ? 1 : 0)
}

/** SCARD key */
function scard(c: Client, argv: string[]): void {
  const s = readSet(c, argv[1])
  if (s === null) return
  c.out.integer(s === undefined ? 0 : s.size)
}

/** Redis's SPOP_MOVE_STRATEGY_MUL: past this share, SPOP rebuilds the remainder instead. */
const SPOP_REBUILD_FACTOR = 5

/** SPOP key [count] */
function spop(c: Client, argv: string[]): void {
  const out = c.out
  if (argv.length > 3) return out.error(Err.syntax)
  const key = argv[1]
  if (argv.length === 2) {
    const s = setForWrite(c, key)
    if (s === null) return
    if (s === undefined) return out.nullBulk()
    const member = s.pop()
    if (s.size === 0) c.db.delete(key)
    return out.bulk(member)
  }
  const parsed = parseInt64(argv[2])
  if (parsed === null || parsed < 0) return out.error(Err.mustBePositive)
  const s = setForWrite(c, key)
  if (s === null) return
  if (s === undefined || parsed === 0) return out.set(0)
  const size = s.size
  if (parsed >= size) {
    replyMembers(c, s.members())
    c.db.delete(key)
    return
  }
  const count = Number(parsed)
  const remaining = size - count
  if (remaining * SPOP_REBUILD_FACTOR > count) {
    out.set(count)
    for (let i = 0; i < count; i++) out.bulk(s.pop())
    return
  }
  // Most of the set goes: pick the few that stay into a fresh set (whose encoding
  // Redis recomputes from them) and hand out what is left of the old one.
  const keep = s.sampleDistinct(remaining)
  for (const m of keep) s.delete(m)
  replyMembers(c, s.members())
  c.db.replace(key, SetValue.of(keep))
}

/** SRANDMEMBER key [count] */
function srandmember(c: Client, argv: string[]): void {
  const out = c.out
  if (argv.length > 3) return out.error(Err.syntax)
  if (argv.length === 2) {
    const s = readSet(c, argv[1])
    if (s === null) return
    if (s === undefined) return out.nullBulk()
    return out.bulk(s.random())
  }
  const parsed = parseSampleCount(c, argv[2])
  if (parsed === null) return
  const s = readSet(c, argv[1])
  if (s === null) return
  const count = Number(parsed)
  if (s === undefined || count === 0) return out.array(0)
  if (count < 0) {
    if (-count > MAX_REPEATED_PICKS) return out.error(Err.outOfRange)
    // Repeats allowed: stream the picks rather than building a list of -count.
    out.array(-count)
    for (let i = 0; i < -count; i++) out.bulk(s.random())
    return
  }
  const members = count >= s.size ? s.members() : s.sampleDistinct(count)
  out.array(members.length)
  for (let i = 0; i < members.length; i++) out.bulk(members[i])
}

/** SMOVE source destination member */
function smove(c: Client, argv: string[]): void {
  const out = c.out
  const db = c.db
  const src = db.get(argv[1])
  const dst = db.get(argv[2])
  if (src === undefined) return out.integer(0)
  if (!(src instanceof SetValue) || (dst !== undefined && !(dst instanceof SetValue))) return out.error(Err.wrongType)
  const member = argv[3]
  if (src === dst) return out.integer(src.has(member) ? 1 : 0)
  if (!src.delete(member)) return out.integer(0)
  if (src.size === 0) db.delete(argv[1])
  if (dst === undefined) {
    const created = new SetValue()
    created.add(member)
    db.set(argv[2], created)
  } else {
    dst.add(member)
  }
  out.integer(1)
}

/**
 * Members of every set, walking the smallest in its reply order; stops after `limit`
 * (0 = no limit). Any missing set makes the result empty.
 */
function intersect(sets: (SetValue | undefined)[], limit: number): string[] {
  const result: string[] = []
  const present: SetValue[] = []
  for (const s of sets) {
    if (s === undefined) return result
    present.push(s)
  }
  present.sort((a, b) => a.size - b.size)
  const members = present[0].members()
  const n = present.length
  outer: for (let i = 0; i < members.length; i++) {
    const m = members[i]
    for (let k = 1; k < n; k++) if (!present[k].has(m)) continue outer
    result.push(m)
    if (result.length === limit) break
  }
  return result
}

function union(sets: (SetValue | undefined)[]): SetValue {
  const result = new SetValue()
  for (const s of sets) {
    if (s === undefined) continue
    const members = s.members()
    for (let i = 0; i < members.length; i++) result.add(members[i])
  }
  return result
}

function difference(sets: (SetValue | undefined)[]): SetValue {
  const result = new SetValue()
  const first = sets[0]
  if (first === undefined) return result
  const members = first.members()
  const n = sets.length
  outer: for (let i = 0; i < members.length; i++) {
    const m = members[i]
    for (let k = 1; k < n; k++) {
      const other = sets[k]
      if (other !== undefined && other.has(m)) continue outer
    }
    result.add(m)
  }
  return result
}

/** Stores a computed set, or deletes the destination for an empty one; replies the size. */
function storeResult(c: Client, dst: string, result: SetValue): void {
  if (result.size === 0) c.db.delete(dst)
  else c.db.set(dst, result)
  c.out.integer(result.size)
}

/** SINTER key [key ...] */
function sinter(c: Client, argv: string[]): void {
  const sets = gatherSets(c, argv, 1, argv.length, false)
  if (sets === null) return
  replyMembers(c, intersect(sets, 0))
}

/** SINTERSTORE destination key [key ...] */
function sinterstore(c: Client, argv: string[]): void {
  const sets = gatherSets(c, argv, 2, argv.length, true)
  if (sets === null) return
  storeResult(c, argv[1], SetValue.of(intersect(sets, 0)))
}

/** SUNION key [key ...] */
function sunion(c: Client, argv: string[]): void {
  const sets = gatherSets(c, argv, 1, argv.length, false)
  if (sets === null) return
  replyMembers(c, union(sets).members())
}

/** SUNIONSTORE destination key [key ...] */
function sunionstore(c: Client, argv: string[]): void {
  const sets = gatherSets(c, argv, 2, argv.length, true)
  if (sets === null) return
  storeResult(c, argv[1], union(sets))
}

/** SDIFF key [key ...] */
function sdiff(c: Client, argv: string[]): void {
  const sets = gatherSets(c, argv, 1, argv.length, false)
  if (sets === null) return
  replyMembers(c, difference(sets).members())
}

/** SDIFFSTORE destination key [key ...] */
function sdiffstore(c: Client, argv: string[]): void {
  const sets = gatherSets(c, argv, 2, argv.length, true)
  if (sets === null) return
  storeResult(c, argv[1], difference(sets))
}

/** SINTERCARD's numkeys: null unless a positive count of keys that are all present. */
function sintercardKeyCount(argv: string[]): number | null {
  const n = parseInt64(argv[1])
  if (n === null || n < 1 || n > argv.length - 2) return null
  return Number(n)
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercard(c: Client, argv: string[]): void {
  const out = c.out
  const n = parseInt64(argv[1])
  if (n === null || n < 1) return out.error(Err.numkeysPositive)
  if (n > argv.length - 2) return out.error(Err.numkeysTooMany)
  const end = 2 + Number(n)
  let limit = 0
  for (let i = end; i < argv.length; i += 2) {
    if (isOption(argv[i], 'LIMIT') && i + 1 < argv.length) {
      const l = parseInt64(argv[i + 1])
      if (l === null || l < 0) return out.error(Err.limitNegative)
      limit = Number(l)
    } else {
      return out.error(Err.syntax)
    }
  }
  const sets = gatherSets(c, argv, 2, end, false)
  if (sets === null) return
  out.integer(intersect(sets, limit).length)
}

/**
 * SSCAN key cursor [MATCH pattern] [COUNT count]. An intset comes back whole with
 * cursor 0, as in Redis; a larger set in steps over a live iterator.
 */
function sscan(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(c, argv[2])
  if (cursor === null) return
  const s = readSet(c, argv[1])
  if (s === null) return
  if (s === undefined) return replyEmptyScan(c)
  const opts = parseScanOptions(c, argv, 3)
  if (opts === null) return
  const pattern = opts.pattern
  const out = c.out
  let items: readonly string[]
  let next = 0
  if (s.isIntset || (cursor === 0 && s.size <= opts.count)) {
    // Everything in one reply: as Redis does for an intset, and as its hash table
    // scan nearly always ends up doing when COUNT covers the whole set.
    items = pattern === null ? s.members() : s.members().filter((m) => globMatch(pattern, m))
  } else {
    const step = scanStep(s.cursors(), cursor, opts.count, () => s.keys(),
      pattern === null ? keepAll : (m) => globMatch(pattern, m))
    items = step.items
    next = step.cursor
  }
  out.array(2)
  out.bulk(String(next))
  out.array(items.length)
  for (let i = 0; i < items.length; i++) out.bulk(items[i])
}

function keepAll(): boolean {
  return true
}

const key1 = { firstKey: 1, lastKey: 1, step: 1 } as const
const allKeys = { firstKey: 1, lastKey: -1, step: 1 } as const
const SCAN_COMPLEXITY = 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..'
const INTER_COMPLEXITY = 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.'
const ALL_COMPLEXITY = 'O(N) where N is the total number of elements in all given sets.'

export const setCommands: CommandSpec[] = [
  command({
    name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], ...key1, group: 'set', since: '1.0.0',
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    summary: 'Add one or more members to a set', syntax: 'key member [member ...]', handler: sadd,
  }),
  command({
    name: 'srem', arity: -3, flags: ['write', 'fast'], ...key1, group: 'set', since: '1.0.0',
    complexity: 'O(N) where N is the number of members to be removed.', summary: 'Remove one or more members from a set',
    syntax: 'key member [member ...]', handler: srem,
  }),
  command({
    name: 'smembers', arity: 2, flags: ['readonly'], ...key1, group: 'set', since: '1.0.0',
    complexity: 'O(N) where N is the set cardinality.', summary: 'Get all the members in a set', syntax: 'key',
    tips: ['nondeterministic_output_order'], handler: smembers,
  }),
  command({
    name: 'sismember', arity: 3, flags: ['readonly', 'fast'], ...key1, group: 'set', since: '1.0.0',
    complexity: 'O(1)', summary: 'Determine if a given value is a member of a set', syntax: 'key member', handler: sismember,
  }),
  command({
    name: 'smismember', arity: -3, flags: ['readonly', 'fast'], ...key1, group: 'set', since: '6.2.0',
    complexity: 'O(N) where N is the number of elements being checked for membership',
    summary: 'Returns the membership associated with the given elements for a set', syntax: 'key member [member ...]',
    handler: smismember,
  }),
  command({
    name: 'scard', arity: 2, flags: ['readonly', 'fast'], ...key1, group: 'set', since: '1.0.0',
    complexity: 'O(1)', summary: 'Get the number of members in a set', syntax: 'key', handler: scard,
  }),
  command({
    name: 'spop', arity: -2, flags: ['write', 'fast'], ...key1, group: 'set', since: '1.0.0',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
    summary: 'Remove and return one or multiple random members from a set', syntax: 'key [count]',
    tips: ['nondeterministic_output'], handler: spop,
  }),
  command({
    name: 'srandmember', arity: -2, flags: ['readonly'], ...key1, group: 'set', since: '1.0.0',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
    summary: 'Get one or multiple random members from a set', syntax: 'key [count]',
    tips: ['nondeterministic_output'], handler: srandmember,
  }),
  command({
    name: 'smove', arity: 4, flags: ['write', 'fast'], firstKey: 1, lastKey: 2, step: 1, group: 'set', since: '1.0.0',
    complexity: 'O(1)', summary: 'Move a member from one set to another', syntax: 'source destination member',
    handler: smove,
  }),
  command({
    name: 'sinter', arity: -2, flags: ['readonly'], ...allKeys, group: 'set', since: '1.0.0',
    complexity: INTER_COMPLEXITY, summary: 'Intersect multiple sets', syntax: 'key [key ...]',
    tips: ['nondeterministic_output_order'], handler: sinter,
  }),
  command({
    name: 'sunion', arity: -2, flags: ['readonly'], ...allKeys, group: 'set', since: '1.0.0',
    complexity: ALL_COMPLEXITY, summary: 'Add multiple sets', syntax: 'key [key ...]',
    tips: ['nondeterministic_output_order'], handler: sunion,
  }),
  command({
    name: 'sdiff', arity: -2, flags: ['readonly'], ...allKeys, group: 'set', since: '1.0.0',
    complexity: ALL_COMPLEXITY, summary: 'Subtract multiple sets', syntax: 'key [key ...]',
    tips: ['nondeterministic_output_order'], handler: sdiff,
  }),
  command({
    name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], ...allKeys, group: 'set', since: '1.0.0',
    complexity: INTER_COMPLEXITY, summary: 'Intersect multiple sets and store the resulting set in a key',
    syntax: 'destination key [key ...]', handler: sinterstore,
  }),
  command({
    name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], ...allKeys, group: 'set', since: '1.0.0',
    complexity: ALL_COMPLEXITY, summary: 'Add multiple sets and store the resulting set in a key',
    syntax: 'destination key [key ...]', handler: sunionstore,
  }),
  command({
    name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], ...allKeys, group: 'set', since: '1.0.0',
    complexity: ALL_COMPLEXITY, summary: 'Subtract multiple sets and store the resulting set in a key',
    syntax: 'destination key [key ...]', handler: sdiffstore,
  }),
  command({
    name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], group: 'set', since: '7.0.0',
    complexity: INTER_COMPLEXITY, summary: 'Intersect multiple sets and return the cardinality of the result',
    syntax: 'numkeys key [key ...] [LIMIT limit]',
    keys: (argv) => {
      const n = sintercardKeyCount(argv)
      return n === null ? [] : Array.from({ length: n }, (_, i) => 2 + i)
    },
    handler: sintercard,
  }),
  command({
    name: 'sscan', arity: -3, flags: ['readonly'], ...key1, group: 'set', since: '2.8.0',
    complexity: SCAN_COMPLEXITY, summary: 'Incrementally iterate Set elements',
    syntax: 'key cursor [MATCH pattern] [COUNT count]', tips: ['nondeterministic_output'], handler: sscan,
  }),
]
