import type { ReplyWriter } from '../resp/writer.js'
import type { Database } from '../store/database.js'
import { HashValue } from '../store/hash.js'
import { ListValue } from '../store/list.js'
import { SetValue } from '../store/set.js'
import type { Store } from '../store/store.js'
import { formatId, MAX_ID, StreamValue } from '../store/stream.js'
import { MutableString, Structured, type KeyspaceValue } from '../store/types.js'
import { ZSet } from '../store/zset.js'
import type { RdbWriter } from './rdb-values.js'

/**
 * Redis's AOF_REWRITE_ITEMS_PER_CMD: a collection is rebuilt 64 elements per command,
 * so no single command in the file (or its replay) grows with the collection.
 */
export const ITEMS_PER_COMMAND = 64

/** One command of a rewritten AOF; a structured value (the mini dialect) may stand as SET's value. */
export type RewriteCommand = (string | Structured['value'])[]

/**
 * The commands that rebuild the data as it is now: FUNCTION LOAD for each library
 * (`libraries`: their code), then SELECT before each non-empty
 * database, then per key the commands that recreate it and PEXPIREAT for its TTL.
 * Keys whose time has already passed are left out. A generator over the keys, so
 * the file can be written in chunks and, later, across event-loop turns: it reads
 * each key as it reaches it.
 */
export function* rewriteKeyspace(store: Store, now: number, libraries: Iterable<string> = []): Generator<RewriteCommand> {
  // Functions come first, as in Redis's rewrite: FCALLs later in the file need them.
  for (const code of libraries) yield ['FUNCTION', 'LOAD', code]
  for (let i = 0; i < store.dbs.length; i++) {
    const db = store.db(i)
    if (db.keys.size === 0) continue
    yield ['SELECT', String(i)]
    yield* rewriteDatabase(db, now)
  }
}

function* rewriteDatabase(db: Database, now: number): Generator<RewriteCommand> {
  for (const [key, value] of db.keys) {
    const at = db.expireAt(key)
    if (at !== undefined && at <= now) continue
    yield* rewriteKey(key, value, at)
  }
}

/** The commands that recreate one key: its value, then PEXPIREAT for its expiry time. */
export function* rewriteKey(key: string, value: KeyspaceValue, at: number | bigint | undefined): Generator<RewriteCommand> {
  yield* rewriteValue(key, value)
  if (at !== undefined) yield ['PEXPIREAT', key, String(at)]
}

/**
 * One command in RESP appended to `w` (a background rewrite's buffer). A structured
 * value goes in its RESP3 form, encoded by `structured`.
 */
export function writeCommand(w: RdbWriter, argv: RewriteCommand, structured: ReplyWriter): void {
  w.ensure(16)
  w.pos = header(w.buf, w.pos, 0x2a, argv.length)
  for (const a of argv) {
    if (typeof a !== 'string') {
      structured.reuse()
      structured.value(a)
      w.raw(structured.take())
      continue
    }
    w.ensure(a.length + 16)
    const buf = w.buf
    let pos = header(buf, w.pos, 0x24, a.length)
    pos += buf.latin1Write(a, pos)
    buf[pos++] = 0x0d
    buf[pos++] = 0x0a
    w.pos = pos
  }
}

/** `*<n>\r\n` or `$<n>\r\n` at `pos`; the position after it. */
export function header(buf: Buffer, pos: number, type: number, n: number): number {
  buf[pos++] = type
  if (n < 10) {
    buf[pos++] = 0x30 + n
  } else if (n < 100) {
    buf[pos++] = 0x30 + ((n / 10) | 0)
    buf[pos++] = 0x30 + (n % 10)
  } else {
    pos += buf.latin1Write(String(n), pos)
  }
  buf[pos++] = 0x0d
  buf[pos++] = 0x0a
  return pos
}

/** A MutableString's bytes go out in pieces of this size: it may be longer than a JS string. */
const PIECE = 1 << 26

