import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTable } from '../../src/lua/lib/table.js'
import { LuaError, LuaTable, first, truthy, type LuaFunction, type LuaValue } from '../../src/lua/value.js'
import { rng } from '../helpers/differential.js'
import { missingTool } from '../helpers/servers.js'
import { compare, fn, Reference, tbl, type Case, type Spec } from './lib-differential.js'

const table = createTable()
const f = (name: string) => table.get(name) as LuaFunction

describe('table', () => {
  it('concat, insert, remove and sort as 5.1 does', () => {
    const t = LuaTable.fromArray(['a', 1, 2.5])
    expect(f('concat')(t, ',')).toBe('a,1,2.5')
    expect(() => f('concat')(LuaTable.fromArray([true]))).toThrow(new LuaError("invalid value (boolean) at index 1 in table for 'concat'"))
    f('insert')(t, 1, 'z')
    expect(t.arr).toEqual(['z', 'a', 1, 2.5])
    expect(() => f('insert')(t)).toThrow(new LuaError("wrong number of arguments to 'insert'"))
    expect(f('remove')(t, 1)).toBe('z')
    expect(() => f('sort')(t)).toThrow(new LuaError('attempt to compare number with string'))
    const n = LuaTable.fromArray([5, 3, 9, 1])
    f('sort')(n, (a: LuaValue, b: LuaValue) => (a as number) > (b as number))
    expect(n.arr).toEqual([9, 5, 3, 1])
    expect(() => f('setn')(n, 1)).toThrow(new LuaError("'setn' is obsolete"))
  })

  it('raises the invalid order error for a comparator that always says less', () => {
    const t = LuaTable.fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const always = () => true
    expect(() => f('sort')(t, always)).toThrow(new LuaError('invalid order function for sorting'))
    expect(truthy(first(f('foreachi')(t, (i: LuaValue) => (i === 3 ? 'stop' : undefined))))).toBe(true)
  })
})

const skip = missingTool('redis-server')

/** Lua's % floors, unlike JS's. */
const luaMod = (a: number, b: number) => a - Math.floor(a / b) * b

