import { createHash } from 'node:crypto'
import { dumpValue } from '../persistence/dump.js'
import type { Caller } from '../server/caller.js'
import type { Client } from '../server/client.js'
import type { Database } from '../store/database.js'
import type { HashValue } from '../store/hash.js'
import type { ListValue } from '../store/list.js'
import type { SetValue } from '../store/set.js'
import { formatId, MAX_ID, type StreamValue } from '../store/stream.js'
import { MutableString, Structured, typeName, type KeyspaceValue } from '../store/types.js'
import type { ZSet } from '../store/zset.js'
import { parseInt64 } from '../util/numbers.js'
import { Err } from './errors.js'
import { stringEncoding } from './strings.js'
import { replyHelp } from './help.js'
import { command, type CommandSpec } from './spec.js'

/**
 * DEBUG, as far as test suites of Redis-backed projects use it: RELOAD, DIGEST,
 * DIGEST-VALUE, OBJECT, SLEEP, POPULATE, PROTOCOL, ERROR, LOG, SET-ACTIVE-EXPIRE and a
 * few accepted no-ops. Refused unless enable-debug-command allows it, as in Redis 7.
 */

const NOT_ALLOWED = 'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.'

const HELP = [
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
]

function allowed(c: Caller): boolean {
  const mode = c.server.config.get('enable-debug-command')
  if (mode === 'yes') return true
  if (mode !== 'local') return false
  const addr = (c as Partial<Client>).addr
  // Scripts and other internal callers have no socket: local, as a unix socket is.
  return addr === undefined || addr.startsWith('127.') || addr.startsWith('::1') || addr.startsWith('::ffff:127.')
}

function debug(c: Caller, argv: string[]): void {
  if (!allowed(c)) return c.out.error(NOT_ALLOWED)
  const sub = argv[1]
  const name = sub.toLowerCase()
  const n = argv.length
  const wrong = () => c.out.error(Err.subcommandSyntax(sub, 'debug'))
  // DEBUG runs during the start-up load, but these would write under it.
  if (c.server.loading !== null && (name === 'reload' || name === 'populate')) return c.out.error(Err.loading)
  switch (name) {
    case 'help':
      return n === 2 ? replyHelp(c, 'DEBUG', HELP) : wrong()
    case 'sleep':
      if (n !== 3) return wrong()
      sleep(leadingNumber(argv[2]))
      return c.out.simple('OK')
    case 'reload':
      return reload(c, argv)
    case 'digest':
      return n === 2 ? c.out.simple(datasetDigest(c.server.store.dbs)) : wrong()
    case 'digest-value': {
      c.out.array(n - 2)
      for (let i = 2; i < n; i++) c.out.simple(keyDigest(c.db, argv[i]))
      return
    }
    case 'object':
      return n === 3 ? object(c, argv[2]) : wrong()
    case 'populate':
      return n >= 3 && n <= 5 ? populate(c, argv) : wrong()
    case 'protocol':
      return n === 3 ? protocol(c, argv[2]) : wrong()
    case 'error':
      return n === 3 ? c.out.error(argv[2]) : wrong()
    case 'log':
      if (n !== 3) return wrong()
      c.server.log('warning', `DEBUG LOG: ${argv[2]}`)
      return c.out.simple('OK')
    case 'set-active-expire':
      if (n !== 3) return wrong()
      c.server.activeExpire = leadingInt(argv[2]) !== 0
      return c.out.simple('OK')
    // Tuning knobs of Redis internals respite does not have: accepted, as no-ops.
    case 'change-repl-id':
      return n === 2 ? c.out.simple('OK') : wrong()
    case 'quicklist-packed-threshold':
    case 'set-skip-checksum-validation':
    case 'pause-cron':
      return n === 3 ? c.out.simple('OK') : wrong()
    default:
      return wrong()
  }
}

/** strtod's reading: the longest leading number, 0 when there is none (Redis does not check). */
function leadingNumber(s: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(s)
  return m === null ? 0 : Number(m[0])
}

/** atoi's reading. */
function leadingInt(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s)
  return m === null ? 0 : Number(m[0])
}

/** Blocks the whole server, as DEBUG SLEEP does: nothing else is served meanwhile. */
function sleep(seconds: number): void {
  if (!(seconds > 0)) return
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(seconds, 3600) * 1000)
}

// --- RELOAD ---------------------------------------------------------------------

