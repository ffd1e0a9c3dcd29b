import { expiryFromExptime, KEY_MAX_LENGTH, parseFlags, parseI32, parseU64 } from './parser.js'
import type { MemcachedFrontEnd } from './frontend.js'
import type { Output } from './output.js'
import { generalStats, itemsStats, MEMCACHED_VERSION, settingsStats, slabsStats } from './stats.js'
import { msData, runMeta, type Flags } from './meta.js'
import { casMatches, type ItemTable } from './items.js'

/** What a command may ask of its connection (connection.ts). */
export interface Session {
  readonly front: MemcachedFrontEnd
  readonly out: Output
  /** The storage command waiting for its data block; see expectData. */
  readonly pending: PendingStore
  /** Reads a data block of `pending.length` bytes plus its \r\n, then calls dataArrived. */
  expectData(): void
  /** Discards `bytes` of input, then writes `reply` (null: nothing). */
  swallow(bytes: number, reply: string | null): void
  /** quit: close once the replies so far are sent. */
  quit(): void
  /**
   * Items an mg found since the connection's replies were last sent (by ItemMeta.item,
   * which a store renews). memcached's mg keeps a reference to the item
   * until then, and incr/decr of an item someone else references makes a new item
   * instead of writing the digits in place (so without the space padding); the
   * connection clears this when memcached would have sent.
   */
  readonly held: Set<number>
}

/**
 * A storage command (set... cas, ms) between its line and its data block. Each
 * connection has one, refilled by every such command, so a store allocates no closure
 * or record for the wait.
 */
export class PendingStore {
  command = ''
  key = ''
  flags = 0
  exptime = 0
  casUnique = 0n
  noreply = false
  length = 0
  /** ms's flags; null for the classic commands. */
  meta: Flags | null = null
}

export const BAD_FORMAT = 'CLIENT_ERROR bad command line format'
const BAD_EXPTIME = 'CLIENT_ERROR invalid exptime argument'
const TOO_LARGE = 'SERVER_ERROR object too large for cache'
/** memcached-item-size-max's lowest accepted value (server/config.ts). */
const MIN_ITEM_SIZE_MAX = 1024

/**
 * memcached's size of an item: its header, key, value with \r\n, and CAS. A store
 * whose item would pass item_size_max is refused with TOO_LARGE, at the same sizes
 * memcached refuses (the key counts, not only the value).
 */
export function itemSize(keyLength: number, valueLength: number): number {
  return 48 + keyLength + 1 + valueLength + 2 + 8
}

/**
 * Why a store of `length` bytes under `key` cannot be made, or null: the item is
 * larger than item_size_max, or the server is over maxmemory, where Redis refuses
 * writes (respite evicts nothing) and memcached's answer to a failed allocation is
 * the one given.
 */
export function refuseStore(front: MemcachedFrontEnd, key: string, length: number): string | null {
  const size = itemSize(key.length, length)
  // No item_size_max is below MIN_ITEM_SIZE_MAX: small items need no look at the config.
  if (size > MIN_ITEM_SIZE_MAX && size > front.itemSizeMax) {
    front.counters.store_too_large++
    return TOO_LARGE
  }
  if (front.server.memory.refuses()) {
    front.counters.store_no_memory++
    return 'SERVER_ERROR out of memory storing object'
  }
  return null
}

/** One request line, already split into tokens. */
export function runLine(s: Session, tokens: string[]): void {
  const n = tokens.length
  if (n === 0) {
    s.out.line('ERROR')
    return
  }
  const name = tokens[0]
  // noreply silences whatever the command answers, its errors included, as in memcached
  // (the storage commands, whose reply comes after their data, check it themselves).
  const quiet = tokens[n - 1] === 'noreply' && QUIETABLE.has(name)
  const mark = s.out.pos
  const known = runClassic(s, tokens, name, n)
  if (quiet) s.out.truncate(mark)
  // A command unknown or with the wrong number of arguments is an ERROR even under noreply.
  if (!known) s.out.line('ERROR')
}

const QUIETABLE = new Set(['set', 'add', 'replace', 'append', 'prepend', 'cas', 'incr', 'decr', 'delete', 'touch', 'flush_all', 'verbosity'])

