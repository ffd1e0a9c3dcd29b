import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { bulkText, elements, historyOf, ReplyConnection, rng, sortedReply, withConnections, type Failure } from '../helpers/differential.js'
import { useRespite, useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool, redisBenchmark } from '../helpers/servers.js'

/**
 * Seeded random sequences of every hash and set command and SORT, with plenty of
 * invalid input and wrong types, sent to respite and to a real redis-server.
 *
 * Deterministic replies must match byte for byte; those whose order Redis leaves
 * open (SMEMBERS, HGETALL, SINTER...) after sorting. Random ones (SPOP, SRANDMEMBER,
 * HRANDFIELD) must match in shape and size, and respite's picks are checked for
 * membership; after an SPOP both servers are reset to Redis's remaining members so
 * the sequences stay comparable.
 */

const skipRedis = missingTool('redis-server')
const skipBenchmark = missingTool('redis-benchmark')
/** The server redis-benchmark runs against; the differential tests start their own. */
const { respite } = await useRespite({ flush: false })

const HASHES = ['h1', 'h2', 'h3']
const SETS = ['s1', 's2', 's3', 's4']
const OTHERS = ['str', 'lst', 'nokey']
const LONG = 'L'.repeat(65)
const FIELDS = ['a', 'b', 'c', 'd', 'f0', 'f1', '', '\x00bin', '\xff\r\n', LONG]
const VALUES = ['1', '-3', '0', '10', '3.5', '1e3', 'abc', '', '9223372036854775807', '-9223372036854775808', ' 2', 'v'.repeat(70)]
const MEMBERS = ['1', '2', '3', '-1', '100', '0', '7', 'a', 'b', 'c', 'x', '01', ' 1', '9223372036854775808', '', '\xff\x00z']
const COUNTS = ['0', '1', '2', '3', '5', '10', '-1', '-2', '-5', '-20', '100', 'x', '01', '1.5', '',
  '9223372036854775807', '-9223372036854775808', '4611686018427387904']
const INCRS = ['1', '-1', '5', '0', '100', '-9223372036854775808', '9223372036854775807', 'x', '1.5', '']
const FLOAT_INCRS = ['1', '0.1', '-0.3', '1.5e-3', '1e20', '-2', 'inf', 'nan', 'x', '', '3.0e3', '0x10']
const PATTERNS = ['*', 'a*', '?', '[ab]*', '*1', '\\*', 'x']

