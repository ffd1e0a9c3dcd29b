import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import { scanStep } from '../store/cursors.js'
import { globMatch } from '../store/glob.js'
import { SetValue } from '../store/set.js'
import { integerAtLeast, isOption, MAX_REPEATED_PICKS, numkeysKeys, sampleCountArg } from './args.js'
import { Err } from './errors.js'
import { afterRemoval, typedLookups } from './lookup.js'
import { COLLECTION_SCAN_COMPLEXITY, collectionScanArgs, matcher, replyScan } from './scan.js'
import { command, everyKey, oneKey, type CommandSpec } from './spec.js'

/**
 * Set commands. A set is a SetValue (store/set.ts); a set left empty is deleted with
 * its key. Replies list members in SetValue.members() order, which is ascending for
 * intset-sized integer sets as in Redis.
 */

// --- lookups and replies ----------------------------------------------------------------

const { forRead: setForRead, forWrite: setForWrite, orCreate: setOrCreate } = typedLookups(SetValue)

/**
 * The sets at argv[from..to), missing keys as undefined. Every key is type-checked
 * before any work, as Redis does; null after a WRONGTYPE reply. The STORE forms read
 * their sources this way too, so their misses count (and raise keymiss) as in Redis.
 */
function gatherSets(c: Caller, argv: string[], from: number, to: number): (SetValue | undefined)[] | null {
  const sets = new Array<SetValue | undefined>(to - from)
  for (let i = from; i < to; i++) {
    const v = setForRead(c, argv[i])
    if (v === null) return null
    sets[i - from] = v
  }
  return sets
}

/** Writes `members` as a set reply. */
function replyMembers(c: Caller, members: readonly string[]): void {
  const out = c.out
  out.set(members.length)
  for (let i = 0; i < members.length; i++) out.bulk(members[i])
}

// --- commands -------------------------------------------------------------------------

/** SADD key member [member ...] */
function sadd(c: Caller, argv: string[]): void {
  const key = argv[1]
  const s = setOrCreate(c, key)
  if (s === null) return
  let added = 0
  for (let i = 2; i < argv.length; i++) if (s.add(argv[i])) added++
  if (added > 0) {
    c.db.modified(key)
    c.notify(Notify.set, 'sadd', key)
  }
  c.out.integer(added)
}

/** SREM key member [member ...] */
function srem(c: Caller, argv: string[]): void {
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
  if (removed > 0) afterRemoval(c, key, s, Notify.set, 'srem')
  c.out.integer(removed)
}

/** SMEMBERS key */
function smembers(c: Caller, argv: string[]): void {
  const s = setForRead(c, argv[1])
  if (s === null) return
  if (s === undefined) return c.out.set(0)
  replyMembers(c, s.members())
}

/** SISMEMBER key member */
function sismember(c: Caller, argv: string[]): void {
  const s = setForRead(c, argv[1])
  if (s === null) return
  c.out.integer(s !== undefined && s.has(argv[2]) ? 1 : 0)
}

/** SMISMEMBER key member [member ...] */
function smismember(c: Caller, argv: string[]): void {
  const s = setForRead(c, argv[1])
  if (s === null) return
  const out = c.out
  out.array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) out.integer(s !== undefined && s.has(argv[i]) ? 1 : 0)
}

/** SCARD key */
function scard(c: Caller, argv: string[]): void {
  const s = setForRead(c, argv[1])
  if (s === null) return
  c.out.integer(s === undefined ? 0 : s.size)
}

/** Redis's SPOP_MOVE_STRATEGY_MUL: past this share, SPOP rebuilds the remainder instead. */
const SPOP_REBUILD_FACTOR = 5

/** SPOP key [count] */
function spop(c: Caller, argv: string[]): void {
  const out = c.out
  if (argv.length > 3) return out.error(Err.syntax)
  const key = argv[1]
  if (argv.length === 2) {
    const s = setForWrite(c, key)
    if (s === null) return
    if (s === undefined) return out.nullBulk()
    const member = s.pop()
    // The member was chosen at random: the replay removes that one (SREM), as in Redis.
    if (c.server.propagation.active) c.propagateAs(['SREM', key, member])
    afterRemoval(c, key, s, Notify.set, 'spop')
    return out.bulk(member)
  }
  const count = integerAtLeast(c, argv[2], 0, Err.mustBePositive)
  if (count === null) return
  const s = setForWrite(c, key)
  if (s === null) return
  if (s === undefined || count === 0) return out.set(0)
  const size = s.size
  const propagate = c.server.propagation.active
  if (count >= size) {
    if (propagate) c.propagateAs(['DEL', key])
    replyMembers(c, s.members())
    c.db.delete(key)
    c.notify(Notify.set, 'spop', key)
    c.notify(Notify.generic, 'del', key)
    return
  }
  const remaining = size - count
  if (remaining * SPOP_REBUILD_FACTOR > count) {
    out.set(count)
    for (let i = 0; i < count; i++) {
      const member = s.pop()
      if (propagate) c.propagateAs(['SREM', key, member])
      out.bulk(member)
    }
    c.db.modified(key)
    c.notify(Notify.set, 'spop', key)
    return
  }
  // Most of the set goes: pick the few that stay into a fresh set (whose encoding
  // Redis recomputes from them) and hand out what is left of the old one.
  const keep = s.sampleDistinct(remaining)
  for (const m of keep) s.delete(m)
  if (propagate) for (const m of s.members()) c.propagateAs(['SREM', key, m])
  replyMembers(c, s.members())
  c.db.replace(key, SetValue.of(keep))
  c.notify(Notify.set, 'spop', key)
}