/** Runs a command; false when it is unknown or has the wrong number of arguments. */
function runClassic(s: Session, tokens: string[], name: string, n: number): boolean {
  switch (name) {
    case 'get':
    case 'bget':
      if (n >= 2) {
        retrieve(s, tokens, 1, false, null)
        return true
      }
      break
    case 'gets':
      if (n >= 2) {
        retrieve(s, tokens, 1, true, null)
        return true
      }
      break
    case 'gat':
    case 'gats':
      if (n >= 2) {
        gat(s, tokens, name === 'gats')
        return true
      }
      break
    case 'set':
    case 'add':
    case 'replace':
    case 'append':
    case 'prepend':
      if (n === 5 || n === 6) {
        update(s, tokens, name, false)
        return true
      }
      break
    case 'cas':
      if (n === 6 || n === 7) {
        update(s, tokens, name, true)
        return true
      }
      break
    case 'incr':
    case 'decr':
      if (n === 3 || n === 4) {
        arithmetic(s, tokens, name === 'incr')
        return true
      }
      break
    case 'delete':
      if (n >= 2 && n <= 4) {
        del(s, tokens)
        return true
      }
      break
    case 'touch':
      if (n === 3 || n === 4) {
        touch(s, tokens)
        return true
      }
      break
    case 'flush_all':
      if (n <= 3) {
        flushAll(s, tokens)
        return true
      }
      break
    case 'version':
      s.out.line('VERSION ' + MEMCACHED_VERSION)
      return true
    case 'verbosity':
      if (n === 2 || n === 3) {
        verbosity(s, tokens)
        return true
      }
      break
    case 'quit':
      s.quit()
      return true
    case 'stats':
      stats(s, tokens)
      return true
    case 'mg':
    case 'ms':
    case 'md':
    case 'ma':
    case 'mn':
    case 'me':
      runMeta(s, tokens)
      return true
  }
  return false
}


function reply(s: Session, noreply: boolean, text: string): void {
  if (!noreply) s.out.line(text)
}

/** get/gets/gat/gats: one VALUE block per hit, then END. */
function retrieve(s: Session, tokens: string[], first: number, withCas: boolean, expireAt: number | null): void {
  const { items, counters } = s.front
  const out = s.out
  const mark = out.pos
  const now = s.front.now
  for (let i = first; i < tokens.length; i++) {
    const key = tokens[i]
    if (key.length > KEY_MAX_LENGTH) {
      // The whole request fails: values found before the bad key are not sent.
      out.truncate(mark)
      out.line(BAD_FORMAT)
      return
    }
    if (expireAt === null) counters.cmd_get++
    else {
      counters.cmd_touch++
      counters.cmd_get++
    }
    const value = items.value(key)
    if (value === undefined) {
      if (expireAt === null) counters.get_misses++
      else counters.touch_misses++
      continue
    }
    if (expireAt === null) counters.get_hits++
    else counters.touch_hits++
    const meta = items.of(key, now)
    meta.fetched = true
    meta.atime = now
    out.line(withCas ? `VALUE ${key} ${meta.flags} ${value.length} ${meta.cas}` : `VALUE ${key} ${meta.flags} ${value.length}`)
    out.text(value)
    out.line('')
    if (expireAt !== null) {
      if (expireAt === -1) items.delete(key)
      else items.touch(key, expireAt)
    }
  }
  out.line('END')
}

function gat(s: Session, tokens: string[], withCas: boolean): void {
  const exptime = parseI32(tokens[1])
  if (exptime === null) {
    s.out.line(BAD_EXPTIME)
    return
  }
  retrieve(s, tokens, 2, withCas, expiryFromExptime(exptime, s.front.now))
}

/** set/add/replace/append/prepend/cas: parse the line, then wait for the data block. */
function update(s: Session, tokens: string[], command: string, isCas: boolean): void {
  const key = tokens[1]
  if (key.length > KEY_MAX_LENGTH) {
    s.out.line(BAD_FORMAT)
    return
  }
  const flags = parseFlags(tokens[2])
  const exptime = parseI32(tokens[3])
  const length = parseI32(tokens[4])
  if (flags === null || exptime === null || length === null) {
    s.out.line(BAD_FORMAT)
    return
  }
  let casUnique = 0n
  if (isCas) {
    const v = parseU64(tokens[5])
    if (v === null) {
      s.out.line(BAD_FORMAT)
      return
    }
    casUnique = v
  }
  const noreply = tokens[tokens.length - 1] === 'noreply'
  if (length < 0 || length > 0x7fffffff - 2) {
    s.out.line(BAD_FORMAT)
    return
  }
  const front = s.front
  const refusal = refuseStore(front, key, length)
  if (refusal !== null) {
    // memcached drops the old value of a failed set, so a reader never sees stale data.
    if (command === 'set') front.items.delete(key)
    s.swallow(length + 2, noreply ? null : refusal)
    return
  }
  const p = s.pending
  p.command = command
  p.key = key
  p.flags = flags
  p.exptime = exptime
  p.casUnique = casUnique
  p.noreply = noreply
  p.length = length
  p.meta = null
  s.expectData()
}