describe.skipIf(skip !== null)('table against redis-server', () => {
  let ref: Reference
  beforeAll(async () => {
    ref = await Reference.start()
  })
  afterAll(async () => {
    await ref?.stop()
  })

  it('agrees on concat, insert, remove, getn, maxn, foreach and errors', async () => {
    const abc = () => tbl(['a', 'b', 'c'])
    const cases: Case[] = [
      { fn: 'table.concat', args: [abc()] },
      { fn: 'table.concat', args: [abc(), ', '] },
      { fn: 'table.concat', args: [abc(), '-', 2] },
      { fn: 'table.concat', args: [abc(), '-', 2, 3] },
      { fn: 'table.concat', args: [abc(), '-', 3, 2] },
      { fn: 'table.concat', args: [abc(), '-', 1, 5] },
      { fn: 'table.concat', args: [tbl([1, 2.5, 1e15, -0.1])] },
      { fn: 'table.concat', args: [tbl([1, tbl()])] },
      { fn: 'table.concat', args: [tbl([1, true])] },
      { fn: 'table.concat', args: [] },
      { fn: 'table.concat', args: [abc(), 7] },
      { fn: 'table.insert', args: [abc(), 'd'], showFirst: true },
      { fn: 'table.insert', args: [abc(), 1, 'd'], showFirst: true },
      { fn: 'table.insert', args: [abc(), 2, 'd'], showFirst: true },
      { fn: 'table.insert', args: [abc(), 6, 'd'], showFirst: true },
      { fn: 'table.insert', args: [abc(), 0, 'd'], showFirst: true },
      { fn: 'table.insert', args: [abc(), -2, 'd'], showFirst: true },
      { fn: 'table.insert', args: [abc(), 'x', 'd'], showFirst: true },
      { fn: 'table.insert', args: [abc(), undefined], showFirst: true },
      { fn: 'table.insert', args: [abc()], showFirst: true },
      { fn: 'table.insert', args: [abc(), 1, 2, 3], showFirst: true },
      { fn: 'table.insert', args: [tbl(), 1, 'x'], showFirst: true },
      { fn: 'table.remove', args: [abc()], showFirst: true },
      { fn: 'table.remove', args: [abc(), 1], showFirst: true },
      { fn: 'table.remove', args: [abc(), 2], showFirst: true },
      { fn: 'table.remove', args: [abc(), 4], showFirst: true },
      { fn: 'table.remove', args: [abc(), 0], showFirst: true },
      { fn: 'table.remove', args: [tbl()], showFirst: true },
      { fn: 'table.remove', args: [tbl([], [[1, 'x']])], showFirst: true },
      { fn: 'table.getn', args: [abc()] },
      { fn: 'table.getn', args: [tbl([], [['x', 1]])] },
      { fn: 'table.getn', args: ['x'] },
      { fn: 'table.maxn', args: [tbl([1, 2], [[10, 1], [2.5, 1], [-3, 1], ['x', 1]])] },
      { fn: 'table.maxn', args: [tbl()] },
      { fn: 'table.setn', args: [abc(), 2] },
      { fn: 'table.foreachi', args: [abc(), fn('function(i, v) if i == 2 then return v end end', (i, v) => (i === 2 ? v : undefined))] },
      { fn: 'table.foreachi', args: [abc(), fn('function() end', () => undefined)] },
      { fn: 'table.foreach', args: [tbl([], [['k', 'v']]), fn('function(k, v) return k .. v end', (k, v) => `${k as string}${v as string}`)] },
      { fn: 'table.foreach', args: [abc(), 5] },
      { fn: 'table.sort', args: [tbl([3, 1, 'x'])], showFirst: true },
      { fn: 'table.sort', args: [tbl([tbl(), tbl()])], showFirst: true },
      { fn: 'table.sort', args: [tbl([true, false])], showFirst: true },
      { fn: 'table.sort', args: [abc(), 5], showFirst: true },
      { fn: 'table.sort', args: [tbl(['b', 'a', 'B', '', 'a\x00b', 'a\xff'])], showFirst: true },
    ]
    const mismatches = await compare(ref, { table }, cases)
    expect(mismatches).toEqual([])
  })

  it('sorts random arrays like 5.1, including inconsistent comparators', async () => {
    const r = rng(77)
    const cases: Case[] = []
    const cmpBy: [string, LuaFunction][] = [
      ['function(a, b) return a > b end', (a, b) => (a as number) > (b as number)],
      ['function(a, b) return a <= b end', (a, b) => (a as number) <= (b as number)],
      ['function(a, b) return true end', () => true],
      ['function(a, b) return a % 3 < b % 3 end', (a, b) => luaMod(a as number, 3) < luaMod(b as number, 3)],
    ]
    for (let i = 0; i < 70; i++) {
      const n = r.int(40)
      const items: Spec[] = []
      const dups = r.chance(0.5)
      for (let k = 0; k < n; k++) items.push(dups ? r.int(6) : r.int(1000) - 500)
      if (i % 3 === 0) cases.push({ fn: 'table.sort', args: [tbl(items)], showFirst: true })
      else {
        const [lua, js] = r.pick(cmpBy)
        // An order function that errors on nil (as a > b does) shows where the partition ran off.
        const guarded: LuaFunction = (a, b) => {
          if (a === undefined || b === undefined) return js(a ?? 0, b ?? 0)
          return js(a, b)
        }
        cases.push({ fn: 'table.sort', args: [tbl(items), fn(lua.replace('function(a, b)', 'function(a, b) a = a or 0 b = b or 0'), guarded)], showFirst: true })
      }
    }
    for (let i = 0; i < 10; i++) {
      const words: Spec[] = []
      for (let k = 0; k < 15; k++) words.push(Buffer.from([r.int(256), r.int(256)]).toString('latin1').slice(0, 1 + r.int(2)))
      cases.push({ fn: 'table.sort', args: [tbl(words)], showFirst: true })
    }
    const mismatches = await compare(ref, { table }, cases)
    expect(mismatches).toEqual([])
  })
})
