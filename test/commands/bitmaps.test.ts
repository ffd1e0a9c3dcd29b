import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { useRespite, WRONGTYPE } from '../helpers/fixture.js'
import { startRespite } from '../helpers/servers.js'

const { r3, exact } = await useRespite()

const TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)'
const BAD_OFFSET = 'ERR bit offset is not an integer or out of range'

/** Set bits of a buffer, one at a time: the reference BITCOUNT is checked against. */
function countBits(b: Buffer): number {
  let n = 0
  for (const byte of b) for (let i = 0; i < 8; i++) n += (byte >> i) & 1
  return n
}

describe('SETBIT and GETBIT', () => {
  it('SETBIT sets bits most significant first, grows with zeros and answers the old bit', async () => {
    expect(await r3.setbit('k', 7, 1)).toBe(0)
    expect(await r3.get('k')).toBe('\x01')
    expect(await r3.setbit('k', 0, 1)).toBe(0)
    expect(await r3.setbit('k', 0, 1)).toBe(1)
    expect(await r3.setbit('k', 0, 0)).toBe(1)
    expect(await r3.setbit('k', 23, 1)).toBe(0)
    expect(await r3.getBuffer('k')).toEqual(Buffer.from([0x01, 0x00, 0x01]))
    expect(await r3.getbit('k', 7)).toBe(1)
    expect(await r3.getbit('k', 6)).toBe(0)
    expect(await r3.getbit('k', 1000)).toBe(0)
    expect(await r3.getbit('missing', 0)).toBe(0)
    expect(await r3.exists('missing')).toBe(0)
  })

  it('SETBIT keeps the TTL and works on strings set by SET, APPEND and SETRANGE', async () => {
    await r3.set('s', 'a', 'EX', 100)
    expect(await r3.setbit('s', 6, 1)).toBe(0)
    expect(await r3.get('s')).toBe('c')
    expect(await r3.ttl('s')).toBeGreaterThan(90)
    await r3.append('s', 'b')
    await r3.setrange('s', 4, 'z')
    expect(await r3.getbit('s', 14)).toBe(1)
    expect(await r3.bitcount('s')).toBe(countBits(Buffer.from('cb\0\0z', 'latin1')))
  })

  it('SETBIT and GETBIT argument errors, in Redis\'s order', async () => {
    await r3.rpush('l', 'x')
    await expect(r3.call('SETBIT', 'l', 'x', '1')).rejects.toThrow(BAD_OFFSET)
    await expect(r3.call('SETBIT', 'l', '0', '2')).rejects.toThrow('ERR bit is not an integer or out of range')
    await expect(r3.call('SETBIT', 'l', '0', '1')).rejects.toThrow(WRONGTYPE)
    await expect(r3.call('SETBIT', 'k', '-1', '1')).rejects.toThrow(BAD_OFFSET)
    await expect(r3.call('SETBIT', 'k', '4294967296', '1')).rejects.toThrow(BAD_OFFSET)
    await expect(r3.call('SETBIT', 'k', '01', '1')).rejects.toThrow(BAD_OFFSET)
    await expect(r3.call('GETBIT', 'l', 'x')).rejects.toThrow(BAD_OFFSET)
    await expect(r3.call('GETBIT', 'l', '0')).rejects.toThrow(WRONGTYPE)
    expect(await r3.exists('k')).toBe(0)
  })

  it('SETBIT at bit 2^32 - 1 makes a 512 MB string, as in Redis, longer than any JS string', async () => {
    expect(await r3.setbit('huge', 4294967295, 1)).toBe(0)
    expect(await r3.strlen('huge')).toBe(512 * 1024 * 1024)
    expect(await r3.getbit('huge', 4294967295)).toBe(1)
    expect(await r3.getbit('huge', 4294967294)).toBe(0)
    expect(await r3.bitcount('huge')).toBe(1)
    expect(await r3.call('BITPOS', 'huge', '1')).toBe(4294967295)
    expect(await r3.call('BITFIELD', 'huge', 'SET', 'u8', '4294967280', '255', 'GET', 'u8', '4294967280')).toEqual([0, 255])
    expect(await r3.call('OBJECT', 'ENCODING', 'huge')).toBe('raw')
    expect(await r3.del('huge')).toBe(1)
    // Written bit by bit from the low end, it grows in steps and keeps every bit.
    for (let i = 0; i < 2000; i += 7) await r3.setbit('grown', i, 1)
    expect(await r3.bitcount('grown')).toBe(Math.ceil(2000 / 7))
    expect(await r3.strlen('grown')).toBe(Math.floor(1995 / 8) + 1)
    expect(await r3.ping()).toBe('PONG')
  })

  it('offsets past proto-max-bulk-len are out of range, as in Redis', async () => {
    const small = await startRespite({ config: { 'proto-max-bulk-len': 1024 * 1024 } })
    const r = new Redis({ port: small.port, lazyConnect: false })
    try {
      expect(await r.setbit('k', 8 * 1024 * 1024 - 1, 1)).toBe(0)
      await expect(r.setbit('k', 8 * 1024 * 1024, 1)).rejects.toThrow(BAD_OFFSET)
      await expect(r.getbit('k', 8 * 1024 * 1024)).rejects.toThrow(BAD_OFFSET)
      await expect(r.call('BITFIELD', 'k', 'GET', 'u8', '#1048576')).rejects.toThrow(BAD_OFFSET)
      expect(await r.strlen('k')).toBe(1024 * 1024)
    } finally {
      r.disconnect()
      await small.close()
    }
  })
})

