import type { PendingStore, Session } from './commands.js'
import { casMatches } from './items.js'
import { applyDelta, BAD_FORMAT, itemSize, numericValue, refuseStore, store, storeDelta } from './commands.js'
import { expiryFromExptime, KEY_MAX_LENGTH, parseFlags, parseI32, parseU64, ttlSeconds } from './parser.js'

/**
 * The meta commands (mg, ms, md, ma, mn, me) as memcached 1.6.18 answers them.
 *
 * Flags are single letters, some with a token ("T30"). Return flags are written in
 * the order the request gave them; W/X/Z (recache win, stale, token already sent)
 * follow them. Under q, the nominal reply is dropped: EN for mg, HD for ms/md/ma.
 */

/** Flags any meta command accepts (memcached parses them all, each command uses some). */
const KNOWN = new Set('bNTRlOPLkstcfvhuqFCMJDI'.split(''))
const MAX_OPAQUE = 32

export interface Flags {
  /** First character of each flag token, in order, with its token. */
  list: string[]
  has: Set<string>
  noreply: boolean
  binaryKey: boolean
  ttl: number | null
  vivify: number | null
  recache: number | null
  clientFlags: number
  cas: bigint | null
  mode: string | null
  initial: bigint
  delta: bigint
  stale: boolean
}

class MetaError extends Error {}

/** Parses flag tokens from `start`; throws MetaError with memcached's message. */
function parseFlagTokens(tokens: string[], start: number): Flags {
  const f: Flags = {
    list: [], has: new Set(), noreply: false, binaryKey: false, ttl: null, vivify: null, recache: null,
    clientFlags: 0, cas: null, mode: null, initial: 0n, delta: 1n, stale: false,
  }
  let error: string | null = null
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i]
    const o = t[0]
    if (f.has.has(o) || o.charCodeAt(0) >= 127) throw new MetaError('CLIENT_ERROR duplicate flag')
    if (!KNOWN.has(o)) throw new MetaError('CLIENT_ERROR invalid flag')
    f.has.add(o)
    f.list.push(t)
    if (o === 'O' && t.length > MAX_OPAQUE) throw new MetaError('CLIENT_ERROR opaque token too long')
    const arg = t.slice(1)
    switch (o) {
      case 'b': f.binaryKey = true; break
      case 'q': f.noreply = true; break
      case 'I': f.stale = true; break
      case 'N': case 'T': case 'R': {
        const v = parseI32(arg)
        if (v === null) error ??= 'CLIENT_ERROR bad token in command line format'
        else if (o === 'N') f.vivify = v
        else if (o === 'T') f.ttl = v
        else f.recache = v
        break
      }
      case 'F': {
        const v = parseFlags(arg)
        // memcached sets no message of its own for a bad F token.
        if (v === null) error ??= BAD_FORMAT
        else f.clientFlags = v
        break
      }
      case 'C': {
        const v = parseU64(arg)
        if (v === null) error ??= 'CLIENT_ERROR bad token in command line format'
        else f.cas = v
        break
      }
      case 'M':
        if (t.length !== 2) error ??= 'CLIENT_ERROR incorrect length for M token'
        else f.mode = t[1]
        break
      case 'J': {
        const v = parseU64(arg)
        if (v === null) error ??= 'CLIENT_ERROR invalid numeric initial value'
        else f.initial = v
        break
      }
      case 'D': {
        const v = parseU64(arg)
        if (v === null) error ??= 'CLIENT_ERROR invalid numeric delta value'
        else f.delta = v
        break
      }
    }
  }
  if (error !== null) throw new MetaError(error)
  return f
}

/** A key given in base64 (flag b), as latin1; throws when it does not decode. */
function decodeKey(key: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(key) || key.length % 4 !== 0 || key.length === 0) {
    throw new MetaError('CLIENT_ERROR error decoding key')
  }
  const b = Buffer.from(key, 'base64')
  return b.latin1Slice(0, b.length)
}

