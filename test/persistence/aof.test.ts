import { spawn, spawnSync } from 'node:child_process'
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { cli, runCli, startCli, startRedisWithConfig, type Running } from '../helpers/cli.js'
import { ReplyConnection } from '../helpers/differential.js'
import { RawClient } from '../helpers/raw.js'
import { infoField, until } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'
import { crashTrial } from '../../scripts/aof-crash.mjs'

/**
 * The append-only file end to end, with respite-server and redis-server as processes:
 * what is written (compared with what redis-server 7.0 writes for the same commands),
 * that every write family replays to the same data after a restart and a rewrite, that
 * each server loads the other's AOF directory and redis-check-aof accepts ours, and
 * Redis's handling of a truncated tail and a corrupt middle.
 */

const skip = missingTool('redis-server') ?? missingTool('redis-check-aof')
const scratch = mkdtempSync(join(tmpdir(), 'respite-aof-'))
// KEEP_AOF_SCRATCH=1 keeps the directories, to compare what the servers wrote.
afterAll(() => {
  if (process.env.KEEP_AOF_SCRATCH) console.log(`AOF scratch directories kept in ${scratch}`)
  else rmSync(scratch, { recursive: true, force: true })
})
let dirs = 0

function freshDir(): string {
  const dir = join(scratch, `d${dirs++}`)
  rmSync(dir, { recursive: true, force: true })
  spawnSync('mkdir', ['-p', dir])
  return dir
}

/** Command-form bases unless `extra` says otherwise, so files compare with redis-server's. */
/** Every server a test starts; one that a failing test left running is stopped after it. */
const started: { stop(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()))
})

async function respite(dir: string, ...extra: string[]): Promise<Running> {
  const s = await startCli(['--port', '0', '--dir', dir, '--appendonly', 'yes', '--loglevel', 'notice', '--aof-use-rdb-preamble', 'no', ...extra])
  started.push(s)
  return s
}

async function redis(dir: string, ...extra: string[]): Promise<Running> {
  const s = await startRedisWithConfig('/dev/null', ['--bind', '127.0.0.1', '--save', '', '--dir', dir, '--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', ...extra])
  started.push(s)
  return s
}

async function run(port: number, commands: string[][]): Promise<string[]> {
  const c = await ReplyConnection.open(port)
  try {
    const out: string[] = []
    for (const cmd of commands) out.push(await c.call(cmd))
    return out
  } finally {
    c.close()
  }
}

/** Until no AOF rewrite runs or waits: it writes its base from the event loop, after the reply. */
async function rewritten(port: number): Promise<void> {
  await until(async () => {
    const info = (await run(port, [['INFO', 'persistence']]))[0]
    return infoField(info, 'aof_rewrite_in_progress') === '0' && infoField(info, 'aof_rewrite_scheduled') === '0'
  }, 'the AOF rewrite to finish')
}

/**
 * Waits until the directory holds exactly `expected` (of the names `keep` lets through):
 * a finished rewrite removes the history files in the background, as Redis does.
 */
async function filesSettle(dir: string, expected: string[], keep: (name: string) => boolean = () => true): Promise<void> {
  const now = () => readdirSync(dir).filter(keep).sort()
  await until(() => JSON.stringify(now()) === JSON.stringify(expected), `the AOF directory to hold ${expected.join(', ')}`).catch(() => {
    expect(now()).toEqual(expected)
  })
}

async function stopGracefully(server: Running): Promise<void> {
  await run(server.port, [['SHUTDOWN', 'NOSAVE']]).catch(() => {})
  await server.exited
}

/** Every key of databases 0-3 with its type, absolute expiry and contents, in a comparable form. */
async function snapshot(port: number): Promise<unknown> {
  const c = await ReplyConnection.open(port)
  const out: Record<string, unknown> = {}
  try {
    for (let db = 0; db < 4; db++) {
      await c.call(['SELECT', String(db)])
      const keys = elements(await c.call(['KEYS', '*'])).sort()
      for (const key of keys) {
        const type = (await c.call(['TYPE', key])).trim()
        const at = (await c.call(['PEXPIRETIME', key])).trim()
        let value: unknown
        if (type === '+string') value = await c.call(['GET', key])
        else if (type === '+list') value = await c.call(['LRANGE', key, '0', '-1'])
        else if (type === '+set') value = elements(await c.call(['SMEMBERS', key])).sort()
        else if (type === '+zset') value = await c.call(['ZRANGE', key, '0', '-1', 'WITHSCORES'])
        else if (type === '+hash') value = pairsOf(elements(await c.call(['HGETALL', key])))
        // Seen times are when a consumer last acted, which a replay (XCLAIM) renews. A
        // group's entries-read (and the lag that follows from it) is not propagated by
        // Redis 7.0 when a read moves it, so a replay of its own AOF loses it too.
        else value = (await c.call(['XINFO', 'STREAM', key, 'FULL']))
          .replace(/(seen-time\r\n:)\d+/g, '$1*')
          .replace(/(entries-read\r\n)(:\d+|\$-1)(\r\n\$3\r\nlag\r\n)(:\d+|\$-1)/g, '$1*$3*')
        out[`${db}:${key}`] = { type, at, value }
      }
    }
    out.functions = await c.call(['FUNCTION', 'LIST', 'WITHCODE'])
  } finally {
    c.close()
  }
  return out
}

/** The bulk strings of a flat array reply. */
function elements(reply: string): string[] {
  const out: string[] = []
  const re = /\$(\d+)\r\n/g
  let m: RegExpExecArray | null
  while ((m = re.exec(reply)) !== null) {
    out.push(reply.substr(m.index + m[0].length, Number(m[1])))
    re.lastIndex = m.index + m[0].length + Number(m[1]) + 2
  }
  return out
}

