import { describe, expect, it } from 'vitest'
import { historyOf, rng, runDifferential, type Mismatch } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { runScenario, type Step } from '../helpers/scenarios.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Seeded random sequences of every stream command, with invalid input, wrong types
 * and the key-space commands around them, sent to respite and to a real
 * redis-server: every reply must match byte for byte, in RESP2 and RESP3.
 *
 * Ids are explicit (`*` depends on the clock; test/commands/streams.test.ts checks
 * it), and nodes are made small (stream-node-max-entries) so that approximate
 * trimming, which drops whole nodes, is exercised. What depends on time (idle
 * times, delivery and seen times) are masked
 * before comparing; min-idle arguments are 0 or far beyond any test's age.
 */

const skip = missingTool('redis-server')

const STREAMS = ['s1', 's2', 's3']
const GROUPS = ['g1', 'g2', 'g3']
const CONSUMERS = ['c1', 'c2', 'c3', 'Alice']
const FIELDS = ['a', 'b', 'name', '', 'f\x00', '12']
const VALUES = ['1', 'x', '', 'v'.repeat(70), '\xff\r\n', '-5', '100']
const COUNTS = ['0', '1', '2', '3', '5', '10', '-1', 'x', '', '9223372036854775807', '01']
const BAD_IDS = ['x', '1-x', '-1', '1-', '18446744073709551616', '1--1', '', ' 1', '+', '-', '$', '>', '*']

/** Masks what differs by time or by Redis internals, so the rest compares exactly. */
export function maskStreamReply(args: string[], reply: string): string {
  let out = reply
    // Unix times in ms: delivery times, seen-time.
    .replace(/:\d{13,}\r\n/g, ':<time>\r\n')
    .replace(/(\$4\r\nidle\r\n):\d+/g, '$1:<idle>')
  if (args[0].toUpperCase() === 'XPENDING' && args.length > 3) {
    // Extended form rows: id, consumer, idle ms, deliveries.
    out = out.replace(/(\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[^\r]*\r\n):\d+/g, '$1:<idle>')
  }
  return out
}

