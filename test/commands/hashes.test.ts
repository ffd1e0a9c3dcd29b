import { createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { useRespite, WRONGTYPE } from '../helpers/fixture.js'

const { respite, r3, r2, exact } = await useRespite()

describe('HSET, HMSET, HSETNX, HGET, HMGET', () => {
  it('HSET counts new fields; HGET and HMGET read them back', async () => {
    expect(await r3.hset('h', 'a', '1', 'b', '2')).toBe(2)
    expect(await r3.hset('h', 'a', '10', 'c', '3')).toBe(1)
    expect(await r3.hget('h', 'a')).toBe('10')
    expect(await r3.hget('h', 'zz')).toBeNull()
    expect(await r3.hget('nokey', 'a')).toBeNull()
    expect(await r2.hmget('h', 'a', 'zz', 'c')).toEqual(['10', null, '3'])
    expect(await r3.hmget('nokey', 'a', 'b')).toEqual([null, null])
  })

  it('HMSET answers OK; HSETNX only sets a missing field', async () => {
    expect(await r3.hmset('h', 'a', '1', 'b', '2')).toBe('OK')
    expect(await r3.hsetnx('h', 'a', 'x')).toBe(0)
    expect(await r3.hsetnx('h', 'c', 'x')).toBe(1)
    expect(await r3.hsetnx('new', 'f', 'v')).toBe(1)
    expect(await r3.hgetall('h')).toEqual({ a: '1', b: '2', c: 'x' })
  })

  it('HSET and HMSET with an odd field/value count is an arity error', async () => {
    await exact([['HSET', 'h', 'a', '1', 'b'], ['HMSET', 'h', 'a'], ['HSET', 'h', 'a'], ['EXISTS', 'h']],
      "-ERR wrong number of arguments for 'hset' command\r\n" +
      "-ERR wrong number of arguments for 'hmset' command\r\n" +
      "-ERR wrong number of arguments for 'hset' command\r\n" +
      ':0\r\n')
  })

  it('HSET, HGET and friends are binary safe', async () => {
    const field = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x80])
    const value = Buffer.from([0xc3, 0x28, 0x00])
    await r3.hset('bin', field, value)
    expect(Buffer.compare((await r3.hgetBuffer('bin', field))!, value)).toBe(0)
    expect(await r3.hstrlen('bin', field)).toBe(3)
    const keys = await r3.hkeysBuffer('bin')
    expect(Buffer.compare(keys[0], field)).toBe(0)
  })

  it('WRONGTYPE for hash commands on a string', async () => {
    await r3.set('s', 'x')
    for (const args of [['HSET', 's', 'a', '1'], ['HGET', 's', 'a'], ['HMGET', 's', 'a'], ['HSETNX', 's', 'a', '1'],
      ['HDEL', 's', 'a'], ['HLEN', 's'], ['HGETALL', 's'], ['HINCRBY', 's', 'a', '1'], ['HRANDFIELD', 's'],
      ['HSCAN', 's', '0'], ['HEXISTS', 's', 'a'], ['HSTRLEN', 's', 'a'], ['HKEYS', 's'], ['HVALS', 's']]) {
      await expect(r3.call(args[0], ...args.slice(1))).rejects.toThrow(WRONGTYPE)
    }
  })
})

describe('HDEL, HEXISTS, HLEN, HSTRLEN', () => {
  it('HDEL removes fields and the key with the last one', async () => {
    await r3.hset('h', 'a', '1', 'b', '22', 'c', '3')
    expect(await r3.hexists('h', 'a')).toBe(1)
    expect(await r3.hstrlen('h', 'b')).toBe(2)
    expect(await r3.hstrlen('h', 'zz')).toBe(0)
    expect(await r3.hdel('h', 'a', 'a', 'zz')).toBe(1)
    expect(await r3.hexists('h', 'a')).toBe(0)
    expect(await r3.hlen('h')).toBe(2)
    expect(await r3.hdel('h', 'b', 'c')).toBe(2)
    expect(await r3.exists('h')).toBe(0)
    expect(await r3.hlen('h')).toBe(0)
    expect(await r3.hdel('h', 'x')).toBe(0)
  })
})

