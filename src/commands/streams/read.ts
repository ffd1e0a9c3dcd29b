import type { Caller } from '../../server/caller.js'
import { Notify } from '../../server/notify.js'
import {
  type Consumer, type ConsumerGroup, formatId, idKey, MAX_ID, type PendingEntry, type StreamEntry, StreamValue,
} from '../../store/stream.js'
import { parseInt64 } from '../../util/numbers.js'
import { isOption } from '../args.js'
import type { CommandSpec } from '../spec.js'
import { Err } from '../errors.js'
import { parseId, replyEntryHead, StreamErr } from './shared.js'

/**
 * XREAD and XREADGROUP. A read that finds nothing parks the client on its keys (with
 * BLOCK); `$` is resolved to the stream's last id when it blocks, so the re-run
 * serves what arrived since. As in Redis 7.0 a waiter is served from the key that
 * became ready alone, and XREADGROUP waiters hear of their key's deletion or their
 * group's destruction with an error.
 */

/** Entries a blocked read takes when it gave no COUNT (Redis's XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000

/** An entry of a reply: a history read shows deleted entries with null fields. */
interface ReadEntry {
  id: bigint
  fields: string[] | null
  text?: string
  key?: number
}

interface ReadArgs {
  timeout: number
  count: number
  noack: boolean
  group: string | null
  consumer: string | null
  /** argv index of the first key. */
  keysAt: number
  n: number
}

function parseReadArgs(c: Caller, argv: string[], xreadgroup: boolean): ReadArgs | null {
  const args: ReadArgs = { timeout: -1, count: 0, noack: false, group: null, consumer: null, keysAt: 0, n: 0 }
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1
    const o = argv[i]
    if (isOption(o, 'BLOCK') && more > 0) {
      i++
      const t = parseInt64(argv[i])
      if (t === null) {
        c.out.error(StreamErr.timeoutNotInteger)
        return null
      }
      if (t < 0) {
        c.out.error(StreamErr.timeoutNegative)
        return null
      }
      args.timeout = Number(t)
    } else if (isOption(o, 'COUNT') && more > 0) {
      i++
      const n = parseInt64(argv[i])
      if (n === null) {
        c.out.error(Err.notInteger)
        return null
      }
      args.count = n < 0 ? 0 : Number(n)
    } else if (isOption(o, 'STREAMS') && more > 0) {
      args.keysAt = i + 1
      const rest = argv.length - args.keysAt
      if (rest % 2 !== 0) {
        c.out.error(StreamErr.unbalanced)
        return null
      }
      args.n = rest / 2
      break
    } else if (isOption(o, 'GROUP') && more >= 2) {
      if (!xreadgroup) {
        c.out.error(StreamErr.groupOnlyXreadgroup)
        return null
      }
      args.group = argv[i + 1]
      args.consumer = argv[i + 2]
      i += 2
    } else if (isOption(o, 'NOACK')) {
      if (!xreadgroup) {
        c.out.error(StreamErr.noackOnlyXreadgroup)
        return null
      }
      args.noack = true
    } else {
      c.out.error(Err.syntax)
      return null
    }
  }
  if (args.keysAt === 0) {
    c.out.error(Err.syntax)
    return null
  }
  if (xreadgroup && args.group === null) {
    c.out.error(StreamErr.missingGroup)
    return null
  }
  return args
}

/** `>`: new entries of the group. */
const NEW = -1n

function xread(c: Caller, argv: string[]): void {
  read(c, argv, false)
}

function xreadgroup(c: Caller, argv: string[]): void {
  read(c, argv, true)
}