function* rewriteValue(key: string, value: KeyspaceValue): Generator<RewriteCommand> {
  if (typeof value === 'string') {
    yield ['SET', key, value]
  } else if (value instanceof MutableString) {
    const bytes = value.bytes()
    yield ['SET', key, bytes.latin1Slice(0, Math.min(PIECE, bytes.length))]
    for (let at = PIECE; at < bytes.length; at += PIECE) yield ['APPEND', key, bytes.latin1Slice(at, Math.min(at + PIECE, bytes.length))]
  } else if (value instanceof Structured) {
    yield ['SET', key, value.value]
  } else if (value instanceof ListValue) {
    // By index, not from toArray(): a background rewrite takes a big list a few
    // commands per step (rdb-steps.ts), and a copy of a million elements is a stall.
    for (let i = 0; i < value.size; i += ITEMS_PER_COMMAND) yield ['RPUSH', key, ...value.slice(i, Math.min(value.size, i + ITEMS_PER_COMMAND) - 1)]
  } else if (value instanceof SetValue) {
    yield* batches('SADD', key, value.members())
  } else if (value instanceof HashValue) {
    yield* pairs('HMSET', key, value.entries(), (v) => v, false)
  } else if (value instanceof ZSet) {
    yield* pairs('ZADD', key, value.entries(), formatScore, true)
  } else if (value instanceof StreamValue) {
    yield* rewriteStream(key, value)
  } else {
    throw new Error(`no AOF form for a value of type ${(value as { type: string }).type}`)
  }
}

function* batches(name: string, key: string, items: readonly string[]): Generator<RewriteCommand> {
  for (let i = 0; i < items.length; i += ITEMS_PER_COMMAND) {
    yield [name, key, ...items.slice(i, i + ITEMS_PER_COMMAND)]
  }
}

/** HMSET field value..., ZADD score member...: `scoreFirst` puts the (formatted) value first. */
function* pairs<V>(name: string, key: string, entries: Iterable<[string, V]>, format: (v: V) => string, scoreFirst: boolean): Generator<RewriteCommand> {
  let cmd: string[] = [name, key]
  for (const [member, v] of entries) {
    if (scoreFirst) cmd.push(format(v), member)
    else cmd.push(member, format(v))
    if (cmd.length === 2 + 2 * ITEMS_PER_COMMAND) {
      yield cmd
      cmd = [name, key]
    }
  }
  if (cmd.length > 2) yield cmd
}

/** A score that reads back as the same double, in the spelling Redis's strtod accepts. */
export function formatScore(score: number): string {
  if (score === Infinity) return 'inf'
  if (score === -Infinity) return '-inf'
  if (Object.is(score, -0)) return '-0'
  return String(score)
}

/**
 * A stream as Redis rewrites one: its entries by id, then XSETID for the last id and
 * counters (deleted entries leave no trace otherwise), then each group with its
 * position, each pending entry as a forced XCLAIM keeping delivery time and count,
 * and consumers without pending entries.
 */
function* rewriteStream(key: string, s: StreamValue): Generator<RewriteCommand> {
  const last = formatId(s.lastId)
  if (s.length === 0) {
    // An empty stream still exists: an entry trimmed away at once creates it.
    yield ['XADD', key, 'MAXLEN', '0', last, 'x', 'y']
  } else {
    for (const e of s.range(0n, MAX_ID, 0)) yield ['XADD', key, formatId(e.id), ...e.fields]
  }
  yield ['XSETID', key, last, 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', formatId(s.maxDeletedId)]
  for (const group of s.groups.values()) {
    yield ['XGROUP', 'CREATE', key, group.name, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]
    for (const p of group.pending.values()) {
      yield ['XCLAIM', key, group.name, p.consumer.name, '0', formatId(p.id), 'TIME', String(p.deliveryTime),
        'RETRYCOUNT', String(p.deliveryCount), 'JUSTID', 'FORCE']
    }
    for (const consumer of group.consumers.values()) {
      if (consumer.pending.size === 0) yield ['XGROUP', 'CREATECONSUMER', key, group.name, consumer.name]
    }
  }
}
