import { describe, expect, it } from 'vitest'
import { LuaEngine } from '../../src/lua/engine.js'
import { first, LuaTable } from '../../src/lua/value.js'

describe('coroutine library (bodies that do not yield)', () => {
  it('resumes to completion and reports status', () => {
    const t = first(new LuaEngine().run(`
      local co = coroutine.create(function(a, b) return a + b, coroutine.status(coroutine.running()) end)
      local ok, sum, st = coroutine.resume(co, 1, 2)
      local again = {coroutine.resume(co)}
      return {ok, sum, st, coroutine.status(co), again[2]}`, 'user_script')) as LuaTable
    expect(t.arr).toEqual([true, 3, 'running', 'dead', 'cannot resume dead coroutine'])
  })

  it('says why yield is not possible yet', () => {
    const r = first(new LuaEngine().run('local ok, e = coroutine.resume(coroutine.create(function() coroutine.yield(1) end)) return e', 'user_script'))
    expect(r).toBe('user_script:1: attempt to yield across metamethod/C-call boundary')
  })
})
