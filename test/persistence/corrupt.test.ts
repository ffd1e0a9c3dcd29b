import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dumpValue, restoreValue, withFooter } from '../../src/persistence/dump.js'
import { RdbFormatError } from '../../src/persistence/packed.js'
import { loadRdb, type LoadTarget } from '../../src/persistence/rdb-file.js'
import type { KeyspaceValue } from '../../src/store/types.js'
import { cmd, connect } from '../helpers/digest.js'
import { startRespite } from '../helpers/servers.js'
import { populate } from './dataset.js'

/**
 * Corrupt and truncated RDB files and DUMP payloads end in one clean error, never a
 * crash, a hang or a huge allocation: a seeded fuzz of truncations and bit flips over
 * a file holding every type, and over each key's payload.
 */

function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const sink: LoadTarget = { databases: 16, add: () => {}, library: () => {} }

/** Loads `buf`; returns 'ok' or 'corrupt', and fails the test on any other error. */
function tryLoad(buf: Buffer): 'ok' | 'corrupt' {
  try {
    loadRdb(buf, sink)
    return 'ok'
  } catch (e) {
    if (e instanceof RdbFormatError) return 'corrupt'
    throw e
  }
}

let file: Buffer
const values: KeyspaceValue[] = []
const dir = mkdtempSync(join(tmpdir(), 'respite-corrupt-'))

beforeAll(async () => {
  const s = await startRespite({ config: { dir } })
  const r = await connect(s.port)
  await populate(r)
  await cmd(r, 'SAVE')
  r.disconnect()
  for (const db of s.server.store.dbs) for (const [, v] of db.keys.entries()) values.push(v)
  await s.close()
  file = readFileSync(join(dir, 'dump.rdb'))
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('corrupt RDB files', () => {
  it('the file loads whole, and every truncation of it is refused', () => {
    expect(tryLoad(file)).toBe('ok')
    const rand = random(11)
    const cuts = new Set([0, 1, 5, 9, 10, file.length - 9, file.length - 8, file.length - 1])
    while (cuts.size < 400) cuts.add(Math.floor(rand() * file.length))
    for (const n of cuts) expect(tryLoad(file.subarray(0, n)), `cut at ${n}`).toBe('corrupt')
  })

  it('bit flips are caught by the checksum, and without one end in a clean error or a load', () => {
    const rand = random(12)
    const unchecked = Buffer.from(file)
    unchecked.fill(0, unchecked.length - 8)
    expect(tryLoad(unchecked)).toBe('ok')
    let refused = 0
    for (let round = 0; round < 1500; round++) {
      const flipped = Buffer.from(round % 2 === 0 ? file : unchecked)
      const flips = 1 + Math.floor(rand() * 4)
      for (let i = 0; i < flips; i++) flipped[9 + Math.floor(rand() * (flipped.length - 17))] ^= 1 << Math.floor(rand() * 8)
      const outcome = tryLoad(flipped)
      if (round % 2 === 0) expect(outcome).toBe('corrupt')
      if (outcome === 'corrupt') refused++
    }
    expect(refused).toBeGreaterThan(750)
  })

  it('refuses a bad signature, a newer version, module aux data and too many databases', () => {
    const header = (s: string) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([0xff]), Buffer.alloc(8)])
    expect(tryLoad(header('REDIS0010'))).toBe('ok')
    expect(tryLoad(header('REDIX0010'))).toBe('corrupt')
    expect(tryLoad(header('REDIS0011'))).toBe('corrupt')
    expect(tryLoad(Buffer.concat([Buffer.from('REDIS0010'), Buffer.from([0xf7, 1, 2])]))).toBe('corrupt')
    expect(tryLoad(Buffer.concat([Buffer.from('REDIS0010'), Buffer.from([0xfe, 16, 0xff]), Buffer.alloc(8)]))).toBe('corrupt')
  })
})

describe('corrupt DUMP payloads', () => {
  it('truncated or bit-flipped bodies (with a fixed-up footer) restore or answer Bad data format', () => {
    const rand = random(13)
    let bad = 0
    let total = 0
    for (const v of values) {
      const payload = dumpValue(v, true)
      const body = payload.subarray(0, payload.length - 10)
      for (let round = 0; round < 40; round++) {
        let mutated: Buffer
        if (round % 4 === 0) {
          mutated = body.subarray(0, Math.floor(rand() * body.length))
        } else {
          mutated = Buffer.from(body)
          mutated[Math.floor(rand() * mutated.length)] ^= 1 << Math.floor(rand() * 8)
        }
        total++
        try {
          restoreValue(withFooter(mutated))
        } catch (e) {
          expect((e as Error).message).toBe('ERR Bad data format')
          bad++
        }
      }
    }
    expect(bad).toBeGreaterThan(total / 4)
  })

  it('a length claiming more than the payload holds is refused before anything is allocated', () => {
    // A list of 2^32-1 elements, an LZF string claiming 1 GiB, a listpack claiming 4 GiB.
    for (const body of [[1, 0x80, 0xff, 0xff, 0xff, 0xff], [0, 0xc3, 2, 0x80, 0x40, 0, 0, 0, 0, 0], [16, 0x80, 0xff, 0xff, 0xff, 0xff, 1]]) {
      expect(() => restoreValue(withFooter(Buffer.from(body)))).toThrow('ERR Bad data format')
    }
  })
})
