import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { ReplyConnection } from '../helpers/differential.js'
import { FakeList, until, useRespite } from '../helpers/fixture.js'
import { startRespite } from '../helpers/servers.js'

const { respite, r3, r2, exact, putList } = await useRespite()

describe('DEL, UNLINK, EXISTS, TOUCH, TYPE', () => {
  it('DEL and UNLINK count removed keys; EXISTS and TOUCH count duplicates', async () => {
    await r3.mset('a', '1', 'b', '2', 'c', '3')
    expect(await r3.exists('a', 'a', 'b', 'nokey')).toBe(3)
    expect(await r3.touch('a', 'a', 'nokey')).toBe(2)
    expect(await r3.del('a', 'a', 'nokey')).toBe(1)
    expect(await r3.unlink('b', 'c')).toBe(2)
    expect(await r3.exists('a', 'b', 'c')).toBe(0)
  })

  it('TYPE names the value type, or none', async () => {
    await r3.set('s', 'v')
    putList('l')
    expect(await r3.type('s')).toBe('string')
    expect(await r3.type('l')).toBe('list')
    expect(await r3.type('nokey')).toBe('none')
    await exact([['TYPE', 's'], ['TYPE', 'nokey']], '+string\r\n+none\r\n')
  })

  it('expired keys do not exist for EXISTS, TYPE or DEL', async () => {
    await r3.set('k', 'v', 'PX', 1)
    await new Promise((r) => setTimeout(r, 5))
    expect(await r3.exists('k')).toBe(0)
    expect(await r3.type('k')).toBe('none')
    expect(await r3.del('k')).toBe(0)
  })
})

describe('KEYS, SCAN, RANDOMKEY, DBSIZE', () => {
  it('KEYS matches Redis globs and skips expired keys', async () => {
    await r3.mset('hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'a*b', '6')
    await r3.set('gone', 'v', 'PX', 1)
    await new Promise((r) => setTimeout(r, 5))
    expect((await r3.keys('*')).sort()).toEqual(['a*b', 'hallo', 'heeeello', 'hello', 'hllo', 'hxllo'])
    expect((await r3.keys('h?llo')).sort()).toEqual(['hallo', 'hello', 'hxllo'])
    expect((await r3.keys('h*llo')).sort()).toEqual(['hallo', 'heeeello', 'hello', 'hllo', 'hxllo'])
    expect((await r3.keys('h[ae]llo')).sort()).toEqual(['hallo', 'hello'])
    expect((await r3.keys('h[^e]llo')).sort()).toEqual(['hallo', 'hxllo'])
    expect((await r3.keys('h[a-b]llo')).sort()).toEqual(['hallo'])
    expect(await r3.keys('a\\*b')).toEqual(['a*b'])
    expect(await r3.keys('nothing*')).toEqual([])
  })

  it('SCAN visits every key once across inserts and deletes, with MATCH, COUNT and TYPE', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `key:${i}`)
    await r3.mset(...keys.flatMap((k) => [k, 'v']))
    putList('list:1')
    const seen = new Map<string, number>()
    let cursor = '0'
    let rounds = 0
    do {
      const [next, batch] = await r3.scan(cursor, 'COUNT', 37)
      for (const k of batch) seen.set(k, (seen.get(k) ?? 0) + 1)
      if (rounds === 3) {
        // Keys deleted or added mid-scan need not appear, but the rest must, once each.
        await r3.del('key:499', 'key:498')
        await r3.set('late', 'v')
      }
      cursor = next
      rounds++
    } while (cursor !== '0')
    for (const k of keys.slice(0, 498)) expect(seen.get(k), k).toBe(1)
    expect(seen.get('list:1')).toBe(1)
    expect(rounds).toBeGreaterThan(10)

    const matched: string[] = []
    cursor = '0'
    do {
      const [next, batch] = await r3.scan(cursor, 'MATCH', 'key:1?', 'COUNT', 1000)
      matched.push(...batch)
      cursor = next
    } while (cursor !== '0')
    expect(matched.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `key:1${i}`))
    expect(await r3.call('SCAN', '0', 'TYPE', 'LIST', 'COUNT', '10000')).toEqual(['0', ['list:1']])
    expect(await r3.call('SCAN', '0', 'TYPE', 'hash', 'COUNT', '10000')).toEqual(['0', []])
  })

  it('SCAN argument errors', async () => {
    await exact(
      [['SCAN', 'abc'], ['SCAN', '18446744073709551616'], ['SCAN', ' 0'], ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', 'x'],
        ['SCAN', '0', 'MATCH'], ['SCAN', '0', 'FOO', 'bar'], ['SCAN', '-1'], ['SCAN', '']],
      '-ERR invalid cursor\r\n-ERR invalid cursor\r\n-ERR invalid cursor\r\n-ERR syntax error\r\n' +
        '-ERR value is not an integer or out of range\r\n-ERR syntax error\r\n-ERR syntax error\r\n' +
        '*2\r\n$1\r\n0\r\n*0\r\n*2\r\n$1\r\n0\r\n*0\r\n',
    )
  })

  it('RANDOMKEY returns a live key, or nil; DBSIZE counts keys', async () => {
    expect(await r3.randomkey()).toBeNull()
    expect(await r3.dbsize()).toBe(0)
    await r3.mset('a', '1', 'b', '2', 'c', '3')
    for (let i = 0; i < 20; i++) expect(['a', 'b', 'c']).toContain(await r3.randomkey())
    expect(await r3.dbsize()).toBe(3)
    await exact([['FLUSHDB'], ['RANDOMKEY']], '+OK\r\n$-1\r\n')
    await exact([['RANDOMKEY']], '_\r\n', true)
  })
})

