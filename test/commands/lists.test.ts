import { afterAll, describe, expect, it } from 'vitest'
import { ReplyConnection } from '../helpers/differential.js'
import { useRespite, WRONGTYPE } from '../helpers/fixture.js'
import { missingTool, redisBenchmark } from '../helpers/servers.js'

const { respite, r3, r2 } = await useRespite()
/** Raw connections in RESP2 and in RESP3, for exact reply bytes. */
const raw = await ReplyConnection.open(respite.port)
const raw3 = await ReplyConnection.open(respite.port)
await raw3.call(['HELLO', '3'])
afterAll(() => {
  raw.close()
  raw3.close()
})

describe('list commands', () => {
  for (const [proto, client] of [[3, () => r3], [2, () => r2]] as const) {
    describe(`through ioredis (RESP${proto})`, () => {
      it('LPUSH, RPUSH, LPUSHX and RPUSHX return the new length; LRANGE reads in order', async () => {
        const r = client()
        expect(await r.rpush('l', 'b', 'c')).toBe(2)
        expect(await r.lpush('l', 'a', 'z')).toBe(4)
        expect(await r.lrange('l', 0, -1)).toEqual(['z', 'a', 'b', 'c'])
        expect(await r.lpushx('l', 'y')).toBe(5)
        expect(await r.rpushx('l', 'd', 'e')).toBe(7)
        expect(await r.lpushx('missing', 'x')).toBe(0)
        expect(await r.rpushx('missing', 'x')).toBe(0)
        expect(await r.exists('missing')).toBe(0)
        expect(await r.type('l')).toBe('list')
        expect(await r.object('ENCODING', 'l')).toBe('quicklist')
      })

      it('LPOP and RPOP, with and without a count', async () => {
        const r = client()
        await r.rpush('l', 'a', 'b', 'c', 'd')
        expect(await r.lpop('l')).toBe('a')
        expect(await r.rpop('l')).toBe('d')
        expect(await r.lpop('l', 0)).toEqual([])
        expect(await r.rpop('l', 5)).toEqual(['c', 'b'])
        expect(await r.exists('l')).toBe(0)
        expect(await r.lpop('l')).toBeNull()
        expect(await r.lpop('l', 2)).toBeNull()
        await expect(r.lpop('l', -1)).rejects.toThrow('ERR value is out of range, must be positive')
      })

      it('LLEN, LINDEX and LSET', async () => {
        const r = client()
        expect(await r.llen('l')).toBe(0)
        await r.rpush('l', 'a', 'b', 'c')
        expect(await r.llen('l')).toBe(3)
        expect(await r.lindex('l', -1)).toBe('c')
        expect(await r.lindex('l', 3)).toBeNull()
        expect(await r.lset('l', -3, 'A')).toBe('OK')
        expect(await r.lindex('l', 0)).toBe('A')
        await expect(r.lset('l', 3, 'x')).rejects.toThrow('ERR index out of range')
        await expect(r.lset('nokey', 0, 'x')).rejects.toThrow('ERR no such key')
      })

      it('LINSERT before and after a pivot; -1 without it, 0 without the key', async () => {
        const r = client()
        await r.rpush('l', 'a', 'c')
        expect(await r.linsert('l', 'BEFORE', 'c', 'b')).toBe(3)
        expect(await r.linsert('l', 'AFTER', 'c', 'd')).toBe(4)
        expect(await r.linsert('l', 'AFTER', 'zz', 'd')).toBe(-1)
        expect(await r.linsert('nokey', 'AFTER', 'a', 'd')).toBe(0)
        expect(await r.lrange('l', 0, -1)).toEqual(['a', 'b', 'c', 'd'])
      })

      it('LREM from the head, the tail, or everywhere', async () => {
        const r = client()
        await r.rpush('l', 'x', 'a', 'x', 'b', 'x', 'c', 'x')
        expect(await r.lrem('l', 1, 'x')).toBe(1)
        expect(await r.lrem('l', -2, 'x')).toBe(2)
        expect(await r.lrange('l', 0, -1)).toEqual(['a', 'x', 'b', 'c'])
        expect(await r.lrem('l', 0, 'x')).toBe(1)
        expect(await r.lrem('l', 0, 'nothing')).toBe(0)
        await r.lrem('l', 0, 'a')
        await r.lrem('l', 0, 'b')
        expect(await r.lrem('l', 0, 'c')).toBe(1)
        expect(await r.exists('l')).toBe(0)
      })

      it('LTRIM keeps a range and deletes the key when nothing is left', async () => {
        const r = client()
        await r.rpush('l', '0', '1', '2', '3', '4', '5')
        expect(await r.ltrim('l', 1, -2)).toBe('OK')
        expect(await r.lrange('l', 0, -1)).toEqual(['1', '2', '3', '4'])
        expect(await r.ltrim('l', 5, 1)).toBe('OK')
        expect(await r.exists('l')).toBe(0)
        expect(await r.ltrim('nokey', 0, 1)).toBe('OK')
      })

      it('LPOS with RANK, COUNT and MAXLEN', async () => {
        const r = client()
        await r.rpush('l', 'a', 'b', 'c', 'a', 'b', 'c', 'a')
        expect(await r.lpos('l', 'a')).toBe(0)
        expect(await r.lpos('l', 'a', 'RANK', 2)).toBe(3)
        expect(await r.lpos('l', 'a', 'RANK', -1)).toBe(6)
        expect(await r.lpos('l', 'a', 'COUNT', 0)).toEqual([0, 3, 6])
        expect(await r.lpos('l', 'a', 'RANK', -2, 'COUNT', 5)).toEqual([3, 0])
        expect(await r.lpos('l', 'a', 'COUNT', 0, 'MAXLEN', 4)).toEqual([0, 3])
        expect(await r.lpos('l', 'zz')).toBeNull()
        expect(await r.lpos('nokey', 'a', 'COUNT', 1)).toEqual([])
        await expect(r.lpos('l', 'a', 'RANK', 0)).rejects.toThrow("ERR RANK can't be zero")
        await expect(r.lpos('l', 'a', 'COUNT', -1)).rejects.toThrow("ERR COUNT can't be negative")
        await expect(r.lpos('l', 'a', 'MAXLEN', -1)).rejects.toThrow("ERR MAXLEN can't be negative")
      })

      it('LMOVE and RPOPLPUSH move between lists, rotate one list, and create the destination', async () => {
        const r = client()
        await r.rpush('src', 'a', 'b', 'c')
        expect(await r.lmove('src', 'dst', 'LEFT', 'RIGHT')).toBe('a')
        expect(await r.lmove('src', 'dst', 'RIGHT', 'LEFT')).toBe('c')
        expect(await r.lrange('dst', 0, -1)).toEqual(['c', 'a'])
        expect(await r.rpoplpush('dst', 'dst')).toBe('a')
        expect(await r.lrange('dst', 0, -1)).toEqual(['a', 'c'])
        expect(await r.rpoplpush('src', 'dst')).toBe('b')
        expect(await r.exists('src')).toBe(0)
        expect(await r.rpoplpush('src', 'dst')).toBeNull()
        await expect(r.lmove('dst', 'x', 'UP' as 'LEFT', 'LEFT')).rejects.toThrow('ERR syntax error')
      })

      it('LMPOP pops from the first non-empty list', async () => {
        const r = client()
        await r.rpush('b', '1', '2', '3')
        expect(await r.lmpop(2, 'a', 'b', 'LEFT')).toEqual(['b', ['1']])
        expect(await r.lmpop(2, 'a', 'b', 'RIGHT', 'COUNT', 5)).toEqual(['b', ['3', '2']])
        expect(await r.lmpop(2, 'a', 'b', 'LEFT')).toBeNull()
        await expect(r.lmpop(0, 'a', 'LEFT')).rejects.toThrow('ERR numkeys should be greater than 0')
        await expect(r.lmpop(1, 'a', 'LEFT', 'COUNT', 0)).rejects.toThrow('ERR count should be greater than 0')
      })

      it('list commands on a string key answer WRONGTYPE (LPUSH LRANGE LINDEX LPOP LMOVE LMPOP)', async () => {
        const r = client()
        await r.set('s', 'v')
        await r.rpush('l', 'a')
        await expect(r.lpush('s', 'a')).rejects.toThrow(WRONGTYPE)
        await expect(r.lrange('s', 0, -1)).rejects.toThrow(WRONGTYPE)
        await expect(r.lindex('s', 0)).rejects.toThrow(WRONGTYPE)
        await expect(r.lpop('s')).rejects.toThrow(WRONGTYPE)
        await expect(r.lmove('l', 's', 'LEFT', 'LEFT')).rejects.toThrow(WRONGTYPE)
        expect(await r.lrange('l', 0, -1)).toEqual(['a'])
        await expect(r.lmpop(2, 'nokey', 's', 'LEFT')).rejects.toThrow(WRONGTYPE)
      })

      it('blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP answer at once when data is there', async () => {
        const r = client()
        await r.rpush('l', 'a', 'b', 'c', 'd', 'e')
        expect(await r.blpop('nokey', 'l', 0)).toEqual(['l', 'a'])
        expect(await r.brpop('l', 0)).toEqual(['l', 'e'])
        expect(await r.blmove('l', 'd', 'LEFT', 'LEFT', 0)).toBe('b')
        expect(await r.brpoplpush('l', 'd', 0)).toBe('d')
        expect(await r.blmpop(0, 1, 'l', 'LEFT', 'COUNT', 9)).toEqual(['l', ['c']])
        expect(await r.blpop('l', 0.01)).toBeNull()
      })
    })
  }

  it('LPOP and RPOP null forms with exact bytes: null string without count, null array with one', async () => {
    await raw.call(['RPUSH', 'k', 'a'])
    expect(await raw.call(['LPOP', 'k', '0'])).toBe('*0\r\n')
    expect(await raw.call(['LPOP', 'nokey'])).toBe('$-1\r\n')
    expect(await raw.call(['RPOP', 'nokey', '1'])).toBe('*-1\r\n')
    expect(await raw.call(['LPOP', 'nokey', '0'])).toBe('*-1\r\n')
    expect(await raw3.call(['LPOP', 'nokey'])).toBe('_\r\n')
    expect(await raw3.call(['RPOP', 'nokey', '1'])).toBe('_\r\n')
    expect(await raw3.call(['LPOP', 'k', '0'])).toBe('*0\r\n')
    expect(await raw.call(['LPOP', 'k', '1', '2'])).toBe("-ERR wrong number of arguments for 'lpop' command\r\n")
    expect(await raw.call(['RPOP', 'k', 'x'])).toBe('-ERR value is out of range, must be positive\r\n')
  })

  it('LRANGE, LINDEX, LPOS and LMPOP exact bytes in RESP2 and RESP3', async () => {
    await raw.call(['RPUSH', 'k', 'a', 'b'])
    expect(await raw.call(['LRANGE', 'k', '0', '-1'])).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n')
    expect(await raw.call(['LRANGE', 'nokey', '0', '-1'])).toBe('*0\r\n')
    expect(await raw.call(['LRANGE', 'nokey', 'x', '-1'])).toBe('-ERR value is not an integer or out of range\r\n')
    expect(await raw.call(['LINDEX', 'k', '5'])).toBe('$-1\r\n')
    expect(await raw3.call(['LINDEX', 'k', '5'])).toBe('_\r\n')
    expect(await raw.call(['LPOS', 'k', 'b'])).toBe(':1\r\n')
    expect(await raw.call(['LPOS', 'k', 'z'])).toBe('$-1\r\n')
    expect(await raw3.call(['LPOS', 'k', 'z'])).toBe('_\r\n')
    expect(await raw.call(['LPOS', 'k', 'b', 'COUNT', '0'])).toBe('*1\r\n:1\r\n')
    expect(await raw.call(['LMPOP', '1', 'nokey', 'LEFT'])).toBe('*-1\r\n')
    expect(await raw3.call(['LMPOP', '1', 'nokey', 'LEFT'])).toBe('_\r\n')
    expect(await raw3.call(['LMPOP', '1', 'k', 'RIGHT', 'COUNT', '1'])).toBe('*2\r\n$1\r\nk\r\n*1\r\n$1\r\nb\r\n')
  })

  it('LPUSH and LRANGE are binary safe', async () => {
    const value = '\x00\xff\r\n\x80 bytes'
    expect(await raw.call(['RPUSH', 'bin', value, ''])).toBe(':2\r\n')
    expect(await raw.call(['LRANGE', 'bin', '0', '-1'])).toBe(`*2\r\n$${value.length}\r\n${value}\r\n$0\r\n\r\n`)
    expect(await raw.call(['LPOS', 'bin', ''])).toBe(':1\r\n')
  })

  it('RPUSH onto an existing list keeps its TTL; a list emptied by LPOP loses key and TTL', async () => {
    await r3.rpush('l', 'a')
    await r3.expire('l', 100)
    await r3.rpush('l', 'b')
    await r3.linsert('l', 'BEFORE', 'a', 'z')
    expect(await r3.ttl('l')).toBeGreaterThan(90)
    await r3.lpop('l', 3)
    expect(await r3.exists('l')).toBe(0)
    await r3.rpush('l', 'new')
    expect(await r3.ttl('l')).toBe(-1)
  })

  it('LRANGE and LINDEX stay fast on a long list (index access, not a walk)', async () => {
    const values = Array.from({ length: 200_000 }, (_, i) => String(i))
    for (let i = 0; i < values.length; i += 50_000) await r3.rpush('long', ...values.slice(i, i + 50_000))
    expect(await r3.llen('long')).toBe(200_000)
    const pipeline = r3.pipeline()
    for (let i = 0; i < 2000; i++) pipeline.lindex('long', 100_000 + i)
    const results = await pipeline.exec()
    expect(results!.map(([, v]) => v)).toEqual(values.slice(100_000, 102_000))
    expect(await r3.lrange('long', -3, -1)).toEqual(['199997', '199998', '199999'])
    expect(await r3.lset('long', 150_000, 'mid')).toBe('OK')
    expect(await r3.lindex('long', 150_000)).toBe('mid')
  })
})

describe.skipIf(missingTool('redis-benchmark') !== null)('redis-benchmark LPUSH RPUSH LPOP RPOP LRANGE', () => {
  for (const pipeline of [1, 16]) {
    it(`completes every list test at -P ${pipeline}`, async () => {
      const { code, output: out } = await redisBenchmark(respite.port, ['-t', 'lpush,rpush,lpop,rpop,lrange', '-n', '2000', '-P', String(pipeline)])
      expect(code).toBe(0)
      for (const name of ['LPUSH', 'RPUSH', 'LPOP', 'RPOP', 'LRANGE_100', 'LRANGE_300', 'LRANGE_500', 'LRANGE_600']) {
        expect(out).toMatch(new RegExp(`${name}[^\\n]*: [\\d.]+ requests per second`))
      }
    })
  }
})