function generate(seed: number, length: number): string[][] {
  const r = rng(seed)
  const hash = () => (r.chance(0.9) ? r.pick(HASHES) : r.pick(OTHERS))
  const set = () => (r.chance(0.88) ? r.pick(SETS) : r.pick(OTHERS))
  const field = () => r.pick(FIELDS)
  const fields = () => Array.from({ length: 1 + r.int(4) }, field)
  const member = () => (r.chance(0.6) ? String(r.int(12) - 2) : r.pick(MEMBERS))
  const members = () => Array.from({ length: 1 + r.int(5) }, member)
  const count = () => (r.chance(0.6) ? String(r.int(9) - 3) : r.pick(COUNTS))
  const scanOptions = () => {
    const opts: string[] = []
    if (r.chance(0.4)) opts.push(r.pick(['MATCH', 'match']), r.pick(PATTERNS))
    // COUNT 1000 takes a whole (test-sized) collection in one step on both servers.
    if (r.chance(0.5)) opts.push('COUNT', r.chance(0.9) ? '1000' : r.pick(['0', '-1', 'x']))
    if (r.chance(0.04)) opts.push(r.pick(['MATCH', 'NOVALUES', 'TYPE']))
    return opts
  }
  const cmds: string[][] = [['SET', 'str', 'text'], ['RPUSH', 'lst', '3', '1', '2'], ['ZADD', 'zs', '2', '10', '1', 'b', '3', '-4']]
  while (cmds.length < length) {
    switch (r.int(36)) {
      case 0: case 1: case 2: {
        const cmd = [r.pick(['HSET', 'hset', 'HMSET']), hash()]
        for (let n = 1 + r.int(3); n > 0; n--) cmd.push(field(), r.pick(VALUES))
        if (r.chance(0.05)) cmd.pop()
        cmds.push(cmd)
        break
      }
      case 3:
        cmds.push(['HSETNX', hash(), field(), r.pick(VALUES)])
        break
      case 4:
        cmds.push(['HGET', hash(), field()])
        break
      case 5:
        cmds.push(['HMGET', hash(), ...fields()])
        break
      case 6:
        cmds.push(['HDEL', hash(), ...fields()])
        break
      case 7:
        cmds.push([r.pick(['HEXISTS', 'HSTRLEN']), hash(), field()])
        break
      case 8:
        cmds.push([r.pick(['HLEN', 'HKEYS', 'HVALS', 'HGETALL']), hash()])
        break
      case 9:
        cmds.push(['HINCRBY', hash(), field(), r.chance(0.7) ? String(r.int(20) - 10) : r.pick(INCRS)])
        break
      case 10:
        cmds.push(['HINCRBYFLOAT', hash(), field(), r.pick(FLOAT_INCRS)])
        break
      case 11: {
        const cmd = ['HRANDFIELD', hash()]
        if (r.chance(0.8)) cmd.push(count())
        if (cmd.length === 3 && r.chance(0.5)) cmd.push(r.pick(['WITHVALUES', 'withvalues', 'WITHVALUES', 'FOO']))
        if (r.chance(0.03)) cmd.push('x')
        cmds.push(cmd)
        break
      }
      case 12:
        cmds.push(['HSCAN', hash(), r.chance(0.9) ? '0' : r.pick(['x', '', '+0', '1 ']), ...scanOptions()])
        break
      case 13: case 14: case 15:
        cmds.push([r.pick(['SADD', 'sadd']), set(), ...members()])
        break
      case 16:
        cmds.push(['SREM', set(), ...members()])
        break
      case 17:
        cmds.push([r.pick(['SMEMBERS', 'SCARD']), set()])
        break
      case 18:
        cmds.push(['SISMEMBER', set(), member()])
        break
      case 19:
        cmds.push(['SMISMEMBER', set(), ...members()])
        break
      case 20: {
        const cmd = [r.pick(['SPOP', 'SRANDMEMBER', 'SRANDMEMBER']), set()]
        if (r.chance(0.7)) cmd.push(count())
        if (r.chance(0.03)) cmd.push('1')
        cmds.push(cmd)
        break
      }
      case 21:
        // 'str' and 'lst' keep their types, so SORT on them stays comparable.
        cmds.push(['SMOVE', set(), r.chance(0.9) ? r.pick(SETS) : 'str', member()])
        break
      case 22: case 23:
        cmds.push([r.pick(['SINTER', 'SUNION', 'SDIFF']), ...Array.from({ length: 1 + r.int(3) }, set)])
        break
      case 24:
        cmds.push([r.pick(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), r.chance(0.8) ? r.pick(SETS) : 'dst',
          ...Array.from({ length: 1 + r.int(3) }, set)])
        break
      case 25: {
        const n = 1 + r.int(3)
        const cmd = ['SINTERCARD', r.chance(0.9) ? String(n) : r.pick(COUNTS), ...Array.from({ length: n }, set)]
        if (r.chance(0.4)) cmd.push('LIMIT', r.chance(0.8) ? String(r.int(4)) : r.pick(COUNTS))
        if (r.chance(0.05)) cmd.push(r.pick(['LIMIT', 'FOO']))
        cmds.push(cmd)
        break
      }
      case 26:
        cmds.push(['SSCAN', set(), r.chance(0.9) ? '0' : r.pick(['x', '', '+0', '-']), ...scanOptions()])
        break
      case 27: case 28:
        cmds.push(sortCommand(r))
        break
      case 29:
        cmds.push(['OBJECT', 'ENCODING', r.chance(0.5) ? hash() : set()])
        break
      case 30:
        cmds.push([r.pick(['TYPE', 'EXISTS']), r.chance(0.5) ? hash() : set()])
        break
      case 31:
        if (r.chance(0.6)) cmds.push(['DEL', r.pick([...HASHES, ...SETS, 'nokey'])])
        else cmds.push(['SET', r.pick([...HASHES, ...SETS]), 'text'])
        break
      case 32: {
        // Grow past the listpack/intset limits now and then.
        if (r.chance(0.5)) {
          const cmd = ['HSET', r.pick(HASHES)]
          for (let i = 0; i < 515; i++) cmd.push(`bulk${i}`, String(i))
          cmds.push(cmd)
        } else {
          cmds.push(['SADD', r.pick(SETS), ...Array.from({ length: 520 }, (_, i) => String(i * 3))])
        }
        break
      }
      case 33:
        if (r.chance(0.8)) cmds.push(['SET', `w_${member()}`, r.pick(['1', '-2', '10', '3.5', 'abc', ''])])
        else cmds.push(['ZADD', 'zs', String(r.int(7) - 3), member()])
        break
      case 34:
        cmds.push(['HSET', `hw_${member()}`, 'f', r.pick(['5', '-1', 'zz', 'a'])])
        break
      case 35:
        // Arity errors, checked by the dispatcher with each command's own name.
        cmds.push(r.pick([['HSET', 'h1', 'a'], ['HGET', 'h1'], ['HRANDFIELD'], ['SADD', 's1'], ['SMOVE', 's1', 's2'],
          ['SINTERCARD', '1'], ['SSCAN', 's1'], ['HSCAN', 'h1'], ['SORT'], ['SPOP'], ['HINCRBYFLOAT', 'h1', 'a']]))
        break
    }
  }
  // End with the whole state, so a silent divergence still shows.
  for (const k of HASHES) cmds.push(['TYPE', k], ['HGETALL', k], ['OBJECT', 'ENCODING', k])
  for (const k of SETS) cmds.push(['TYPE', k], ['SMEMBERS', k], ['OBJECT', 'ENCODING', k])
  return cmds
}

