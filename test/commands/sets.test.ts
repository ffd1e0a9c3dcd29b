import { createClient } from 'redis'
import { beforeEach, describe, expect, it } from 'vitest'
import { useRespite, WRONGTYPE } from '../helpers/fixture.js'

const { respite, r3, r2, exact } = await useRespite()

const sorted = (xs: unknown): string[] => [...(xs as string[])].sort()

describe('SADD, SREM, SMEMBERS, SCARD, SISMEMBER, SMISMEMBER', () => {
  it('SADD counts new members; SREM removes them and the key with the last one', async () => {
    expect(await r3.sadd('s', 'a', 'b', 'a')).toBe(2)
    expect(await r3.sadd('s', 'b', 'c')).toBe(1)
    expect(await r3.scard('s')).toBe(3)
    expect(await r3.sismember('s', 'a')).toBe(1)
    expect(await r3.sismember('s', 'zz')).toBe(0)
    expect(await r3.smismember('s', 'a', 'zz', 'c')).toEqual([1, 0, 1])
    expect(await r3.smismember('nokey', 'a')).toEqual([0])
    expect(await r3.srem('s', 'a', 'zz')).toBe(1)
    expect(sorted(await r2.smembers('s'))).toEqual(['b', 'c'])
    expect(await r3.srem('s', 'b', 'c')).toBe(2)
    expect(await r3.exists('s')).toBe(0)
    expect(await r3.scard('s')).toBe(0)
    expect(await r3.srem('s', 'x')).toBe(0)
  })

  it('SMEMBERS is a RESP3 set; integer sets come back in ascending order as in Redis', async () => {
    await r3.sadd('n', '10', '-5', '3')
    await exact([['SMEMBERS', 'n'], ['SMEMBERS', 'nokey']], '~3\r\n$2\r\n-5\r\n$1\r\n3\r\n$2\r\n10\r\n~0\r\n', true)
    await exact([['SMEMBERS', 'n']], '*3\r\n$2\r\n-5\r\n$1\r\n3\r\n$2\r\n10\r\n')
  })

  it('SMEMBERS through node-redis RESP3', async () => {
    const client = createClient({ socket: { port: respite.port, host: '127.0.0.1' }, RESP: 3 })
    await client.connect()
    try {
      await client.sAdd('s', ['x', 'y'])
      expect(sorted(await client.sMembers('s'))).toEqual(['x', 'y'])
      expect(await client.sIsMember('s', 'x')).toBe(1)
    } finally {
      client.destroy()
    }
  })

  it('SADD and SMEMBERS are binary safe', async () => {
    const m = Buffer.from([0, 0xff, 0x0d, 0x0a])
    await r3.sadd('b', m)
    const members = await r3.smembersBuffer('b')
    expect(members.length).toBe(1)
    expect(Buffer.compare(members[0], m)).toBe(0)
  })

  it('WRONGTYPE for set commands on a string', async () => {
    await r3.set('str', 'x')
    for (const args of [['SADD', 'str', 'a'], ['SREM', 'str', 'a'], ['SMEMBERS', 'str'], ['SCARD', 'str'],
      ['SISMEMBER', 'str', 'a'], ['SMISMEMBER', 'str', 'a'], ['SPOP', 'str'], ['SRANDMEMBER', 'str'],
      ['SINTER', 'nokey', 'str'], ['SUNION', 'str'], ['SDIFF', 'nokey', 'str'], ['SSCAN', 'str', '0'],
      ['SINTERCARD', '2', 'nokey', 'str'], ['SINTERSTORE', 'd', 'str'], ['SMOVE', 'str', 'd', 'a']]) {
      await expect(r3.call(args[0], ...args.slice(1))).rejects.toThrow(WRONGTYPE)
    }
  })
})

