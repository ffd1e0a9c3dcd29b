import { describe, expect, it } from 'vitest'
import { ReplyConnection, rng } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { runScenario, type Step as BlockingStep } from '../helpers/scenarios.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Seeded random transactions on three connections, sent in the same order to respite
 * and to a real redis-server; every reply must match byte for byte, in RESP2 and
 * RESP3. The sequences mix MULTI/EXEC/DISCARD/WATCH/UNWATCH (nested, misplaced,
 * with wrong arity), commands refused while queueing (unknown, wrong arity, no_multi),
 * runtime errors inside EXEC (WRONGTYPE, not an integer), blocking commands inside
 * MULTI, and the other connections changing watched keys in every way WATCH must
 * notice: writes, deletes, emptied collections, expiry, RENAME, MOVE, COPY, FLUSHDB,
 * FLUSHALL and SWAPDB, in several databases.
 *
 * Seeds: 101-106 (RESP2) and 202-212 even (RESP3), 600 steps each; the seed and
 * step of a mismatch, with the steps before it, are in the failure message.
 */

const skip = missingTool('redis-server')

/** One request on one connection, or a pause that lets PX 1 keys expire on both servers. */
type Step = { conn: number; args: string[] } | { pause: number }

const KEYS = ['a', 'b', 'c', 'l', 'h', 's', 'z', 'n']
const CONNS = 3

function generate(seed: number, length: number): Step[] {
  const r = rng(seed)
  const steps: Step[] = []
  const inMulti = [false, false, false]
  const key = () => r.pick(KEYS)
  const keys = () => Array.from({ length: 1 + r.int(3) }, key)
  const value = () => r.pick(['1', '2', 'x', '10', '-3', ''])
  /** A command on existing data: reads, writes, type errors, deletes that empty collections. */
  function dataCommand(inTransaction: boolean): string[] {
    switch (r.int(30)) {
      case 0: return ['SET', key(), value()]
      case 1: return ['GET', key()]
      case 2: return ['INCR', key()]
      case 3: return ['INCRBY', key(), r.pick(['2', 'x'])]
      case 4: return ['DEL', ...keys()]
      case 5: return ['LPUSH', key(), value()]
      case 6: return ['RPOP', key()]
      case 7: return ['LRANGE', key(), '0', '-1']
      case 8: return ['HSET', key(), r.pick(['f', 'g']), value()]
      case 9: return ['HDEL', key(), r.pick(['f', 'g'])]
      case 10: return ['HINCRBY', key(), 'f', '1']
      case 11: return ['SADD', key(), r.pick(['m', 'n'])]
      case 12: return ['SREM', key(), r.pick(['m', 'n'])]
      case 13: return ['ZADD', key(), String(r.int(5)), r.pick(['m', 'n'])]
      case 14: return ['ZRANGE', key(), '0', '-1', 'WITHSCORES']
      case 15: return ['EXPIRE', key(), '1000']
      case 16: return ['PERSIST', key()]
      case 17: return ['RENAME', key(), key()]
      case 18: return ['MOVE', key(), r.pick(['1', '2'])]
      case 19: return ['COPY', key(), key(), ...(r.chance(0.5) ? ['REPLACE'] : [])]
      case 20: return ['APPEND', key(), 'y']
      case 21: return ['GETDEL', key()]
      case 22: return ['EXISTS', ...keys()]
      case 23: return ['TYPE', key()]
      case 24: return ['MGET', ...keys()]
      case 25: return ['SELECT', r.pick(['0', '0', '1', '2'])]
      case 26: return r.chance(0.3) ? ['FLUSHALL'] : ['FLUSHDB']
      case 27: return ['SWAPDB', r.pick(['0', '1']), r.pick(['1', '2'])]
      // Outside a transaction, a key that is gone 1 ms later (the runner pauses after it).
      case 28: return inTransaction ? ['SET', key(), value(), 'PX', '100000'] : ['SET', key(), value(), 'PX', '1']
      default: return ['SCARD', key()]
    }
  }
  /** Refused while queueing: the transaction is then doomed. */
  function refused(inTransaction: boolean): string[] {
    // SAVE only where it is refused: outside MULTI redis-server would write a file.
    if (inTransaction && r.chance(0.2)) return ['SAVE']
    return r.pick([['NOSUCH', key()], ['GET'], ['SET', key()], ['CONFIG', 'NOPE'], ['HSET', key(), 'f']])
  }
  /** Blocking commands, only inside MULTI, where they answer at once. */
  function blocking(): string[] {
    return r.pick([['BLPOP', key(), '0'], ['BRPOP', key(), key(), '1'], ['BLMOVE', key(), key(), 'LEFT', 'RIGHT', '0'], ['BZPOPMIN', key(), '0'], ['BLMPOP', '0', '1', key(), 'LEFT']])
  }
  while (steps.length < length) {
    const conn = r.int(CONNS)
    const push = (args: string[]) => {
      steps.push({ conn, args })
      const name = args[0].toUpperCase()
      if (name === 'MULTI') inMulti[conn] = true
      else if (name === 'EXEC' || name === 'DISCARD' || name === 'RESET') inMulti[conn] = false
      if (args.includes('PX') && args.at(-1) === '1') steps.push({ pause: 5 })
    }
    if (inMulti[conn]) {
      const roll = r.int(100)
      if (roll < 55) push(dataCommand(true))
      else if (roll < 62) push(blocking())
      else if (roll < 66) push(refused(true))
      else if (roll < 68) push(['MULTI'])
      else if (roll < 70) push(['WATCH', key()])
      else if (roll < 72) push(['UNWATCH'])
      else if (roll < 92) push(r.chance(0.03) ? ['EXEC', 'extra'] : ['EXEC'])
      else if (roll < 98) push(['DISCARD'])
      else push(['RESET'])
    } else {
      const roll = r.int(100)
      if (roll < 50) push(dataCommand(false))
      else if (roll < 65) push(['WATCH', ...keys()])
      else if (roll < 85) push(['MULTI'])
      else if (roll < 89) push(['UNWATCH'])
      else if (roll < 93) push(r.pick([['EXEC'], ['DISCARD']]))
      else push(refused(false))
    }
  }
  // End each connection's transaction, then show the whole state of the touched
  // databases; each read answers WRONGTYPE for the types it does not show.
  for (let conn = 0; conn < CONNS; conn++) steps.push({ conn, args: ['DISCARD'] })
  for (const db of ['0', '1', '2']) {
    steps.push({ conn: 0, args: ['SELECT', db] })
    for (const k of KEYS) {
      for (const args of [['TYPE', k], ['GET', k], ['HMGET', k, 'f', 'g'], ['SORT', k, 'ALPHA'], ['ZRANGE', k, '0', '-1', 'WITHSCORES']]) {
        steps.push({ conn: 0, args })
      }
    }
  }
  return steps
}