describe('BITCOUNT and BITPOS', () => {
  it('BITCOUNT over BYTE and BIT ranges matches a bit-by-bit count, across chunk boundaries', async () => {
    const bytes = Buffer.alloc(600_007)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24
    await r3.set('b', bytes)
    expect(await r3.bitcount('b')).toBe(countBits(bytes))
    expect(await r3.call('BITCOUNT', 'b', '3', '-5')).toBe(countBits(bytes.subarray(3, bytes.length - 4)))
    expect(await r3.call('BITCOUNT', 'b', '262143', '524289', 'BYTE')).toBe(countBits(bytes.subarray(262143, 524290)))
    const bitRange = (s: number, e: number) => {
      let n = 0
      for (let i = s; i <= e; i++) n += (bytes[i >> 3] >> (7 - (i & 7))) & 1
      return n
    }
    expect(await r3.call('BITCOUNT', 'b', '5', '4000003', 'BIT')).toBe(bitRange(5, 4000003))
    expect(await r3.call('BITCOUNT', 'b', '13', '13', 'bit')).toBe(bitRange(13, 13))
    expect(await r3.call('BITCOUNT', 'b', '-3', '-1', 'BIT')).toBe(bitRange(bytes.length * 8 - 3, bytes.length * 8 - 1))
  })

  it('BITCOUNT examples from the Redis docs, and its errors', async () => {
    await r3.set('mykey', 'foobar')
    expect(await r3.bitcount('mykey')).toBe(26)
    expect(await r3.call('BITCOUNT', 'mykey', '0', '0')).toBe(4)
    expect(await r3.call('BITCOUNT', 'mykey', '1', '1')).toBe(6)
    expect(await r3.call('BITCOUNT', 'mykey', '1', '1', 'BYTE')).toBe(6)
    expect(await r3.call('BITCOUNT', 'mykey', '5', '30', 'BIT')).toBe(17)
    expect(await r3.call('BITCOUNT', 'mykey', '-1', '-3')).toBe(0)
    expect(await r3.call('BITCOUNT', 'missing', 'not', 'numbers')).toBe(0)
    await expect(r3.call('BITCOUNT', 'mykey', '0')).rejects.toThrow('ERR syntax error')
    await expect(r3.call('BITCOUNT', 'mykey', 'a', '1', 'foo')).rejects.toThrow('ERR value is not an integer or out of range')
    await expect(r3.call('BITCOUNT', 'mykey', '0', '1', 'foo')).rejects.toThrow('ERR syntax error')
  })

  it('BITPOS examples from the Redis docs; clear bits past the end count only without an end', async () => {
    await r3.set('mykey', Buffer.from([0xff, 0xf0, 0x00]))
    expect(await r3.call('BITPOS', 'mykey', '0')).toBe(12)
    await r3.set('mykey', Buffer.from([0x00, 0xff, 0xf0]))
    expect(await r3.call('BITPOS', 'mykey', '1', '0')).toBe(8)
    expect(await r3.call('BITPOS', 'mykey', '1', '2')).toBe(16)
    expect(await r3.call('BITPOS', 'mykey', '1', '2', '-1', 'BYTE')).toBe(16)
    expect(await r3.call('BITPOS', 'mykey', '1', '7', '15', 'BIT')).toBe(8)
    expect(await r3.call('BITPOS', 'mykey', '1', '7', '-3', 'BIT')).toBe(8)
    await r3.set('ones', Buffer.from([0xff, 0xff]))
    expect(await r3.call('BITPOS', 'ones', '0')).toBe(16)
    expect(await r3.call('BITPOS', 'ones', '0', '1')).toBe(16)
    expect(await r3.call('BITPOS', 'ones', '0', '0', '-1')).toBe(-1)
    expect(await r3.call('BITPOS', 'ones', '0', '0', '100')).toBe(-1)
    expect(await r3.call('BITPOS', 'missing', '0')).toBe(0)
    expect(await r3.call('BITPOS', 'missing', '1')).toBe(-1)
    await r3.set('empty', '')
    expect(await r3.call('BITPOS', 'empty', '0')).toBe(-1)
    await expect(r3.call('BITPOS', 'ones', '2')).rejects.toThrow('ERR The bit argument must be 1 or 0.')
    await expect(r3.call('BITPOS', 'ones', '1', '0', 'x', 'foo')).rejects.toThrow('ERR syntax error')
  })
})

