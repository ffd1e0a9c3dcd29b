import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import { ListValue } from '../store/list.js'
import { integerArg, integerAtLeast, isOption, mpopArgs, numkeysKeys, type MpopArgs } from './args.js'
import { INT64_MIN, parseInt64 } from '../util/numbers.js'
import { readyValue, timeoutArg, waitOnKeys } from './blocking-pops.js'
import { Err } from './errors.js'
import { afterRemoval, typedLookups } from './lookup.js'
import { command, oneKey, popKeyFlags, type CommandSpec } from './spec.js'

/**
 * List commands, and the blocking pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP).
 *
 * Lookups follow Redis: LLEN, LRANGE, LINDEX and LPOS read (and count keyspace hits
 * and misses), the rest look up for writing. A list left empty deletes its key, and
 * every write that can create or grow a list signals the key, so clients blocked on
 * it are served before the next command runs.
 */

const { forRead: listForRead, forWrite: listForWrite } = typedLookups(ListValue)

const enum End {
  Left,
  Right,
}

/** LEFT or RIGHT, or null after replying a syntax error. */
function endArg(c: Caller, arg: string): End | null {
  if (isOption(arg, 'LEFT')) return End.Left
  if (isOption(arg, 'RIGHT')) return End.Right
  c.out.error(Err.syntax)
  return null
}

/** Redis's keyspace event names for a pop and a push at each end. */
const POP_EVENT = ['lpop', 'rpop'] as const
const POP_NAME = ['LPOP', 'RPOP'] as const
const PUSH_EVENT = ['lpush', 'rpush'] as const

function pop(list: ListValue, end: End): string {
  return (end === End.Left ? list.popFront() : list.popBack())!
}

function push(list: ListValue, end: End, value: string): void {
  if (end === End.Left) list.pushFront(value)
  else list.pushBack(value)
}

// ---------------------------------------------------------------------------------
// Pushes and pops

/** LPUSH, RPUSH, LPUSHX, RPUSHX: key element [element ...] */
function pushGeneric(c: Caller, argv: string[], end: End, onlyExisting: boolean): void {
  const key = argv[1]
  let list = listForWrite(c, key)
  if (list === null) return
  if (list === undefined) {
    if (onlyExisting) return c.out.integer(0)
    list = new ListValue()
    c.db.set(key, list)
  }
  if (end === End.Left) for (let i = 2; i < argv.length; i++) list.pushFront(argv[i])
  else for (let i = 2; i < argv.length; i++) list.pushBack(argv[i])
  c.out.integer(list.size)
  c.db.modified(key)
  c.notify(Notify.list, PUSH_EVENT[end], key)
}

function lpush(c: Caller, argv: string[]): void {
  pushGeneric(c, argv, End.Left, false)
}

function rpush(c: Caller, argv: string[]): void {
  pushGeneric(c, argv, End.Right, false)
}

function lpushx(c: Caller, argv: string[]): void {
  pushGeneric(c, argv, End.Left, true)
}

function rpushx(c: Caller, argv: string[]): void {
  pushGeneric(c, argv, End.Right, true)
}

/** Writes up to `count` elements popped from `end` as an array, deleting an emptied key. */
function popRange(c: Caller, key: string, list: ListValue, end: End, count: number): void {
  const n = Math.min(count, list.size)
  const out = c.out
  out.array(n)
  for (let i = 0; i < n; i++) out.bulk(pop(list, end))
  if (n > 0) afterRemoval(c, key, list, Notify.list, POP_EVENT[end])
}

/** LPOP, RPOP: key [count]. With a count, a missing key is a null array, not a null string. */
function popGeneric(c: Caller, argv: string[], end: End): void {
  if (argv.length > 3) return c.out.error(Err.wrongArgs(end === End.Left ? 'lpop' : 'rpop'))
  let count = -1
  if (argv.length === 3) {
    const n = integerAtLeast(c, argv[2], 0, Err.mustBePositive)
    if (n === null) return
    count = n
  }
  const key = argv[1]
  const list = listForWrite(c, key)
  if (list === null) return
  if (list === undefined) {
    if (count < 0) c.out.nullBulk()
    else c.out.nullArray()
    return
  }
  if (count >= 0) return popRange(c, key, list, end, count)
  c.out.bulk(pop(list, end))
  afterRemoval(c, key, list, Notify.list, POP_EVENT[end])
}

