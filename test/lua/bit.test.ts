import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBit, toBit } from '../../src/lua/lib/bit.js'
import { LuaError, type LuaFunction } from '../../src/lua/value.js'
import { rng } from '../helpers/differential.js'
import { missingTool } from '../helpers/servers.js'
import { compare, Reference, type Case } from './lib-differential.js'

const bit = createBit()
const f = (name: string) => bit.get(name) as LuaFunction

describe('bit', () => {
  it('gives signed 32-bit results', () => {
    expect(f('lshift')(1, 31)).toBe(-2147483648)
    expect(f('tohex')(255)).toBe('000000ff')
    expect(f('tohex')(-1, -4)).toBe('FFFF')
    expect(f('tohex')(0x12345678, 2)).toBe('78')
    expect(f('bnot')(0)).toBe(-1)
    expect(f('rshift')(-1, 28)).toBe(15)
    expect(f('arshift')(-256, 4)).toBe(-16)
    expect(f('rol')(0x12345678, 4)).toBe(0x23456781)
    expect(f('ror')(0x12345678, 4)).toBe(-2128394905)
    expect(f('bswap')(0x12345678)).toBe(0x78563412)
    expect(f('band')(0xff, 0x0f, 0x3)).toBe(3)
  })

  it('normalises like the 2^52+2^51 trick: round half to even, mod 2^32, specials to 0', () => {
    expect(toBit(2 ** 32 + 5)).toBe(5)
    expect(toBit(2.5)).toBe(2)
    expect(toBit(3.5)).toBe(4)
    expect(toBit(-0.5)).toBe(0)
    expect(toBit(Infinity)).toBe(0)
    expect(toBit(NaN)).toBe(0)
    expect(toBit(2 ** 31)).toBe(-2147483648)
  })

  it('checks its arguments', () => {
    expect(() => f('band')(1, 'x')).toThrow(new LuaError("bad argument #2 to 'band' (number expected, got string)"))
    expect(f('tobit')('10')).toBe(10)
  })
})

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('bit against redis-server', () => {
  let ref: Reference
  beforeAll(async () => {
    ref = await Reference.start()
  })
  afterAll(async () => {
    await ref?.stop()
  })

  it('agrees on fixed and random operands', async () => {
    const cases: Case[] = []
    const interesting = [0, 1, -1, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 32 + 1, 2 ** 52, 2 ** 53 + 2, 2 ** 60, -(2 ** 60), 1e20, -1e20,
      0.5, 1.5, 2.5, -2.5, 123.456, -0.49, Infinity, -Infinity, NaN, 0xdeadbeef, 255, 1e-300]
    const names1 = ['tobit', 'bnot', 'bswap', 'tohex']
    for (const x of interesting) for (const n of names1) cases.push({ fn: `bit.${n}`, args: [x] })
    const r = rng(9)
    const anyInt = () => {
      switch (r.int(5)) {
        case 0: return r.int(256) - 128
        case 1: return r.int(2 ** 32) - 2 ** 31
        case 2: return (r.next() - 0.5) * 2 ** (r.int(70))
        case 3: return r.int(2 ** 32) + r.pick([0, 0.25, 0.5, 0.75, 1.5])
        default: return r.pick(interesting)
      }
    }
    for (let i = 0; i < 150; i++) {
      const name = r.pick(['band', 'bor', 'bxor', 'lshift', 'rshift', 'arshift', 'rol', 'ror', 'tohex', 'tobit', 'bnot', 'bswap'])
      const a = anyInt()
      if (['band', 'bor', 'bxor'].includes(name)) cases.push({ fn: `bit.${name}`, args: [a, anyInt(), ...(r.chance(0.3) ? [anyInt()] : [])] })
      else if (name === 'tohex') cases.push({ fn: 'bit.tohex', args: [a, r.int(21) - 10] })
      else if (['tobit', 'bnot', 'bswap'].includes(name)) cases.push({ fn: `bit.${name}`, args: [a] })
      else cases.push({ fn: `bit.${name}`, args: [a, r.chance(0.7) ? r.int(40) : anyInt()] })
    }
    cases.push({ fn: 'bit.band', args: [1, 'x'] }, { fn: 'bit.tobit', args: ['0x10'] }, { fn: 'bit.tohex', args: [1, -(2 ** 31)] }, { fn: 'bit.bor', args: [] })
    const mismatches = await compare(ref, { bit }, cases)
    expect(mismatches).toEqual([])
    expect(cases.length).toBeGreaterThanOrEqual(250)
  })
})