/** The k return flag: the key as the client sent it, and " b" after a base64 one. */
function keyFlag(key: string, f: Flags): string {
  return f.binaryKey ? ` k${Buffer.from(key, 'latin1').toString('base64')} b` : ` k${key}`
}

/** O and k, the flags every reply echoes. */
function echoFlag(t: string, key: string, f: Flags): string {
  if (t[0] === 'O') {
    if (t.length > MAX_OPAQUE) throw new MetaError('CLIENT_ERROR opaque token too long')
    return ' ' + t
  }
  if (t[0] === 'k') return keyFlag(key, f)
  return ''
}

export function runMeta(s: Session, tokens: string[]): void {
  const command = tokens[0]
  if (command === 'mn') {
    s.out.line('MN')
    // mn makes memcached send its replies now, which lets go of the items mg held.
    s.held.clear()
    return
  }
  s.front.counters.cmd_meta++
  if (tokens.length < 2) {
    s.out.line(command === 'me' ? BAD_FORMAT : 'ERROR')
    return
  }
  if (tokens[1].length > KEY_MAX_LENGTH) {
    s.out.line(BAD_FORMAT)
    return
  }
  try {
    switch (command) {
      case 'mg': return mg(s, tokens)
      case 'ms': return ms(s, tokens)
      case 'md': return md(s, tokens)
      case 'ma': return ma(s, tokens)
      case 'me': return me(s, tokens)
    }
  } catch (e) {
    if (!(e instanceof MetaError)) throw e
    s.out.line(e.message)
  }
}

function mg(s: Session, tokens: string[]): void {
  const f = parseFlagTokens(tokens, 2)
  const key = f.binaryKey ? decodeKey(tokens[1]) : tokens[1]
  const { items, counters } = s.front
  const now = s.front.now
  counters.cmd_get++
  let value = items.value(key)
  let created = false
  let vivifiedExpired = false
  if (value === undefined && f.vivify !== null) {
    // N: a miss creates an empty item, and this client wins the right to fill it.
    const at = expiryFromExptime(f.vivify, now)
    items.store(key, '', 0, at === -1 ? 0 : at, false, now)
    value = ''
    created = true
    vivifiedExpired = at === -1
  }
  if (value === undefined) {
    counters.get_misses++
    if (f.noreply) return
    let line = 'EN'
    for (const t of f.list) line += echoFlag(t, key, f)
    s.out.line(line)
    return
  }
  counters.get_hits++
  const meta = items.of(key, now)
  s.held.add(meta.item)
  let won = created
  // T with a TTL already past (negative): this fetch still sees the item, then it is gone.
  let expireNow = vivifiedExpired
  if (f.ttl !== null) {
    const at = expiryFromExptime(f.ttl, now)
    if (at === -1) expireNow = true
    else items.touch(key, at)
  }
  const expireAt = items.db.getExpire(key)
  if (f.recache !== null && !meta.tokenSent && !created && expireAt !== undefined) {
    if (ttlSeconds(expireAt, now) < f.recache) won = true
  }
  let line = f.has.has('v') ? `VA ${value.length}` : 'HD'
  for (const t of f.list) {
    switch (t[0]) {
      case 's': line += ` s${value.length}`; break
      case 't': line += ` t${ttlSeconds(expireAt, now)}`; break
      case 'c': line += ` c${meta.cas}`; break
      case 'f': line += ` f${meta.flags}`; break
      case 'l': line += ` l${Math.floor((now - meta.atime) / 1000)}`; break
      case 'h': line += meta.fetched ? ' h1' : ' h0'; break
      case 'O': case 'k': line += echoFlag(t, key, f); break
    }
  }
  // Z: a token went out before; a stale item with none out wins one now (X then W).
  if (meta.tokenSent) line += ' Z'
  if (meta.stale) {
    line += ' X'
    if (!meta.tokenSent) won = true
  }
  if (won) {
    line += ' W'
    meta.tokenSent = true
  }
  meta.fetched = true
  meta.atime = now
  s.out.line(line)
  if (f.has.has('v')) {
    s.out.text(value)
    s.out.line('')
  }
  if (expireNow) items.delete(key)
}