function read(c: Caller, argv: string[], xreadgroup: boolean): void {
  const args = parseReadArgs(c, argv, xreadgroup)
  if (args === null) return
  if (c.retrying) return serveReady(c, argv, args)
  const { keysAt, n } = args
  // Sized up front: a pushed-to empty array takes room for 16 elements, for one key.
  const ids = new Array<bigint>(n)
  const groups = new Array<ConsumerGroup>(args.group === null ? 0 : n)
  for (let j = 0; j < n; j++) {
    const key = argv[keysAt + j]
    const idArg = argv[keysAt + n + j]
    const v = c.db.lookupRead(key)
    if (v !== undefined && !(v instanceof StreamValue)) return c.out.error(Err.wrongType)
    if (args.group !== null) {
      const g = v?.groups.get(args.group)
      if (g === undefined) return c.out.error(StreamErr.noGroupRead(key, args.group))
      groups[j] = g
    }
    if (idArg === '$') {
      if (xreadgroup) return c.out.error(StreamErr.dollarInGroup)
      ids[j] = v === undefined ? 0n : v.lastId
    } else if (idArg === '>') {
      if (!xreadgroup) return c.out.error(StreamErr.gtOnlyGroup)
      ids[j] = NEW
    } else {
      const p = parseId(idArg, 0n, true)
      if (p === null) return c.out.error(StreamErr.invalidId)
      // Redis stands for `>` with the largest id, so XREADGROUP reads that id as `>`.
      ids[j] = xreadgroup && p.id === MAX_ID ? NEW : p.id
    }
  }

  const results = new Array<{ key: string; entries: ReadEntry[] }>(n)
  let served = 0
  for (let j = 0; j < n; j++) {
    const key = argv[keysAt + j]
    const s = c.db.lookupRead(key) as StreamValue | undefined
    if (s === undefined) continue
    let gt = ids[j]
    let serve = false
    let history = false
    let consumer: Consumer | null = null
    if (xreadgroup) {
      const g = groups[j]
      if (gt !== NEW) {
        serve = true
        history = true
      } else if (s.length > 0 && s.lastEntry()!.id > g.lastId) {
        serve = true
        gt = g.lastId
      }
    } else if (s.length > 0 && s.lastEntry()!.id > gt) {
      serve = true
    }
    if (!serve) continue
    // Redis 7.0 creates the consumer only once there is something to serve it.
    let created = false
    if (xreadgroup) {
      const found = groups[j].consumer(args.consumer!)
      created = found === undefined
      consumer = found ?? consumerFor(c, groups[j], args.consumer!, key)
      consumer.seenTime = Date.now()
    }
    const start = gt === MAX_ID ? MAX_ID : gt + 1n
    const entries = history
      ? readHistory(s, consumer!, start, args.count)
      : deliver(c, key, s, xreadgroup ? groups[j] : null, consumer, start, args.count, args.noack, created)
    results[served++] = { key, entries }
  }
  if (served > 0) return replyRead(c, results, served)

  if (args.timeout === -1 || c.denyBlocking) return c.out.nullArray()
  // Park with `$` resolved, so the re-run reads what arrived after this moment.
  const parked = argv.slice()
  const keys: string[] = []
  for (let j = 0; j < n; j++) {
    keys.push(argv[keysAt + j])
    if (ids[j] !== NEW) parked[keysAt + n + j] = formatId(ids[j])
  }
  c.block((xreadgroup ? readSpecs.xreadgroup : readSpecs.xread)!, parked, keys, args.timeout, replyTimeout, xreadgroup)
}

/** The specs of XREAD and XREADGROUP, to park a client with; set by the command table. */
export const readSpecs: { xread?: CommandSpec; xreadgroup?: CommandSpec } = {}

function replyTimeout(c: Caller): void {
  c.out.nullArray()
}

/** A re-run of a blocked read: serve from the ready key only, or keep waiting. */
function serveReady(c: Caller, argv: string[], args: ReadArgs): void {
  const state = c.blocked!
  const key = state.readyKey!
  const { keysAt, n } = args
  const j = argv.indexOf(key, keysAt) - keysAt
  const idArg = argv[keysAt + n + j]
  const v = c.db.get(key)
  const wait = () => c.block(state.spec, state.argv, state.keys, 0, state.onTimeout, state.wakeOnDelete)
  if (args.group === null) {
    if (!(v instanceof StreamValue)) return wait()
    const gt = parseId(idArg, 0n, true)!.id
    // Only new entries serve a waiter: Redis wakes it on XADD alone, not when XSETID
    // moves the last id, or XDEL and XTRIM change the stream.
    if (!(v.lastId > gt) || v.firstFrom(gt + 1n) === undefined) return wait()
    const entries = deliver(c, key, v, null, null, gt + 1n, args.count || BLOCKED_DEFAULT_COUNT, false, false)
    return replyRead(c, [{ key, entries }])
  }
  if (!(v instanceof StreamValue)) return c.out.error(StreamErr.keyGone)
  const g = v.groups.get(args.group)
  if (g === undefined) return c.out.error(StreamErr.groupGone)
  if (!(v.lastId > g.lastId) || v.firstFrom(g.lastId + 1n) === undefined) return wait()
  const found = g.consumer(args.consumer!)
  const created = found === undefined
  const consumer = found ?? consumerFor(c, g, args.consumer!, key)
  const entries = deliver(c, key, v, g, consumer, g.lastId + 1n, args.count || BLOCKED_DEFAULT_COUNT, args.noack, created)
  replyRead(c, [{ key, entries }])
}