describe('BITOP', () => {
  it('BITOP AND, OR, XOR and NOT pad shorter sources with zeros', async () => {
    await r3.set('a', Buffer.from([0xf0, 0x0f, 0xaa]))
    await r3.set('b', Buffer.from([0xff, 0x00]))
    expect(await r3.call('BITOP', 'AND', 'd', 'a', 'b')).toBe(3)
    expect(await r3.getBuffer('d')).toEqual(Buffer.from([0xf0, 0x00, 0x00]))
    expect(await r3.call('BITOP', 'or', 'd', 'a', 'b', 'missing')).toBe(3)
    expect(await r3.getBuffer('d')).toEqual(Buffer.from([0xff, 0x0f, 0xaa]))
    expect(await r3.call('BITOP', 'XOR', 'd', 'a', 'b')).toBe(3)
    expect(await r3.getBuffer('d')).toEqual(Buffer.from([0x0f, 0x0f, 0xaa]))
    expect(await r3.call('BITOP', 'NOT', 'd', 'a')).toBe(3)
    expect(await r3.getBuffer('d')).toEqual(Buffer.from([0x0f, 0xf0, 0x55]))
  })

  it('BITOP of only missing keys deletes the destination; errors as Redis', async () => {
    await r3.set('d', 'x', 'EX', 100)
    expect(await r3.call('BITOP', 'OR', 'd', 'nokey')).toBe(0)
    expect(await r3.exists('d')).toBe(0)
    await r3.rpush('l', 'x')
    await expect(r3.call('BITOP', 'NAND', 'd', 'a')).rejects.toThrow('ERR syntax error')
    await expect(r3.call('BITOP', 'NOT', 'd', 'a', 'b')).rejects.toThrow('ERR BITOP NOT must be called with a single source key.')
    await expect(r3.call('BITOP', 'AND', 'd', 'l')).rejects.toThrow(WRONGTYPE)
  })
})