function pairsOf(flat: string[]): string[] {
  const pairs: string[] = []
  for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`)
  return pairs.sort()
}

/** Writes of every family, in several databases, with TTLs and commands Redis rewrites. */
const WRITES: string[][] = [
  ['SET', 's1', 'v1'], ['SET', 's2', 'v2', 'EX', '1000'], ['SETEX', 's3', '500', 'x'], ['PSETEX', 's4', '500000', 'y'],
  ['SET', 's5', 'z', 'PX', '100000', 'GET'], ['APPEND', 's1', '-more'], ['INCR', 'n1'], ['INCRBY', 'n1', '41'],
  ['INCRBYFLOAT', 'f1', '1.1'], ['INCRBYFLOAT', 'f1', '2.2'], ['SETRANGE', 's6', '3', 'abc'], ['MSET', 'm1', 'a', 'm2', 'b'],
  ['EXPIRE', 'm1', '1000'], ['PEXPIRE', 'm2', '1000000'], ['EXPIREAT', 's1', '4102444800'], ['PERSIST', 's1'],
  ['GETEX', 's6', 'EX', '300'], ['GETDEL', 'm2'], ['SETBIT', 'bits', '100', '1'], ['PFADD', 'hll', 'a', 'b', 'c'],
  ['RPUSH', 'l1', 'a', 'b', 'c', 'd', 'e'], ['LPUSH', 'l1', 'z'], ['LPOP', 'l1'], ['RPOP', 'l1', '2'], ['LINSERT', 'l1', 'BEFORE', 'b', 'x'],
  ['LSET', 'l1', '0', 'first'], ['LTRIM', 'l1', '0', '10'], ['LMOVE', 'l1', 'l2', 'LEFT', 'RIGHT'], ['BLPOP', 'nothing', 'l1', '0'],
  ['BLMOVE', 'l1', 'l2', 'RIGHT', 'LEFT', '0'], ['LMPOP', '2', 'empty', 'l2', 'LEFT', 'COUNT', '1'],
  ['SADD', 'set1', 'a', 'b', 'c', 'd', 'e', 'f', 'g'], ['SREM', 'set1', 'a'], ['SPOP', 'set1'], ['SPOP', 'set1', '2'],
  ['SMOVE', 'set1', 'set2', 'g'], ['SADD', 'ints', '3', '1', '2'], ['SINTERSTORE', 'set3', 'set1', 'set1'],
  ['ZADD', 'z1', '1', 'a', '2', 'b', '3', 'c', '4.5', 'd', '-inf', 'lo', '+inf', 'hi'], ['ZINCRBY', 'z1', '0.25', 'a'],
  ['ZPOPMIN', 'z1'], ['BZPOPMAX', 'z1', '0'], ['BZMPOP', '0', '1', 'z1', 'MIN', 'COUNT', '1'], ['ZREM', 'z1', 'c'],
  ['ZUNIONSTORE', 'z2', '1', 'z1', 'WEIGHTS', '2'], ['ZRANGESTORE', 'z3', 'z1', '0', '-1'],
  ['HSET', 'h1', 'a', '1', 'b', '2', 'c', '3'], ['HINCRBY', 'h1', 'a', '10'], ['HINCRBYFLOAT', 'h1', 'f', '0.5'], ['HDEL', 'h1', 'b'],
  ['HSETNX', 'h1', 'd', '4'],
  ['XADD', 'x1', '*', 'f', 'v'], ['XADD', 'x1', '1-1', 'g', 'w'], ['XADD', 'x1', '2-*', 'h', 'u'], ['XADD', 'x1', '*', 'i', 't'],
  ['XGROUP', 'CREATE', 'x1', 'grp', '0'], ['XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '2', 'STREAMS', 'x1', '>'],
  ['XGROUP', 'CREATECONSUMER', 'x1', 'grp', 'bob'], ['XACK', 'x1', 'grp', '1-1'], ['XDEL', 'x1', '2-0'],
  ['XADD', 'x2', 'MAXLEN', '0', '5-5', 'a', 'b'],
  ['MULTI'], ['SET', 'tx1', 'a'], ['INCR', 'tx2'], ['EXPIRE', 'tx1', '900'], ['EXEC'],
  ['EVAL', "redis.call('SET', KEYS[1], 'lua') redis.call('PEXPIRE', KEYS[1], 123456) return 1", '1', 'lua1'],
  ['SELECT', '1'], ['SET', 'db1key', 'one'], ['RPUSH', 'db1list', 'x'], ['SELECT', '2'], ['HSET', 'db2hash', 'k', 'v'],
  ['SWAPDB', '2', '3'], ['SELECT', '0'], ['COPY', 's1', 's1copy'], ['RENAME', 's4', 's4renamed'], ['DEL', 'n1'],
  ['SET', 'gone', 'x', 'PX', '1'],
  ['FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('put', function(keys, args) return redis.call('SET', keys[1], args[1]) end)"],
  ['FCALL', 'put', '1', 'viafunction', 'fv'],
]

describe.skipIf(skip !== null)(`append-only file (${skip ?? 'redis-server 7.0.15'})`, () => {
  it('writes what redis-server 7.0 writes for the same commands', async () => {
    const ours = freshDir()
    const theirs = freshDir()
    const commands = [
      ['SET', 'a', '1'], ['EXPIRE', 'a', '100'], ['PEXPIRE', 'a', '100000'], ['EXPIREAT', 'a', '99999999999'], ['SETEX', 'b', '10', 'v'],
      ['PSETEX', 'b', '100000', 'v'], ['SET', 'c', 'v', 'EX', '10'], ['SET', 'c', 'v', 'PX', '10000', 'GET'], ['SET', 'c', 'v2', 'XX', 'KEEPTTL'],
      ['GETEX', 'c', 'EX', '100'], ['GETEX', 'c', 'PERSIST'], ['INCRBYFLOAT', 'f', '1.5'], ['HINCRBYFLOAT', 'h', 'x', '2.5'],
      ['SADD', 'one', 'x'], ['SPOP', 'one'], ['SADD', 's', 'a'], ['SPOP', 's', '10'], ['RPUSH', 'l', '1', '2', '3'],
      ['BLPOP', 'nol', 'l', '0'], ['BLMOVE', 'l', 'l2', 'left', 'right', '0'], ['BRPOPLPUSH', 'l', 'l2', '0'], ['ZADD', 'z', '1', 'a', '2', 'b'],
      ['BZPOPMIN', 'z', '0'], ['BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '5'], ['RPUSH', 'l2', '9'], ['BLMPOP', '0', '1', 'l2', 'left', 'COUNT', '3'],
      ['EXPIRE', 'a', '-1'], ['SELECT', '3'], ['SET', 'k', 'v'], ['GET', 'k'],
      ['EVAL', "redis.call('set','e','1') redis.call('expire','e',50)", '0'],
      ['MULTI'], ['SET', 'm', '1'], ['SELECT', '1'], ['INCR', 'm'], ['EXEC'],
      // Streams: chosen ids, approximate trims, and group reads and claims as XCLAIMs.
      ['XADD', 'x', '1-1', 'f', 'v'], ['XADD', 'x', '2-*', 'f', 'v'], ['XADD', 'x', '3-1', 'f', 'v'], ['XADD', 'x', '4-1', 'f', 'v'],
      ['XADD', 'x', '5-1', 'f', 'v'], ['XADD', 'x', 'MINID', '~', '3', '6-1', 'f', 'v'], ['XADD', 'x', 'MAXLEN', '~', '2', '7-1', 'f', 'v'],
      ['XTRIM', 'x', 'MAXLEN', '~', '2'], ['XGROUP', 'CREATE', 'x', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '2', 'STREAMS', 'x', '>'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'x', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c0', 'NOACK', 'COUNT', '1', 'STREAMS', 'x', '>'],
      ['XCLAIM', 'x', 'g', 'c2', '0', '2-1'], ['XCLAIM', 'x', 'g', 'c3', '0', '3-1', 'JUSTID'], ['XCLAIM', 'x', 'g', 'c5', '99999999', '1-1'],
      ['XAUTOCLAIM', 'x', 'g', 'c4', '0', '0'], ['XGROUP', 'SETID', 'x', 'g', '4-1'], ['XGROUP', 'CREATECONSUMER', 'x', 'g', 'c9'],
      ['XGROUP', 'DELCONSUMER', 'x', 'g', 'c9'], ['XACK', 'x', 'g', '2-1'], ['XDEL', 'x', '4-1'],
      // Values of more than 32 bytes reach SET as bytes, which are logged as sent, through rewrites and MULTI.
      ['SET', 'big', 'x'.repeat(3000)], ['SET', 'big', 'y'.repeat(5000), 'EX', '100'], ['APPEND', 'big', 'z'.repeat(2500)],
      ['MULTI'], ['SET', 'bigm', 'w'.repeat(2100)], ['EXEC'], ['SET', 'mid', 'm'.repeat(100), 'EX', '100'], ['SET', 'mid', 'n'.repeat(40)],
      ['SET', 'short', 'v', 'PX', '1'],
    ]
    const r1 = await respite(ours, '--appendfsync', 'always')
    const r2 = await redis(theirs, '--appendfsync', 'always')
    try {
      const a = await runSlowly(r1.port, commands)
      const b = await runSlowly(r2.port, commands)
      expect(a).toEqual(b)
      expect(normalise(incrOf(ours))).toBe(normalise(incrOf(theirs)))
    } finally {
      await r1.stop()
      await r2.stop()
    }
  })

  it('writes a blocked command that is served later as redis-server does: the pop it became, after the push', async () => {
    const ours = freshDir()
    const theirs = freshDir()
    const r1 = await respite(ours, '--appendfsync', 'always')
    const r2 = await redis(theirs, '--appendfsync', 'always')
    try {
      for (const port of [r1.port, r2.port]) {
        await run(port, [['XADD', 'st', '1-1', 'f', 'v'], ['XGROUP', 'CREATE', 'st', 'g', '$']])
        const waiters = await Promise.all(Array.from({ length: 6 }, () => ReplyConnection.open(port)))
        const replies = [
          waiters[0].call(['BLPOP', 'a', 'q', '0']),
          waiters[1].call(['BLMOVE', 'q2', 'dst', 'RIGHT', 'LEFT', '0']),
          waiters[5].call(['BRPOPLPUSH', 'q4', 'dst', '0']),
          waiters[2].call(['BZPOPMAX', 'z', '0']),
          waiters[3].call(['BLMPOP', '0', '2', 'x', 'q3', 'RIGHT', 'COUNT', '5']),
          waiters[4].call(['XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 'st', '>']),
        ]
        await new Promise((r) => setTimeout(r, 100))
        await run(port, [['RPUSH', 'q', '1', '2'], ['RPUSH', 'q2', 'm'], ['ZADD', 'z', '1', 'a', '2', 'b'], ['RPUSH', 'q3', 'a', 'b'], ['XADD', 'st', '2-1', 'g', 'w'], ['LPUSH', 'q4', 'n']])
        await Promise.all(replies)
        for (const w of waiters) w.close()
      }
      expect(normalise(incrOf(ours))).toBe(normalise(incrOf(theirs)))
    } finally {
      await r1.stop()
      await r2.stop()
    }
  })

  for (const preamble of ['no', 'yes']) {
    it(`replays every write family to the same data, after a restart, a BGREWRITEAOF, and in redis-server (aof-use-rdb-preamble ${preamble})`, async () => {
      const base = preamble === 'yes' ? 'rdb' : 'aof'
      const dir = freshDir()
      let server = await respite(dir, '--aof-use-rdb-preamble', preamble)
      await run(server.port, WRITES)
      await new Promise((r) => setTimeout(r, 10))
      const before = await snapshot(server.port)
      expect(JSON.stringify(before)).toContain('x1')
      await server.stop() // SIGKILL: what was acknowledged is in the file already
      server = await respite(dir, '--aof-use-rdb-preamble', preamble)
      expect(await snapshot(server.port)).toEqual(before)
      expect(await run(server.port, [['BGREWRITEAOF']])).toEqual(['+Background append only file rewriting started\r\n'])
      await rewritten(server.port)
      expect(readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1')).toBe(
        `file appendonly.aof.2.base.${base} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`,
      )
      await filesSettle(join(dir, 'appendonlydir'), [`appendonly.aof.2.base.${base}`, 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest'])
      await run(server.port, [['SET', 'after', 'rewrite']])
      await stopGracefully(server)
      expect(server.log()).toContain('Calling fsync() on the AOF file.')

      // redis-check-aof takes the manifest of a multi-part AOF.
      const check = spawnSync('redis-check-aof', [join(dir, 'appendonlydir', 'appendonly.aof.manifest')], { encoding: 'latin1' })
      expect(check.stdout).toContain('All AOF files and manifest are valid')
      expect(check.status).toBe(0)

      const expected = { ...(before as object), '0:after': { type: '+string', at: ':-1', value: '$7\r\nrewrite\r\n' } }
      server = await respite(dir, '--aof-use-rdb-preamble', preamble)
      expect(await snapshot(server.port)).toEqual(expected)
      await stopGracefully(server)

      const theirs = await redis(dir, '--aof-use-rdb-preamble', preamble)
      try {
        expect(await snapshot(theirs.port)).toEqual(expected)
      } finally {
        await theirs.stop()
      }
    })
  }

  for (const preamble of ['no', 'yes']) {
    it(`loads redis-server's AOF directory (aof-use-rdb-preamble ${preamble})`, async () => {
      const dir = freshDir()
      let theirs = await redis(dir, '--aof-use-rdb-preamble', preamble)
      await run(theirs.port, WRITES)
      // With a rewrite, the base holds the data (an RDB image with the preamble on) and
      // the incremental file what came after.
      await run(theirs.port, [['BGREWRITEAOF']])
      await rewritten(theirs.port)
      await run(theirs.port, [['SET', 'after', 'rewrite']])
      // SHUTDOWN, not a kill: under appendfsync everysec Redis may hold a write back
      // while an fsync runs (up to 2 s), and a kill then loses an acknowledged SET.
      await stopGracefully(theirs)
      // What redis-server itself makes of its files (a replay renews what Redis does not
      // propagate, such as a group's entries-read) is what respite must make of them.
      theirs = await redis(dir, '--aof-use-rdb-preamble', preamble)
      const expected = await snapshot(theirs.port)
      await theirs.stop()
      expect(JSON.stringify(expected)).toContain('rewrite')
      const ours = await respite(dir, '--aof-use-rdb-preamble', preamble)
      try {
        expect(await snapshot(ours.port)).toEqual(expected)
        expect(ours.log()).toContain('DB loaded from append only file')
      } finally {
        await ours.stop()
      }
    })
  }

  it('loads a truncated tail up to the last complete command, as Redis does', async () => {
    const dir = freshDir()
    let server = await respite(dir)
    await run(server.port, [['SET', 'a', '1'], ['MULTI'], ['SET', 'b', '2'], ['EXEC'], ['SET', 'c', '3']])
    await server.stop()
    const incr = join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof')
    const good = readFileSync(incr).length
    appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$1\r\nd\r\n$1')
    server = await respite(dir)
    try {
      expect(await run(server.port, [['MGET', 'a', 'b', 'c', 'd']])).toEqual(['*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$-1\r\n'])
      expect(server.log()).toContain('!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!')
      expect(server.log()).toContain(`!!! Truncating the AOF appendonly.aof.1.incr.aof at offset ${good} !!!`)
      expect(server.log()).toContain('AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled')
      // Cut back, then appended to.
      await run(server.port, [['SET', 'e', '5']])
      // A restarted server names its database again, as Redis does.
      expect(readFileSync(incr, 'latin1').slice(good)).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\ne\r\n$1\r\n5\r\n')
    } finally {
      await server.stop()
    }

    // A transaction the file cuts off is dropped whole.
    appendFileSync(incr, '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nf\r\n$1\r\n6\r\n')
    server = await respite(dir)
    try {
      expect(await run(server.port, [['MGET', 'e', 'f']])).toEqual(['*2\r\n$1\r\n5\r\n$-1\r\n'])
      expect(server.log()).toContain('Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof')
    } finally {
      await server.stop()
    }

    // With aof-load-truncated no, Redis refuses to start.
    appendFileSync(incr, '*2\r\n$3\r\nGET')
    const refused = runCli(['--port', '0', '--dir', dir, '--appendonly', 'yes', '--aof-load-truncated', 'no'])
    expect(refused.status).toBe(1)
    expect(refused.stdout).toContain('Unexpected end of file reading the append only file appendonly.aof.1.incr.aof.')
  })

  it('refuses to start on a corrupt middle, with Redis\'s message', async () => {
    const dir = freshDir()
    const server = await respite(dir)
    await run(server.port, [['SET', 'a', '1'], ['SET', 'b', '2']])
    await server.stop()
    const incr = join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof')
    const text = readFileSync(incr, 'latin1')
    writeFileSync(incr, text.replace('*3\r\n$3\r\nSET\r\n$1\r\nb', '!3\r\n$3\r\nSET\r\n$1\r\nb'), 'latin1')
    const refused = runCli(['--port', '0', '--dir', dir, '--appendonly', 'yes'])
    expect(refused.status).toBe(1)
    expect(refused.stdout).toContain(
      'Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>',
    )
    writeFileSync(incr, '*2\r\n$4\r\nNOPE\r\n$1\r\nx\r\n', 'latin1')
    expect(runCli(['--port', '0', '--dir', dir, '--appendonly', 'yes']).stdout).toContain(
      "Unknown command 'NOPE' reading the append only file appendonly.aof.1.incr.aof",
    )
  })

  it('keeps structured values (the mini dialect) across a restart and a rewrite', async () => {
    const dir = freshDir()
    let server = await respite(dir)
    const value = '%2\r\n+a\r\n:1\r\n+b\r\n*2\r\n,1.5\r\n#t\r\n'
    const raw = await RawClient.connect(server.port)
    raw.write(`*3\r\n$3\r\nSET\r\n$1\r\ns\r\n${value}*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n`)
    await raw.read(5)
    raw.close()
    const get = async (port: number) => {
      const c = await RawClient.connect(port)
      c.write('*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n')
      await new Promise((r) => setTimeout(r, 50))
      c.take()
      c.write('*2\r\n$3\r\nGET\r\n$1\r\ns\r\n')
      const reply = await c.read(value.length)
      c.close()
      return reply
    }
    expect(await get(server.port)).toBe(value)
    await server.stop()
    server = await respite(dir)
    try {
      expect(await get(server.port)).toBe(value)
      await run(server.port, [['BGREWRITEAOF']])
      await rewritten(server.port)
    } finally {
      await server.stop()
    }
    server = await respite(dir)
    try {
      expect(await get(server.port)).toBe(value)
    } finally {
      await server.stop()
    }
  })

  it('upgrades a Redis 6 single-file appendonly.aof into the directory', async () => {
    const dir = freshDir()
    writeFileSync(join(dir, 'appendonly.aof'), '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$3\r\nyes\r\n')
    const server = await respite(dir)
    try {
      expect(await run(server.port, [['GET', 'old']])).toEqual(['$3\r\nyes\r\n'])
      expect(server.log()).toContain('Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).')
      expect(server.log()).toContain('DB loaded from base file appendonly.aof: ')
      expect(server.log()).toContain('Creating AOF incr file appendonly.aof.1.incr.aof on server start')
      expect(readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1')).toBe(
        'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
      )
    } finally {
      await server.stop()
    }
  })

  it('turns on at run time with CONFIG SET appendonly yes, from a rewrite, and reports itself in INFO', async () => {
    const dir = freshDir()
    const server = await startCli(['--port', '0', '--dir', dir, '--loglevel', 'notice', '--aof-use-rdb-preamble', 'no'])
    try {
      await run(server.port, [['SET', 'early', '1'], ['RPUSH', 'list', ...Array.from({ length: 150 }, (_, i) => String(i))]])
      let info = (await run(server.port, [['INFO', 'persistence']]))[0]
      expect(info).toContain('aof_enabled:0')
      expect(info).not.toContain('aof_current_size')
      expect(await run(server.port, [['CONFIG', 'SET', 'appendonly', 'yes'], ['SET', 'late', '2']])).toEqual(['+OK\r\n', '+OK\r\n'])
      await rewritten(server.port)
      info = (await run(server.port, [['INFO', 'persistence']]))[0]
      expect(info).toContain('aof_enabled:1')
      expect(info).toContain('aof_last_write_status:ok')
      expect(info).toMatch(/aof_base_size:\d{3,}/)
      const base = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.1.base.aof'), 'latin1')
      // 150 elements: RPUSH in batches of 64, as Redis's rewrite.
      expect(base.split('$5\r\nRPUSH\r\n').length - 1).toBe(3)
      expect(base).toContain('*66\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n')
      expect(incrOf(dir)).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$4\r\nlate\r\n$1\r\n2\r\n')
    } finally {
      await server.stop()
    }
  })

  it('BGREWRITEAOF with appendonly off writes a base alone; switching on and off follows on from it', async () => {
    const dir = freshDir()
    let server = await startCli(['--port', '0', '--dir', dir, '--aof-use-rdb-preamble', 'no'])
    const aofDir = join(dir, 'appendonlydir')
    const manifest = () => readFileSync(join(aofDir, 'appendonly.aof.manifest'), 'latin1')
    try {
      await run(server.port, [['SET', 'a', '1'], ['BGREWRITEAOF']])
      await rewritten(server.port)
      expect(manifest()).toBe('file appendonly.aof.1.base.aof seq 1 type b\n')
      await run(server.port, [['CONFIG', 'SET', 'appendonly', 'yes'], ['SET', 'b', '2']])
      await rewritten(server.port)
      expect(manifest()).toBe('file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n')
      await run(server.port, [['CONFIG', 'SET', 'appendonly', 'no'], ['SET', 'lost', 'x'], ['CONFIG', 'SET', 'appendonly', 'yes'], ['SET', 'c', '3']])
      await rewritten(server.port)
      expect(manifest()).toBe('file appendonly.aof.3.base.aof seq 3 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n')
      await filesSettle(aofDir, ['appendonly.aof.2.incr.aof', 'appendonly.aof.3.base.aof', 'appendonly.aof.manifest'])
      await run(server.port, [['CONFIG', 'SET', 'appendfsync', 'always'], ['SET', 'd', '4']])
    } finally {
      await server.stop()
    }
    server = await respite(dir)
    try {
      // `lost` was written while appendonly was off, but the rewrite on switching back took it in.
      expect(await run(server.port, [['MGET', 'a', 'b', 'lost', 'c', 'd']])).toEqual(['*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\nx\r\n$1\r\n3\r\n$1\r\n4\r\n'])
    } finally {
      await server.stop()
    }
  })

  it('rewrites by itself past auto-aof-rewrite-percentage', async () => {
    const dir = freshDir()
    const server = await respite(dir, '--auto-aof-rewrite-min-size', '1kb', '--auto-aof-rewrite-percentage', '100', '--hz', '100')
    try {
      const big = 'x'.repeat(200)
      await run(server.port, Array.from({ length: 20 }, () => ['SET', 'same', big]))
      const deadline = Date.now() + 3000
      let info = ''
      while (Date.now() < deadline) {
        info = (await run(server.port, [['INFO', 'persistence']]))[0]
        if (/aof_rewrites:[1-9]/.test(info) && info.includes('aof_rewrite_in_progress:0')) break
        await new Promise((r) => setTimeout(r, 20))
      }
      expect(info).toMatch(/aof_rewrites:[1-9]/)
      expect(server.log()).toMatch(/Starting automatic rewriting of AOF on \d+% growth/)
      // The new base holds the one key the twenty SETs left.
      const m = /aof_base_size:(\d+)/.exec(info)!
      expect(Number(m[1])).toBeLessThan(300)
    } finally {
      await server.stop()
    }
  })

  it('appendfsync always: a reply arrives only once its write is in the file', async () => {
    const dir = freshDir()
    const server = await respite(dir, '--appendfsync', 'always')
    const incr = join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof')
    try {
      const conns = await Promise.all(Array.from({ length: 4 }, () => ReplyConnection.open(server.port)))
      await Promise.all(
        conns.map(async (c, n) => {
          for (let i = 0; i < 25; i++) {
            const value = `c${n}-${i}`
            expect(await c.call(['SET', `k${n}`, value])).toBe('+OK\r\n')
            expect(readFileSync(incr, 'latin1')).toContain(`$${value.length}\r\n${value}\r\n`)
          }
        }),
      )
      for (const c of conns) c.close()
    } finally {
      await server.stop()
    }
  })

  // A sync waits for as many clients as waited on the last one; one left alone after its
  // group disconnected must still be answered, each reply after its write is in the file.
  it('appendfsync always: a client whose group went away is still answered', async () => {
    const dir = freshDir()
    const server = await respite(dir, '--appendfsync', 'always')
    const incr = join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof')
    try {
      const conns = await Promise.all(Array.from({ length: 8 }, () => ReplyConnection.open(server.port)))
      for (let round = 0; round < 5; round++) {
        const replies = await Promise.all(conns.map((c, n) => c.call(['SET', `g${n}`, `r${round}`])))
        expect(replies).toEqual(conns.map(() => '+OK\r\n'))
      }
      for (const c of conns.slice(1)) c.close()
      const alone = conns[0]
      for (let i = 0; i < 10; i++) {
        expect(await alone.call(['SET', 'alone', `v${i}`])).toBe('+OK\r\n')
        expect(readFileSync(incr, 'latin1')).toContain(`$2\r\nv${i}\r\n`)
      }
      alone.close()
    } finally {
      await server.stop()
    }
  })

  // The order of system calls shows what a reply waited for: strace follows the
  // server's threads (fdatasync runs on libuv's pool) and the event loop's writes.
  it.skipIf(!hasStrace())('appendfsync always: each reply is written after an fdatasync that began after its write', async () => {
    const dir = freshDir()
    const trace = join(dir, 'trace')
    const child = spawn('strace', ['-f', '-qq', '-e', 'trace=write,fdatasync', '-o', trace, process.execPath, cli,
      '--port', '0', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let log = ''
    child.stdout.on('data', (d: Buffer) => (log += d.toString('latin1')))
    const exited = new Promise((r) => child.once('exit', r))
    try {
      for (let i = 0; i < 400 && !/Ready to accept connections/.test(log); i++) await new Promise((r) => setTimeout(r, 25))
      const port = Number(/port=(\d+)\./.exec(log)![1])
      const c = await ReplyConnection.open(port)
      for (let i = 0; i < 20; i++) expect(await c.call(['SET', `key${i}`, `value${i}`])).toBe('+OK\r\n')
      c.close()
      await run(port, [['SHUTDOWN']]).catch(() => {})
      await exited
    } finally {
      child.kill('SIGKILL')
    }
    const aofFd = /(\d+) +write\((\d+), "\*2\\r\\n\$6\\r\\nSELECT/.exec(readFileSync(trace, 'latin1'))![2]
    let written = 0
    let synced = 0
    const started = new Map<string, number>()
    let replies = 0
    for (const line of readFileSync(trace, 'latin1').split('\n')) {
      const m = /^(\d+) +(.*)$/.exec(line)
      if (!m) continue
      const [, pid, call] = m
      const w = new RegExp(`^write\\(${aofFd}, .*\\) = (\\d+)$`).exec(call)
      if (w) written += Number(w[1])
      if (call.startsWith(`fdatasync(${aofFd}`)) started.set(pid, written)
      if (/^fdatasync\(\d+\) += 0$/.test(call) || /^<\.\.\. fdatasync resumed>.* = 0$/.test(call)) synced = Math.max(synced, started.get(pid) ?? 0)
      if (/^write\(\d+, "\+OK\\r\\n", 5\)/.test(call)) {
        replies++
        expect(synced).toBe(written)
      }
    }
    expect(replies).toBe(20)
  })

  // The short form of scripts/aof-crash.mjs (which runs 20 trials and more).
  it.each(['everysec', 'always'] as const)('keeps every acknowledged write when killed at a random moment (appendfsync %s)', async (fsync) => {
    const r = await crashTrial({ fsync, writers: 3 })
    expect(r.writes).toBeGreaterThan(0)
    expect(r.lost).toEqual([])
    expect(r.check).toBe(0)
  })

  // --- BGREWRITEAOF in the background (the base is written while clients write) -------

  /** `n` string keys k0..k<n-1> = "v1-<i>", a list and a hash with a TTL, in a few MSETs. */
  async function populateKeys(port: number, n: number): Promise<void> {
    const c = await ReplyConnection.open(port)
    try {
      for (let i = 0; i < n; i += 1000) {
        const args = ['MSET']
        for (let j = i; j < Math.min(n, i + 1000); j++) args.push(`k${j}`, `v1-${j}`)
        await c.call(args)
      }
      await c.call(['RPUSH', 'list', ...Array.from({ length: 100 }, (_, i) => `e${i}`)])
      await c.call(['HSET', 'hash', 'f1', 'a', 'f2', 'b'])
      await c.call(['PEXPIRE', 'hash', '1000000'])
    } finally {
      c.close()
    }
  }

  /** Every k<i>, as the raw reply of one MGET. */
  async function values(port: number, n: number): Promise<string> {
    return (await run(port, [['MGET', ...Array.from({ length: n }, (_, i) => `k${i}`)]]))[0]
  }

  for (const preamble of ['yes', 'no']) {
    it(`keeps every write acknowledged while BGREWRITEAOF writes the base, which redis-server loads (aof-use-rdb-preamble ${preamble})`, async () => {
      const dir = freshDir()
      const n = 4000
      // 250 us per key holds the rewrite open for a second or more, for the writer below.
      let server = await respite(dir, '--aof-use-rdb-preamble', preamble, '--rdb-key-save-delay', '250')
      await populateKeys(server.port, n)
      const writer = await ReplyConnection.open(server.port)
      const expected = Array.from({ length: n }, (_, i) => `v1-${i}`)
      let during = 0
      let incrs = 0
      try {
        expect(await writer.call(['BGREWRITEAOF'])).toBe('+Background append only file rewriting started\r\n')
        // Writes, in an order unrelated to the walk's, until the rewrite is over.
        for (let round = 0; ; round++) {
          const info = await writer.call(['INFO', 'persistence'])
          if (infoField(info, 'aof_rewrite_in_progress') === '0') break
          for (let j = 0; j < 20; j++) {
            const i = (round * 7919 + j * 104729) % n
            expect(await writer.call(['SET', `k${i}`, `v2-${round}-${j}`])).toBe('+OK\r\n')
            expected[i] = `v2-${round}-${j}`
            await writer.call(['INCR', 'counter'])
            incrs++
            during++
          }
          await writer.call(['LPUSH', 'list', `r${round}`])
          await writer.call(['DEL', `k${(round * 31) % n}`])
          expected[(round * 31) % n] = ''
        }
      } finally {
        writer.close()
      }
      expect(during).toBeGreaterThan(0)
      const info = (await run(server.port, [['INFO', 'persistence']]))[0]
      expect(infoField(info, 'aof_last_bgrewrite_status')).toBe('ok')
      expect(infoField(info, 'aof_rewrites')).toBe('1')
      // Keys changed before the walk reached them were written out of turn: the copy-on-write kept them.
      expect(Number(infoField(info, 'aof_last_cow_size'))).toBeGreaterThan(0)
      const base = preamble === 'yes' ? 'rdb' : 'aof'
      expect(readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1')).toBe(
        `file appendonly.aof.2.base.${base} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`,
      )
      const before = await values(server.port, n)
      const list = await run(server.port, [['LRANGE', 'list', '0', '-1'], ['GET', 'counter'], ['HGETALL', 'hash']])
      expect(before).toBe(`*${n}\r\n${expected.map((v) => (v === '' ? '$-1\r\n' : `$${v.length}\r\n${v}\r\n`)).join('')}`)
      expect(list[1]).toBe(`$${String(incrs).length}\r\n${incrs}\r\n`)
      await server.stop() // SIGKILL
      server = await respite(dir, '--aof-use-rdb-preamble', preamble)
      try {
        expect(await values(server.port, n)).toEqual(before)
        expect(await run(server.port, [['LRANGE', 'list', '0', '-1'], ['GET', 'counter'], ['HGETALL', 'hash']])).toEqual(list)
      } finally {
        await server.stop()
      }
      const check = spawnSync('redis-check-aof', [join(dir, 'appendonlydir', 'appendonly.aof.manifest')], { encoding: 'latin1' })
      expect(check.status).toBe(0)
      const theirs = await redis(dir, '--aof-use-rdb-preamble', preamble)
      try {
        expect(await values(theirs.port, n)).toEqual(before)
        expect(await run(theirs.port, [['LRANGE', 'list', '0', '-1'], ['GET', 'counter'], ['HGETALL', 'hash']])).toEqual(list)
      } finally {
        await theirs.stop()
      }
    })
  }

  it('a crash before the manifest switch restarts from the old manifest and its incr files, the new one included', async () => {
    const dir = freshDir()
    const aofDir = join(dir, 'appendonlydir')
    // A second per key: the rewrite cannot end before the kill.
    let server = await respite(dir, '--rdb-key-save-delay', '1000000')
    await populateKeys(server.port, 100)
    await run(server.port, [['INCR', 'counter'], ['BGREWRITEAOF'], ['INCR', 'counter'], ['SET', 'k5', 'after'], ['DEL', 'k6']])
    // The writes since the rewrite started have their own incr file, in the manifest at once.
    expect(readFileSync(join(aofDir, 'appendonly.aof.manifest'), 'latin1')).toBe(
      'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    )
    expect(readFileSync(join(aofDir, 'appendonly.aof.2.incr.aof'), 'latin1')).toContain('after')
    expect(infoField((await run(server.port, [['INFO', 'persistence']]))[0], 'aof_rewrite_in_progress')).toBe('1')
    await server.stop() // SIGKILL mid-rewrite
    expect(readdirSync(aofDir).some((f) => f.startsWith('temp-rewriteaof-bg-'))).toBe(true)
    server = await respite(dir)
    try {
      expect(await run(server.port, [['GET', 'counter'], ['GET', 'k5'], ['EXISTS', 'k6'], ['GET', 'k7'], ['LLEN', 'list']])).toEqual(
        ['$1\r\n2\r\n', '$5\r\nafter\r\n', ':0\r\n', '$4\r\nv1-7\r\n', ':100\r\n'],
      )
      expect(server.log()).toContain('Opening AOF incr file appendonly.aof.2.incr.aof on server start')
      // The next rewrite follows on from it.
      await run(server.port, [['SET', 'k8', 'later'], ['BGREWRITEAOF']])
      await rewritten(server.port)
      expect(readFileSync(join(aofDir, 'appendonly.aof.manifest'), 'latin1')).toBe(
        'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n',
      )
      // The killed rewrite's temporary base stays, as a killed Redis child's does.
      await filesSettle(aofDir, ['appendonly.aof.2.base.aof', 'appendonly.aof.3.incr.aof', 'appendonly.aof.manifest'], (f) => !f.startsWith('temp-'))
    } finally {
      await server.stop()
    }
  })

  it('BGREWRITEAOF and BGSAVE wait for each other as Redis\'s single child does, with its replies and INFO fields', async () => {
    const dir = freshDir()
    const server = await respite(dir, '--rdb-key-save-delay', '200000', '--save', '')
    try {
      await populateKeys(server.port, 20)
      expect(await run(server.port, [['BGREWRITEAOF'], ['BGREWRITEAOF'], ['BGSAVE'], ['SAVE']])).toEqual([
        '+Background append only file rewriting started\r\n',
        '-ERR Background append only file rewriting already in progress\r\n',
        "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n",
        '+OK\r\n',
      ])
      let info = (await run(server.port, [['INFO', 'persistence']]))[0]
      expect(infoField(info, 'aof_rewrite_in_progress')).toBe('1')
      expect(infoField(info, 'aof_current_rewrite_time_sec')).toMatch(/^\d+$/)
      expect(infoField(info, 'current_save_keys_total')).toBe('22')
      expect(await run(server.port, [['BGSAVE', 'SCHEDULE'], ['CONFIG', 'SET', 'rdb-key-save-delay', '0']])).toEqual(['+Background saving scheduled\r\n', '+OK\r\n'])
      // The scheduled save follows the rewrite; a rewrite asked for meanwhile is scheduled in turn.
      await until(async () => infoField((await run(server.port, [['INFO', 'persistence']]))[0], 'rdb_bgsave_in_progress') === '1', 'the scheduled BGSAVE', 30_000)
      info = (await run(server.port, [['INFO', 'persistence']]))[0]
      expect(infoField(info, 'aof_rewrite_in_progress')).toBe('0')
      expect(infoField(info, 'aof_last_bgrewrite_status')).toBe('ok')
      expect(infoField(info, 'aof_last_rewrite_time_sec')).toMatch(/^\d+$/)
      await run(server.port, [['CONFIG', 'SET', 'rdb-key-save-delay', '200000']])
      const started = await run(server.port, [['BGREWRITEAOF'], ['INFO', 'persistence']])
      // The save may have ended in between, on a loaded machine: then the rewrite starts at once.
      if (started[0] === '+Background append only file rewriting scheduled\r\n') {
        expect(infoField(started[1], 'aof_rewrite_scheduled')).toBe('1')
        expect(infoField(started[1], 'aof_pending_rewrite')).toBe('1')
      } else {
        expect(started[0]).toBe('+Background append only file rewriting started\r\n')
      }
      await run(server.port, [['CONFIG', 'SET', 'rdb-key-save-delay', '0']])
      await until(async () => {
        const i = (await run(server.port, [['INFO', 'persistence']]))[0]
        return infoField(i, 'aof_rewrites') === '2' && infoField(i, 'aof_rewrite_in_progress') === '0' && infoField(i, 'rdb_bgsave_in_progress') === '0'
      }, 'the scheduled rewrite', 30_000)
      expect(server.log()).toContain('Background AOF rewrite finished successfully')
    } finally {
      await server.stop()
    }
  })

  it('SHUTDOWN during the rewrite of CONFIG SET appendonly yes finishes the base in the foreground, keeping the writes since', async () => {
    const dir = freshDir()
    let server = await startCli(['--port', '0', '--dir', dir, '--save', '', '--rdb-key-save-delay', '200000'])
    await populateKeys(server.port, 20)
    expect(await run(server.port, [['CONFIG', 'SET', 'appendonly', 'yes'], ['SET', 'y', '2']])).toEqual(['+OK\r\n', '+OK\r\n'])
    expect(infoField((await run(server.port, [['INFO', 'persistence']]))[0], 'aof_rewrite_in_progress')).toBe('1')
    await stopGracefully(server)
    server = await respite(dir)
    try {
      expect(await run(server.port, [['GET', 'y'], ['GET', 'k3'], ['DBSIZE']])).toEqual(['$1\r\n2\r\n', '$4\r\nv1-3\r\n', ':23\r\n'])
    } finally {
      await server.stop()
    }
  })
})

function hasStrace(): boolean {
  return spawnSync('strace', ['-qq', '-e', 'trace=none', 'true']).status === 0
}

/** Commands one at a time, with a pause so expiry times differ between servers by the same amount. */
async function runSlowly(port: number, commands: string[][]): Promise<string[]> {
  const out = await run(port, commands)
  await new Promise((r) => setTimeout(r, 20))
  // Touch the short-lived key (in the database the commands ended in) so its expiry
  // is written as DEL, whether lazily or by the active cycle.
  out.push(...(await run(port, [['SELECT', '1'], ['GET', 'short']])))
  return out
}

function incrOf(dir: string): string {
  const name = readdirSync(join(dir, 'appendonlydir')).find((f) => f.endsWith('.incr.aof'))!
  return readFileSync(join(dir, 'appendonlydir', name), 'latin1')
}

/** Absolute times differ between two runs: every 13-digit number becomes T. */
function normalise(aof: string): string {
  return aof.replace(/\$13\r\n\d{13}\r\n/g, '$13\r\nT\r\n').replace(/\$15\r\n\d{13}-0\r\n/g, '$15\r\nT-0\r\n')
}
