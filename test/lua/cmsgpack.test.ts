import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cjsonNull, createCjson } from '../../src/lua/lib/cjson.js'
import { createCmsgpack, pack } from '../../src/lua/lib/cmsgpack.js'
import { LuaError, LuaTable, type LuaFunction } from '../../src/lua/value.js'
import { rng } from '../helpers/differential.js'
import { missingTool } from '../helpers/servers.js'
import { call, compare, fn, raw, Reference, tbl, type Case, type Spec } from './lib-differential.js'

const cmsgpack = createCmsgpack()
const f = (name: string) => cmsgpack.get(name) as LuaFunction
const hex = (s: unknown) => Buffer.from(s as string, 'latin1').toString('hex')

describe('cmsgpack', () => {
  it('picks the smallest encodings', () => {
    expect(hex(pack(1.5))).toBe('ca3fc00000')
    expect(hex(pack(0.1))).toBe('cb3fb999999999999a')
    expect(hex(pack(-1, -33, 200, 70000))).toBe('ffd0dfccc8ce00011170')
    expect(hex(pack('x'.repeat(40))).slice(0, 4)).toBe('d928')
    expect(hex(pack(LuaTable.fromArray([1, 2]), new LuaTable()))).toBe('92010290')
  })

  it('unpacks with offsets', () => {
    const s = pack(1, 2, 3)
    expect(f('unpack')(s)).toEqual([1, 2, 3])
    expect(f('unpack_one')(s, 2)).toEqual([-1, 3])
    expect(f('unpack_limit')(s, 2)).toEqual([2, 1, 2])
    expect(() => f('unpack')('\xc1')).toThrow(new LuaError('Bad data format in input.'))
    expect(() => f('unpack')('\xcd')).toThrow(new LuaError('Missing bytes in input.'))
    expect(() => f('pack')()).toThrow(new LuaError("bad argument #0 to 'pack' (MessagePack pack needs input.)"))
  })
})

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('cmsgpack against redis-server', () => {
  let ref: Reference
  const libs = { cmsgpack, cjson: createCjson() }
  beforeAll(async () => {
    ref = await Reference.start()
  })
  afterAll(async () => {
    await ref?.stop()
  })

  it('agrees on encodings of fixed values, and on decoding errors', async () => {
    const values: Spec[] = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, -1, -32, -33, -128, -129,
      -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, 1.5, 0.1, -0.25, 1e300, 1e-300, 3.4028234663852886e38, Infinity, -Infinity, -0,
      '', 'a', 'x'.repeat(31), 'x'.repeat(32), 'y'.repeat(255), 'y'.repeat(256), 'z'.repeat(65535), 'z'.repeat(65536), '\x00\xff\x80',
      true, false, undefined, tbl(), tbl([1, 2, 3]), tbl([], [['a', 1]]), tbl([1], [[3, 3]]), tbl([], [[1.5, 1]]), tbl([], [[0, 1]]),
      tbl(Array.from({ length: 16 }, (_, i) => i)), tbl(Array.from({ length: 70000 }, () => 1)), tbl([tbl([tbl([])])]),
      fn('function() end', () => undefined), raw('cjson.null', () => cjsonNull)]
    const cases: Case[] = []
    for (const v of values) cases.push({ fn: 'cmsgpack.pack', args: [v] }, { fn: 'cmsgpack.unpack', args: [call('cmsgpack.pack', v)] })
    let deep: Spec = tbl([1])
    for (let i = 0; i < 20; i++) deep = tbl([deep])
    cases.push({ fn: 'cmsgpack.pack', args: [deep] }, { fn: 'cmsgpack.pack', args: [1, 'two', tbl([3])] }, { fn: 'cmsgpack.pack', args: [] })
    for (const s of ['\xc1', '\xcd', '\xcd\x01', '', '\xc4\x03abc', '\xc7\x01\x05x', '\xd4\x01y', '\xd9\x03abc\xda\x00\x01z', '\x82\x01\x02\x03\x04',
      '\xcf\xff\xff\xff\xff\xff\xff\xff\xff', '\xd3\x80\x00\x00\x00\x00\x00\x00\x00', '\xca\x7f\x80\x00\x00', '\xcb\x7f\xf0\x00\x00\x00\x00\x00\x00',
      '\x93\x01\xc0\x03', '\xdc\x00\x02\x01\x02', '\xde\x00\x01\xa1k\xa1v', '\x92\x01', '\xdd\x00\x00\x00\x01\xc3', '\xdf\x00\x00\x00\x01\x01\xc2']) {
      cases.push({ fn: 'cmsgpack.unpack', args: [s] })
    }
    const three = pack(1, 2, 3)
    for (const o of [undefined, 0, 1, 2, 3, 4, -1]) cases.push({ fn: 'cmsgpack.unpack_one', args: [three, o] })
    for (const [l, o] of [[0, 0], [1, 0], [2, 0], [2, 2], [5, 1], [-1, 0], [0, 1], [1, 3]]) cases.push({ fn: 'cmsgpack.unpack_limit', args: [three, l, o] })
    cases.push({ fn: 'cmsgpack.unpack_one', args: [''] }, { fn: 'cmsgpack.unpack_limit', args: ['\x01\x02', 0] })
    const mismatches = await compare(ref, libs, cases)
    expect(mismatches).toEqual([])
  })

  it('agrees on random values packed and round-tripped', async () => {
    const r = rng(1234)
    const scalar = (): Spec => {
      switch (r.int(7)) {
        case 0: return r.int(2 ** 16) - 2 ** 15
        case 1: return Math.floor((r.next() - 0.5) * 2 ** r.int(64))
        case 2: return (r.next() - 0.5) * 10 ** r.int(30)
        case 3: return r.pick([0.5, 1.25, -3.75, 1e38])
        case 4: return Buffer.from(Array.from({ length: r.chance(0.1) ? 40 + r.int(300) : r.int(10) }, () => r.int(256))).toString('latin1')
        case 5: return r.chance(0.5)
        default: return r.int(128)
      }
    }
    const value = (depth: number): Spec => {
      if (depth > 3 || r.chance(0.5)) return scalar()
      const n = r.int(6)
      if (r.chance(0.5)) return tbl(Array.from({ length: n }, () => value(depth + 1)))
      // One key keeps the map's byte order independent of hash order.
      return tbl([], n === 0 ? [] : [[r.chance(0.5) ? scalar() : 'k' + r.int(9), value(depth + 1)]])
    }
    const cases: Case[] = []
    for (let i = 0; i < 150; i++) {
      const v = value(0)
      if (typeof v === 'boolean' || v === undefined) continue
      cases.push({ fn: 'cmsgpack.pack', args: [v] })
      cases.push({ fn: 'cmsgpack.unpack', args: [call('cmsgpack.pack', v, scalar())] })
    }
    const mismatches = await compare(ref, libs, cases)
    expect(mismatches).toEqual([])
  })
})