describe('HKEYS, HVALS, HGETALL', () => {
  it('HGETALL is a RESP3 map and a flat RESP2 array, in insertion order for small hashes', async () => {
    await r3.hset('h', 'b', '2', 'a', '1')
    await exact([['HGETALL', 'h'], ['HGETALL', 'nokey']],
      '%2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n%0\r\n', true)
    await exact([['HGETALL', 'h'], ['HKEYS', 'h'], ['HVALS', 'h'], ['HKEYS', 'nokey']],
      '*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n' +
      '*2\r\n$1\r\nb\r\n$1\r\na\r\n*2\r\n$1\r\n2\r\n$1\r\n1\r\n*0\r\n')
    expect(await r2.hgetall('h')).toEqual({ a: '1', b: '2' })
    expect(await r3.hgetall('h')).toEqual({ a: '1', b: '2' })
  })

  it('HGETALL through node-redis RESP3', async () => {
    const client = createClient({ socket: { port: respite.port, host: '127.0.0.1' }, RESP: 3 })
    await client.connect()
    try {
      await client.hSet('h', { x: '1', y: '2' })
      expect(await client.hGetAll('h')).toEqual({ x: '1', y: '2' })
      expect((await client.hKeys('h')).sort()).toEqual(['x', 'y'])
    } finally {
      client.destroy()
    }
  })
})

describe('HINCRBY, HINCRBYFLOAT', () => {
  it('HINCRBY adds to an integer field and refuses overflow and non-integers', async () => {
    expect(await r3.hincrby('h', 'n', 5)).toBe(5)
    expect(await r3.hincrby('h', 'n', -7)).toBe(-2)
    await r3.hset('h', 's', 'abc', 'big', '9223372036854775807', 'sp', ' 1')
    await exact([
      ['HINCRBY', 'h', 's', '1'], ['HINCRBY', 'h', 'sp', '1'], ['HINCRBY', 'h', 'big', '1'], ['HINCRBY', 'h', 'n', 'x'],
      ['HINCRBY', 'h', 'big', '-9223372036854775807'], ['HINCRBY', 'h', 'n', '9223372036854775807'],
    ],
    '-ERR hash value is not an integer\r\n-ERR hash value is not an integer\r\n' +
    '-ERR increment or decrement would overflow\r\n-ERR value is not an integer or out of range\r\n' +
    ':0\r\n:9223372036854775805\r\n')
  })

  it('HINCRBYFLOAT computes in long double and prints like Redis', async () => {
    await exact([
      ['HINCRBYFLOAT', 'h', 'f', '0.1'], ['HINCRBYFLOAT', 'h', 'f', '0.2'], ['HINCRBYFLOAT', 'h', 'f', '-0.3'],
      ['HINCRBYFLOAT', 'h', 'g', '1e20'], ['HINCRBYFLOAT', 'h', 'i', '3.0e3'], ['HINCRBYFLOAT', 'h', 'i', '2'],
      ['HINCRBYFLOAT', 'h', 'f', '1.5e-17'],
    ],
    '$3\r\n0.1\r\n$3\r\n0.3\r\n$1\r\n0\r\n$21\r\n100000000000000000000\r\n$4\r\n3000\r\n$4\r\n3002\r\n' +
    '$19\r\n0.00000000000000002\r\n')
  })

  it('HINCRBYFLOAT errors: bad increment, NaN/Infinity, non-float field', async () => {
    await r3.hset('h', 's', 'abc', 'sp', '1 ')
    await exact([
      ['HINCRBYFLOAT', 'h', 'f', 'nan'], ['HINCRBYFLOAT', 'h', 'f', 'inf'], ['HINCRBYFLOAT', 'nokey', 'f', '-inf'],
      ['HINCRBYFLOAT', 'h', 's', '1'], ['HINCRBYFLOAT', 'h', 'sp', '1'], ['HINCRBYFLOAT', 'h', 'f', ' 1'],
      ['EXISTS', 'nokey'],
    ],
    '-ERR value is not a valid float\r\n-ERR value is NaN or Infinity\r\n-ERR value is NaN or Infinity\r\n' +
    '-ERR hash value is not a float\r\n-ERR hash value is not a float\r\n-ERR value is not a valid float\r\n:0\r\n')
  })
})

