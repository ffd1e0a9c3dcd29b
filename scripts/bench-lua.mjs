// CPU time per call of the Lua engine alone (no server): node scripts/bench-lua.mjs
// after npm run build.
import { LuaEngine } from '../dist/lua/engine.js'
import { LuaTable } from '../dist/lua/value.js'

const engine = new LuaEngine()
engine.globals.set('f', (k) => k.length)
const keys = new LuaTable()
keys.set(1, 'key:1')
keys.set(2, 'key:22')
engine.globals.set('KEYS', keys)

function bench(name, src, iterations) {
  const fn = engine.compile(src, 'user_script')
  for (let i = 0; i < iterations / 10; i++) fn()
  const start = process.cpuUsage()
  for (let i = 0; i < iterations; i++) fn()
  const used = process.cpuUsage(start)
  const us = (used.user + used.system) / iterations
  console.log(`${name}: ${us.toFixed(3)} µs/call`)
}

bench('two host calls', 'return f(KEYS[1]) + f(KEYS[2])', 2_000_000)
bench('100-element table', 'local t = {} for i = 1, 100 do t[i] = i end return t', 200_000)
bench('tight loop 1e6 (budget check per iteration)', 'local s = 0 for i = 1, 1000000 do s = s + i end return s', 50)
bench('ipairs over 100 elements', 'local t = {} for i = 1, 100 do t[i] = i end local s = 0 for _, v in ipairs(t) do s = s + v end return s', 100_000)
bench('pairs over 100 elements', 'local t = {} for i = 1, 100 do t[i] = i end local s = 0 for _, v in pairs(t) do s = s + v end return s', 100_000)
bench('fib(20) (function calls)', 'local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(20)', 200)
