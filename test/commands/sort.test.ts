import { Redis } from 'ioredis'
import { beforeEach, describe, expect, it } from 'vitest'
import { parseSortScore } from '../../src/util/numbers.js'
import { ZSet } from '../../src/store/zset.js'
import { until, useRespite, WRONGTYPE } from '../helpers/fixture.js'

const { respite, r3, r2, exact } = await useRespite()

beforeEach(async () => {
  await r3.rpush('l', '3', '1', '2', '10', '-5')
})

describe('SORT', () => {
  it('SORT numerically, ALPHA, DESC and LIMIT', async () => {
    expect(await r3.sort('l')).toEqual(['-5', '1', '2', '3', '10'])
    expect(await r3.sort('l', 'DESC')).toEqual(['10', '3', '2', '1', '-5'])
    expect(await r3.sort('l', 'ALPHA')).toEqual(['-5', '1', '10', '2', '3'])
    expect(await r2.sort('l', 'LIMIT', 1, 2)).toEqual(['1', '2'])
    expect(await r3.sort('l', 'LIMIT', -1, 2)).toEqual(['-5', '1'])
    expect(await r3.sort('l', 'LIMIT', 1, -1)).toEqual(['1', '2', '3', '10'])
    expect(await r3.sort('l', 'LIMIT', 10, 2)).toEqual([])
    expect(await r3.sort('nokey')).toEqual([])
  })

  it('SORT BY nosort keeps list order, reversed by DESC, with LIMIT', async () => {
    expect(await r3.sort('l', 'BY', 'nosort')).toEqual(['3', '1', '2', '10', '-5'])
    expect(await r3.sort('l', 'BY', 'nosort', 'DESC')).toEqual(['-5', '10', '2', '1', '3'])
    expect(await r3.call('SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')).toEqual(['10', '2'])
  })

  it('SORT BY and GET patterns, with # and hash fields', async () => {
    await r3.mset('w_3', '30', 'w_1', '10', 'w_2', '-1')
    await r3.hset('h_3', 'f', 'c')
    await r3.hset('h_10', 'f', 'a')
    expect(await r3.sort('l', 'BY', 'w_*')).toEqual(['2', '-5', '10', '1', '3'])
    expect(await r3.sort('l', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*')).toEqual(
      ['2', '-1', '-5', null, '10', null, '1', '10', '3', '30'])
    expect(await r3.sort('l', 'BY', 'h_*->f', 'ALPHA')).toEqual(['1', '2', '-5', '10', '3'])
    expect(await r3.sort('l', 'GET', 'h_*->f')).toEqual([null, null, null, 'c', 'a'])
    expect(await r3.sort('l', 'GET', 'nostar')).toEqual([null, null, null, null, null])
    await exact([['SORT', 'l', 'GET', 'h_*->f', 'LIMIT', '0', '1']], '*1\r\n_\r\n', true)
  })

  it('SORT STORE writes a list, clears the TTL, and deletes the destination for no result', async () => {
    await r3.set('dst', 'old', 'EX', 100)
    expect(await r3.sort('l', 'STORE', 'dst')).toBe(5)
    expect(await r3.type('dst')).toBe('list')
    expect(await r3.ttl('dst')).toBe(-1)
    expect(await r3.lrange('dst', 0, -1)).toEqual(['-5', '1', '2', '3', '10'])
    expect(await r3.sort('l', 'GET', 'missing_*', 'STORE', 'dst')).toBe(5)
    expect(await r3.lrange('dst', 0, -1)).toEqual(['', '', '', '', ''])
    expect(await r3.sort('nokey', 'STORE', 'dst')).toBe(0)
    expect(await r3.exists('dst')).toBe(0)
  })

  it('SORT STORE wakes a client blocked on the destination', async () => {
    const blocked = new Redis({ port: respite.port, lazyConnect: false })
    try {
      const pop = blocked.blpop('dst', 5)
      await until(async () => (await r3.info('clients')).includes('blocked_clients:1'), 'BLPOP to block')
      expect(await r3.sort('l', 'STORE', 'dst')).toBe(5)
      expect(await pop).toEqual(['dst', '-5'])
      expect(await r3.lrange('dst', 0, -1)).toEqual(['1', '2', '3', '10'])
    } finally {
      blocked.disconnect()
    }
  })

  it('SORT over sets: intsets keep ascending order without sorting; STORE sorts them ALPHA', async () => {
    await r3.sadd('s', '5', '3', '9', '1', '10')
    await r3.sadd('w', 'b', 'a', 'c')
    expect(await r3.sort('s', 'BY', 'nosort')).toEqual(['1', '3', '5', '9', '10'])
    expect(await r3.call('SORT', 's', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')).toEqual(['3', '5'])
    expect(await r3.sort('s', 'BY', 'nosort', 'STORE', 'dst')).toBe(5)
    expect(await r3.lrange('dst', 0, -1)).toEqual(['1', '10', '3', '5', '9'])
    expect(await r3.call('SORT', 'w', 'ALPHA', 'DESC')).toEqual(['c', 'b', 'a'])
  })

  it('SORT errors: syntax, LIMIT values, WRONGTYPE, scores that are not numbers', async () => {
    await r3.set('str', 'x')
    await r3.rpush('bad', 'a', '1')
    await exact([
      ['SORT', 'l', 'STORE'], ['SORT', 'l', 'FOO'], ['SORT', 'l', 'LIMIT', '1'], ['SORT', 'str', 'LIMIT', 'x', '1'],
      ['SORT', 'str'], ['SORT', 'bad'], ['SORT', 'bad', 'STORE', 'dst'], ['EXISTS', 'dst'], ['SORT', 'bad', 'ALPHA'],
    ],
    '-ERR syntax error\r\n-ERR syntax error\r\n-ERR syntax error\r\n-ERR value is not an integer or out of range\r\n' +
    `-${WRONGTYPE}\r\n-ERR One or more scores can't be converted into double\r\n` +
    "-ERR One or more scores can't be converted into double\r\n:0\r\n*2\r\n$1\r\n1\r\n$1\r\na\r\n")
  })

  it('COMMAND GETKEYS SORT finds the STORE destination', async () => {
    expect(await r3.call('COMMAND', 'GETKEYS', 'SORT', 'l', 'LIMIT', '0', '1', 'STORE', 'dst')).toEqual(['l', 'dst'])
    expect(await r3.call('COMMAND', 'GETKEYS', 'SORT', 'l', 'GET', 'store')).toEqual(['l'])
  })
})

describe('SORT over sorted sets', () => {
  beforeEach(() => {
    respite.server.store.db(0).set('w', ZSet.build(['x', 'y', 'z', 'q'], [5, 1, 3, 2]))
  })

  it('SORT BY nosort keeps score order (reversed by DESC), with LIMIT by rank', async () => {
    expect(await r3.sort('w', 'BY', 'nosort')).toEqual(['y', 'q', 'z', 'x'])
    expect(await r3.sort('w', 'BY', 'nosort', 'DESC')).toEqual(['x', 'z', 'q', 'y'])
    expect(await r3.call('SORT', 'w', 'BY', 'nosort', 'LIMIT', '1', '2')).toEqual(['q', 'z'])
    expect(await r3.call('SORT', 'w', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')).toEqual(['z', 'q'])
    expect(await r3.call('SORT', 'w', 'BY', 'nosort', 'DESC', 'LIMIT', '3', '5')).toEqual(['y'])
    expect(await r3.sort('w', 'BY', 'nosort', 'STORE', 'dst')).toBe(4)
    expect(await r3.lrange('dst', 0, -1)).toEqual(['y', 'q', 'z', 'x'])
  })

  it('SORT ALPHA sorts the members, and SORT_RO too turns a listpack into a skiplist as in Redis', async () => {
    expect(await r3.object('ENCODING', 'w')).toBe('listpack')
    expect(await r3.call('SORT_RO', 'w', 'ALPHA')).toEqual(['q', 'x', 'y', 'z'])
    expect(await r3.object('ENCODING', 'w')).toBe('skiplist')
    await expect(r3.sort('w')).rejects.toThrow("ERR One or more scores can't be converted into double")
  })
})

describe('SORT_RO', () => {
  it('SORT_RO sorts like SORT and refuses STORE', async () => {
    expect(await r3.call('SORT_RO', 'l', 'DESC', 'ALPHA', 'LIMIT', '0', '2')).toEqual(['3', '2'])
    await expect(r3.call('SORT_RO', 'l', 'STORE', 'dst')).rejects.toThrow('ERR syntax error')
  })
})

describe('SORT score parsing (strtod)', () => {
  it('accepts what C strtod reads whole and refuses the rest', () => {
    expect(parseSortScore('')).toBe(0)
    expect(parseSortScore(' 1')).toBe(1)
    expect(parseSortScore('\t-2.5')).toBe(-2.5)
    expect(parseSortScore('+5')).toBe(5)
    expect(parseSortScore('.5')).toBe(0.5)
    expect(parseSortScore('5.')).toBe(5)
    expect(parseSortScore('0x10')).toBe(16)
    expect(parseSortScore('0x1.8p1')).toBe(3)
    expect(parseSortScore('inf')).toBe(Infinity)
    expect(parseSortScore('-Infinity')).toBe(-Infinity)
    expect(parseSortScore('00012')).toBe(12)
    expect(parseSortScore('7\0junk')).toBe(7)
    for (const bad of ['1 ', '1e', 'nan', '0x', '  ', '+', '1_0', '1e400', '1e-400', '1e-310', 'abc']) {
      expect(parseSortScore(bad), bad).toBeNull()
    }
  })
})
