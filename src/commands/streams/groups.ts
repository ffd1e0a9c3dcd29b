import type { Caller } from '../../server/caller.js'
import { Notify } from '../../server/notify.js'
import {
  type Consumer, ConsumerGroup, formatId, type IdKey, type IdList, INVALID_ENTRIES_READ, type PendingEntry, type StreamEntry, StreamValue,
} from '../../store/stream.js'
import { parseInt64 } from '../../util/numbers.js'
import { isOption } from '../args.js'
import { Err } from '../errors.js'
import { replyHelp } from '../help.js'
import { claimOf, consumerFor } from './read.js'
import { idArg, int64Arg, intervalArg, replyEntry, replyId, strictIdArg, strictIdKeyArg, StreamErr, parseId } from './shared.js'

/** Consumer groups: XGROUP and its subcommands, XACK, XPENDING, XCLAIM, XAUTOCLAIM. */

/** Wakes XREADGROUP waiters on `key` (to find their group gone), as Redis's signalDeletedKeyAsReady. */
function wakeGroupReaders(c: Caller, key: string): void {
  const waiting = c.db.blockingKeys
  if (waiting !== null && waiting.has(key)) c.server.blocking.signal(c.db, key)
}

interface XgroupContext {
  s: StreamValue | undefined
  group: ConsumerGroup | undefined
  mkstream: boolean
  entriesRead: bigint
}

/**
 * What every XGROUP subcommand but HELP does first, as Redis does it in one function:
 * the options (MKSTREAM for CREATE, ENTRIESREAD for CREATE and SETID), the key's type,
 * and that the key, and for some subcommands the group, exist. Null after an error.
 */
function xgroupContext(c: Caller, argv: string[]): XgroupContext | null {
  const sub = argv[1].toLowerCase()
  const ctx: XgroupContext = { s: undefined, group: undefined, mkstream: false, entriesRead: INVALID_ENTRIES_READ }
  for (let i = 5; i < argv.length;) {
    if (sub === 'create' && isOption(argv[i], 'MKSTREAM')) {
      ctx.mkstream = true
      i++
    } else if ((sub === 'create' || sub === 'setid') && isOption(argv[i], 'ENTRIESREAD') && i + 1 < argv.length) {
      const n = int64Arg(argv[i + 1])
      if (n === null) {
        c.out.error(Err.notInteger)
        return null
      }
      if (n < 0n && n !== INVALID_ENTRIES_READ) {
        c.out.error(StreamErr.entriesReadRange)
        return null
      }
      ctx.entriesRead = n
      i += 2
    } else {
      c.out.error(Err.subcommandSyntax(argv[1], 'xgroup'))
      return null
    }
  }
  const v = c.db.get(argv[2])
  if (v !== undefined && !(v instanceof StreamValue)) {
    c.out.error(Err.wrongType)
    return null
  }
  ctx.s = v
  if (!ctx.mkstream) {
    if (v === undefined) {
      c.out.error(StreamErr.groupNeedsKey)
      return null
    }
    ctx.group = v.groups.get(argv[3])
    if (ctx.group === undefined && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) {
      c.out.error(StreamErr.noGroupForKey(argv[3], argv[2]))
      return null
    }
  }
  return ctx
}

/** XGROUP CREATE key group <id | $> [MKSTREAM] [ENTRIESREAD entries-read] */
function xgroupCreate(c: Caller, argv: string[]): void {
  const ctx = xgroupContext(c, argv)
  if (ctx === null) return
  if (argv.length > 8) return c.out.error(Err.subcommandSyntax(argv[1], 'xgroup'))
  const key = argv[2]
  let id: bigint
  if (argv[4] === '$') {
    id = ctx.s === undefined ? 0n : ctx.s.lastId
  } else {
    const parsed = strictIdArg(c, argv[4])
    if (parsed === null) return
    id = parsed
  }
  let s = ctx.s
  if (s === undefined) {
    s = new StreamValue()
    c.db.set(key, s)
  }
  if (s.groups.has(argv[3])) return c.out.error(StreamErr.busyGroup)
  s.groups.set(argv[3], new ConsumerGroup(argv[3], id, ctx.entriesRead))
  c.out.simple('OK')
  c.server.dirty++
  c.notify(Notify.stream, 'xgroup-create', key)
}

/** XGROUP SETID key group <id | $> [ENTRIESREAD entries-read] */
function xgroupSetid(c: Caller, argv: string[]): void {
  const ctx = xgroupContext(c, argv)
  if (ctx === null) return
  if (argv.length !== 5 && argv.length !== 7) return c.out.error(Err.subcommandSyntax(argv[1], 'xgroup'))
  const s = ctx.s!
  let id: bigint
  if (argv[4] === '$') {
    id = s.lastId
  } else {
    const parsed = idArg(c, argv[4], 0n, false)
    if (parsed === null) return
    id = parsed
  }
  const g = ctx.group!
  g.lastId = id
  g.entriesRead = ctx.entriesRead
  c.out.simple('OK')
  c.server.dirty++
  c.notify(Notify.stream, 'xgroup-setid', argv[2])
}

