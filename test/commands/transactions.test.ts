import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ReplyConnection } from '../helpers/differential.js'
import { useRespite, WRONGTYPE } from '../helpers/fixture.js'
import { missingTool, startRedis, type RedisProcess } from '../helpers/servers.js'

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH, byte for byte. Every session runs on
 * respite and, where it is installed, on a real redis-server 7.0.15, and both must
 * answer exactly the bytes written here: the expectations are Redis's behaviour, not
 * respite's.
 */

const skipRedis = missingTool('redis-server')
const { respite } = await useRespite({ flush: false })
let redis: RedisProcess | null = null
beforeAll(async () => {
  if (skipRedis === null) redis = await startRedis()
})
afterAll(async () => {
  await redis?.stop()
})

/** One request on connection `conn` (0 unless given). */
type Step = string[] | [conn: number, args: string[]]

/** Runs the steps in order on fresh connections to an emptied server; the replies, in order. */
async function session(port: number, steps: Step[]): Promise<string[]> {
  const conns: ReplyConnection[] = []
  const open = async (i: number) => (conns[i] ??= await ReplyConnection.open(port))
  try {
    await (await open(0)).call(['FLUSHALL'])
    const replies: string[] = []
    for (const step of steps) {
      const [i, args] = typeof step[0] === 'number' ? (step as [number, string[]]) : [0, step as string[]]
      replies.push(await (await open(i)).call(args))
    }
    return replies
  } finally {
    for (const c of conns) c?.close()
  }
}

/** The steps answer exactly `expected`, on respite and on redis-server. */
async function expectSession(steps: Step[], expected: string[]): Promise<void> {
  expect(await session(respite.port, steps), 'respite').toEqual(expected)
  if (redis !== null) expect(await session(redis.port, steps), 'redis-server').toEqual(expected)
}

const OK = '+OK\r\n'
const QUEUED = '+QUEUED\r\n'
const HELLO3 = ['HELLO', '3']
/** HELLO 3's reply names the connection id, which differs between servers; tests skip it. */
const ANY = Symbol('any')

async function expectSessionSkipping(steps: Step[], expected: (string | typeof ANY)[]): Promise<void> {
  for (const [name, port] of [['respite', respite.port], ['redis-server', redis?.port]] as const) {
    if (port === undefined) continue
    const replies = await session(port, steps)
    expect(replies.map((r, i) => (expected[i] === ANY ? ANY : r)), name).toEqual(expected)
  }
}

