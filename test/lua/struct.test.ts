import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStruct } from '../../src/lua/lib/struct.js'
import { LuaError, type LuaFunction } from '../../src/lua/value.js'
import { rng } from '../helpers/differential.js'
import { missingTool } from '../helpers/servers.js'
import { call, compare, Reference, type Case, type Spec } from './lib-differential.js'

const struct = createStruct()
const f = (name: string) => struct.get(name) as LuaFunction
const hex = (s: unknown) => Buffer.from(s as string, 'latin1').toString('hex')

describe('struct', () => {
  it('packs with endianness, sizes and alignment', () => {
    expect(hex(f('pack')('>i2<I3!4bhld', 1, 2, -3, 4, 5, 1.5))).toBe('0001020000fd04000500000000000000000000000000f83f')
    expect(hex(f('pack')('sc3c0xfTi', 'ab', 'xyz', 'q', 2.5, 7, 9))).toBe('61620078797a710000002040070000000000000009000000')
    expect(f('size')('>i2!8d')).toBe(16)
  })

  it('unpacks values and the next position', () => {
    expect(f('unpack')('>i2<I3', f('pack')('>i2<I3', -5, 70000) as string)).toEqual([-5, 70000, 6])
    expect(f('unpack')('b c0', '\x03abc')).toEqual(['abc', 5])
    expect(() => f('unpack')('s', 'ab')).toThrow(new LuaError('unfinished string in data'))
    expect(() => f('pack')('y', 1)).toThrow(new LuaError("bad argument #1 to 'pack' (invalid format option 'y')"))
  })
})

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('struct against redis-server', () => {
  let ref: Reference
  beforeAll(async () => {
    ref = await Reference.start()
  })
  afterAll(async () => {
    await ref?.stop()
  })

  it('agrees on fixed formats and errors', async () => {
    const cases: Case[] = [
      { fn: 'struct.pack', args: ['>i2<I3!4bhld', 1, 2, -3, 4, 5, 1.5] },
      { fn: 'struct.pack', args: ['sc3c0xfTi', 'ab', 'xyz', 'q', 2.5, 7, 9] },
      { fn: 'struct.pack', args: ['i17', 1] },
      { fn: 'struct.pack', args: ['i33', 1] },
      { fn: 'struct.pack', args: ['i0', 1] },
      { fn: 'struct.pack', args: ['y', 1] },
      { fn: 'struct.pack', args: ['c5', 'ab'] },
      { fn: 'struct.pack', args: ['!3i', 1] },
      { fn: 'struct.pack', args: ['!3', 1] },
      { fn: 'struct.pack', args: ['!i1h!2d', 1, 2, 3] },
      { fn: 'struct.pack', args: ['!bd', 1, 2] },
      { fn: 'struct.pack', args: ['i'] },
      { fn: 'struct.pack', args: ['i', 'x'] },
      { fn: 'struct.pack', args: ['i', '12'] },
      { fn: 'struct.pack', args: ['c', 1] },
      { fn: 'struct.pack', args: ['c0', 12] },
      { fn: 'struct.pack', args: ['s', 'a\x00b'] },
      { fn: 'struct.pack', args: ['<i', 2 ** 32 + 5] },
      { fn: 'struct.pack', args: ['<i', -(2 ** 33)] },
      { fn: 'struct.pack', args: ['<I', -1] },
      { fn: 'struct.pack', args: ['<l', -1.5] },
      { fn: 'struct.pack', args: ['<B', 300] },
      { fn: 'struct.pack', args: ['>L', 2 ** 64] },
      { fn: 'struct.pack', args: ['>L', 2 ** 63] },
      { fn: 'struct.pack', args: ['>l', -(2 ** 63)] },
      { fn: 'struct.pack', args: ['>f>d', 0.1, 0.1] },
      { fn: 'struct.pack', args: ['<f', 1e300] },
      { fn: 'struct.pack', args: ['=H', 65535] },
      { fn: 'struct.pack', args: ['  > h ', 258] },
      { fn: 'struct.pack', args: [''] },
      { fn: 'struct.pack', args: [] },
      { fn: 'struct.unpack', args: ['>i2<I3', '\x00\x01\x02\x00\x00'] },
      { fn: 'struct.unpack', args: ['i4', 'ab'] },
      { fn: 'struct.unpack', args: ['s', 'ab'] },
      { fn: 'struct.unpack', args: ['ss', 'ab\x00\x00c'] },
      { fn: 'struct.unpack', args: ['i4', 'abcd', 0] },
      { fn: 'struct.unpack', args: ['b c0', '\x03abc'] },
      { fn: 'struct.unpack', args: ['c0', 'ab'] },
      { fn: 'struct.unpack', args: ['<i8', '\xff\xff\xff\xff\xff\xff\xff\xff'] },
      { fn: 'struct.unpack', args: ['<I8', '\xff\xff\xff\xff\xff\xff\xff\xff'] },
      { fn: 'struct.unpack', args: ['<i3', '\xff\xff\x7f'] },
      { fn: 'struct.unpack', args: ['<i3', '\xff\xff\x80'] },
      { fn: 'struct.unpack', args: ['>i2', '\x00\x01', 3] },
      { fn: 'struct.unpack', args: ['>i2', '\x00\x01\x00\x02', 3] },
      { fn: 'struct.unpack', args: ['!4bi', '\x01\x00\x00\x00\x02\x00\x00\x00'] },
      { fn: 'struct.unpack', args: ['xxb', '\x01\x02\x03'] },
      { fn: 'struct.unpack', args: ['c2c', 'abc'] },
      { fn: 'struct.unpack', args: ['fd', '\x00\x00\x80\x3f\x00\x00\x00\x00\x00\x00\xf0\x3f'] },
      { fn: 'struct.unpack', args: ['z', 'a'] },
      { fn: 'struct.size', args: ['>i2!8d'] },
      { fn: 'struct.size', args: ['bhlTc5'] },
      { fn: 'struct.size', args: ['s'] },
      { fn: 'struct.size', args: ['c0'] },
      { fn: 'struct.size', args: ['!i3d'] },
      { fn: 'struct.size', args: ['q'] },
      { fn: 'struct.size', args: ['q1i'] },
      { fn: 'struct.size', args: ['~'] },
      { fn: 'struct.size', args: ['i33'] },
      { fn: 'struct.pack', args: ['ii', 1] },
      { fn: 'struct.pack', args: ['=i', 1] },
      { fn: 'struct.unpack', args: ['i'] },
      { fn: 'struct.pack', args: ['!i3d', 1, 2] },
      { fn: 'struct.unpack', args: ['!i3d', call('struct.pack', '!i3d', 1, 2)] },
    ]
    const mismatches = await compare(ref, { struct }, cases)
    expect(mismatches).toEqual([])
  })

  it('agrees on random formats and round trips', async () => {
    const r = rng(31)
    const cases: Case[] = []
    for (let i = 0; i < 120; i++) {
      let fmt = r.pick(['', '<', '>', '!', '!2', '!4', '>!8'])
      const args: Spec[] = []
      const n = 1 + r.int(5)
      for (let k = 0; k < n; k++) {
        const opt = r.pick(['b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I', 'i1', 'I2', 'i3', 'I5', 'i7', 'f', 'd', 's', 'c3', 'x'])
        fmt += opt
        if (opt === 'x') continue
        if (opt === 's') args.push(Buffer.from(Array.from({ length: r.int(6) }, () => 1 + r.int(255))).toString('latin1'))
        else if (opt === 'c3') args.push('abcdef'.slice(r.int(3)))
        else if (opt === 'f' || opt === 'd') args.push(r.pick([0.5, -1.25, 1e10, 3.14159, -0.1, 1e-40]))
        else args.push(r.chance(0.5) ? r.int(256) - 128 : Math.floor((r.next() - 0.5) * 2 ** r.int(66)))
      }
      cases.push({ fn: 'struct.pack', args: [fmt, ...args] })
      cases.push({ fn: 'struct.unpack', args: [fmt, call('struct.pack', fmt, ...args)] })
    }
    const mismatches = await compare(ref, { struct }, cases)
    expect(mismatches).toEqual([])
  })
})
