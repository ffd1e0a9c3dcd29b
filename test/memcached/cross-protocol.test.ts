import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { Conn, exchange, sleep, startRespite } from './helpers.js'

/** One keyspace seen through both protocols: database 0 is memcached's. */
describe('memcached and Redis over the same keyspace', () => {
  let server: RunningServer
  let redis: Redis

  beforeAll(async () => {
    server = await startRespite()
    redis = new Redis({ port: server.port, lazyConnect: true })
    await redis.connect()
  })
  afterAll(async () => {
    redis?.disconnect()
    await server?.close()
  })

  const mc = (s: string) => exchange(server.memcachedPort, Buffer.from(s, 'latin1'))

  it('a memcached set is what GET returns, bytes intact, flags kept out of the value', async () => {
    expect(await mc('set x1 123 0 5\r\nhello\r\n')).toBe('STORED\r\n')
    expect(await redis.get('x1')).toBe('hello')
    expect(await mc('set bin 0 0 4\r\n\x00\xff\r\n\r\n')).toBe('STORED\r\n')
    expect((await redis.getBuffer('bin'))!.equals(Buffer.from([0, 0xff, 13, 10]))).toBe(true)
    expect(await redis.strlen('x1')).toBe(5)
  })

  it('a Redis SET is what memcached get returns, with flags 0', async () => {
    await redis.set('r1', 'from redis')
    expect(await mc('get r1\r\n')).toBe('VALUE r1 0 10\r\nfrom redis\r\nEND\r\n')
    await redis.set('rb', Buffer.from([1, 2, 0xfe]))
    expect(Buffer.from(await mc('get rb\r\n'), 'latin1').equals(Buffer.from('VALUE rb 0 3\r\n\x01\x02\xfe\r\nEND\r\n', 'latin1'))).toBe(true)
  })

  it('a Redis write resets the flags to 0 and changes the CAS', async () => {
    await mc('set f1 77 0 1\r\na\r\n')
    const before = (await mc('gets f1\r\n')).split('\r\n')[0].split(' ')
    expect(before[2]).toBe('77')
    await redis.append('f1', 'b')
    const after = (await mc('gets f1\r\n')).split('\r\n')[0].split(' ')
    expect(after[2]).toBe('0')
    expect(after[4]).not.toBe(before[4])
    // The old CAS no longer stores; the new one does.
    expect(await mc(`cas f1 5 0 1 ${before[4]}\r\nz\r\n`)).toBe('EXISTS\r\n')
    expect(await mc(`cas f1 5 0 1 ${after[4]}\r\nz\r\n`)).toBe('STORED\r\n')
    expect(await redis.get('f1')).toBe('z')
    // Even a Redis EXPIRE is a write to the key.
    await redis.expire('f1', 100)
    expect((await mc('get f1\r\n')).split('\r\n')[0]).toBe('VALUE f1 0 1')
  })

  it('memcached reads do not change the CAS; memcached writes do', async () => {
    await mc('set c1 0 0 1\r\n1\r\n')
    const a = await mc('gets c1\r\n')
    expect(await mc('gets c1\r\n')).toBe(a)
    await mc('incr c1 1\r\n')
    expect(await mc('gets c1\r\n')).not.toBe(a)
  })

  it('TTLs are shared both ways', async () => {
    await mc('set t1 0 100 1\r\nx\r\n')
    const ttl = await redis.ttl('t1')
    expect(ttl).toBeGreaterThan(95)
    expect(ttl).toBeLessThanOrEqual(100)
    await redis.set('t2', 'v', 'EX', 50)
    expect(await mc('mg t2 t v\r\n')).toBe('VA 1 t50\r\nv\r\n')
    await mc('touch t2 0\r\n')
    expect(await redis.ttl('t2')).toBe(-1)
    // An absolute exptime (past 30 days) is a unix time.
    const at = Math.floor(Date.now() / 1000) + 1000
    await mc(`set t3 0 ${at} 1\r\nx\r\n`)
    expect(Math.abs((await redis.expiretime('t3')) - at)).toBeLessThanOrEqual(1)
    await redis.set('t4', 'v', 'PX', 30)
    await sleep(60)
    expect(await mc('get t4\r\n')).toBe('END\r\n')
  })

  it('deletes, flushes and expiry on one side are seen on the other', async () => {
    await redis.set('d1', 'x')
    expect(await mc('delete d1\r\n')).toBe('DELETED\r\n')
    expect(await redis.exists('d1')).toBe(0)
    await mc('set d2 9 0 1\r\nx\r\n')
    await redis.del('d2')
    expect(await mc('get d2\r\n')).toBe('END\r\n')
    await mc('set d3 9 0 1\r\nx\r\n')
    await redis.flushdb()
    expect(await mc('get d3\r\n')).toBe('END\r\n')
    await redis.set('d4', 'x')
    expect(await mc('flush_all\r\n')).toBe('OK\r\n')
    expect(await redis.dbsize()).toBe(0)
  })

  it('only database 0 is memcached', async () => {
    await redis.select(1)
    await redis.set('db1', 'x')
    expect(await mc('get db1\r\n')).toBe('END\r\n')
    await redis.select(0)
  })

  it('a key of another Redis type is a miss for reads, overwritten by set, left alone by add', async () => {
    await redis.rpush('l1', 'a', 'b')
    expect(await mc('get l1\r\n')).toBe('END\r\n')
    expect(await mc('mg l1 v\r\n')).toBe('EN\r\n')
    expect(await mc('incr l1 1\r\n')).toBe('NOT_FOUND\r\n')
    expect(await mc('append l1 0 0 1\r\nx\r\n')).toBe('NOT_STORED\r\n')
    expect(await mc('add l1 0 0 1\r\nx\r\n')).toBe('NOT_STORED\r\n')
    expect(await redis.type('l1')).toBe('list')
    expect(await mc('set l1 0 0 1\r\nx\r\n')).toBe('STORED\r\n')
    expect(await redis.type('l1')).toBe('string')
    await redis.hset('h1', 'f', 'v')
    expect(await mc('delete h1\r\n')).toBe('DELETED\r\n')
    expect(await redis.exists('h1')).toBe(0)
  })

  it('counters written by incr read as integers through Redis, and INCR output through memcached', async () => {
    await mc('set n1 0 0 1\r\n5\r\n')
    expect(await mc('incr n1 10\r\n')).toBe('15\r\n')
    expect(await redis.incr('n1')).toBe(16)
    expect(await mc('incr n1 1\r\n')).toBe('17\r\n')
    // A bitmap written in place by SETBIT is read as its bytes.
    await redis.setbit('bm', 7, 1)
    expect(await mc('get bm\r\n')).toBe('VALUE bm 0 1\r\n\x01\r\nEND\r\n')
  })

  it('WATCH sees a memcached write as a change to the key', async () => {
    const other = new Redis({ port: server.port })
    await other.watch('w1')
    await mc('set w1 0 0 1\r\nx\r\n')
    const result = await other.multi().set('w1', 'y').exec()
    expect(result).toBeNull()
    other.disconnect()
  })

  it('INFO and stats each report their own counters and the shared ones', async () => {
    const c = await Conn.open(server.memcachedPort)
    c.write('get nothing-here\r\nstats\r\n')
    const stats = (await c.until('END\r\n')).toString()
    const stat = (name: string) => Number(new RegExp(`STAT ${name} (\\d+)`).exec(stats)![1])
    expect(stat('cmd_get')).toBeGreaterThan(0)
    expect(stat('get_misses')).toBeGreaterThan(0)
    expect(stat('curr_connections')).toBeGreaterThanOrEqual(1)
    expect(stat('curr_items')).toBe(await redis.dbsize())
    expect(stat('redis_connections')).toBeGreaterThanOrEqual(1)
    const info = await redis.info('stats')
    expect(info).toMatch(/memcached_cmd_get:\d+/)
    expect(info).toMatch(/memcached_connected_clients:1\r\n/)
    const clients = await redis.info('clients')
    expect(clients).toMatch(/connected_clients:1\r\n/)
    c.close()
  })
})