function lpop(c: Caller, argv: string[]): void {
  popGeneric(c, argv, End.Left)
}

function rpop(c: Caller, argv: string[]): void {
  popGeneric(c, argv, End.Right)
}

// ---------------------------------------------------------------------------------
// Reading and editing in place

function llen(c: Caller, argv: string[]): void {
  const list = listForRead(c, argv[1])
  if (list === null) return
  c.out.integer(list === undefined ? 0 : list.size)
}

/** LRANGE key start stop: indexes first (so bad ones fail before WRONGTYPE), then the key. */
function lrange(c: Caller, argv: string[]): void {
  let start = integerArg(c, argv[2])
  if (start === null) return
  let stop = integerArg(c, argv[3])
  if (stop === null) return
  const list = listForRead(c, argv[1])
  if (list === null) return
  const out = c.out
  if (list === undefined) return out.array(0)
  const n = list.size
  if (start < 0) start += n
  if (stop < 0) stop += n
  if (start < 0) start = 0
  if (start > stop || start >= n) return out.array(0)
  if (stop >= n) stop = n - 1
  out.array(stop - start + 1)
  for (let i = start; i <= stop; i++) out.bulk(list.at(i))
}

/** LINDEX key index: unlike LRANGE, the key is looked up before the index is parsed. */
function lindex(c: Caller, argv: string[]): void {
  const list = listForRead(c, argv[1])
  if (list === null) return
  if (list === undefined) return c.out.nullBulk()
  let index = integerArg(c, argv[2])
  if (index === null) return
  if (index < 0) index += list.size
  if (index < 0 || index >= list.size) return c.out.nullBulk()
  c.out.bulk(list.at(index))
}

function lset(c: Caller, argv: string[]): void {
  const list = listForWrite(c, argv[1])
  if (list === null) return
  if (list === undefined) return c.out.error(Err.noSuchKey)
  let index = integerArg(c, argv[2])
  if (index === null) return
  if (index < 0) index += list.size
  if (index < 0 || index >= list.size) return c.out.error(Err.indexRange)
  list.setAt(index, argv[3])
  c.db.modified(argv[1])
  c.notify(Notify.list, 'lset', argv[1])
  c.out.simple('OK')
}

/** LINSERT key BEFORE|AFTER pivot element: the new length, 0 for no key, -1 for no pivot. */
function linsert(c: Caller, argv: string[]): void {
  let after: boolean
  if (isOption(argv[2], 'AFTER')) after = true
  else if (isOption(argv[2], 'BEFORE')) after = false
  else return c.out.error(Err.syntax)
  const list = listForWrite(c, argv[1])
  if (list === null) return
  if (list === undefined) return c.out.integer(0)
  const at = list.indexOf(argv[3])
  if (at < 0) return c.out.integer(-1)
  list.insert(after ? at + 1 : at, argv[4])
  c.db.modified(argv[1])
  c.notify(Notify.list, 'linsert', argv[1])
  c.out.integer(list.size)
}

/** LREM key count element: count > 0 from the head, < 0 from the tail, 0 all. */
function lrem(c: Caller, argv: string[]): void {
  const count = integerArg(c, argv[2])
  if (count === null) return
  const key = argv[1]
  const list = listForWrite(c, key)
  if (list === null) return
  if (list === undefined) return c.out.integer(0)
  const removed = list.removeValue(argv[3], count < 0 ? -count : count, count < 0)
  if (removed > 0) afterRemoval(c, key, list, Notify.list, 'lrem')
  c.out.integer(removed)
}

function ltrim(c: Caller, argv: string[]): void {
  let start = integerArg(c, argv[2])
  if (start === null) return
  let stop = integerArg(c, argv[3])
  if (stop === null) return
  const key = argv[1]
  const list = listForWrite(c, key)
  if (list === null) return
  if (list !== undefined) {
    const n = list.size
    if (start < 0) start += n
    if (stop < 0) stop += n
    if (start < 0) start = 0
    if (stop >= n) stop = n - 1
    list.trim(start, stop)
    // Announced even when the range covers the whole list and nothing went, as in Redis.
    afterRemoval(c, key, list, Notify.list, 'ltrim')
  }
  c.out.simple('OK')
}