function sortCommand(r: ReturnType<typeof rng>): string[] {
  // Lists and sorted sets have an order of their own (kept by BY nosort) that both
  // servers share; sets and sorted sets load in hash order before sorting.
  const onList = r.chance(0.35)
  const onZset = !onList && r.chance(0.2)
  // ('nokey' may have become a set by now.)
  const key = onList ? r.pick(['lst', 'lst', 'str']) : onZset ? 'zs' : r.pick([...SETS, 'nokey'])
  const cmd = [r.chance(0.8) ? 'SORT' : 'SORT_RO', key]
  const alpha = r.chance(0.4)
  let by: string | null = null
  if (r.chance(0.4)) {
    // A BY without '*' keeps the native order: only deterministic for lists and sorted sets.
    by = onList || onZset ? r.pick(['w_*', 'hw_*->f', 'nosort']) : r.pick(['w_*', 'w_*', 'hw_*->f'])
    // Equal BY values in ALPHA order stay in load order, which only lists share.
    if (alpha && !onList) by = null
  }
  if (by !== null) cmd.push('BY', by)
  // pqsort (BY with a narrowing LIMIT) may order ties differently; no ties without ALPHA BY.
  if (r.chance(0.4) && !(alpha && by !== null)) {
    cmd.push('LIMIT', r.chance(0.8) ? String(r.int(5) - 1) : r.pick(['x', '9223372036854775807']), String(r.int(6) - 1))
  }
  for (let n = r.chance(0.4) ? 1 + r.int(2) : 0; n > 0; n--) cmd.push('GET', r.pick(['#', 'w_*', 'hw_*->f', 'nostar', 'hw_*->']))
  if (r.chance(0.3)) cmd.push(r.pick(['ASC', 'DESC', 'desc']))
  if (alpha) cmd.push(r.pick(['ALPHA', 'alpha']))
  if (r.chance(0.25)) cmd.push('STORE', r.pick(['dst', 's1']))
  if (r.chance(0.03)) cmd.push(r.pick(['LIMIT', 'FOO', 'BY']))
  return cmd
}

const UNORDERED = new Set(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'HKEYS', 'HVALS'])
const RANDOM = new Set(['SPOP', 'SRANDMEMBER', 'HRANDFIELD'])

