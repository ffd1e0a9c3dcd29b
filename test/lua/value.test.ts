import { describe, expect, it } from 'vitest'
import { LuaError, LuaTable, numberToString, stringToNumber } from '../../src/lua/value.js'

/** The value layer's conventions that the compiler and libraries rely on. */

describe('LuaTable', () => {
  it('keeps 1..n in the array part and gives PUC Lua 5.1 borders', () => {
    const t = new LuaTable()
    t.set(1, 'a')
    t.set(2, 'b')
    t.set(4, 'd')
    // The rehash for key 4 sizes the array part to 4 (3 of 4 slots used), so the border is 4.
    expect(t.length()).toBe(4)
    t.set(3, 'c')
    expect(t.length()).toBe(4)
    expect(t.arr).toEqual(['a', 'b', 'c', 'd'])
    expect(LuaTable.fromArray(['x', undefined, 'z']).length()).toBe(3)
    t.set(4, undefined)
    expect(t.length()).toBe(3)
    expect(t.get(2.0)).toBe('b')
  })

  it('normalises keys, refuses nil and NaN keys with Lua 5.1 texts', () => {
    const t = new LuaTable()
    t.set(-0, 'zero')
    expect(t.get(0)).toBe('zero')
    expect(() => t.set(undefined, 1)).toThrow(new LuaError('table index is nil'))
    expect(() => t.set(NaN, 1)).toThrow(new LuaError('table index is NaN'))
  })

  it('next walks the array part then the hash part, and survives assignment to existing fields', () => {
    const t = LuaTable.fromArray(['a', 'b'])
    t.set('x', 1)
    t.set('y', 2)
    const seen: unknown[] = []
    for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
      seen.push(e[0])
      t.set(e[0], 'changed')
    }
    expect(seen).toEqual([1, 2, 'x', 'y'])
    expect(t.get('y')).toBe('changed')
    expect(() => t.next('missing')).toThrow("invalid key to 'next'")
  })
})

describe('number conversions', () => {
  it('print with %.14g as Lua 5.1 does', () => {
    expect(numberToString(4)).toBe('4')
    expect(numberToString(1e15)).toBe('1e+15')
    expect(numberToString(2 ** 53)).toBe('9.007199254741e+15')
    expect(numberToString(2 ** 31)).toBe('2147483648')
    expect(numberToString(0.1)).toBe('0.1')
    expect(numberToString(1 / 3)).toBe('0.33333333333333')
    expect(numberToString(1 / 0)).toBe('inf')
    expect(numberToString(-1 / 0)).toBe('-inf')
    expect(numberToString(-0)).toBe('-0')
  })

  it('read decimal and hex with surrounding spaces, and nothing else', () => {
    expect(stringToNumber(' 10 ')).toBe(10)
    expect(stringToNumber('0x1F')).toBe(31)
    expect(stringToNumber('0x1.8p1')).toBe(3)
    expect(stringToNumber('0x1p')).toBeUndefined()
    expect(stringToNumber('1e2')).toBe(100)
    expect(stringToNumber('.5')).toBe(0.5)
    expect(stringToNumber('5.')).toBe(5)
    expect(stringToNumber('1 2')).toBeUndefined()
    expect(stringToNumber('')).toBeUndefined()
    expect(stringToNumber('abc')).toBeUndefined()
  })
})