/**
 * LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. Options are checked
 * before the key. RANK -9223372036854775808 is accepted: Redis negates it in place,
 * which overflows, so it searches from the tail and its COUNT limit never triggers.
 */
function lpos(c: Caller, argv: string[]): void {
  let rank = 1
  let count = -1
  let maxlen = 0
  let unlimited = false
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]
    const more = j + 1 < argv.length
    if (more && isOption(opt, 'RANK')) {
      const r = parseInt64(argv[++j])
      if (r === null) return c.out.error(Err.notInteger)
      if (r === 0) return c.out.error(Err.rankZero)
      unlimited = r === INT64_MIN
      if (typeof r === 'number') rank = r
      else rank = unlimited ? -1 : r > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER
    } else if (more && isOption(opt, 'COUNT')) {
      const n = integerAtLeast(c, argv[++j], 0, Err.lposCountNegative)
      if (n === null) return
      count = n
    } else if (more && isOption(opt, 'MAXLEN')) {
      const n = integerAtLeast(c, argv[++j], 0, Err.lposMaxlenNegative)
      if (n === null) return
      maxlen = n
    } else {
      return c.out.error(Err.syntax)
    }
  }
  const list = listForRead(c, argv[1])
  if (list === null) return
  const out = c.out
  if (list === undefined) {
    if (count >= 0) out.array(0)
    else out.nullBulk()
    return
  }
  const value = argv[2]
  const n = list.size
  const fromTail = rank < 0
  const skip = (fromTail ? -rank : rank) - 1
  const limit = count < 0 ? 1 : count === 0 || unlimited ? n : count
  const scan = maxlen === 0 || maxlen > n ? n : maxlen
  let matches = 0
  let found: number[] | null = null
  for (let k = 0; k < scan; k++) {
    const i = fromTail ? n - 1 - k : k
    if (list.at(i) !== value || ++matches <= skip) continue
    if (count < 0) return out.integer(i)
    if (found === null) found = []
    found.push(i)
    if (found.length >= limit) break
  }
  if (count < 0) return out.nullBulk()
  if (found === null) return out.array(0)
  out.array(found.length)
  for (const i of found) out.integer(i)
}

// ---------------------------------------------------------------------------------
// Moving between lists

/**
 * LMOVE's work once the ends are parsed: the source first (missing: null), then the
 * destination's type, and only then the pop and push, so a wrong-typed destination
 * leaves the source untouched.
 */
function moveElement(c: Caller, src: string, dst: string, from: End, to: End): void {
  const source = listForWrite(c, src)
  if (source === null) return
  if (source === undefined) return c.out.nullBulk()
  let target = src === dst ? source : listForWrite(c, dst)
  if (target === null) return
  const value = pop(source, from)
  if (target === undefined) {
    target = new ListValue()
    c.db.set(dst, target)
  }
  push(target, to, value)
  // Redis announces the push before the pop (and the source's deletion).
  c.db.modified(dst)
  c.notify(Notify.list, PUSH_EVENT[to], dst)
  afterRemoval(c, src, source, Notify.list, POP_EVENT[from])
  c.out.bulk(value)
}

function lmove(c: Caller, argv: string[]): void {
  const from = endArg(c, argv[3])
  if (from === null) return
  const to = endArg(c, argv[4])
  if (to === null) return
  moveElement(c, argv[1], argv[2], from, to)
}

function rpoplpush(c: Caller, argv: string[]): void {
  moveElement(c, argv[1], argv[2], End.Right, End.Left)
}

// ---------------------------------------------------------------------------------
// LMPOP and BLMPOP

/** The ends of `numkeys key [key ...] <LEFT | RIGHT> [COUNT count]`, in End's order. */
const MPOP_ENDS = ['LEFT', 'RIGHT'] as const