/**
 * The data block of the pending store is in `input` from `at` (pending.length bytes
 * and what should be its \r\n); the stored value is the one copy made of it.
 */
export function dataArrived(s: Session, input: Buffer, at: number): void {
  const p = s.pending
  if (p.meta !== null) {
    msData(s, p, p.meta, input, at)
    return
  }
  const length = p.length
  if (input[at + length] !== 13 || input[at + length + 1] !== 10) {
    if (!p.noreply) s.out.line('CLIENT_ERROR bad data chunk')
    return
  }
  const value = input.latin1Slice(at, at + length)
  const expireAt = p.exptime === 0 ? 0 : expiryFromExptime(p.exptime, s.front.now)
  reply(s, p.noreply, store(s.front, p.command, p.key, value, p.flags, expireAt, p.casUnique))
}

/** The storing half of the classic commands, also used by ms (meta.ts). */
export function store(front: MemcachedFrontEnd, command: string, key: string, value: string, flags: number, expireAt: number, casUnique: bigint): string {
  const { items, counters } = front
  counters.cmd_set++
  const now = front.now
  // A plain set needs nothing of the old value: the common case makes no lookup for it.
  const old = command === 'set' ? undefined : items.value(key)
  switch (command) {
    case 'add':
      // A key of another Redis type is taken too: add never overwrites a list.
      if (items.exists(key)) {
        if (old !== undefined) items.of(key, now).atime = now
        return 'NOT_STORED'
      }
      break
    case 'replace':
      if (old === undefined) return 'NOT_STORED'
      break
    case 'append':
    case 'prepend': {
      if (old === undefined) return 'NOT_STORED'
      // The new flags and exptime are ignored: the item keeps its own, as in memcached.
      const meta = items.of(key, now)
      items.store(key, command === 'append' ? old + value : value + old, meta.flags, 0, true, now)
      counters.total_items++
      return 'STORED'
    }
    case 'cas': {
      if (old === undefined) {
        counters.cas_misses++
        return 'NOT_FOUND'
      }
      if (!casMatches(items.of(key, now), casUnique)) {
        counters.cas_badval++
        return 'EXISTS'
      }
      counters.cas_hits++
      break
    }
  }
  counters.total_items++
  if (expireAt === -1) {
    // Stored already expired: memcached answers STORED and nobody ever reads it.
    items.delete(key)
    return 'STORED'
  }
  items.store(key, value, flags, expireAt, false, now)
  return 'STORED'
}

/**
 * A value as incr/decr read it: memcached's strtoull over the data, which allows
 * leading and trailing whitespace (its own padding from earlier decrements).
 */
export function numericValue(v: string): bigint | null {
  // The stored data ends in \r\n, which ends the number as whitespace does.
  return parseU64(v + '\r')
}

/**
 * The new value of incr/decr: incr wraps at 2^64, decr stops at 0. Like memcached, a
 * result no longer than the old value is written over it padded with spaces, so its
 * length does not change; a longer one replaces it.
 */
export function applyDelta(old: string, current: bigint, delta: bigint, incr: boolean, held = false): { result: bigint; stored: string } {
  const result = incr ? (current + delta) & 0xffffffffffffffffn : current < delta ? 0n : current - delta
  const text = result.toString()
  const stored = text.length <= old.length && !held ? text + ' '.repeat(old.length - text.length) : text
  return { result, stored }
}

/**
 * Writes an incr/decr result. Written in place (same length), the item keeps its
 * per-item bits (stale, fetched, recache token) as memcached's in-place update does;
 * a longer result is a new item.
 */
export function storeDelta(items: ItemTable, key: string, old: string, stored: string, now: number): void {
  const meta = items.of(key, now)
  // The store renews the entry in place: what it keeps is read first.
  const { stale, tokenSent, fetched, atime } = meta
  items.store(key, stored, meta.flags, 0, true, now)
  if (stored.length === old.length) {
    meta.stale = stale
    meta.tokenSent = tokenSent
    meta.fetched = fetched
    meta.atime = atime
  }
}

