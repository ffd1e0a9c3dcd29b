import { beforeAll, describe, expect, it } from 'vitest'
import { ReplyConnection, elements, rng, sortedReply, withConnections } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * String and key-space commands against a real redis-server, byte for byte, in RESP2
 * and RESP3: a fixed list of edge cases, INCRBYFLOAT over many number pairs, and
 * seeded random sequences of every command (replay a failure by its seed).
 *
 * Excluded or normalised, because they are nondeterministic by design:
 * - RANDOMKEY's choice (only nil versus some key is compared);
 * - SCAN cursor numbers (a full iteration's set of keys is compared instead);
 * - KEYS order (sorted before comparing);
 * - TTL and PTTL of keys with a real expiry (only -2, -1 or "positive" compared), and
 *   EXPIRETIME and PEXPIRETIME when a relative expiry (EX, PX, EXPIRE...) may have set
 *   them, as the two servers read their clocks at different moments;
 * - OBJECT IDLETIME (Redis's LRU clock ticks in seconds), and OBJECT ENCODING of
 *   collections, which belongs to the collection types' own tests.
 * GT and LT are only combined with absolute times, because comparing two relative
 * expiries depends on how many milliseconds passed between the commands.
 */

const skip = missingTool('redis-server')

type Step = { kind: 'call'; args: string[] } | { kind: 'scan'; options: string[] }

const KEYS = ['a', 'b', 'c', 'd', '{t}e', 'x:1']
const VALUES = ['0', '1', '-1', '10', '42', '9999', '10000', '9223372036854775806', '-9223372036854775807', '1.5', '0.1',
  'abc', '', 'x'.repeat(44), 'y'.repeat(50), '3.0e3', '1e300', ' 1', '01', '\x00\xff\r\n', '12345678901234567890', 'inf', '-0']
const INTS = ['0', '1', '-1', '5', '100', '-100', '9223372036854775807', '-9223372036854775808', '9223372036854775808', 'x', '1.5', ' 2']
const FLOATS = ['0.1', '1', '-1.5', '1e10', '2.5e-3', 'abc', 'inf', '-inf', '0x10', '5.0e3', '-0', '1e-20', '123456789.123456789',
  '.5', '5.', '1e4933', '']
const INDEXES = ['0', '1', '2', '-1', '-3', '10', '-100', '100', '9223372036854775807', '-9223372036854775808', 'x']
/** Relative expiries, in seconds and in ms: long enough never to fire during a test. */
const REL_SECONDS = ['100', '200', '1000', '5000', '0', '-1', 'abc', '9223372036854775807', '9223370399119966']
const REL_MS = ['100000', '200000', '1000000', '0', '-1', 'abc', '9223372036854770000']
/** Absolute expiries: fixed, so both servers store the same times; some past. */
const ABS_SECONDS = ['1', '100', '2000000000', '2100000000', '4102444800', '9223372036854775', '-5']
const ABS_MS = ['1', '2000000000000', '2000000000001', '4102444800000', '9223372036854770000', '-9223372036854770000']

/** A generator of random commands; `absoluteOnly` keeps expiry times exact on both sides. */
function generate(seed: number, count: number, absoluteOnly: boolean, collections: string[][]): Step[] {
  const r = rng(seed)
  const key = () => r.pick(KEYS)
  const value = () => r.pick(VALUES)
  const steps: Step[] = []
  const call = (...args: string[]) => steps.push({ kind: 'call', args })
  const conditional = () => (r.chance(0.5) ? [] : [r.pick(['NX', 'XX', 'GT', 'LT', 'nx', 'FOO'])])
  const futureAbs = () => r.pick(['EXAT', 'PXAT']) === 'EXAT'
    ? ['EXAT', r.pick(['2000000000', '4102444800', '9223372036854775'])]
    : ['PXAT', r.pick(['2000000000123', '4102444800000', '9223372036854775807'])]
  const expiryOption = (): string[] => {
    if (absoluteOnly || r.chance(0.4)) return futureAbs()
    return r.pick([['EX', '100'], ['ex', '5000'], ['PX', '100000'], ['PX', '5000000'], ['EX', '0'], ['PX', '-1'], ['EX', 'abc']])
  }
  for (let i = 0; i < count; i++) {
    const k = key()
    switch (r.int(40)) {
      case 0: case 1: {
        const opts: string[] = []
        for (let n = r.int(4); n > 0; n--) {
          const o = r.int(6)
          if (o === 0) opts.push(r.pick(['NX', 'XX']))
          else if (o === 1) opts.push('GET')
          else if (o === 2) opts.push('KEEPTTL')
          else if (o === 3) opts.push(...expiryOption())
          else if (o === 4 && r.chance(0.2)) opts.push(r.pick(['PERSIST', 'EX', 'FOO']))
          else opts.push(...expiryOption())
        }
        call('SET', k, value(), ...opts)
        break
      }
      case 2: call('GET', k); break
      case 3: call('SETNX', k, value()); break
      case 4: call(r.pick(['SETEX', 'PSETEX']), k, absoluteOnly ? r.pick(['0', '-5', 'x']) : r.pick(['1000', '2000000', '0', 'x']), value()); break
      case 5: call('GETSET', k, value()); break
      case 6: call('GETDEL', k); break
      case 7: {
        const o = r.int(5)
        if (o === 0) call('GETEX', k)
        else if (o === 1) call('GETEX', k, 'PERSIST')
        else if (o === 2) call('GETEX', k, r.pick(['EXAT', 'PXAT']), r.pick(['1', '2000000000', '4102444800000', '0']))
        else if (o === 3 && !absoluteOnly) call('GETEX', k, r.pick(['EX', 'PX']), r.pick(['1000000', '0', 'x']))
        else call('GETEX', k, r.pick(['PERSIST', 'EXAT', 'NX', 'KEEPTTL']), ...(r.chance(0.5) ? ['10'] : []))
        break
      }
      case 8: call('MSET', k, value(), key(), value()); break
      case 9: call('MSETNX', k, value(), key(), value()); break
      case 10: call('APPEND', k, value()); break
      case 11: call('STRLEN', k); break
      case 12: call(r.pick(['INCR', 'DECR']), k); break
      case 13: call(r.pick(['INCRBY', 'DECRBY']), k, r.pick(INTS)); break
      case 14: call('INCRBYFLOAT', k, r.pick(FLOATS)); break
      case 15: call(r.pick(['GETRANGE', 'SUBSTR']), k, r.pick(INDEXES), r.pick(INDEXES)); break
      case 16: call('SETRANGE', k, r.pick(['0', '1', '3', '10', '-1', 'x', '536870912']), r.pick(['', 'Z', 'hello'])); break
      case 17: call('MGET', k, key(), key()); break
      case 18: call(r.pick(['DEL', 'UNLINK']), k, ...(r.chance(0.3) ? [key()] : [])); break
      case 19: call(r.pick(['EXISTS', 'TOUCH']), k, key(), k); break
      case 20: call('TYPE', k); break
      case 21: call('KEYS', r.pick(['*', 'a', '?', '[a-c]', '{t}*', 'x:*', '*[^a]*', 'x\\:1'])); break
      case 22: steps.push({ kind: 'scan', options: r.pick([[], ['MATCH', '?'], ['TYPE', 'string'], ['TYPE', 'SET'], ['COUNT', '2'], ['MATCH', 'x*', 'COUNT', '1']]) }); break
      case 23: call('RANDOMKEY'); break
      case 24: call(r.pick(['RENAME', 'RENAMENX']), k, key()); break
      case 25: {
        const opts: string[] = []
        if (r.chance(0.4)) opts.push('DB', r.pick(['0', '1', '2', '16', 'x']))
        if (r.chance(0.4)) opts.push('REPLACE')
        call('COPY', k, key(), ...opts)
        break
      }
      case 26: call('MOVE', k, r.pick(['0', '1', '2', '16', '-1', 'x'])); break
      case 27: {
        if (absoluteOnly || r.chance(0.5)) {
          call(r.pick(['EXPIREAT', 'PEXPIREAT']), k, r.pick(r.chance(0.5) ? ABS_SECONDS : ABS_MS), ...conditional())
        } else {
          // NX and XX only: GT/LT between two relative times depends on elapsed time.
          const ms = r.chance(0.5)
          call(ms ? 'PEXPIRE' : 'EXPIRE', k, r.pick(ms ? REL_MS : REL_SECONDS), ...(r.chance(0.5) ? [] : [r.pick(['NX', 'XX'])]))
        }
        break
      }
      case 28: call(r.pick(['TTL', 'PTTL']), k); break
      case 29: call(r.pick(['EXPIRETIME', 'PEXPIRETIME']), k); break
      case 30: call('PERSIST', k); break
      case 31: call('OBJECT', r.pick(['ENCODING', 'REFCOUNT', 'FREQ']), k); break
      case 32: call('DBSIZE'); break
      case 33: call('SELECT', r.pick(['0', '0', '1', '2'])); break
      case 34: call('SWAPDB', r.pick(['0', '1', '2']), r.pick(['0', '1', '2'])); break
      case 35: if (r.chance(0.1)) call(r.pick(['FLUSHDB', 'FLUSHALL']), ...(r.chance(0.5) ? [] : [r.pick(['ASYNC', 'SYNC'])])); break
      default: {
        if (collections.length === 0) call('SET', k, value())
        else {
          const template = r.pick(collections)
          call(template[0], k, ...template.slice(1).map((a) => (a === '*' ? value() : a)))
        }
      }
    }
  }
  return steps
}

describe.skipIf(skip !== null)('differential: string and key-space commands', () => {
  const servers = useRespiteAndRedis()
  const collections: string[][] = []

  beforeAll(async () => {
    // Collections only make keys of other types (WRONGTYPE, TYPE, COPY, SCAN TYPE);
    // use whichever collection commands respite has at this point.
    const c = await ReplyConnection.open(servers.respite.port)
    try {
      for (const template of [['SADD', '*'], ['HSET', 'f', '*'], ['RPUSH', '*'], ['ZADD', '1', '*']]) {
        const reply = await c.call([template[0], '__probe__', ...template.slice(1).map((a) => (a === '*' ? 'v' : a))])
        if (!reply.startsWith('-ERR unknown command')) collections.push(template)
      }
      await c.call(['FLUSHALL'])
    } finally {
      c.close()
    }
  })

  /** Runs steps on both servers; returns a description of the first mismatch, or null. */
  function run(steps: Step[], proto: 2 | 3, exactExpireTimes: boolean): Promise<string | null> {
    return withConnections(servers.respite.port, servers.redis.port, proto, async (a, b) => {
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]
        let ra: string
        let rb: string
        if (step.kind === 'scan') {
          ra = await fullScan(a, step.options)
          rb = await fullScan(b, step.options)
        } else {
          ra = normalize(step.args, await a.call(step.args), exactExpireTimes)
          rb = normalize(step.args, await b.call(step.args), exactExpireTimes)
        }
        if (ra !== rb) {
          const args = step.kind === 'scan' ? ['SCAN', ...step.options] : step.args
          return `step ${i} ${JSON.stringify(args)}\n  respite: ${JSON.stringify(ra)}\n  redis:   ${JSON.stringify(rb)}`
        }
      }
      return null
    })
  }

  it('matches on fixed edge cases, RESP2 and RESP3', async () => {
    const steps = EDGE_CASES.map((args): Step => ({ kind: 'call', args }))
    for (const proto of [2, 3] as const) {
      expect(await run(steps, proto, true), `RESP${proto}`).toBeNull()
    }
  })

  it('INCRBYFLOAT prints the same digits as Redis for many number pairs', async () => {
    const r = rng(7)
    const digits = (n: number) => Array.from({ length: n }, () => String(r.int(10))).join('')
    const number = (): string => {
      const sign = r.pick(['', '-', '+'])
      switch (r.int(6)) {
        case 0: return sign + digits(1 + r.int(18))
        case 1: return sign + digits(1 + r.int(10)) + '.' + digits(1 + r.int(20))
        case 2: return sign + '0.' + '0'.repeat(r.int(20)) + digits(1 + r.int(5))
        case 3: return sign + digits(1 + r.int(3)) + 'e' + r.pick(['', '-', '+']) + r.int(350)
        case 4: return sign + String(r.int(1_000_000) / r.pick([3, 7, 10, 100, 1024]))
        default: return sign + '0x' + r.int(1 << 30).toString(16) + r.pick(['', 'p-7', 'p3'])
      }
    }
    const steps: Step[] = []
    for (let i = 0; i < 300; i++) {
      steps.push({ kind: 'call', args: ['SET', 'f', number()] })
      steps.push({ kind: 'call', args: ['INCRBYFLOAT', 'f', number()] })
      if (i % 3 === 0) steps.push({ kind: 'call', args: ['INCRBYFLOAT', 'f', number()] })
      if (i % 10 === 0) steps.push({ kind: 'call', args: ['OBJECT', 'ENCODING', 'f'] })
    }
    expect(await run(steps, 2, true)).toBeNull()
  })

  for (const seed of [1, 2, 3]) {
    it(`matches on random sequence ${seed} with absolute expiry times (RESP2 and RESP3)`, async () => {
      const steps = generate(seed, 400, true, collections)
      expect(await run(steps, 2, true), 'RESP2').toBeNull()
      expect(await run(steps, 3, true), 'RESP3').toBeNull()
    })
  }

  for (const seed of [11, 12, 13]) {
    it(`matches on random sequence ${seed} with relative expiry times (RESP2 and RESP3)`, async () => {
      const steps = generate(seed, 400, false, collections)
      expect(await run(steps, 2, false), 'RESP2').toBeNull()
      expect(await run(steps, 3, false), 'RESP3').toBeNull()
    })
  }
})

