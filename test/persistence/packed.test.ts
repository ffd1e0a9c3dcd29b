import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withFooter } from '../../src/persistence/dump.js'
import { ListpackBuilder, readIntset, readListpack, readZiplist, readZipmap } from '../../src/persistence/packed.js'
import { lzfCompress, lzfDecompress, rdbLength } from '../../src/persistence/rdb-strings.js'
import { cmd, connect, digestDiff, serverDigest } from '../helpers/digest.js'
import { missingTool, startRedis, startRespite, type RedisProcess } from '../helpers/servers.js'
import type { RunningServer } from '../../src/index.js'

/**
 * The packed containers inside RDB values: listpacks both ways, and the older
 * ziplists, intsets and zipmaps, which Redis 7.0 still loads but no longer writes. The
 * old encodings are built here by hand from their format and RESTOREd into both
 * respite and redis-server, which must agree on what they hold.
 */

function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** A ziplist of the given elements, integers in the smallest encoding, as Redis 6 wrote them. */
function ziplist(items: string[]): Buffer {
  const entries: Buffer[] = []
  let prev = 0
  let tail = 10
  let offset = 10
  for (const s of items) {
    const prevlen = prev < 254 ? Buffer.from([prev]) : Buffer.concat([Buffer.from([0xfe]), u32le(prev)])
    let body: Buffer
    const n = /^(0|-?[1-9]\d{0,17})$/.test(s) ? Number(s) : null
    if (n !== null && n >= 0 && n <= 12) body = Buffer.from([0xf1 + n])
    else if (n !== null && n >= -128 && n <= 127) body = Buffer.from([0xfe, n & 0xff])
    else if (n !== null && n >= -32768 && n <= 32767) body = Buffer.concat([Buffer.from([0xc0]), int(n, 2)])
    else if (n !== null && n >= -8388608 && n <= 8388607) body = Buffer.concat([Buffer.from([0xf0]), int(n, 3)])
    else if (n !== null && n >= -2147483648 && n <= 2147483647) body = Buffer.concat([Buffer.from([0xd0]), int(n, 4)])
    else if (n !== null && Number.isSafeInteger(n)) {
      const b = Buffer.alloc(9)
      b[0] = 0xe0
      b.writeBigInt64LE(BigInt(n), 1)
      body = b
    } else {
      const data = Buffer.from(s, 'latin1')
      let head: Buffer
      if (data.length < 64) head = Buffer.from([data.length])
      else if (data.length < 16384) head = Buffer.from([0x40 | (data.length >> 8), data.length & 0xff])
      else {
        head = Buffer.alloc(5)
        head[0] = 0x80
        head.writeUInt32BE(data.length, 1)
      }
      body = Buffer.concat([head, data])
    }
    const entry = Buffer.concat([prevlen, body])
    tail = offset
    offset += entry.length
    prev = entry.length
    entries.push(entry)
  }
  const total = offset + 1
  const header = Buffer.alloc(10)
  header.writeUInt32LE(total, 0)
  header.writeUInt32LE(tail, 4)
  header.writeUInt16LE(Math.min(items.length, 65535), 8)
  return Buffer.concat([header, ...entries, Buffer.from([0xff])])
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n)
  return b
}

function int(n: number, width: number): Buffer {
  const b = Buffer.alloc(width)
  b.writeIntLE(n, 0, width)
  return b
}

function zipmap(pairs: [string, string][]): Buffer {
  const parts: Buffer[] = [Buffer.from([pairs.length])]
  const len = (n: number) => (n < 254 ? Buffer.from([n]) : Buffer.concat([Buffer.from([254]), u32le(n)]))
  for (const [k, v] of pairs) parts.push(len(k.length), Buffer.from(k, 'latin1'), len(v.length), Buffer.from([0]), Buffer.from(v, 'latin1'))
  parts.push(Buffer.from([0xff]))
  return Buffer.concat(parts)
}

function intset(values: bigint[], width: number): Buffer {
  const b = Buffer.alloc(8 + values.length * width)
  b.writeUInt32LE(width, 0)
  b.writeUInt32LE(values.length, 4)
  values.forEach((v, i) => (width === 8 ? b.writeBigInt64LE(v, 8 + i * 8) : b.writeIntLE(Number(v), 8 + i * width, width)))
  return b
}

/** An RDB string holding raw bytes. */
function rdbString(b: Buffer | string): Buffer {
  const data = typeof b === 'string' ? Buffer.from(b, 'latin1') : b
  return Buffer.concat([rdbLength(data.length), data])
}

function textScore(d: number): Buffer {
  if (d === Infinity) return Buffer.from([254])
  if (d === -Infinity) return Buffer.from([255])
  const s = String(d)
  return Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'latin1')])
}