describe('BITFIELD and BITFIELD_RO', () => {
  it('BITFIELD examples from the Redis docs', async () => {
    expect(await r3.call('BITFIELD', 'mykey', 'INCRBY', 'i5', '100', '1', 'GET', 'u4', '0')).toEqual([1, 0])
    expect(await r3.call('BITFIELD', 'mykey', 'INCRBY', 'u2', '100', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '102', '1'))
      .toEqual([1, 1])
    for (const want of [[2, 2], [3, 3], [0, 3]]) {
      expect(await r3.call('BITFIELD', 'mykey', 'INCRBY', 'u2', '100', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '102', '1'))
        .toEqual(want)
    }
    expect(await r3.call('BITFIELD', 'mykey', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '102', '1')).toEqual([null])
    expect(await r3.call('BITFIELD', 'k', 'SET', 'i8', '#0', '100', 'SET', 'i8', '#1', '200', 'GET', 'i8', '#1')).toEqual([0, 0, -56])
    expect(await r3.call('BITFIELD_RO', 'k', 'GET', 'u8', '0', 'GET', 'u8', '#1')).toEqual([100, 200])
  })

  it('BITFIELD with a FAIL overflow answers nil in RESP2 and RESP3, and still grows the key', async () => {
    await exact([['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '10', 'GET', 'i64', '0'], ['STRLEN', 'f']],
      '*2\r\n$-1\r\n:0\r\n:13\r\n')
    await exact([['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'SET', 'i8', '0', '128']], '*1\r\n_\r\n', true)
  })

  it('i64 and u63 wrap and saturate at their limits', async () => {
    expect(await r3.call('BITFIELD', 'w', 'SET', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '1'))
      .toEqual([0, -9223372036854775808n].map(Number))
    const big = new Redis({ port: r3.options.port, lazyConnect: false, stringNumbers: true })
    try {
      expect(await big.call('BITFIELD', 'w', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'SET', 'u63', '0', '-1', 'GET', 'u63', '0'))
        .toEqual(['-9223372036854775808', '4611686018427387904', '9223372036854775807'])
    } finally {
      big.disconnect()
    }
  })

  it('BITFIELD and BITFIELD_RO errors, in Redis\'s order', async () => {
    await r3.rpush('l', 'x')
    const type = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.'
    await expect(r3.call('BITFIELD', 'k', 'GET', 'u64', '0')).rejects.toThrow(type)
    await expect(r3.call('BITFIELD', 'k', 'GET', 'i65', '0')).rejects.toThrow(type)
    await expect(r3.call('BITFIELD', 'k', 'GET', 'i8', '#-1')).rejects.toThrow(BAD_OFFSET)
    await expect(r3.call('BITFIELD', 'k', 'OVERFLOW', 'foo')).rejects.toThrow('ERR Invalid OVERFLOW type specified')
    await expect(r3.call('BITFIELD', 'k', 'SET', 'i8', '0', 'x')).rejects.toThrow('ERR value is not an integer or out of range')
    await expect(r3.call('BITFIELD', 'l', 'foo')).rejects.toThrow('ERR syntax error')
    await expect(r3.call('BITFIELD', 'l', 'GET', 'i8', '0')).rejects.toThrow(WRONGTYPE)
    await expect(r3.call('BITFIELD_RO', 'k', 'SET', 'i8', '0', '1')).rejects.toThrow('ERR BITFIELD_RO only supports the GET subcommand')
    await expect(r3.call('BITFIELD_RO', 'k', 'INCRBY', 'i8', '0', '1', 'GET', 'u1', '-1')).rejects.toThrow(BAD_OFFSET)
    expect(await r3.call('BITFIELD', 'k')).toEqual([])
    expect(await r3.exists('k')).toBe(0)
  })
})

describe('bitmap writes notify and invalidate WATCH', () => {
  it('SETBIT fires setbit, BITOP set (or del), BITFIELD setbit only when it wrote', async () => {
    await r3.config('SET', 'notify-keyspace-events', 'KEA')
    const sub = new Redis({ port: r3.options.port, lazyConnect: false })
    const events: string[] = []
    try {
      sub.on('pmessage', (_p, channel, message) => {
        if (channel.startsWith('__keyevent@0__:')) events.push(`${channel.slice(15)} ${message}`)
      })
      await sub.psubscribe('__keyevent@0__:*')
      await r3.setbit('a', 1, 1)
      await r3.call('BITOP', 'NOT', 'd', 'a')
      await r3.call('BITOP', 'AND', 'd', 'nokey')
      await r3.call('BITFIELD', 'a', 'GET', 'u8', '0')
      await r3.call('BITFIELD', 'a', 'OVERFLOW', 'FAIL', 'INCRBY', 'u1', '1', '1')
      await r3.call('BITFIELD', 'a', 'INCRBY', 'u1', '2', '1')
      await r3.set('end', '1')
      await new Promise((r) => setTimeout(r, 50))
      expect(events).toEqual(['setbit a', 'set d', 'del d', 'setbit a', 'set end'])
    } finally {
      sub.disconnect()
      await r3.config('SET', 'notify-keyspace-events', '')
    }
  })

  it('SETBIT, BITOP and BITFIELD abort a transaction watching their key', async () => {
    for (const write of [['SETBIT', 'w', '3', '1'], ['BITOP', 'OR', 'w', 'src'], ['BITFIELD', 'w', 'SET', 'u4', '0', '3']]) {
      await r3.set('src', 'x')
      const other = new Redis({ port: r3.options.port, lazyConnect: false })
      try {
        await other.watch('w')
        await r3.call(write[0], ...write.slice(1))
        expect(await other.multi().get('w').exec(), write[0]).toBeNull()
      } finally {
        other.disconnect()
      }
    }
  })
})