/** [key, [elements...]] popped from `list`. */
function replyPopWithKey(c: Caller, key: string, list: ListValue, end: End, count: number): void {
  // LMPOP and BLMPOP replay as the pop of the key they served, as in Redis.
  if (c.server.propagation.active) c.propagateAs([POP_NAME[end], key, String(Math.min(count, list.size))])
  c.out.array(2)
  c.out.bulk(key)
  popRange(c, key, list, end, count)
}

/**
 * Pops from the first non-empty list among the keys. Returns false when every key is
 * missing; a wrong-typed key met before a list fails the whole call.
 */
function mpopFirst(c: Caller, argv: string[], args: MpopArgs): boolean {
  const last = args.first + args.numkeys
  for (let i = args.first; i < last; i++) {
    const key = argv[i]
    const list = listForWrite(c, key)
    if (list === null) return true
    if (list === undefined) continue
    replyPopWithKey(c, key, list, args.end, args.count)
    return true
  }
  return false
}

function lmpop(c: Caller, argv: string[]): void {
  const args = mpopArgs(c, argv, 1, MPOP_ENDS)
  if (args === null) return
  if (!mpopFirst(c, argv, args)) c.out.nullArray()
}

// ---------------------------------------------------------------------------------
// Blocking pops (see blocking-pops.ts)

/** BLPOP, BRPOP: key [key ...] timeout */
function blockingPop(c: Caller, argv: string[], end: End, spec: CommandSpec): void {
  if (c.retrying) {
    const ready = readyValue(c, ListValue)
    if (ready !== null) replyPopOne(c, ready.key, ready.value, end)
    return
  }
  const last = argv.length - 1
  const timeout = timeoutArg(c, argv[last])
  if (timeout === null) return
  for (let i = 1; i < last; i++) {
    const key = argv[i]
    const list = listForWrite(c, key)
    if (list === null) return
    if (list !== undefined) return replyPopOne(c, key, list, end)
  }
  waitOnKeys(c, spec, argv, argv.slice(1, last), timeout)
}

/** [key, element], the element popped from `end`. */
function replyPopOne(c: Caller, key: string, list: ListValue, end: End): void {
  if (c.server.propagation.active) c.propagateAs([POP_NAME[end], key])
  c.out.array(2)
  c.out.bulk(key)
  c.out.bulk(pop(list, end))
  afterRemoval(c, key, list, Notify.list, POP_EVENT[end])
}

function blpop(c: Caller, argv: string[]): void {
  blockingPop(c, argv, End.Left, blpopSpec)
}

function brpop(c: Caller, argv: string[]): void {
  blockingPop(c, argv, End.Right, brpopSpec)
}

/**
 * BLMOVE and BRPOPLPUSH once their arguments are parsed. A present source is served
 * as LMOVE would; a missing one blocks. Inside MULTI the empty answer is a null
 * string, while a timeout answers a null array, as Redis 7.0 does.
 */
function blockingMove(c: Caller, argv: string[], from: End, to: End, timeout: number, spec: CommandSpec): void {
  const src = argv[1]
  if (c.retrying) {
    if (readyValue(c, ListValue) !== null) moveUnblocked(c, argv, from, to)
    return
  }
  const source = listForWrite(c, src)
  if (source === null) return
  if (source !== undefined) return moveUnblocked(c, argv, from, to)
  if (c.denyBlocking) return c.out.nullBulk()
  waitOnKeys(c, spec, argv, [src], timeout)
}

/**
 * A served BLMOVE or BRPOPLPUSH, propagated as the LMOVE or RPOPLPUSH it became. As in
 * Redis 7.0, a BLMOVE served after blocking spells its ends in lower case; served at
 * once it keeps its own arguments.
 */
function moveUnblocked(c: Caller, argv: string[], from: End, to: End): void {
  if (c.server.propagation.active) {
    if (argv.length !== 6) c.propagateAs(['RPOPLPUSH', argv[1], argv[2]])
    else if (c.retrying) c.propagateAs(['LMOVE', argv[1], argv[2], END_NAME[from], END_NAME[to]])
    else c.propagateAs(['LMOVE', argv[1], argv[2], argv[3], argv[4]])
  }
  moveElement(c, argv[1], argv[2], from, to)
}

