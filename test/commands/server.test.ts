import { describe, expect, it } from 'vitest'
import { ReplyConnection, elements, rng, runDifferential, sortedReply } from '../helpers/differential.js'
import { call, useRespite, useRespiteAndRedis } from '../helpers/fixture.js'
import { RawClient, resp } from '../helpers/raw.js'
import { missingTool, startRespite } from '../helpers/servers.js'

const skipRedis = missingTool('redis-server')

/** INFO's text as field → value, whatever the framing. */
function infoFields(reply: string): Map<string, string> {
  const text = reply.replace(/^[$=]\d+\r\n(txt:)?/, '')
  const out = new Map<string, string>()
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':')
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1))
  }
  return out
}

function sectionTitles(reply: string): string[] {
  return reply.split('\r\n').filter((l) => l.startsWith('# ') || l.startsWith('txt:# ')).map((l) => l.replace(/^txt:/, ''))
}

const { respite: server } = await useRespite({ flush: false })

describe('server commands', () => {
  it('CONFIG SET of encoding limits changes what OBJECT ENCODING reports', async () => {
    const replies = await call(server.port,
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '1', 'set-max-intset-entries', '1', 'hash-max-listpack-entries', '1'],
      ['ZADD', 'enc:z', '1', 'a', '2', 'b'], ['OBJECT', 'ENCODING', 'enc:z'],
      ['SADD', 'enc:s', '1', '2'], ['OBJECT', 'ENCODING', 'enc:s'],
      ['HSET', 'enc:h', 'a', '1', 'b', '2'], ['OBJECT', 'ENCODING', 'enc:h'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128', 'set-max-intset-entries', '512', 'hash-max-listpack-entries', '512'],
      ['DEL', 'enc:z', 'enc:s', 'enc:h'])
    expect(replies).toEqual(['+OK\r\n', ':2\r\n', '$8\r\nskiplist\r\n', ':2\r\n', '$9\r\nhashtable\r\n',
      ':2\r\n', '$9\r\nhashtable\r\n', '+OK\r\n', ':3\r\n'])
  })

  it('INFO is a bulk string in RESP2 and a verbatim string in RESP3', async () => {
    const c = await ReplyConnection.open(server.port)
    const two = await c.call(['INFO', 'server'])
    expect(two).toMatch(/^\$\d+\r\n# Server\r\nredis_version:7\.0\.15\r\n/)
    expect(two.endsWith('\r\n\r\n')).toBe(true)
    await c.call(['HELLO', '3'])
    const three = await c.call(['INFO', 'server'])
    expect(three).toMatch(/^=\d+\r\ntxt:# Server\r\nredis_version:7\.0\.15\r\n/)
    expect(await c.call(['INFO', 'nosuchsection'])).toBe('=4\r\ntxt:\r\n')
    c.close()
  })

  it('INFO picks sections like Redis: default, all, everything, and named ones in fixed order', async () => {
    const titles = async (...args: string[]) => sectionTitles((await call(server.port, ['INFO', ...args]))[0])
    const defaults = ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules',
      '# Errorstats', '# Cluster', '# Keyspace']
    expect(await titles()).toEqual(defaults)
    expect(await titles('default')).toEqual(defaults)
    const all = ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules',
      '# Commandstats', '# Errorstats', '# Latencystats', '# Cluster', '# Keyspace']
    expect(await titles('all')).toEqual(all)
    expect(await titles('everything')).toEqual(all)
    expect(await titles('keyspace', 'SERVER')).toEqual(['# Server', '# Keyspace'])
    expect(await titles('foo')).toEqual([])
    const [keyspaceOnly] = await call(server.port, ['INFO', 'keyspace'])
    expect(keyspaceOnly.startsWith('$')).toBe(true)
  })

  it('INFO reports clients, keyspace, hits and misses, expiry and command stats', async () => {
    const c = await ReplyConnection.open(server.port)
    await c.call(['SELECT', '5'])
    await c.call(['SET', 'info-a', '1'])
    await c.call(['SET', 'info-b', '2', 'EX', '1000'])
    await c.call(['SET', 'info-gone', '2', 'PX', '1'])
    await new Promise((r) => setTimeout(r, 5))
    await c.call(['GET', 'info-gone'])
    await c.call(['GET', 'info-a'])
    await c.call(['GET', 'info-none'])
    const fields = infoFields(await c.call(['INFO', 'everything']))
    expect(fields.get('db5')).toMatch(/^keys=2,expires=1,avg_ttl=\d+$/)
    expect(Number(/avg_ttl=(\d+)/.exec(fields.get('db5')!)![1])).toBeGreaterThan(900_000)
    expect(Number(fields.get('keyspace_hits'))).toBeGreaterThanOrEqual(1)
    expect(Number(fields.get('keyspace_misses'))).toBeGreaterThanOrEqual(2)
    expect(Number(fields.get('expired_keys'))).toBeGreaterThanOrEqual(1)
    expect(Number(fields.get('connected_clients'))).toBeGreaterThanOrEqual(1)
    expect(fields.get('blocked_clients')).toBe('0')
    expect(fields.get('maxclients')).toBe('10000')
    expect(fields.get('role')).toBe('master')
    expect(fields.get('tcp_port')).toBe(String(server.port))
    expect(fields.get('loading')).toBe('0')
    expect(fields.get('maxmemory_policy')).toBe('noeviction')
    expect(Number(fields.get('used_memory'))).toBeGreaterThan(0)
    expect(fields.get('used_memory_human')).toMatch(/^\d+\.\d\dM$/)
    expect(fields.get('used_cpu_user')).toMatch(/^\d+\.\d{6}$/)
    expect(fields.get('master_replid')).toMatch(/^[0-9a-f]{40}$/)
    expect(fields.get('cmdstat_set')).toMatch(/^calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/)
    expect(Number(fields.get('total_commands_processed'))).toBeGreaterThanOrEqual(7)
    c.close()
  })

  it('CONFIG RESETSTAT zeroes the counters INFO reports', async () => {
    const c = await ReplyConnection.open(server.port)
    await c.call(['GET', 'x'])
    await c.call(['NOSUCHCOMMAND'])
    await c.call(['GET'])
    expect(await c.call(['CONFIG', 'RESETSTAT'])).toBe('+OK\r\n')
    const fields = infoFields(await c.call(['INFO', 'all']))
    expect(fields.get('keyspace_misses')).toBe('0')
    expect(fields.get('total_error_replies')).toBe('0')
    expect(fields.get('cmdstat_get')).toBeUndefined()
    expect(fields.get('cmdstat_info')).toBeUndefined()
    expect(Number(fields.get('total_commands_processed'))).toBeLessThanOrEqual(1)
    await c.call(['GET'])
    const after = infoFields(await c.call(['INFO', 'commandstats', 'stats']))
    expect(after.get('cmdstat_get')).toBe('calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0')
    expect(after.get('total_error_replies')).toBe('1')
    c.close()
  })

  it('CONFIG GET matches names and globs, answers a map in RESP3', async () => {
    const c = await ReplyConnection.open(server.port)
    expect(sortedReply(await c.call(['CONFIG', 'GET', 'maxmemory', 'TIMEOUT', 'nosuch']), true))
      .toBe(sortedReply('*4\r\n$7\r\nTIMEOUT\r\n$1\r\n0\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n', true))
    const hash = await c.call(['CONFIG', 'GET', 'hash-max-*'])
    expect(elements(hash).items).toHaveLength(8)
    expect(hash).toContain('$24\r\nhash-max-ziplist-entries\r\n$3\r\n512\r\n')
    expect(await c.call(['CONFIG', 'GET', 'nosuch*'])).toBe('*0\r\n')
    await c.call(['HELLO', '3'])
    expect(await c.call(['CONFIG', 'GET', 'appendonly'])).toBe('%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n')
    c.close()
  })

  it('CONFIG SET changes several parameters at once, or none', async () => {
    const c = await ReplyConnection.open(server.port)
    expect(await c.call(['CONFIG', 'SET', 'maxmemory', '1mb', 'maxmemory-policy', 'ALLKEYS-LRU'])).toBe('+OK\r\n')
    expect(sortedReply(await c.call(['CONFIG', 'GET', 'maxmemory', 'maxmemory-policy']), true))
      .toBe(sortedReply('*4\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n', true))
    expect(await c.call(['CONFIG', 'SET', 'maxmemory', '2mb', 'hz', 'x'])).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer\r\n")
    expect(await c.call(['CONFIG', 'GET', 'maxmemory'])).toBe('*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n')
    expect(await c.call(['CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction'])).toBe('+OK\r\n')
    c.close()
  })

  it('CONFIG SET port and bind: respite cannot re-listen, so only the current value is accepted', async () => {
    const replies = await call(server.port, ['CONFIG', 'GET', 'port'], ['CONFIG', 'SET', 'port', '1'], ['CONFIG', 'SET', 'bind', '0.0.0.0'],
      ['CONFIG', 'SET', 'bind', '127.0.0.1'])
    expect(replies[1]).toBe("-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port\r\n")
    expect(replies[2]).toBe("-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n")
    expect(replies[3]).toBe('+OK\r\n')
    const current = /\$\d+\r\n(\d+)\r\n$/.exec(replies[0])![1]
    expect(await call(server.port, ['CONFIG', 'SET', 'port', current])).toEqual(['+OK\r\n'])
  })

  it('CONFIG REWRITE without a config file, and CONFIG HELP', async () => {
    const [rewrite, help] = await call(server.port, ['CONFIG', 'REWRITE'], ['CONFIG', 'HELP'])
    expect(rewrite).toBe('-ERR The server is running without a config file\r\n')
    expect(help).toBe('*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n' +
      '+    Return parameters matching the glob-like <pattern> and their values.\r\n+SET <directive> <value>\r\n' +
      '+    Set the configuration <directive> to <value>.\r\n+RESETSTAT\r\n+    Reset statistics reported by the INFO command.\r\n' +
      '+REWRITE\r\n+    Rewrite the configuration file.\r\n+HELP\r\n+    Prints this help.\r\n')
  })

  it('CONFIG SET requirepass applies to new connections at once', async () => {
    const admin = await ReplyConnection.open(server.port)
    expect(await admin.call(['CONFIG', 'SET', 'requirepass', 's3cret'])).toBe('+OK\r\n')
    const [noauth, auth, ok] = await call(server.port, ['GET', 'k'], ['AUTH', 's3cret'], ['PING'])
    expect([noauth, auth, ok]).toEqual(['-NOAUTH Authentication required.\r\n', '+OK\r\n', '+PONG\r\n'])
    expect(await admin.call(['PING'])).toBe('+PONG\r\n')
    expect(await admin.call(['CONFIG', 'SET', 'requirepass', ''])).toBe('+OK\r\n')
    expect(await call(server.port, ['PING'])).toEqual(['+PONG\r\n'])
    admin.close()
  })

  it('TIME answers seconds and microseconds of the wall clock', async () => {
    const before = Date.now()
    const [reply] = await call(server.port, ['TIME'])
    const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$/.exec(reply)!
    expect(m).not.toBeNull()
    const ms = Number(m[1]) * 1000 + Math.floor(Number(m[2]) / 1000)
    expect(ms).toBeGreaterThanOrEqual(before - 1)
    expect(ms).toBeLessThanOrEqual(Date.now() + 1)
    expect(Number(m[2])).toBeLessThan(1_000_000)
  })

  // SAVE and friends: test/persistence/; BGREWRITEAOF writes files: test/persistence/aof.test.ts.

  it('ROLE, FUNCTION LIST, FUNCTION FLUSH, FUNCTION STATS, FUNCTION DELETE, FUNCTION KILL and FUNCTION HELP', async () => {
    const replies = await call(server.port, ['ROLE'], ['FUNCTION', 'LIST'], ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'x*'],
      ['FUNCTION', 'FLUSH'], ['FUNCTION', 'FLUSH', 'ASYNC'], ['FUNCTION', 'FLUSH', 'x'], ['FUNCTION', 'STATS'],
      ['FUNCTION', 'DELETE', 'lib'], ['FUNCTION', 'KILL'], ['FUNCTION', 'LIST', 'foo'])
    expect(replies).toEqual(['*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n', '*0\r\n', '*0\r\n', '+OK\r\n', '+OK\r\n',
      '-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n',
      '*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:0\r\n$15\r\nfunctions_count\r\n:0\r\n',
      '-ERR Library not found\r\n', '-NOTBUSY No scripts in execution right now.\r\n', '-ERR Unknown argument foo\r\n'])
    const [help] = await call(server.port, ['FUNCTION', 'HELP'])
    expect(help.startsWith('*40\r\n+FUNCTION <subcommand>')).toBe(true)
  })

  it('MEMORY USAGE, MEMORY DOCTOR, MEMORY PURGE and MEMORY HELP', async () => {
    const [, usage, missing, bad, doctor, purge, help] = await call(server.port, ['SET', 'mem-k', 'x'.repeat(1000)],
      ['MEMORY', 'USAGE', 'mem-k'], ['MEMORY', 'USAGE', 'mem-none'], ['MEMORY', 'USAGE', 'mem-k', 'SAMPLES'],
      ['MEMORY', 'DOCTOR'], ['MEMORY', 'PURGE'], ['MEMORY', 'HELP'])
    expect(Number(/^:(\d+)\r\n$/.exec(usage)![1])).toBeGreaterThan(1000)
    expect(missing).toBe('$-1\r\n')
    expect(bad).toBe('-ERR syntax error\r\n')
    expect(doctor).toMatch(/^\$\d+\r\nHi Sam/)
    expect(purge).toBe('+OK\r\n')
    expect(help.startsWith('*14\r\n+MEMORY <subcommand>')).toBe(true)
  })

  it('LATENCY LATEST, LATENCY HISTORY, LATENCY RESET, LATENCY GRAPH, LATENCY DOCTOR, LATENCY HELP', async () => {
    const replies = await call(server.port, ['LATENCY', 'LATEST'], ['LATENCY', 'HISTORY', 'command'], ['LATENCY', 'RESET'],
      ['LATENCY', 'GRAPH', 'command'], ['LATENCY', 'DOCTOR'], ['LATENCY', 'HELP'])
    expect(replies.slice(0, 4)).toEqual(['*0\r\n', '*0\r\n', ':0\r\n', "-ERR No samples available for event 'command'\r\n"])
    expect(replies[4]).toMatch(/^\$\d+\r\nI'm sorry, Dave, I can't do that/)
    expect(replies[5].startsWith('*17\r\n+LATENCY <subcommand>')).toBe(true)
  })

  it('SLOWLOG GET, SLOWLOG LEN, SLOWLOG RESET and SLOWLOG HELP', async () => {
    const replies = await call(server.port, ['SLOWLOG', 'GET'], ['SLOWLOG', 'GET', '-1'], ['SLOWLOG', 'GET', '-2'],
      ['SLOWLOG', 'LEN'], ['SLOWLOG', 'RESET'], ['SLOWLOG', 'HELP'])
    expect(replies.slice(0, 5)).toEqual(['*0\r\n', '*0\r\n', '-ERR count should be greater than or equal to -1\r\n', ':0\r\n', '+OK\r\n'])
    expect(replies[5].startsWith('*12\r\n+SLOWLOG <subcommand>')).toBe(true)
  })
})

