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

  it('keeps characters beyond latin1 a host value may hold, and recovers from a failed encode', () => {
    const t = LuaTable.fromArray(['a\u0100/', 'x'.repeat(30) + '\u20ac', 1.5, LuaTable.fromArray(['z\u0101"'])])
    expect(f('encode')(t)).toBe('["a\u0100\\/","' + 'x'.repeat(30) + '\u20ac",1.5,["z\u0101\\""]]')
    expect(() => f('encode')(LuaTable.fromArray(['abc', 'y'.repeat(10000), NaN]))).toThrow(new LuaError('Cannot serialise number: must not be NaN or Inf'))
    expect(f('encode')(LuaTable.fromArray(['abc']))).toBe('["abc"]')
    expect(f('encode')('z'.repeat(100000))).toBe('"' + 'z'.repeat(100000) + '"')
    expect(f('encode')(LuaTable.fromArray([1, 2]))).toBe('[1,2]')
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

  it('agrees on strings, numbers and nesting the one-pass decoder and the byte encoder handle', async () => {
    const long = 'abcdefghijklmnopqrstuvwxyz0123456789 \x80\xe9\xff'
    const strings = [long, long + '/', '"' + long, long + '\x7f', long + '\n' + long, 'x'.repeat(300), '\x80'.repeat(40), 'ab\\cd'.repeat(8), Buffer.from('é€😀', 'utf8').toString('latin1')]
    const numbers = [1.5, -1.5, 0.1, 0.0001, -0.0001, 0.00009999, 0.00015, 1e-5, 123456.789, 12345678901234, 12345678901234.5, 99999999999999,
      99999999999999.5, 1e14, -1e14, 2147483647, 2147483648, -2147483649, 4294967296, 1.0000000000000002, 0.30000000000000004, 1 / 7, 1e21, 5e-324,
      1.7976931348623157e308, 2 ** -1074 * 3, 1234.5e-8, 100, 1000000, 1e13 + 0.5]
    const cases: Case[] = []
    for (const v of [...strings, ...numbers]) cases.push({ fn: 'cjson.encode', args: [v] })
    cases.push({ fn: 'cjson.encode', args: [tbl(strings)] }, { fn: 'cjson.encode', args: [tbl(numbers)] })
    cases.push({ fn: 'cjson.encode', args: [tbl([], [[long, tbl([1.5, 'x', tbl([], [['k"' + long, -0.25]])])]])] })
    // Tables whose array items sit in the hash part, and holes.
    const holes = raw('(function() local t = {} t[3] = 3 t[2] = 2 t[1] = 1 return t end)()', () => {
      const t = new LuaTable()
      t.set(3, 3)
      t.set(2, 2)
      t.set(1, 1)
      return t
    })
    cases.push({ fn: 'cjson.encode', args: [holes] }, { fn: 'cjson.encode', args: [tbl([1, undefined, undefined, 4])] }, { fn: 'cjson.encode', args: [tbl([], [[2, 'b'], [1, 'a']])] })
    for (const p of [1, 3, 6, 10]) {
      cases.push({ fn: 'cjson.encode_number_precision', args: [p] })
      for (const n of numbers) cases.push({ fn: 'cjson.encode', args: [n] })
    }
    cases.push({ fn: 'cjson.encode_number_precision', args: [14] })
    const docs = ['"' + long + '"', '"' + 'x'.repeat(300) + '"', '"a\\\\b\\/c\\"' + long + '\\n"', '"\\u00E9\\u20AC\\uD83D\\uDE00\\u007f\\u0080\\u07ff\\u0800\\uffff"',
      '"\\ud83d\\ude0"', '"\\ud83d\\u"', '"\\ud83d"', '"\\ud83d\\\\"', '"\\udbff\\udfff"', '"\\ud800\\ud800"', '"\\u', '"\\u00', '"\\u00g0"', '"a\\', '"a\x00b"',
      '"\x01\x1f\t"', '-0.0', '0.0', '0e0', '1E+2', '1e-2', '-1.5e+300', '0.1e1', '1.5.3', '1e5e3', '0e', '1e+', '-a', '00', '-01', '0.', '.', '-.5', '1.e3',
      '123456789', '1234567890', '9007199254740993', '-2147483648', '4.94e-324', '2.4703282292062328e-324', '1.7976931348623159e308', '12345678901234567890e-10',
      '[1x]', '[1,2]x', 'truex', '[true,fals]', 'nulll', '[nan]', '[-inf]', '[0x1p4]', '{"a":0x10}', '[1,+2]', '[1e400,-1e400]', '[1]\x00', '["a"\x00]', '[1\x00]',
      ' { "a" : [ 1 , { "b" : null } ] , "c" : "d" } ', '{"a":1,"b":2,"a":3}', '{"1":1,"2":2}', '[[],{},[{}],{"":[]}]', '{"a":1 "b":2}', '{"a" : }', '{,}', '[,]',
      '{"a":1}}', '[1]]', '{"a":[1,2}', '{' + '"a":{'.repeat(998) + '}'.repeat(999), '{' + '"a":{'.repeat(999) + '}'.repeat(1000),
      '['.repeat(999) + '{"a":1}' + ']'.repeat(999)]
    for (const d of docs) cases.push({ fn: 'cjson.decode', args: [d] })
    cases.push({ fn: 'cjson.decode_max_depth', args: [3] })
    for (const d of ['[[[1]]]', '[[[[1]]]]', '{"a":{"b":{"c":1}}}', '{"a":{"b":{"c":{}}}}', '[{"a":[1]}]', '[{"a":[[]]}]']) cases.push({ fn: 'cjson.decode', args: [d] })
    cases.push({ fn: 'cjson.decode_max_depth', args: [1000] }, { fn: 'cjson.decode_invalid_numbers', args: [false] })
    for (const d of ['1', '-0', '1.5e3', '01', '-01', '0x10', '+1', 'inf', '-inf', 'nan', '[1,0x10]', '1.', '.5']) cases.push({ fn: 'cjson.decode', args: [d] })
    cases.push({ fn: 'cjson.decode_invalid_numbers', args: [true] })
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
