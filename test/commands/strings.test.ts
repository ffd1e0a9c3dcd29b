import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { useRespite, WRONGTYPE } from '../helpers/fixture.js'
import { RawClient, resp } from '../helpers/raw.js'
import { startRespite } from '../helpers/servers.js'
import { BYTES_THRESHOLD } from '../../src/store/types.js'

const { respite, r3, r2, exact, putList } = await useRespite()

describe('SET', () => {
  it('SET with NX, XX, GET and KEEPTTL', async () => {
    expect(await r3.set('k', 'v1', 'NX')).toBe('OK')
    expect(await r3.set('k', 'v2', 'NX')).toBeNull()
    expect(await r3.set('missing', 'v', 'XX')).toBeNull()
    expect(await r3.set('k', 'v3', 'XX', 'GET')).toBe('v1')
    expect(await r3.call('SET', 'k', 'v4', 'NX', 'GET')).toBe('v3')
    expect(await r3.get('k')).toBe('v3')
    await r3.call('SET', 'k', 'v', 'EX', '100')
    expect(await r3.call('SET', 'k', 'w', 'KEEPTTL', 'GET')).toBe('v')
    const ttl = await r3.ttl('k')
    expect(ttl).toBeGreaterThan(90)
    expect(ttl).toBeLessThanOrEqual(100)
    await r3.set('k', 'x')
    expect(await r3.ttl('k')).toBe(-1)
  })

  it('SET expiry options EX, PX, EXAT, PXAT', async () => {
    await r3.set('a', 'v', 'PX', 50_000)
    const pttl = await r3.pttl('a')
    expect(pttl).toBeGreaterThan(40_000)
    expect(pttl).toBeLessThanOrEqual(50_000)
    const at = Math.floor(Date.now() / 1000) + 1000
    await r3.call('SET', 'b', 'v', 'EXAT', String(at))
    expect(await r3.call('EXPIRETIME', 'b')).toBe(at)
    await r3.call('SET', 'c', 'v', 'PXAT', '99999999999500')
    expect(await r3.call('PEXPIRETIME', 'c')).toBe(99999999999500)
    expect(await r3.call('EXPIRETIME', 'c')).toBe(100000000000)
    // A time already past still answers OK, and the key is gone.
    expect(await r3.call('SET', 'd', 'v', 'EXAT', '1')).toBe('OK')
    expect(await r3.exists('d')).toBe(0)
  })

  it('SET option conflicts and bad expire times answer as Redis', async () => {
    const bad: [string[], string][] = [
      [['NX', 'XX'], 'ERR syntax error'],
      [['EX', '10', 'PX', '10'], 'ERR syntax error'],
      [['KEEPTTL', 'EX', '1'], 'ERR syntax error'],
      [['EX', '1', 'KEEPTTL'], 'ERR syntax error'],
      [['EX'], 'ERR syntax error'],
      [['EX', 'abc', 'foo'], 'ERR syntax error'],
      [['PERSIST'], 'ERR syntax error'],
      [['EX', '0'], "ERR invalid expire time in 'set' command"],
      [['PX', '-1'], "ERR invalid expire time in 'set' command"],
      [['EX', '9223372036854775'], "ERR invalid expire time in 'set' command"],
      [['PX', '9223372036854775807'], "ERR invalid expire time in 'set' command"],
      [['EX', '1.5'], 'ERR value is not an integer or out of range'],
      [['EX', '5', 'EX', 'abc'], 'ERR value is not an integer or out of range'],
    ]
    for (const [opts, message] of bad) {
      await expect(r3.call('SET', 'k', 'v', ...opts), opts.join(' ')).rejects.toThrow(message)
    }
    expect(await r3.exists('k')).toBe(0)
    // Repeats are fine and the last expire time counts, even after an invalid one.
    expect(await r3.call('SET', 'k', 'v', 'NX', 'NX', 'GET', 'GET')).toBeNull()
    expect(await r3.call('SET', 'k', 'v', 'EX', '0', 'EX', '500')).toBe('OK')
    expect(await r3.ttl('k')).toBeGreaterThan(400)
    expect(await r3.call('SET', 'k', 'v', 'EXAT', '9223372036854775')).toBe('OK')
    expect(await r3.call('EXPIRETIME', 'k')).toBe(9223372036854775)
    // ioredis reads integers as doubles, so the exact int64 is checked on the wire.
    await exact([['SET', 'k', 'v', 'PXAT', '9223372036854775807'], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k']],
      '+OK\r\n:9223372036854775807\r\n:9223372036854776\r\n')
  })

  it('SET GET on a collection is WRONGTYPE and changes nothing; plain SET replaces it', async () => {
    putList('l')
    await expect(r3.call('SET', 'l', 'v', 'GET')).rejects.toThrow(WRONGTYPE)
    await expect(r3.call('SET', 'l', 'v', 'NX', 'GET')).rejects.toThrow(WRONGTYPE)
    // The expire time is checked before the type.
    await expect(r3.call('SET', 'l', 'v', 'EX', '0', 'GET')).rejects.toThrow('invalid expire time')
    expect(await r3.type('l')).toBe('list')
    expect(await r3.set('l', 'v', 'XX')).toBe('OK')
    expect(await r3.type('l')).toBe('string')
  })
})

describe('SETNX, SETEX, PSETEX, GETSET, GETDEL', () => {
  it('SETNX sets only a missing key', async () => {
    expect(await r3.setnx('k', 'a')).toBe(1)
    expect(await r3.setnx('k', 'b')).toBe(0)
    putList('l')
    expect(await r3.setnx('l', 'b')).toBe(0)
    expect(await r3.get('k')).toBe('a')
  })

  it('SETEX and PSETEX set a value with a TTL, validating the time first', async () => {
    expect(await r3.setex('k', 100, 'v')).toBe('OK')
    expect(await r3.ttl('k')).toBeGreaterThan(90)
    expect(await r3.psetex('p', 100_000, 'v')).toBe('OK')
    expect(await r3.pttl('p')).toBeGreaterThan(90_000)
    await expect(r3.setex('k', 0, 'v')).rejects.toThrow("ERR invalid expire time in 'setex' command")
    await expect(r3.call('PSETEX', 'k', '-5', 'v')).rejects.toThrow("ERR invalid expire time in 'psetex' command")
    await expect(r3.call('SETEX', 'k', 'abc', 'v')).rejects.toThrow('ERR value is not an integer or out of range')
    await expect(r3.call('SETEX', 'k', '9223372036854775', 'v')).rejects.toThrow("ERR invalid expire time in 'setex' command")
    putList('l')
    expect(await r3.setex('l', 10, 'v')).toBe('OK')
    expect(await r3.get('l')).toBe('v')
  })

  it('GETSET returns the old value and clears the TTL', async () => {
    expect(await r3.getset('k', 'a')).toBeNull()
    await r3.expire('k', 100)
    expect(await r3.getset('k', 'b')).toBe('a')
    expect(await r3.ttl('k')).toBe(-1)
    putList('l')
    await expect(r3.getset('l', 'x')).rejects.toThrow(WRONGTYPE)
  })

  it('GETDEL returns and deletes', async () => {
    await r3.set('k', 'v')
    expect(await r3.getdel('k')).toBe('v')
    expect(await r3.getdel('k')).toBeNull()
    putList('l')
    await expect(r3.getdel('l')).rejects.toThrow(WRONGTYPE)
    expect(await r3.exists('l')).toBe(1)
  })
})

describe('GETEX', () => {
  it('GETEX sets, changes and removes the TTL', async () => {
    await r3.set('k', 'v')
    expect(await r3.getex('k')).toBe('v')
    expect(await r3.call('GETEX', 'k', 'EX', '100')).toBe('v')
    expect(await r3.ttl('k')).toBeGreaterThan(90)
    expect(await r3.call('GETEX', 'k', 'PX', '500000')).toBe('v')
    expect(await r3.ttl('k')).toBeGreaterThan(400)
    expect(await r3.call('GETEX', 'k', 'PERSIST', 'PERSIST')).toBe('v')
    expect(await r3.ttl('k')).toBe(-1)
    expect(await r3.call('GETEX', 'k', 'EX', '10', 'EX', '20')).toBe('v')
    expect(await r3.ttl('k')).toBeGreaterThan(10)
    // A past absolute time deletes the key after answering with its value.
    expect(await r3.call('GETEX', 'k', 'EXAT', '1')).toBe('v')
    expect(await r3.exists('k')).toBe(0)
  })

  it('GETEX errors: options first, then the key and its type, then the time', async () => {
    await r3.set('k', 'v')
    await expect(r3.call('GETEX', 'k', 'PERSIST', 'EX', '5')).rejects.toThrow('ERR syntax error')
    await expect(r3.call('GETEX', 'k', 'EX', '1', 'PX', '1')).rejects.toThrow('ERR syntax error')
    await expect(r3.call('GETEX', 'k', 'NX')).rejects.toThrow('ERR syntax error')
    await expect(r3.call('GETEX', 'k', 'EX')).rejects.toThrow('ERR syntax error')
    await expect(r3.call('GETEX', 'nokey', 'FOO')).rejects.toThrow('ERR syntax error')
    expect(await r3.call('GETEX', 'nokey', 'EX', 'abc')).toBeNull()
    await expect(r3.call('GETEX', 'k', 'EX', '0')).rejects.toThrow("ERR invalid expire time in 'getex' command")
    putList('l')
    await expect(r3.call('GETEX', 'l', 'EX', 'abc')).rejects.toThrow(WRONGTYPE)
  })
})

describe('MSETNX', () => {
  it('MSETNX sets all keys or none', async () => {
    expect(await r3.msetnx('a', '1', 'b', '2')).toBe(1)
    expect(await r3.msetnx('a', 'x', 'c', '3')).toBe(0)
    expect(await r3.exists('c')).toBe(0)
    expect(await r3.msetnx('x', '1', 'x', '2')).toBe(1)
    expect(await r3.get('x')).toBe('2')
    await expect(r3.call('MSETNX', 'a', '1', 'b')).rejects.toThrow("ERR wrong number of arguments for 'msetnx' command")
  })
})

describe('APPEND and STRLEN', () => {
  it('APPEND creates and extends, keeping the TTL; STRLEN measures', async () => {
    expect(await r3.append('k', 'Hello')).toBe(5)
    await r3.expire('k', 100)
    expect(await r3.append('k', ' World')).toBe(11)
    expect(await r3.get('k')).toBe('Hello World')
    expect(await r3.ttl('k')).toBeGreaterThan(90)
    expect(await r3.strlen('k')).toBe(11)
    expect(await r3.strlen('nokey')).toBe(0)
    putList('l')
    await expect(r3.append('l', 'x')).rejects.toThrow(WRONGTYPE)
    await expect(r3.strlen('l')).rejects.toThrow(WRONGTYPE)
  })

  it('APPEND is binary safe (latin1 bytes)', async () => {
    const bytes = Buffer.from([0, 255, 13, 10, 128])
    await r3.append('b', bytes)
    await r3.append('b', bytes)
    expect(await r3.getBuffer('b')).toEqual(Buffer.concat([bytes, bytes]))
    expect(await r3.strlen('b')).toBe(10)
  })

  it('APPEND and SETRANGE past proto-max-bulk-len are refused', async () => {
    const small = await startRespite({ config: { 'proto-max-bulk-len': 1024 * 1024 } })
    const r = new Redis({ port: small.port, lazyConnect: false })
    try {
      await r.set('k', 'x'.repeat(1024 * 1024 - 1))
      expect(await r.append('k', 'y')).toBe(1024 * 1024)
      await expect(r.append('k', 'z')).rejects.toThrow('ERR string exceeds maximum allowed size (proto-max-bulk-len)')
      expect(await r.setrange('k', 1024 * 1024 - 1, 'z')).toBe(1024 * 1024)
      await expect(r.setrange('k', 1024 * 1024, 'z')).rejects.toThrow('ERR string exceeds maximum allowed size (proto-max-bulk-len)')
      expect(await r.strlen('k')).toBe(1024 * 1024)
    } finally {
      r.disconnect()
      await small.close()
    }
  })
})

describe('INCR, DECR, INCRBY, DECRBY', () => {
  it('INCR and DECR count from 0 and keep the TTL', async () => {
    expect(await r3.incr('n')).toBe(1)
    expect(await r3.incr('n')).toBe(2)
    await r3.expire('n', 100)
    expect(await r3.decr('n')).toBe(1)
    expect(await r3.ttl('n')).toBeGreaterThan(90)
    expect(await r3.decr('m')).toBe(-1)
  })

  it('INCRBY and DECRBY are exact at the int64 edges', async () => {
    // ioredis reads integers as doubles, so exact int64 replies are checked on the wire.
    await exact([['SET', 'n', '9223372036854775806'], ['INCR', 'n'], ['INCR', 'n'], ['GET', 'n']],
      '+OK\r\n:9223372036854775807\r\n-ERR increment or decrement would overflow\r\n$19\r\n9223372036854775807\r\n')
    await exact([['SET', 'n', '-9223372036854775807'], ['DECR', 'n'], ['DECR', 'n'], ['DECRBY', 'n', '-9223372036854775808']],
      '+OK\r\n:-9223372036854775808\r\n-ERR increment or decrement would overflow\r\n-ERR decrement would overflow\r\n')
    await exact([['SET', 'z', '9007199254740993'], ['INCRBY', 'z', '2'], ['GET', 'z'], ['DECRBY', 'z', '9007199254740995']],
      '+OK\r\n:9007199254740995\r\n$16\r\n9007199254740995\r\n:0\r\n')
    await exact([['SET', 'w', '0'], ['DECRBY', 'w', '9223372036854775807'], ['INCRBY', 'w', '-2']],
      '+OK\r\n:-9223372036854775807\r\n-ERR increment or decrement would overflow\r\n')
  })

  it('INCRBY rejects what Redis rejects as an integer', async () => {
    for (const v of [' 1', '1 ', '+1', '01', '1.0', '', '-0', '12345678901234567890', '0x10']) {
      await r3.set('s', v)
      await expect(r3.incr('s'), JSON.stringify(v)).rejects.toThrow('ERR value is not an integer or out of range')
    }
    await expect(r3.call('INCRBY', 'k', 'abc')).rejects.toThrow('ERR value is not an integer or out of range')
    putList('l')
    await expect(r3.incr('l')).rejects.toThrow(WRONGTYPE)
    // The increment is parsed before the key is looked at.
    await expect(r3.call('INCRBY', 'l', 'x')).rejects.toThrow('ERR value is not an integer or out of range')
  })
})

describe('INCRBYFLOAT', () => {
  it('INCRBYFLOAT computes in long double and prints fixed-point like Redis', async () => {
    await r3.set('f', '10.5')
    expect(await r3.incrbyfloat('f', '0.1')).toBe('10.6')
    await r3.set('f', '0.1')
    expect(await r3.incrbyfloat('f', '0.2')).toBe('0.3')
    await r3.set('f', '5.0e3')
    expect(await r3.incrbyfloat('f', '2.0e2')).toBe('5200')
    await r3.set('f', '1.5')
    expect(await r3.incrbyfloat('f', '1e300')).toMatch(/^1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144$/)
    await r3.set('f', '1.5')
    expect(await r3.incrbyfloat('f', '0x10')).toBe('17.5')
    expect(await r3.incrbyfloat('new', '-0.00000000000000001')).toBe('-0.00000000000000001')
    expect(await r3.incrbyfloat('new2', '-0.000000000000000001')).toBe('0')
    expect(await r3.incrbyfloat('int', '3')).toBe('3')
  })

  it('INCRBYFLOAT errors', async () => {
    await r3.set('f', '1')
    for (const v of ['abc', '', ' 1', '1 ', 'nan', '1e5000', '1\0']) {
      await expect(r3.incrbyfloat('f', v), JSON.stringify(v)).rejects.toThrow('ERR value is not a valid float')
    }
    await expect(r3.incrbyfloat('f', 'inf')).rejects.toThrow('ERR increment would produce NaN or Infinity')
    await r3.set('big', '1.18973149535723176502e+4932')
    await expect(r3.incrbyfloat('big', '1e4932')).rejects.toThrow('ERR increment would produce NaN or Infinity')
    await r3.set('s', 'abc')
    await expect(r3.incrbyfloat('s', '1')).rejects.toThrow('ERR value is not a valid float')
    putList('l')
    await expect(r3.incrbyfloat('l', 'abc')).rejects.toThrow(WRONGTYPE)
    expect(await r3.get('f')).toBe('1')
  })

  it('INCRBYFLOAT keeps the TTL', async () => {
    await r3.set('f', '1', 'EX', 100)
    expect(await r3.incrbyfloat('f', '1.25')).toBe('2.25')
    expect(await r3.ttl('f')).toBeGreaterThan(90)
  })
})

describe('GETRANGE, SUBSTR and SETRANGE', () => {
  it('GETRANGE and SUBSTR clamp and count from the end', async () => {
    await r3.set('s', 'Hello World')
    expect(await r3.getrange('s', 0, -1)).toBe('Hello World')
    expect(await r3.getrange('s', -3, -1)).toBe('rld')
    expect(await r3.getrange('s', 5, 2)).toBe('')
    expect(await r3.getrange('s', -100, 100)).toBe('Hello World')
    expect(await r3.getrange('s', 0, -100)).toBe('H')
    expect(await r3.getrange('s', -1, -5)).toBe('')
    expect(await r3.call('GETRANGE', 's', '-9223372036854775808', '9223372036854775807')).toBe('Hello World')
    expect(await r3.call('SUBSTR', 's', '0', '3')).toBe('Hell')
    expect(await r3.getrange('nokey', 0, 1)).toBe('')
    await expect(r3.call('GETRANGE', 's', 'a', '1')).rejects.toThrow('ERR value is not an integer or out of range')
    putList('l')
    await expect(r3.getrange('l', 0, 1)).rejects.toThrow(WRONGTYPE)
  })

  it('SETRANGE overwrites and zero-pads, with Redis\'s checks in order', async () => {
    await r3.set('s', 'Hello World')
    expect(await r3.setrange('s', 6, 'Redis')).toBe(11)
    expect(await r3.get('s')).toBe('Hello Redis')
    expect(await r3.setrange('p', 3, 'ab')).toBe(5)
    expect(await r3.get('p')).toBe('\0\0\0ab')
    expect(await r3.setrange('none', 5, '')).toBe(0)
    expect(await r3.exists('none')).toBe(0)
    expect(await r3.setrange('s', 536870911, '')).toBe(11)
    await expect(r3.setrange('s', -1, 'x')).rejects.toThrow('ERR offset is out of range')
    await expect(r3.setrange('s', 536870912, 'x')).rejects.toThrow('ERR string exceeds maximum allowed size (proto-max-bulk-len)')
    await expect(r3.setrange('s', 536870911, 'xy')).rejects.toThrow('ERR string exceeds maximum allowed size (proto-max-bulk-len)')
    await expect(r3.call('SETRANGE', 's', 'abc', 'x')).rejects.toThrow('ERR value is not an integer or out of range')
    putList('l')
    await expect(r3.setrange('l', 536870912, 'x')).rejects.toThrow(WRONGTYPE)
    await expect(r3.setrange('l', -1, 'x')).rejects.toThrow('ERR offset is out of range')
  })
})

describe('mid-sized values, which the store keeps in slots off the heap', () => {
  // SMALL_MIN (16) up to 2 KiB: a handle in the keyspace, answered from the slot's bytes.
  const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + seed) & 255))

  it('read back exactly after overwrites of the same and of other sizes, and through moves between keys and databases', async () => {
    const a = bytes(100, 1)
    await r3.set('mid', a)
    expect(await r3.getBuffer('mid')).toEqual(a)
    const b = bytes(99, 2)
    expect(await r3.callBuffer('SET', 'mid', b, 'GET')).toEqual(a)
    expect(await r3.getBuffer('mid')).toEqual(b)
    const c = bytes(700, 3)
    await r3.set('mid', c)
    expect(await r3.getBuffer('mid')).toEqual(c)
    expect(await r3.strlen('mid')).toBe(700)
    expect(await r3.getrangeBuffer('mid', 690, 800)).toEqual(c.subarray(690))
    expect(await r3.append('mid', 'xy')).toBe(702)
    expect(await r3.getBuffer('mid')).toEqual(Buffer.concat([c, Buffer.from('xy')]))
    await r3.set('mid', a)
    // RENAME, COPY and MOVE store the value again: each key reads its own bytes after the others change.
    await r3.rename('mid', 'mid2')
    await r3.copy('mid2', 'mid3')
    await r3.set('mid2', b)
    expect(await r3.getBuffer('mid3')).toEqual(a)
    expect(await r3.move('mid3', 5)).toBe(1)
    await r3.set('mid4', c)
    await r3.select(5)
    expect(await r3.getBuffer('mid3')).toEqual(a)
    await r3.select(0)
    expect(await r3.getBuffer('mid2')).toEqual(b)
    expect(await r3.callBuffer('EVAL', "return redis.call('GET', KEYS[1])", 1, 'mid2')).toEqual(b)
    expect(await r3.call('OBJECT', 'ENCODING', 'mid2')).toBe('raw')
    await r3.set('mid2', 'x'.repeat(20))
    expect(await r3.call('OBJECT', 'ENCODING', 'mid2')).toBe('embstr')
    expect(await r3.incr('mid2').catch((e: Error) => e.message)).toBe('ERR value is not an integer or out of range')
    await r3.set('n', '12345678901234567')
    expect(await r3.incr('n')).toBe(12345678901234568)
    await exact([['SET', 'raw', 'a\r\n'.repeat(10)], ['GET', 'raw']], `+OK\r\n$30\r\n${'a\r\n'.repeat(10)}\r\n`)
  })
  it('MGET answers every kind of string from its own bytes, and nil for other types', async () => {
    const mid = bytes(1000, 4)
    const long = bytes(BYTES_THRESHOLD + 100, 5)
    await r3.set('mg:short', 'abc')
    await r3.set('mg:mid', mid)
    await r3.set('mg:long', long)
    await r3.setbit('mg:bits', 3, 1)
    await r3.rpush('mg:list', 'x')
    const values = (await r3.mgetBuffer('mg:short', 'mg:mid', 'nope', 'mg:long', 'mg:bits', 'mg:list', 'mg:mid')) as (Buffer | null)[]
    expect(values).toEqual([Buffer.from('abc'), mid, null, long, Buffer.from([0x10]), null, mid])
    await exact([['MGET', 'mg:mid', 'mg:list']], `*2\r\n$1000\r\n${mid.toString('latin1')}\r\n$-1\r\n`)
  })
})