function generate(seed: number, length: number): string[][] {
  const r = rng(seed)
  let clock = 1
  const key = () => (r.chance(0.9) ? r.pick(STREAMS) : r.pick(['str', 'nokey']))
  const group = () => (r.chance(0.92) ? r.pick(GROUPS) : 'nogroup')
  const consumer = () => r.pick(CONSUMERS)
  const ms = () => String(Math.max(0, clock - 3 + r.int(6)))
  const id = () => {
    if (r.chance(0.05)) return r.pick(BAD_IDS)
    if (r.chance(0.1)) return ms()
    return `${ms()}-${r.int(3)}`
  }
  const rangeId = () => {
    if (r.chance(0.2)) return r.pick(['-', '+'])
    if (r.chance(0.1)) return `(${id()}`
    return id()
  }
  /** Ids XADD was given, so XACK, XCLAIM and XDEL often name entries that exist. */
  const added: string[] = []
  const knownId = () => (added.length > 0 && r.chance(0.7) ? r.pick(added.slice(-6)) : id())
  const count = () => (r.chance(0.7) ? String(r.int(6)) : r.pick(COUNTS))
  const fields = () => {
    const out: string[] = []
    for (let n = 1 + r.int(3); n > 0; n--) out.push(r.pick(FIELDS), r.pick(VALUES))
    if (r.chance(0.03)) out.pop()
    return out
  }
  const trim = (): string[] => {
    const out = [r.pick(['MAXLEN', 'MINID', 'maxlen'])]
    if (r.chance(0.5)) out.push(r.pick(['~', '=', '~']))
    out.push(out[0].toUpperCase() === 'MAXLEN' ? (r.chance(0.9) ? String(r.int(12)) : r.pick(['-1', 'x'])) : id())
    if (r.chance(0.3)) out.push('LIMIT', r.chance(0.9) ? String(r.int(10)) : r.pick(['-1', 'x']))
    return out
  }
  const minIdle = () => r.pick(['0', '0', '0', '100000000', '-5', 'x'])
  const cmds: string[][] = [['SET', 'str', 'text'], ['CONFIG', 'SET', 'stream-node-max-entries', String(2 + r.int(5))]]
  while (cmds.length < length) {
    if (r.chance(0.3)) clock++
    switch (r.int(37)) {
      case 0: case 1: case 2: case 3: case 4: case 5: {
        const cmd = ['XADD', key()]
        if (r.chance(0.05)) cmd.push('NOMKSTREAM')
        if (r.chance(0.2)) cmd.push(...trim())
        // `*` only where it cannot add an entry (NOMKSTREAM on a missing key) or fails first.
        const star = r.chance(0.02) && cmd.includes('NOMKSTREAM') && cmd[1] === 'nokey'
        let given = star ? '*' : r.chance(0.15) ? `${ms()}-*` : id()
        if (given === '*' && !star) given = `${clock}-*`
        if (/^\d+-\d+$/.test(given)) added.push(given)
        cmd.push(given, ...fields())
        cmds.push(cmd)
        break
      }
      case 6:
        cmds.push(['XLEN', key()])
        break
      case 7: case 8: {
        const cmd = [r.pick(['XRANGE', 'XREVRANGE']), key(), rangeId(), rangeId()]
        if (r.chance(0.4)) cmd.push('COUNT', count())
        if (r.chance(0.03)) cmd.push('FOO')
        cmds.push(cmd)
        break
      }
      case 9:
        cmds.push(['XDEL', key(), ...Array.from({ length: 1 + r.int(3) }, knownId)])
        break
      case 10: {
        const cmd = ['XTRIM', key(), ...trim()]
        if (r.chance(0.05)) cmd.splice(2, 1)
        cmds.push(cmd)
        break
      }
      case 11: {
        const cmd = ['XSETID', key(), r.chance(0.5) ? `${clock + 2}-0` : id()]
        if (r.chance(0.3)) cmd.push('ENTRIESADDED', r.pick(['0', '5', '100', '-1', 'x']))
        if (r.chance(0.3)) cmd.push('MAXDELETEDID', id())
        cmds.push(cmd)
        break
      }
      case 12: case 13: {
        const n = 1 + r.int(2)
        const cmd = ['XREAD']
        if (r.chance(0.4)) cmd.push('COUNT', count())
        if (r.chance(0.03)) cmd.push('BLOCK', '1')
        if (r.chance(0.03)) cmd.push(r.pick(['GROUP', 'NOACK', 'FOO']))
        cmd.push('STREAMS', ...Array.from({ length: n }, key), ...Array.from({ length: r.chance(0.95) ? n : n + 1 }, () => (r.chance(0.2) ? '$' : rangeId())))
        cmds.push(cmd)
        break
      }
      case 14: case 15: {
        const sub = r.int(10)
        if (sub < 4) {
          const cmd = ['XGROUP', 'CREATE', key(), group(), r.chance(0.3) ? '$' : r.chance(0.3) ? '0' : id()]
          if (r.chance(0.3)) cmd.push('MKSTREAM')
          if (r.chance(0.2)) cmd.push('ENTRIESREAD', r.pick(['0', '1', '3', '-1', '-2', 'x']))
          cmds.push(cmd)
        } else if (sub < 6) {
          const cmd = ['XGROUP', 'SETID', key(), group(), r.chance(0.3) ? '$' : rangeId()]
          if (r.chance(0.3)) cmd.push('ENTRIESREAD', r.pick(['0', '1', '3', '-1', 'x']))
          cmds.push(cmd)
        } else if (sub < 7) {
          cmds.push(['XGROUP', 'DESTROY', key(), group()])
        } else if (sub < 8) {
          cmds.push(['XGROUP', 'CREATECONSUMER', key(), group(), consumer()])
        } else if (sub < 9) {
          cmds.push(['XGROUP', 'DELCONSUMER', key(), group(), consumer()])
        } else {
          cmds.push(r.pick([['XGROUP', 'HELP'], ['XGROUP', 'FOO'], ['XGROUP', 'CREATE', key(), group()], ['XGROUP', 'DESTROY', key()]]))
        }
        break
      }
      case 16: case 17: case 18: {
        const n = r.chance(0.85) ? 1 : 2
        const cmd = ['XREADGROUP', 'GROUP', group(), consumer()]
        if (r.chance(0.4)) cmd.push('COUNT', count())
        if (r.chance(0.15)) cmd.push('NOACK')
        if (r.chance(0.02)) cmd.push('BLOCK', '1')
        cmd.push('STREAMS', ...Array.from({ length: n }, key), ...Array.from({ length: n }, () => (r.chance(0.7) ? '>' : r.chance(0.5) ? '0' : rangeId())))
        cmds.push(cmd)
        break
      }
      case 19: case 20:
        cmds.push(['XACK', key(), group(), ...Array.from({ length: 1 + r.int(3) }, knownId)])
        break
      case 21: case 22: {
        const cmd = ['XPENDING', key(), group()]
        if (r.chance(0.6)) {
          if (r.chance(0.3)) cmd.push('IDLE', r.pick(['0', '100000000', 'x']))
          cmd.push(rangeId(), rangeId(), count())
          if (r.chance(0.4)) cmd.push(consumer())
        }
        cmds.push(cmd)
        break
      }
      case 23: case 24: {
        const cmd = ['XCLAIM', key(), group(), consumer(), minIdle(), ...Array.from({ length: 1 + r.int(3) }, knownId)]
        if (r.chance(0.2)) cmd.push('RETRYCOUNT', r.pick(['0', '5', 'x']))
        if (r.chance(0.4)) cmd.push('FORCE')
        if (r.chance(0.3)) cmd.push('JUSTID')
        if (r.chance(0.1)) cmd.push('LASTID', id())
        if (r.chance(0.1)) cmd.push(r.pick(['IDLE', 'TIME']), r.pick(['10', 'x']))
        if (r.chance(0.03)) cmd.push('BOGUS')
        cmds.push(cmd)
        break
      }
      case 25: case 26: {
        const cmd = ['XAUTOCLAIM', key(), group(), consumer(), minIdle(), rangeId()]
        if (r.chance(0.4)) cmd.push('COUNT', r.chance(0.8) ? String(1 + r.int(4)) : r.pick(['0', 'x', '-1']))
        if (r.chance(0.3)) cmd.push('JUSTID')
        if (r.chance(0.03)) cmd.push('BOGUS')
        cmds.push(cmd)
        break
      }
      case 27: case 28: {
        const sub = r.int(5)
        if (sub === 0) cmds.push(['XINFO', 'STREAM', key()])
        else if (sub === 1) {
          const cmd = ['XINFO', 'STREAM', key(), 'FULL']
          if (r.chance(0.5)) cmd.push('COUNT', r.pick(['0', '1', '2', '-1', 'x']))
          if (r.chance(0.05)) cmd.push('EXTRA')
          cmds.push(cmd)
        } else if (sub === 2) cmds.push(['XINFO', 'GROUPS', key()])
        else if (sub === 3) cmds.push(['XINFO', 'CONSUMERS', key(), group()])
        else cmds.push(r.pick([['XINFO', 'HELP'], ['XINFO', 'BOGUS'], ['XINFO', 'STREAM', key(), 'NOTFULL']]))
        break
      }
      case 29:
        cmds.push([r.pick(['TYPE', 'EXISTS']), key()])
        break
      case 30:
        cmds.push(['OBJECT', 'ENCODING', key()])
        break
      case 31:
        if (r.chance(0.3)) cmds.push(['DEL', key()])
        else cmds.push(['COPY', key(), r.pick(STREAMS), 'REPLACE'])
        break
      case 32:
        cmds.push(r.pick([['XADD', key(), '1-1'], ['XLEN'], ['XRANGE', key(), '-'], ['XREAD', 'STREAMS'], ['XACK', key(), 'g1'],
          ['XCLAIM', key(), 'g1', 'c1', '0'], ['XREADGROUP', 'GROUP', 'g1', 'c1', 'STREAMS', key()], ['XSETID', key()], ['XDEL', key()]]))
        break
      case 33:
        cmds.push(['XREVRANGE', key(), '+', '-', 'COUNT', '3'])
        break
      case 34: case 35: case 36:
        cmds.push(['XGROUP', 'CREATE', key(), r.pick(GROUPS), r.pick(['0', '$', '0', id()]), ...(r.chance(0.5) ? ['MKSTREAM'] : [])])
        break
    }
  }
  for (const k of STREAMS) {
    cmds.push(['XINFO', 'STREAM', k, 'FULL', 'COUNT', '0'], ['XRANGE', k, '-', '+'])
  }
  return cmds
}