function reload(c: Caller, argv: string[]): void {
  let merge = false
  let flush = true
  let save = true
  for (let i = 2; i < argv.length; i++) {
    const o = argv[i].toLowerCase()
    if (o === 'merge') merge = true
    else if (o === 'noflush') flush = false
    else if (o === 'nosave') save = false
    else return c.out.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.')
  }
  const server = c.server
  const snapshots = server.snapshots
  // The data is about to be replaced under it, as Redis kills its saving child.
  snapshots.abortBackground('Background saving aborted by DEBUG RELOAD')
  if (save && !snapshots.save()) return c.out.error('ERR Error trying to save the DB')
  if (flush) {
    for (const db of server.store.dbs) db.clear()
    server.scriptingIfStarted?.functionsIfLoaded?.flush()
  }
  try {
    snapshots.load(merge)
  } catch (e) {
    server.log('warning', (e as Error).message)
    return c.out.error('ERR Error trying to load the RDB dump, check server logs.')
  }
  server.log('notice', 'DB reloaded by DEBUG RELOAD')
  c.out.simple('OK')
}

// --- DIGEST ---------------------------------------------------------------------

/**
 * A signature of the data, equal for equal data whatever its history: the XOR over
 * keys of a SHA-1 of the key, its database, its value and whether it has a TTL (as
 * Redis, not the time itself). Values hash their elements in order where the type
 * has one (lists, sorted sets, streams) and as an XOR of element hashes where it does
 * not (sets, hashes). 40 zeros for no data, as in Redis. Our own construction: it
 * need not, and does not, equal Redis's digest of the same data.
 */
export function datasetDigest(dbs: readonly Database[]): string {
  const acc = Buffer.alloc(20)
  for (const db of dbs) {
    if (db.size === 0) continue
    for (const key of db.keys.keys()) {
      const v = db.getStored(key)
      if (v === undefined) continue
      const h = createHash('sha1')
      h.update(`${db.index}:`)
      feed(h, key)
      h.update(valueDigest(v, db.getExpire(key) !== undefined))
      xorInto(acc, h.digest())
    }
  }
  return acc.toString('hex')
}

function keyDigest(db: Database, key: string): string {
  const v = db.getStored(key)
  if (v === undefined) return '0'.repeat(40)
  return valueDigest(v, db.getExpire(key) !== undefined).toString('hex')
}

type Hash = ReturnType<typeof createHash>

/** A string with its length first, so that no two sequences of strings hash alike. */
function feed(h: Hash, s: string): void {
  h.update(`${s.length}:`)
  h.update(s, 'latin1')
}

function xorInto(acc: Buffer, d: Buffer): void {
  for (let i = 0; i < 20; i++) acc[i] ^= d[i]
}

function sha1(...parts: string[]): Buffer {
  const h = createHash('sha1')
  for (const p of parts) feed(h, p)
  return h.digest()
}

function valueDigest(v: KeyspaceValue, volatile: boolean): Buffer {
  const h = createHash('sha1')
  h.update(typeName(v))
  if (volatile) h.update('!!expire!!')
  if (typeof v === 'string') {
    feed(h, v)
  } else if (v instanceof MutableString) {
    h.update(`${v.length}:`)
    h.update(v.bytes())
  } else if (v instanceof Structured) {
    feed(h, JSON.stringify(v.value, (_, x) => (typeof x === 'bigint' ? `${x}n` : x)))
  } else {
    switch (v.type) {
      case 'list':
        for (const e of v as ListValue) feed(h, e)
        break
      case 'zset':
        for (const [m, score] of (v as ZSet).entries()) {
          feed(h, m)
          feed(h, String(score))
        }
        break
      case 'set': {
        const acc = Buffer.alloc(20)
        for (const m of (v as SetValue).keys()) xorInto(acc, sha1(m))
        h.update(acc)
        break
      }
      case 'hash': {
        const acc = Buffer.alloc(20)
        for (const [f, x] of (v as HashValue).entries()) xorInto(acc, sha1(f, x))
        h.update(acc)
        break
      }
      case 'stream':
        streamDigest(h, v as StreamValue)
        break
    }
  }
  return h.digest()
}