describe('SPOP, SRANDMEMBER', () => {
  it('SPOP without a count pops one member and deletes the emptied key', async () => {
    await r3.sadd('s', 'only')
    expect(await r3.spop('s')).toBe('only')
    expect(await r3.exists('s')).toBe(0)
    expect(await r3.spop('s')).toBeNull()
  })

  it('SPOP with a count: few, most, and all of the set', async () => {
    const members = Array.from({ length: 100 }, (_, i) => `m${i}`)
    await r3.sadd('s', ...members)
    const few = (await r3.spop('s', 10)) as string[]
    expect(new Set(few).size).toBe(10)
    expect(await r3.scard('s')).toBe(90)
    // Popping nearly everything takes the rebuild path: the few kept must be real members.
    const most = (await r3.spop('s', 88)) as string[]
    expect(new Set(most).size).toBe(88)
    const left = (await r3.smembers('s')) as string[]
    expect(left.length).toBe(2)
    expect(new Set([...few, ...most, ...left])).toEqual(new Set(members))
    const rest = (await r3.spop('s', 5)) as string[]
    expect(sorted(rest)).toEqual(sorted(left))
    expect(await r3.exists('s')).toBe(0)
  })

  it('SPOP with a count is a RESP3 set; SPOP rebuilding keeps the TTL', async () => {
    await r3.sadd('n', '1', '2', '3', '4', '5', '6')
    await r3.expire('n', 100)
    await exact([['SPOP', 'n', '0'], ['SPOP', 'nokey', '3'], ['SPOP', 'nokey']], '~0\r\n~0\r\n_\r\n', true)
    await r3.spop('n', 5)
    expect(await r3.scard('n')).toBe(1)
    expect(await r3.ttl('n')).toBeGreaterThan(90)
    expect(await r3.object('ENCODING', 'n')).toBe('intset')
  })

  it('SPOP and SRANDMEMBER argument errors', async () => {
    await r3.sadd('s', 'a')
    await exact([
      ['SPOP', 's', '-1'], ['SPOP', 's', 'x'], ['SPOP', 's', '1', '2'], ['SRANDMEMBER', 's', '1', '2'],
      ['SRANDMEMBER', 's', 'x'], ['SRANDMEMBER', 's', '-9223372036854775808'],
      // Our limit on picks with repeats (README, Differences from Redis).
      ['SRANDMEMBER', 's', '-9223372036854775807'], ['SRANDMEMBER', 's', '-67108865'],
    ],
    '-ERR value is out of range, must be positive\r\n-ERR value is out of range, must be positive\r\n' +
    '-ERR syntax error\r\n-ERR syntax error\r\n-ERR value is not an integer or out of range\r\n' +
    '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n' +
    '-ERR value is out of range\r\n'.repeat(2))
  })

  it('SRANDMEMBER: one, distinct, repeated, and whole-set replies are arrays', async () => {
    const members = Array.from({ length: 40 }, (_, i) => `m${i}`)
    await r3.sadd('s', ...members)
    expect(members).toContain(await r3.srandmember('s'))
    expect(await r3.srandmember('nokey')).toBeNull()
    for (const n of [1, 5, 13, 14, 39]) {
      const pick = (await r3.srandmember('s', n)) as string[]
      expect(pick.length).toBe(n)
      expect(new Set(pick).size).toBe(n)
    }
    const repeats = (await r3.srandmember('s', -100)) as string[]
    expect(repeats.length).toBe(100)
    for (const m of repeats) expect(members).toContain(m)
    expect(sorted(await r3.srandmember('s', 100))).toEqual(sorted(members))
    await r3.sadd('n', '3', '1', '2')
    await exact([['SRANDMEMBER', 'n', '5'], ['SRANDMEMBER', 'n', '0'], ['SRANDMEMBER', 'nokey', '-3']],
      '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n*0\r\n*0\r\n', true)
    expect(await r3.scard('s')).toBe(40)
  })

  it('SRANDMEMBER and HRANDFIELD refuse repeat counts no reply could hold (Redis runs out of memory)', async () => {
    await r3.sadd('s', 'a')
    await r3.hset('h', 'f', 'v')
    await exact([['SRANDMEMBER', 's', '-100000000'], ['HRANDFIELD', 'h', '-100000000']],
      '-ERR value is out of range\r\n-ERR value is out of range\r\n')
  })
})

describe('SMOVE', () => {
  it('SMOVE moves a member, creating the destination and deleting an emptied source', async () => {
    await r3.sadd('src', 'a', 'b')
    expect(await r3.smove('src', 'dst', 'a')).toBe(1)
    expect(await r3.smove('src', 'dst', 'zz')).toBe(0)
    expect(await r3.smove('src', 'dst', 'b')).toBe(1)
    expect(await r3.exists('src')).toBe(0)
    expect(sorted(await r3.smembers('dst'))).toEqual(['a', 'b'])
    expect(await r3.smove('dst', 'dst', 'a')).toBe(1)
    expect(await r3.smove('dst', 'dst', 'zz')).toBe(0)
    expect(await r3.smove('nokey', 'dst', 'a')).toBe(0)
  })

  it('SMOVE checks both types before anything else', async () => {
    await r3.sadd('s', 'a')
    await r3.set('str', 'x')
    await exact([['SMOVE', 's', 'str', 'zz'], ['SMOVE', 'str', 's', 'a'], ['SMOVE', 'nokey', 'str', 'a'], ['SCARD', 's']],
      `-${WRONGTYPE}\r\n-${WRONGTYPE}\r\n:0\r\n:1\r\n`)
  })
})

