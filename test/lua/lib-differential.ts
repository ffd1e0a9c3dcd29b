import { formatG } from '../../src/resp/format.js'
import { LuaError, LuaTable, LuaUserdata, values, type LuaFunction, type LuaValue } from '../../src/lua/value.js'
import { startRedisReference, stopRedisReference, type RedisReference } from '../helpers/fixture.js'

/**
 * Differential cases for the bundled Lua libraries: each case is a library call
 * written once as data, rendered as Lua source for a real redis-server's EVAL and
 * run directly against our host functions. Both sides reduce the results to the
 * same canonical text (numbers as %.17g, strings as hex, tables with sorted keys),
 * so hash order and RESP's integer truncation do not get in the way.
 */

/** A value a case passes: plain data, a table, a function, or a call's results. */
export type Spec = number | string | boolean | undefined | TableSpec | FnSpec | RawSpec | CallSpec

export interface TableSpec { kind: 'table'; arr: Spec[]; hash: [Spec, Spec][] }
export interface FnSpec { kind: 'fn'; lua: string; js: LuaFunction }
export interface RawSpec { kind: 'raw'; lua: string; js: () => LuaValue }
export interface CallSpec { kind: 'call'; fn: string; args: Spec[] }

export const tbl = (arr: Spec[] = [], hash: [Spec, Spec][] = []): TableSpec => ({ kind: 'table', arr, hash })
export const fn = (lua: string, js: LuaFunction): FnSpec => ({ kind: 'fn', lua, js })
export const raw = (lua: string, js: () => LuaValue): RawSpec => ({ kind: 'raw', lua, js })
export const call = (fnName: string, ...args: Spec[]): CallSpec => ({ kind: 'call', fn: fnName, args })

export interface Case {
  /** `lib.fn` as Lua names it. */
  fn: string
  args: Spec[]
  /** Also compare the first argument (a table) after the call: insert, remove, sort. */
  showFirst?: boolean
  /**
   * Compare numbers to within 4 ulps: V8's transcendental functions (sin, exp,
   * pow...) may differ from glibc's in the last bits, below what tostring shows (%.14g).
   */
  approx?: boolean
}

function approxEqual(a: string, b: string): boolean {
  const nums = (s: string) => [...s.matchAll(/n:(-?[0-9.]+(?:e[+-]\d+)?)/g)].map((m) => Number(m[1]))
  const strip = (s: string) => s.replace(/n:(-?[0-9.]+(?:e[+-]\d+)?)/g, 'n:#')
  if (strip(a) !== strip(b)) return false
  const x = nums(a)
  const y = nums(b)
  return x.every((v, i) => Math.abs(v - y[i]) <= 4 * Number.EPSILON * Math.abs(v))
}

/** Lua source for a number that reads back as exactly this double. */
function luaNumber(n: number): string {
  if (n === Infinity) return 'math.huge'
  if (n === -Infinity) return '(-math.huge)'
  if (n !== n) return '(0/0)'
  if (Object.is(n, -0)) return '(-1/math.huge)'
  const s = formatG(n, 17)
  return n < 0 ? `(${s})` : s
}

function luaString(s: string): string {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    out += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? s[i] : '\\' + String(c).padStart(3, '0')
  }
  return out + '"'
}

export function toLua(v: Spec): string {
  switch (typeof v) {
    case 'undefined': return 'nil'
    case 'boolean': return String(v)
    case 'number': return luaNumber(v)
    case 'string': return luaString(v)
  }
  switch (v.kind) {
    case 'fn': return v.lua
    case 'raw': return v.lua
    case 'call': return `${v.fn}(${v.args.map(toLua).join(', ')})`
    case 'table': {
      const parts = v.arr.map(toLua)
      for (const [k, x] of v.hash) parts.push(`[${toLua(k)}]=${toLua(x)}`)
      return `{${parts.join(', ')}}`
    }
  }
}

export type Libs = Record<string, LuaTable>

function lookup(libs: Libs, name: string): LuaFunction {
  const [lib, f] = name.split('.')
  const v = libs[lib]?.get(f)
  if (typeof v !== 'function') throw new Error(`no function ${name}`)
  return v as LuaFunction
}

/** The JS value of a spec; a call's results spread when it is the last argument, as in Lua. */
function toJsArgs(libs: Libs, specs: Spec[]): LuaValue[] {
  const out: LuaValue[] = []
  specs.forEach((s, i) => {
    if (typeof s === 'object' && s.kind === 'call') {
      const r = values(lookup(libs, s.fn)(...toJsArgs(libs, s.args)))
      if (i === specs.length - 1) out.push(...r)
      else out.push(r[0])
    } else {
      out.push(toJs(libs, s))
    }
  })
  return out
}

export function toJs(libs: Libs, v: Spec): LuaValue {
  if (typeof v !== 'object') return v
  switch (v.kind) {
    case 'fn': return v.js
    case 'raw': return v.js()
    case 'call': return toJsArgs(libs, [v])[0]
    case 'table': {
      const t = new LuaTable()
      v.arr.forEach((x, i) => t.set(i + 1, toJs(libs, x)))
      for (const [k, x] of v.hash) t.set(toJs(libs, k), toJs(libs, x))
      return t
    }
  }
}

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex')