describe('HRANDFIELD', () => {
  it('HRANDFIELD without a count returns one field or nil', async () => {
    await r3.hset('h', 'a', '1', 'b', '2', 'c', '3')
    expect(['a', 'b', 'c']).toContain(await r3.hrandfield('h'))
    expect(await r3.hrandfield('nokey')).toBeNull()
  })

  it('HRANDFIELD with counts: distinct for positive, repeats for negative, whole hash past the size', async () => {
    const fields: string[] = []
    for (let i = 0; i < 50; i++) fields.push(`f${i}`, `v${i}`)
    await r3.hset('h', ...fields)
    const some = (await r3.hrandfield('h', 20)) as string[]
    expect(some.length).toBe(20)
    expect(new Set(some).size).toBe(20)
    const many = (await r3.hrandfield('h', 45)) as string[]
    expect(new Set(many).size).toBe(45)
    const repeats = (await r3.hrandfield('h', -200)) as string[]
    expect(repeats.length).toBe(200)
    for (const f of repeats) expect(f).toMatch(/^f\d+$/)
    const all = (await r3.hrandfield('h', 1000)) as string[]
    expect(all.length).toBe(50)
    expect(await r3.hrandfield('h', 0)).toEqual([])
    expect(await r3.hrandfield('nokey', 5)).toEqual([])
  })

  it('HRANDFIELD WITHVALUES nests pairs in RESP3 and flattens them in RESP2', async () => {
    await r3.hset('h', 'a', '1')
    await exact([['HRANDFIELD', 'h', '1', 'WITHVALUES'], ['HRANDFIELD', 'h', '-2', 'withvalues'], ['HRANDFIELD', 'h', '0', 'WITHVALUES']],
      '*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*0\r\n', true)
    await exact([['HRANDFIELD', 'h', '-2', 'WITHVALUES']], '*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n')
    const pairs = (await r2.hrandfield('h', 3, 'WITHVALUES')) as string[]
    expect(pairs).toEqual(['a', '1'])
  })

  it('HRANDFIELD argument errors', async () => {
    await r3.hset('h', 'a', '1')
    await exact([
      ['HRANDFIELD', 'h', 'x'], ['HRANDFIELD', 'h', '1', 'foo'], ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'],
      ['HRANDFIELD', 'h', '-9223372036854775808'], ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'],
      // Our limit on picks with repeats (README, Differences from Redis).
      ['HRANDFIELD', 'h', '-9223372036854775807'], ['HRANDFIELD', 'h', '-67108865', 'WITHVALUES'],
    ],
    '-ERR value is not an integer or out of range\r\n-ERR syntax error\r\n-ERR syntax error\r\n' +
    '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n' +
    '-ERR value is out of range\r\n'.repeat(4))
  })
})

