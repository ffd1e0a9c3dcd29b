import { describe, expect, it } from 'vitest'
import { LuaEngine } from '../../src/lua/engine.js'
import { LuaError, LuaTable, first } from '../../src/lua/value.js'
import { useRedisReference } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'
import { rng } from '../helpers/differential.js'

/**
 * Seeded random Lua expressions, run on a real redis-server and on our engine: numbers
 * (negative, zero, fractions, huge), arithmetic, concatenation, comparisons, the string
 * functions scripts use, tostring/tonumber, table constructors under #, and/or/not, and
 * expressions that fail (each runs under pcall, so the error text is compared too).
 * Fifty expressions per EVAL, each reduced to "ok|type|tostring(value)".
 */

class Generator {
  constructor(private readonly rnd: () => number) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]
  }

  private chance(p: number): boolean {
    return this.rnd() < p
  }

  number(): string {
    return this.pick(['0', '1', '2', '3', '7', '10', '-1', '-7', '0.5', '-0.25', '1.5', '3.75', '1e300', '-1e300', '1e-5', '2^53', '255', '100', '1/3', '(0/0)', '1e15', '123456789', '-0'])
  }

  string(): string {
    return this.pick(["'abc'", "''", "'10'", "' 3 '", "'x y'", "'0x1F'", "'Hello'", "'1e2'", "'a,b'", "'%'", "'-5'"])
  }

  numeric(depth: number): string {
    if (depth <= 0 || this.chance(0.3)) return this.number()
    switch (Math.floor(this.rnd() * 9)) {
      case 0: case 1: case 2:
        return `(${this.numeric(depth - 1)} ${this.pick(['+', '-', '*', '/', '%', '^'])} ${this.numeric(depth - 1)})`
      case 3: return `-(${this.numeric(depth - 1)})`
      case 4: return `#${this.str(depth - 1)}`
      case 5: return `#{${this.list(depth - 1)}}`
      case 6: return `(tonumber(${this.str(depth - 1)}) or ${this.number()})`
      case 7: return `string.byte(${this.str(depth - 1)}, ${this.smallInt()})`
      default: return `math.${this.pick(['floor', 'ceil', 'abs'])}(${this.numeric(depth - 1)})`
    }
  }

  smallInt(): string {
    return this.pick(['1', '2', '3', '-1', '-2', '0', '5', '10'])
  }

  str(depth: number): string {
    if (depth <= 0 || this.chance(0.3)) return this.string()
    switch (Math.floor(this.rnd() * 8)) {
      case 0: case 1: return `(${this.any(depth - 1)} .. ${this.any(depth - 1)})`
      case 2: return `string.sub(${this.str(depth - 1)}, ${this.smallInt()}, ${this.smallInt()})`
      case 3: return `string.rep(${this.str(depth - 1)}, ${this.pick(['0', '1', '2', '3'])})`
      case 4: return `string.format(${this.pick(["'%d'", "'%5.2f'", "'%s'", "'%x'", "'%g'", "'%05d'", "'%.3f'", "'%i|%s'", "'%q'", "'%c'"])}, ${this.numeric(depth - 1)}${this.chance(0.2) ? `, ${this.any(depth - 1)}` : ''})`
      case 5: return `string.${this.pick(['upper', 'lower', 'reverse', 'len'])}(${this.str(depth - 1)})`
      case 6: return `tostring(${this.any(depth - 1)})`
      default: return `(${this.str(depth - 1)}):rep(${this.pick(['1', '2'])}, ${this.pick(["'-'", "''"])})`
    }
  }

  bool(depth: number): string {
    switch (Math.floor(this.rnd() * 5)) {
      case 0: return `(${this.numeric(depth - 1)} ${this.pick(['<', '<=', '>', '>=', '==', '~='])} ${this.numeric(depth - 1)})`
      case 1: return `(${this.str(depth - 1)} ${this.pick(['<', '<=', '==', '~='])} ${this.str(depth - 1)})`
      case 2: return `not ${this.any(depth - 1)}`
      case 3: return `(${this.any(depth - 1)} == ${this.any(depth - 1)})`
      default: return this.pick(['true', 'false', 'nil'])
    }
  }

  list(depth: number): string {
    const n = Math.floor(this.rnd() * 5)
    const items: string[] = []
    for (let i = 0; i < n; i++) items.push(this.chance(0.2) ? 'nil' : this.any(depth))
    return items.join(', ')
  }

  any(depth: number): string {
    const r = this.rnd()
    if (r < 0.4) return this.numeric(depth)
    if (r < 0.75) return this.str(depth)
    if (r < 0.9) return this.bool(depth)
    return `(${this.any(depth - 1)} ${this.pick(['and', 'or'])} ${this.any(depth - 1)})`
  }

  /** Sometimes something that fails: arithmetic on tables, nil, bad arguments. */
  expression(): string {
    if (this.chance(0.1)) {
      return this.pick([
        `(${this.any(2)} + {})`, `(nil .. ${this.str(1)})`, `string.rep()`, `string.sub()`, `(${this.str(2)} < ${this.numeric(1)})`,
        `string.format('%d', ${this.str(1)})`, `({} < {})`, `(-{})`, `#nil`, `tostring()`, `string.char(${this.numeric(1)})`,
        `error(${this.any(1)})`, `error(${this.str(1)}, 0)`, `(${this.string()}):bad()`, `math.floor('x')`,
      ])
    }
    return this.any(3)
  }
}

const WRAP = 'local function W(f) local ok, v = pcall(f) return tostring(ok) .. "|" .. type(v) .. "|" .. tostring(v) end local r = {} '

function batch(exprs: string[]): string {
  return WRAP + exprs.map((e, i) => `r[${i + 1}] = W(function() return ${e} end)`).join(' ') + ' return r'
}

function ours(engine: LuaEngine, src: string): unknown {
  try {
    const t = first(engine.run(src, 'user_script')) as LuaTable
    const out: unknown[] = []
    for (let i = 1; t.get(i) !== undefined; i++) out.push(t.get(i))
    return out
  } catch (e) {
    return e instanceof LuaError ? { error: e.value } : { crash: String(e) }
  }
}

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('random expressions against redis-server', () => {
  const reference = useRedisReference()

  it('gives the same value or error for 3,000 seeded expressions', async () => {
    const gen = new Generator(rng(5150).next)
    const engine = new LuaEngine()
    const mismatches: string[] = []
    for (let b = 0; b < 60; b++) {
      const exprs: string[] = []
      for (let i = 0; i < 50; i++) exprs.push(gen.expression())
      const src = batch(exprs)
      let want: unknown
      try {
        // Bytes as sent: strings are latin1 on our side, any byte on Redis's.
        const r = await reference.client.callBuffer('EVAL', src, '0')
        want = Array.isArray(r) ? r.map((x) => (Buffer.isBuffer(x) ? x.toString('latin1') : x)) : r
      } catch (e) {
        want = { error: (e as Error).message }
      }
      const got = ours(engine, src)
      if (!Array.isArray(want) || !Array.isArray(got)) {
        mismatches.push(`batch ${b}: redis ${JSON.stringify(want)}, ours ${JSON.stringify(got)}`)
        continue
      }
      for (let i = 0; i < exprs.length; i++) {
        if (want[i] !== got[i]) mismatches.push(`${exprs[i]}\n  redis: ${want[i]}\n  ours:  ${got[i]}`)
      }
    }
    expect(mismatches.length + ' mismatches\n' + mismatches.slice(0, 15).join('\n')).toBe('0 mismatches\n')
  })
})