interface Mismatch { seed: number; index: number; step: string; respite: string; redis: string; before: string[] }

/** How the EXECs of the sequences ended, to show the seeds reach every outcome. */
interface Outcomes { ran: number; watched: number; aborted: number; refused: number; queued: number }

function tally(outcomes: Outcomes, args: string[], reply: string): void {
  if (reply === '+QUEUED\r\n') outcomes.queued++
  if (args[0] !== 'EXEC') return
  if (reply === '*-1\r\n' || reply === '_\r\n') outcomes.watched++
  else if (reply.startsWith('-EXECABORT Transaction discarded because of previous')) outcomes.aborted++
  else if (reply.startsWith('*')) outcomes.ran++
  else outcomes.refused++
}

async function runBoth(respitePort: number, redisPort: number, seed: number, steps: Step[], proto: 2 | 3, outcomes: Outcomes): Promise<Mismatch | null> {
  const open = async (port: number) => {
    const conns = await Promise.all(Array.from({ length: CONNS }, () => ReplyConnection.open(port)))
    await conns[0].call(['FLUSHALL'])
    if (proto === 3) for (const c of conns) await c.call(['HELLO', '3'])
    return conns
  }
  const ours = await open(respitePort)
  const theirs = await open(redisPort)
  const shown = (s: Step) => ('pause' in s ? `(pause ${s.pause} ms)` : `${s.conn}: ${s.args.join(' ')}`)
  try {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]
      if ('pause' in step) {
        // Lets a PX 1 key's time pass on both servers; nothing is timed.
        await new Promise((r) => setTimeout(r, step.pause))
        continue
      }
      const a = await ours[step.conn].call(step.args)
      const b = await theirs[step.conn].call(step.args)
      tally(outcomes, step.args, b)
      if (a !== b) return { seed, index: i, step: shown(step), respite: a, redis: b, before: steps.slice(Math.max(0, i - 25), i).map(shown) }
    }
    return null
  } finally {
    for (const c of [...ours, ...theirs]) c.close()
  }
}