describe('long values, which the store keeps as bytes', () => {
  // Up to BYTES_THRESHOLD (32 KiB) in slots of a size class, past it in a Buffer each:
  // either way a SET over one of about the same size overwrites its bytes in place.
  const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255))

  for (const [where, base] of [['in slots', 0], ['as bytes', BYTES_THRESHOLD]] as const) {
    it(`read back exactly through every string command after overwrites in place (${where})`, async () => {
      const a = bytes(base + 5000, 1)
      const b = bytes(base + 3000, 2)
      await r3.set('long', a)
      expect(await r3.getBuffer('long')).toEqual(a)
      // Shorter but still long: the same bytes are reused, and nothing of `a` shows.
      expect(await r3.callBuffer('SET', 'long', b, 'GET')).toEqual(a)
      expect(await r3.getBuffer('long')).toEqual(b)
      expect(await r3.strlen('long')).toBe(b.length)
      expect(await r3.getrangeBuffer('long', b.length - 10, b.length + 1000)).toEqual(b.subarray(b.length - 10))
      expect(await r3.call('OBJECT', 'ENCODING', 'long')).toBe('raw')
      expect(await r3.getsetBuffer('long', a)).toEqual(b)
      expect(await r3.append('long', 'xyz')).toBe(a.length + 3)
      expect(await r3.getBuffer('long')).toEqual(Buffer.concat([a, Buffer.from('xyz')]))
      expect(await r3.setrange('long', 10, 'ABC')).toBe(a.length + 3)
      expect(await r3.getbit('long', 80)).toBe(0)
      const bit = (a.length + 3) * 8 + 1000
      expect(await r3.setbit('long', bit, 1)).toBe(0)
      expect(await r3.strlen('long')).toBe(Math.floor(bit / 8) + 1)
      // A short value replaces a long one as a plain string.
      await r3.set('long', 'short')
      expect(await r3.get('long')).toBe('short')
    })
  }

  it('long arguments arrive intact: SET takes its value as bytes, when queued or held by a pause as well; other commands get strings', async () => {
    const v = (n: number, seed: number) => bytes(n, seed)
    // Many long SETs in one write: the decoder hands each over as a view of its read buffer.
    const pipe = r3.pipeline()
    for (let i = 0; i < 40; i++) pipe.set(`p${i}`, v(2048 + i * 997, i))
    await pipe.exec()
    for (let i = 0; i < 40; i++) expect(await r3.getBuffer(`p${i}`)).toEqual(v(2048 + i * 997, i))
    const multi = r3.multi()
    multi.set('m1', v(4000, 1))
    multi.set('m2', v(5000, 2))
    multi.getBuffer('m1')
    expect((await multi.exec())!.map(([, r]) => r)).toEqual(['OK', 'OK', v(4000, 1)])
    expect(await r3.getBuffer('m2')).toEqual(v(5000, 2))
    expect(await r3.callBuffer('ECHO', v(3000, 3))).toEqual(v(3000, 3))
    await r3.hset('h', v(2500, 4), v(2600, 5))
    expect(await r3.hgetBuffer('h', v(2500, 4))).toEqual(v(2600, 5))
    expect(await r3.callBuffer('SET', 'g', v(2200, 6), 'GET')).toBeNull()
    expect(await r3.callBuffer('SET', 'g', v(2300, 7), 'GET')).toEqual(v(2200, 6))
    // Held by CLIENT PAUSE WRITE, then run: the value outlived the read that brought it.
    const admin = r3.duplicate()
    const writer = r3.duplicate()
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE')
    const held = writer.set('paused', v(6000, 8))
    // Until the server holds it (CLIENT LIST shows the writer blocked), then reads overwrite its buffers.
    while (!String(await admin.call('CLIENT', 'LIST')).includes('flags=b')) await new Promise((r) => setTimeout(r, 5))
    const filler = r3.duplicate()
    for (let i = 0; i < 5; i++) await filler.echo('x'.repeat(30000))
    await admin.call('CLIENT', 'UNPAUSE')
    expect(await held).toBe('OK')
    expect(await r3.getBuffer('paused')).toEqual(v(6000, 8))
    for (const c of [admin, writer, filler]) c.disconnect()
  })

  it('APPEND grows a long value in place: content, WATCH and keyspace events as for any APPEND', async () => {
    const head = bytes(3000, 5)
    await r3.set('grow', head)
    let expected = head
    for (let i = 0; i < 200; i++) {
      const piece = Buffer.from(`<${i}>`)
      expected = Buffer.concat([expected, piece])
      expect(await r3.append('grow', piece)).toBe(expected.length)
    }
    expect(await r3.getBuffer('grow')).toEqual(expected)
    expect(await r3.append('grow', '')).toBe(expected.length)
    // An APPEND after WATCH makes the transaction fail, as any write does.
    const w = r3.duplicate()
    await w.watch('grow')
    await r3.append('grow', 'x')
    expect(await w.multi().get('grow').exec()).toBeNull()
    w.disconnect()
    expect(await r3.strlen('grow')).toBe(expected.length + 1)
  })

  it('SETRANGE writes into a long value in place, zero-filling past its end', async () => {
    const head = bytes(2500, 6)
    await r3.set('sr', head)
    expect(await r3.setrange('sr', 100, 'HELLO')).toBe(2500)
    expect(await r3.setrange('sr', 2498, 'xyz')).toBe(2501)
    expect(await r3.setrange('sr', 2600, 'end')).toBe(2603)
    expect(await r3.setrange('sr', 5, '')).toBe(2603)
    const expected = Buffer.concat([head.subarray(0, 2498), Buffer.from('xyz'), Buffer.alloc(99), Buffer.from('end')])
    expected.write('HELLO', 100, 'latin1')
    expect(await r3.getBuffer('sr')).toEqual(expected)
  })

  it('a copy or a value already replied is not changed by a later overwrite', async () => {
    const a = bytes(4096, 3)
    await r3.set('orig', a)
    expect(await r3.copy('orig', 'copy')).toBe(1)
    const dump = await r3.dumpBuffer('orig')
    // Pipelined: the GET's reply is written before the SET overwrites the bytes.
    const replies = await r3.pipeline().getBuffer('orig').set('orig', bytes(4096, 4)).getBuffer('orig').exec()
    expect(replies![0][1]).toEqual(a)
    expect(replies![2][1]).toEqual(bytes(4096, 4))
    expect(await r3.getBuffer('copy')).toEqual(a)
    await r3.restore('restored', 0, dump)
    expect(await r3.getBuffer('restored')).toEqual(a)
  })
})