/** XGROUP DESTROY key group */
function xgroupDestroy(c: Caller, argv: string[]): void {
  const ctx = xgroupContext(c, argv)
  if (ctx === null) return
  if (ctx.group === undefined) return c.out.integer(0)
  ctx.s!.groups.delete(argv[3])
  c.out.integer(1)
  c.server.dirty++
  c.notify(Notify.stream, 'xgroup-destroy', argv[2])
  wakeGroupReaders(c, argv[2])
}

/** XGROUP CREATECONSUMER key group consumer */
function xgroupCreateconsumer(c: Caller, argv: string[]): void {
  const ctx = xgroupContext(c, argv)
  if (ctx === null) return
  const { created } = ctx.group!.consumerOrCreate(argv[4])
  if (created) {
    c.server.dirty++
    c.notify(Notify.stream, 'xgroup-createconsumer', argv[2])
  }
  c.out.integer(created ? 1 : 0)
}

/** XGROUP DELCONSUMER key group consumer */
function xgroupDelconsumer(c: Caller, argv: string[]): void {
  const ctx = xgroupContext(c, argv)
  if (ctx === null) return
  const pending = ctx.group!.deleteConsumer(argv[4])
  if (pending < 0) return c.out.integer(0)
  c.server.dirty++
  c.notify(Notify.stream, 'xgroup-delconsumer', argv[2])
  c.out.integer(pending)
}

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
]

function xgroupHelp(c: Caller): void {
  replyHelp(c, 'XGROUP', XGROUP_HELP)
}

/** The stream at `key` for XACK, XCLAIM, XPENDING, XAUTOCLAIM, read as Redis does; null after WRONGTYPE. */
function lookupGroup(c: Caller, key: string, group: string): { s: StreamValue | undefined; g: ConsumerGroup | undefined } | null {
  const v = c.db.lookupRead(key)
  if (v !== undefined && !(v instanceof StreamValue)) {
    c.out.error(Err.wrongType)
    return null
  }
  return { s: v, g: v?.groups.get(group) }
}

/** Drops an entry from the group's and its consumer's pending lists. */
function unpend(g: ConsumerGroup, p: PendingEntry): void {
  g.pending.delete(p.id)
  p.consumer.pending.delete(p.id)
}

/** XACK key group id [id ...] */
function xack(c: Caller, argv: string[]): void {
  const found = lookupGroup(c, argv[1], argv[2])
  if (found === null) return
  const g = found.g
  if (g === undefined) return c.out.integer(0)
  // Every id is checked before any is acknowledged, as Redis does.
  const keys = new Array<IdKey>(argv.length - 3)
  for (let j = 3; j < argv.length; j++) {
    const k = strictIdKeyArg(argv[j])
    if (k === null) return c.out.error(StreamErr.invalidId)
    keys[j - 3] = k
  }
  let acked = 0
  for (const k of keys) {
    const p = g.pending.getByKey(k)
    if (p === undefined) continue
    g.pending.delete(p.id, k)
    p.consumer.pending.delete(p.id)
    acked++
    c.server.dirty++
  }
  c.out.integer(acked)
}

/** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
function xpending(c: Caller, argv: string[]): void {
  const argc = argv.length
  if (argc !== 3 && (argc < 6 || argc > 9)) return c.out.error(Err.syntax)
  let start = 0n
  let end = 0n
  let count = 0
  let minIdle = 0
  let consumerName: string | null = null
  if (argc >= 6) {
    let at = 3
    if (isOption(argv[3], 'IDLE')) {
      const n = parseInt64(argv[4])
      if (n === null) return c.out.error(Err.notInteger)
      if (argc < 8) return c.out.error(Err.syntax)
      minIdle = Number(n)
      at += 2
    }
    const n = parseInt64(argv[at + 2])
    if (n === null) return c.out.error(Err.notInteger)
    count = n < 0 ? 0 : Number(n)
    const s = intervalArg(c, argv[at], true)
    if (s === null) return
    const e = intervalArg(c, argv[at + 1], false)
    if (e === null) return
    start = s
    end = e
    if (at + 3 < argc) consumerName = argv[at + 3]
  }
  const found = lookupGroup(c, argv[1], argv[2])
  if (found === null) return
  const g = found.g
  if (g === undefined) return c.out.error(StreamErr.noGroup(argv[1], argv[2]))
  const out = c.out
  if (argc === 3) {
    out.array(4)
    out.integer(g.pending.size)
    if (g.pending.size === 0) {
      out.nullBulk()
      out.nullBulk()
      out.nullArray()
      return
    }
    replyId(c, g.pending.first()!)
    replyId(c, g.pending.last()!)
    const withPending = g.sortedConsumers().filter((k) => k.pending.size > 0)
    out.array(withPending.length)
    for (const k of withPending) {
      out.array(2)
      out.bulk(k.name)
      out.bulk(String(k.pending.size))
    }
    return
  }
  let pel: IdList<PendingEntry> = g.pending
  if (consumerName !== null) {
    const k = g.consumer(consumerName)
    if (k === undefined) return out.array(0)
    pel = k.pending
  }
  const now = Date.now()
  const rows: PendingEntry[] = []
  for (const [id, p] of pel.from(start)) {
    if (count <= 0 || id > end) break
    if (minIdle !== 0 && now - p.deliveryTime < minIdle) continue
    rows.push(p)
    count--
  }
  out.array(rows.length)
  for (const p of rows) {
    out.array(4)
    replyId(c, p.id)
    out.bulk(p.consumer.name)
    out.integer(Math.max(0, now - p.deliveryTime))
    out.integer(p.deliveryCount)
  }
}

/**
 * The claiming consumer of XCLAIM and XAUTOCLAIM: looked up, or created (with its
 * event), only once something is claimed, as in Redis.
 */
