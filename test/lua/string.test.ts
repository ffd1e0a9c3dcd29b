import { describe, expect, it } from 'vitest'
import { createStringLibrary } from '../../src/lua/lib/string.js'
import { LuaError, LuaTable, NO_VALUES, values, type LuaFunction, type LuaValue } from '../../src/lua/value.js'

/**
 * The string library on its own, with expectations taken from Redis 7.0's Lua (the
 * differential test checks thousands more against a live redis-server; these run
 * without one and pin the behaviours a reader would doubt).
 */

const lib = createStringLibrary()
const call = (name: string, ...args: LuaValue[]) => values((lib.getStr(name) as LuaFunction)(...args))

function errorOf(name: string, ...args: LuaValue[]): string {
  try {
    call(name, ...args)
  } catch (e) {
    if (e instanceof LuaError) return String(e.value)
    throw e
  }
  throw new Error('no error')
}

describe('string library', () => {
  it('exposes 5.1 names, with gfind as gmatch', () => {
    for (const name of ['byte', 'char', 'dump', 'find', 'format', 'gfind', 'gmatch', 'gsub', 'len', 'lower', 'match', 'rep', 'reverse', 'sub', 'upper']) {
      expect(typeof lib.getStr(name)).toBe('function')
    }
    expect(lib.getStr('gfind')).toBe(lib.getStr('gmatch'))
  })

  it('formats numbers exactly as glibc printf', () => {
    expect(call('format', '%5.2f', 3.14159)).toEqual([' 3.14'])
    expect(call('format', '%d', 3.5)).toEqual(['3'])
    expect(call('format', '%x', -1)).toEqual(['ffffffffffffffff'])
    expect(call('format', '%.0f %.0f %.0f', 0.5, 1.5, 2.5)).toEqual(['0 2 2'])
    expect(call('format', '%.2f', 2.675)).toEqual(['2.67'])
    expect(call('format', '%.1e', 0.25)).toEqual(['2.5e-01'])
    expect(call('format', '%g %g', 1e20, 0.0001)).toEqual(['1e+20 0.0001'])
    expect(call('format', '%#g|%#x|%#o', 1, 255, 8)).toEqual(['1.00000|0xff|010'])
    // Every digit of the double's exact value, not JavaScript's 21-digit cut-off.
    expect(call('format', '%f', 1e300)).toEqual([BigInt(1e300).toString() + '.000000'])
    expect((call('format', '%.0f', 1e300)[0] as string).slice(0, 20)).toBe('10000000000000000525')
    expect(call('format', '%5.1s|%-4d|%+d', 'abc', 7, 7)).toEqual(['    a|7   |+7'])
  })

  it('quotes with %q as 5.1 does', () => {
    expect(call('format', '%q', 'a\0b\r\n"\\')).toEqual(['"a\\000b\\r\\\n\\"\\\\"'])
  })

  it('reports format errors with 5.1 texts', () => {
    expect(errorOf('format', '%d')).toBe("bad argument #2 to 'format' (no value)")
    expect(errorOf('format', '%y', 1)).toBe("invalid option '%y' to 'format'")
    expect(errorOf('format', '%------d', 1)).toBe('invalid format (repeated flags)')
    expect(errorOf('format', '%100d', 1)).toBe('invalid format (width or precision too long)')
    expect(errorOf('format', '%s', new LuaTable())).toBe("bad argument #2 to 'format' (string expected, got table)")
  })

  it('finds and matches with captures, positions and init', () => {
    expect(call('find', 'hello world', 'o w')).toEqual([5, 7])
    expect(call('find', 'hello', 'l', -2)).toEqual([4, 4])
    expect(call('find', 'a.b', '.', 1, true)).toEqual([2, 2])
    expect(call('find', 'key = value', '(%w+)%s*=%s*(%w+)')).toEqual([1, 11, 'key', 'value'])
    expect(call('match', 'hello', '()ll()')).toEqual([3, 5])
    expect(call('match', '  trim  ', '^%s*(.-)%s*$')).toEqual(['trim'])
    expect(call('match', 'f(a(b)c)d', '%b()')).toEqual(['(a(b)c)'])
    expect(call('match', 'THE (quick) fox', '%f[%a]%a+', 5)).toEqual(['quick'])
    expect(call('match', 'xyzzy', '(.)%1')).toEqual(['z'])
    expect(call('find', 'abc', 'x')).toEqual([undefined])
  })

  it('iterates with gmatch, stepping past empty matches', () => {
    const it = (lib.getStr('gmatch') as LuaFunction)('a1b22', '%d*') as LuaFunction
    const seen: LuaValue[] = []
    for (;;) {
      const r = it()
      if (r === NO_VALUES) break
      seen.push(...values(r))
    }
    expect(seen).toEqual(['', '1', '', '22', ''])
  })

  it('substitutes strings, tables and functions', () => {
    expect(call('gsub', 'hello world', '(%w+)', '<%1>')).toEqual(['<hello> <world>', 2])
    expect(call('gsub', 'hello', 'l', '%%', 1)).toEqual(['he%lo', 1])
    expect(call('gsub', 'abc', '', '-')).toEqual(['-a-b-c-', 4])
    const t = new LuaTable()
    t.set('a', 'A')
    t.set('b', false)
    expect(call('gsub', 'a b c', '%w', t)).toEqual(['A b c', 3])
    const meta = new LuaTable()
    meta.set('__index', (_t: LuaValue, k: LuaValue) => `[${String(k)}]`)
    const withIndex = new LuaTable()
    withIndex.metatable = meta
    expect(call('gsub', 'a b', '%w', withIndex)).toEqual(['[a] [b]', 2])
    expect(call('gsub', 'a b', '%w', (c: LuaValue) => (c === 'a' ? 1.5 : undefined))).toEqual(['1.5 b', 2])
    expect(errorOf('gsub', 'abc', '%w', '%2')).toBe('invalid capture index')
    expect(errorOf('gsub', 'abc', '%w', () => new LuaTable())).toBe('invalid replacement value (a table)')
    expect(errorOf('gsub', 'abc', '%w', true)).toBe("bad argument #3 to 'gsub' (string/function/table expected)")
  })

  it('reports malformed patterns', () => {
    expect(errorOf('find', 'a', '%')).toBe("malformed pattern (ends with '%')")
    expect(errorOf('find', 'a', '[a')).toBe("malformed pattern (missing ']')")
    expect(errorOf('find', 'a', '(')).toBe('unfinished capture')
    // ')' alone is no special character to find, which then searches for it as text.
    expect(call('find', 'a', ')')).toEqual([undefined])
    expect(errorOf('match', 'a', ')')).toBe('invalid pattern capture')
    expect(errorOf('find', 'a', '%f')).toBe("missing '[' after '%f' in pattern")
    expect(errorOf('find', 'a', '%1')).toBe('invalid capture index')
    expect(errorOf('find', 'a', '%b')).toBe('unbalanced pattern')
    expect(errorOf('find', 'a', '('.repeat(33))).toBe('too many captures')
  })

  it('matches long patterns, and turns running out of stack into a Lua error', () => {
    expect(call('find', 'a'.repeat(1000), 'a?'.repeat(1000) + '$')).toEqual([1, 1000])
    expect(errorOf('find', 'a'.repeat(200000), 'a?'.repeat(200000) + '$')).toBe('pattern too complex')
  })

  it('slices bytes with 5.1 index rules', () => {
    expect(call('sub', 'hello', -3, -2)).toEqual(['ll'])
    expect(call('sub', 'hello', 0)).toEqual(['hello'])
    expect(call('sub', 'hello', 1e20)).toEqual(['hello'])
    expect(call('byte', 'ABC', 1, -1)).toEqual([65, 66, 67])
    expect(call('byte', 'ABC', 4)).toEqual([])
    expect(errorOf('byte', 'x'.repeat(8000), 1, -1)).toBe('stack overflow (string slice too long)')
    expect(call('char', 72, 105)).toEqual(['Hi'])
    expect(errorOf('char', 256)).toBe("bad argument #1 to 'char' (invalid value)")
    expect(call('rep', 'ab', 3)).toEqual(['ababab'])
    expect(call('rep', 'ab', -1)).toEqual([''])
    expect(call('reverse', 'a\0\xff')).toEqual(['\xff\0a'])
  })

  it('changes case in the C locale only', () => {
    expect(call('upper', 'abc\xe9\xff')).toEqual(['ABC\xe9\xff'])
    expect(call('lower', 'ABC\xc9')).toEqual(['abc\xc9'])
    expect(call('len', 'a\0b')).toEqual([3])
  })

  it('refuses to dump functions', () => {
    expect(errorOf('dump', () => undefined)).toBe('unable to dump given function')
    expect(errorOf('dump')).toBe("bad argument #1 to 'dump' (function expected, got no value)")
  })
})
