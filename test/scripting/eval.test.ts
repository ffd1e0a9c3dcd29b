import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import type { WriteSink } from '../../src/server/propagation.js'
import type { Database } from '../../src/store/database.js'
import { until, useRespite } from '../helpers/fixture.js'

/**
 * EVAL and EVALSHA through the one execution path: what a script writes reaches
 * WATCH, keyspace events, blocked clients and the propagation seam exactly as the
 * same commands sent by a client would, and the script is atomic.
 */

const { respite, r2, r3 } = await useRespite()

describe('EVAL and EVALSHA on the execution path', () => {
  const extra: Redis[] = []
  const connect = () => {
    const r = new Redis({ port: respite.port, host: '127.0.0.1' })
    extra.push(r)
    return r
  }
  afterAll(() => {
    for (const r of extra) r.disconnect()
  })

  it('EVAL propagates the commands a script ran, wrapped in MULTI/EXEC, never EVAL itself', async () => {
    const seen: string[][] = []
    const sink: WriteSink = { write: (_db: Database, argv: readonly string[]) => seen.push([...argv]) }
    const propagation = respite.server.propagation
    propagation.attach(sink)
    try {
      await r3.eval("redis.call('incr', KEYS[1]) redis.call('incr', KEYS[1]) return redis.call('get', KEYS[1])", 1, 'p')
      expect(seen).toEqual([['MULTI'], ['incr', 'p'], ['incr', 'p'], ['EXEC']])
      seen.length = 0
      await r3.eval("return redis.call('get', KEYS[1])", 1, 'p')
      await r3.eval("redis.pcall('incr', 'x', 'extra') redis.pcall('lpush', 'p', 'x') return 1", 0)
      expect(seen).toEqual([])
      // EXEC is wrapped the same way, and EVAL inside it adds no second MULTI.
      await r3.multi().incr('p').eval("return redis.call('incr', 'p')", 0).exec()
      expect(seen).toEqual([['MULTI'], ['incr', 'p'], ['incr', 'p'], ['EXEC']])
    } finally {
      propagation.detach(sink)
    }
  })

  it('WATCH sees a script\'s write: EXEC then answers a null array', async () => {
    const watcher = connect()
    await watcher.set('w', '1')
    await watcher.watch('w')
    await r3.eval("return redis.call('set', 'w', '2')", 0)
    const result = await watcher.multi().get('w').exec()
    expect(result).toBeNull()
  })

  it('keyspace events fire for a script\'s writes', async () => {
    const sub = connect()
    await r3.config('SET', 'notify-keyspace-events', 'KEA')
    const events: string[] = []
    sub.on('pmessage', (_p, channel, message) => events.push(`${channel} ${message}`))
    await sub.psubscribe('__keyspace@0__:ev*')
    try {
      await r3.eval("redis.call('set', 'ev1', 'x') redis.call('lpush', 'ev2', 'a') redis.call('del', 'ev1') return 1", 0)
      await until(() => events.length >= 3, 'three keyspace events')
      expect(events).toEqual(['__keyspace@0__:ev1 set', '__keyspace@0__:ev2 lpush', '__keyspace@0__:ev1 del'])
    } finally {
      await r3.config('SET', 'notify-keyspace-events', '')
    }
  })

  it('a client blocked in BLPOP is served by a script\'s LPUSH, once the script is done', async () => {
    const blocked = connect()
    const popped = blocked.blpop('queue', 5)
    await until(async () => Number(/blocked_clients:(\d+)/.exec(await r3.info('clients'))![1]) === 1, 'the BLPOP to block')
    const length = await r3.eval("redis.call('lpush', 'queue', 'job') return redis.call('llen', 'queue')", 0)
    // The script saw its own push: nothing ran in between.
    expect(length).toBe(1)
    expect(await popped).toEqual(['queue', 'job'])
    expect(await r3.llen('queue')).toBe(0)
  })

  it('a script is atomic: pipelined commands from another client run before or after it, never inside', async () => {
    const other = connect()
    const script = "local n = 0 for i = 1, 2000 do n = n + redis.call('incr', 'atomic') end return redis.call('get', 'atomic')"
    const results = await Promise.all([
      r3.eval(script, 0),
      ...Array.from({ length: 50 }, () => other.set('atomic', '0')),
    ])
    const total = Number(results[0])
    // Whatever SETs ran before it, the script counted 2000 in a row.
    expect(total).toBe(2000)
  })

  it('EVALSHA runs a script that SCRIPT LOAD cached, from ioredis in RESP2 and RESP3', async () => {
    const sha = (await r3.script('LOAD', 'return {KEYS[1], ARGV[1], 3.9, true, false}')) as string
    expect(sha).toMatch(/^[0-9a-f]{40}$/)
    expect(await r3.evalsha(sha, 1, 'k', 'a')).toEqual(['k', 'a', 3, 1, null])
    expect(await r2.evalsha(sha, 1, 'k', 'a')).toEqual(['k', 'a', 3, 1, null])
    expect(await r3.script('EXISTS', sha, 'f'.repeat(40))).toEqual([1, 0])
  })

  it('ioredis defineCommand (EVALSHA, falling back to EVAL on NOSCRIPT) works after SCRIPT FLUSH', async () => {
    const r = connect()
    r.defineCommand('addTwo', { numberOfKeys: 1, lua: "return redis.call('incrby', KEYS[1], 2)" })
    const client = r as Redis & { addTwo(key: string): Promise<number> }
    expect(await client.addTwo('two')).toBe(2)
    await r.script('FLUSH')
    expect(await client.addTwo('two')).toBe(4)
  })

  it('INFO memory counts the cached scripts and their bytes; SCRIPT FLUSH empties it', async () => {
    await r3.script('FLUSH')
    await r3.eval('return 1', 0)
    await r3.eval('return 22', 0)
    const info = await r3.info('memory')
    expect(info).toContain('number_of_cached_scripts:2\r\n')
    expect(info).toContain(`used_memory_scripts_eval:${'return 1'.length + 'return 22'.length}\r\n`)
    expect(Number(/used_memory_vm_eval:(\d+)/.exec(info)![1])).toBeGreaterThan(0)
    await r3.script('FLUSH')
    expect(await r3.info('memory')).toContain('number_of_cached_scripts:0\r\n')
  })

  it('past maxmemory a script\'s writes are refused with OOM, reads go on, and allow-oom lets a script write', async () => {
    await r3.set('m', 'v')
    await r3.config('SET', 'maxmemory', '1')
    try {
      await expect(r3.eval("return redis.call('set', 'm', 'w')", 0)).rejects.toThrow(
        "OOM command not allowed when used memory > 'maxmemory'. script: ",
      )
      expect(await r3.eval("return redis.call('get', 'm')", 0)).toBe('v')
      // A script that declares writes is refused before it runs; a no-writes one runs.
      await expect(r3.eval("#!lua\nreturn 1", 0)).rejects.toThrow("OOM command not allowed when used memory > 'maxmemory'.")
      expect(await r3.eval("#!lua flags=no-writes\nreturn redis.call('get', 'm')", 0)).toBe('v')
      expect(await r3.eval("#!lua flags=allow-oom\nreturn redis.call('set', 'm', 'w')", 0)).toBe('OK')
    } finally {
      await r3.config('SET', 'maxmemory', '0')
    }
  })
})