describe('MULTI, EXEC and DISCARD: replies and error texts', () => {
  it('EXEC and DISCARD without MULTI are errors; UNWATCH without WATCH is fine', () =>
    expectSession([['EXEC'], ['DISCARD'], ['UNWATCH'], ['WATCH'], ['discard', 'x']], [
      '-ERR EXEC without MULTI\r\n',
      '-ERR DISCARD without MULTI\r\n',
      OK,
      "-ERR wrong number of arguments for 'watch' command\r\n",
      "-ERR wrong number of arguments for 'discard' command\r\n",
    ]))

  it('an EXEC refused by the generic checks answers EXECABORT with the reason, and ends MULTI', () =>
    expectSession([['exec', 'x'], ['MULTI'], ['SET', 'k', 'v'], ['EXEC', 'now'], ['GET', 'k'], ['EXEC']], [
      "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
      OK, QUEUED,
      "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
      '$-1\r\n',
      '-ERR EXEC without MULTI\r\n',
    ]))

  it('MULTI queues commands and EXEC answers each reply in its slot (RESP2)', () =>
    expectSession([['MULTI'], ['SET', 'k', 'v'], ['GET', 'k'], ['INCR', 'n'], ['LPUSH', 'l', 'a', 'b'], ['LRANGE', 'l', '0', '-1'], ['GET', 'none'], ['EXEC'], ['GET', 'k']], [
      OK, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED,
      '*6\r\n+OK\r\n$1\r\nv\r\n:1\r\n:2\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n$-1\r\n',
      '$1\r\nv\r\n',
    ]))

  it('EXEC nests RESP3 maps, sets, doubles and nulls in its array', () =>
    expectSessionSkipping([HELLO3, ['MULTI'], ['HSET', 'h', 'f', '1'], ['HGETALL', 'h'], ['SADD', 's', 'x'], ['SMEMBERS', 's'],
      ['ZADD', 'z', '1.5', 'm'], ['ZSCORE', 'z', 'm'], ['GET', 'none'], ['HGETALL', 'none'], ['EXEC']], [
      ANY, OK, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED,
      '*8\r\n:1\r\n%1\r\n$1\r\nf\r\n$1\r\n1\r\n:1\r\n~1\r\n$1\r\nx\r\n:1\r\n,1.5\r\n_\r\n%0\r\n',
    ]))

  it('an empty transaction answers an empty array; DISCARD ends MULTI and runs nothing', () =>
    expectSession([['MULTI'], ['EXEC'], ['MULTI'], ['SET', 'k', 'v'], ['DISCARD'], ['GET', 'k'], ['EXEC'], ['DISCARD']], [
      OK, '*0\r\n', OK, QUEUED, OK, '$-1\r\n', '-ERR EXEC without MULTI\r\n', '-ERR DISCARD without MULTI\r\n',
    ]))

  it('runtime errors (WRONGTYPE, not an integer, syntax) stay in their slots and the other commands still run', () =>
    expectSession([['SET', 's', 'text'], ['MULTI'], ['INCR', 's'], ['LPUSH', 's', 'x'], ['SET', 'k', 'v', 'BADOPT'], ['SET', 'k', '1'], ['INCR', 'k'], ['EXEC']], [
      OK, OK, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED,
      `*5\r\n-ERR value is not an integer or out of range\r\n-${WRONGTYPE}\r\n-ERR syntax error\r\n+OK\r\n:2\r\n`,
    ]))

  it('nested MULTI and WATCH inside MULTI are errors that leave the transaction as it was', () =>
    expectSession([['MULTI'], ['SET', 'k', 'v'], ['MULTI'], ['WATCH', 'k'], ['GET', 'k'], ['EXEC']], [
      OK, QUEUED, '-ERR MULTI calls can not be nested\r\n', '-ERR WATCH inside MULTI is not allowed\r\n', QUEUED,
      '*2\r\n+OK\r\n$1\r\nv\r\n',
    ]))

  it('a command refused while queueing (unknown, wrong arity, unknown subcommand) makes EXEC answer EXECABORT and run nothing', () =>
    expectSession([['MULTI'], ['SET', 'k', 'v'], ['NOSUCH', 'a', 'b'], ['GET'], ['CONFIG', 'NOPE'], ['SET', 'j', 'v'], ['EXEC'], ['EXISTS', 'k', 'j'], ['EXEC']], [
      OK, QUEUED,
      "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n",
      "-ERR wrong number of arguments for 'get' command\r\n",
      "-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n",
      QUEUED,
      '-EXECABORT Transaction discarded because of previous errors.\r\n',
      ':0\r\n',
      '-ERR EXEC without MULTI\r\n',
    ]))

  it('no_multi commands (SAVE, SHUTDOWN) are refused in MULTI and abort it', () =>
    expectSession([['MULTI'], ['SAVE'], ['SHUTDOWN', 'NOSAVE'], ['PING'], ['EXEC']], [
      OK,
      '-ERR Command not allowed inside a transaction\r\n',
      '-ERR Command not allowed inside a transaction\r\n',
      QUEUED,
      '-EXECABORT Transaction discarded because of previous errors.\r\n',
    ]))

  it('blocking commands queued in MULTI answer at once as if timed out (RESP2)', () =>
    expectSession([['MULTI'], ['BLPOP', 'l', '0'], ['BRPOP', 'l', '0'], ['BLMOVE', 'l', 'm', 'LEFT', 'RIGHT', '0'], ['BRPOPLPUSH', 'l', 'm', '0'],
      ['BLMPOP', '0', '1', 'l', 'LEFT'], ['BZPOPMIN', 'z', '0'], ['BZPOPMAX', 'z', '0'], ['BZMPOP', '0', '1', 'z', 'MIN'], ['RPUSH', 'l', 'a'], ['BLPOP', 'l', '0'], ['EXEC']], [
      OK, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED,
      '*10\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nl\r\n$1\r\na\r\n',
    ]))

  it('blocking commands queued in MULTI answer RESP3 nulls', () =>
    expectSessionSkipping([HELLO3, ['MULTI'], ['BLPOP', 'l', '0'], ['BLMOVE', 'l', 'm', 'LEFT', 'RIGHT', '0'], ['BZPOPMIN', 'z', '0'], ['EXEC']], [
      ANY, OK, QUEUED, QUEUED, QUEUED, '*3\r\n_\r\n_\r\n_\r\n',
    ]))

  it('SELECT inside the transaction applies to the commands after it, and stays after EXEC', () =>
    expectSession([['MULTI'], ['SELECT', '2'], ['SET', 'k', 'in2'], ['EXEC'], ['GET', 'k'], ['SELECT', '0'], ['GET', 'k']], [
      OK, QUEUED, QUEUED, '*2\r\n+OK\r\n+OK\r\n', '$3\r\nin2\r\n', OK, '$-1\r\n',
    ]))

  it('RESET ends MULTI and forgets watched keys', () =>
    expectSession([['WATCH', 'k'], ['MULTI'], ['SET', 'a', '1'], ['RESET'], ['EXEC'], [1, ['SET', 'k', 'changed']], ['MULTI'], ['EXEC'], ['GET', 'a']], [
      OK, OK, QUEUED, '+RESET\r\n', '-ERR EXEC without MULTI\r\n', OK, OK, '*0\r\n', '$-1\r\n',
    ]))

  it('MULTI in RESP2 subscribed mode is refused like any other command; a transaction may SUBSCRIBE', () =>
    expectSession([['MULTI'], ['SUBSCRIBE', 'c'], ['PING'], ['EXEC'], ['MULTI'], ['RESET'], ['PING']], [
      OK, QUEUED, QUEUED,
      '*2\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n',
      "-ERR Can't execute 'multi': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
      '+RESET\r\n', '+PONG\r\n',
    ]))

  it('over maxmemory every command in MULTI is refused with -OOM but DISCARD and EXEC; an EXEC holding a write is refused and ends MULTI', () =>
    expectSession([
      ['MULTI'], ['SET', 'k', 'v'],
      [1, ['CONFIG', 'SET', 'maxmemory', '1']],
      ['EXEC'], ['GET', 'k'], ['EXEC'],
      ['MULTI'], ['GET', 'k'], ['MULTI'], ['DISCARD'],
      ['MULTI'], ['EXEC'],
      [1, ['CONFIG', 'SET', 'maxmemory', '0']],
    ], [
      OK, QUEUED, OK,
      "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n",
      '$-1\r\n',
      '-ERR EXEC without MULTI\r\n',
      OK, "-OOM command not allowed when used memory > 'maxmemory'.\r\n", "-OOM command not allowed when used memory > 'maxmemory'.\r\n", OK,
      OK, '*0\r\n',
      OK,
    ]))
})