/** Sorts the element list of a SCAN reply (pairs kept together for HSCAN). */
function sortScan(reply: string, pairs: boolean): string {
  if (reply[0] !== '*') return reply
  const { header, items } = elements(reply)
  return header + items[0] + sortedReply(items[1], pairs)
}

/**
 * A hashtable-sized collection is scanned in steps whose cursors and batches are each
 * server's own: when either side is not finished, its batch must be part of what the
 * other returned (or both unfinished).
 */
function compareScans(ra: string, rb: string): boolean {
  if (ra[0] !== '*' || rb[0] !== '*') return ra === rb
  const a = elements(ra).items
  const b = elements(rb).items
  const doneA = a[0] === '$1\r\n0\r\n'
  const doneB = b[0] === '$1\r\n0\r\n'
  if (doneA && doneB) return sortedReply(a[1]) === sortedReply(b[1])
  if (!doneA && !doneB) return true
  const [part, whole] = doneA ? [b[1], a[1]] : [a[1], b[1]]
  const all = new Set(elements(whole).items)
  return elements(part).items.every((x) => all.has(x))
}

function normalize(args: string[], reply: string, proto: 2 | 3): string {
  const name = args[0].toUpperCase()
  if (UNORDERED.has(name)) return sortedReply(reply)
  if (name === 'HGETALL') return sortedReply(reply, proto === 2)
  if (name === 'SSCAN' || name === 'HSCAN') return sortScan(reply, name === 'HSCAN')
  return reply
}

/**
 * Runs the sequence on both servers. Random commands are checked against respite's
 * own state just before them, which equals Redis's while everything else matches.
 */
function runSequence(respitePort: number, redisPort: number, cmds: string[][], proto: 2 | 3): Promise<Failure | null> {
  return withConnections(respitePort, redisPort, proto, async (a, b) => {
    for (let i = 0; i < cmds.length; i++) {
      const args = cmds[i]
      const name = args[0].toUpperCase()
      if (RANDOM.has(name) && args.length >= 2) {
        const why = await checkRandom(a, b, args, proto)
        if (why !== null) return { index: i, args, respite: '', redis: '', why, history: historyOf(cmds, i, 40) }
        continue
      }
      let ra = await a.call(args)
      let rb = await b.call(args)
      if ((name === 'SSCAN' || name === 'HSCAN') && compareScans(ra, rb)) continue
      ra = normalize(args, ra, proto)
      rb = normalize(args, rb, proto)
      if (ra !== rb) return { index: i, args, respite: ra, redis: rb, why: 'replies differ', history: historyOf(cmds, i, 40) }
    }
    return null
  })
}

/** Members (set) or field → value (hash) of a key on respite, or null for another type. */
async function snapshot(conn: ReplyConnection, key: string): Promise<Map<string, string> | null> {
  const type = bulkText((await conn.call(['TYPE', key])).replace(/^\+/, '$0\r\n')) ?? ''
  const result = new Map<string, string>()
  if (type.endsWith('set')) {
    for (const f of elements(await conn.call(['SMEMBERS', key])).items) result.set(bulkText(f)!, '')
  } else if (type.endsWith('hash')) {
    const items = elements(await conn.call(['HGETALL', key])).items
    for (let i = 0; i < items.length; i += 2) result.set(bulkText(items[i])!, bulkText(items[i + 1])!)
  } else if (!type.endsWith('none')) {
    return null
  }
  return result
}

