import { createClient } from 'redis'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseDouble, strtod } from '../../src/util/numbers.js'
import { zsetLimits } from '../../src/store/zset.js'
import { exchange, expectReply, until, useConnections, useRespite, useRespiteAndRedis, WRONGTYPE } from '../helpers/fixture.js'
import { resp } from '../helpers/raw.js'
import { runScenario, type Step } from '../helpers/scenarios.js'
import { missingTool } from '../helpers/servers.js'

const { respite, r3, r2, exact } = await useRespite()

afterEach(() => {
  zsetLimits.maxListpackEntries = 128
  zsetLimits.maxListpackValue = 64
})

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`
const err = (s: string) => `-${s}\r\n`

describe('score parsing as Redis does it (parseDouble for ZADD scores, strtod for range bounds)', () => {
  it('parseDouble takes whole strtod numbers only: decimal, hex, inf; no spaces, NaN or overflow', () => {
    const ok: [string, number][] = [['1', 1], ['-0', -0], ['+1', 1], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['0x10', 16],
      ['0x1.8p1', 3], ['-0X.8', -0.5], ['inf', Infinity], ['-Infinity', -Infinity], ['+INF', Infinity], ['4.9e-324', 5e-324],
      ['1E+20', 1e20]]
    for (const [s, v] of ok) expect(Object.is(parseDouble(s), v), s).toBe(true)
    for (const s of ['', ' 1', '1 ', '.', '1e', '1e+', '0x', '0x1p', 'nan', '-nan', 'infin', '1e400', '-1e400', '1e-400',
      '0x1p-1080', 'abc', '1\0', '1,5', '--1']) {
      expect(parseDouble(s), JSON.stringify(s)).toBeNull()
    }
  })

  it('strtod for bounds allows leading space, saturates out-of-range values and reads "" as 0', () => {
    const ok: [string, number][] = [[' 1', 1], ['\t2', 2], ['', 0], ['1e400', Infinity], ['-1e400', -Infinity], ['1e-400', 0],
      ['0x2', 2], ['1\0junk', 1], ['infinity', Infinity]]
    for (const [s, v] of ok) expect(Object.is(strtod(s), v), JSON.stringify(s)).toBe(true)
    expect(strtod('(5', 1)).toBe(5)
    expect(strtod('(', 1)).toBe(0)
    for (const s of ['1 ', ' ', 'nan', 'x', '0x', '1e5x', '(']) expect(Number.isNaN(strtod(s)), JSON.stringify(s)).toBe(true)
  })
})

describe('ZADD, ZINCRBY, ZSCORE, ZMSCORE, ZCARD, ZREM', () => {
  it('ZADD adds and updates; ZSCORE ZMSCORE ZCARD read it back (ioredis RESP3 and RESP2)', async () => {
    expect(await r3.zadd('z', 1, 'a', 2, 'b', 3.5, 'c')).toBe(3)
    expect(await r3.zadd('z', 5, 'a', 2, 'b', 1, 'd')).toBe(1)
    expect(await r3.zcard('z')).toBe(4)
    expect(await r2.zscore('z', 'a')).toBe('5')
    expect(await r2.zscore('z', 'c')).toBe('3.5')
    expect(await r2.zscore('z', 'nope')).toBeNull()
    expect(await r2.zmscore('z', 'a', 'nope', 'c')).toEqual(['5', null, '3.5'])
    expect(await r3.zmscore('nokey', 'a', 'b')).toEqual([null, null])
    expect(await r3.zcard('nokey')).toBe(0)
  })

  it('ZADD options NX XX GT LT CH INCR behave as in Redis', async () => {
    await r3.zadd('z', 1, 'a', 5, 'b')
    expect(await r3.zadd('z', 'NX', 9, 'a', 2, 'n')).toBe(1)
    expect(await r2.zscore('z', 'a')).toBe('1')
    expect(await r3.zadd('z', 'XX', 9, 'a', 2, 'x')).toBe(0)
    expect(await r2.zscore('z', 'x')).toBeNull()
    expect(await r3.zadd('z', 'XX', 'CH', 10, 'a', 2, 'x')).toBe(1)
    expect(await r3.zadd('z', 'GT', 'CH', 3, 'b', 6, 'b2')).toBe(1)
    expect(await r2.zscore('z', 'b')).toBe('5')
    expect(await r3.zadd('z', 'LT', 'CH', 3, 'b')).toBe(1)
    expect(await r2.zscore('z', 'b')).toBe('3')
    expect(await r2.zadd('z', 'INCR', 2, 'b')).toBe('5')
    expect(await r2.zadd('z', 'NX', 'INCR', 2, 'b')).toBeNull()
    expect(await r2.zadd('z', 'GT', 'INCR', -1, 'b')).toBeNull()
    expect(await r2.zadd('nokey', 'XX', 'INCR', 1, 'a')).toBeNull()
    expect(await r3.zadd('nokey', 'XX', 1, 'a')).toBe(0)
    expect(await r3.exists('nokey')).toBe(0)
  })

  it('ZADD and ZINCRBY reject bad input with Redis\'s exact errors, touching nothing', async () => {
    await exact([
      ['ZADD', 'z', 'NX', 'XX', '1', 'a'], ['ZADD', 'z', 'GT', 'LT', '1', 'a'], ['ZADD', 'z', 'NX', 'GT', '1', 'a'],
      ['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'], ['ZADD', 'z', '1', 'a', '2'], ['ZADD', 'z', 'abc', 'a'], ['ZADD', 'z', '1', 'a', 'nan', 'b'],
      ['ZADD', 'z', '1e400', 'a'], ['ZADD', 'z', ' 1', 'a'], ['ZADD', 'z', '1'], ['ZINCRBY', 'z', 'x', 'a'], ['EXISTS', 'z'],
    ], err('ERR XX and NX options at the same time are not compatible') +
      err('ERR GT, LT, and/or NX options at the same time are not compatible').repeat(2) +
      err('ERR INCR option supports a single increment-element pair') + err('ERR syntax error') +
      err('ERR value is not a valid float').repeat(4) + err("ERR wrong number of arguments for 'zadd' command") +
      err('ERR value is not a valid float') + ':0\r\n')
  })

  it('ZINCRBY formats results like %.17g and refuses NaN (inf + -inf)', async () => {
    await exact([
      ['ZINCRBY', 'z', '1.5', 'a'], ['ZINCRBY', 'z', '2', 'a'], ['ZINCRBY', 'z', '1e20', 'b'], ['ZINCRBY', 'z', '0.1', 'c'],
      ['ZINCRBY', 'z', '0.2', 'c'], ['ZINCRBY', 'z', 'inf', 'd'], ['ZINCRBY', 'z', '-inf', 'd'], ['ZSCORE', 'z', 'd'],
      ['ZADD', 'z', '0x10', 'hex'], ['ZSCORE', 'z', 'hex'],
    ], bulk('1.5') + bulk('3.5') + bulk('1e+20') + bulk('0.10000000000000001') + bulk('0.30000000000000004') + bulk('inf') +
      err('ERR resulting score is not a number (NaN)') + bulk('inf') + ':1\r\n' + bulk('16'))
  })

  it('scores are RESP3 doubles: ZSCORE ZMSCORE ZINCRBY and ZADD INCR', async () => {
    await exact([
      ['ZADD', 'z', '2.5', 'a'], ['ZSCORE', 'z', 'a'], ['ZSCORE', 'z', 'x'], ['ZMSCORE', 'z', 'a', 'x'], ['ZINCRBY', 'z', '-inf', 'a'],
      ['ZADD', 'z', 'XX', 'INCR', '1', 'x'],
    ], ':1\r\n,2.5\r\n_\r\n*2\r\n,2.5\r\n_\r\n,-inf\r\n_\r\n', true)
  })

  it('ZREM removes members and deletes the key with the last one', async () => {
    await r3.zadd('z', 1, 'a', 2, 'b', 3, 'c')
    expect(await r3.zrem('z', 'a', 'x', 'a')).toBe(1)
    expect(await r3.zrem('z', 'b', 'c', 'd')).toBe(2)
    expect(await r3.exists('z')).toBe(0)
    expect(await r3.zrem('z', 'a')).toBe(0)
  })

  it('every sorted-set command answers WRONGTYPE on a string key', async () => {
    await r3.set('s', 'v')
    const calls: string[][] = [['ZADD', 's', '1', 'a'], ['ZINCRBY', 's', '1', 'a'], ['ZREM', 's', 'a'], ['ZSCORE', 's', 'a'],
      ['ZMSCORE', 's', 'a'], ['ZCARD', 's'], ['ZCOUNT', 's', '0', '1'], ['ZLEXCOUNT', 's', '-', '+'], ['ZRANGE', 's', '0', '1'],
      ['ZRANGESTORE', 'd', 's', '0', '1'], ['ZRANK', 's', 'a'], ['ZREVRANK', 's', 'a'], ['ZREMRANGEBYRANK', 's', '0', '1'],
      ['ZREMRANGEBYSCORE', 's', '0', '1'], ['ZREMRANGEBYLEX', 's', '-', '+'], ['ZPOPMIN', 's'], ['ZPOPMAX', 's', '2'],
      ['ZMPOP', '1', 's', 'MIN'], ['BZPOPMIN', 's', '0'], ['BZMPOP', '0', '1', 's', 'MAX'], ['ZUNION', '1', 's'],
      ['ZINTERSTORE', 'd', '1', 's'], ['ZDIFF', '2', 'nokey', 's'], ['ZINTERCARD', '1', 's'], ['ZRANDMEMBER', 's'], ['ZSCAN', 's', '0']]
    await exact(calls, `-${WRONGTYPE}\r\n`.repeat(calls.length))
  })
})

describe('ZRANGE, ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZCOUNT, ZLEXCOUNT', () => {
  beforeEach(async () => {
    await r3.zadd('z', 1, 'a', 2, 'b', 2, 'bb', 3, 'c', '-inf', 'lo', 'inf', 'hi')
    await r3.zadd('lex', 0, 'a', 0, 'b', 0, 'c', 0, 'd', 0, 'e')
  })

  it('ZRANGE by rank with negative indexes, REV and out-of-range bounds', async () => {
    expect(await r3.zrange('z', '0', '-1')).toEqual(['lo', 'a', 'b', 'bb', 'c', 'hi'])
    expect(await r3.zrange('z', '-2', '100')).toEqual(['c', 'hi'])
    expect(await r3.zrange('z', '3', '1')).toEqual([])
    expect(await r3.zrange('z', '0', '1', 'REV')).toEqual(['hi', 'c'])
    expect(await r3.zrevrange('z', 1, 2)).toEqual(['c', 'bb'])
    expect(await r3.zrange('nokey', '0', '-1')).toEqual([])
  })

  it('ZRANGE WITHSCORES is flat in RESP2 and [member, score] pairs in RESP3', async () => {
    await exact([['ZRANGE', 'z', '0', '1', 'WITHSCORES'], ['ZRANGEBYSCORE', 'z', '(1', '2', 'WITHSCORES', 'LIMIT', '1', '5']],
      '*4\r\n$2\r\nlo\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$2\r\nbb\r\n$1\r\n2\r\n')
    await exact([['ZRANGE', 'z', '0', '1', 'WITHSCORES'], ['ZREVRANGE', 'z', '0', '0', 'WITHSCORES'], ['ZRANGE', 'z', '9', '10', 'WITHSCORES']],
      '*2\r\n*2\r\n$2\r\nlo\r\n,-inf\r\n*2\r\n$1\r\na\r\n,1\r\n*1\r\n*2\r\n$2\r\nhi\r\n,inf\r\n*0\r\n', true)
    expect(await r2.zrange('z', '0', '1', 'WITHSCORES')).toEqual(['lo', '-inf', 'a', '1'])
  })

  it('ZRANGEBYSCORE and ZREVRANGEBYSCORE take inclusive, exclusive and infinite bounds with LIMIT', async () => {
    expect(await r3.zrangebyscore('z', 2, 3)).toEqual(['b', 'bb', 'c'])
    expect(await r3.zrangebyscore('z', '(2', '+inf')).toEqual(['c', 'hi'])
    expect(await r3.zrangebyscore('z', '-inf', '(2')).toEqual(['lo', 'a'])
    expect(await r3.zrangebyscore('z', '(-inf', '(+inf')).toEqual(['a', 'b', 'bb', 'c'])
    expect(await r3.zrangebyscore('z', 3, 1)).toEqual([])
    expect(await r3.zrangebyscore('z', '(2', 2)).toEqual([])
    expect(await r3.zrangebyscore('z', '-inf', 'inf', 'LIMIT', 1, 2)).toEqual(['a', 'b'])
    expect(await r3.zrangebyscore('z', '-inf', 'inf', 'LIMIT', 4, -1)).toEqual(['c', 'hi'])
    expect(await r3.zrangebyscore('z', '-inf', 'inf', 'LIMIT', -1, 5)).toEqual([])
    expect(await r3.zrevrangebyscore('z', '+inf', 2, 'LIMIT', 1, 2)).toEqual(['c', 'bb'])
    expect(await r3.zrange('z', 3, '(1', 'BYSCORE', 'REV')).toEqual(['c', 'bb', 'b'])
    expect(await r3.zcount('z', '(1', 3)).toBe(3)
    expect(await r3.zcount('z', '-inf', '+inf')).toBe(6)
    expect(await r3.zcount('nokey', 0, 1)).toBe(0)
  })

  it('score bounds are read with C strtod, as Redis reads them', async () => {
    // " 2" and "0x2" are 2, "" is 0, "(" is an exclusive 0, and 1e400 is inf.
    await exact([['ZCOUNT', 'z', ' 2', '0x2'], ['ZCOUNT', 'z', '', '1'], ['ZCOUNT', 'z', '(', '1'], ['ZCOUNT', 'z', '1e400', '1e400'],
      ['ZCOUNT', 'z', '2 ', '3'], ['ZCOUNT', 'z', 'nan', '3'], ['ZCOUNT', 'z', '[1', '3']],
    ':2\r\n:1\r\n:1\r\n:1\r\n' + err('ERR min or max is not a float').repeat(3))
  })

  it('ZRANGEBYLEX, ZREVRANGEBYLEX and ZLEXCOUNT take [ ( - + bounds', async () => {
    expect(await r3.zrangebylex('lex', '-', '+')).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(await r3.zrangebylex('lex', '[b', '(d')).toEqual(['b', 'c'])
    expect(await r3.zrangebylex('lex', '(b', '+', 'LIMIT', 1, 2)).toEqual(['d', 'e'])
    expect(await r3.zrevrangebylex('lex', '[c', '-')).toEqual(['c', 'b', 'a'])
    expect(await r3.zrange('lex', '(e', '[a', 'BYLEX', 'REV')).toEqual(['d', 'c', 'b', 'a'])
    expect(await r3.zrangebylex('lex', '+', '-')).toEqual([])
    expect(await r3.zlexcount('lex', '[b', '[d')).toBe(3)
    expect(await r3.zlexcount('lex', '(a', '(a')).toBe(0)
    await exact([['ZLEXCOUNT', 'lex', 'a', '+'], ['ZRANGEBYLEX', 'lex', '-', '++'], ['ZLEXCOUNT', 'lex', '[', '+']],
      err('ERR min or max not valid string range item').repeat(2) + ':5\r\n')
  })

  it('ZRANGE option errors match Redis', async () => {
    await exact([
      ['ZRANGE', 'z', '0', '-1', 'LIMIT', '0', '1'], ['ZRANGE', 'z', '-', '+', 'BYLEX', 'WITHSCORES'], ['ZRANGE', 'z', 'a', 'b', 'BYSCORE'],
      ['ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX'], ['ZRANGEBYSCORE', 'z', '0', '1', 'REV'], ['ZRANGE', 'z', '0', '1', 'BYSCORE', 'LIMIT', '0'],
      ['ZRANGE', 'z', '0', '1', 'BYSCORE', 'LIMIT', 'x', '1'], ['ZRANGE', 'z', '0', 'x'], ['ZRANGE', 'z', '0', '-1', 'LIMIT', '5', '-1'],
    ], err('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX') +
      err('ERR syntax error, WITHSCORES not supported in combination with BYLEX') + err('ERR min or max is not a float') +
      err('ERR syntax error').repeat(3) + err('ERR value is not an integer or out of range').repeat(2) +
      '*6\r\n$2\r\nlo\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n$2\r\nhi\r\n')
  })

  it('ZRANK and ZREVRANK answer ranks, nil for a missing member, and take no WITHSCORE in 7.0', async () => {
    expect(await r3.zrank('z', 'lo')).toBe(0)
    expect(await r3.zrank('z', 'bb')).toBe(3)
    expect(await r3.zrevrank('z', 'bb')).toBe(2)
    expect(await r3.zrank('z', 'zz')).toBeNull()
    expect(await r3.zrank('nokey', 'a')).toBeNull()
    await exact([['ZRANK', 'z', 'a', 'WITHSCORE'], ['ZRANK', 'z', 'zz']], err("ERR wrong number of arguments for 'zrank' command") + '$-1\r\n')
  })
})

describe('ZRANGESTORE, ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX', () => {
  it('ZRANGESTORE stores a rank, score or lex range and replaces the destination', async () => {
    await r3.zadd('src', 1, 'a', 2, 'b', 3, 'c', 4, 'd')
    await r3.set('dst', 'string')
    await r3.expire('dst', 100)
    expect(await r3.zrangestore('dst', 'src', 1, 2)).toBe(2)
    expect(await r2.zrange('dst', '0', '-1', 'WITHSCORES')).toEqual(['b', '2', 'c', '3'])
    expect(await r3.ttl('dst')).toBe(-1)
    expect(await r3.zrangestore('dst', 'src', '+inf', '(1', 'BYSCORE', 'REV', 'LIMIT', 0, 2)).toBe(2)
    expect(await r3.zrange('dst', '0', '-1')).toEqual(['c', 'd'])
    expect(await r3.zrangestore('dst', 'src', 10, 20)).toBe(0)
    expect(await r3.exists('dst')).toBe(0)
    expect(await r3.zrangestore('src', 'src', 0, 0)).toBe(1)
    expect(await r3.zrange('src', '0', '-1')).toEqual(['a'])
    await exact([['ZRANGESTORE', 'd', 'src', '0', '1', 'WITHSCORES']], err('ERR syntax error'))
  })

  it('ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX remove ranges and empty keys', async () => {
    await r3.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e')
    expect(await r3.zremrangebyrank('z', 1, 2)).toBe(2)
    expect(await r3.zrange('z', '0', '-1')).toEqual(['a', 'd', 'e'])
    expect(await r3.zremrangebyrank('z', 5, 10)).toBe(0)
    expect(await r3.zremrangebyscore('z', '(1', 4)).toBe(1)
    expect(await r3.zremrangebyscore('z', '-inf', '+inf')).toBe(2)
    expect(await r3.exists('z')).toBe(0)
    await r3.zadd('lex', 0, 'a', 0, 'b', 0, 'c')
    expect(await r3.zremrangebylex('lex', '(a', '+')).toBe(2)
    expect(await r3.zrange('lex', '0', '-1')).toEqual(['a'])
    await exact([['ZREMRANGEBYRANK', 'nokey', 'x', '1'], ['ZREMRANGEBYSCORE', 'nokey', 'x', '1'], ['ZREMRANGEBYLEX', 'nokey', 'x', '+'],
      ['ZREMRANGEBYSCORE', 'nokey', '0', '1']],
    err('ERR value is not an integer or out of range') + err('ERR min or max is not a float') +
      err('ERR min or max not valid string range item') + ':0\r\n')
  })
})

describe('ZPOPMIN, ZPOPMAX, ZMPOP', () => {
  it('ZPOPMIN and ZPOPMAX reply flat without a count, nested pairs with one in RESP3', async () => {
    await r3.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd')
    await exact([['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '1'], ['ZPOPMIN', 'z', '5'], ['ZPOPMIN', 'z'], ['ZPOPMIN', 'z', '0']],
      '*2\r\n$1\r\na\r\n,1\r\n*1\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n*0\r\n*0\r\n', true)
    await r3.zadd('z', 1, 'a', 2, 'b')
    await exact([['ZPOPMAX', 'z', '1'], ['ZPOPMIN', 'z', '-1'], ['ZPOPMIN', 'z', 'x'], ['ZPOPMIN', 'z', '1', '2']],
      '*2\r\n$1\r\nb\r\n$1\r\n2\r\n' + err('ERR value is out of range, must be positive').repeat(2) + err('ERR syntax error'))
    expect(await r2.zpopmin('z')).toEqual(['a', '1'])
    expect(await r3.exists('z')).toBe(0)
  })

  it('ZMPOP pops from the first non-empty key with the key in front', async () => {
    await r3.zadd('z2', 1, 'a', 2, 'b', 3, 'c')
    await exact([['ZMPOP', '2', 'z1', 'z2', 'MIN'], ['ZMPOP', '2', 'z1', 'z2', 'MAX', 'COUNT', '10'], ['ZMPOP', '1', 'z2', 'MIN']],
      '*2\r\n$2\r\nz2\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$2\r\nz2\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*-1\r\n')
    await exact([['ZMPOP', '1', 'z2', 'MIN']], '_\r\n', true)
    await exact([
      ['ZMPOP', '0', 'z', 'MIN'], ['ZMPOP', 'x', 'z', 'MIN'], ['ZMPOP', '2', 'z', 'MIN'], ['ZMPOP', '1', 'z', 'FOO'],
      ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '0'], ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '1', 'COUNT', '1'],
    ], err('ERR numkeys should be greater than 0').repeat(2) + err('ERR syntax error').repeat(2) +
      err('ERR count should be greater than 0') + err('ERR syntax error'))
  })
})

describe('ZUNION, ZINTER, ZDIFF, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZINTERCARD', () => {
  beforeEach(async () => {
    await r3.zadd('a', 1, 'x', 2, 'y', 3, 'z')
    await r3.zadd('b', 10, 'y', 20, 'z', 30, 'w')
    await r3.sadd('s', 'x', 'w', 'v')
  })

  it('ZUNION and ZINTER aggregate with WEIGHTS and SUM, MIN or MAX; sets count as score 1', async () => {
    expect(await r2.zunion(2, 'a', 'b', 'WITHSCORES')).toEqual(['x', '1', 'y', '12', 'z', '23', 'w', '30'])
    expect(await r2.zunion(2, 'a', 'b', 'WEIGHTS', 2, 1, 'AGGREGATE', 'MAX', 'WITHSCORES')).toEqual(['x', '2', 'y', '10', 'z', '20', 'w', '30'])
    expect(await r2.zinter(2, 'a', 'b', 'AGGREGATE', 'MIN', 'WITHSCORES')).toEqual(['y', '2', 'z', '3'])
    expect(await r2.zunion(2, 'a', 's', 'WITHSCORES')).toEqual(['v', '1', 'w', '1', 'x', '2', 'y', '2', 'z', '3'])
    expect(await r3.zinter(2, 's', 'b')).toEqual(['w'])
    // inf * 0 and inf + -inf are NaN, which Redis counts as 0.
    expect(await r2.zunion(2, 'a', 'a', 'WEIGHTS', 'inf', '-inf', 'WITHSCORES')).toEqual(['x', '0', 'y', '0', 'z', '0'])
  })

  it('ZDIFF keeps the first set\'s scores; the STORE forms replace or delete the destination', async () => {
    expect(await r2.zdiff(3, 'a', 'b', 's', 'WITHSCORES')).toEqual([])
    expect(await r2.zdiff(2, 'a', 'b', 'WITHSCORES')).toEqual(['x', '1'])
    expect(await r3.zunionstore('d', 2, 'a', 'b', 'WEIGHTS', 1, 0.5)).toBe(4)
    expect(await r2.zrange('d', '0', '-1', 'WITHSCORES')).toEqual(['x', '1', 'y', '7', 'z', '13', 'w', '15'])
    expect(await r3.zinterstore('d', 2, 'a', 'nokey')).toBe(0)
    expect(await r3.exists('d')).toBe(0)
    expect(await r3.zdiffstore('a', 2, 'a', 'b')).toBe(1)
    expect(await r3.zrange('a', '0', '-1')).toEqual(['x'])
  })

  it('ZINTERCARD counts the intersection, stopping at LIMIT', async () => {
    expect(await r3.zintercard(2, 'a', 'b')).toBe(2)
    expect(await r3.zintercard(2, 'a', 'b', 'LIMIT', 1)).toBe(1)
    expect(await r3.zintercard(2, 'a', 'b', 'LIMIT', 0)).toBe(2)
    expect(await r3.zintercard(2, 's', 'a')).toBe(1)
  })

  it('set operations reject bad arguments like Redis, WRONGTYPE before option errors', async () => {
    await r3.set('str', 'v')
    await exact([
      ['ZUNION', '0', 'a'], ['ZUNIONSTORE', 'd', '-1', 'a'], ['ZINTERCARD', '0', 'a'], ['ZUNION', 'x', 'a'], ['ZUNION', '3', 'a', 'b'],
      ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1', 'x'], ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1'], ['ZINTER', '1', 'a', 'AGGREGATE', 'AVG'],
      ['ZDIFF', '2', 'a', 'b', 'WEIGHTS', '1', '1'], ['ZUNIONSTORE', 'd', '1', 'a', 'WITHSCORES'], ['ZINTERCARD', '1', 'a', 'LIMIT', '-1'],
      ['ZUNION', '2', 'a', 'str', 'FOO'],
    ], err("ERR at least 1 input key is needed for 'zunion' command") + err("ERR at least 1 input key is needed for 'zunionstore' command") +
      err("ERR at least 1 input key is needed for 'zintercard' command") + err('ERR value is not an integer or out of range') +
      err('ERR syntax error') + err('ERR weight value is not a float') + err('ERR syntax error').repeat(4) +
      err("ERR LIMIT can't be negative") + `-${WRONGTYPE}\r\n`)
  })

  it('ZUNION WITHSCORES nests pairs in RESP3', async () => {
    await exact([['ZINTER', '2', 'a', 'b', 'WITHSCORES']], '*2\r\n*2\r\n$1\r\ny\r\n,12\r\n*2\r\n$1\r\nz\r\n,23\r\n', true)
  })
})

describe('ZRANDMEMBER and ZSCAN', () => {
  it('ZRANDMEMBER picks members; positive counts are distinct, negative ones may repeat', async () => {
    const members = Array.from({ length: 300 }, (_, i) => `m${i}`)
    await r3.zadd('z', ...members.flatMap((m, i) => [i, m]))
    expect(members).toContain(await r3.zrandmember('z'))
    for (const count of [1, 5, 150, 299]) {
      const picks = (await r3.zrandmember('z', count)) as string[]
      expect(picks.length).toBe(count)
      expect(new Set(picks).size).toBe(count)
      for (const p of picks) expect(members).toContain(p)
    }
    const repeated = (await r3.zrandmember('z', -1000)) as string[]
    expect(repeated.length).toBe(1000)
    expect(new Set(repeated).size).toBeLessThan(300)
    const withScores = (await r2.zrandmember('z', -3, 'WITHSCORES')) as string[]
    expect(withScores.length).toBe(6)
    for (let i = 0; i < 6; i += 2) expect(withScores[i + 1]).toBe(withScores[i].slice(1))
    expect(await r3.zrandmember('nokey')).toBeNull()
    expect(await r3.zrandmember('nokey', 5)).toEqual([])
  })

  it('ZRANDMEMBER with a count covering the set returns it whole, highest first; errors match Redis', async () => {
    await r3.zadd('z', 1, 'a', 2, 'b', 3, 'c')
    await exact([['ZRANDMEMBER', 'z', '10', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '0']],
      '*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n*0\r\n', true)
    await exact([
      ['ZRANDMEMBER', 'z', 'x'], ['ZRANDMEMBER', 'z', '1', 'FOO'], ['ZRANDMEMBER', 'z', '-9223372036854775808'],
      ['ZRANDMEMBER', 'z', '-4611686018427387904', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '9223372036854775807', 'WITHSCORES'],
    ], err('ERR value is not an integer or out of range') + err('ERR syntax error') +
      err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807') + err('ERR value is out of range').repeat(2))
  })

  it('ZRANDMEMBER refuses more than 2^26 picks with repeats, as SRANDMEMBER and HRANDFIELD do', async () => {
    // Found by the fuzzer: -9223372036854775807 wrote picks for seconds, past a
    // gigabyte, before dropping the client. Redis writes until it runs out of memory.
    await r3.zadd('z', 1, 'a')
    await exact([['ZRANDMEMBER', 'z', '-9223372036854775807'], ['ZRANDMEMBER', 'z', '-67108865', 'WITHSCORES'], ['PING']],
      err('ERR value is out of range').repeat(2) + '+PONG\r\n')
    const most = (await r3.zrandmember('z', -1000)) as string[]
    expect(most.length).toBe(1000)
  })

  it('ZSCAN returns a listpack whole in order, with scores as a listpack stores them', async () => {
    await r3.zadd('z', 1, 'a', 1.5, 'b', 1e17, 'c', '-0', 'd', 'inf', 'e')
    await exact([['ZSCAN', 'z', '0'], ['ZSCAN', 'z', '0', 'MATCH', '[ab]']],
      '*2\r\n$1\r\n0\r\n*10\r\n$1\r\nd\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n1.5\r\n$1\r\nc\r\n$18\r\n100000000000000000\r\n$1\r\ne\r\n$3\r\ninf\r\n' +
      '*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n1.5\r\n')
    await exact([['ZSCAN', 'nokey', '0', 'COUNT', '0'], ['ZSCAN', 'z', 'x'], ['ZSCAN', 'z', '0', 'COUNT', '0'], ['ZSCAN', 'z', '0', 'FOO']],
      '*2\r\n$1\r\n0\r\n*0\r\n' + err('ERR invalid cursor') + err('ERR syntax error').repeat(2))
  })

  it('ZSCAN walks a large sorted set in steps and visits every member once', async () => {
    const n = 1000
    await r3.zadd('big', ...Array.from({ length: n }, (_, i) => [i / 2, `e${i}`]).flat())
    const seen = new Map<string, string>()
    let cursor = '0'
    let steps = 0
    do {
      const [next, items] = await r2.zscan('big', cursor, 'COUNT', 50)
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1])
      cursor = next
      steps++
    } while (cursor !== '0')
    expect(steps).toBeGreaterThan(10)
    expect(seen.size).toBe(n)
    expect(seen.get('e3')).toBe('1.5')
    expect(seen.get('e4')).toBe('2')
  })
})

describe('ZADD encodings and -0 (OBJECT ENCODING, TYPE, COPY)', () => {
  it('a sorted set is a listpack until 128 members or a 65-byte member, then a skiplist for good', async () => {
    await r3.zadd('z', ...Array.from({ length: 128 }, (_, i) => [i, `m${i}`]).flat())
    expect(await r3.object('ENCODING', 'z')).toBe('listpack')
    expect(await r3.type('z')).toBe('zset')
    await r3.zadd('z', 1, 'one-more')
    expect(await r3.object('ENCODING', 'z')).toBe('skiplist')
    await r3.zremrangebyrank('z', 0, 100)
    expect(await r3.object('ENCODING', 'z')).toBe('skiplist')
    await r3.zadd('long', 1, 'x'.repeat(65))
    expect(await r3.object('ENCODING', 'long')).toBe('skiplist')
    // STORE results are converted back to a listpack when they fit.
    expect(await r3.zunionstore('small', 1, 'long')).toBe(1)
    await r3.zadd('fit', 1, 'a')
    expect(await r3.zunionstore('copy', 1, 'fit')).toBe(1)
    expect(await r3.object('ENCODING', 'copy')).toBe('listpack')
    expect(await r3.copy('z', 'z2')).toBe(1)
    expect(await r3.zrange('z2', '0', '-1')).toEqual(await r3.zrange('z', '0', '-1'))
    expect(await r3.object('ENCODING', 'z2')).toBe('skiplist')
  })

  it('-0 reads back as 0 from a listpack but keeps its sign in a skiplist', async () => {
    await exact([['ZADD', 'small', '-0', 'a'], ['ZSCORE', 'small', 'a'], ['ZINCRBY', 'small', '-0', 'b'], ['ZSCORE', 'small', 'b']],
      ':1\r\n$1\r\n0\r\n$2\r\n-0\r\n$1\r\n0\r\n')
    zsetLimits.maxListpackEntries = 0
    await exact([['ZADD', 'big', '-0', 'a'], ['ZSCORE', 'big', 'a'], ['ZINCRBY', 'big', '0', 'a'], ['ZSCORE', 'big', 'a'], ['OBJECT', 'ENCODING', 'big']],
      ':1\r\n$2\r\n-0\r\n$1\r\n0\r\n$2\r\n-0\r\n$8\r\nskiplist\r\n')
  })
})

describe('sorted sets through node-redis (RESP3)', () => {
  it('ZADD, ZRANGE WITHSCORES, ZPOPMIN, ZSCORE and ZUNIONSTORE map to node-redis types', async () => {
    const client = createClient({ socket: { port: respite.port, host: '127.0.0.1' }, RESP: 3 })
    await client.connect()
    try {
      expect(await client.zAdd('nz', [{ score: 1, value: 'a' }, { score: 2.5, value: 'b' }])).toBe(2)
      expect(await client.zRangeWithScores('nz', 0, -1)).toEqual([{ value: 'a', score: 1 }, { value: 'b', score: 2.5 }])
      expect(await client.zScore('nz', 'b')).toBe(2.5)
      expect(await client.zRank('nz', 'b')).toBe(1)
      expect(await client.zPopMin('nz')).toEqual({ value: 'a', score: 1 })
      expect(await client.zUnionStore('nz2', ['nz', 'nokey'])).toBe(1)
      expect(await client.zCard('nz2')).toBe(1)
    } finally {
      client.destroy()
    }
  })
})

// ---------------------------------------------------------------------------------
// Blocking pops with several real connections.

describe('blocking pops (BZPOPMIN BZPOPMAX BZMPOP)', () => {
  const { raw, conn, ioredis, blocked, blockOn, whenBlocked } = useConnections(respite)

  const triple = (k: string, m: string, s: string) => `*3\r\n${bulk(k)}${bulk(m)}${bulk(s)}`

  it('BZPOPMIN and BZPOPMAX answer at once from the first non-empty key', async () => {
    const c = await raw()
    await exchange(c, resp('ZADD', 'z2', '1', 'a', '2', 'b', '3', 'c'), ':3\r\n')
    await exchange(c, resp('BZPOPMIN', 'z1', 'z2', '0'), triple('z2', 'a', '1'))
    await exchange(c, resp('BZPOPMAX', 'z1', 'z2', '0'), triple('z2', 'c', '3'))
    await exchange(c, resp('BZMPOP', '0', '2', 'z1', 'z2', 'MIN', 'COUNT', '5'), `*2\r\n${bulk('z2')}*1\r\n*2\r\n${bulk('b')}${bulk('2')}`)
    await exchange(c, resp('EXISTS', 'z2'), ':0\r\n')
  })

  it('BZPOPMIN times out with a null array (*-1, or _ in RESP3) and rejects bad timeouts', async () => {
    const c = await conn()
    expect(await c.call(['BZPOPMIN', 'nokey', '0.02'])).toBe('*-1\r\n')
    expect(await c.call(['BZMPOP', '0.01', '1', 'nokey', 'MAX'])).toBe('*-1\r\n')
    await c.call(['HELLO', '3'])
    expect(await c.call(['BZPOPMAX', 'nokey', '0.01'])).toBe('_\r\n')
    expect(await c.call(['BZPOPMIN', 'k', 'abc'])).toBe(err('ERR timeout is not a float or out of range'))
    expect(await c.call(['BZPOPMIN', 'k', '-1'])).toBe(err('ERR timeout is negative'))
    expect(await c.call(['BZPOPMIN', 'k', 'inf'])).toBe(err('ERR timeout is negative'))
    expect(await c.call(['BZMPOP', 'x', '0', 'k', 'MIN'])).toBe(err('ERR numkeys should be greater than 0'))
    expect(await c.call(['BZMPOP', 'x', '1', 'k', 'MIN'])).toBe(err('ERR timeout is not a float or out of range'))
    expect(blocked()).toBe(0)
  })

  it('BZPOPMIN with timeout 0 waits until a ZADD wakes it (ioredis RESP3 and RESP2)', async () => {
    for (const protocol of [3, 2] as const) {
      const waiter = ioredis(protocol)
      const pusher = ioredis(protocol)
      await waiter.ping()
      const { reply } = await whenBlocked('BZPOPMIN', () => waiter.bzpopmin('q', 0))
      expect(await pusher.zadd('q', 7, 'job', 9, 'later')).toBe(2)
      expect(await reply).toEqual(['q', 'job', '7'])
      expect(await pusher.zrange('q', '0', '-1')).toEqual(['later'])
      await pusher.del('q')
    }
  })

  it('BZPOPMIN serves the client that blocked first, one member each, then BZPOPMAX and BZMPOP', async () => {
    const [a, b, c, d, feeder] = [await raw(), await raw(), await raw(), await raw(), await raw()]
    await blockOn(a, 'BZPOPMIN', 'k', '0')
    await blockOn(b, 'BZPOPMAX', 'other', 'k', '0')
    await blockOn(c, 'BZMPOP', '0', '1', 'k', 'MIN', 'COUNT', '2')
    await blockOn(d, 'BZPOPMIN', 'k', '0')
    await exchange(feeder, resp('ZADD', 'k', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e') + resp('ZCARD', 'k'), ':5\r\n:0\r\n')
    await expectReply(a, triple('k', 'a', '1'))
    await expectReply(b, triple('k', 'e', '5'))
    await expectReply(c, `*2\r\n${bulk('k')}*2\r\n*2\r\n${bulk('b')}${bulk('2')}*2\r\n${bulk('c')}${bulk('3')}`)
    await expectReply(d, triple('k', 'd', '4'))
    expect(blocked()).toBe(0)
  })

  it('a STORE command feeds waiters, and a key that became a string keeps them waiting', async () => {
    const [a, feeder] = [await raw(), await raw()]
    await blockOn(a, 'BZPOPMIN', 'k1', 'k2', '0')
    await exchange(feeder, resp('SET', 'k1', 'x') + resp('ZADD', 'src', '4', 'm'), '+OK\r\n:1\r\n')
    expect(blocked()).toBe(1)
    await exchange(feeder, resp('ZUNIONSTORE', 'k2', '1', 'src'), ':1\r\n')
    await expectReply(a, triple('k2', 'm', '4'))
    const b = await raw()
    await blockOn(b, 'BZPOPMAX', 'k3', '0')
    await exchange(feeder, resp('ZRANGESTORE', 'k3', 'src', '0', '-1'), ':1\r\n')
    await expectReply(b, triple('k3', 'm', '4'))
  })

  it('a client that disconnects while blocked in BZPOPMIN takes nothing', async () => {
    const [a, b, feeder] = [await raw(), await raw(), await raw()]
    await blockOn(a, 'BZPOPMIN', 'k', '0')
    await blockOn(b, 'BZPOPMIN', 'k', '0')
    a.close()
    await until(() => blocked() === 1, 'the closed client to be forgotten')
    await exchange(feeder, resp('ZADD', 'k', '1', 'x', '2', 'y'), ':2\r\n')
    await expectReply(b, triple('k', 'x', '1'))
    await exchange(feeder, resp('ZRANGE', 'k', '0', '-1'), `*1\r\n${bulk('y')}`)
  })

  it('BZPOPMIN replies in RESP3 with a double score; BZMPOP nests pairs', async () => {
    const [a, b, feeder] = [await conn(), await conn(), await conn()]
    await a.call(['HELLO', '3'])
    await b.call(['HELLO', '3'])
    const pa = a.call(['BZPOPMIN', 'k', '0'])
    await until(() => blocked() === 1, 'BZPOPMIN to block')
    const pb = b.call(['BZMPOP', '0', '1', 'k', 'MAX', 'COUNT', '3'])
    await until(() => blocked() === 2, 'BZMPOP to block')
    expect(await feeder.call(['ZADD', 'k', '1.5', 'x', '2', 'y', '3', 'z'])).toBe(':3\r\n')
    expect(await pa).toBe(`*3\r\n${bulk('k')}${bulk('x')},1.5\r\n`)
    expect(await pb).toBe(`*2\r\n${bulk('k')}*2\r\n*2\r\n${bulk('z')},3\r\n*2\r\n${bulk('y')},2\r\n`)
  })

  it('where blocking is denied (MULTI, scripts) BZPOPMIN and BZMPOP answer a null array', async () => {
    const c = await conn()
    const id = Number((await c.call(['CLIENT', 'ID'])).slice(1, -2))
    respite.server.clients.get(id)!.denyBlocking = true
    expect(await c.call(['BZPOPMIN', 'k', '0'])).toBe('*-1\r\n')
    expect(await c.call(['BZMPOP', '0', '1', 'k', 'MIN'])).toBe('*-1\r\n')
    expect(await c.call(['ZADD', 'k', '1', 'v'])).toBe(':1\r\n')
    expect(await c.call(['BZPOPMAX', 'k', '0'])).toBe(triple('k', 'v', '1'))
    expect(blocked()).toBe(0)
  })
})

// ---------------------------------------------------------------------------------
// The same multi-client blocking scenarios against a real redis-server.

const SCENARIOS: Record<string, Step[]> = {
  'BZPOPMIN BZPOPMAX BZMPOP first-blocked first-served': [
    [0, ['BZPOPMIN', 'k', '0'], 'blocks'], [1, ['BZPOPMAX', 'x', 'k', '0'], 'blocks'], [2, ['BZMPOP', '0', '1', 'k', 'MIN', 'COUNT', '5'], 'blocks'],
    [3, ['ZADD', 'k', '1', 'a', '2', 'b', '3', 'c', '4', 'd']], [3, ['ZRANGE', 'k', '0', '-1', 'WITHSCORES']],
  ],
  'BZPOPMIN served before the feeder\'s next command': [
    [0, ['BZPOPMIN', 'k', '0'], 'blocks'], [1, ['ZADD', 'k', '1', 'a']], [1, ['ZCARD', 'k']],
  ],
  'BZPOPMAX from the fed key despite a string elsewhere': [
    [0, ['BZPOPMAX', 'k1', 'k2', '0'], 'blocks'], [1, ['SET', 'k1', 'v']], [1, ['ZADD', 'k2', '5', 'x']], [1, ['TYPE', 'k1']],
  ],
  'BZPOPMIN fed by ZINCRBY, ZUNIONSTORE and ZRANGESTORE': [
    [0, ['BZPOPMIN', 'a', '0'], 'blocks'], [1, ['BZPOPMIN', 'b', '0'], 'blocks'], [2, ['BZMPOP', '0', '1', 'c', 'MAX'], 'blocks'],
    [3, ['ZINCRBY', 'a', '2.5', 'm']], [3, ['ZADD', 'src', '1', 'x', '2', 'y']], [3, ['ZUNIONSTORE', 'b', '2', 'src', 'nokey']],
    [3, ['ZRANGESTORE', 'c', 'src', '0', '-1']], [3, ['ZRANGE', 'c', '0', '-1']],
  ],
  'blocked clients time out, RESP2 and RESP3': [
    [0, ['BZPOPMIN', 'k', '0.02']], [0, ['BZMPOP', '0.01', '1', 'k', 'MIN']], [1, ['HELLO', '3']], [1, ['BZPOPMAX', 'k', '0.01']],
    [1, ['BZMPOP', '0.01', '2', 'k', 'j', 'MAX', 'COUNT', '2']],
  ],
  'RESP3 replies of served clients': [
    [0, ['HELLO', '3']], [1, ['HELLO', '3']], [0, ['BZPOPMIN', 'k', '0'], 'blocks'], [1, ['BZMPOP', '0', '1', 'k', 'MIN', 'COUNT', '9'], 'blocks'],
    [2, ['ZADD', 'k', '1.5', 'a', '2', 'b', '1e20', 'c']],
  ],
}

describe.skipIf(missingTool('redis-server') !== null)('differential: blocking scenarios (BZPOPMIN BZPOPMAX BZMPOP)', () => {
  const servers = useRespiteAndRedis()

  for (const [name, steps] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const ours = await runScenario(servers.respite.port, steps)
      const theirs = await runScenario(servers.redis.port, steps)
      expect(ours).toEqual(theirs)
    })
  }
})