describe('SINTER, SUNION, SDIFF and their STORE forms, SINTERCARD', () => {
  beforeEach(async () => {
    await r3.sadd('a', '1', '2', '3', '4')
    await r3.sadd('b', '3', '4', '5')
    await r3.sadd('c', 'x', '4')
  })

  it('SINTER, SUNION and SDIFF', async () => {
    expect(sorted(await r3.sinter('a', 'b'))).toEqual(['3', '4'])
    expect(sorted(await r3.sinter('a', 'b', 'c'))).toEqual(['4'])
    expect(await r3.sinter('a', 'nokey')).toEqual([])
    expect(sorted(await r3.sunion('a', 'b', 'nokey'))).toEqual(['1', '2', '3', '4', '5'])
    expect(sorted(await r3.sdiff('a', 'b', 'c'))).toEqual(['1', '2'])
    expect(await r3.sdiff('nokey', 'a')).toEqual([])
    await exact([['SUNION', 'a', 'b'], ['SDIFF', 'a', 'b']],
      '~5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n~2\r\n$1\r\n1\r\n$1\r\n2\r\n', true)
  })

  it('SINTERSTORE, SUNIONSTORE, SDIFFSTORE store sets and delete the destination for empty results', async () => {
    await r3.set('d', 'old', 'EX', 100)
    expect(await r3.sinterstore('d', 'a', 'b')).toBe(2)
    expect(await r3.ttl('d')).toBe(-1)
    expect(sorted(await r3.smembers('d'))).toEqual(['3', '4'])
    expect(await r3.object('ENCODING', 'd')).toBe('intset')
    expect(await r3.sunionstore('d', 'a', 'c')).toBe(5)
    expect(await r3.object('ENCODING', 'd')).toBe('hashtable')
    expect(await r3.sdiffstore('d', 'a', 'b')).toBe(2)
    expect(sorted(await r3.smembers('d'))).toEqual(['1', '2'])
    expect(await r3.sinterstore('d', 'a', 'nokey')).toBe(0)
    expect(await r3.exists('d')).toBe(0)
    await r3.sadd('d', 'z')
    expect(await r3.sdiffstore('d', 'a', 'a')).toBe(0)
    expect(await r3.exists('d')).toBe(0)
    expect(await r3.sinterstore('a', 'a', 'b')).toBe(2)
    expect(sorted(await r3.smembers('a'))).toEqual(['3', '4'])
  })

  it('SINTERCARD counts with an optional LIMIT', async () => {
    expect(await r3.sintercard(2, 'a', 'b')).toBe(2)
    expect(await r3.sintercard(2, 'a', 'b', 'LIMIT', 1)).toBe(1)
    expect(await r3.sintercard(1, 'a', 'LIMIT', 0)).toBe(4)
    expect(await r3.sintercard(2, 'a', 'nokey')).toBe(0)
    await exact([
      ['SINTERCARD', '0', 'a'], ['SINTERCARD', 'x', 'a'], ['SINTERCARD', '3', 'a', 'b'], ['SINTERCARD', '1', 'a', 'LIMIT', '-1'],
      ['SINTERCARD', '1', 'a', 'LIMIT'], ['SINTERCARD', '1', 'a', 'FOO', '1'], ['SINTERCARD', '1', 'a', 'LIMIT', '1', 'LIMIT', '3'],
    ],
    '-ERR numkeys should be greater than 0\r\n-ERR numkeys should be greater than 0\r\n' +
    "-ERR Number of keys can't be greater than number of args\r\n-ERR LIMIT can't be negative\r\n" +
    '-ERR syntax error\r\n-ERR syntax error\r\n:3\r\n')
  })
})

describe('SSCAN', () => {
  it('SSCAN returns an intset whole, in order, with cursor 0', async () => {
    await r3.sadd('n', '5', '1', '3', '10')
    await exact([['SSCAN', 'n', '0', 'COUNT', '1'], ['SSCAN', 'n', '0', 'MATCH', '1*'], ['SSCAN', 'nokey', '0']],
      '*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$2\r\n10\r\n' +
      '*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$2\r\n10\r\n*2\r\n$1\r\n0\r\n*0\r\n')
  })

  it('SSCAN walks a large set with cursors, seeing every member at least once despite removals', async () => {
    const members = Array.from({ length: 600 }, (_, i) => `m${i}`)
    await r3.sadd('s', ...members)
    const seen = new Set<string>()
    let cursor = '0'
    let calls = 0
    do {
      const [next, items] = await r3.sscan('s', cursor, 'COUNT', 40)
      for (const m of items) seen.add(m)
      if (calls === 1) await r3.srem('s', 'm0', 'm1', 'm2')
      cursor = next
      calls++
    } while (cursor !== '0')
    for (let i = 3; i < 600; i++) expect(seen.has(`m${i}`)).toBe(true)
    expect(calls).toBeGreaterThan(10)
  })

  it('SSCAN cursor and option errors', async () => {
    await r3.sadd('s', 'a')
    await exact([['SSCAN', 's', 'x'], ['SSCAN', 's', '0', 'COUNT', '0'], ['SSCAN', 's', '0', 'MATCH'], ['SSCAN', 's', '+0']],
      '-ERR invalid cursor\r\n-ERR syntax error\r\n-ERR syntax error\r\n*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n')
  })
})

describe('OBJECT ENCODING of sets', () => {
  it('intset for up to 512 canonical integers, hashtable otherwise', async () => {
    await r3.sadd('n', ...Array.from({ length: 512 }, (_, i) => String(i)))
    expect(await r3.object('ENCODING', 'n')).toBe('intset')
    await r3.sadd('n', '512')
    expect(await r3.object('ENCODING', 'n')).toBe('hashtable')
    await r3.sadd('s', '1', '01')
    expect(await r3.object('ENCODING', 's')).toBe('hashtable')
  })
})