/** Entries, counters, and the groups with their pending entries; not the times of reads. */
function streamDigest(h: Hash, s: StreamValue): void {
  for (const e of s.range(0n, MAX_ID, 0)) {
    feed(h, formatId(e.id))
    for (const f of e.fields) feed(h, f)
  }
  feed(h, `${formatId(s.lastId)} ${s.entriesAdded} ${formatId(s.maxDeletedId)}`)
  for (const g of s.sortedGroups()) {
    feed(h, `${g.name} ${formatId(g.lastId)} ${g.entriesRead}`)
    for (const p of g.pending.values()) feed(h, `${formatId(p.id)} ${p.consumer.name} ${p.deliveryCount}`)
    for (const consumer of g.sortedConsumers()) feed(h, consumer.name)
  }
}

// --- OBJECT, POPULATE, PROTOCOL -------------------------------------------------

function object(c: Caller, key: string): void {
  const v = c.db.getStored(key)
  if (v === undefined) return c.out.error(Err.noSuchKey)
  const encoding = typeof v === 'string' ? stringEncoding(c.db, key, v) : v instanceof Structured ? 'raw' : v.encoding()
  const serialized = dumpValue(v, c.server.config.get('rdbcompression') === 'yes').length - 11
  const lru = Math.floor(Date.now() / 1000) & 0xffffff
  let line = `Value at:0x${(0x7f0000000000 + serialized).toString(16)} refcount:1 encoding:${encoding} serializedlength:${serialized} lru:${lru} lru_seconds_idle:0`
  if (typeof v !== 'string' && v.type === 'list') {
    // Redis's quicklist figures, for a list as one node per 128 elements would hold it.
    const size = (v as ListValue).size
    const nodes = Math.max(1, Math.ceil(size / 128))
    let bytes = 0
    for (const e of v as ListValue) bytes += e.length + 2
    line += ` ql_nodes:${nodes} ql_avg_node:${(size / nodes).toFixed(2)} ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:${bytes + 7 * nodes}`
  }
  c.out.simple(line)
}

function populate(c: Caller, argv: string[]): void {
  const count = parseInt64(argv[2])
  if (count === null || count < 0) return c.out.error('ERR value is out of range, must be positive')
  const prefix = argv[3] ?? 'key'
  let size = -1
  if (argv.length === 5) {
    const s = parseInt64(argv[4])
    if (s === null || s < 0) return c.out.error('ERR value is out of range, must be positive')
    size = Number(s)
  }
  const db = c.db
  for (let i = 0; i < count; i++) {
    const key = `${prefix}:${i}`
    // Existing keys are left alone, as in Redis.
    if (db.getStored(key) !== undefined) continue
    // DEBUG is no write command, so the background save's hook has not seen this key.
    c.server.saving?.preserve(db, key)
    let value = `value:${i}`
    if (size >= 0) value = value.length >= size ? value.slice(0, size) : value + '\0'.repeat(size - value.length)
    db.set(key, value)
  }
  c.out.simple('OK')
}

function protocol(c: Caller, type: string): void {
  const out = c.out
  const resp3 = out.proto === 3
  switch (type.toLowerCase()) {
    case 'string': return out.bulk('Hello World')
    case 'integer': return out.integer(12345)
    case 'double': return out.double(3.141)
    case 'bignum': return out.bigNumber('1234567999999999999999999999999999999')
    case 'null': return out.nullBulk()
    case 'array':
    case 'set':
    case 'map': {
      const kind = type.toLowerCase()
      if (kind === 'array') out.array(3)
      else if (kind === 'set') out.set(3)
      else out.map(3)
      for (let i = 0; i < 3; i++) {
        out.integer(i)
        if (kind === 'map') out.boolean(i === 1)
      }
      return
    }
    case 'attrib':
      // RESP3's attribute type (|), which no other reply uses: written as bytes.
      if (resp3) out.raw(Buffer.from('|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n'))
      return out.bulk('Some real reply following the attribute')
    case 'push':
      if (!resp3) return out.error('ERR RESP2 is not supported by this command')
      out.push(2)
      out.bulk('server-cpu-usage')
      out.integer(42)
      return out.bulk('Some real reply following the push reply')
    case 'verbatim': return out.verbatim('This is a verbatim\nstring')
    case 'true': return out.boolean(true)
    case 'false': return out.boolean(false)
    default:
      return out.error('ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false')
  }
}

export const debugCommands: CommandSpec[] = [
  command({
    name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', since: '1.0.0',
    complexity: 'Depends on subcommand.', summary: 'A container for debugging commands', docFlags: ['syscmd'],
    syntax: '', handler: debug,
  }),
]