describe('HSCAN', () => {
  it('HSCAN returns a small hash whole with cursor 0, filtered by MATCH', async () => {
    await r3.hset('h', 'a1', 'x', 'b1', 'y', 'a2', 'z')
    await exact([['HSCAN', 'h', '0'], ['HSCAN', 'h', '0', 'MATCH', 'a*', 'COUNT', '1'], ['HSCAN', 'nokey', '0']],
      '*2\r\n$1\r\n0\r\n*6\r\n$2\r\na1\r\n$1\r\nx\r\n$2\r\nb1\r\n$1\r\ny\r\n$2\r\na2\r\n$1\r\nz\r\n' +
      '*2\r\n$1\r\n0\r\n*4\r\n$2\r\na1\r\n$1\r\nx\r\n$2\r\na2\r\n$1\r\nz\r\n' +
      '*2\r\n$1\r\n0\r\n*0\r\n')
  })

  it('HSCAN iterates a large hash with cursors, seeing every field once despite writes', async () => {
    const args: string[] = []
    for (let i = 0; i < 600; i++) args.push(`f${i}`, `v${i}`)
    await r3.hset('h', ...args)
    const seen = new Map<string, number>()
    let cursor = '0'
    let calls = 0
    do {
      const [next, items] = await r2.hscan('h', cursor, 'COUNT', 50)
      for (let i = 0; i < items.length; i += 2) {
        if (items[i] !== 'late') expect(items[i + 1]).toBe(`v${items[i].slice(1)}`)
        seen.set(items[i], (seen.get(items[i]) ?? 0) + 1)
      }
      if (calls === 2) await r3.hset('h', 'late', 'v')
      cursor = next
      calls++
    } while (cursor !== '0')
    for (let i = 0; i < 600; i++) expect(seen.get(`f${i}`)).toBe(1)
    expect(calls).toBeGreaterThan(5)
  })

  it('HSCAN argument errors and the order they are checked in', async () => {
    await r3.hset('h', 'a', '1')
    await r3.set('s', 'x')
    await exact([
      ['HSCAN', 'h', 'x'], ['HSCAN', 'nokey', 'x'], ['HSCAN', 'nokey', '0', 'COUNT', '0'], ['HSCAN', 's', '0', 'FOO'],
      ['HSCAN', 'h', '0', 'COUNT', '0'], ['HSCAN', 'h', '0', 'COUNT', 'x'], ['HSCAN', 'h', '0', 'MATCH'],
      ['HSCAN', 'h', '0', 'NOVALUES'], ['HSCAN', 'h', '-1'], ['HSCAN', 'h', '18446744073709551616'],
    ],
    '-ERR invalid cursor\r\n-ERR invalid cursor\r\n*2\r\n$1\r\n0\r\n*0\r\n' +
    `-${WRONGTYPE}\r\n-ERR syntax error\r\n-ERR value is not an integer or out of range\r\n` +
    '-ERR syntax error\r\n-ERR syntax error\r\n*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n-ERR invalid cursor\r\n')
  })

  it('HSCAN, SSCAN, ZSCAN and SCAN read the cursor as a C string, up to a NUL (checked against Redis 7.0.15)', async () => {
    await r3.hset('h', 'a', '1')
    await r3.sadd('s', '1')
    await r3.zadd('z', 1, 'a')
    await exact([['HSCAN', 'h', '0\x00x'], ['SSCAN', 's', '0\x00x'], ['ZSCAN', 'z', '\x00'], ['SCAN', '0\x00x', 'MATCH', 'h']],
      '*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\n0\r\n*1\r\n$1\r\n1\r\n*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n' +
      '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nh\r\n')
  })
})

describe('OBJECT ENCODING of hashes', () => {
  it('listpack for small hashes, hashtable past 64-byte strings or 512 fields', async () => {
    await r3.hset('small', 'a', '1')
    await r3.hset('long', 'a', 'x'.repeat(65))
    await r3.hincrbyfloat('longfield', 'f'.repeat(65), 1)
    await r3.hset('short', 'a', '1')
    await r3.hsetnx('short', 'a', 'x'.repeat(100))
    expect(await r3.object('ENCODING', 'small')).toBe('listpack')
    expect(await r3.object('ENCODING', 'long')).toBe('hashtable')
    expect(await r3.object('ENCODING', 'longfield')).toBe('hashtable')
    expect(await r3.object('ENCODING', 'short')).toBe('listpack')
    const fields: string[] = []
    for (let i = 0; i < 512; i++) fields.push(`f${i}`, 'v')
    await r3.hset('wide', ...fields)
    expect(await r3.object('ENCODING', 'wide')).toBe('listpack')
    await r3.hset('wide', 'one-more', 'v')
    expect(await r3.object('ENCODING', 'wide')).toBe('hashtable')
  })
})