describe('string commands on structured values', () => {
  it('GET returns a structured value; APPEND, STRLEN, INCR, GETRANGE, GETDEL, GETEX, GETSET answer WRONGTYPE', async () => {
    const c = await RawClient.connect(respite.port)
    try {
      // An integer argument makes SET store a structured value (the mini dialect).
      const reply = await c.roundTrip('*3\r\n$3\r\nSET\r\n$1\r\ns\r\n:5\r\n' + resp('GET', 's'), 9)
      expect(reply).toBe('+OK\r\n:5\r\n')
      const cmds = [['APPEND', 's', 'x'], ['STRLEN', 's'], ['INCR', 's'], ['INCRBYFLOAT', 's', '1'], ['GETRANGE', 's', '0', '1'],
        ['SETRANGE', 's', '0', 'x'], ['GETDEL', 's'], ['GETEX', 's'], ['GETSET', 's', 'x']]
      const expected = cmds.map(() => `-${WRONGTYPE}\r\n`).join('')
      expect(await c.roundTrip(cmds.map((a) => resp(...a)).join(''), expected.length)).toBe(expected)
      // MGET and SET ... GET hand it back with its own type.
      expect(await c.roundTrip(resp('MGET', 's', 'nokey') + resp('SET', 's', 'v', 'GET'), 17)).toBe('*2\r\n:5\r\n$-1\r\n:5\r\n')
    } finally {
      c.close()
    }
  })
})