/**
 * One write from another connection to a watched key: [setup, write, watched key].
 * Each makes EXEC fail on redis-server; none of them is a no-op there.
 */
const WRITES: [setup: string[][], write: string[], watched: string][] = [
  [[['RPUSH', 'l', 'a', 'b']], ['LPUSH', 'l', 'x'], 'l'],
  [[['RPUSH', 'l', 'a', 'b']], ['RPUSH', 'l', 'x'], 'l'],
  [[['RPUSH', 'l', 'a', 'b']], ['LPUSHX', 'l', 'x'], 'l'],
  [[['RPUSH', 'l', 'a', 'b']], ['RPUSHX', 'l', 'x'], 'l'],
  [[['RPUSH', 'l', 'a', 'b']], ['LPOP', 'l'], 'l'],
  [[['RPUSH', 'l', 'a', 'b']], ['RPOP', 'l'], 'l'],
  [[['RPUSH', 'l', 'a', 'b']], ['LSET', 'l', '0', 'z'], 'l'],
  [[['RPUSH', 'l', 'a', 'b']], ['LINSERT', 'l', 'BEFORE', 'a', 'z'], 'l'],
  [[['RPUSH', 'l', 'a', 'b']], ['LREM', 'l', '0', 'a'], 'l'],
  [[['RPUSH', 'l', 'a', 'b']], ['LTRIM', 'l', '0', '0'], 'l'],
  [[['RPUSH', 'l', 'a', 'b']], ['LMOVE', 'l', 'm', 'LEFT', 'RIGHT'], 'l'],
  [[['RPUSH', 'l', 'a', 'b'], ['RPUSH', 'm', 'x']], ['LMOVE', 'l', 'm', 'LEFT', 'RIGHT'], 'm'],
  [[['RPUSH', 'l', 'a', 'b'], ['RPUSH', 'm', 'x']], ['RPOPLPUSH', 'l', 'm'], 'm'],
  [[['RPUSH', 'l', 'a', 'b']], ['LMPOP', '1', 'l', 'LEFT'], 'l'],
  [[['HSET', 'h', 'f', 'v']], ['HSET', 'h', 'g', 'v'], 'h'],
  [[['HSET', 'h', 'f', 'v']], ['HSET', 'h', 'f', 'w'], 'h'],
  [[['HSET', 'h', 'f', 'v']], ['HSET', 'h', 'f', 'v'], 'h'],
  [[['HSET', 'h', 'f', 'v']], ['HMSET', 'h', 'f', 'w'], 'h'],
  [[['HSET', 'h', 'f', 'v']], ['HSETNX', 'h', 'g', 'w'], 'h'],
  [[['HSET', 'h', 'f', 'v', 'g', 'w']], ['HDEL', 'h', 'f'], 'h'],
  [[['HSET', 'h', 'f', '1']], ['HINCRBY', 'h', 'f', '1'], 'h'],
  [[['HSET', 'h', 'f', '1']], ['HINCRBYFLOAT', 'h', 'f', '1.5'], 'h'],
  [[['SADD', 's', 'a']], ['SADD', 's', 'b'], 's'],
  [[['SADD', 's', 'a', 'b']], ['SREM', 's', 'b'], 's'],
  [[['SADD', 's', 'a', 'b']], ['SMOVE', 's', 't', 'a'], 's'],
  [[['SADD', 's', 'a', 'b'], ['SADD', 't', 'x']], ['SMOVE', 's', 't', 'a'], 't'],
  [[['SADD', 's', 'a', 'b'], ['SADD', 't', 'x']], ['SUNIONSTORE', 't', 's'], 't'],
  [[['SADD', 's', 'a', 'b'], ['SADD', 't', 'x']], ['SINTERSTORE', 't', 's', 's'], 't'],
  [[['SADD', 's', 'a', 'b'], ['SADD', 't', 'x']], ['SDIFFSTORE', 't', 's'], 't'],
  [[['ZADD', 'z', '1', 'a']], ['ZADD', 'z', '2', 'b'], 'z'],
  [[['ZADD', 'z', '1', 'a']], ['ZADD', 'z', '2', 'a'], 'z'],
  [[['ZADD', 'z', '1', 'a']], ['ZINCRBY', 'z', '2', 'a'], 'z'],
  [[['ZADD', 'z', '1', 'a', '2', 'b']], ['ZREM', 'z', 'a'], 'z'],
  [[['ZADD', 'z', '1', 'a', '2', 'b']], ['ZPOPMIN', 'z'], 'z'],
  [[['ZADD', 'z', '1', 'a', '2', 'b']], ['ZPOPMAX', 'z'], 'z'],
  [[['ZADD', 'z', '1', 'a', '2', 'b']], ['ZMPOP', '1', 'z', 'MIN'], 'z'],
  [[['ZADD', 'z', '1', 'a', '2', 'b']], ['ZREMRANGEBYSCORE', 'z', '1', '1'], 'z'],
  [[['ZADD', 'z', '1', 'a', '2', 'b']], ['ZREMRANGEBYRANK', 'z', '0', '0'], 'z'],
  [[['ZADD', 'z', '0', 'a', '0', 'b']], ['ZREMRANGEBYLEX', 'z', '[a', '[a'], 'z'],
  [[['ZADD', 'z', '1', 'a'], ['ZADD', 'y', '1', 'q']], ['ZUNIONSTORE', 'y', '1', 'z'], 'y'],
  [[['ZADD', 'z', '1', 'a'], ['ZADD', 'y', '1', 'q']], ['ZINTERSTORE', 'y', '1', 'z'], 'y'],
  [[['ZADD', 'z', '1', 'a'], ['ZADD', 'y', '1', 'q']], ['ZDIFFSTORE', 'y', '1', 'z'], 'y'],
  [[['ZADD', 'z', '1', 'a'], ['ZADD', 'y', '1', 'q']], ['ZRANGESTORE', 'y', 'z', '0', '-1'], 'y'],
  [[['RPUSH', 'l', 'b', 'a'], ['SET', 'y', 'x']], ['SORT', 'l', 'ALPHA', 'STORE', 'y'], 'y'],
  [[['SET', 'k', 'abc']], ['SETRANGE', 'k', '1', 'z'], 'k'],
  [[['SET', 'k', 'abc']], ['APPEND', 'k', 'z'], 'k'],
  [[['SET', 'k', '1']], ['INCR', 'k'], 'k'],
  [[['SET', 'k', '1']], ['DECRBY', 'k', '3'], 'k'],
  [[['SET', 'k', '1']], ['INCRBYFLOAT', 'k', '1.5'], 'k'],
  [[['SET', 'k', '1']], ['GETSET', 'k', '2'], 'k'],
  [[['SET', 'k', '1']], ['SET', 'k', '1'], 'k'],
  [[['SET', 'k', '1']], ['MSET', 'k', '2'], 'k'],
  [[], ['MSETNX', 'k', '2'], 'k'],
  [[['SET', 'k', '1']], ['SETEX', 'k', '100', '2'], 'k'],
  [[['SET', 'k', '1']], ['PSETEX', 'k', '100000', '2'], 'k'],
  [[], ['SETNX', 'k', '2'], 'k'],
  [[['SET', 'k', '1']], ['PEXPIRE', 'k', '100000'], 'k'],
  [[['SET', 'k', '1']], ['EXPIREAT', 'k', '99999999999'], 'k'],
  [[['SET', 'k', '1']], ['EXPIRE', 'k', '0'], 'k'],
  [[['SET', 'k', '1'], ['SET', 'j', '2']], ['RENAMENX', 'k', 'm'], 'm'],
  [[['SET', 'k', '1', 'EX', '100']], ['GETEX', 'k', 'PERSIST'], 'k'],
  [[['SET', 'k', '1']], ['SET', 'k', '2', 'KEEPTTL'], 'k'],
  [[['SET', 'k', '1']], ['SET', 'k', '2', 'XX', 'GET'], 'k'],
]
describe.skipIf(skip !== null)('differential: MULTI, EXEC, DISCARD, WATCH and UNWATCH on three connections', () => {
  const servers = useRespiteAndRedis()

  // The outcome counts of each run are logged; every kind must be well represented.
  for (const [proto, seeds] of [[2, [101, 102, 103, 104, 105, 106]], [3, [202, 204, 206, 208, 210, 212]]] as const) {
    it(`matches redis-server on seeded random transactions (RESP${proto}; seeds ${seeds.join(', ')}; 600 steps each)`, async () => {
      const outcomes: Outcomes = { ran: 0, watched: 0, aborted: 0, refused: 0, queued: 0 }
      for (const seed of seeds) {
        const mismatch = await runBoth(servers.respite.port, servers.redis.port, seed, generate(seed, 600), proto, outcomes)
        expect(mismatch).toBeNull()
      }
      console.log(`RESP${proto} EXEC outcomes`, JSON.stringify(outcomes))
      expect(Math.min(outcomes.ran, outcomes.watched, outcomes.aborted, outcomes.refused)).toBeGreaterThan(20)
    })
  }

  it('every write to a watched key fails EXEC as in Redis (LPUSH RPUSH LPUSHX RPUSHX LMOVE RPOPLPUSH ZADD ZINCRBY SETRANGE APPEND INCR DECRBY INCRBYFLOAT GETSET MSET MSETNX SETEX PSETEX SETNX PEXPIRE EXPIREAT RENAMENX GETEX SUNIONSTORE SINTERSTORE SDIFFSTORE ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZRANGESTORE SORT...)', async () => {
    const wrong: string[] = []
    for (const [setup, write, watched] of WRITES) {
      const execs: string[] = []
      for (const port of [servers.respite.port, servers.redis.port]) {
        const watcher = await ReplyConnection.open(port)
        const writer = await ReplyConnection.open(port)
        try {
          await watcher.call(['FLUSHALL'])
          for (const args of setup) await watcher.call(args)
          await watcher.call(['WATCH', watched])
          await writer.call(write)
          await watcher.call(['MULTI'])
          execs.push(await watcher.call(['EXEC']))
        } finally {
          watcher.close()
          writer.close()
        }
      }
      const [ours, theirs] = execs
      expect(theirs, write.join(' ')).toBe('*-1\r\n')
      if (ours !== theirs) wrong.push(`${write.join(' ')} watching ${watched}: EXEC ran`)
    }
    expect(wrong).toEqual([])
  })

  async function same(steps: BlockingStep[]): Promise<void> {
    const ours = await runScenario(servers.respite.port, steps)
    const theirs = await runScenario(servers.redis.port, steps)
    expect(ours).toEqual(theirs)
  }

  it('EXEC serves blocked clients after the whole transaction: a push popped again inside it feeds no one', () =>
    same([
      [1, ['BLPOP', 'q', '0'], 'blocks'],
      [0, ['MULTI']],
      [0, ['LPUSH', 'q', 'first']],
      [0, ['LPOP', 'q']],
      [0, ['EXEC']],
      [0, ['MULTI']],
      [0, ['LPUSH', 'q', 'x']],
      [0, ['LPUSH', 'q', 'y']],
      [0, ['RPOP', 'q']],
      [0, ['EXEC']],
      [0, ['LRANGE', 'q', '0', '-1']],
    ]))

  it('a client that blocked before another\'s EXEC is served once, with the state after EXEC', () =>
    same([
      [1, ['BRPOP', 'a', 'b', '0'], 'blocks'],
      [2, ['BLMOVE', 'b', 'dst', 'LEFT', 'RIGHT', '0'], 'blocks'],
      [0, ['MULTI']],
      [0, ['RPUSH', 'b', 'b1', 'b2']],
      [0, ['RPUSH', 'a', 'a1']],
      [0, ['DEL', 'a']],
      [0, ['EXEC']],
      [0, ['LRANGE', 'b', '0', '-1']],
      [0, ['LRANGE', 'dst', '0', '-1']],
    ]))

  it('a blocked client\'s own pop does not touch another\'s WATCH before it is served; its serving does', () =>
    same([
      [0, ['WATCH', 'q']],
      [1, ['BLPOP', 'q', '0'], 'blocks'],
      [0, ['MULTI']],
      [0, ['PING']],
      [0, ['EXEC']],
      [0, ['WATCH', 'q']],
      [2, ['RPUSH', 'q', 'v']],
      [0, ['MULTI']],
      [0, ['EXEC']],
    ]))
})