describe('RENAME, RENAMENX, COPY, MOVE', () => {
  it('RENAME moves value and TTL, replacing the target', async () => {
    await r3.set('a', '1', 'EX', 100)
    await r3.set('b', '2')
    expect(await r3.rename('a', 'b')).toBe('OK')
    expect(await r3.get('b')).toBe('1')
    expect(await r3.ttl('b')).toBeGreaterThan(90)
    expect(await r3.exists('a')).toBe(0)
    await r3.set('c', '3')
    expect(await r3.rename('c', 'b')).toBe('OK')
    expect(await r3.ttl('b')).toBe(-1)
    expect(await r3.rename('b', 'b')).toBe('OK')
    await expect(r3.rename('nokey', 'x')).rejects.toThrow('ERR no such key')
    await expect(r3.rename('nokey', 'nokey')).rejects.toThrow('ERR no such key')
  })

  it('RENAMENX only renames onto a missing key', async () => {
    await r3.mset('a', '1', 'b', '2')
    expect(await r3.renamenx('a', 'b')).toBe(0)
    expect(await r3.renamenx('a', 'a')).toBe(0)
    expect(await r3.renamenx('a', 'c')).toBe(1)
    expect(await r3.get('c')).toBe('1')
    await expect(r3.renamenx('nokey', 'x')).rejects.toThrow('ERR no such key')
  })

  it('COPY copies strings and collections (deeply), TTL included, across databases', async () => {
    await r3.set('s', 'v', 'EX', 100)
    expect(await r3.copy('s', 't')).toBe(1)
    expect(await r3.get('t')).toBe('v')
    expect(await r3.ttl('t')).toBeGreaterThan(90)
    expect(await r3.copy('s', 't')).toBe(0)
    await r3.set('s', 'w')
    expect(await r3.copy('s', 't', 'REPLACE')).toBe(1)
    expect(await r3.get('t')).toBe('w')
    const list = putList('l', 0, ['a', 'b'])
    expect(await r3.copy('l', 'l2', 'DB', 3)).toBe(1)
    const copied = respite.server.store.db(3).get('l2') as FakeList
    expect(copied).toBeInstanceOf(FakeList)
    expect(copied).not.toBe(list)
    expect(copied.items).toEqual(['a', 'b'])
    expect(await r3.copy('nokey', 'x')).toBe(0)
    expect(await r3.copy('s', 's', 'DB', 1)).toBe(1)
  })

  it('COPY errors', async () => {
    await r3.set('s', 'v')
    await exact(
      [['COPY', 's', 's'], ['COPY', 'nokey', 'nokey'], ['COPY', 's', 'x', 'DB', '16'], ['COPY', 's', 'x', 'DB', '-1'],
        ['COPY', 's', 'x', 'DB', 'abc'], ['COPY', 's', 'x', 'DB', '2147483648'], ['COPY', 's', 'x', 'FOO'], ['COPY', 's', 'x', 'DB']],
      '-ERR source and destination objects are the same\r\n-ERR source and destination objects are the same\r\n' +
        '-ERR DB index is out of range\r\n-ERR DB index is out of range\r\n-ERR value is not an integer or out of range\r\n' +
        '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n-ERR syntax error\r\n-ERR syntax error\r\n',
    )
  })

  it('MOVE moves a key with its TTL unless the target has it', async () => {
    await r3.set('k', 'v', 'EX', 100)
    expect(await r3.move('k', 1)).toBe(1)
    expect(await r3.exists('k')).toBe(0)
    const other = new Redis({ port: respite.port, db: 1 })
    try {
      expect(await other.get('k')).toBe('v')
      expect(await other.ttl('k')).toBeGreaterThan(90)
      await r3.set('k', 'w')
      expect(await r3.move('k', 1)).toBe(0)
      expect(await r3.get('k')).toBe('w')
    } finally {
      other.disconnect()
    }
    expect(await r3.move('nokey', 1)).toBe(0)
    await expect(r3.move('k', 0)).rejects.toThrow('ERR source and destination objects are the same')
    await expect(r3.move('k', 16)).rejects.toThrow('ERR DB index is out of range')
    await expect(r3.call('MOVE', 'k', 'x')).rejects.toThrow('ERR value is not an integer or out of range')
  })
})