describe('WATCH and UNWATCH: optimistic locking', () => {
  it('a watched key changed by another connection makes EXEC answer a null array (RESP2) and run nothing', () =>
    expectSession([['SET', 'k', '1'], ['WATCH', 'k'], [1, ['INCR', 'k']], ['MULTI'], ['SET', 'k', 'mine'], ['SET', 'other', 'x'], ['EXEC'], ['MGET', 'k', 'other']], [
      OK, OK, ':2\r\n', OK, QUEUED, QUEUED, '*-1\r\n', '*2\r\n$1\r\n2\r\n$-1\r\n',
    ]))

  it('the null array is _ in RESP3', () =>
    expectSessionSkipping([HELLO3, ['WATCH', 'k'], [1, ['SET', 'k', 'v']], ['MULTI'], ['EXEC']], [ANY, OK, OK, OK, '_\r\n']))

  it('a changed watched key outweighs nothing: a refused command still answers EXECABORT', () =>
    expectSession([['WATCH', 'k'], [1, ['SET', 'k', 'v']], ['MULTI'], ['NOSUCH'], ['EXEC']], [
      OK, OK, OK, "-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
      '-EXECABORT Transaction discarded because of previous errors.\r\n',
    ]))

  it('watching a missing key that another connection creates fails EXEC; one that stays missing does not', () =>
    expectSession([['WATCH', 'new', 'still-missing'], [1, ['DEL', 'still-missing']], ['MULTI'], ['PING'], ['EXEC'],
      ['WATCH', 'new'], [1, ['SET', 'new', 'v']], ['MULTI'], ['PING'], ['EXEC']], [
      OK, ':0\r\n', OK, QUEUED, '*1\r\n+PONG\r\n',
      OK, OK, OK, QUEUED, '*-1\r\n',
    ]))

  it('writes that change nothing do not touch the key; reads never do', () =>
    expectSession([['SADD', 's', 'a'], ['WATCH', 's', 'none'], [1, ['SADD', 's', 'a']], [1, ['SREM', 's', 'zz']], [1, ['GET', 'none']],
      [1, ['SMEMBERS', 's']], [1, ['DEL', 'none']], [1, ['EXPIRE', 'none', '10']], ['MULTI'], ['SCARD', 's'], ['EXEC']], [
      ':1\r\n', OK, ':0\r\n', ':0\r\n', '$-1\r\n', '*1\r\n$1\r\na\r\n', ':0\r\n', ':0\r\n', OK, QUEUED, '*1\r\n:1\r\n',
    ]))

  it('the transaction\'s own writes, and changes after EXEC, do not matter; the next transaction watches nothing', () =>
    expectSession([['WATCH', 'k'], ['MULTI'], ['SET', 'k', '1'], ['EXEC'], [1, ['SET', 'k', '2']], ['MULTI'], ['GET', 'k'], ['EXEC']], [
      OK, OK, QUEUED, '*1\r\n+OK\r\n', OK, OK, QUEUED, '*1\r\n$1\r\n2\r\n',
    ]))

  it('UNWATCH forgets the keys, even after they changed; DISCARD and a failed EXEC forget them too', () =>
    expectSession([
      ['WATCH', 'k'], [1, ['SET', 'k', '1']], ['UNWATCH'], ['MULTI'], ['GET', 'k'], ['EXEC'],
      ['WATCH', 'k'], ['MULTI'], ['DISCARD'], [1, ['SET', 'k', '2']], ['MULTI'], ['EXEC'],
      ['WATCH', 'k'], [1, ['SET', 'k', '3']], ['MULTI'], ['EXEC'], [1, ['SET', 'k', '4']], ['MULTI'], ['EXEC'],
    ], [
      OK, OK, OK, OK, QUEUED, '*1\r\n$1\r\n1\r\n',
      OK, OK, OK, OK, OK, '*0\r\n',
      OK, OK, OK, '*-1\r\n', OK, OK, '*0\r\n',
    ]))

  it('keys are watched per database: the same name in another database is another key', () =>
    expectSession([['WATCH', 'k'], [1, ['SELECT', '1']], [1, ['SET', 'k', 'v']], ['MULTI'], ['EXEC'],
      ['SELECT', '1'], ['WATCH', 'k'], ['SELECT', '0'], [1, ['DEL', 'k']], ['MULTI'], ['EXEC']], [
      OK, OK, OK, OK, '*0\r\n',
      OK, OK, OK, ':1\r\n', OK, '*-1\r\n',
    ]))

  it('WATCH with several keys fails when any one changes; watching a key twice is fine', () =>
    expectSession([['WATCH', 'a', 'b', 'a'], ['WATCH', 'c'], [1, ['SET', 'c', 'v']], ['MULTI'], ['EXEC']], [OK, OK, OK, OK, '*-1\r\n']))

  it('DEL, EXPIRE, PERSIST, RENAME (both keys), MOVE, COPY and in-place writes touch watched keys', async () => {
    const touchers: [setup: string[][], change: string[], watched: string][] = [
      [[['SET', 'k', 'v']], ['DEL', 'k'], 'k'],
      [[['SET', 'k', 'v']], ['EXPIRE', 'k', '100'], 'k'],
      [[['SET', 'k', 'v', 'EX', '100']], ['PERSIST', 'k'], 'k'],
      [[['SET', 'k', 'v']], ['RENAME', 'k', 'dst'], 'k'],
      [[['SET', 'k', 'v']], ['RENAME', 'k', 'dst'], 'dst'],
      [[['SET', 'k', 'v']], ['MOVE', 'k', '1'], 'k'],
      [[['SET', 'k', 'v']], ['COPY', 'k', 'dst'], 'dst'],
      [[['RPUSH', 'l', 'a']], ['LPOP', 'l'], 'l'],
      [[['HSET', 'h', 'f', 'v']], ['HDEL', 'h', 'f'], 'h'],
      [[['SADD', 's', 'a']], ['SPOP', 's'], 's'],
      [[['ZADD', 'z', '1', 'm']], ['ZREM', 'z', 'm'], 'z'],
      [[['SET', 'k', 'v']], ['APPEND', 'k', 'w'], 'k'],
      [[['SET', 'k', '1']], ['INCRBYFLOAT', 'k', '0.5'], 'k'],
      [[['SET', 'k', 'v']], ['GETDEL', 'k'], 'k'],
      [[['SET', 'k', 'v']], ['GETEX', 'k', 'PX', '100000'], 'k'],
      [[['SET', 'k', 'v']], ['UNLINK', 'k'], 'k'],
    ]
    for (const [setup, change, watched] of touchers) {
      const steps: Step[] = [...setup, ['WATCH', watched], [1, change], ['MULTI'], ['PING'], ['EXEC']]
      const replies = await session(respite.port, steps)
      expect(replies.at(-1), `${change.join(' ')} watching ${watched}`).toBe('*-1\r\n')
      if (redis !== null) expect(await session(redis.port, steps), change.join(' ')).toEqual(replies)
    }
  })

  it('FLUSHDB and FLUSHALL touch only watched keys that exist; SWAPDB those that exist in either database', () =>
    expectSession([
      ['SET', 'here', 'v'], ['WATCH', 'missing'], [1, ['FLUSHALL']], ['MULTI'], ['EXEC'],
      ['SET', 'here', 'v'], ['WATCH', 'here'], [1, ['FLUSHDB']], ['MULTI'], ['EXEC'],
      ['SET', 'here', 'v'], ['WATCH', 'here'], [1, ['SELECT', '3']], [1, ['FLUSHDB']], ['MULTI'], ['EXEC'],
      ['WATCH', 'here'], [1, ['FLUSHALL']], ['MULTI'], ['EXEC'],
      ['WATCH', 'nowhere'], [1, ['SWAPDB', '0', '5']], ['MULTI'], ['EXEC'],
      [1, ['SELECT', '5']], [1, ['SET', 'there', 'v']], ['WATCH', 'there'], [1, ['SWAPDB', '0', '5']], ['MULTI'], ['EXEC'],
    ], [
      OK, OK, OK, OK, '*0\r\n',
      OK, OK, OK, OK, '*-1\r\n',
      OK, OK, OK, OK, OK, '*0\r\n',
      OK, OK, OK, '*-1\r\n',
      OK, OK, OK, '*0\r\n',
      OK, OK, OK, OK, OK, '*-1\r\n',
    ]))

  it('a watched key that expires before EXEC fails it; one already expired when watched does not, unless it comes back', async () => {
    // PX 1 keys are expired after a 5 ms pause on both servers, whenever their expiry
    // cycles run: these pauses only let time pass, nothing is timed.
    const pause = () => new Promise((r) => setTimeout(r, 5))
    for (const port of [respite.port, redis?.port]) {
      if (port === undefined) continue
      const a = await ReplyConnection.open(port)
      const b = await ReplyConnection.open(port)
      try {
        await a.call(['FLUSHALL'])
        // Live when watched, expired by EXEC. The TTL leaves a loaded machine ample time
        // between SET and WATCH; only the wait after it must outlast the TTL.
        expect(await a.call(['SET', 'k', 'v', 'PX', '250'])).toBe(OK)
        expect(await a.call(['WATCH', 'k'])).toBe(OK)
        await new Promise((r) => setTimeout(r, 300))
        expect(await a.call(['MULTI'])).toBe(OK)
        expect(await a.call(['EXEC'])).toBe('*-1\r\n')
        // Expired when watched, then removed by another connection's read: no change.
        expect(await a.call(['SET', 'k', 'v', 'PX', '1'])).toBe(OK)
        await pause()
        expect(await a.call(['WATCH', 'k'])).toBe(OK)
        expect(await b.call(['GET', 'k'])).toBe('$-1\r\n')
        expect(await a.call(['MULTI'])).toBe(OK)
        expect(await a.call(['EXEC'])).toBe('*0\r\n')
        // Expired when watched, then created again: a change.
        expect(await a.call(['SET', 'k', 'v', 'PX', '1'])).toBe(OK)
        await pause()
        expect(await a.call(['WATCH', 'k'])).toBe(OK)
        expect(await b.call(['SET', 'k', 'new'])).toBe(OK)
        expect(await a.call(['MULTI'])).toBe(OK)
        expect(await a.call(['EXEC'])).toBe('*-1\r\n')
        // Expired when watched and removed by FLUSHALL: no change either.
        expect(await a.call(['SET', 'k', 'v', 'PX', '1'])).toBe(OK)
        await pause()
        expect(await a.call(['WATCH', 'k'])).toBe(OK)
        expect(await b.call(['FLUSHALL'])).toBe(OK)
        expect(await a.call(['MULTI'])).toBe(OK)
        expect(await a.call(['EXEC'])).toBe('*0\r\n')
      } finally {
        a.close()
        b.close()
      }
    }
  })

  it('CLIENT LIST shows flags=x and multi=<queued> in MULTI, d once a watched key changed, and multi=-1 outside', async () => {
    for (const port of [respite.port, redis?.port]) {
      if (port === undefined) continue
      const a = await ReplyConnection.open(port)
      const b = await ReplyConnection.open(port)
      const fields = async () => {
        const id = Number((await a.call(['CLIENT', 'ID'])).slice(1, -2))
        const line = (await b.call(['CLIENT', 'LIST', 'ID', String(id)])).split('\r\n')[1]
        return / flags=(\S+) .* multi=(-?\d+) /.exec(line)!.slice(1).join(' ')
      }
      const fieldsInMulti = async () => {
        const list = await b.call(['CLIENT', 'LIST'])
        const lines = list.split('\n').filter((l) => l.includes('flags=x'))
        expect(lines.length).toBe(1)
        return / flags=(\S+) .* multi=(-?\d+) /.exec(lines[0])!.slice(1).join(' ')
      }
      try {
        expect(await fields()).toBe('N -1')
        await a.call(['MULTI'])
        await a.call(['SET', 'k', 'v'])
        await a.call(['GET', 'k'])
        expect(await fieldsInMulti()).toBe('x 2')
        await a.call(['DISCARD'])
        await a.call(['WATCH', 'k'])
        await b.call(['SET', 'k', 'changed'])
        expect(await fields()).toBe('d -1')
        await a.call(['MULTI'])
        await a.call(['SET', 'k', 'v'])
        // A doomed transaction keeps nothing it is sent.
        expect(await fieldsInMulti()).toBe('xd 0')
        expect(await a.call(['EXEC'])).toBe('*-1\r\n')
        expect(await fields()).toBe('N -1')
        await a.call(['MULTI'])
        await a.call(['PING'])
        await a.call(['CLIENT', 'INFO'])
        const exec = await a.call(['EXEC'])
        // Inside EXEC the transaction is still open, and the running command is EXEC.
        expect(exec).toMatch(/^\*2\r\n\+PONG\r\n\$\d+\r\nid=\d+ .* flags=x .* multi=2 .* cmd=exec /)
      } finally {
        a.close()
        b.close()
      }
    }
  })
})