/** A whole SCAN iteration: the sorted keys it returned (cursor numbers differ by design). */
async function fullScan(c: ReplyConnection, options: string[]): Promise<string> {
  const keys: string[] = []
  let cursor = '0'
  for (let round = 0; round < 10_000; round++) {
    const reply = await c.call(['SCAN', cursor, ...options])
    if (reply.startsWith('-')) return reply
    const { items } = elements(reply)
    cursor = items[0].split('\r\n')[1]
    keys.push(...elements(items[1]).items)
    if (cursor === '0') break
  }
  // SCAN may return a key twice; the set of keys is what must match.
  return [...new Set(keys)].sort().join('')
}

function normalize(args: string[], reply: string, exactExpireTimes: boolean): string {
  const name = args[0].toUpperCase()
  switch (name) {
    case 'KEYS':
      return sortedReply(reply)
    case 'RANDOMKEY':
      return reply.startsWith('$') && reply !== '$-1\r\n' ? '<some key>' : reply
    case 'TTL':
    case 'PTTL':
      return /^:[1-9]/.test(reply) ? ':<positive>' : reply
    case 'EXPIRETIME':
    case 'PEXPIRETIME':
      return !exactExpireTimes && /^:[1-9]/.test(reply) ? ':<positive>' : reply
    case 'OBJECT':
      if (args[1].toUpperCase() === 'ENCODING' && /^[$=]\d+\r\n(?:txt:)?(?!int\r|embstr\r|raw\r)/.test(reply)) return '<collection encoding>'
      return reply
    default:
      return reply
  }
}