/** The group's consumer by name, created (with its event) when missing. */
export function consumerFor(c: Caller, g: ConsumerGroup, name: string, key: string): Consumer {
  const found = g.consumer(name)
  if (found !== undefined) return found
  const consumer = g.addConsumer(name)
  c.server.dirty++
  c.notify(Notify.stream, 'xgroup-createconsumer', key)
  return consumer
}

/**
 * Entries from `start` on, at most `count` (0: all). With a group, they are delivered:
 * the group's last id moves past them and, unless `noack`, each is (re)assigned to
 * `consumer` in the pending lists.
 */
function deliver(c: Caller, key: string, s: StreamValue, g: ConsumerGroup | null, consumer: Consumer | null, start: bigint,
  count: number, noack: boolean, created: boolean): ReadEntry[] {
  const entries: StreamEntry[] = s.range(start, MAX_ID, count)
  if (g === null) return entries
  const now = Date.now()
  const propagate = c.server.propagation.active
  // Each propagated claim names the group's position after its entry, so the group
  // moves entry by entry then; otherwise past them all at once.
  if (!propagate && entries.length > 0) s.advanceGroupPast(g, entries)
  for (const e of entries) {
    if (propagate) s.advanceGroup(g, e.id)
    if (noack) continue
    if (propagate) c.propagateAs(claimOf(key, g, consumer!.name, e.id, now, 1))
    const k = e.key ?? idKey(e.id)
    // An id past every id of the list cannot be pending: the common case, a new entry.
    const existing = g.pending.isAfterAll(e.id) ? undefined : g.pending.getByKey(k)
    if (existing !== undefined) {
      existing.consumer.pending.delete(e.id)
      existing.consumer = consumer!
      existing.deliveryTime = now
      existing.deliveryCount = 1
      consumer!.pending.set(e.id, existing)
    } else {
      const p: PendingEntry = { id: e.id, deliveryTime: now, deliveryCount: 1, consumer: consumer! }
      g.pending.set(e.id, p, k)
      consumer!.pending.set(e.id, p)
    }
  }
  if (entries.length > 0) {
    c.server.dirty++
    // Without pending entries (whose XCLAIMs make the consumer), the consumer and the
    // group's position are what there is to replay.
    if (noack && propagate) {
      if (created) c.propagateAs(['XGROUP', 'CREATECONSUMER', key, g.name, consumer!.name])
      c.propagateAs(['XGROUP', 'SETID', key, g.name, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)])
    }
  }
  return entries
}

/**
 * How Redis 7.0 propagates a delivery to a consumer: a forced XCLAIM that sets the
 * delivery time and count it had here, and the group's position.
 */
export function claimOf(key: string, g: ConsumerGroup, consumer: string, id: bigint, time: number, count: number): string[] {
  return ['XCLAIM', key, g.name, consumer, '0', formatId(id), 'TIME', String(time), 'RETRYCOUNT', String(count), 'FORCE', 'JUSTID', 'LASTID', formatId(g.lastId)]
}

/** A consumer's own pending entries from `start`: delivered again, deleted ones with null fields. */
function readHistory(s: StreamValue, consumer: Consumer, start: bigint, count: number): ReadEntry[] {
  const out: ReadEntry[] = []
  const pel = consumer.pending
  const now = Date.now()
  for (const [, p] of pel.from(start)) {
    if (count !== 0 && out.length >= count) break
    const e = s.get(p.id)
    if (e === undefined) {
      out.push({ id: p.id, fields: null })
    } else {
      p.deliveryTime = now
      p.deliveryCount++
      out.push(e)
    }
  }
  return out
}

/** The reply of a read that served the first `n` of `results`. */
function replyRead(c: Caller, results: { key: string; entries: ReadEntry[] }[], n = results.length): void {
  const out = c.out
  const resp3 = out.proto === 3
  if (resp3) out.map(n)
  else out.array(n)
  for (let r = 0; r < n; r++) {
    const { key, entries } = results[r]
    if (!resp3) out.array(2)
    out.bulk(key)
    out.array(entries.length)
    for (const e of entries) {
      if (e.fields === null) {
        out.array(2)
        out.bulk(e.text ?? formatId(e.id))
        out.nullArray()
        continue
      }
      replyEntryHead(out, e, e.fields.length)
      for (const f of e.fields) out.bulk(f)
    }
  }
}

export const readHandlers = { xread, xreadgroup }