async function checkRandom(a: ReplyConnection, b: ReplyConnection, args: string[], proto: 2 | 3): Promise<string | null> {
  const name = args[0].toUpperCase()
  const key = args[1]
  const before = await snapshot(a, key)
  const ra = await a.call(args)
  const rb = await b.call(args)
  // Errors and nils are deterministic.
  if (/^[-_]|^\$-1|^\*-1/.test(ra) || /^[-_]|^\$-1|^\*-1/.test(rb)) return ra === rb ? null : `got ${JSON.stringify(ra)}, redis ${JSON.stringify(rb)}`
  if (ra[0] !== rb[0]) return `reply types differ: ${JSON.stringify(ra)} vs ${JSON.stringify(rb)}`
  const content = before ?? new Map<string, string>()
  let picked: string[]
  if (ra[0] === '$') {
    picked = [bulkText(ra)!]
  } else {
    const ea = elements(ra)
    if (ea.header !== elements(rb).header) return `sizes differ: ${JSON.stringify(ra)} vs ${JSON.stringify(rb)}`
    const withValues = args.length === 4 && args[3].toUpperCase() === 'WITHVALUES'
    picked = []
    if (withValues && proto === 3) {
      for (const pair of ea.items) {
        const [f, v] = elements(pair).items.map((x) => bulkText(x)!)
        if (content.get(f) !== v) return `pair ${f}=${v} is not in the hash`
        picked.push(f)
      }
    } else if (withValues) {
      for (let i = 0; i < ea.items.length; i += 2) {
        const f = bulkText(ea.items[i])!
        if (content.get(f) !== bulkText(ea.items[i + 1])) return `pair ${f} does not match the hash`
        picked.push(f)
      }
    } else {
      picked = ea.items.map((x) => bulkText(x)!)
    }
    const distinct = name === 'SPOP' || !args[2].startsWith('-')
    if (distinct && new Set(picked).size !== picked.length) return `repeated picks in ${JSON.stringify(ra)}`
  }
  for (const p of picked) if (!content.has(p)) return `${JSON.stringify(p)} was not in ${key}`
  if (name === 'SPOP') {
    const after = await snapshot(a, key)
    for (const p of picked) if (after?.has(p)) return `${JSON.stringify(p)} is still in ${key} after SPOP`
    if ((after?.size ?? 0) !== content.size - picked.length) return 'SPOP removed the wrong number of members'
    // Bring both servers to Redis's remaining members, rebuilt alike.
    const remaining = elements(await b.call(['SMEMBERS', key])).items.map((x) => bulkText(x)!)
    for (const conn of [a, b]) {
      await conn.call(['DEL', key])
      if (remaining.length > 0) await conn.call(['SADD', key, ...remaining])
    }
  }
  return null
}

