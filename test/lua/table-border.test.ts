import { describe, expect, it } from 'vitest'
import { LuaEngine } from '../../src/lua/engine.js'
import { LuaTable, first, type LuaValue } from '../../src/lua/value.js'
import { useRedisReference } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'
import { rng } from '../helpers/differential.js'

/**
 * `#t` for tables with holes is whatever border PUC Lua 5.1's luaH_getn finds, which
 * depends on how its rehash split the keys between the array and hash parts. Seeded
 * random sequences of integer-key stores and removals (with the other ways scripts
 * grow and shrink tables mixed in) record `#t` after every step, on a real
 * redis-server and on our engine.
 */

const starts = ['{}', '{}', '{}', '{1, 2, 3}', '{1, nil, 3}', '{x = 1}', '{1, 2, x = 1, y = 2}', '{nil, nil, 3, nil}', '{[1] = 1, [2] = 2, [4] = 4}']

function sequence(rnd: () => number, range: number, steps: number): string {
  const pick = (n: number) => Math.floor(rnd() * n)
  const start = starts[pick(starts.length)]
  let src = `local t = ${start} local r = {} `
  for (let s = 0; s < steps; s++) {
    const op = rnd()
    const k = 1 + pick(range)
    if (op < 0.45) src += `t[${k}] = ${k} `
    else if (op < 0.7) src += `t[${k}] = nil `
    else if (op < 0.8) src += 't[#t + 1] = 0 '
    else if (op < 0.85) src += 't[#t] = nil '
    else if (op < 0.88) src += 'table.insert(t, 1) '
    else if (op < 0.91) src += 'table.remove(t) '
    else if (op < 0.94) src += `t.f${pick(6)} = ${rnd() < 0.7 ? '1' : 'nil'} `
    else if (op < 0.97) src += `t[${-pick(3)}] = 1 `
    else src += `t[${k + 0.5}] = 1 `
    src += 'r[#r + 1] = #t '
  }
  return src + 'return r'
}

function ours(engine: LuaEngine, src: string): unknown {
  let r: LuaTable
  try {
    r = first(engine.run(src, 'user_script')) as LuaTable
  } catch (e) {
    return String(e)
  }
  const out: LuaValue[] = []
  for (let i = 1; r.get(i) !== undefined; i++) out.push(r.get(i))
  return out
}

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('#t borders against redis-server', () => {
  const reference = useRedisReference()

  it('agrees on random sequences of integer-key stores and removals', async () => {
    const rnd = rng(20240611).next
    const engine = new LuaEngine()
    const mismatches: string[] = []
    for (let n = 0; n < 600; n++) {
      const range = [4, 8, 12, 20, 40, 100][n % 6]
      const src = sequence(rnd, range, 10 + Math.floor(rnd() * 40))
      const want = await reference.client.call('EVAL', src, '0')
      const got = ours(engine, src)
      if (JSON.stringify(want) !== JSON.stringify(got)) mismatches.push(`${src}\n  redis: ${JSON.stringify(want)}\n  ours:  ${JSON.stringify(got)}`)
    }
    expect(`${mismatches.length} mismatches\n` + mismatches.slice(0, 5).join("\n")).toBe("0 mismatches\n")
  })

  it('agrees on the common script patterns', async () => {
    const engine = new LuaEngine()
    const patterns = [
      'local t = {} for i = 1, 100 do t[#t + 1] = i end for i = 1, 100, 3 do t[i] = nil end return #t',
      'local t = {} for i = 1, 20 do t[i] = i end for i = 20, 1, -1 do t[i] = nil end return #t',
      'local t = {} for i = 1, 20 do t[i] = i end t[10] = nil return #t',
      'local t = {} for i = 1, 20 do t[i] = i end t[17] = nil return #t',
      'local t = {} for i = 1, 17 do t[i] = i end t[17] = nil t[16] = nil return #t',
      'local t = {} local head = 1 for i = 1, 50 do t[i] = i if i % 3 == 0 then t[head] = nil head = head + 1 end end return #t',
      'local t = {} t[1] = 1 t[2] = 2 t[4] = 4 return #t',
      'local t = {} t[1] = 1 t[2] = 2 t[3] = 3 t[5] = 5 return #t',
      'local t = {1, 2, 3, 4, 5, 6, 7, 8} t[9] = 9 t[11] = 11 return #t',
      'local t = {a = 1, b = 2, c = 3} t[1] = 1 t[2] = 2 t[4] = 4 return #t',
      'local t = {n = 0} for i = 1, 10 do t[i * 2] = i end return #t',
      'local t = {} for i = 10, 1, -1 do t[i] = i end t[5] = nil return #t',
      'local t = {unpack({1, 2, 3, nil, 5})} return #t',
      'local function f(...) return #{...} end return f(1, nil, 3, nil)',
      'local t = {} for i = 1, 10 do table.insert(t, i) end t[5] = nil table.insert(t, 99) return #t',
      'local t = {1, 2, 3} t[2] = nil t.x = 1 t.y = 2 t.z = 3 return #t',
    ]
    const mismatches: string[] = []
    for (const src of patterns) {
      const want = await reference.client.call('EVAL', src, '0')
      const got = first(engine.run(src, 'user_script'))
      if (want !== got) mismatches.push(`${src}: redis ${want}, ours ${got}`)
    }
    expect(mismatches).toEqual([])
  })
})