function idBytes(ms: number, seq: number): Buffer {
  const b = Buffer.alloc(16)
  b.writeBigUInt64BE(BigInt(ms), 0)
  b.writeBigUInt64BE(BigInt(seq), 8)
  return b
}

/**
 * A STREAM_LISTPACKS value as Redis 5.0-6.2 wrote it (no first id, max deleted id,
 * entries added or entries read): one node holding 10-1 {f: v1} and 11-0 {a: 1, b: 2},
 * the first sharing the master entry's fields; a group that delivered 10-1 to "c".
 */
function streamV1(): Buffer {
  const lp = new ListpackBuilder()
  for (const v of ['2', '0', '1', 'f', '0']) lp.add(v) // count, deleted, master fields, end
  for (const v of ['2', '0', '0', 'v1', '4']) lp.add(v) // SAMEFIELDS entry, its lp-count
  for (const v of ['0', '1', '-1', '2', 'a', '1', 'b', '2', '8']) lp.add(v)
  const time = Buffer.alloc(8)
  time.writeBigInt64LE(1_700_000_000_123n)
  return Buffer.concat([Buffer.from([15]), rdbLength(1), rdbString(idBytes(10, 1)), rdbString(lp.finish()),
    rdbLength(2), rdbLength(11), rdbLength(0), // length, last id
    rdbLength(1), rdbString('g'), rdbLength(10), rdbLength(1), // one group, its last id
    rdbLength(1), idBytes(10, 1), time, rdbLength(3), // its PEL: id, delivery time, count
    rdbLength(1), rdbString('c'), time, rdbLength(1), idBytes(10, 1)]) // consumer c owns 10-1
}

describe('listpacks', () => {
  it('round-trips integers at every encoding boundary and strings of every length class', () => {
    const values = ['0', '127', '128', '-1', '-4096', '4095', '4096', '-4097', '32767', '-32768', '32768', '8388607', '-8388608',
      '8388608', '2147483647', '-2147483648', '2147483648', '9223372036854775807', '-9223372036854775808',
      '9223372036854775808', '01', '-0', '', 'a', 'x'.repeat(63), 'x'.repeat(64), 'y'.repeat(4095), 'y'.repeat(4096), 'z'.repeat(70000)]
    const lp = new ListpackBuilder()
    for (const v of values) lp.add(v)
    expect(readListpack(lp.finish())).toEqual(values)
  })

  it('refuses listpacks with a wrong size, count, terminator or an element running past the end', () => {
    const lp = new ListpackBuilder()
    lp.add('hello')
    lp.add('123456')
    const good = lp.finish()
    expect(() => readListpack(good.subarray(0, good.length - 1))).toThrow()
    const badCount = Buffer.from(good)
    badCount.writeUInt16LE(3, 4)
    expect(() => readListpack(badCount)).toThrow()
    const badEnd = Buffer.from(good)
    badEnd[badEnd.length - 1] = 0
    expect(() => readListpack(badEnd)).toThrow()
    const longString = Buffer.from(good)
    longString[6] = 0x80 | 60
    expect(() => readListpack(longString)).toThrow()
  })
})

describe('ziplists, intsets and zipmaps (read only)', () => {
  it('reads every ziplist encoding, including long previous-entry lengths', () => {
    const values = ['0', '12', '13', '-128', '127', '-32768', '32767', '8388607', '-8388608', '2147483647', '-2147483648',
      '9007199254740991', 'abc', 'x'.repeat(300), 'y'.repeat(20000), '']
    expect(readZiplist(ziplist(values))).toEqual(values)
  })

  it('reads intsets of each width and zipmaps', () => {
    expect(readIntset(intset([-5n, 7n], 2))).toEqual(['-5', '7'])
    expect(readIntset(intset([-100000n, 7n], 4))).toEqual(['-100000', '7'])
    expect(readIntset(intset([-(1n << 63n), (1n << 63n) - 1n], 8))).toEqual(['-9223372036854775808', '9223372036854775807'])
    expect(() => readIntset(intset([1n], 3))).toThrow()
    expect(readZipmap(zipmap([['a', '1'], ['long', 'v'.repeat(300)]]))).toEqual(['a', '1', 'long', 'v'.repeat(300)])
  })

  it('read a container where it lies inside a larger buffer, checking sizes against that range', () => {
    const lp = new ListpackBuilder()
    for (const v of ['a', '7', 'x'.repeat(100)]) lp.add(v)
    const parts: Record<string, [Buffer, (b: Buffer, from: number, to: number) => string[], string[]]> = {
      listpack: [lp.finish(), readListpack, ['a', '7', 'x'.repeat(100)]],
      ziplist: [ziplist(['b', '-3', 'y'.repeat(300)]), readZiplist, ['b', '-3', 'y'.repeat(300)]],
      intset: [intset([-5n, 7n], 2), readIntset, ['-5', '7']],
      zipmap: [zipmap([['f', 'v']]), readZipmap, ['f', 'v']],
    }
    for (const [name, [bytes, read, items]] of Object.entries(parts)) {
      const padded = Buffer.concat([Buffer.from([1, 2, 3]), bytes, Buffer.from([0xff, 0xff])])
      expect(read(padded, 3, 3 + bytes.length), name).toEqual(items)
      if (name !== 'zipmap') expect(() => read(padded, 3, 3 + bytes.length + 1), name).toThrow()
    }
  })
})