describe.skipIf(skipRedis !== null)('differential: HSET HSETNX HMSET HGET HMGET HDEL HEXISTS HLEN HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HSTRLEN HRANDFIELD HSCAN SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SINTERCARD SSCAN SORT SORT_RO', () => {
  const servers = useRespiteAndRedis()

  for (const proto of [2, 3] as const) {
    it(`matches redis-server on seeded random sequences (RESP${proto})`, async () => {
      for (const seed of [21, 22, 23, 24, 25, 26]) {
        const cmds = generate(seed * proto, 600)
        const failure = await runSequence(servers.respite.port, servers.redis.port, cmds, proto)
        expect(failure, `seed ${seed * proto}`).toBeNull()
      }
    })
  }

  it('matches redis-server on hand-picked SORT cases (RESP2 and RESP3)', async () => {
    const cmds: string[][] = [
      ['RPUSH', 'l', '3', '1', '2', '10', '-5'],
      ['MSET', 'w_3', '30', 'w_1', '10', 'w_2', '-1'],
      ['HSET', 'h_3', 'f', 'c'], ['HSET', 'h_10', 'f', 'a'],
      ['SORT', 'l'], ['SORT', 'l', 'DESC'], ['SORT', 'l', 'ALPHA'], ['SORT', 'l', 'LIMIT', '1', '2'],
      ['SORT', 'l', 'LIMIT', '-1', '2'], ['SORT', 'l', 'LIMIT', '1', '-1'], ['SORT', 'l', 'LIMIT', '10', '2'],
      ['SORT', 'l', 'LIMIT', '0', '0'], ['SORT', 'l', 'LIMIT', 'x', '1'], ['SORT', 'l', 'LIMIT', '1'],
      ['SORT', 'l', 'BY', 'nosort'], ['SORT', 'l', 'BY', 'nosort', 'DESC'], ['SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'],
      ['SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '4', '10'], ['SORT', 'l', 'STORE'], ['SORT', 'l', 'FOO'],
      ['SORT', 'l', 'BY', 'w_*'], ['SORT', 'l', 'BY', 'w_*', 'DESC'], ['SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*'],
      ['SORT', 'l', 'GET', 'h_*->f'], ['SORT', 'l', 'GET', 'h_*->'], ['SORT', 'l', 'GET', 'nostar'],
      ['SORT', 'l', 'BY', 'h_*->f', 'ALPHA'], ['SORT', 'l', 'BY', 'h_*->f'], ['SORT', 'l', 'BY', 'h_*->f', 'ALPHA', 'DESC'],
      ['SORT', 'l', 'STORE', 'dst'], ['LRANGE', 'dst', '0', '-1'], ['SORT', 'l', 'GET', 'h_*->f', 'STORE', 'dst'],
      ['LRANGE', 'dst', '0', '-1'], ['SORT', 'nokey', 'STORE', 'dst'], ['EXISTS', 'dst'], ['SORT', 'nokey'],
      ['RPUSH', 'bad', 'a', '1', 'b'], ['SORT', 'bad'], ['SORT', 'bad', 'ALPHA'], ['SORT', 'bad', 'BY', 'nosort'],
      ['SORT', 'bad', 'STORE', 'dst'], ['SET', 'str', 'x'], ['SORT', 'str'], ['SORT', 'str', 'LIMIT', 'x', '1'],
      ['SORT_RO', 'l', 'STORE', 'dst'], ['SORT_RO', 'l', 'DESC', 'ALPHA', 'LIMIT', '0', '2'],
      ['SADD', 's', '5', '3', '9', '1'], ['SORT', 's', 'BY', 'nosort'], ['SORT', 's', 'BY', 'nosort', 'DESC'],
      ['SORT', 's', 'BY', 'nosort', 'LIMIT', '1', '2'], ['SORT', 's', 'BY', 'nosort', 'STORE', 'dst'], ['LRANGE', 'dst', '0', '-1'],
      ['SADD', 'hs', 'b', 'a', 'c', '10', '9'], ['SORT', 'hs', 'BY', 'nosort', 'STORE', 'dst'], ['LRANGE', 'dst', '0', '-1'],
      ['SORT', 'hs', 'ALPHA', 'DESC', 'LIMIT', '1', '3'], ['SORT', 'hs'],
      ['RPUSH', 'sp', ' 1', '', '0x10', 'inf', '-inf', '+5', '.5', '5.', '\t1', '-0', '00012', '0x1.8p1'], ['SORT', 'sp'],
      ['RPUSH', 'e1', '1e'], ['SORT', 'e1'], ['RPUSH', 'e2', '1 '], ['SORT', 'e2'], ['RPUSH', 'e3', 'nan'], ['SORT', 'e3'],
      ['RPUSH', 'e4', '0x'], ['SORT', 'e4'], ['SORT', 'e4', 'ALPHA'],
      ['SORT', 'l', 'LIMIT', '2', '9223372036854775807'], ['SORT', 'l', 'LIMIT', '9223372036854775807', '9223372036854775807'],
      ['SORT', 'l', 'ASC', 'DESC', 'ASC'], ['SORT', 'l', 'ALPHA', 'ALPHA', 'BY', 'nosort', 'BY', 'w_*'],
      ['SORT', 'l', 'BY', 'w_*', 'GET', '#', 'STORE', 'dst', 'GET', 'w_*'], ['LRANGE', 'dst', '0', '-1'],
      ['SET', 'dst', 'x', 'EX', '100'], ['SORT', 'l', 'STORE', 'dst'], ['TTL', 'dst'],
      ['RPUSH', 'bin', 'b\x00z', 'b\x00a', 'b', '\xff', 'a'], ['SORT', 'bin', 'ALPHA'], ['SORT', 'bin', 'ALPHA', 'STORE', 'dst'],
      ['LRANGE', 'dst', '0', '-1'],
      ['ZADD', 'z', '5', 'x', '1', 'y', '3', 'z', '2', 'q'], ['OBJECT', 'ENCODING', 'z'], ['SORT', 'z', 'BY', 'nosort'],
      ['SORT', 'z', 'BY', 'nosort', 'DESC'], ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '1', '2'],
      ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'], ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '3', '9'],
      ['SORT', 'z', 'ALPHA'], ['SORT', 'z'], ['SORT', 'z', 'BY', 'nosort', 'STORE', 'dst'], ['LRANGE', 'dst', '0', '-1'],
      ['OBJECT', 'ENCODING', 'z'], ['ZADD', 'zn', '1', '10', '2', '9', '3', '-1'], ['SORT_RO', 'zn'], ['OBJECT', 'ENCODING', 'zn'],
      ['SORT', 'zn', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*'],
    ]
    for (const proto of [2, 3] as const) {
      const failure = await runSequence(servers.respite.port, servers.redis.port, cmds, proto)
      expect(failure, `RESP${proto}`).toBeNull()
    }
  })
})

/**
 * Past 128 entries a deleted field or member keeps its entry for a while (so one
 * deleted and set over and over does not slow every lookup of it; see
 * store/tombstone-map.ts). A listpack hash must still put a field set again at the
 * end, as Redis's listpack does, and nothing else may show.
 */
describe.skipIf(skipRedis !== null)('differential: fields and members deleted and set again in big collections', () => {
  const servers = useRespiteAndRedis()

  it('HGETALL keeps listpack order; HLEN, SCARD, ZCARD, SMEMBERS and ZRANGE agree', async () => {
    const clients = [new Redis(servers.respite.port, '127.0.0.1'), new Redis(servers.redis.port, '127.0.0.1')]
    try {
      const replies = await Promise.all(clients.map(async (c) => {
        const out: unknown[] = []
        for (const [key, n] of [['lp', 300], ['ht', 700]] as const) {
          await c.hset(key, Object.fromEntries(Array.from({ length: n }, (_, i) => ['f' + i, 'v' + i])))
          await c.sadd('s' + key, ...Array.from({ length: n }, (_, i) => 'm' + i))
          await c.zadd('z' + key, ...Array.from({ length: n }, (_, i) => [String(i), 'm' + i]).flat())
          for (let round = 0; round < 50; round++) {
            const f = 'f' + ((round * 7) % 40)
            out.push(await c.hdel(key, f), await c.hset(key, f, 'r' + round), await c.hdel(key, 'f' + (100 + round)))
            out.push(await c.srem('s' + key, 'm' + (round % 9)), await c.sadd('s' + key, 'm' + (round % 9), 'new' + round))
            out.push(await c.zrem('z' + key, 'm' + (round % 9)), await c.zadd('z' + key, String(round), 'm' + (round % 9)))
          }
          out.push(await c.object('ENCODING', key), await c.hlen(key), await c.scard('s' + key), await c.zcard('z' + key))
          const all = await c.hgetall(key)
          out.push(key === 'lp' ? Object.entries(all) : Object.entries(all).sort())
          out.push((await c.smembers('s' + key)).sort(), await c.zrange('z' + key, '0', '-1', 'WITHSCORES'))
        }
        return out
      }))
      expect(replies[0]).toEqual(replies[1])
    } finally {
      for (const c of clients) c.disconnect()
    }
  })
})

describe.skipIf(skipBenchmark !== null)('redis-benchmark SADD, HSET, SPOP', () => {
  for (const pipeline of ['1', '16']) {
    it(`completes -t sadd,hset,spop -n 20000 at -P ${pipeline}`, async () => {
      const output = await redisBenchmark(respite.port, ['-t', 'sadd,hset,spop', '-n', '20000', '-P', pipeline])
      expect(output.code).toBe(0)
      const lines = output.output.split(/[\r\n]+/).filter((l) => l.includes('requests per second'))
      expect(lines.map((l) => l.split(':')[0].trim())).toEqual(['SADD', 'HSET', 'SPOP'])
      const db = respite.server.store.db(0)
      expect(db.get('myhash')?.constructor.name).toBe('HashValue')
      // SPOP ran as often as SADD on the one shared set: it may end empty or small.
      expect(db.get('myset') === undefined || db.get('myset')?.constructor.name === 'SetValue').toBe(true)
    })
  }
})
