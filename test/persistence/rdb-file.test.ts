import { describe, expect, it } from 'vitest'
import { loadRdb, snapshotChunks, type LoadTarget } from '../../src/persistence/rdb-file.js'
import { RdbFormatError } from '../../src/persistence/packed.js'
import { rdbLength } from '../../src/persistence/rdb-strings.js'
import { Database } from '../../src/store/database.js'
import type { StoredValue } from '../../src/store/types.js'

/**
 * The file level of RDB snapshots: opcodes around the key records (expiry in ms and
 * in seconds, LRU and LFU hints, SELECTDB, RESIZEDB, aux fields), keys already expired
 * at load, and a snapshot written from databases read back.
 */

function str(s: string): Buffer {
  return Buffer.concat([rdbLength(s.length), Buffer.from(s, 'latin1')])
}

function file(...parts: (number[] | Buffer)[]): Buffer {
  return Buffer.concat([Buffer.from('REDIS0010'), ...parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))), Buffer.from([0xff]), Buffer.alloc(8)])
}

function int64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigInt64LE(BigInt(n))
  return b
}

function collect(buf: Buffer, now = Date.now()) {
  const keys: [number, string, StoredValue, number | bigint | undefined][] = []
  const libs: string[] = []
  const target: LoadTarget = { databases: 16, add: (db, k, v, at) => keys.push([db, k, v, at]), library: (c) => libs.push(c) }
  return { result: loadRdb(buf, target, now), keys, libs }
}

describe('RDB files', () => {
  it('reads expiry in ms and in seconds, skips LRU/LFU hints, and drops keys already expired', () => {
    const now = 1_700_000_000_000
    const { result, keys } = collect(file(
      [0xfa], str('redis-ver'), str('7.0.15'),
      [0xfe, 3], [0xfb, 3, 2],
      [0xfc], int64(now + 5000), [0], str('live'), str('v1'),
      [0xfc], int64(now - 1), [0], str('gone'), str('v2'),
      [0xfd], Buffer.from([0x01, 0xf1, 0x53, 0x65]), [0], str('secs'), str('v3'),
      [0xf8, 0x40, 0x80], [0xf9, 7], [0], str('hinted'), str('v4'),
    ), now)
    expect(result.version).toBe('7.0.15')
    expect(result.expired).toBe(1)
    expect(keys).toEqual([[3, 'live', 'v1', now + 5000], [3, 'secs', 'v3', 0x6553f101 * 1000], [3, 'hinted', 'v4', undefined]])
  })

  it('refuses a database past `databases`, an unknown type and a wrong checksum', () => {
    expect(() => collect(file([0xfe, 16]))).toThrow(RdbFormatError)
    expect(() => collect(file([8], str('k'), str('v')))).toThrow(/Unknown RDB type 8/)
    const good = file([0], str('k'), str('v'))
    good.writeBigUInt64LE(123n, good.length - 8)
    expect(() => collect(good)).toThrow(/Wrong RDB checksum/)
  })

  it('writes what it reads back: keys, expiry times past 2^53 ms, function code', () => {
    const db = new Database(2)
    db.set('plain', 'x')
    db.set('big', 'y')
    db.setExpireAt('big', (1n << 62n) + 1n)
    db.set('soon', 'z')
    db.setExpire('soon', Date.now() + 60_000)
    const buf = Buffer.concat([...snapshotChunks([new Database(0), db], { compress: true, checksum: true, functions: ['#!lua name=x\n'], usedMemory: 1 })])
    const { keys, libs, result } = collect(buf)
    expect(libs).toEqual(['#!lua name=x\n'])
    expect(result.aux.get('redis-bits')).toBe('64')
    const written = keys.map(([d, k, v, at]) => [d, k, v, typeof at]).sort((a, b) => String(a[1]).localeCompare(String(b[1])))
    expect(written).toEqual([[2, 'big', 'y', 'bigint'], [2, 'plain', 'x', 'undefined'], [2, 'soon', 'z', 'number']])
    expect(keys.find(([, k]) => k === 'big')![3]).toBe((1n << 62n) + 1n)
    // rdbchecksum no: a zero checksum, which loading takes as "not computed".
    const unchecked = Buffer.concat([...snapshotChunks([db], { compress: false, checksum: false, functions: [], usedMemory: 1 })])
    expect(unchecked.subarray(unchecked.length - 8).equals(Buffer.alloc(8))).toBe(true)
    expect(collect(unchecked).keys.length).toBe(3)
  })
})