describe('RENAME, COPY, MOVE and SWAPDB wake blocked clients', () => {
  /** Starts BLPOP on `key` in database `db` and resolves with its reply. */
  async function blpop(db: number, key: string): Promise<{ reply: Promise<unknown>; client: Redis }> {
    const client = new Redis({ port: respite.port, db })
    await client.ping()
    const reply = client.blpop(key, 0)
    await until(async () => String(await r3.call('CLIENT', 'LIST')).includes('cmd=blpop'), 'BLPOP to block')
    return { reply, client }
  }

  it('RENAME onto a waited key serves the waiter', async () => {
    const { reply, client } = await blpop(0, 'q')
    await r3.rpush('src', 'x')
    await r3.rename('src', 'q')
    expect(await reply).toEqual(['q', 'x'])
    client.disconnect()
  })

  it('COPY into another database serves a waiter there', async () => {
    const { reply, client } = await blpop(4, 'q')
    await r3.rpush('src', 'y')
    expect(await r3.copy('src', 'q', 'DB', 4)).toBe(1)
    expect(await reply).toEqual(['q', 'y'])
    expect(await r3.lrange('src', 0, -1)).toEqual(['y'])
    client.disconnect()
  })

  it('MOVE serves a waiter in the target database', async () => {
    const { reply, client } = await blpop(5, 'q')
    await r3.rpush('q', 'z')
    expect(await r3.move('q', 5)).toBe(1)
    expect(await reply).toEqual(['q', 'z'])
    client.disconnect()
  })

  it('SWAPDB serves a waiter whose database now holds the key', async () => {
    const { reply, client } = await blpop(6, 'q')
    await r3.rpush('q', 'w')
    expect(await r3.swapdb(0, 6)).toBe('OK')
    expect(await reply).toEqual(['q', 'w'])
    client.disconnect()
  })
})