/** The canonical text of a value; the Lua twin is SER_LUA below. */
export function ser(v: LuaValue, depth = 0): string {
  switch (typeof v) {
    case 'undefined': return 'nil'
    case 'boolean': return String(v)
    case 'number': return v !== v ? 'n:nan' : 'n:' + formatG(v, 17)
    case 'string': return 's:' + hex(v)
    case 'function': return 'f'
  }
  if (v instanceof LuaUserdata) return 'u'
  if (v instanceof LuaTable) {
    if (depth > 20) return '{...}'
    const parts: string[] = []
    for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) parts.push(`${ser(e[0], depth + 1)}=${ser(e[1], depth + 1)}`)
    parts.sort()
    return `{${parts.join(',')}}`
  }
  return '?'
}

const SER_LUA = `
local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end
local ser
ser = function(v, depth)
  depth = depth or 0
  local t = type(v)
  if t == 'nil' then return 'nil' end
  if t == 'boolean' then return tostring(v) end
  if t == 'number' then if v ~= v then return 'n:nan' end return 'n:' .. string.format('%.17g', v) end
  if t == 'string' then return 's:' .. hex(v) end
  if t == 'function' then return 'f' end
  if t == 'userdata' then return 'u' end
  if t == 'table' then
    if depth > 20 then return '{...}' end
    local parts = {}
    for k, x in pairs(v) do parts[#parts + 1] = ser(k, depth + 1) .. '=' .. ser(x, depth + 1) end
    table.sort(parts)
    return '{' .. table.concat(parts, ',') .. '}'
  end
  return '?'
end
local function serAll(n, ...)
  local out = {}
  for i = 1, n do out[i] = ser((select(i, ...))) end
  return table.concat(out, '|')
end
`

/** The Lua script for a case: its result text, as runCaseJs produces it. */
export function caseScript(c: Case): string {
  const locals = c.args.map((a, i) => (typeof a === 'object' && a.kind === 'call' ? '' : `local a${i + 1} = ${toLua(a)}`)).join('\n')
  // Nested calls stay inline so that their results spread as they would in a script.
  const argList = c.args.map((a, i) => (typeof a === 'object' && a.kind === 'call' ? toLua(a) : `a${i + 1}`)).join(', ')
  const show = c.showFirst ? ` .. '#' .. ser(a1)` : ''
  return `${SER_LUA}
${locals}
local function run(ok, ...)
  if not ok then return 'E:' .. tostring((...)) end
  return 'ok:' .. serAll(select('#', ...), ...)
end
return run(pcall(function() return ${c.fn}(${argList}) end))${show}`
}

export function runCaseJs(libs: Libs, c: Case): string {
  // Plain arguments are built outside the protected call, nested calls inside it, as in the script.
  const plain = c.args.map((a) => (typeof a === 'object' && a.kind === 'call' ? undefined : toJs(libs, a)))
  let text: string
  try {
    const args: LuaValue[] = []
    c.args.forEach((a, i) => {
      if (typeof a === 'object' && a.kind === 'call') args.push(...toJsArgs(libs, [a]).slice(0, i === c.args.length - 1 ? undefined : 1))
      else args.push(plain[i])
    })
    const r = values(lookup(libs, c.fn)(...args))
    text = 'ok:' + r.map((v) => ser(v)).join('|')
  } catch (e) {
    if (!(e instanceof LuaError)) throw e
    text = 'E:' + (typeof e.value === 'string' ? e.value : String(e.value))
  }
  return c.showFirst ? `${text}#${ser(plain[0])}` : text
}

/** A reference redis-server with a client, for one test file. */
export class Reference {
  private constructor(private readonly ref: RedisReference) {}

  static async start(): Promise<Reference> {
    return new Reference(await startRedisReference())
  }

  /** Runs the cases in order (pipelined) and returns each result text. */
  async run(cases: Case[]): Promise<string[]> {
    const p = this.ref.client.pipeline()
    for (const c of cases) p.eval(caseScript(c), 0)
    const res = (await p.exec()) ?? []
    return res.map(([err, v]) => (err ? `REDIS-ERROR:${(err as Error).message}` : String(v)))
  }

  stop(): Promise<void> {
    return stopRedisReference(this.ref)
  }
}

/** Runs cases on both sides; returns the mismatches as readable lines. */
export async function compare(ref: Reference, libs: Libs, cases: Case[]): Promise<string[]> {
  const expected = await ref.run(cases)
  const mismatches: string[] = []
  cases.forEach((c, i) => {
    const got = runCaseJs(libs, c)
    // The chunk:line prefix is the interpreter's to add, not the library's.
    const want = expected[i].replace(/^E:user_script:\d+: /, 'E:')
    if (got !== want && !(c.approx && approxEqual(got, want))) mismatches.push(`${c.fn}(${c.args.map(toLua).join(', ')})\n  redis: ${want}\n  ours:  ${got}`)
  })
  return mismatches
}