class Claimer {
  private consumer: Consumer | null = null
  constructor(private readonly c: Caller, private readonly g: ConsumerGroup, private readonly name: string, private readonly key: string) {}

  get(): Consumer {
    return (this.consumer ??= consumerFor(this.c, this.g, this.name, this.key))
  }

  /** Moves the pending entry to the claiming consumer. */
  take(p: PendingEntry): Consumer {
    const consumer = this.get()
    if (p.consumer !== consumer) {
      p.consumer.pending.delete(p.id)
      p.consumer = consumer
      consumer.pending.set(p.id, p)
    }
    return consumer
  }
}

/** XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid] */
function xclaim(c: Caller, argv: string[]): void {
  const found = lookupGroup(c, argv[1], argv[2])
  if (found === null) return
  const { s, g } = found
  if (s === undefined || g === undefined) return c.out.error(StreamErr.noGroup(argv[1], argv[2]))
  const idle = parseInt64(argv[4])
  if (idle === null) return c.out.error('ERR Invalid min-idle-time argument for XCLAIM')
  const minIdle = idle < 0 ? 0 : Number(idle)
  let j = 5
  for (; j < argv.length; j++) if (parseId(argv[j], 0n, true) === null) break
  const lastIdArg = j - 1
  const now = Date.now()
  let retryCount = -1
  let deliveryTime = -1
  let force = false
  let justid = false
  let lastId = 0n
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j
    const opt = argv[j]
    if (isOption(opt, 'FORCE')) force = true
    else if (isOption(opt, 'JUSTID')) justid = true
    else if (isOption(opt, 'IDLE') && more > 0) {
      const n = parseInt64(argv[++j])
      if (n === null) return c.out.error('ERR Invalid IDLE option argument for XCLAIM')
      deliveryTime = now - Number(n)
    } else if (isOption(opt, 'TIME') && more > 0) {
      const n = parseInt64(argv[++j])
      if (n === null) return c.out.error('ERR Invalid TIME option argument for XCLAIM')
      deliveryTime = Number(n)
    } else if (isOption(opt, 'RETRYCOUNT') && more > 0) {
      const n = parseInt64(argv[++j])
      if (n === null) return c.out.error('ERR Invalid RETRYCOUNT option argument for XCLAIM')
      retryCount = Number(n)
    } else if (isOption(opt, 'LASTID') && more > 0) {
      const id = strictIdArg(c, argv[++j])
      if (id === null) return
      lastId = id
    } else {
      return c.out.error(`ERR Unrecognized XCLAIM option '${opt}'`)
    }
  }
  const moved = lastId > g.lastId
  if (moved) {
    g.lastId = lastId
    c.server.dirty++
  }
  if (deliveryTime !== -1) {
    if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now
  } else {
    deliveryTime = now
  }
  const claimer = new Claimer(c, g, argv[3], argv[1])
  const claimed: StreamEntry[] = []
  // Replayed as what it did, as Redis propagates it: each claim a forced XCLAIM with
  // its delivery time and count (a min-idle-time would judge differently later).
  const propagate = c.server.propagation.active
  const key = argv[1]
  for (let k = 5; k <= lastIdArg; k++) {
    const id = parseId(argv[k], 0n, true)!.id
    let p = g.pending.get(id)
    const entry = s.get(id)
    if (entry === undefined) {
      if (p !== undefined) {
        unpend(g, p)
        c.server.dirty++
        if (propagate) c.propagateAs(['XACK', key, g.name, formatId(id)])
      }
      continue
    }
    // FORCE creates the pending entry (with one delivery, as Redis's new NACK has),
    // claimed whatever min-idle-time says.
    const forced = force && p === undefined
    if (forced) {
      const owner = claimer.get()
      p = { id, deliveryTime: now, deliveryCount: 1, consumer: owner }
      g.pending.set(id, p)
      owner.pending.set(id, p)
    }
    if (p === undefined) continue
    if (!forced && minIdle !== 0 && now - p.deliveryTime < minIdle) continue
    const consumer = claimer.take(p)
    p.deliveryTime = deliveryTime
    if (retryCount >= 0) p.deliveryCount = retryCount
    else if (!justid) p.deliveryCount++
    consumer.seenTime = now
    claimed.push(entry)
    c.server.dirty++
    if (propagate) c.propagateAs(claimOf(key, g, consumer.name, id, p.deliveryTime, p.deliveryCount))
  }
  // LASTID moved the group with nothing claimed: only its position is to replay.
  if (propagate && moved && c.propagated === null) {
    c.propagateAs(['XGROUP', 'SETID', key, g.name, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)])
  }
  c.out.array(claimed.length)
  for (const entry of claimed) {
    if (justid) replyId(c, entry.id)
    else replyEntry(c, entry)
  }
}