function ms(s: Session, tokens: string[]): void {
  if (tokens.length < 3) {
    s.out.line(BAD_FORMAT)
    return
  }
  const length = parseI32(tokens[2])
  if (length === null || length < 0 || length > 0x7fffffff - 2) {
    s.out.line(BAD_FORMAT)
    return
  }
  // From here on an error still consumes the data block, so the client stays in step.
  let f: Flags
  let key: string
  let command: string
  try {
    f = parseFlagTokens(tokens, 3)
    key = f.binaryKey ? decodeKey(tokens[1]) : tokens[1]
    switch (f.mode) {
      case null: case 'S': command = 'set'; break
      case 'E': command = 'add'; break
      case 'A': command = 'append'; break
      case 'P': command = 'prepend'; break
      case 'R': command = 'replace'; break
      default: throw new MetaError('CLIENT_ERROR invalid mode for ms M token')
    }
    if (f.cas !== null && (command === 'set' || command === 'replace')) command = 'cas'
    for (const t of f.list) echoFlag(t, key, f)
  } catch (e) {
    if (!(e instanceof MetaError)) throw e
    s.swallow(length + 2, e.message)
    return
  }
  const front = s.front
  const refusal = refuseStore(front, key, length)
  if (refusal !== null) {
    front.items.delete(key)
    s.swallow(length + 2, refusal)
    return
  }
  const p = s.pending
  p.command = command
  p.key = key
  p.length = length
  p.meta = f
  s.expectData()
}

/** ms's data block has arrived (dataArrived): `length` bytes at `at`, then \r\n. */
export function msData(s: Session, p: PendingStore, f: Flags, input: Buffer, at: number): void {
  const { command, key, length } = p
  // The flags are not kept past their store.
  p.meta = null
  if (input[at + length] !== 13 || input[at + length + 1] !== 10) {
    s.out.line('CLIENT_ERROR bad data chunk')
    return
  }
  const value = input.latin1Slice(at, at + length)
  const now = s.front.now
  const front = s.front
  const items = front.items
  let result: string
  if (command === 'cas' && f.stale && items.value(key) !== undefined && f.cas! < items.of(key, now).cas) {
    // I with an older CAS: the value is stored but marked stale.
    result = store(front, 'set', key, value, f.clientFlags, expiryFromExptime(f.ttl ?? 0, now), 0n)
    const meta = items.peek(key)
    if (meta !== undefined) meta.stale = true
  } else {
    result = store(front, command, key, value, f.clientFlags, expiryFromExptime(f.ttl ?? 0, now), f.cas ?? 0n)
  }
  const code = result === 'STORED' ? 'HD' : result === 'NOT_STORED' ? 'NS' : result === 'EXISTS' ? 'EX' : 'NF'
  if (code === 'HD' && f.noreply) return
  let line = code
  const meta = code === 'HD' ? items.peek(key) : undefined
  for (const t of f.list) {
    if (t[0] === 'c' && meta !== undefined) line += ` c${meta.cas}`
    else line += echoFlag(t, key, f)
  }
  s.out.line(line)
}

/**
 * md's and ma's flags and key: any fault in them is memcached's one "invalid or
 * duplicate flag" error for these two commands.
 */
function flagsAndKey(tokens: string[]): { f: Flags; key: string } {
  try {
    const f = parseFlagTokens(tokens, 2)
    return { f, key: f.binaryKey ? decodeKey(tokens[1]) : tokens[1] }
  } catch (e) {
    if (!(e instanceof MetaError)) throw e
    throw new MetaError('CLIENT_ERROR invalid or duplicate flag')
  }
}