describe('EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT', () => {
  it('EXPIRE and PEXPIRE set relative TTLs; TTL and PTTL read them back', async () => {
    await r3.set('k', 'v')
    expect(await r3.expire('k', 100)).toBe(1)
    expect(await r3.ttl('k')).toBeGreaterThan(90)
    expect(await r3.pexpire('k', 200_000)).toBe(1)
    const pttl = await r3.pttl('k')
    expect(pttl).toBeGreaterThan(190_000)
    expect(pttl).toBeLessThanOrEqual(200_000)
    expect(await r3.expire('nokey', 100)).toBe(0)
    expect(await r3.ttl('nokey')).toBe(-2)
    expect(await r3.pttl('nokey')).toBe(-2)
  })

  it('EXPIREAT and PEXPIREAT set absolute times; EXPIRETIME and PEXPIRETIME read them', async () => {
    await r3.set('k', 'v')
    expect(await r3.expireat('k', 99999999999)).toBe(1)
    expect(await r3.call('EXPIRETIME', 'k')).toBe(99999999999)
    expect(await r3.call('PEXPIRETIME', 'k')).toBe(99999999999000)
    expect(await r3.pexpireat('k', 99999999999499)).toBe(1)
    expect(await r3.call('EXPIRETIME', 'k')).toBe(99999999999)
    expect(await r3.pexpireat('k', 99999999999500)).toBe(1)
    expect(await r3.call('EXPIRETIME', 'k')).toBe(100000000000)
    await r3.set('p', 'v')
    expect(await r3.call('EXPIRETIME', 'p')).toBe(-1)
    expect(await r3.call('PEXPIRETIME', 'nokey')).toBe(-2)
    await exact([['SET', 'big', 'v'], ['PEXPIREAT', 'big', '9223372036854770000'], ['PEXPIRETIME', 'big'], ['EXPIRETIME', 'big']],
      '+OK\r\n:1\r\n:9223372036854770000\r\n:9223372036854770\r\n')
  })

  it('EXPIRE with a past or negative time deletes the key', async () => {
    await r3.mset('a', '1', 'b', '2', 'c', '3')
    expect(await r3.expire('a', 0)).toBe(1)
    expect(await r3.pexpire('b', -1)).toBe(1)
    expect(await r3.expireat('c', 100)).toBe(1)
    expect(await r3.exists('a', 'b', 'c')).toBe(0)
    await r3.set('d', '4')
    expect(await r3.pexpireat('d', '-9223372036854770000')).toBe(1)
    expect(await r3.exists('d')).toBe(0)
  })

  it('EXPIRE NX, XX, GT and LT', async () => {
    await r3.set('k', 'v')
    expect(await r3.expire('k', 100, 'XX')).toBe(0)
    expect(await r3.expire('k', 100, 'GT')).toBe(0)
    expect(await r3.expire('k', 100, 'NX')).toBe(1)
    expect(await r3.expire('k', 200, 'NX')).toBe(0)
    expect(await r3.expire('k', 200, 'LT')).toBe(0)
    expect(await r3.expire('k', 50, 'LT')).toBe(1)
    expect(await r3.expire('k', 40, 'GT')).toBe(0)
    expect(await r3.expire('k', 60, 'GT')).toBe(1)
    expect(await r3.expire('k', 70, 'XX')).toBe(1)
    const ttl = await r3.ttl('k')
    expect(ttl).toBeGreaterThan(60)
    expect(ttl).toBeLessThanOrEqual(70)
    await r3.set('p', 'v')
    // No TTL counts as infinite: LT always succeeds, GT never does.
    expect(await r3.call('EXPIRE', 'p', '-1', 'GT')).toBe(0)
    expect(await r3.call('EXPIRE', 'p', '100', 'LT')).toBe(1)
  })

  it('EXPIRE errors: options, then the time, in Redis\'s order and words', async () => {
    await r3.set('k', 'v')
    await exact(
      [['EXPIRE', 'k', '100', 'NX', 'XX'], ['EXPIRE', 'k', '100', 'GT', 'LT'], ['EXPIRE', 'k', '100', 'NX', 'GT'],
        ['EXPIRE', 'k', '100', 'foo'], ['EXPIRE', 'k', 'abc', 'bar'], ['EXPIRE', 'k', 'abc'],
        ['EXPIRE', 'k', '9223370399119966'], ['EXPIRE', 'k', '9223372036854776'], ['EXPIRE', 'k', '-9223372036854776'],
        ['PEXPIRE', 'k', '9223372036854770000'], ['EXPIREAT', 'k', '9223372036854776'], ['TTL', 'k']],
      '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n' +
        '-ERR GT and LT options at the same time are not compatible\r\n' +
        '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n' +
        '-ERR Unsupported option foo\r\n-ERR Unsupported option bar\r\n-ERR value is not an integer or out of range\r\n' +
        "-ERR invalid expire time in 'expire' command\r\n-ERR invalid expire time in 'expire' command\r\n" +
        "-ERR invalid expire time in 'expire' command\r\n-ERR invalid expire time in 'pexpire' command\r\n" +
        "-ERR invalid expire time in 'expireat' command\r\n:-1\r\n",
    )
  })

  it('PERSIST removes a TTL', async () => {
    await r3.set('k', 'v', 'EX', 100)
    expect(await r3.persist('k')).toBe(1)
    expect(await r3.persist('k')).toBe(0)
    expect(await r3.persist('nokey')).toBe(0)
    expect(await r3.ttl('k')).toBe(-1)
  })
})

