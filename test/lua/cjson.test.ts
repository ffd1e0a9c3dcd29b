import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cjsonNull, createCjson } from '../../src/lua/lib/cjson.js'
import { LuaError, LuaTable, type LuaFunction } from '../../src/lua/value.js'
import { rng } from '../helpers/differential.js'
import { missingTool } from '../helpers/servers.js'
import { call, compare, fn, raw, Reference, tbl, type Case, type Spec } from './lib-differential.js'

const cjson = createCjson()
const f = (name: string) => cjson.get(name) as LuaFunction

describe('cjson', () => {
  it('encodes arrays, objects, numbers and escapes', () => {
    const t = LuaTable.fromArray([1, 2, new LuaTable()])
    ;(t.get(3) as LuaTable).set('a', 1)
    expect(f('encode')(t)).toBe('[1,2,{"a":1}]')
    expect(f('encode')(new LuaTable())).toBe('{}')
    expect(f('encode')('a/b\x01\x7f"\\\n')).toBe('"a\\/b\\u0001\\u007f\\"\\\\\\n"')
    expect(f('encode')(0.1 + 0.2)).toBe('0.3')
    expect(f('encode')(cjsonNull)).toBe('null')
    const sparse = new LuaTable()
    sparse.set(1, 1)
    sparse.set(11, 1)
    expect(() => f('encode')(sparse)).toThrow(new LuaError('Cannot serialise table: excessively sparse array'))
  })

  it('decodes with lua-cjson error texts', () => {
    expect(f('decode')('null')).toBe(cjsonNull)
    expect(() => f('decode')('')).toThrow(new LuaError('Expected value but found T_END at character 1'))
    expect(() => f('decode')('[1,]')).toThrow(new LuaError('Expected value but found T_ARR_END at character 4'))
    expect(() => f('decode')('"abc')).toThrow(new LuaError('Expected value but found unexpected end of string at character 5'))
    expect(f('decode')('"\\u00e9"')).toBe('\xc3\xa9')
  })
})

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('cjson against redis-server', () => {
  let ref: Reference
  const libs = { cjson }
  beforeAll(async () => {
    ref = await Reference.start()
  })
  afterAll(async () => {
    await ref?.stop()
  })

  it('agrees on encoding fixed values and its errors', async () => {
    const nul = raw('cjson.null', () => cjsonNull)
    // Built by a loop: a literal this deep exceeds Lua's parser limits.
    const nested = (levels: number) =>
      raw(`(function() local t = {1} for i = 1, ${levels} do t = {t} end return t end)()`, () => {
        let t = LuaTable.fromArray([1])
        for (let i = 0; i < levels; i++) t = LuaTable.fromArray([t])
        return t
      })
    const deep = nested(1000)
    const ok = nested(999)
    const values: Spec[] = [0, 1, -1, 0.1, 1e15, 1e14, 123456789012345, 1e100, -1e-7, 2 ** 53, 1 / 3, -0, Infinity, -Infinity, NaN,
      '', 'abc', 'a/b', '\x00\x01\x1f\x7f\x80\xff', '"\\\b\f\n\r\t', 'é', true, false, undefined, nul,
      tbl(), tbl([1, 2, 3]), tbl([1, undefined, 3]), tbl([], [[1, 1], [3, 3]]), tbl([], [[1, 1], [10, 3]]), tbl([], [[1, 1], [11, 3]]),
      tbl([], [[20, 1]]), tbl([], [[10, 1]]), tbl([], [[0, 1]]), tbl([], [[-1, 1]]), tbl([], [[1.5, 1]]), tbl([], [['a', tbl()]]),
      tbl([], [[true, 1]]), tbl([], [[tbl(), 1]]), tbl([], [['k', fn('function() end', () => undefined)]]), fn('function() end', () => undefined),
      tbl([], [[Infinity, 1]]), tbl([nul, nul]), tbl([], [['x\x00y', 'z']]), tbl([tbl([tbl([])])]), deep, ok]
    const cases: Case[] = values.map((v) => ({ fn: 'cjson.encode', args: [v] }))
    cases.push({ fn: 'cjson.encode', args: [] }, { fn: 'cjson.encode', args: [1, 2] }, { fn: 'cjson.decode', args: [] }, { fn: 'cjson.decode', args: ['1', 2] })
    const mismatches = await compare(ref, libs, cases)
    expect(mismatches).toEqual([])
  })

  it('agrees on decoding valid and invalid documents', async () => {
    const docs = ['', '  ', 'null', 'true', 'false', '0', '-0', '1.5', '1e400', '-1e400', '1E2', '0x10', '+1', '-inf', 'inf', 'nan', '-nan', 'Infinity',
      '01', '1.', '.5', '-', '--1', '1 x', 'x', 'tru', 'nul', '[', ']', '{', '}', '[]', '{}', '[1,2,3]', '[1,]', '[,1]', '[1 2]', '[1,null,{"a":[]}]',
      '{"a":1}', '{"a":1,}', '{1:2}', '{"a" 2}', '{"a":2 3', '{"a":1,"a":2}', '"abc', '"a\\"b"', '"\\u00e9\\ud83d\\ude00\\u0000z"', '"\\u12"', '"\\q"',
      '"\\ud800x"', '"\\udc00"', '"\\ud800\\u0041"', '"\\/\\b\\f\\n\\r\\t"', '"a\nb"', '"\x80\xff"', '1\x00', 'a\x00', '\x00', ' [ 1 , 2 ] ',
      '{"a":{"b":{"c":[1,{"d":null}]}}}', '[true,false,null]', '123456789012345678901234567890', '1e-400', '[1e2,-3.5E-2]', '"\\u0041"',
      '\t\r\n 1', '{"":""}', '[[[[[]]]]]', '"unterminated\\', '[1]x', '{"a":}', '{"a"}', '[1:2]', 'True', '"\\U0041"',
      '['.repeat(1001), '['.repeat(1000), '['.repeat(1000) + ']'.repeat(1000)]
    const cases: Case[] = docs.map((d) => ({ fn: 'cjson.decode', args: [d] }))
    const mismatches = await compare(ref, libs, cases)
    expect(mismatches).toEqual([])
  })

  it('agrees on the configuration functions', async () => {
    const cases: Case[] = [
      { fn: 'cjson.encode_max_depth', args: [] }, { fn: 'cjson.decode_max_depth', args: [] }, { fn: 'cjson.encode_number_precision', args: [] },
      { fn: 'cjson.encode_keep_buffer', args: [] }, { fn: 'cjson.encode_invalid_numbers', args: [] }, { fn: 'cjson.decode_invalid_numbers', args: [] },
      { fn: 'cjson.encode_sparse_array', args: [] }, { fn: 'cjson.encode_max_depth', args: [0] }, { fn: 'cjson.encode_invalid_numbers', args: ['x'] },
      { fn: 'cjson.encode_number_precision', args: [15] }, { fn: 'cjson.encode_sparse_array', args: ['maybe'] },
    ]
    const mismatches = await compare(ref, libs, cases)
    expect(mismatches).toEqual([])
  })

  it('agrees on random nested values: single-key objects encode, everything round-trips', async () => {
    const r = rng(4242)
    const scalar = (): Spec => {
      switch (r.int(6)) {
        case 0: return r.int(2000) - 1000
        case 1: return (r.next() - 0.5) * 10 ** (r.int(40) - 20)
        case 2: return Buffer.from(Array.from({ length: r.int(12) }, () => r.int(256))).toString('latin1')
        case 3: return r.chance(0.5)
        case 4: return raw('cjson.null', () => cjsonNull)
        default: return r.pick(['a/b', 'quote"', 'tab\t', 'x'])
      }
    }
    const value = (depth: number, single: boolean): Spec => {
      if (depth > 4 || r.chance(0.4)) return scalar()
      const n = r.int(5)
      if (r.chance(0.5)) return tbl(Array.from({ length: n }, () => value(depth + 1, single)))
      const keys = single ? Math.min(n, 1) : n
      return tbl([], Array.from({ length: keys }, (_, i) => [r.chance(0.8) ? `k${i}` : 100 + i, value(depth + 1, single)] as [Spec, Spec]))
    }
    const cases: Case[] = []
    for (let i = 0; i < 120; i++) cases.push({ fn: 'cjson.encode', args: [value(0, true)] })
    for (let i = 0; i < 120; i++) cases.push({ fn: 'cjson.decode', args: [call('cjson.encode', value(0, false))] })
    const mismatches = await compare(ref, libs, cases)
    expect(mismatches).toEqual([])
  })
})
