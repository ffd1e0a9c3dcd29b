import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import * as H from '../store/hyperloglog.js'
import type { StoredValue } from '../store/types.js'
import { Err } from './errors.js'
import { command, everyKey, oneKey, type CommandSpec } from './spec.js'
import { dropNote, note } from './strings.js'

/**
 * PFADD, PFCOUNT, PFMERGE, PFSELFTEST and PFDEBUG over string values in Redis's HLL
 * byte format (store/hyperloglog.ts). Like Redis, a value that is a string but not an
 * HLL answers a WRONGTYPE of its own, and a sparse value whose opcodes do not cover
 * the 16384 registers answers INVALIDOBJ.
 */

const notHll = 'WRONGTYPE Key is not a valid HyperLogLog string value.'
const corrupt = 'INVALIDOBJ Corrupted HLL object detected'

/** isHLLObjectOrReply: the value's bytes, or null after replying with the error. */
function hllOrReply(c: Caller, v: StoredValue): H.Hll | null {
  if (typeof v !== 'string') {
    c.out.error(Err.wrongType)
    return null
  }
  if (!H.isHll(v)) {
    c.out.error(notHll)
    return null
  }
  return H.fromString(v)
}

/**
 * Stores the bytes back; Redis's HLL strings are "raw" objects whatever their size.
 * `quiet` is for PFDEBUG's conversions, which Redis makes without signalling the key
 * as modified (WATCH and client tracking do not hear of them), only counting a change.
 */
function store(c: Caller, key: string, h: H.Hll, created: boolean, quiet = false): void {
  const v = H.toString(h)
  const db = c.db
  if (quiet) {
    db.keys.set(key, v)
    c.server.dirty++
  } else if (created) db.set(key, v)
  else db.replace(key, v)
  if (v.length <= 44) note(db, key, v, 'raw')
  else dropNote(db, key)
}

function sparseMax(c: Caller): number {
  return c.server.config.int('hll-sparse-max-bytes')
}

function pfadd(c: Caller, argv: string[]): void {
  const key = argv[1]
  const v = c.db.get(key)
  let h: H.Hll | null
  let updated = 0
  const created = v === undefined
  if (created) {
    h = H.createHll()
    updated++
  } else {
    if (typeof v === 'string' && H.isHll(v) && v.charCodeAt(4) === H.DENSE && !raisesAny(v, argv)) return c.out.integer(0)
    h = hllOrReply(c, v)
    if (h === null) return
  }
  const max = sparseMax(c)
  for (let i = 2; i < argv.length; i++) {
    const r = H.add(h, argv[i], max)
    if (r === 1) updated++
    else if (r === -1) {
      // Redis changes the value in place: what was added before stays, unannounced.
      if (updated > 0) store(c, key, h, created, !created)
      return c.out.error(corrupt)
    }
  }
  if (updated > 0) {
    H.invalidateCache(h)
    store(c, key, h, created)
    c.notify(Notify.string, 'pfadd', key)
  }
  c.out.integer(updated > 0 ? 1 : 0)
}

/** Whether any element would raise a register of a dense value: PFADD's common "no" costs no copy. */
function raisesAny(v: string, argv: string[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    H.hashElement(argv[i])
    if (H.hashCount > H.denseGetString(v, H.hashIndex)) return true
  }
  return false
}

function pfcount(c: Caller, argv: string[]): void {
  const db = c.db
  if (argv.length > 2) {
    const max = new Uint8Array(H.REGISTERS)
    for (let i = 1; i < argv.length; i++) {
      const v = db.lookupRead(argv[i])
      if (v === undefined) continue
      const h = hllOrReply(c, v)
      if (h === null) return
      if (!H.mergeInto(max, h)) return c.out.error(corrupt)
    }
    return c.out.integer(H.estimate(H.rawHistogram(max)))
  }
  const key = argv[1]
  const v = db.lookupRead(key)
  if (v === undefined) return c.out.integer(0)
  if (typeof v === 'string' && H.isHll(v)) {
    const cached = H.cachedCardinalityOfString(v)
    if (cached !== null) return c.out.integer(cached)
  }
  const h = hllOrReply(c, v)
  if (h === null) return
  const n = H.count(h)
  if (n === null) return c.out.error(corrupt)
  H.setCachedCardinality(h, n)
  store(c, key, h, false)
  c.out.integer(n)
}

