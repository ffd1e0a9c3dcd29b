import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMath } from '../../src/lua/lib/math.js'
import * as rand48 from '../../src/lua/lib/rand48.js'
import { LuaError, type LuaFunction } from '../../src/lua/value.js'
import { rng } from '../helpers/differential.js'
import { missingTool } from '../helpers/servers.js'
import { compare, Reference, type Case } from './lib-differential.js'

const math = createMath()
const f = (name: string) => math.get(name) as LuaFunction

describe('math', () => {
  it('follows C for fmod, modf, frexp and ldexp', () => {
    expect(f('fmod')(-7, 3)).toBe(-1)
    expect(f('mod')(7, -3)).toBe(1)
    expect(f('fmod')(1, 0)).toBeNaN()
    expect(f('modf')(-3.5)).toEqual([-3, -0.5])
    expect(f('modf')(Infinity)).toEqual([Infinity, 0])
    expect(f('frexp')(8)).toEqual([0.5, 4])
    expect(f('ldexp')(0.5, 4)).toBe(8)
    expect(f('max')(1, 5, 3)).toBe(5)
    expect(math.get('huge')).toBe(Infinity)
  })

  it('draws the same rand48 sequence as a fresh Redis', () => {
    rand48.reset()
    expect(f('random')()).toBeCloseTo(0.39646477363839, 13)
    rand48.seed(42)
    expect([f('random')(1, 100), f('random')(1, 100)]).toEqual([75, 35])
    expect(() => f('random')(0)).toThrow(new LuaError("bad argument #1 to 'random' (interval is empty)"))
    expect(() => f('random')(1, 2, 3)).toThrow(new LuaError('wrong number of arguments'))
  })
})

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('math against redis-server', () => {
  let ref: Reference
  beforeAll(async () => {
    ref = await Reference.start()
  })
  afterAll(async () => {
    await ref?.stop()
  })

  it('agrees on functions of fixed and random arguments', async () => {
    const xs = [0, 1, -1, 0.5, -0.5, 2.5, -2.5, 3, 10, 100, 1e10, -1e10, 1e300, 1e-300, Infinity, -Infinity, 2 ** 53, Math.PI, 0.1]
    const one = ['abs', 'ceil', 'floor', 'sqrt', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'exp', 'log', 'log10', 'deg', 'rad', 'modf', 'frexp', 'sinh', 'cosh', 'tanh']
    const cases: Case[] = []
    const exact = new Set(['abs', 'ceil', 'floor', 'sqrt', 'deg', 'rad', 'modf', 'frexp'])
    for (const n of one) for (const x of xs) cases.push({ fn: `math.${n}`, args: [x], approx: !exact.has(n) })
    const r = rng(5)
    for (let i = 0; i < 80; i++) {
      const a = (r.next() - 0.5) * 2 ** r.int(20)
      const b = r.chance(0.2) ? r.pick([0, -0.0, Infinity, 2]) : (r.next() - 0.5) * 2 ** r.int(20)
      const name = r.pick(['atan2', 'pow', 'fmod', 'mod', 'min', 'max'])
      cases.push({ fn: `math.${name}`, args: [a, b], approx: name === 'atan2' || name === 'pow' })
    }
    for (const [m, e] of [[0.5, 4], [1, 1024], [1, -1074], [0.75, -1080], [3, 2.7]]) cases.push({ fn: 'math.ldexp', args: [m, e] })
    cases.push({ fn: 'math.min', args: [] }, { fn: 'math.max', args: [3, 'x'] }, { fn: 'math.floor', args: ['2.5'] }, { fn: 'math.sqrt', args: [] })
    cases.push({ fn: 'math.pow', args: [1, NaN] }, { fn: 'math.pow', args: [-1, Infinity] }, { fn: 'math.pow', args: [NaN, 0] }, { fn: 'math.pow', args: [-8, 1 / 3] })
    const mismatches = await compare(ref, { math }, cases)
    expect(mismatches).toEqual([])
  })

  it('continues the same random sequence across scripts, with and without seeds', async () => {
    // The reference server is fresh: it has run no random() yet, like rand48 after reset().
    rand48.reset()
    const cases: Case[] = []
    for (let i = 0; i < 10; i++) cases.push({ fn: 'math.random', args: [] })
    cases.push({ fn: 'math.random', args: [100] }, { fn: 'math.random', args: [5, 10] }, { fn: 'math.random', args: [0] }, { fn: 'math.random', args: [3, 1] })
    for (const s of [42, 0, -5, 2.7, 3e9, 1e20, -1e20, 123456789]) {
      cases.push({ fn: 'math.randomseed', args: [s] })
      for (let i = 0; i < 4; i++) cases.push({ fn: 'math.random', args: i % 2 === 0 ? [1, 100] : [] })
    }
    cases.push({ fn: 'math.random', args: [-(2 ** 31), 2 ** 31 - 1] }, { fn: 'math.random', args: [1, 2, 3] })
    const mismatches = await compare(ref, { math }, cases)
    expect(mismatches).toEqual([])
  })
})