/** Edge cases, each checked against redis-server while writing them. */
const EDGE_CASES: string[][] = [
  ['SET', 'k', 'v', 'NX', 'NX'], ['SET', 'k', 'v', 'XX', 'XX'], ['SET', 'k', 'v', 'EX', '10', 'PX', '10'],
  ['SET', 'k', 'v', 'EX', 'abc', 'foo'], ['SET', 'k', 'v', 'EX', '0', 'EX', '5'], ['TTL', 'k'],
  ['SET', 'k', 'v', 'EX', 'abc', 'EX', '5'], ['SET', 'k', 'v', 'EX', '5', 'EX', 'abc'],
  ['SET', 'k', 'v', 'EXAT', '9223372036854775'], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'],
  ['SET', 'k', 'v', 'PXAT', '9223372036854775807'], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'], ['TTL', 'k'],
  ['SET', 'k', 'v', 'EX', '9223372036854775'], ['SET', 'k', 'v', 'EX', '9223372036854776'],
  ['SET', 'k', 'v', 'KEEPTTL', 'EX', '1'], ['SET', 'k', 'v', 'GET', 'KEEPTTL', 'NX'], ['SET', 'k', 'v', 'NX', 'GET', 'XX'],
  ['SET', 'k', 'v', 'PERSIST'], ['SET', 'k', 'v', 'ex'], ['SET', 'k', 'v', 'EXAT', '1'], ['EXISTS', 'k'],
  ['GETEX', 'nokey', 'EX', 'abc'], ['GETEX', 'nokey', 'FOO'], ['SET', 'k', '1'], ['GETEX', 'k', 'EX', '0'],
  ['GETEX', 'k', 'PERSIST', 'PERSIST'], ['GETEX', 'k', 'PERSIST', 'EX', '5'], ['GETEX', 'k', 'EX', '5', 'PERSIST'],
  ['GETEX', 'k', 'EXAT', '1'], ['EXISTS', 'k'], ['GETEX', 'k', 'EX'], ['GETDEL', 'nokey'],
  ['SET', 'n', '9223372036854775806'], ['INCR', 'n'], ['INCR', 'n'], ['DECRBY', 'n', '-9223372036854775808'],
  ['DECRBY', 'n', '9223372036854775807'], ['DECRBY', 'n', '9223372036854775807'], ['DECRBY', 'n', '9223372036854775807'],
  ['INCRBY', 'n', ' 1'], ['SET', 's', '-0'], ['INCR', 's'], ['INCRBYFLOAT', 's', '1'], ['SET', 's', '+1'], ['INCR', 's'],
  ['SET', 'f', '1.5'], ['INCRBYFLOAT', 'f', '0.1'], ['INCRBYFLOAT', 'f', '1e300'], ['INCRBYFLOAT', 'f', '-1e300'],
  ['INCRBYFLOAT', 'f', '0x10'], ['INCRBYFLOAT', 'f', 'inf'], ['INCRBYFLOAT', 'f', 'nan'], ['INCRBYFLOAT', 'f', '1\x00abc'],
  ['INCRBYFLOAT', 'f', '1e-4940'], ['INCRBYFLOAT', 'f', '1e-5000'], ['INCRBYFLOAT', 'f', 'infinity'], ['GET', 'f'],
  ['SET', 'f', '1.18973149535723176502e+4932'], ['INCRBYFLOAT', 'f', '0'], ['INCRBYFLOAT', 'f', '1e4932'],
  ['OBJECT', 'ENCODING', 'f'], ['INCRBYFLOAT', 'g', '-0.000000000000000001'], ['INCRBYFLOAT', 'g', '1'], ['OBJECT', 'ENCODING', 'g'],
  ['SET', 'e', 'Hello World'], ['GETRANGE', 'e', '0', '-1'], ['GETRANGE', 'e', '-1', '-5'], ['GETRANGE', 'e', '0', '-100'],
  ['GETRANGE', 'e', '-9223372036854775808', '-9223372036854775807'], ['GETRANGE', 'nokey', '0', '1'], ['SUBSTR', 'e', '0', '3'],
  ['SET', 'empty', ''], ['GETRANGE', 'empty', '0', '-1'], ['GETRANGE', 'empty', '-1', '0'],
  ['SETRANGE', 'e', '6', 'Redis'], ['SETRANGE', 'nk', '3', 'ab'], ['GET', 'nk'], ['SETRANGE', 'nk2', '536870912', 'x'],
  ['SETRANGE', 'nk2', '-1', 'x'], ['SETRANGE', 'nk2', '536870912', ''], ['SETRANGE', 'e', '536870911', ''],
  ['APPEND', 'e', '!!'], ['OBJECT', 'ENCODING', 'e'], ['SET', 'i', '123'], ['OBJECT', 'ENCODING', 'i'], ['APPEND', 'i', '4'],
  ['OBJECT', 'ENCODING', 'i'], ['SETRANGE', 'i', '0', '9'], ['OBJECT', 'ENCODING', 'i'], ['SET', 'i', '1234'],
  ['SETRANGE', 'i', '0', ''], ['OBJECT', 'ENCODING', 'i'], ['OBJECT', 'REFCOUNT', 'i'], ['SET', 'i', '10000'],
  ['OBJECT', 'REFCOUNT', 'i'], ['APPEND', 'new', '12'], ['OBJECT', 'ENCODING', 'new'], ['COPY', 'i', 'i2'],
  ['OBJECT', 'ENCODING', 'i2'], ['SET', 's5', '5'], ['COPY', 's5', 's6'], ['OBJECT', 'REFCOUNT', 's6'], ['OBJECT', 'ENCODING', 's6'],
  ['RENAME', 's6', 's7'], ['OBJECT', 'REFCOUNT', 's7'], ['OBJECT', 'REFCOUNT', 's5'], ['SET', 's7', '5'], ['OBJECT', 'REFCOUNT', 's7'],
  ['SET', 'long', 'x'.repeat(45)], ['OBJECT', 'ENCODING', 'long'],
  ['OBJECT', 'ENCODING', 'nokey'], ['OBJECT', 'FREQ', 'i'], ['OBJECT', 'FREQ', 'nokey'], ['OBJECT', 'IDLETIME', 'nokey'],
  ['OBJECT', 'REFCOUNT', 'nokey'], ['OBJECT', 'HELP'], ['OBJECT', 'foo'], ['OBJECT', 'ENCODING'], ['OBJECT', 'HELP', 'x'],
  ['MSETNX', 'a', '1', 'a', '2'], ['GET', 'a'], ['MSETNX', 'a', '1', 'b'], ['MSET', 'a', '1', 'b'], ['MSETNX', 'a', '2', 'zz', '3'],
  ['SETEX', 'k', '0', 'v'], ['SETEX', 'k', 'abc', 'v'], ['PSETEX', 'k', '9223372036854775807', 'v'], ['SETNX', 'a', 'x'],
  ['FLUSHALL'],
  ['SET', 'k', 'v'], ['EXPIRE', 'k', '100', 'NX', 'XX'], ['EXPIRE', 'k', '100', 'GT', 'LT'], ['EXPIRE', 'k', '100', 'NX', 'GT'],
  ['EXPIRE', 'k', '100', 'XX', 'GT'], ['EXPIRE', 'k', '100', 'foo'], ['EXPIRE', 'k', 'abc'], ['EXPIRE', 'k', 'abc', 'foo'],
  ['EXPIRE', 'nokey', 'abc'], ['EXPIRE', 'nokey', '100'], ['EXPIRE', 'k', '9223372036854775807'],
  ['EXPIRE', 'k', '9223370399119966'], ['EXPIRE', 'k', '9223372036854776'], ['EXPIRE', 'k', '10000000000000000'],
  ['EXPIRE', 'k', '18446744073709561'], ['EXPIRE', 'k', '-9223372036854776'], ['EXPIRE', 'k', '-9999999999999999'],
  ['PEXPIRE', 'k', '9223372036854770000'], ['TTL', 'k'], ['PEXPIREAT', 'k', '9223372036854770000'], ['PEXPIRETIME', 'k'],
  ['EXPIRETIME', 'k'], ['PEXPIREAT', 'k', '9223372036854770001', 'GT'], ['PEXPIRETIME', 'k'],
  ['PEXPIREAT', 'k', '9223372036854770000', 'LT'], ['PEXPIRETIME', 'k'], ['EXPIREAT', 'k', '4102444800', 'LT'],
  ['EXPIRETIME', 'k'], ['PEXPIREAT', 'k', '-9223372036854770000'], ['EXISTS', 'k'],
  ['SET', 'k', 'v'], ['EXPIRE', 'k', '0'], ['EXISTS', 'k'], ['SET', 'k', 'v'], ['EXPIRE', 'k', '-1', 'GT'], ['TTL', 'k'],
  ['EXPIRE', 'k', '-1', 'LT'], ['EXISTS', 'k'], ['SET', 'k', 'v'], ['EXPIREAT', 'k', '100', 'NX'], ['EXISTS', 'k'],
  ['SET', 'p', 'v'], ['PERSIST', 'p'], ['PERSIST', 'nokey'], ['EXPIREAT', 'p', '99999999999'], ['EXPIRETIME', 'p'],
  ['PEXPIRETIME', 'p'], ['PERSIST', 'p'], ['TTL', 'p'], ['PTTL', 'nokey'], ['EXPIRETIME', 'p'],
  ['RENAME', 'nokey', 'x'], ['RENAMENX', 'nokey', 'x'], ['SET', 'a', '1'], ['RENAME', 'a', 'a'], ['RENAMENX', 'a', 'a'],
  ['RENAME', 'nokey', 'nokey'], ['SET', 'b', '2'], ['RENAMENX', 'a', 'b'], ['RENAME', 'a', 'c'], ['GET', 'c'],
  ['EXPIREAT', 'c', '99999999999'], ['RENAME', 'c', 'd'], ['EXPIRETIME', 'd'], ['SET', 'e', '1'], ['RENAME', 'e', 'd'],
  ['TTL', 'd'], ['COPY', 'd', 'd'], ['COPY', 'nokey', 'x'], ['COPY', 'd', 'x'], ['COPY', 'd', 'x'], ['COPY', 'd', 'x', 'REPLACE'],
  ['COPY', 'd', 'x', 'DB', '1'], ['COPY', 'd', 'x', 'DB', '16'], ['COPY', 'd', 'x', 'DB', '-1'], ['COPY', 'd', 'x', 'DB', 'abc'],
  ['COPY', 'd', 'x', 'DB', '2147483648'], ['COPY', 'd', 'x', 'foo'], ['COPY', 'd', 'x', 'REPLACE', 'REPLACE'],
  ['COPY', 'd', 'x', 'DB'], ['COPY', 'd', 'x', 'DB', '0', 'DB', '1'], ['COPY', 'd', 'd', 'DB', '1'],
  ['COPY', 'd', 'd', 'DB', '1', 'REPLACE'], ['COPY', 'nokey', 'nokey'], ['COPY', 'nokey', 'nokey', 'DB', '1'],
  ['MOVE', 'nokey', '0'], ['MOVE', 'nokey', '1'], ['MOVE', 'nokey', '16'], ['MOVE', 'nokey', 'abc'],
  ['MOVE', 'nokey', '99999999999999999999'], ['MOVE', 'nokey', '2147483648'], ['SET', 'm', '1'], ['EXPIREAT', 'm', '4102444800'],
  ['MOVE', 'm', '2'], ['MOVE', 'm', '2'], ['SELECT', '2'], ['GET', 'm'], ['EXPIRETIME', 'm'], ['SELECT', '0'],
  ['SELECT', '16'], ['SELECT', 'abc'], ['SELECT', '-1'], ['SELECT', '2147483648'], ['SELECT', ' 1'],
  ['SWAPDB', '0', 'abc'], ['SWAPDB', 'abc', '0'], ['SWAPDB', '2147483648', '0'], ['SWAPDB', '0', '16'], ['SWAPDB', '-1', '0'],
  ['SWAPDB', '0', '0'], ['DBSIZE'], ['SWAPDB', '0', '2'], ['DBSIZE'], ['GET', 'm'], ['SWAPDB', '0', '2'],
  ['FLUSHDB', 'foo'], ['FLUSHDB', 'ASYNC'], ['FLUSHDB', 'SYNC', 'SYNC'], ['FLUSHALL', 'sync'], ['FLUSHALL', 'foo'], ['DBSIZE'],
  ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['EXISTS', 'a', 'a', 'b', 'nokey'], ['TOUCH', 'a', 'a', 'nokey'],
  ['DEL', 'a', 'a', 'nokey'], ['UNLINK', 'b', 'c'], ['SCAN', 'abc'], ['SCAN', '18446744073709551616'],
  ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '-1'], ['SCAN', '0', 'COUNT', 'abc'], ['SCAN', '0', 'MATCH'],
  ['SCAN', '0', 'FOO', 'bar'], ['SCAN', '0', 'TYPE'], ['SCAN', ' 0'], ['SCAN', '-'], ['SCAN', '+'], ['SCAN', '0x1'],
  ['SCAN', 'abc', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '0', 'MATCH'], ['SCAN', '0'], ['SCAN', '-1'], ['SCAN', ''],
  ['RANDOMKEY'], ['SET', 'x', '1'], ['RANDOMKEY'], ['TYPE', 'x'], ['TYPE', 'nokey'], ['KEYS', '*'], ['KEYS', 'x'],
  ['KEYS', '[a-z]'], ['KEYS', 'nomatch*'],
]