/** SRANDMEMBER key [count] */
function srandmember(c: Caller, argv: string[]): void {
  const out = c.out
  if (argv.length > 3) return out.error(Err.syntax)
  if (argv.length === 2) {
    const s = setForRead(c, argv[1])
    if (s === null) return
    if (s === undefined) return out.nullBulk()
    return out.bulk(s.random())
  }
  const parsed = sampleCountArg(c, argv[2])
  if (parsed === null) return
  const s = setForRead(c, argv[1])
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
function smove(c: Caller, argv: string[]): void {
  const out = c.out
  const db = c.db
  const src = db.get(argv[1])
  const dst = db.get(argv[2])
  if (src === undefined) return out.integer(0)
  if (!(src instanceof SetValue) || (dst !== undefined && !(dst instanceof SetValue))) return out.error(Err.wrongType)
  const member = argv[3]
  if (src === dst) return out.integer(src.has(member) ? 1 : 0)
  if (!src.delete(member)) return out.integer(0)
  afterRemoval(c, argv[1], src, Notify.set, 'srem')
  // The destination is announced only if it gained the member.
  if (dst === undefined) {
    const created = new SetValue()
    created.add(member)
    db.set(argv[2], created)
  } else if (dst.add(member)) {
    db.modified(argv[2])
  } else {
    return out.integer(1)
  }
  c.notify(Notify.set, 'sadd', argv[2])
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

/**
 * Stores a computed set, or deletes the destination for an empty one; replies the
 * size. `event` is the command's keyspace event; an emptied destination gets "del".
 */
function storeResult(c: Caller, dst: string, result: SetValue, event: string): void {
  if (result.size === 0) {
    if (c.db.deleteStored(dst)) c.notify(Notify.generic, 'del', dst)
  } else {
    c.db.set(dst, result)
    c.notify(Notify.set, event, dst)
  }
  c.out.integer(result.size)
}

/** SINTER key [key ...] */
function sinter(c: Caller, argv: string[]): void {
  const sets = gatherSets(c, argv, 1, argv.length)
  if (sets === null) return
  replyMembers(c, intersect(sets, 0))
}

/** SINTERSTORE destination key [key ...] */
function sinterstore(c: Caller, argv: string[]): void {
  const sets = gatherSets(c, argv, 2, argv.length)
  if (sets === null) return
  storeResult(c, argv[1], SetValue.of(intersect(sets, 0)), 'sinterstore')
}

/** SUNION key [key ...] */
function sunion(c: Caller, argv: string[]): void {
  const sets = gatherSets(c, argv, 1, argv.length)
  if (sets === null) return
  replyMembers(c, union(sets).members())
}

/** SUNIONSTORE destination key [key ...] */
function sunionstore(c: Caller, argv: string[]): void {
  const sets = gatherSets(c, argv, 2, argv.length)
  if (sets === null) return
  storeResult(c, argv[1], union(sets), 'sunionstore')
}

/** SDIFF key [key ...] */
function sdiff(c: Caller, argv: string[]): void {
  const sets = gatherSets(c, argv, 1, argv.length)
  if (sets === null) return
  replyMembers(c, difference(sets).members())
}

/** SDIFFSTORE destination key [key ...] */
function sdiffstore(c: Caller, argv: string[]): void {
  const sets = gatherSets(c, argv, 2, argv.length)
  if (sets === null) return
  storeResult(c, argv[1], difference(sets), 'sdiffstore')
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercard(c: Caller, argv: string[]): void {
  const out = c.out
  const n = integerAtLeast(c, argv[1], 1, Err.numkeysPositive)
  if (n === null) return
  if (n > argv.length - 2) return out.error(Err.numkeysTooMany)
  const end = 2 + n
  let limit = 0
  for (let i = end; i < argv.length; i += 2) {
    if (isOption(argv[i], 'LIMIT') && i + 1 < argv.length) {
      const l = integerAtLeast(c, argv[i + 1], 0, Err.limitNegative)
      if (l === null) return
      limit = l
    } else {
      return out.error(Err.syntax)
    }
  }
  const sets = gatherSets(c, argv, 2, end)
  if (sets === null) return
  out.integer(intersect(sets, limit).length)
}

/**
 * SSCAN key cursor [MATCH pattern] [COUNT count]. An intset comes back whole with
 * cursor 0, as in Redis; a larger set in steps over a live iterator.
 */
function sscan(c: Caller, argv: string[]): void {
  const scan = collectionScanArgs(c, argv, setForRead)
  if (scan === null) return
  const { value: s, cursor, options: { count, pattern } } = scan
  if (s.isIntset || (cursor === 0 && s.size <= count)) {
    // Everything in one reply: as Redis does for an intset, and as its hash table
    // scan nearly always ends up doing when COUNT covers the whole set.
    const all = s.members()
    return replyScan(c, 0, pattern === null ? all : all.filter((m) => globMatch(pattern, m)))
  }
  const step = scanStep(s.cursors(), cursor, count, () => s.keys(), matcher(pattern))
  replyScan(c, step.cursor, step.items)
}

const INTER_COMPLEXITY = 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.'
const ALL_COMPLEXITY = 'O(N) where N is the total number of elements in all given sets.'

export const setCommands: CommandSpec[] = [
  command({
    name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'set', since: '1.0.0',
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    summary: 'Add one or more members to a set', syntax: 'key member [member ...]', handler: sadd,
  }),
  command({
    name: 'srem', arity: -3, flags: ['write', 'fast'], ...oneKey, group: 'set', since: '1.0.0',
    complexity: 'O(N) where N is the number of members to be removed.', summary: 'Remove one or more members from a set',
    syntax: 'key member [member ...]', handler: srem,
  }),
  command({
    name: 'smembers', arity: 2, flags: ['readonly'], ...oneKey, group: 'set', since: '1.0.0',
    complexity: 'O(N) where N is the set cardinality.', summary: 'Get all the members in a set', syntax: 'key',
    tips: ['nondeterministic_output_order'], handler: smembers,
  }),
  command({
    name: 'sismember', arity: 3, flags: ['readonly', 'fast'], ...oneKey, group: 'set', since: '1.0.0',
    complexity: 'O(1)', summary: 'Determine if a given value is a member of a set', syntax: 'key member', handler: sismember,
  }),
  command({
    name: 'smismember', arity: -3, flags: ['readonly', 'fast'], ...oneKey, group: 'set', since: '6.2.0',
    complexity: 'O(N) where N is the number of elements being checked for membership',
    summary: 'Returns the membership associated with the given elements for a set', syntax: 'key member [member ...]',
    handler: smismember,
  }),
  command({
    name: 'scard', arity: 2, flags: ['readonly', 'fast'], ...oneKey, group: 'set', since: '1.0.0',
    complexity: 'O(1)', summary: 'Get the number of members in a set', syntax: 'key', handler: scard,
  }),
  command({
    name: 'spop', arity: -2, flags: ['write', 'fast'], ...oneKey, group: 'set', since: '1.0.0',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
    summary: 'Remove and return one or multiple random members from a set', syntax: 'key [count]',
    tips: ['nondeterministic_output'], handler: spop,
  }),
  command({
    name: 'srandmember', arity: -2, flags: ['readonly'], ...oneKey, group: 'set', since: '1.0.0',
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
    name: 'sinter', arity: -2, flags: ['readonly'], ...everyKey, group: 'set', since: '1.0.0',
    complexity: INTER_COMPLEXITY, summary: 'Intersect multiple sets', syntax: 'key [key ...]',
    tips: ['nondeterministic_output_order'], handler: sinter,
  }),
  command({
    name: 'sunion', arity: -2, flags: ['readonly'], ...everyKey, group: 'set', since: '1.0.0',
    complexity: ALL_COMPLEXITY, summary: 'Add multiple sets', syntax: 'key [key ...]',
    tips: ['nondeterministic_output_order'], handler: sunion,
  }),
  command({
    name: 'sdiff', arity: -2, flags: ['readonly'], ...everyKey, group: 'set', since: '1.0.0',
    complexity: ALL_COMPLEXITY, summary: 'Subtract multiple sets', syntax: 'key [key ...]',
    tips: ['nondeterministic_output_order'], handler: sdiff,
  }),
  command({
    name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], ...everyKey, group: 'set', since: '1.0.0',
    complexity: INTER_COMPLEXITY, summary: 'Intersect multiple sets and store the resulting set in a key',
    syntax: 'destination key [key ...]', handler: sinterstore,
  }),
  command({
    name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], ...everyKey, group: 'set', since: '1.0.0',
    complexity: ALL_COMPLEXITY, summary: 'Add multiple sets and store the resulting set in a key',
    syntax: 'destination key [key ...]', handler: sunionstore,
  }),
  command({
    name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], ...everyKey, group: 'set', since: '1.0.0',
    complexity: ALL_COMPLEXITY, summary: 'Subtract multiple sets and store the resulting set in a key',
    syntax: 'destination key [key ...]', handler: sdiffstore,
  }),
  command({
    name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], group: 'set', since: '7.0.0',
    complexity: INTER_COMPLEXITY, summary: 'Intersect multiple sets and return the cardinality of the result',
    syntax: 'numkeys key [key ...] [LIMIT limit]', keys: (argv) => numkeysKeys(argv, 1), handler: sintercard,
  }),
  command({
    name: 'sscan', arity: -3, flags: ['readonly'], ...oneKey, group: 'set', since: '2.8.0',
    complexity: COLLECTION_SCAN_COMPLEXITY, summary: 'Incrementally iterate Set elements',
    syntax: 'key cursor [MATCH pattern] [COUNT count]', tips: ['nondeterministic_output'], handler: sscan,
  }),
]
