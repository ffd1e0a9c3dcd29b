import type { Caller } from '../../server/caller.js'
import { type ConsumerGroup, type IdList, INVALID_ENTRIES_READ, StreamValue, type StreamEntry } from '../../store/stream.js'
import { parseInt64 } from '../../util/numbers.js'
import { isOption } from '../args.js'
import { Err } from '../errors.js'
import { replyHelp } from '../help.js'
import { replyEntries, replyEntry, replyId, StreamErr } from './shared.js'

/** XINFO STREAM, GROUPS, CONSUMERS and HELP. */

/** The stream at argv[2] for XINFO: null after replying "no such key" or WRONGTYPE. */
function infoStream(c: Caller, key: string): StreamValue | null {
  const v = c.db.lookupRead(key)
  if (v === undefined) {
    c.out.error(StreamErr.noSuchKey)
    return null
  }
  if (!(v instanceof StreamValue)) {
    c.out.error(Err.wrongType)
    return null
  }
  return v
}

function replyEntryOrNull(c: Caller, e: StreamEntry | undefined): void {
  if (e === undefined) c.out.nullBulk()
  else replyEntry(c, e)
}

function replyEntriesRead(c: Caller, g: ConsumerGroup): void {
  if (g.entriesRead === INVALID_ENTRIES_READ) c.out.nullBulk()
  else c.out.integer(g.entriesRead)
}

function replyLag(c: Caller, s: StreamValue, g: ConsumerGroup): void {
  const lag = s.lag(g)
  if (lag === null) c.out.nullBulk()
  else c.out.integer(lag)
}

/** XINFO STREAM key [FULL [COUNT count]] */
function xinfoStream(c: Caller, argv: string[]): void {
  const s = infoStream(c, argv[2])
  if (s === null) return
  let full = false
  let count = 10
  if (argv.length > 3) {
    if (!isOption(argv[3], 'FULL')) return c.out.error(Err.subcommandSyntax(argv[1], 'xinfo'))
    full = true
    if (argv.length > 4) {
      if (argv.length !== 6 || !isOption(argv[4], 'COUNT')) return c.out.error(Err.subcommandSyntax(argv[1], 'xinfo'))
      const n = parseInt64(argv[5])
      if (n === null) return c.out.error(Err.notInteger)
      count = n < 0 ? 10 : Number(n)
    }
  }
  const out = c.out
  out.map(full ? 9 : 10)
  out.bulk('length')
  out.integer(s.length)
  out.bulk('radix-tree-keys')
  out.integer(s.nodeCount)
  out.bulk('radix-tree-nodes')
  out.integer(s.radixNodes())
  out.bulk('last-generated-id')
  replyId(c, s.lastId)
  out.bulk('max-deleted-entry-id')
  replyId(c, s.maxDeletedId)
  out.bulk('entries-added')
  out.integer(s.entriesAdded)
  out.bulk('recorded-first-entry-id')
  replyId(c, s.firstId)
  if (!full) {
    out.bulk('groups')
    out.integer(s.groups.size)
    out.bulk('first-entry')
    replyEntryOrNull(c, s.firstEntry())
    out.bulk('last-entry')
    replyEntryOrNull(c, s.lastEntry())
    return
  }
  out.bulk('entries')
  replyEntries(c, s.range(0n, (1n << 128n) - 1n, count))
  out.bulk('groups')
  const groups = s.sortedGroups()
  out.array(groups.length)
  for (const g of groups) {
    out.map(7)
    out.bulk('name')
    out.bulk(g.name)
    out.bulk('last-delivered-id')
    replyId(c, g.lastId)
    out.bulk('entries-read')
    replyEntriesRead(c, g)
    out.bulk('lag')
    replyLag(c, s, g)
    out.bulk('pel-count')
    out.integer(g.pending.size)
    out.bulk('pending')
    const pel = g.pending
    const n = count === 0 ? pel.size : Math.min(count, pel.size)
    out.array(n)
    for (const p of firstValues(pel, n)) {
      out.array(4)
      replyId(c, p.id)
      out.bulk(p.consumer.name)
      out.integer(p.deliveryTime)
      out.integer(p.deliveryCount)
    }
    out.bulk('consumers')
    const consumers = g.sortedConsumers()
    out.array(consumers.length)
    for (const k of consumers) {
      out.map(4)
      out.bulk('name')
      out.bulk(k.name)
      out.bulk('seen-time')
      out.integer(k.seenTime)
      out.bulk('pel-count')
      out.integer(k.pending.size)
      out.bulk('pending')
      const m = count === 0 ? k.pending.size : Math.min(count, k.pending.size)
      out.array(m)
      for (const p of firstValues(k.pending, m)) {
        out.array(3)
        replyId(c, p.id)
        out.integer(p.deliveryTime)
        out.integer(p.deliveryCount)
      }
    }
  }
}

/** The first `n` values of a pending entries list. */
function firstValues<V>(pel: IdList<V>, n: number): V[] {
  const out: V[] = []
  if (n === 0) return out
  for (const [, v] of pel.from()) if (out.push(v) === n) break
  return out
}

/** XINFO GROUPS key */
function xinfoGroups(c: Caller, argv: string[]): void {
  const s = infoStream(c, argv[2])
  if (s === null) return
  const out = c.out
  const groups = s.sortedGroups()
  out.array(groups.length)
  for (const g of groups) {
    out.map(6)
    out.bulk('name')
    out.bulk(g.name)
    out.bulk('consumers')
    out.integer(g.consumers.size)
    out.bulk('pending')
    out.integer(g.pending.size)
    out.bulk('last-delivered-id')
    replyId(c, g.lastId)
    out.bulk('entries-read')
    replyEntriesRead(c, g)
    out.bulk('lag')
    replyLag(c, s, g)
  }
}

/** XINFO CONSUMERS key group */
function xinfoConsumers(c: Caller, argv: string[]): void {
  const s = infoStream(c, argv[2])
  if (s === null) return
  const g = s.groups.get(argv[3])
  if (g === undefined) return c.out.error(StreamErr.noGroupForKey(argv[3], argv[2]))
  const out = c.out
  const now = Date.now()
  const consumers = g.sortedConsumers()
  out.array(consumers.length)
  for (const k of consumers) {
    out.map(3)
    out.bulk('name')
    out.bulk(k.name)
    out.bulk('pending')
    out.integer(k.pending.size)
    out.bulk('idle')
    out.integer(Math.max(0, now - k.seenTime))
  }
}

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
]

function xinfoHelp(c: Caller): void {
  replyHelp(c, 'XINFO', XINFO_HELP)
}

export const infoHandlers = { xinfoStream, xinfoGroups, xinfoConsumers, xinfoHelp }