/** A mismatch as one readable string: the command, both replies, and the key's recent history. */
function describeMismatch(cmds: string[][], m: Mismatch | null): string | null {
  if (m === null) return null
  const key = m.args.find((a) => STREAMS.includes(a) || a === 'str' || a === 'nokey')
  const history = (key === undefined ? historyOf(cmds, m.index, 25) : cmds.slice(0, m.index).filter((c) => c.includes(key)).slice(-25))
    .map((c) => JSON.stringify(c)).join('\n  ')
  return `${JSON.stringify(m.args)}\nrespite ${JSON.stringify(m.respite)}\nredis   ${JSON.stringify(m.redis)}\nafter\n  ${history}`
}

describe.skipIf(skip !== null)('differential: stream commands (XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID XREAD XREADGROUP XACK XPENDING XCLAIM XAUTOCLAIM XGROUP XINFO)', () => {
  const servers = useRespiteAndRedis()

  for (const proto of [2, 3] as const) {
    it(`matches redis-server on seeded random sequences (RESP${proto})`, async () => {
      for (const seed of [31, 32, 33, 34, 35]) {
        const cmds = generate(seed * proto, 600)
        const mismatch = await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto, normalize: maskStreamReply })
        expect(describeMismatch(cmds, mismatch), `seed ${seed * proto}`).toBeNull()
      }
    })
  }

  // Blocking reads and keyspace events: every connection must receive the same bytes
  // from both servers (client 0 is subscribed to every keyspace event).
  const EVENTS: Step[] = [
    [1, ['CONFIG', 'SET', 'notify-keyspace-events', 'KEAnm']],
    [0, ['PSUBSCRIBE', '__key*__:*']],
  ]
  const SCENARIOS: [string, Step[]][] = [
    ['XREAD BLOCK waiters on $ served by XADD, each from the key that became ready, with COUNT', [
      ...EVENTS,
      [1, ['XADD', 'a', '1-1', 'f', 'v']],
      [2, ['XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'b', '$', '$'], 'blocks'],
      [3, ['XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'b', '0'], 'blocks'],
      [4, ['XREAD', 'BLOCK', '0', 'STREAMS', 'a', '1-1'], 'blocks'],
      [1, ['XADD', 'b', '2-1', 'x', '1']],
      [1, ['XADD', 'a', '3-1', 'y', '2']],
    ]],
    ['XREADGROUP BLOCK consumers of one group share new entries; NOACK leaves no pending entry', [
      ...EVENTS,
      [1, ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
      [2, ['XREADGROUP', 'GROUP', 'g', 'c1', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [3, ['XREADGROUP', 'GROUP', 'g', 'c2', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [4, ['XREADGROUP', 'GROUP', 'g', 'c3', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [1, ['XADD', 's', '1-1', 'f', 'v']],
      [1, ['XADD', 's', '2-1', 'f', 'v']],
      [1, ['MULTI']], [1, ['XADD', 's', '3-1', 'f', 'v']], [1, ['XADD', 's', '4-1', 'f', 'v']], [1, ['EXEC']],
      [1, ['XPENDING', 's', 'g']],
      [1, ['XINFO', 'GROUPS', 's']],
    ]],
    ['XREADGROUP waiters hear of a deleted or retyped key and a destroyed group; XREAD waiters do not', [
      ...EVENTS,
      [1, ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
      [1, ['XGROUP', 'CREATE', 's', 'g2', '$']],
      [2, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [3, ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], 'blocks'],
      [1, ['DEL', 's']],
      [1, ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
      [2, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [1, ['SET', 's', 'string']],
      [1, ['DEL', 's']],
      [1, ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
      [2, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [1, ['XGROUP', 'DESTROY', 's', 'g']],
      [1, ['XADD', 's', '5-5', 'f', 'v']],
    ]],
    ['FLUSHALL, FLUSHDB and SWAPDB wake XREADGROUP waiters whose stream they take away', [
      ...EVENTS,
      [1, ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
      [2, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [3, ['BLPOP', 'list', '0'], 'blocks'],
      [1, ['FLUSHALL']],
      [1, ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
      [2, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [1, ['FLUSHDB']],
      [1, ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
      [2, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [1, ['SWAPDB', '0', '1']],
      [1, ['SWAPDB', '0', '1']],
      [1, ['XGROUP', 'CREATE', 's', 'g2', '$']],
      [2, ['XREADGROUP', 'GROUP', 'g2', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [1, ['SELECT', '1']], [1, ['XADD', 's', '1-1', 'f', 'v']], [1, ['SWAPDB', '0', '1']],
      [1, ['SELECT', '0']], [1, ['RPUSH', 'list', 'x']],
    ]],
    ['XREAD and XREADGROUP with BLOCK in MULTI answer at once; XGROUP SETID alone wakes no one', [
      ...EVENTS,
      [1, ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']],
      [1, ['MULTI']],
      [1, ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$']],
      [1, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>']],
      [1, ['EXEC']],
      [2, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [1, ['XGROUP', 'SETID', 's', 'g', '0']],
      [1, ['XADD', 's', '7-7', 'f', 'v']],
      [1, ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '0']],
    ]],
    ['XSETID, XDEL and XTRIM serve no waiter; the next XADD does', [
      ...EVENTS,
      [1, ['XADD', 's', '1-1', 'f', 'v']],
      [1, ['XGROUP', 'CREATE', 's', 'g', '$']],
      [2, ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], 'blocks'],
      [3, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocks'],
      [1, ['XSETID', 's', '5-0']],
      [1, ['XDEL', 's', '1-1']],
      [1, ['XTRIM', 's', 'MAXLEN', '0']],
      [1, ['XINFO', 'CONSUMERS', 's', 'g']],
      [1, ['XADD', 's', '6-0', 'f', 'v']],
    ]],
    ['keyspace events of every stream write', [
      ...EVENTS,
      [1, ['XADD', 's', 'MAXLEN', '2', '1-1', 'f', 'v']], [1, ['XADD', 's', '2-1', 'f', 'v']], [1, ['XADD', 's', 'MAXLEN', '2', '3-1', 'f', 'v']],
      [1, ['XADD', 's', 'NOMKSTREAM', 'MINID', '0', '4-1', 'f', 'v']], [1, ['XDEL', 's', '9-9']], [1, ['XDEL', 's', '3-1']],
      [1, ['XTRIM', 's', 'MAXLEN', '5']], [1, ['XTRIM', 's', 'MAXLEN', '0']], [1, ['XSETID', 's', '10-0']],
      [1, ['XGROUP', 'CREATE', 'n', 'g', '$', 'MKSTREAM']], [1, ['XGROUP', 'SETID', 'n', 'g', '0']],
      [1, ['XGROUP', 'CREATECONSUMER', 'n', 'g', 'c']], [1, ['XGROUP', 'CREATECONSUMER', 'n', 'g', 'c']],
      [1, ['XADD', 'n', '1-1', 'f', 'v']], [1, ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 'n', '>']],
      [1, ['XCLAIM', 'n', 'g', 'c3', '0', '1-1']], [1, ['XAUTOCLAIM', 'n', 'g', 'c4', '0', '0']],
      [1, ['XACK', 'n', 'g', '1-1']], [1, ['XGROUP', 'DELCONSUMER', 'n', 'g', 'c']], [1, ['XGROUP', 'DELCONSUMER', 'n', 'g', 'nobody']],
      [1, ['XGROUP', 'DESTROY', 'n', 'g']], [1, ['XGROUP', 'DESTROY', 'n', 'g']], [1, ['XRANGE', 'missing', '-', '+']],
      [1, ['XREAD', 'STREAMS', 'missing', '0']], [1, ['XINFO', 'STREAM', 'missing']],
    ]],
  ]
  for (const [title, steps] of SCENARIOS) {
    it(`matches redis-server: ${title}`, async () => {
      const ours = await runScenario(servers.respite.port, steps)
      const theirs = await runScenario(servers.redis.port, steps)
      expect(ours).toEqual(theirs)
    })
  }

  it('splits nodes where redis-server does by stream-node-max-bytes (XINFO STREAM radix-tree-keys, XTRIM ~)', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const r = rng(seed)
      const cmds: string[][] = [['CONFIG', 'SET', 'stream-node-max-bytes', String(100 + seed * 97)]]
      for (let i = 1; i < 300; i++) {
        const fields: string[] = []
        for (let k = 1 + r.int(3); k > 0; k--) {
          fields.push(r.pick(['a', 'b', 'field', 'x'.repeat(70)]),
            r.pick(['1', '-5', '123456', '99999999999', 'v'.repeat(r.int(30)), 'w'.repeat(r.int(100)), '']))
        }
        cmds.push(['XADD', 's', `${i * 1000 + r.int(3)}-${r.int(2)}`, ...fields])
        if (r.chance(0.05)) cmds.push(['XDEL', 's', `${(i - 2) * 1000}-0`])
        if (i % 25 === 0) cmds.push(['XINFO', 'STREAM', 's'], ['XTRIM', 's', 'MAXLEN', '~', String(r.int(40))])
      }
      cmds.push(['CONFIG', 'SET', 'stream-node-max-bytes', '4096'])
      const m = await runDifferential(servers.respite.port, servers.redis.port, cmds)
      expect(describeMismatch(cmds, m), `seed ${seed}`).toBeNull()
    }
  })

  it('XACK and XREADGROUP agree with redis-server on every spelling of an id and on large ms and sequence parts', async () => {
    const ids = ['7-1', '8', '8796093022207-1023', '8796093022207-1024', '8796093022208-0', '9007199254740993-5', '18446744073709551615-18446744073709551615']
    const cmds: string[][] = [['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM']]
    for (const id of ids) cmds.push(['XADD', 's', id, 'f', 'v'])
    cmds.push(['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'], ['XPENDING', 's', 'g', '-', '+', '10'])
    for (const spelling of ['007-1', '7-01', '00000000000007-1', '7-00001', '8-0', '08', '+8', ' 8', '8-+0', '7-', '-1', 'x', '7-1x', '8796093022207-01023']) {
      cmds.push(['XACK', 's', 'g', spelling], ['XPENDING', 's', 'g'])
    }
    cmds.push(['XACK', 's', 'g', '8796093022207-1024', '8796093022208', '9007199254740993-5', '9007199254740993-5', '1-1'])
    cmds.push(['XACK', 's', 'g', '18446744073709551615-18446744073709551615', 'bad'], ['XPENDING', 's', 'g'])
    cmds.push(['XACK', 's', 'g', '18446744073709551615-18446744073709551615'], ['XPENDING', 's', 'g'])
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { normalize: maskStreamReply })).toBeNull()
  })

  it('matches redis-server on hand-picked edge cases (RESP2 and RESP3)', async () => {
    const cmds: string[][] = [
      ['XADD', 's', '1-1', 'a', '1'], ['XADD', 's', '1-1', 'a', '1'], ['XADD', 's', '0-0', 'a', '1'], ['XADD', 's', '1', 'a', '1'],
      ['XADD', 's', '1-*', 'a', '1'], ['XADD', 's', '5-*', 'a', '1'], ['XADD', 's', 'MAXLEN', '2', 'MINID', '1', '*', 'a', '1'],
      ['XADD', 's', 'LIMIT', '5', '*', 'a', '1'], ['XADD', 's', 'LIMIT', '0', '9-1', 'a', '1'], ['XADD', 's', 'MAXLEN', '2', 'LIMIT', '10', '6-0', 'a', '1'],
      ['XADD', 's', 'NOMKSTREAM', '7-0', 'a'], ['XADD', 'nokey', 'NOMKSTREAM', '*', 'a', '1'], ['EXISTS', 'nokey'],
      ['XADD', 's', '18446744073709551615-18446744073709551615', 'a', '1'], ['XADD', 's', '*', 'a', '1'],
      ['XADD', 's', '18446744073709551615-*', 'a', '1'], ['XADD', 's2', '18446744073709551615-*', 'a', '1'], ['XADD', 's3', '0-*', 'a', '1'],
      ['XADD', 's4', '+5', 'a', '1'], ['XADD', 's4', '\t7', 'a', '1'], ['XADD', 's4', '8-+1', 'a', '1'], ['XADD', 's4', '9\x00z', 'a', '1'],
      ['XRANGE', 's', '-', '+', 'COUNT', '0'], ['XRANGE', 'nokey', '-', '+', 'COUNT', '0'], ['XRANGE', 's', '-', '+', 'COUNT', '-1'],
      ['XRANGE', 's', '(-', '+'], ['XRANGE', 's', '(18446744073709551615-18446744073709551615', '+'], ['XRANGE', 's', '-', '(0-0'],
      ['XREVRANGE', 's', '(0', '-'], ['XRANGE', 's', '-', '+', 'COUNT'], ['XRANGE', 's4', '+5', '+'], ['XLEN', 's4'],
      ['XTRIM', 's', 'LIMIT', '5'], ['XTRIM', 's', 'LIMIT', '0', 'MAXLEN', '1'], ['XTRIM', 's', 'MAXLEN'], ['XTRIM', 'nokey', 'MAXLEN', 'x'],
      ['XSETID', 's', '0-0'], ['XSETID', 'nokey', '1-1'], ['XSETID', 's', '$'], ['XDEL', 's', '-'],
      ['XREAD', 'STREAMS', 's', '>'], ['XREAD', 'STREAMS', 's', '$'], ['XREAD', 'STREAMS', 's', 's', '0'], ['XREAD', 'STREAMS', 's', 's', '0', '0'],
      ['XREAD', 'GROUP', 'g', 'c', 'STREAMS', 's', '0'], ['XREAD', 'NOACK', 'STREAMS', 's', '0'], ['XREAD', 'BLOCK', '-1', 'STREAMS', 's', '0'],
      ['XREAD', 'BLOCK', 'x', 'STREAMS', 's', '0'], ['XREAD', 'BLOCK', '9223372036854775807', 'STREAMS', 's', '0'],
      ['XGROUP', 'CREATE', 's', 'g', '$'], ['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATE', 'nokey', 'g', '$'],
      ['XGROUP', 'CREATE', 's', 'g2', '-'], ['XGROUP', 'SETID', 's', 'g', '+'], ['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD'],
      ['XGROUP', 'CREATE', 'new', 'g', '$', 'MKSTREAM'], ['TYPE', 'new'], ['OBJECT', 'ENCODING', 'new'], ['XINFO', 'STREAM', 'new'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '$'], ['XREADGROUP', 'GROUP', 'nog', 'c', 'STREAMS', 's', '>'],
      ['XGROUP', 'SETID', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>'],
      ['XDEL', 's', '1-1'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '0'], ['XINFO', 'GROUPS', 's'],
      ['XAUTOCLAIM', 's', 'g', 'c2', '0', '0', 'COUNT', '1'], ['XAUTOCLAIM', 's', 'g', 'c2', '0', '0'], ['XPENDING', 's', 'g'],
      ['XCLAIM', 's', 'g', 'c3', '0', '1-2', 'JUSTID', 'LASTID', '9-9'], ['XINFO', 'GROUPS', 's'], ['XINFO', 'CONSUMERS', 's', 'g'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'c3'], ['XPENDING', 's', 'g'], ['XINFO', 'STREAM', 's', 'FULL'],
      // A long long entries-read wraps; XREADGROUP reads the largest id as `>`; huge XAUTOCLAIM COUNTs fail to allocate.
      ['XADD', 'w', '1-1', 'a', '1'], ['XADD', 'w', '18446744073709551615-0', 'a', '1'],
      ['XGROUP', 'CREATE', 'w', 'g', '0', 'ENTRIESREAD', '9223372036854775807'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 'w', '>'], ['XINFO', 'GROUPS', 'w'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'w', '18446744073709551615-18446744073709551615'],
      ['XREAD', 'STREAMS', 'w', '18446744073709551615-18446744073709551615'],
      ['XAUTOCLAIM', 'w', 'g', 'c', '0', '0', 'COUNT', '5497558138880', 'JUSTID'],
      ['XAUTOCLAIM', 'w', 'g', 'c', '0', '0', 'COUNT', '5497558138881'], ['XAUTOCLAIM', 'nokey', 'g', 'c', '0', '0', 'COUNT', '5497558138881'],
    ]
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { normalize: maskStreamReply })).toBeNull()
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto: 3, normalize: maskStreamReply })).toBeNull()
  })
})