describe('SHUTDOWN', () => {
  it('SHUTDOWN closes every connection and stops listening; SHUTDOWN ABORT has nothing to abort', async () => {
    const server = await startRespite()
    const other = await RawClient.connect(server.port)
    const [abort, bad, both] = await call(server.port, ['SHUTDOWN', 'ABORT'], ['SHUTDOWN', 'FOO'], ['SHUTDOWN', 'SAVE', 'NOSAVE'])
    expect([abort, bad, both]).toEqual(['-ERR No shutdown in progress.\r\n', '-ERR syntax error\r\n', '-ERR syntax error\r\n'])
    const c = await RawClient.connect(server.port)
    c.write(resp('SHUTDOWN', 'NOSAVE'))
    expect(await c.waitClosed(3000)).toBe(true)
    expect(c.take()).toBe('')
    expect(await other.waitClosed(3000)).toBe(true)
    await expect(RawClient.connect(server.port)).rejects.toThrow()
    await server.close()
  })
})

describe('client limits', () => {
  it('maxclients: one connection too many gets "ERR max number of clients reached" (CONFIG SET maxclients applies live)', async () => {
    const server = await startRespite({ maxclients: 2 })
    const a = await RawClient.connect(server.port)
    const b = await RawClient.connect(server.port)
    expect(await b.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
    const c = await RawClient.connect(server.port)
    expect(await c.read(Number.MAX_SAFE_INTEGER, 3000)).toBe('-ERR max number of clients reached\r\n')
    expect(c.closed).toBe(true)
    expect(await a.roundTrip(resp('CONFIG', 'SET', 'maxclients', '3'), 5)).toBe('+OK\r\n')
    const d = await RawClient.connect(server.port)
    expect(await d.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
    for (const x of [a, b, d]) x.close()
    await server.close()
  })

  it('timeout: CONFIG SET timeout 1 closes idle clients within a few seconds', async () => {
    const server = await startRespite()
    const idle = await RawClient.connect(server.port)
    expect(await idle.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
    const [ok] = await call(server.port, ['CONFIG', 'SET', 'timeout', '1'])
    expect(ok).toBe('+OK\r\n')
    expect(await idle.waitClosed(6000)).toBe(true)
    await server.close()
  }, 10_000)
})

describe.skipIf(skipRedis !== null)('server commands against redis-server', () => {
  const servers = useRespiteAndRedis()

  const pairs = (args: string[], reply: string) => (args[0] === 'CONFIG' && args[1] === 'GET' ? sortedReply(reply, true) : reply)

  it('CONFIG GET * lists the same parameters with the same defaults', async () => {
    const [ours] = await call(servers.respite.port, ['CONFIG', 'GET', '*'])
    const [theirs] = await call(servers.redis.port, ['CONFIG', 'GET', '*'])
    const toMap = (r: string) => {
      const items = elements(r).items.map((i) => i.replace(/^\$\d+\r\n/, '').replace(/\r\n$/, ''))
      const m = new Map<string, string>()
      for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1])
      return m
    }
    const a = toMap(ours)
    const b = toMap(theirs)
    // respite's own parameters: the mini dialect and the memcached front end.
    for (const own of ['mini-port', 'memcached-port', 'memcached-item-size-max']) a.delete(own)
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort())
    // Where respite differs on purpose (or the test harness sets them): addresses, files, process.
    const own = new Set(['port', 'bind', 'dir', 'save', 'logfile', 'pidfile', 'daemonize', 'loglevel', 'maxclients'])
    for (const [name, value] of b) if (!own.has(name)) expect(`${name}=${a.get(name)}`).toBe(`${name}=${value}`)
  })

  it('CONFIG GET and CONFIG SET match byte for byte, errors included', async () => {
    const cmds = [
      ['CONFIG', 'GET'], ['CONFIG', 'GET', 'nosuch'], ['CONFIG', 'GET', 'timeout', 'maxmemory'], ['CONFIG', 'GET', 'hash-max-*'],
      ['CONFIG', 'GET', 'hash-max-ziplist-entries', 'TIMEOUT'], ['CONFIG', 'GET', '*max-*-entries*', 'zset*'],
      ['CONFIG', 'GET', 'client-output-buffer-limit'], ['CONFIG', 'GET', 'notify-keyspace-events', 'lua-time-limit'],
      ['CONFIG', 'SET'], ['CONFIG', 'SET', 'foo'], ['CONFIG', 'SET', 'foo', 'bar'], ['CONFIG', 'SET', 'timeout', '1', 'bar'],
      ['CONFIG', 'SET', 'maxclients', 'x'], ['CONFIG', 'SET', 'maxclients', '0'], ['CONFIG', 'SET', 'timeout', '-1'],
      ['CONFIG', 'SET', 'timeout', '1.5'], ['CONFIG', 'SET', 'timeout', '01'], ['CONFIG', 'SET', 'timeout', '+1'],
      ['CONFIG', 'SET', 'timeout', ' 1'], ['CONFIG', 'SET', 'timeout', '1', 'TIMEOUT', '2'], ['CONFIG', 'SET', 'timeout', 'x', 'foo', '1'],
      ['CONFIG', 'SET', 'timeout', 'x', 'daemonize', 'no'], ['CONFIG', 'SET', 'daemonize', 'yes'], ['CONFIG', 'SET', 'databases', '5'],
      ['CONFIG', 'SET', 'dir', '/tmp'], ['CONFIG', 'SET', 'dbfilename', 'x.rdb'],
      ['CONFIG', 'SET', 'appendfsync', 'foo'], ['CONFIG', 'SET', 'appendfsync', 'ALWAYS'], ['CONFIG', 'GET', 'appendfsync'],
      ['CONFIG', 'SET', 'appendfsync', 'everysec'], ['CONFIG', 'SET', 'protected-mode', 'maybe'], ['CONFIG', 'SET', 'activerehashing', 'NO'],
      ['CONFIG', 'GET', 'activerehashing'], ['CONFIG', 'SET', 'activerehashing', 'yes'], ['CONFIG', 'SET', 'loglevel', 'foo'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'bad'], ['CONFIG', 'SET', 'maxmemory', '1foo'], ['CONFIG', 'SET', 'maxmemory', '1.5gb'],
      ['CONFIG', 'SET', 'maxmemory', '-1'], ['CONFIG', 'SET', 'maxmemory', '1GB'], ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '1K', 'timeout', '0'], ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'SET', 'maxmemory', '0'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '100'], ['CONFIG', 'SET', 'hz', '0'], ['CONFIG', 'GET', 'hz'], ['CONFIG', 'SET', 'hz', '1000'],
      ['CONFIG', 'GET', 'hz'], ['CONFIG', 'SET', 'hz', '10'], ['CONFIG', 'SET', 'hash-max-ziplist-entries', '5', 'hash-max-listpack-entries', '6'],
      ['CONFIG', 'GET', 'hash-max-ziplist-entries'], ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'], ['CONFIG', 'GET', 'notify-keyspace-events'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'Elshzxetmd'], ['CONFIG', 'GET', 'notify-keyspace-events'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEn'], ['CONFIG', 'GET', 'notify-keyspace-events'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'x y'], ['CONFIG', 'SET', 'notify-keyspace-events', ''],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 2mb 60'], ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1 2 3'], ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal x 2 3'], ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 33554432 8388608 60'],
      ['CONFIG', 'SET', 'save', '1 2'], ['CONFIG', 'GET', 'save'], ['CONFIG', 'SET', 'save', '1'], ['CONFIG', 'SET', 'save', 'x 1'],
      ['CONFIG', 'SET', 'save', ''], ['CONFIG', 'SET', 'maxmemory-clients', '10%'], ['CONFIG', 'GET', 'maxmemory-clients'],
      ['CONFIG', 'SET', 'maxmemory-clients', '101%'], ['CONFIG', 'SET', 'maxmemory-clients', '10x'], ['CONFIG', 'SET', 'maxmemory-clients', '0'],
      ['CONFIG', 'SET', 'oom-score-adj-values', '1 2'], ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '101'],
      ['CONFIG', 'SET', 'latency-tracking-info-percentiles', 'x'], ['CONFIG', 'SET', 'activedefrag', 'yes'],
      ['CONFIG', 'RESETSTAT', 'x'], ['CONFIG', 'REWRITE'], ['CONFIG', 'HELP'], ['CONFIG'], ['CONFIG', 'FOO'],
    ]
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { normalize: pairs })).toBeNull()
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto: 3, normalize: pairs })).toBeNull()
  })

  it('CONFIG SET validates and normalises every parameter like Redis (seeded sweep of values)', async () => {
    const [all] = await call(servers.redis.port, ['CONFIG', 'GET', '*'])
    const items = elements(all).items.map((i) => i.replace(/^\$\d+\r\n/, '').replace(/\r\n$/, ''))
    // Left out: parameters that would move files, drop the test's own connection, or fail for OS reasons.
    const unsafe = new Set(['port', 'bind', 'dir', 'dbfilename', 'logfile', 'pidfile', 'requirepass', 'save', 'appendonly',
      'replicaof', 'slaveof', 'maxmemory', 'maxmemory-clients', 'client-output-buffer-limit', 'daemonize', 'unixsocket', 'tls-port',
      'tls-cluster', 'tls-replication', 'maxclients', 'proto-max-bulk-len', 'client-query-buffer-limit', 'loglevel', 'oom-score-adj',
      'timeout', 'io-threads'])
    const values = ['yes', 'NO', '0', '-1', '1', '100', '1kb', '1gb', '2mb', 'abc', '', '01', '+1', '2147483648', '9223372036854775808',
      '-2147483649', '1.5', 'always', 'allkeys-lru', 'KEA', 'x y', '5 10', '50 99.5', '20%', '{title} x', '{nope}', 'kb']
    const r = rng(7)
    const cmds: string[][] = []
    for (let i = 0; i < items.length; i += 2) {
      const [name, original] = [items[i], items[i + 1]]
      if (unsafe.has(name)) continue
      for (let k = 0; k < 5; k++) cmds.push(['CONFIG', 'SET', name, r.pick(values)], ['CONFIG', 'GET', name])
      cmds.push(['CONFIG', 'SET', name, original])
    }
    expect(cmds.length).toBeGreaterThan(1000)
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { normalize: pairs })).toBeNull()
  })

  it('INFO sections, FUNCTION, ROLE, MEMORY, LATENCY, SLOWLOG and SHUTDOWN errors match', async () => {
    const headers = (args: string[], reply: string) => {
      if (args[0] !== 'INFO') return reply
      return sectionTitles(reply).join(',') + (reply.startsWith('=') ? ' (verbatim)' : '')
    }
    const cmds = [
      ['INFO'], ['INFO', 'default'], ['INFO', 'all'], ['INFO', 'everything'], ['INFO', 'server', 'clients'], ['INFO', 'Keyspace'],
      ['INFO', 'foo'], ['INFO', 'commandstats', 'keyspace'], ['INFO', 'default', 'commandstats'], ['INFO', 'modules'],
      ['INFO', 'everything', 'foo'], ['ROLE'], ['FUNCTION', 'LIST'], ['FUNCTION', 'LIST', 'WITHCODE'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'x'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME'], ['FUNCTION', 'LIST', 'foo'], ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'], ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'FLUSH', 'sync'], ['FUNCTION', 'FLUSH', 'x'], ['FUNCTION', 'FLUSH', 'ASYNC', 'x'], ['FUNCTION', 'STATS'],
      ['FUNCTION', 'DELETE', 'x'], ['FUNCTION', 'KILL'], ['FUNCTION', 'HELP'], ['SET', 'k', 'v'], ['MEMORY', 'USAGE', 'nokey'],
      ['MEMORY', 'USAGE', 'k', 'SAMPLES'], ['MEMORY', 'USAGE', 'k', 'SAMPLES', 'x'], ['MEMORY', 'USAGE', 'k', 'bar'], ['MEMORY', 'HELP'],
      ['LATENCY', 'LATEST'], ['LATENCY', 'HISTORY', 'x'], ['LATENCY', 'RESET', 'a', 'b'], ['LATENCY', 'GRAPH', 'x'], ['LATENCY', 'HELP'],
      ['SLOWLOG', 'GET', 'x'], ['SLOWLOG', 'GET', '-2'], ['SLOWLOG', 'RESET'], ['SLOWLOG', 'HELP'], ['SLOWLOG', 'GET', '1', '2'],
      ['SHUTDOWN', 'ABORT'], ['SHUTDOWN', 'foo'], ['SHUTDOWN', 'NOSAVE', 'SAVE'], ['SHUTDOWN', 'ABORT', 'NOW'],
      ['BGSAVE', 'x'], ['TIME', 'x'], ['LASTSAVE', 'x'],
    ]
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { normalize: headers })).toBeNull()
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto: 3, normalize: headers })).toBeNull()
  })

  it('INFO reports every field Redis reports', async () => {
    const [ours] = await call(servers.respite.port, ['INFO', 'everything'])
    const [theirs] = await call(servers.redis.port, ['INFO', 'everything'])
    const ourFields = infoFields(ours)
    const skip = /^(cmdstat_|errorstat_|latency_percentiles_usec_|db\d+$)/
    for (const name of infoFields(theirs).keys()) if (!skip.test(name)) expect(ourFields.has(name), name).toBe(true)
  })
})
