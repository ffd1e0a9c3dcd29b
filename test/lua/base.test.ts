import { describe, expect, it } from 'vitest'
import { LuaEngine } from '../../src/lua/engine.js'
import { first, type LuaValue } from '../../src/lua/value.js'

function run(src: string): LuaValue {
  return first(new LuaEngine().run(src, 'user_script'))
}

describe('base library', () => {
  it('prints tables and functions as unique addresses', () => {
    expect(run('return tostring({})')).toMatch(/^table: 0x[0-9a-f]+$/)
    expect(run('local a, b = {}, {} return tostring(a) ~= tostring(b)')).toBe(true)
    expect(run('return tostring(print or tostring)')).toMatch(/^function: 0x/)
  })

  it('positions error() by level', () => {
    expect(run('local function f() error("x", 2) end local ok, e = pcall(function()\nf()\nend) return e')).toBe('user_script:2: x')
    expect(run('local ok, e = pcall(function() error("x", 1) end) return e')).toBe('user_script:1: x')
  })

  it('loadstring names chunks as Lua does and refuses bytecode', () => {
    expect(run('local f, e = loadstring("x = ") return e')).toBe('[string "x = "]:1: unexpected symbol near \'<eof>\'')
    expect(run('return loadstring("\\27Lua")')).toBe(undefined)
  })

  it('has _VERSION and no print', () => {
    expect(run('return _VERSION')).toBe('Lua 5.1')
    expect(run('return print')).toBe(undefined)
  })
})