function arithmetic(s: Session, tokens: string[], incr: boolean): void {
  const key = tokens[1]
  if (key.length > KEY_MAX_LENGTH) {
    s.out.line(BAD_FORMAT)
    return
  }
  const delta = parseU64(tokens[2])
  if (delta === null) {
    s.out.line('CLIENT_ERROR invalid numeric delta argument')
    return
  }
  const noreply = tokens.length === 4 && tokens[3] === 'noreply'
  const { items, counters } = s.front
  const old = items.value(key)
  if (old === undefined) {
    if (incr) counters.incr_misses++
    else counters.decr_misses++
    reply(s, noreply, 'NOT_FOUND')
    return
  }
  const current = numericValue(old)
  if (current === null) {
    reply(s, noreply, 'CLIENT_ERROR cannot increment or decrement non-numeric value')
    return
  }
  if (incr) counters.incr_hits++
  else counters.decr_hits++
  const { result, stored } = applyDelta(old, current, delta, incr, s.held.has(items.of(key, s.front.now).item))
  storeDelta(items, key, old, stored, s.front.now)
  reply(s, noreply, result.toString())
}

function del(s: Session, tokens: string[]): void {
  const key = tokens[1]
  if (key.length > KEY_MAX_LENGTH) {
    s.out.line(BAD_FORMAT)
    return
  }
  const n = tokens.length
  let noreply = false
  if (n > 2) {
    // "delete <key> 0" is still accepted (the old hold time), nothing else.
    const holdIsZero = tokens[2] === '0'
    noreply = tokens[n - 1] === 'noreply'
    const valid = (n === 3 && (holdIsZero || noreply)) || (n === 4 && holdIsZero && noreply)
    if (!valid) {
      s.out.line('CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]')
      return
    }
  }
  const { items, counters } = s.front
  // Any type: memcached has none, so a delete from it removes a Redis list too.
  if (items.delete(key)) {
    counters.delete_hits++
    reply(s, noreply, 'DELETED')
  } else {
    counters.delete_misses++
    reply(s, noreply, 'NOT_FOUND')
  }
}

function touch(s: Session, tokens: string[]): void {
  const key = tokens[1]
  if (key.length > KEY_MAX_LENGTH) {
    s.out.line(BAD_FORMAT)
    return
  }
  const exptime = parseI32(tokens[2])
  if (exptime === null) {
    s.out.line(BAD_EXPTIME)
    return
  }
  const noreply = tokens.length === 4 && tokens[3] === 'noreply'
  const { items, counters } = s.front
  counters.cmd_touch++
  if (items.value(key) === undefined) {
    counters.touch_misses++
    reply(s, noreply, 'NOT_FOUND')
    return
  }
  counters.touch_hits++
  // memcached's touch fetches the item, so it counts as fetched (mg h) from then on.
  const now = s.front.now
  const meta = items.of(key, now)
  meta.fetched = true
  meta.atime = now
  const at = expiryFromExptime(exptime, now)
  if (at === -1) items.delete(key)
  else items.touch(key, at)
  reply(s, noreply, 'TOUCHED')
}

function flushAll(s: Session, tokens: string[]): void {
  const n = tokens.length
  const noreply = tokens[n - 1] === 'noreply'
  let delay = 0
  // Anything but a bare "flush_all [noreply]" has its delay in the second token.
  if (n !== (noreply ? 2 : 1)) {
    const d = parseI32(tokens[1])
    if (d === null) {
      s.out.line(BAD_EXPTIME)
      return
    }
    delay = d
  }
  s.front.counters.cmd_flush++
  s.front.flush(delay)
  reply(s, noreply, 'OK')
}

function verbosity(s: Session, tokens: string[]): void {
  const level = parseU64(tokens[1])
  if (level === null) {
    s.out.line(BAD_FORMAT)
    return
  }
  s.front.verbosity = Number(level & 0xffffffffn)
  reply(s, tokens.length === 3 && tokens[2] === 'noreply', 'OK')
}

function stats(s: Session, tokens: string[]): void {
  const front = s.front
  const out = s.out
  let lines: [string, string | number][]
  if (tokens.length === 1) lines = generalStats(front)
  else {
    switch (tokens[1]) {
      case 'settings': lines = settingsStats(front); break
      case 'items': lines = itemsStats(front); break
      case 'slabs': lines = slabsStats(front); break
      case 'sizes': lines = [['sizes_status', 'disabled']]; break
      case 'conns': lines = []; break
      case 'detail':
        // No per-prefix detail is kept; the switch is accepted as memcached accepts it.
        if (tokens[2] === 'on' || tokens[2] === 'off') out.line('OK')
        else if (tokens[2] === 'dump') out.line('END')
        else out.line('CLIENT_ERROR usage: stats detail on|off|dump')
        return
      case 'reset':
        front.resetStats()
        out.line('RESET')
        return
      default:
        out.line('ERROR')
        return
    }
  }
  for (const [name, value] of lines) out.line(`STAT ${name} ${value}`)
  out.line('END')
}