const END_NAME = ['left', 'right'] as const

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
function blmove(c: Caller, argv: string[]): void {
  const from = endArg(c, argv[3])
  if (from === null) return
  const to = endArg(c, argv[4])
  if (to === null) return
  const timeout = c.retrying ? 0 : timeoutArg(c, argv[5])
  if (timeout === null) return
  blockingMove(c, argv, from, to, timeout, blmoveSpec)
}

/** BRPOPLPUSH source destination timeout */
function brpoplpush(c: Caller, argv: string[]): void {
  const timeout = c.retrying ? 0 : timeoutArg(c, argv[3])
  if (timeout === null) return
  blockingMove(c, argv, End.Right, End.Left, timeout, brpoplpushSpec)
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function blmpop(c: Caller, argv: string[]): void {
  const timeout = c.retrying ? 0 : timeoutArg(c, argv[1])
  if (timeout === null) return
  const args = mpopArgs(c, argv, 2, MPOP_ENDS)
  if (args === null) return
  if (c.retrying) {
    const ready = readyValue(c, ListValue)
    if (ready !== null) replyPopWithKey(c, ready.key, ready.value, args.end, args.count)
    return
  }
  if (mpopFirst(c, argv, args)) return
  waitOnKeys(c, blmpopSpec, argv, argv.slice(args.first, args.first + args.numkeys), timeout)
}

// ---------------------------------------------------------------------------------

/**
 * COMMAND INFO key-spec flags of the popping commands. LMOVE and friends have a second
 * spec for the destination (RW insert) in Redis; one spec covers both keys here.
 */
const twoKeys = { firstKey: 1, lastKey: 2, step: 1 } as const
const pushComplexity = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.'

const blpopSpec = command({
  name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keyFlags: popKeyFlags, firstKey: 1, lastKey: -2, step: 1,
  group: 'list', since: '2.0.0', complexity: 'O(N) where N is the number of provided keys.',
  summary: 'Remove and get the first element in a list, or block until one is available',
  syntax: 'key [key ...] timeout', handler: blpop,
})

const brpopSpec = command({
  name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keyFlags: popKeyFlags, firstKey: 1, lastKey: -2, step: 1,
  group: 'list', since: '2.0.0', complexity: 'O(N) where N is the number of provided keys.',
  summary: 'Remove and get the last element in a list, or block until one is available',
  syntax: 'key [key ...] timeout', handler: brpop,
})

const blmoveSpec = command({
  name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], keyFlags: popKeyFlags, ...twoKeys,
  group: 'list', since: '6.2.0', complexity: 'O(1)',
  summary: 'Pop an element from a list, push it to another list and return it; or block until one is available',
  syntax: 'source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout', handler: blmove,
})

const brpoplpushSpec = command({
  name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], keyFlags: popKeyFlags, ...twoKeys,
  group: 'list', since: '2.2.0', complexity: 'O(1)',
  summary: 'Pop an element from a list, push it to another list and return it; or block until one is available',
  syntax: 'source destination timeout', handler: brpoplpush,
})

const blmpopSpec = command({
  name: 'blmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], keyFlags: popKeyFlags, keys: (argv) => numkeysKeys(argv, 2),
  group: 'list', since: '7.0.0',
  complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
  summary: 'Pop elements from a list, or block until one is available',
  syntax: 'timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]', handler: blmpop,
})