function md(s: Session, tokens: string[]): void {
  const { f, key } = flagsAndKey(tokens)
  const { items, counters } = s.front
  const now = s.front.now
  let code: string
  if (items.value(key) === undefined) {
    counters.delete_misses++
    code = 'NF'
  } else if (f.cas !== null && !casMatches(items.of(key, now), f.cas)) {
    code = 'EX'
  } else if (f.stale) {
    // I: keep the item, marked stale with a new CAS, for one client to recache.
    const meta = items.of(key, now)
    let gone = false
    if (f.ttl !== null) {
      const at = expiryFromExptime(f.ttl, now)
      if (at === -1) gone = true
      else items.touch(key, at)
    }
    meta.stale = true
    meta.tokenSent = false
    meta.cas = items.nextCas()
    // A TTL already past: marked stale, and expired at once.
    if (gone) items.delete(key)
    code = 'HD'
  } else {
    items.delete(key)
    counters.delete_hits++
    code = 'HD'
  }
  if (code === 'HD' && f.noreply) return
  let line = code
  for (const t of f.list) line += echoFlag(t, key, f)
  s.out.line(line)
}

function ma(s: Session, tokens: string[]): void {
  const { f, key } = flagsAndKey(tokens)
  let incr: boolean
  switch (f.mode) {
    case null: case 'I': case 'i': case '+': incr = true; break
    case 'D': case 'd': case '-': incr = false; break
    default: throw new MetaError('CLIENT_ERROR invalid mode for ma M token')
  }
  const { items, counters } = s.front
  const now = s.front.now
  const old = items.value(key)
  let code: string
  let result = ''
  let quiet = false
  let exists = false
  /** A negative N or T: the reply still sees the item, then it is gone. */
  let expireNow = false
  if (old === undefined) {
    if (f.vivify !== null) {
      // N: a miss creates the counter at J (default 0), with N's TTL.
      result = f.initial.toString()
      const at = expiryFromExptime(f.vivify, now)
      items.store(key, result, 0, at === -1 ? 0 : at, false, now)
      expireNow = at === -1
      code = 'HD'
      exists = true
    } else {
      if (incr) counters.incr_misses++
      else counters.decr_misses++
      code = 'NF'
    }
  } else if (f.cas !== null && !casMatches(items.of(key, now), f.cas)) {
    code = 'EX'
  } else {
    const current = numericValue(old)
    if (current === null) throw new MetaError('CLIENT_ERROR cannot increment or decrement non-numeric value')
    if (incr) counters.incr_hits++
    else counters.decr_hits++
    const applied = applyDelta(old, current, f.delta, incr, s.held.has(items.of(key, now).item))
    result = applied.result.toString()
    storeDelta(items, key, old, applied.stored, now)
    code = 'HD'
    quiet = f.noreply
    exists = true
  }
  if (!exists) {
    let line = code
    for (const t of f.list) line += echoFlag(t, key, f)
    s.out.line(line)
    return
  }
  const meta = items.of(key, now)
  let line = f.has.has('v') ? `VA ${result.length}` : 'HD'
  for (const t of f.list) {
    switch (t[0]) {
      case 'c': line += ` c${meta.cas}`; break
      case 't': line += ` t${ttlSeconds(items.db.getExpire(key), now)}`; break
      case 'T': {
        const at = expiryFromExptime(f.ttl!, now)
        if (at === -1) expireNow = true
        else items.touch(key, at)
        break
      }
      case 'O': case 'k': line += echoFlag(t, key, f); break
    }
  }
  // q hides only the reply: T and the rest above still apply.
  if (!quiet) {
    s.out.line(line)
    if (f.has.has('v')) s.out.line(result)
  }
  if (expireNow) items.delete(key)
}

/** me: memcached's debug line for one item (its exp is written as memcached 1.6.18 writes it, negated). */
function me(s: Session, tokens: string[]): void {
  const key = tokens[1]
  const { items } = s.front
  const value = items.value(key)
  if (value === undefined) {
    s.out.line('EN')
    return
  }
  const now = s.front.now
  const meta = items.of(key, now)
  const at = items.db.getExpire(key)
  const exp = at === undefined ? -1 : -ttlSeconds(at, now)
  const la = Math.floor((now - meta.atime) / 1000)
  s.out.line(`ME ${key} exp=${exp} la=${la} cas=${meta.cas} fetch=${meta.fetched ? 'yes' : 'no'} cls=1 size=${itemSize(key.length, value.length)}`)
}
