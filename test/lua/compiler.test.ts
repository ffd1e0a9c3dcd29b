import { describe, expect, it } from 'vitest'
import { LuaEngine, LuaAbort } from '../../src/lua/engine.js'
import { LuaError, LuaTable, first, type LuaValue } from '../../src/lua/value.js'

/** What the differential test cannot reach: globals (Redis 7 forbids them), host calls, the budget. */

function run(src: string, ...args: LuaValue[]): LuaValue {
  return first(new LuaEngine().run(src, 'user_script', ...args))
}

function errorOf(src: string): LuaValue {
  try {
    new LuaEngine().run(src, 'user_script')
  } catch (e) {
    if (e instanceof LuaError) return e.value
    throw e
  }
  throw new Error('no error')
}

describe('compiler', () => {
  it('reads and writes globals through the environment table', () => {
    const e = new LuaEngine()
    e.run('counter = 41 function bump() counter = counter + 1 end bump()', 'user_script')
    expect(e.globals.get('counter')).toBe(42)
  })

  it('describes globals, upvalues, fields and methods in error texts', () => {
    expect(errorOf('return g.x')).toBe("user_script:1: attempt to index global 'g' (a nil value)")
    expect(errorOf('f()')).toBe("user_script:1: attempt to call global 'f' (a nil value)")
    expect(errorOf('local u return (function() return u.x end)()')).toBe("user_script:1: attempt to index upvalue 'u' (a nil value)")
    expect(errorOf('local t = {} t:m()')).toBe("user_script:1: attempt to call method 'm' (a nil value)")
    expect(errorOf('local a\nlocal b = 1\nreturn a + b')).toBe("user_script:3: attempt to perform arithmetic on local 'a' (a nil value)")
  })

  it('passes chunk arguments as ... and host functions get plain JS arguments', () => {
    const e = new LuaEngine()
    e.globals.set('f', (x: LuaValue) => (x as number) * 2)
    expect(first(e.run('local a, b = ... return f(a) + f(b)', 'user_script', 1, 2))).toBe(6)
  })

  it('turns host exceptions into catchable Lua errors with a position', () => {
    const e = new LuaEngine()
    e.globals.set('bad', () => {
      throw new TypeError('host broke')
    })
    expect(first(e.run('local ok, m = pcall(function() bad() end) return m', 'user_script'))).toBe('user_script:1: host broke')
  })

  it('ends deep recursion with stack overflow instead of crashing', () => {
    expect(errorOf('local function f(n) return 1 + f(n + 1) end return f(1)')).toMatch(/stack overflow/)
  })

  it('reports a string too long to build as Lua does, not as a crash', () => {
    expect(errorOf('local s = "xxxxxxxxxxxxxxxx" while true do s = s .. s end')).toMatch(/^user_script:1: not enough memory$/)
  })

  it('calls the budget hook, which can abort past pcall', () => {
    const e = new LuaEngine()
    let calls = 0
    e.setBudgetHook(1000, () => {
      calls++
      if (calls > 3) throw new LuaAbort('killed')
    })
    expect(() => e.run('pcall(function() while true do end end)', 'user_script')).toThrow(LuaAbort)
    e.setBudgetHook(1e9, () => {})
  })

  it('keeps string escapes as bytes', () => {
    expect(run('return "\\255\\0a"')).toBe('\xff\x00a')
    expect(run('return "\\q"')).toBe('q')
  })

  it('builds tables and closures per iteration', () => {
    const t = run('local t = {} for i = 1, 3 do t[i] = function() return i end end return {t[1](), t[2](), t[3]()}') as LuaTable
    expect(t.arr).toEqual([1, 2, 3])
  })

  it('finds string methods through the string metatable the host installs', () => {
    const e = new LuaEngine()
    const lib = new LuaTable()
    lib.set('upper', (x: LuaValue) => (x as string).toUpperCase())
    e.registerLibrary('string', lib)
    expect(first(e.run('local s = "ab" return s:upper() .. ("c"):upper()', 'user_script'))).toBe('ABC')
    expect(first(e.run('return getmetatable("").__index == string', 'user_script'))).toBe(true)
  })

  it('compiles a source once and shares the translation between environments', () => {
    const a = new LuaEngine()
    const b = new LuaEngine()
    a.run('x = 1', 'user_script')
    b.run('x = 2', 'user_script')
    expect([a.globals.get('x'), b.globals.get('x')]).toEqual([1, 2])
  })

  it('accepts the comment and statement forms queue scripts are written in', () => {
    // A long comment closed as --]] or followed by code on its line, a block comment
    // inside an argument list, doc-comment directives, stray semicolons, 1e309.
    const src = [
      '--[[ header',
      '  KEYS[1] something',
      '--]]',
      '--[[ more ]] local f = function (a, b) return a .. b end',
      '--- @directive "not/lua"',
      'local t = {};',
      't[#t+1] = f("x", "y" --[[second]]);',
      'local big = 1e309;',
      'local n, _ = math.modf(2.5)',
      'return t[1] .. n .. tostring(big)',
    ].join('\n')
    expect(run(src)).toBe('xy2inf')
  })

  it('reports syntax errors with Lua wording', () => {
    expect(errorOf('x = = 1')).toBe("user_script:1: unexpected symbol near '='")
    expect(errorOf("return 'abc")).toBe("user_script:1: unfinished string near '<eof>'")
  })
})
