import { describe, expect, it } from 'vitest'
import { LuaEngine } from '../../src/lua/engine.js'
import { first, LuaTable } from '../../src/lua/value.js'

describe('coroutine library', () => {
  it('resumes to completion and reports status', () => {
    const t = first(new LuaEngine().run(`
      local co = coroutine.create(function(a, b) return a + b, coroutine.status(coroutine.running()) end)
      local ok, sum, st = coroutine.resume(co, 1, 2)
      local again = {coroutine.resume(co)}
      return {ok, sum, st, coroutine.status(co), again[2]}`, 'user_script')) as LuaTable
    expect(t.arr).toEqual([true, 3, 'running', 'dead', 'cannot resume dead coroutine'])
  })

  it('suspends at yield and passes values both ways', () => {
    const t = first(new LuaEngine().run(`
      local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) local c = coroutine.yield(b * 2) return c end)
      local _, x = coroutine.resume(co, 1)
      local _, y = coroutine.resume(co, 10)
      local _, z = coroutine.resume(co, 'x')
      return {x, y, z, coroutine.status(co)}`, 'user_script')) as LuaTable
    expect(t.arr).toEqual([2, 20, 'x', 'dead'])
  })

  it('refuses a yield across a metamethod or outside a coroutine, as Lua 5.1 does', () => {
    const e = new LuaEngine()
    expect(first(e.run(`local ok, m = coroutine.resume(coroutine.create(function()
      return setmetatable({}, {__index = function() coroutine.yield() end}).x end)) return m`, 'user_script')))
      .toBe('attempt to yield across metamethod/C-call boundary')
    expect(first(e.run('local ok, m = pcall(coroutine.yield) return m', 'user_script'))).toBe('attempt to yield across metamethod/C-call boundary')
  })
})