describe('OBJECT', () => {
  it('OBJECT ENCODING follows Redis for strings, including APPEND, SETRANGE and INCRBYFLOAT', async () => {
    const cases: [string, string][] = [
      ['0', 'int'], ['-1', 'int'], ['9223372036854775807', 'int'], ['9223372036854775808', 'embstr'], ['01', 'embstr'],
      ['1.5', 'embstr'], ['', 'embstr'], ['x'.repeat(44), 'embstr'], ['x'.repeat(45), 'raw'],
    ]
    for (const [value, encoding] of cases) {
      await r3.set('k', value)
      expect(await r3.object('ENCODING', 'k'), value).toBe(encoding)
    }
    await r3.set('k', '1')
    await r3.append('k', '2')
    expect(await r3.object('ENCODING', 'k')).toBe('raw')
    expect(await r3.get('k')).toBe('12')
    await r3.set('k', '12')
    expect(await r3.object('ENCODING', 'k')).toBe('int')
    await r3.setrange('k', 0, '')
    expect(await r3.object('ENCODING', 'k')).toBe('int')
    await r3.setrange('k', 0, '3')
    expect(await r3.object('ENCODING', 'k')).toBe('raw')
    await r3.incr('k')
    expect(await r3.object('ENCODING', 'k')).toBe('int')
    await r3.incrbyfloat('k', '1')
    expect(await r3.get('k')).toBe('34')
    expect(await r3.object('ENCODING', 'k')).toBe('embstr')
    await r3.rename('k', 'k2')
    expect(await r3.object('ENCODING', 'k2')).toBe('embstr')
    putList('l')
    expect(await r3.object('ENCODING', 'l')).toBe('listpack')
    expect(await r3.object('ENCODING', 'nokey')).toBeNull()
  })

  it('OBJECT REFCOUNT, OBJECT IDLETIME, OBJECT FREQ and OBJECT HELP', async () => {
    await r3.set('small', '5')
    await r3.set('large', '10000')
    expect(await r3.object('REFCOUNT', 'small')).toBe(2147483647)
    expect(await r3.object('REFCOUNT', 'large')).toBe(1)
    expect(await r3.object('REFCOUNT', 'nokey')).toBeNull()
    // COPY gives the copy its own object, as Redis's dupStringObject does.
    await r3.copy('small', 'copied')
    expect(await r3.object('REFCOUNT', 'copied')).toBe(1)
    expect(await r3.object('ENCODING', 'copied')).toBe('int')
    expect(await r3.object('IDLETIME', 'small')).toBe(0)
    await expect(r3.object('FREQ', 'small')).rejects.toThrow(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.')
    expect(await r3.object('FREQ', 'nokey')).toBeNull()
    const help = (await r3.object('HELP')) as string[]
    expect(help[0]).toBe('OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:')
    expect(help).toContain('ENCODING <key>')
    expect(help.at(-1)).toBe('    Prints this help.')
    await expect(r3.call('OBJECT', 'foo', 'k')).rejects.toThrow("ERR unknown subcommand 'foo'. Try OBJECT HELP.")
    await expect(r3.call('OBJECT', 'ENCODING')).rejects.toThrow("ERR wrong number of arguments for 'object|encoding' command")
  })

  it('OBJECT FREQ and OBJECT IDLETIME under an LFU policy', async () => {
    const lfu = await startRespite({ config: { 'maxmemory-policy': 'allkeys-lfu' } })
    const c = await ReplyConnection.open(lfu.port)
    try {
      await c.call(['SET', 'k', 'v'])
      expect(await c.call(['OBJECT', 'FREQ', 'k'])).toMatch(/^:\d+\r\n$/)
      expect(await c.call(['OBJECT', 'IDLETIME', 'k'])).toBe(
        '-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n')
    } finally {
      c.close()
      await lfu.close()
    }
  })
})

describe('SELECT, SWAPDB, FLUSHDB, FLUSHALL', () => {
  it('SELECT switches databases and checks the index', async () => {
    await exact(
      [['SET', 'k', '0'], ['SELECT', '15'], ['GET', 'k'], ['SET', 'k', '15'], ['SELECT', '0'], ['GET', 'k'], ['SELECT', '16'],
        ['SELECT', '-1'], ['SELECT', 'abc'], ['SELECT', '2147483648']],
      '+OK\r\n+OK\r\n$-1\r\n+OK\r\n+OK\r\n$1\r\n0\r\n-ERR DB index is out of range\r\n-ERR DB index is out of range\r\n' +
        '-ERR value is not an integer or out of range\r\n-ERR value is out of range, value must between -2147483648 and 2147483647\r\n',
    )
  })

  it('SELECT honours the databases setting', async () => {
    const few = await startRespite({ databases: 2 })
    const c = await ReplyConnection.open(few.port)
    try {
      expect(await c.call(['SELECT', '1'])).toBe('+OK\r\n')
      expect(await c.call(['SELECT', '2'])).toBe('-ERR DB index is out of range\r\n')
    } finally {
      c.close()
      await few.close()
    }
  })

  it('SWAPDB swaps contents under clients that selected either database', async () => {
    const db1 = new Redis({ port: respite.port, db: 1 })
    try {
      await r3.set('k', 'zero', 'EX', 100)
      await db1.set('k', 'one')
      expect(await r3.swapdb(0, 1)).toBe('OK')
      expect(await r3.get('k')).toBe('one')
      expect(await db1.get('k')).toBe('zero')
      expect(await db1.ttl('k')).toBeGreaterThan(90)
      expect(await r3.swapdb(1, 1)).toBe('OK')
      await exact(
        [['SWAPDB', 'abc', '0'], ['SWAPDB', '0', 'abc'], ['SWAPDB', '2147483648', '0'], ['SWAPDB', '0', '16'], ['SWAPDB', '-1', '0']],
        '-ERR invalid first DB index\r\n-ERR invalid second DB index\r\n-ERR invalid first DB index\r\n' +
          '-ERR DB index is out of range\r\n-ERR DB index is out of range\r\n',
      )
    } finally {
      db1.disconnect()
    }
  })

  it('FLUSHDB empties one database, FLUSHALL all of them', async () => {
    const db2 = new Redis({ port: respite.port, db: 2 })
    try {
      await r3.set('a', '1')
      await db2.set('b', '2')
      expect(await r3.flushdb('ASYNC')).toBe('OK')
      expect(await r3.dbsize()).toBe(0)
      expect(await db2.dbsize()).toBe(1)
      await r3.set('a', '1')
      expect(await r3.flushall('SYNC')).toBe('OK')
      expect(await r3.dbsize()).toBe(0)
      expect(await db2.dbsize()).toBe(0)
      await expect(r3.call('FLUSHDB', 'foo')).rejects.toThrow('ERR syntax error')
      await expect(r3.call('FLUSHALL', 'SYNC', 'SYNC')).rejects.toThrow('ERR syntax error')
    } finally {
      db2.disconnect()
    }
  })
})

describe('key-space commands over RESP2 and node-redis', () => {
  it('SCAN, TTL, COPY, OBJECT ENCODING over ioredis RESP2', async () => {
    await r2.mset('a', '1', 'b', '2')
    const [cursor, keys] = await r2.scan('0', 'COUNT', 100)
    expect(cursor).toBe('0')
    expect(keys.sort()).toEqual(['a', 'b'])
    expect(await r2.ttl('a')).toBe(-1)
    expect(await r2.copy('a', 'c')).toBe(1)
    expect(await r2.object('ENCODING', 'c')).toBe('int')
    expect(await r2.object('ENCODING', 'nokey')).toBeNull()
    await exact([['OBJECT', 'ENCODING', 'nokey'], ['TTL', 'nokey']], '$-1\r\n:-2\r\n')
  })

  it('EXISTS, EXPIRE, RENAME, TYPE, KEYS over node-redis RESP3', async () => {
    const client = createClient({ socket: { port: respite.port, host: '127.0.0.1' }, RESP: 3 })
    await client.connect()
    try {
      await client.set('a', '1')
      expect(await client.exists(['a', 'a', 'b'])).toBe(2)
      expect(await client.expire('a', 100, 'NX')).toBe(1)
      expect(await client.rename('a', 'b')).toBe('OK')
      expect(await client.type('b')).toBe('string')
      expect(await client.keys('*')).toEqual(['b'])
      expect(await client.ttl('b')).toBeGreaterThan(90)
      expect(await client.dbSize()).toBe(1)
    } finally {
      client.destroy()
    }
  })
})