export const listCommands: CommandSpec[] = [
  command({
    name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keyFlags: ['RW', 'insert'], ...oneKey, group: 'list', since: '1.0.0',
    complexity: pushComplexity, summary: 'Prepend one or multiple elements to a list',
    syntax: 'key element [element ...]', handler: lpush,
  }),
  command({
    name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keyFlags: ['RW', 'insert'], ...oneKey, group: 'list', since: '1.0.0',
    complexity: pushComplexity, summary: 'Append one or multiple elements to a list',
    syntax: 'key element [element ...]', handler: rpush,
  }),
  command({
    name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keyFlags: ['RW', 'insert'], ...oneKey, group: 'list', since: '2.2.0',
    complexity: pushComplexity, summary: 'Prepend an element to a list, only if the list exists',
    syntax: 'key element [element ...]', handler: lpushx,
  }),
  command({
    name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keyFlags: ['RW', 'insert'], ...oneKey, group: 'list', since: '2.2.0',
    complexity: pushComplexity, summary: 'Append an element to a list, only if the list exists',
    syntax: 'key element [element ...]', handler: rpushx,
  }),
  command({
    name: 'lpop', arity: -2, flags: ['write', 'fast'], keyFlags: popKeyFlags, ...oneKey, group: 'list', since: '1.0.0',
    complexity: 'O(N) where N is the number of elements returned', summary: 'Remove and get the first elements in a list',
    syntax: 'key [count]', handler: lpop,
  }),
  command({
    name: 'rpop', arity: -2, flags: ['write', 'fast'], keyFlags: popKeyFlags, ...oneKey, group: 'list', since: '1.0.0',
    complexity: 'O(N) where N is the number of elements returned', summary: 'Remove and get the last elements in a list',
    syntax: 'key [count]', handler: rpop,
  }),
  command({
    name: 'llen', arity: 2, flags: ['readonly', 'fast'], keyFlags: ['RO'], ...oneKey, group: 'list', since: '1.0.0',
    complexity: 'O(1)', summary: 'Get the length of a list', syntax: 'key', handler: llen,
  }),
  command({
    name: 'lrange', arity: 4, flags: ['readonly'], ...oneKey, group: 'list', since: '1.0.0',
    complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
    summary: 'Get a range of elements from a list', syntax: 'key start stop', handler: lrange,
  }),
  command({
    name: 'lindex', arity: 3, flags: ['readonly'], ...oneKey, group: 'list', since: '1.0.0',
    complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
    summary: 'Get an element from a list by its index', syntax: 'key index', handler: lindex,
  }),
  command({
    name: 'lset', arity: 4, flags: ['write', 'denyoom'], ...oneKey, group: 'list', since: '1.0.0',
    complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
    summary: 'Set the value of an element in a list by its index', syntax: 'key index element', handler: lset,
  }),
  command({
    name: 'linsert', arity: 5, flags: ['write', 'denyoom'], keyFlags: ['RW', 'insert'], ...oneKey, group: 'list', since: '2.2.0',
    complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
    summary: 'Insert an element before or after another element in a list',
    syntax: 'key <BEFORE | AFTER> pivot element', handler: linsert,
  }),
  command({
    name: 'lrem', arity: 4, flags: ['write'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'list', since: '1.0.0',
    complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
    summary: 'Remove elements from a list', syntax: 'key count element', handler: lrem,
  }),
  command({
    name: 'ltrim', arity: 4, flags: ['write'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'list', since: '1.0.0',
    complexity: 'O(N) where N is the number of elements to be removed by the operation.',
    summary: 'Trim a list to the specified range', syntax: 'key start stop', handler: ltrim,
  }),
  command({
    name: 'lpos', arity: -3, flags: ['readonly'], ...oneKey, group: 'list', since: '6.0.6',
    complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
    summary: 'Return the index of matching elements on a list',
    syntax: 'key element [RANK rank] [COUNT num-matches] [MAXLEN len]', handler: lpos,
  }),
  command({
    name: 'lmove', arity: 5, flags: ['write', 'denyoom'], keyFlags: popKeyFlags, ...twoKeys, group: 'list', since: '6.2.0',
    complexity: 'O(1)', summary: 'Pop an element from a list, push it to another list and return it',
    syntax: 'source destination <LEFT | RIGHT> <LEFT | RIGHT>', handler: lmove,
  }),
  command({
    name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], keyFlags: popKeyFlags, ...twoKeys, group: 'list', since: '1.2.0',
    complexity: 'O(1)', summary: 'Remove the last element in a list, prepend it to another list and return it',
    syntax: 'source destination', handler: rpoplpush,
  }),
  command({
    name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], keyFlags: popKeyFlags, keys: (argv) => numkeysKeys(argv, 1),
    group: 'list', since: '7.0.0',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    summary: 'Pop elements from a list', syntax: 'numkeys key [key ...] <LEFT | RIGHT> [COUNT count]', handler: lmpop,
  }),
  blpopSpec,
  brpopSpec,
  blmoveSpec,
  brpoplpushSpec,
  blmpopSpec,
]