describe('exact reply bytes', () => {
  it('GETEX, GETDEL, GETRANGE, INCRBYFLOAT, SETNX, MSETNX in RESP2', async () => {
    await exact(
      [['GETEX', 'no'], ['GETRANGE', 'no', '0', '1'], ['SET', 'f', '1'], ['INCRBYFLOAT', 'f', '0.5'], ['SETNX', 'f', 'x'],
        ['MSETNX', 'a', '1'], ['GETDEL', 'a'], ['SET', 'a', 'b', 'NX', 'GET']],
      '$-1\r\n$0\r\n\r\n+OK\r\n$3\r\n1.5\r\n:0\r\n:1\r\n$1\r\n1\r\n$-1\r\n',
    )
  })

  it('null replies are _ in RESP3', async () => {
    await exact([['GETEX', 'no'], ['GETDEL', 'no'], ['GETSET', 'no', 'v'], ['SET', 'no', 'v', 'NX']], '_\r\n_\r\n_\r\n_\r\n', true)
  })
})

describe('string commands through RESP2 and node-redis', () => {
  it('SET, GETEX, INCRBYFLOAT, GETRANGE over ioredis RESP2', async () => {
    expect(await r2.set('k', 'v', 'EX', 100, 'GET')).toBeNull()
    expect(await r2.call('GETEX', 'k', 'PERSIST')).toBe('v')
    expect(await r2.ttl('k')).toBe(-1)
    expect(await r2.incrbyfloat('f', '2.5')).toBe('2.5')
    expect(await r2.getrange('k', 0, 0)).toBe('v')
    expect(await r2.getrange('none', 0, 0)).toBe('')
    expect(await r2.getdel('none')).toBeNull()
  })

  it('SETEX, MSETNX, INCRBY, APPEND, SETRANGE over node-redis RESP3', async () => {
    const client = createClient({ socket: { port: respite.port, host: '127.0.0.1' }, RESP: 3 })
    await client.connect()
    try {
      expect(await client.setEx('k', 100, 'v')).toBe('OK')
      expect(await client.ttl('k')).toBeGreaterThan(90)
      expect(await client.mSetNX(['a', '1', 'b', '2'])).toBe(1)
      expect(await client.incrBy('a', 41)).toBe(42)
      expect(await client.append('b', 'xyz')).toBe(4)
      expect(await client.setRange('b', 1, 'Y')).toBe(4)
      expect(await client.get('b')).toBe('2Yyz')
      expect(await client.getEx('b', { type: 'PX', value: 100_000 })).toBe('2Yyz')
      expect(await client.pTTL('b')).toBeGreaterThan(90_000)
      expect(await client.incrByFloat('a', 0.5)).toBe('42.5')
    } finally {
      client.destroy()
    }
  })
})
