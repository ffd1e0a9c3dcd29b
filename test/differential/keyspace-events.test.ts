import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest'
import { bulkText, elements, frameEnd, ReplyConnection, rng, runDifferential } from '../helpers/differential.js'
import { until, useRespiteAndRedis } from '../helpers/fixture.js'
import { resp } from '../helpers/raw.js'
import { runScenario } from '../helpers/scenarios.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Keyspace notifications against a real redis-server: a connection subscribed to
 * `__key*__:*` on each server sees the events of the same seeded random sequence of
 * write (and reading) commands of every family, and the events after each command
 * must match: names, classes, keys, databases and order, including "new", "keymiss",
 * the "del" after an emptying pop, and the "expired" of lazy expiry.
 *
 * Active expiry is paused on both servers while a sequence runs (Redis's DEBUG
 * SET-ACTIVE-EXPIRE, respite's cycle stubbed), so a key whose time has passed expires
 * exactly when a command touches it; TTLs are either long, already past (PXAT 1), or
 * 5 ms followed at once by a wait of 15. Active expiry has its own test.
 */

const skip = missingTool('redis-server')

/** A connection subscribed to every keyspace and keyevent channel. */
class EventLog {
  private buf: Buffer = Buffer.alloc(0)
  private waiter: (() => void) | null = null

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d])
      this.waiter?.()
    })
    socket.on('error', () => {})
  }

  /** The next complete frame, waiting for the socket (not polling: this runs thousands of times). */
  private async frame(): Promise<string> {
    const deadline = Date.now() + 5000
    for (;;) {
      const end = frameEnd(this.buf, 0)
      if (end > 0) {
        const frame = this.buf.toString('latin1', 0, end)
        this.buf = this.buf.subarray(end)
        return frame
      }
      if (Date.now() > deadline) throw new Error(`no complete frame: ${JSON.stringify(this.buf.toString('latin1'))}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100)
        this.waiter = () => {
          clearTimeout(timer)
          this.waiter = null
          resolve()
        }
      })
    }
  }

  static async open(port: number): Promise<EventLog> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s))
      s.once('error', reject)
    })
    const log = new EventLog(socket)
    socket.write(resp('PSUBSCRIBE', '__key*__:*'))
    await log.drain()
    return log
  }

  /**
   * Every event received so far, as "channel message". A PING round trip marks the
   * end: events are sent before the reply of the command that caused them, so once
   * that reply is in, PING's answer comes after all of them.
   */
  async drain(): Promise<string[]> {
    this.socket.write(resp('PING'))
    const events: string[] = []
    for (;;) {
      const items = elements(await this.frame()).items.map((f) => bulkText(f) ?? '')
      if (items[0] === 'pong') return events
      if (items[0] === 'pmessage') events.push(`${items[2]} ${items[3]}`)
    }
  }

  close(): void {
    this.socket.destroy()
  }
}

/** What each command of a sequence made the server publish, with its reply for the failure report. */
interface Recorded {
  replies: string[]
  events: string[][]
}

/**
 * Runs `commands` on an emptied server with notify-keyspace-events set to `flags`.
 * ['WAIT', ms] pauses instead, so that a short TTL set just before has passed.
 */
async function record(port: number, flags: string, commands: string[][]): Promise<Recorded> {
  const conn = await ReplyConnection.open(port)
  const log = await EventLog.open(port)
  try {
    await conn.call(['FLUSHALL'])
    await conn.call(['CONFIG', 'SET', 'notify-keyspace-events', flags])
    await log.drain()
    const replies: string[] = []
    const events: string[][] = []
    for (const args of commands) {
      if (args[0] === 'WAIT') {
        await new Promise((r) => setTimeout(r, Number(args[1])))
        continue
      }
      replies.push(await conn.call(args))
      events.push(await log.drain())
    }
    return { replies, events }
  } finally {
    await conn.call(['CONFIG', 'SET', 'notify-keyspace-events', ''])
    conn.close()
    log.close()
  }
}

// --- the random sequence -------------------------------------------------------------------

const STRINGS = ['s1', 's2', 's3']
const LISTS = ['l1', 'l2', 'l3']
const HASHES = ['h1', 'h2']
const SETS = ['t1', 't2', 't3']
const ZSETS = ['z1', 'z2', 'z3']
const STREAMS = ['x1', 'x2']
const ALL = [...STRINGS, ...LISTS, ...HASHES, ...SETS, ...ZSETS, ...STREAMS, 'none']
const MEMBERS = ['a', 'b', 'c', '1', '2', '3']
const NUMBERS = ['0', '1', '-2', '10', '1.5', 'x', '']

/**
 * A sequence touching every write command of every family, with reads in between
 * (for keymiss), wrong types, no-op cases, and the three kinds of TTL described above.
 * Commands whose effect is random (SPOP with a count below the size) are followed by
 * a DEL of the key, so the servers' states cannot drift apart.
 */
function generate(seed: number, length: number): string[][] {
  const r = rng(seed)
  // Mostly a key of the family's type; now and then any key, for WRONGTYPE and misses.
  const of = (pool: string[]) => (r.chance(0.8) ? r.pick(pool) : r.pick(ALL))
  const member = () => r.pick(MEMBERS)
  const members = () => Array.from({ length: 1 + r.int(3) }, member)
  const num = () => (r.chance(0.7) ? String(r.int(5) - 1) : r.pick(NUMBERS))
  const cmds: string[][] = []
  /** A command setting a TTL of a few ms, then the wait that lets it pass. */
  // 5 ms, not 1: a server that takes over a millisecond to run the command (a loaded
  // CI machine) finds a 1 ms TTL already past and deletes the key instead ("del").
  const shortTtl = (cmd: string[]) => cmds.push(cmd, ['WAIT', '15'])
  while (cmds.length < length) {
    switch (r.int(44)) {
      // --- strings
      case 0: case 1: {
        const cmd = ['SET', of(STRINGS), r.pick(['v', '1', '10'])]
        const option = r.int(9)
        if (option === 1) cmd.push('NX')
        else if (option === 2) cmd.push('XX')
        else if (option === 3) cmd.push('GET')
        else if (option === 4) cmd.push('EX', '1000')
        else if (option === 5) cmd.push('PXAT', '1')
        else if (option === 6) cmd.push('KEEPTTL')
        else if (option === 7) cmd.push('XX', 'GET', 'EXAT', '1')
        if (option === 8) shortTtl([...cmd, 'PX', '5'])
        else cmds.push(cmd)
        break
      }
      case 2:
        cmds.push(r.pick([
          ['SETNX', of(STRINGS), 'v'], ['SETEX', of(STRINGS), '1000', 'v'], ['GETSET', of(STRINGS), '2'],
          ['GETDEL', of(STRINGS)], ['MSET', of(STRINGS), '1', of(STRINGS), 'v'], ['MSETNX', of(STRINGS), '1', of(STRINGS), '2'],
        ]))
        break
      case 3: {
        const key = of(STRINGS)
        const option = r.int(6)
        if (option === 0) cmds.push(['GETEX', key])
        else if (option === 1) cmds.push(['GETEX', key, 'EX', '1000'])
        else if (option === 2) cmds.push(['GETEX', key, 'PXAT', '1'])
        else if (option === 3) cmds.push(['GETEX', key, 'PERSIST'])
        else if (option === 4) shortTtl(['GETEX', key, 'PX', '5'])
        else shortTtl(['PSETEX', key, '5', 'v'])
        break
      }
      case 4:
        cmds.push(r.pick([
          ['APPEND', of(STRINGS), r.pick(['x', ''])], ['INCR', of(STRINGS)], ['DECR', of(STRINGS)],
          ['INCRBY', of(STRINGS), num()], ['DECRBY', of(STRINGS), num()], ['INCRBYFLOAT', of(STRINGS), num()],
          ['SETRANGE', of(STRINGS), String(r.int(4)), r.pick(['x', ''])],
        ]))
        break
      case 5:
        cmds.push(r.pick([['GET', of(STRINGS)], ['STRLEN', of(STRINGS)], ['MGET', of(STRINGS), of(STRINGS)], ['GETRANGE', of(STRINGS), '0', '-1']]))
        break
      // --- keys
      case 6: case 7:
        cmds.push(r.pick([
          ['DEL', r.pick(ALL), r.pick(ALL)], ['UNLINK', r.pick(ALL)], ['RENAME', r.pick(ALL), r.pick(ALL)],
          ['RENAMENX', r.pick(ALL), r.pick(ALL)], ['COPY', r.pick(ALL), r.pick(ALL)], ['COPY', r.pick(ALL), r.pick(ALL), 'REPLACE'],
          ['COPY', r.pick(ALL), r.pick(ALL), 'DB', '1'], ['MOVE', r.pick(ALL), '1'],
        ]))
        break
      case 8: {
        const key = r.pick(ALL)
        const option = r.int(8)
        if (option === 0) cmds.push(['EXPIRE', key, '1000'])
        else if (option === 1) cmds.push(['EXPIRE', key, r.pick(['-1', '0'])])
        else if (option === 2) cmds.push(['EXPIRE', key, '2000', r.pick(['NX', 'XX', 'GT', 'LT'])])
        else if (option === 3) cmds.push(['PEXPIREAT', key, '1'])
        else if (option === 4) cmds.push(['EXPIREAT', key, '99999999999'])
        else if (option === 5) cmds.push(['PERSIST', key])
        else if (option === 6) shortTtl(['PEXPIRE', key, '5'])
        else cmds.push(['SET', key, 'v', 'PXAT', '1'])
        break
      }
      case 9:
        cmds.push(r.pick([
          ['EXISTS', r.pick(ALL), r.pick(ALL)], ['TYPE', r.pick(ALL)], ['TTL', r.pick(ALL)], ['PTTL', r.pick(ALL)],
          ['TOUCH', r.pick(ALL)], ['DBSIZE'], ['OBJECT', 'ENCODING', r.pick(ALL)],
        ]))
        break
      case 10:
        // Rare, as they clear most of the state.
        if (r.chance(0.1)) cmds.push(r.pick([['FLUSHDB'], ['FLUSHALL'], ['SWAPDB', '0', '1'], ['FLUSHDB', 'ASYNC']]))
        else cmds.push(['SELECT', '0'])
        break
      // --- lists
      case 11: case 12: case 13:
        cmds.push([r.pick(['LPUSH', 'RPUSH', 'LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX']), of(LISTS), ...members()])
        break
      case 14: {
        const cmd = [r.pick(['LPOP', 'RPOP']), of(LISTS)]
        if (r.chance(0.5)) cmd.push(r.pick(['0', '1', '2', '10']))
        cmds.push(cmd)
        break
      }
      case 15:
        cmds.push(r.pick([
          ['LSET', of(LISTS), String(r.int(4) - 1), member()], ['LINSERT', of(LISTS), r.pick(['BEFORE', 'AFTER']), member(), member()],
          ['LREM', of(LISTS), String(r.int(3) - 1), member()], ['LTRIM', of(LISTS), String(r.int(3) - 1), String(r.int(4) - 2)],
        ]))
        break
      case 16:
        cmds.push(r.pick([
          ['LMOVE', of(LISTS), of(LISTS), r.pick(['LEFT', 'RIGHT']), r.pick(['LEFT', 'RIGHT'])], ['RPOPLPUSH', of(LISTS), of(LISTS)],
          ['LMPOP', '2', of(LISTS), of(LISTS), r.pick(['LEFT', 'RIGHT']), 'COUNT', String(1 + r.int(3))],
        ]))
        break
      case 17:
        // A blocking pop that finds nothing waits 10 ms and times out on both servers.
        cmds.push(r.pick([
          ['BLPOP', of(LISTS), of(LISTS), '0.01'], ['BRPOP', of(LISTS), '0.01'], ['BLMOVE', of(LISTS), of(LISTS), 'RIGHT', 'LEFT', '0.01'],
          ['BRPOPLPUSH', of(LISTS), of(LISTS), '0.01'], ['BLMPOP', '0.01', '1', of(LISTS), 'LEFT', 'COUNT', '2'],
        ]))
        break
      case 18:
        cmds.push(r.pick([['LRANGE', of(LISTS), '0', '-1'], ['LLEN', of(LISTS)], ['LINDEX', of(LISTS), '0'], ['LPOS', of(LISTS), member()]]))
        break
      // --- hashes
      case 19: case 20:
        cmds.push(r.pick([
          ['HSET', of(HASHES), member(), num()], ['HSET', of(HASHES), member(), '1', member(), '2'], ['HMSET', of(HASHES), member(), 'v'],
          ['HSETNX', of(HASHES), member(), 'v'], ['HINCRBY', of(HASHES), member(), num()], ['HINCRBYFLOAT', of(HASHES), member(), num()],
        ]))
        break
      case 21:
        cmds.push(r.pick([['HDEL', of(HASHES), ...members()], ['HGET', of(HASHES), member()], ['HGETALL', of(HASHES)], ['HLEN', of(HASHES)], ['HEXISTS', of(HASHES), member()]]))
        break
      // --- sets
      case 22: case 23:
        cmds.push(r.pick([['SADD', of(SETS), ...members()], ['SREM', of(SETS), ...members()], ['SMOVE', of(SETS), of(SETS), member()]]))
        break
      case 24: {
        const key = of(SETS)
        if (r.chance(0.5)) cmds.push(['SPOP', key, r.pick(['0', '10'])])
        else cmds.push(r.pick([['SPOP', key], ['SPOP', key, '1']]), ['DEL', key])
        break
      }
      case 25:
        cmds.push(r.pick([
          ['SINTERSTORE', of(SETS), of(SETS), of(SETS)], ['SUNIONSTORE', of(SETS), of(SETS)], ['SDIFFSTORE', of(SETS), of(SETS), of(SETS)],
          ['SMEMBERS', of(SETS)], ['SCARD', of(SETS)], ['SISMEMBER', of(SETS), member()], ['SINTERCARD', '2', of(SETS), of(SETS)],
        ]))
        break
      // --- sorted sets
      case 26: case 27: case 28: {
        const cmd = ['ZADD', of(ZSETS)]
        const option = r.int(8)
        if (option === 1) cmd.push(r.pick(['NX', 'XX']))
        else if (option === 2) cmd.push(r.pick(['GT', 'LT']), 'CH')
        else if (option === 3) cmd.push('INCR')
        cmd.push(String(r.int(4)), member())
        if (option !== 3 && r.chance(0.4)) cmd.push(String(r.int(4)), member())
        cmds.push(cmd)
        break
      }
      case 29:
        cmds.push(r.pick([['ZINCRBY', of(ZSETS), r.pick(['0', '1', '-1']), member()], ['ZREM', of(ZSETS), ...members()]]))
        break
      case 30:
        cmds.push(r.pick([
          ['ZREMRANGEBYSCORE', of(ZSETS), String(r.int(3)), String(r.int(4))], ['ZREMRANGEBYRANK', of(ZSETS), String(r.int(3) - 1), String(r.int(3))],
          ['ZREMRANGEBYLEX', of(ZSETS), r.pick(['-', '[b']), r.pick(['+', '(c'])],
        ]))
        break
      case 31:
        cmds.push(r.pick([
          ['ZPOPMIN', of(ZSETS)], ['ZPOPMAX', of(ZSETS), r.pick(['0', '2', '10'])], ['ZMPOP', '2', of(ZSETS), of(ZSETS), r.pick(['MIN', 'MAX']), 'COUNT', '2'],
          ['BZPOPMIN', of(ZSETS), '0.01'], ['BZPOPMAX', of(ZSETS), of(ZSETS), '0.01'], ['BZMPOP', '0.01', '1', of(ZSETS), 'MAX'],
        ]))
        break
      case 32:
        cmds.push(r.pick([
          ['ZRANGESTORE', of(ZSETS), of(ZSETS), '0', String(r.int(3) - 1)], ['ZRANGESTORE', of(ZSETS), of(ZSETS), '2', '3', 'BYSCORE'],
          ['ZUNIONSTORE', of(ZSETS), '2', of(ZSETS), of(SETS)], ['ZINTERSTORE', of(ZSETS), '2', of(ZSETS), of(ZSETS)],
          ['ZDIFFSTORE', of(ZSETS), '2', of(ZSETS), of(ZSETS)],
          // Geo: GEOADD is a ZADD; the stores publish their own event, or "del" for an empty result.
          ['GEOADD', of(ZSETS), r.pick(['13.36', '-180']), r.pick(['38.11', '-85']), member()],
          ['GEOSEARCHSTORE', of(ZSETS), of(ZSETS), 'FROMLONLAT', '-180', r.pick(['-85', '38']), 'BYRADIUS', '100', 'km', ...(r.chance(0.5) ? ['STOREDIST'] : [])],
          ['GEORADIUS', of(ZSETS), r.pick(['13', '-180']), '-85', '100', 'km', r.pick(['STORE', 'STOREDIST']), of(ZSETS)],
        ]))
        break
      case 33:
        cmds.push(r.pick([
          ['ZSCORE', of(ZSETS), member()], ['ZRANGE', of(ZSETS), '0', '-1'], ['ZCARD', of(ZSETS)], ['ZRANK', of(ZSETS), member()],
          ['ZUNION', '2', of(ZSETS), of(ZSETS)], ['ZRANDMEMBER', of(ZSETS)], ['ZCOUNT', of(ZSETS), '-inf', '+inf'],
        ]))
        break
      // Rarer paths, given their own turns.
      case 35:
        cmds.push(['HDEL', of(HASHES), ...members()])
        break
      case 36:
        cmds.push([r.pick(['SINTERSTORE', 'SUNIONSTORE']), of(SETS), of(SETS), of(SETS)])
        break
      case 37: {
        const key = r.pick(ALL)
        cmds.push(['EXPIRE', key, '1000'], ['PERSIST', key])
        break
      }
      // --- SORT
      case 34:
        cmds.push(r.pick([
          ['SORT', r.pick([...LISTS, ...SETS, ...ZSETS]), 'ALPHA', 'STORE', r.pick(ALL)],
          ['SORT', r.pick(LISTS), 'BY', 'nosort', 'GET', 's*', 'STORE', r.pick(LISTS)],
          ['SORT', r.pick(ALL), 'ALPHA', 'LIMIT', '0', '2'], ['SORT_RO', r.pick(ALL), 'BY', 'nosort', 'GET', '#', 'GET', 'h*->a'],
        ]))
        break
      // --- streams (ids from the clock: only the events are compared)
      case 38: {
        const key = of(STREAMS)
        cmds.push(r.pick([
          ['XADD', key, '*', 'f', member()], ['XADD', key, 'MAXLEN', r.pick(['0', '1', '2']), '*', 'f', 'v'],
          ['XADD', key, 'NOMKSTREAM', '*', 'f', 'v'], ['XDEL', key, '0-1'], ['XTRIM', key, 'MAXLEN', r.pick(['0', '1', '5'])],
          ['XSETID', key, '99999999999999-0'], ['XLEN', key], ['XRANGE', key, '-', '+'], ['XREAD', 'STREAMS', key, '0'],
        ]))
        break
      }
      case 39: {
        const key = of(STREAMS)
        const group = r.pick(['g1', 'g2'])
        cmds.push(r.pick([
          ['XGROUP', 'CREATE', key, group, '0', 'MKSTREAM'], ['XGROUP', 'CREATE', key, group, '$'], ['XGROUP', 'SETID', key, group, '0'],
          ['XGROUP', 'DESTROY', key, group], ['XGROUP', 'CREATECONSUMER', key, group, member()],
          ['XGROUP', 'DELCONSUMER', key, group, member()], ['XREADGROUP', 'GROUP', group, member(), 'COUNT', '1', 'STREAMS', key, '>'],
          ['XCLAIM', key, group, member(), '0', '0-1'], ['XAUTOCLAIM', key, group, member(), '0', '0'], ['XACK', key, group, '0-1'],
          ['XREADGROUP', 'GROUP', group, member(), 'BLOCK', '10', 'STREAMS', key, '>'], ['XREAD', 'BLOCK', '10', 'STREAMS', key, '$'],
        ]))
        break
      }
      case 40: case 41: {
        // Other commands often leave another type at a stream key: clear it now and then.
        const key = r.pick(STREAMS)
        if (r.chance(0.3)) cmds.push(['DEL', key])
        cmds.push(r.chance(0.6) ? ['XADD', key, '*', 'f', member()] : ['XGROUP', 'CREATE', key, r.pick(['g1', 'g2']), '0', 'MKSTREAM'])
        break
      }
      default:
        // Keys put in db 1 by MOVE and COPY ... DB come back, for events in both databases.
        if (r.chance(0.3)) cmds.push(['SELECT', '1'], ['MOVE', r.pick(ALL), '0'], ['SELECT', '0'])
        else cmds.push(['EXISTS', r.pick(ALL)])
        break
    }
  }
  return cmds
}

/** The first command after which the servers' events differ, with what led up to it. */
function firstDifference(commands: string[][], ours: Recorded, theirs: Recorded): string | null {
  const run = commands.filter((c) => c[0] !== 'WAIT')
  for (let i = 0; i < run.length; i++) {
    if (JSON.stringify(ours.events[i]) === JSON.stringify(theirs.events[i])) continue
    const lines = run.slice(Math.max(0, i - 12), i + 1).map((c, k) => {
      const j = Math.max(0, i - 12) + k
      return `${j}: ${c.join(' ')} -> ${JSON.stringify(theirs.replies[j])} ${JSON.stringify(theirs.events[j])}`
    })
    return `after command ${i} (${run[i].join(' ')})\nrespite: ${JSON.stringify(ours.events[i])}\nredis:   ${JSON.stringify(theirs.events[i])}\nlast commands, as redis-server saw them:\n${lines.join('\n')}`
  }
  return null
}

describe.skipIf(skip !== null)('differential: keyspace events of SET, GETDEL, GETEX, INCRBYFLOAT, DEL, RENAME, MOVE, COPY, EXPIRE, LPUSH, LMOVE, HSET, SADD, SMOVE, SINTERSTORE, ZADD, ZINCRBY, ZREMRANGEBYSCORE, ZPOPMIN, ZUNIONSTORE, SORT, XADD, XGROUP and every other write command', () => {
  // hz 100: redis-server then times out a blocked BLPOP ... 0.01 within 10 ms, not 100.
  const servers = useRespiteAndRedis({}, ['--enable-debug-command', 'local', '--hz', '100'])
  let cycle: MockInstance | null = null

  /** Stops active expiry on both servers, so only commands expire keys. */
  async function pauseActiveExpiry(): Promise<void> {
    const conn = await ReplyConnection.open(servers.redis.port)
    expect(await conn.call(['DEBUG', 'SET-ACTIVE-EXPIRE', '0'])).toBe('+OK\r\n')
    conn.close()
    cycle = vi.spyOn(servers.respite.server.store, 'expireCycle').mockReturnValue(0)
  }

  async function resumeActiveExpiry(): Promise<void> {
    const conn = await ReplyConnection.open(servers.redis.port)
    expect(await conn.call(['DEBUG', 'SET-ACTIVE-EXPIRE', '1'])).toBe('+OK\r\n')
    conn.close()
    cycle?.mockRestore()
    cycle = null
  }

  beforeAll(pauseActiveExpiry)
  afterAll(() => cycle?.mockRestore())

  // Seeds, length and flags: 3 seeds × 400 commands with every class (A leaves out n
  // and m, so they are named), and the same count with a few classes at a time.
  const RUNS: [seed: number, flags: string][] = [
    [71, 'KEAnm'], [72, 'KEAnm'], [73, 'KEAnm'],
    [74, 'KEA'], [75, 'Kg$lxn'], [76, 'Eshztm'],
  ]
  for (const [seed, flags] of RUNS) {
    it(`publishes what redis-server publishes for seed ${seed} with notify-keyspace-events ${flags}`, async () => {
      const commands = generate(seed, 400)
      const ours = await record(servers.respite.port, flags, commands)
      const theirs = await record(servers.redis.port, flags, commands)
      expect(firstDifference(commands, ours, theirs), `seed ${seed}`).toBeNull()
      // The sequence must really exercise the events, not agree on silence.
      if (flags === 'KEAnm') {
        const names = new Set(theirs.events.flat().map((e) => e.slice(e.indexOf(' ') + 1)))
        for (const event of ['new', 'keymiss', 'expired', 'del', 'lpush', 'hset', 'sadd', 'zadd', 'xadd', 'xgroup-create']) expect(names.has(event), event).toBe(true)
      }
    })
  }

  it('BLPOP, BLMOVE and BZPOPMIN clients served by LPUSH and ZADD: the pop events follow the push, as in Redis', async () => {
    const steps: [number, string[], 'blocks'?][] = [
      [0, ['CONFIG', 'SET', 'notify-keyspace-events', 'KEAn']],
      [1, ['PSUBSCRIBE', '__key*__:*']],
      [2, ['BLPOP', 'q', '0'], 'blocks'],
      [3, ['BLMOVE', 'q', 'dst', 'LEFT', 'RIGHT', '0'], 'blocks'],
      [0, ['RPUSH', 'q', 'a', 'b', 'c']],
      [4, ['BZPOPMIN', 'z', '0'], 'blocks'],
      [0, ['ZADD', 'z', '1', 'm']],
      [0, ['CONFIG', 'SET', 'notify-keyspace-events', '']],
    ]
    const ours = await runScenario(servers.respite.port, steps)
    const theirs = await runScenario(servers.redis.port, steps)
    expect(ours).toEqual(theirs)
  })

  it('active expiry publishes "expired" for every key whose time passed, and nothing else', async () => {
    const commands: string[][] = []
    for (let i = 0; i < 40; i++) commands.push(['SET', `k${i}`, 'v', 'PX', '1'])
    for (let i = 0; i < 10; i++) commands.push(['RPUSH', `list${i}`, 'a'], ['PEXPIRE', `list${i}`, '1'], ['SET', `kept${i}`, 'v'])
    const logs: string[][] = []
    for (const port of [servers.respite.port, servers.redis.port]) {
      const conn = await ReplyConnection.open(port)
      const log = await EventLog.open(port)
      try {
        await conn.call(['FLUSHALL'])
        await conn.call(['CONFIG', 'SET', 'notify-keyspace-events', 'Exm'])
        for (const cmd of commands) await conn.call(cmd)
        await log.drain()
        // Nothing reads the keys: only the active cycle can remove them.
        await resumeActiveExpiry()
        await until(async () => (await conn.call(['DBSIZE'])) === ':10\r\n', 'active expiry to remove 50 keys')
        logs.push((await log.drain()).sort())
        await pauseActiveExpiry()
      } finally {
        await conn.call(['CONFIG', 'SET', 'notify-keyspace-events', ''])
        conn.close()
        log.close()
      }
    }
    expect(logs[0]).toHaveLength(50)
    expect(logs[0]).toEqual(logs[1])
  })

  it('CONFIG SET and CONFIG GET notify-keyspace-events: canonical order, A without n and m, and the error text', async () => {
    const values = ['KEA', 'AKE', 'KEAnm', 'nKEA', 'g$lshzxetdKE', 'g$lshzxetdnKE', 'Ex', 'mn', 'Kn', 'KEA$', 'Ad',
      'xKEm', 'K', 'E', '', 'Q', 'KEAQ', 'x y', 'lgKs', 'tdeKE', 'AAA']
    const cmds: string[][] = []
    for (const v of values) cmds.push(['CONFIG', 'SET', 'notify-keyspace-events', v], ['CONFIG', 'GET', 'notify-keyspace-events'])
    cmds.push(['CONFIG', 'SET', 'notify-keyspace-events', 'KE', 'notify-keyspace-events', 'A'], ['CONFIG', 'GET', 'notify-keyspace-events'])
    cmds.push(['CONFIG', 'SET', 'notify-keyspace-events', 'KEA', 'hz', 'x'], ['CONFIG', 'GET', 'notify-keyspace-events'])
    cmds.push(['CONFIG', 'SET', 'notify-keyspace-events', ''])
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds)).toBeNull()
  })
})