/** The largest COUNT whose 16-byte ids Redis 7.0 manages to allocate at once (80 TiB). */
const TRANSIENT_COUNT_LIMIT = 5 * 2 ** 40

/** LONG_MAX / 16: XAUTOCLAIM's largest COUNT. */
const MAX_AUTOCLAIM_COUNT = 576460752303423487n

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
function xautoclaim(c: Caller, argv: string[]): void {
  const idle = parseInt64(argv[4])
  if (idle === null) return c.out.error('ERR Invalid min-idle-time argument for XAUTOCLAIM')
  const minIdle = idle < 0 ? 0 : Number(idle)
  const start = intervalArg(c, argv[5], true)
  if (start === null) return
  let count = 100
  let justid = false
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j
    if (isOption(argv[j], 'COUNT') && more > 0) {
      const n = int64Arg(argv[j + 1])
      if (n === null || n < 1n || n > MAX_AUTOCLAIM_COUNT) return c.out.error('ERR COUNT must be > 0')
      count = Number(n)
      j++
    } else if (isOption(argv[j], 'JUSTID')) {
      justid = true
    } else {
      return c.out.error(Err.syntax)
    }
  }
  const found = lookupGroup(c, argv[1], argv[2])
  if (found === null) return
  const { s, g } = found
  if (s === undefined || g === undefined) return c.out.error(StreamErr.noGroup(argv[1], argv[2]))
  // Redis allocates 16 bytes per COUNT up front; past about 80 TiB the allocation
  // fails (as measured on Linux x86-64), and so does the command.
  if (count > TRANSIENT_COUNT_LIMIT) return c.out.error('ERR Insufficient memory, failed allocating transient memory, COUNT too high.')
  let attempts = count * 10
  const now = Date.now()
  const propagate = c.server.propagation.active
  const claimer = new Claimer(c, g, argv[3], argv[1])
  const claimed: StreamEntry[] = []
  const deleted: bigint[] = []
  const pel = g.pending
  // As Redis's loop: the cursor is the first pending entry it did not get to.
  const it = pel.from(start)
  let next = it.next()
  while (attempts-- > 0 && count > 0 && next.done !== true) {
    const p = next.value[1]
    next = it.next()
    const entry = s.get(p.id)
    if (entry === undefined) {
      unpend(g, p)
      c.server.dirty++
      deleted.push(p.id)
      if (propagate) c.propagateAs(['XACK', argv[1], g.name, formatId(p.id)])
      count--
      continue
    }
    if (minIdle !== 0 && now - p.deliveryTime < minIdle) continue
    const consumer = claimer.take(p)
    p.deliveryTime = now
    if (!justid) p.deliveryCount++
    claimed.push(entry)
    count--
    c.server.dirty++
    // As XCLAIM: the claim replays as a forced XCLAIM, whatever the idle times are then.
    if (propagate) c.propagateAs(claimOf(argv[1], g, consumer.name, p.id, now, p.deliveryCount))
  }
  const out = c.out
  out.array(3)
  out.bulk(next.done === true ? '0-0' : formatId(next.value[0]))
  out.array(claimed.length)
  for (const entry of claimed) {
    if (justid) replyId(c, entry.id)
    else replyEntry(c, entry)
  }
  out.array(deleted.length)
  for (const id of deleted) replyId(c, id)
}

export const groupHandlers = {
  xgroupCreate, xgroupSetid, xgroupDestroy, xgroupCreateconsumer, xgroupDelconsumer, xgroupHelp,
  xack, xpending, xclaim, xautoclaim,
}