describe('LZF', () => {
  it('compresses what it decompresses back, and gives up when nothing is gained', () => {
    const rand = random(3)
    for (let round = 0; round < 200; round++) {
      const n = 4 + Math.floor(rand() * 3000)
      const alphabet = 1 + Math.floor(rand() * 20)
      const data = Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * alphabet)))
      const packed = lzfCompress(data, n + 64)
      expect(packed).not.toBeNull()
      expect(lzfDecompress(packed!, n)?.equals(data)).toBe(true)
    }
    const noise = Buffer.from(Array.from({ length: 100 }, () => Math.floor(rand() * 256)))
    expect(lzfCompress(noise, noise.length - 4)).toBeNull()
  })
})

describe.skipIf(missingTool('redis-server'))('old encodings RESTOREd into respite and redis-server agree', () => {
  let redis: RedisProcess
  let respite: RunningServer
  beforeAll(async () => {
    redis = await startRedis()
    respite = await startRespite()
  })
  afterAll(async () => {
    await redis.stop()
    await respite.close()
  })

  it('ziplist, quicklist 1, zipmap, ziplist hash and zset, LIST, SET, ZSET, HASH and intset values', async () => {
    const listItems = ['a', '1', '-300', 'x'.repeat(100), '70000', '5000000000']
    const many = Array.from({ length: 700 }, (_, i) => String(i * 3))
    const payloads: [string, Buffer][] = [
      ['list-ziplist', Buffer.concat([Buffer.from([10]), rdbString(ziplist(listItems))])],
      ['list-quicklist', Buffer.concat([Buffer.from([14]), rdbLength(2), rdbString(ziplist(listItems)), rdbString(ziplist(['tail', '9']))])],
      ['list-plain', Buffer.concat([Buffer.from([1]), rdbLength(3), rdbString('p'), rdbString('12'), rdbString('q'.repeat(40))])],
      ['hash-zipmap', Buffer.concat([Buffer.from([9]), rdbString(zipmap([['f', 'v'], ['n', '5']]))])],
      ['hash-ziplist', Buffer.concat([Buffer.from([13]), rdbString(ziplist(['f1', 'v1', 'f2', '77']))])],
      ['hash-plain', Buffer.concat([Buffer.from([4]), rdbLength(2), rdbString('a'), rdbString('1'), rdbString('b'), rdbString('w'.repeat(90))])],
      ['zset-ziplist', Buffer.concat([Buffer.from([12]), rdbString(ziplist(['m3', '-2', 'm1', '1.5', 'm2', '3']))])],
      ['zset-text', Buffer.concat([Buffer.from([3]), rdbLength(3), rdbString('a'), textScore(0.25), rdbString('b'), textScore(Infinity),
        rdbString('c'), textScore(-Infinity)])],
      ['set-plain', Buffer.concat([Buffer.from([2]), rdbLength(3), rdbString('1'), rdbString('2'), rdbString('x')])],
      ['set-plain-ints', Buffer.concat([Buffer.from([2]), rdbLength(2), rdbString('10'), rdbString('-4')])],
      ['set-intset-big', Buffer.concat([Buffer.from([11]), rdbString(intset(many.map(BigInt), 2))])],
      ['set-intset', Buffer.concat([Buffer.from([11]), rdbString(intset([1n, 1n << 40n], 8))])],
      ['stream-v1', streamV1()],
    ]
    const a = await connect(redis.port)
    const b = await connect(respite.port)
    try {
      for (const [key, body] of payloads) {
        const payload = withFooter(body)
        expect(await cmd(a, 'RESTORE', key, 0, payload), key).toBe('OK')
        expect(await cmd(b, 'RESTORE', key, 0, payload), key).toBe('OK')
      }
      expect(digestDiff(await serverDigest(redis.port, 1), await serverDigest(respite.port, 1))).toEqual([])
    } finally {
      a.disconnect()
      b.disconnect()
    }
  })
})