function pfmerge(c: Caller, argv: string[]): void {
  const db = c.db
  const max = new Uint8Array(H.REGISTERS)
  let dense = false
  for (let i = 1; i < argv.length; i++) {
    const v = db.lookupRead(argv[i])
    if (v === undefined) continue
    const h = hllOrReply(c, v)
    if (h === null) return
    if (H.encoding(h) === H.DENSE) dense = true
    if (!H.mergeInto(max, h)) return c.out.error(corrupt)
  }
  const key = argv[1]
  const v = db.get(key)
  const created = v === undefined
  // The destination was checked with the sources.
  const h = created ? H.createHll() : H.fromString(v as string)
  if (dense && !H.sparseToDense(h)) {
    if (created) store(c, key, h, true)
    return c.out.error(corrupt)
  }
  const limit = sparseMax(c)
  for (let j = 0; j < H.REGISTERS; j++) {
    if (max[j] !== 0) H.setRegister(h, j, max[j], limit)
  }
  H.invalidateCache(h)
  store(c, key, h, created)
  // Redis reports a PFMERGE as a "pfadd": a mass add of elements.
  c.notify(Notify.string, 'pfadd', key)
  c.out.simple('OK')
}

function pfdebug(c: Caller, argv: string[]): void {
  const sub = argv[1]
  const key = argv[2]
  const v = c.db.get(key)
  if (v === undefined) return c.out.error('ERR The specified key does not exist')
  const h = hllOrReply(c, v)
  if (h === null) return
  switch (sub.toLowerCase()) {
    case 'getreg': {
      if (H.encoding(h) === H.SPARSE) {
        if (!H.sparseToDense(h)) return c.out.error(corrupt)
        store(c, key, h, false, true)
      }
      c.out.array(H.REGISTERS)
      for (let i = 0; i < H.REGISTERS; i++) c.out.integer(H.denseGet(h.bytes, i))
      return
    }
    case 'decode':
      if (H.encoding(h) !== H.SPARSE) return c.out.error('ERR HLL encoding is not sparse')
      return c.out.bulk(H.decode(h))
    case 'encoding':
      return c.out.simple(H.encoding(h) === H.DENSE ? 'dense' : 'sparse')
    case 'todense': {
      if (H.encoding(h) !== H.SPARSE) return c.out.integer(0)
      if (!H.sparseToDense(h)) return c.out.error(corrupt)
      store(c, key, h, false, true)
      return c.out.integer(1)
    }
    default:
      return c.out.error(`ERR Unknown PFDEBUG subcommand '${sub}'`)
  }
}

/**
 * PFSELFTEST: checks that the dense and sparse encodings agree register by register
 * and with the estimate after random additions, as Redis's self test does in spirit.
 */
function pfselftest(c: Caller): void {
  const failed = H.selfTest()
  if (failed !== null) return c.out.error(`ERR TESTFAILED ${failed}`)
  c.out.simple('OK')
}

export const hyperloglogCommands: CommandSpec[] = [
  command({
    name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], ...oneKey, keyFlags: ['RW', 'insert'],
    group: 'hyperloglog', since: '2.8.9', complexity: 'O(1) to add every element.',
    summary: 'Adds the specified elements to the specified HyperLogLog.', syntax: 'key [element [element ...]]',
    handler: pfadd,
  }),
  command({
    name: 'pfcount', arity: -2, flags: ['readonly'], ...everyKey, keyFlags: ['RW', 'access'],
    keyNotes: 'RW because it may change the internal representation of the key, and propagate to replicas',
    group: 'hyperloglog', since: '2.8.9',
    complexity: 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
    summary: 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).',
    syntax: 'key [key ...]', handler: pfcount,
  }),
  command({
    name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], ...everyKey,
    keySpecs: [
      { flags: ['RW', 'access', 'insert'], begin: { index: 1 }, range: [0, 1, 0] },
      { flags: ['RO', 'access'], begin: { index: 2 }, range: [-1, 1, 0] },
    ],
    group: 'hyperloglog', since: '2.8.9', complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.',
    summary: 'Merge N different HyperLogLogs into a single one.', syntax: 'destkey sourcekey [sourcekey ...]',
    handler: pfmerge,
  }),
  command({
    name: 'pfselftest', arity: 1, flags: ['admin'], group: 'hyperloglog', since: '2.8.9', complexity: 'N/A', docFlags: ['syscmd'],
    summary: 'An internal command for testing HyperLogLog values', syntax: '', handler: pfselftest,
  }),
  command({
    name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], firstKey: 2, lastKey: 2, step: 1,
    keyFlags: ['RW', 'access'], group: 'hyperloglog', since: '2.8.9', complexity: 'N/A', docFlags: ['syscmd'],
    summary: 'Internal commands for debugging HyperLogLog values', syntax: 'subcommand key', handler: pfdebug,
  }),
]
