import { describe, expect, it } from 'vitest'
import { createStringLibrary } from '../../src/lua/lib/string.js'
import { LuaError, LuaTable, numberToString, values, type LuaFunction, type LuaValue } from '../../src/lua/value.js'
import { rng } from '../../scripts/prng.mjs'
import { useRedisReference } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * The string library against Redis 7.0's own Lua: every case calls our function
 * directly and the same function inside EVAL, and both sides describe their results
 * (or error message) as "type:tostring" strings, so numbers compare as Lua prints them.
 */

type Case = { fname: string; args: LuaValue[] }

const lib = createStringLibrary()
const fn = (name: string) => lib.getStr(name) as LuaFunction

/** The replacement table of 'gsubt' cases, built identically on both sides. */
const LUA_TABLE = "{a='[A]', b=7, ab=false, ['1']='one', [1]='pos1', c={}}"
function replacementTable(): LuaTable {
  const t = new LuaTable()
  t.set('a', '[A]')
  t.set('b', 7)
  t.set('ab', false)
  t.set('1', 'one')
  t.set(1, 'pos1')
  t.set('c', new LuaTable())
  return t
}

// Called by name in the script so that Lua's argument errors name the function.
const NAMES = ['byte', 'char', 'dump', 'find', 'format', 'gsub', 'len', 'lower', 'match', 'rep', 'reverse', 'sub', 'upper']

// ARGV[1] names the case's function; the other arguments carry a one-letter type tag.
const SCRIPT = `
local fname = ARGV[1]
local a, n = {}, #ARGV - 1
for i = 2, #ARGV do
  local v = ARGV[i]
  local t, s = string.sub(v, 1, 1), string.sub(v, 2)
  if t == 'n' then a[i - 1] = tonumber(s) elseif t == 'b' then a[i - 1] = (s == 'true') elseif t == 't' then a[i - 1] = {} else a[i - 1] = s end
end
local out = {}
local function push(...)
  local k = select('#', ...)
  out[#out + 1] = '#' .. k
  for i = 1, k do
    local v = select(i, ...)
    out[#out + 1] = type(v) .. ':' .. tostring(v)
  end
end
local ok, err = pcall(function()
  if fname == 'gmatch' then
    local it = string.gmatch(a[1], a[2])
    for i = 1, 200 do
      local r = {it()}
      if r[1] == nil then break end
      push(unpack(r))
    end
  elseif fname == 'gsubf' then
    push(string.gsub(a[1], a[2], function(...)
      if a[3] == '' then return nil end
      return table.concat({...}, '|') .. a[3]
    end, a[4]))
  elseif fname == 'gsubt' then
    push(string.gsub(a[1], a[2], ${LUA_TABLE}, a[3]))
${NAMES.map((f) => `  elseif fname == '${f}' then\n    push(string.${f}(unpack(a, 1, n)))`).join('\n')}
  end
end)
if not ok then return {'err', tostring(err)} end
return out
`

function describeValue(v: LuaValue): string {
  if (v === undefined) return 'nil:nil'
  if (typeof v === 'number') return `number:${numberToString(v)}`
  if (typeof v === 'string') return `string:${v}`
  if (typeof v === 'boolean') return `boolean:${v}`
  return `${typeof v}:?`
}

function local(c: Case): string[] {
  const out: string[] = []
  const push = (vs: LuaValue[]) => {
    out.push('#' + vs.length)
    for (const v of vs) out.push(describeValue(v))
  }
  const a = c.args
  try {
    if (c.fname === 'gmatch') {
      const it = fn('gmatch')(a[0], a[1]) as LuaFunction
      for (let i = 0; i < 200; i++) {
        const r = values(it())
        if (r[0] === undefined) break
        push(r)
      }
    } else if (c.fname === 'gsubf') {
      const suffix = a[2] as string
      const repl = (...caps: LuaValue[]) =>
        suffix === '' ? undefined : caps.map((x) => (typeof x === 'number' ? numberToString(x) : x)).join('|') + suffix
      push(values(fn('gsub')(a[0], a[1], repl, a[3])))
    } else if (c.fname === 'gsubt') {
      push(values(fn('gsub')(a[0], a[1], replacementTable(), a[2])))
    } else {
      push(values(fn(c.fname)(...a)))
    }
  } catch (e) {
    if (!(e instanceof LuaError)) throw e
    return ['err', String(e.value)]
  }
  return out
}

function encodeArg(v: LuaValue): string {
  if (typeof v === 'number') return 'n' + (Object.is(v, -0) ? '-0' : String(v))
  if (typeof v === 'boolean') return 'b' + String(v)
  if (v instanceof LuaTable) return 't'
  return 's' + (v as string)
}

function luaText(c: Case): string {
  return `${c.fname}(${c.args.map((v) => (Object.is(v, -0) ? '-0' : JSON.stringify(v))).join(', ')})`
}

// ---------------------------------------------------------------------------
// The cases

const NUMBERS = [
  0, -0, 0.5, 1.5, 2.5, -2.5, 3.5, 1e15, 1e-5, 123456789.123, -1, 2 ** 31, 2 ** 53, 1 / 3, 2 / 3, 1e300, 1e-300,
  5e-324, 1.7976931348623157e308, Infinity, -Infinity, NaN, 0.125, 0.0625, 1e21, 255, 65, 3.14159, 100, 99.995,
  0.05, 1.005, 2 ** 63, -(2 ** 63), 2 ** 64, -1.5, 12345.6789, 9.5, 0.000123456, 1e16, 0.045, 1e100, 7,
]

const CONVERSIONS = ['d', 'i', 'u', 'c', 'x', 'X', 'o', 'e', 'E', 'f', 'g', 'G']

function formatCases(): Case[] {
  const cases: Case[] = []
  for (const conv of CONVERSIONS) {
    for (const x of NUMBERS) {
      if (conv === 'c' && !(x >= 0 && x < 256)) continue
      cases.push({ fname: 'format', args: [`%${conv}`, x] })
    }
  }
  const r = rng(9)
  const flags = ['', '-', '+', ' ', '#', '0', '-0', '+0', '#0', '- ', '+ ', '#-', '0+#']
  const widths = ['', '1', '5', '12', '30', '99']
  const precisions = ['', '.', '.0', '.1', '.2', '.5', '.10', '.17', '.30', '.99']
  for (let i = 0; i < 700; i++) {
    const conv = r.pick(CONVERSIONS)
    const spec = `%${r.pick(flags)}${r.pick(widths)}${r.pick(precisions)}${conv}`
    let x = r.pick(NUMBERS)
    if (conv === 'c') x = r.int(256)
    if (r.chance(0.2)) x = (r.next() - 0.5) * 10 ** (r.int(40) - 20)
    cases.push({ fname: 'format', args: [`[${spec}]`, x] })
  }
  for (const f of ['%f', '%.0f', '%.1f', '%.2f', '%.3f', '%e', '%.0e', '%.1e', '%g', '%.1g', '%.2g', '%.15g', '%.17g', '%.20f', '%.60f']) {
    for (const x of [0.5, 1.5, 2.5, 0.25, 0.75, 0.125, 0.375, 1.25, 2.675, 1e23, 5e-324, 0.1, 1234.5, 0.015625, 8.5e-5]) {
      cases.push({ fname: 'format', args: [f, x] })
      cases.push({ fname: 'format', args: [f, -x] })
    }
  }
  // Dyadic rationals land exactly on rounding ties, where C rounds to even.
  for (let i = 0; i < 500; i++) {
    const x = (r.int(100000) / 2 ** r.int(14)) * (r.chance(0.3) ? -1 : 1) * (r.chance(0.1) ? 2 ** 60 : 1)
    cases.push({ fname: 'format', args: [`%.${r.int(12)}${r.pick(['f', 'e', 'g', 'G', 'E'])}`, x] })
  }
  for (const x of [1e21, 1e22, 1.5e300, 2 ** 70, 123e45, 1e300, 9.999999999999999e22]) {
    for (const f of ['%f', '%.3f', '%.0f', '%.99f', '%.50e', '%.99e', '%.99g', '%#.0f', '%30.1e']) cases.push({ fname: 'format', args: [f, x] })
  }
  const strings: [string, ...LuaValue[]][] = [
    ['%s', 'hello'], ['%10s|', 'hi'], ['%-10s|', 'hi'], ['%.3s', 'abcdef'], ['%5.1s|', 'abc'], ['%s', 1.5],
    ['%s', 12], ['%s', 1e100], ['%s %s', 'a', 'b'], ['%q', 'a\0b\r\n"\\\t\x01\xff'], ['%q', ''], ['%q', 12],
    ['%s', 'a\0b'], ['%5s|', 'a\0b'], ['%s', 'x'.repeat(150) + '\0y'], ['%.200s', 'x'.repeat(150) + '\0y'],
    ['%20s', 'x'.repeat(120)], ['%%'], ['%%%d%%', 5], ['abc'], [''], ['%c%c%c', 76, 117, 97], ['[%5c]', 0], ['[%-5c]', 0],
    ['%c', 256 + 65], ['%d', '10'], ['%d', ' 0x1F '], ['%x', '255'], ['%5.2f', '3.14159'], ['%d', 'abc'],
    ['%d'], ['%s'], ['%d %d', 1], ['%y', 1], ['%', 1], ['%10', 1], ['%------d', 1], ['%-----d|', 1], ['%100d', 1],
    ['%.100d', 1], ['%1.1.1d', 1], ['%s', new LuaTable()], ['%d', true], ['%q', true], ['%*d', 5, 1], ['%ld', 1],
    ['%hd', 1], ['%a', 1], ['%n', 1], ['%p', 1], ['%F', 1], ['%5%'], ['%-5%|'],
    ['%d %s %5.1f %x %q', 42, 'str', 2.25, 255, 'q"'],
  ]
  for (const [f, ...rest] of strings) cases.push({ fname: 'format', args: [f, ...rest] })
  return cases
}

const SUBJECTS = ['hello world', 'key = value', '  trim me  ', 'a,b,,c', '(foo(bar))baz', 'THE (quick) fox', 'aaa', '',
  'x=1, y=22, z=333', 'abc\0def', '\xe9t\xe9 caf\xe9', 'f(a(b)c)d', '[[x]]', '1.5e10 and -3', 'THE END.']

const PATTERNS = ['o', 'l+', 'l*', 'l-', 'lo?', '^h', '^%s*(.-)%s*$', '%a+', '%A+', '%d+', '%D', '%l+', '%u+', '%w+', '%W',
  '%x+', '%p', '%s+', '%S+', '%c', '%z', '.', '.-', '(%w+)%s*=%s*(%w+)', '()ll()', '(l)(l)', '(h)(e)(l)', '%b()', '%b)(',
  '%f[%w]%w+', '%f[%W]', '%f[%a]', '[aeiou]', '[^aeiou ]+', '[a-f]+', '[%d,]+', '[]]', '[^]]+', '[a-]', '[%-x]', '(.)%1',
  '(%a)(%a)%2%1', '$', '^$', 'o$', 'd$', '^', '[%a_][%w_]*', '%.', '%%', '%(', '(', ')', '%', '[a', '[^', '%f',
  '%fw', '(()', '%1', '(a)%2', '(%b())', '%b', '%ba', '[%]', 'a\0b', '%d+%.?%d*', '[+-]?%d+', '(%d+)', '((%a)%a)',
  '(a*(.)%w(%s*))', 'x*', '%a-%s', '[\xe0-\xff]+', '%a*', '%s*$', '^(%w+)', 'a-b', '.*', '.+$']

function patternCases(): Case[] {
  const cases: Case[] = []
  for (const s of SUBJECTS) {
    for (const p of PATTERNS) {
      cases.push({ fname: 'find', args: [s, p] })
      cases.push({ fname: 'match', args: [s, p] })
      cases.push({ fname: 'gmatch', args: [s, p] })
      cases.push({ fname: 'gsub', args: [s, p, '<%0>'] })
    }
  }
  const extra: [string, ...LuaValue[]][] = [
    ['find', 'hello', 'l', 1], ['find', 'hello', 'l', 4], ['find', 'hello', 'l', 5], ['find', 'hello', 'l', -1],
    ['find', 'hello', 'l', -2], ['find', 'hello', 'l', -100], ['find', 'hello', 'l', 100], ['find', 'hello', '', 100],
    ['find', 'hello', '', 6], ['find', 'hello', '', 5], ['find', 'hello', '', -1], ['find', 'a.b', '.', 1, true],
    ['find', 'a.b', '.', 2, true], ['find', 'a(b', '(', 1, true], ['find', 'a(b', '(', 1, false], ['find', 'ab', '^b', 2],
    ['match', 'ab', '^b', 2], ['find', 'a+b', '+', 1, 1], ['match', 'hello', '(h)(e)', 1.9], ['match', 'hello', '.', -3],
    ['find', 'x\0y', '\0'], ['find', 'x\0y', '\0y'], ['find', 'x\0.y', '\0.'], ['match', 'x\0y', '%z'], ['find', 12345, 34],
    ['match', 3.25, '%d+'], ['find', 'abc', 'b', '2'], ['find', 'abc'], ['match'], ['find', new LuaTable(), 'a'],
    ['gsub', 'hello world', 'o', '0', 1], ['gsub', 'hello world', 'o', '0', 0], ['gsub', 'hello world', 'o', '0', -1],
    ['gsub', 'hello world', 'o', '0', 1.9], ['gsub', 'hello', '', '-'], ['gsub', 'hello', '', '-', 3],
    ['gsub', 'hello world', '(%w+)', '%1 %1'], ['gsub', 'hello world', '%w+', '%0 %0'], ['gsub', 'hello', '(l)', '%2'],
    ['gsub', 'hello', 'l', '%1'], ['gsub', 'hello', 'l', '%%'], ['gsub', 'hello', 'l', '%'], ['gsub', 'hello', 'l', '%x'],
    ['gsub', 'hello', '()l', '%1'], ['gsub', 'hello', 'l', 5], ['gsub', 'hello', 'l', 2.5], ['gsub', 'hello', 'l', true],
    ['gsub', 'hello', 'l'], ['gsub', 'hello', 'l', 'x', 'y'], ['gsub', 'abc', '^a', 'X'], ['gsub', 'aaa', '^a', 'X'],
    ['gsub', 'abc', '$', 'X'], ['gsub', 'abc', '^', 'X'], ['gsub', 'abc', '(', 'x'], ['gsub', 'abc', '(', '%1'],
    ['gsub', 'abc', 'b*', '-'], ['gsub', 'hello world', '%s*', '_'], ['gsub', 'a\0b', '%z', 'Z'],
    ['gsubf', 'hello world', '%w+', '!'], ['gsubf', 'hello world', '(%w)(%w*)', '!'], ['gsubf', 'hello world', '%w+', ''],
    ['gsubf', 'hello world', '()(o)()', '?'], ['gsubf', 'abc', '', '.'], ['gsubf', 'abc', '%w', '', 2],
    ['gsubt', 'a b ab c d', '%w+'], ['gsubt', 'a b ab d', '%w+'], ['gsubt', 'a b', '(%w)'], ['gsubt', 'xyz', '()y'],
    ['gsubt', 'ab', '(a)(b)'], ['gsubt', 'a b a', '%w+', 2],
  ]
  for (const [f, ...rest] of extra) cases.push({ fname: f, args: rest })
  return cases
}

function miscCases(): Case[] {
  const list: [string, ...LuaValue[]][] = [
    ['byte', 'ABC'], ['byte', 'ABC', 2], ['byte', 'ABC', -1], ['byte', 'ABC', 1, -1], ['byte', 'ABC', 0], ['byte', 'ABC', 4],
    ['byte', 'ABC', -10, 10], ['byte', 'ABC', 3, 1], ['byte', ''], ['byte', '\xff\0'], ['byte', '\xff\0', 1, 2],
    ['byte', 'ABC', 1.9, 2.9], ['byte', 123, 2], ['byte'], ['byte', 'ABC', 'x'], ['byte', 'x'.repeat(7997), 1, -1],
    ['byte', 'x'.repeat(7998), 1, -1], ['byte', 'x'.repeat(7998), 2, -1],
    ['char'], ['char', 65, 66, 67], ['char', 0, 255], ['char', 256], ['char', -1], ['char', 65.9], ['char', '66'],
    ['char', 'x'], ['char', 65, new LuaTable()], ['char', 2 ** 32 + 65], ['char', 1e20], ['char', -0.5],
    ['sub', 'hello', 2], ['sub', 'hello', 2, 3], ['sub', 'hello', -3], ['sub', 'hello', -3, -2], ['sub', 'hello', 0],
    ['sub', 'hello', 0, 0], ['sub', 'hello', 10], ['sub', 'hello', -10, 2], ['sub', 'hello', 3, 2], ['sub', 'hello', 2, 100],
    ['sub', 'hello', 1e20], ['sub', 'hello', -1e20, 1e20], ['sub', 'hello', 1.5, 3.7], ['sub', 'hello'], ['sub', 12345, 2, 3],
    ['sub', 'hello', '2', '-2'], ['sub', 'hello', 'a'], ['sub', '', 1],
    ['rep', 'ab', 3], ['rep', 'ab', 0], ['rep', 'ab', -1], ['rep', '', 5], ['rep', 'x', 2.9], ['rep', 5, 2], ['rep', 'x'],
    ['rep', 'x', 'y'], ['rep', 'a\0', 3],
    ['reverse', 'hello'], ['reverse', ''], ['reverse', 'a\0\xff'], ['reverse', 123], ['reverse'],
    ['upper', 'Hello World 123'], ['upper', '\xe9t\xe9\xff'], ['upper', 1.5], ['upper'], ['lower', 'HeLLo \xc9T\xc9'],
    ['lower', 'ABC\0DEF'], ['lower', new LuaTable()],
    ['len', 'hello'], ['len', ''], ['len', 'a\0b'], ['len', 1e15], ['len', 12], ['len'], ['len', true],
    ['dump'], ['dump', 'x'], ['format'], ['format', 12], ['format', new LuaTable()],
  ]
  return list.map(([f, ...rest]) => ({ fname: f, args: rest }))
}

/** Random patterns from pattern atoms (including malformed ones) over small subjects. */
function randomPatternCases(count: number): Case[] {
  const r = rng(51)
  const atoms = ['a', 'b', 'c', '.', '%a', '%d', '%s', '%w', '%p', '%A', '[ab]', '[^a]', '[a-c]', '[%d%s]', '%%', '(', ')',
    '()', '%b()', '%f[%w]', '%f[%s]', '%1', '%2', ' ', '1', '^', '$', '[', ']', '%', '-', '%(', '%b(', '%bab',
    '%f[^a]', '%f[%z]', '[%a-]', '[^%s%d]', '%.', '(.-)', '(a*)', '[]', '[]]', '[^]', '%z', '%x', '%u', '%l', '(%1)']
  const quantifiers = ['', '', '', '*', '+', '-', '?']
  const alphabet = 'ab1 ()c.%-'
  const cases: Case[] = []
  for (let i = 0; i < count; i++) {
    let p = ''
    const items = 1 + r.int(5)
    for (let k = 0; k < items; k++) p += r.pick(atoms) + r.pick(quantifiers)
    if (r.chance(0.2)) p = '(' + p + ')'
    let s = ''
    const sl = r.int(14)
    for (let k = 0; k < sl; k++) s += alphabet[r.int(alphabet.length)]
    const kind = r.int(5)
    if (kind === 0) cases.push({ fname: 'find', args: r.chance(0.3) ? [s, p, r.int(40) - 20] : [s, p] })
    else if (kind === 1) cases.push({ fname: 'match', args: [s, p] })
    else if (kind === 2) cases.push({ fname: 'gmatch', args: [s, p] })
    else if (kind === 3) {
      const args: LuaValue[] = [s, p, r.pick(['<%0>', '%1', '[%1|%2]', 'x', '%%', '%a', '%', ''])]
      if (r.chance(0.3)) args.push(r.int(6) - 1)
      cases.push({ fname: 'gsub', args })
    } else if (r.chance(0.5)) {
      cases.push({ fname: 'gsubf', args: r.chance(0.3) ? [s, p, r.pick(['!', '']), r.int(4)] : [s, p, r.pick(['!', ''])] })
    } else {
      cases.push({ fname: 'gsubt', args: [s.replace(/[1()]/g, 'a'), p] })
    }
  }
  return cases
}

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('')

/** Every class, in and out of sets, over all 256 bytes: the C locale, not Unicode. */
function classCases(): Case[] {
  const cases: Case[] = []
  for (const letter of 'acdlpsuwxzACDLPSUWXZ') {
    cases.push({ fname: 'gsub', args: [ALL_BYTES, '%' + letter, ''] })
    cases.push({ fname: 'gsub', args: [ALL_BYTES, `[%${letter}]`, '.'] })
    cases.push({ fname: 'gsub', args: [ALL_BYTES, `[^%${letter}_]+`, '!'] })
    cases.push({ fname: 'find', args: [ALL_BYTES, `%f[%${letter}]`] })
  }
  for (const p of ['[\x80-\xff]', '[\x01-\x1f]+', '[%z-\x05]', '[^\0-\x7f]', '[a-]', '[-a]', '[%a-z]', '[z-a]', '%Q', '%\xff']) {
    cases.push({ fname: 'gsub', args: [ALL_BYTES, p, '.'] })
  }
  cases.push({ fname: 'upper', args: [ALL_BYTES] }, { fname: 'lower', args: [ALL_BYTES] }, { fname: 'reverse', args: [ALL_BYTES] })
  cases.push({ fname: 'format', args: ['%q', ALL_BYTES] }, { fname: 'byte', args: [ALL_BYTES, 1, -1] })
  return cases
}

/** Random indexes for byte/sub/find, %q and %s over random byte strings. */
function randomMiscCases(count: number): Case[] {
  const r = rng(77)
  const cases: Case[] = []
  const randomString = () => {
    let s = ''
    const n = r.int(10)
    for (let k = 0; k < n; k++) s += String.fromCharCode(r.chance(0.7) ? 0x61 + r.int(5) : r.int(256))
    return s
  }
  for (let i = 0; i < count; i++) {
    const s = randomString()
    const idx = () => r.int(25) - 12
    switch (r.int(6)) {
      case 0: cases.push({ fname: 'sub', args: r.chance(0.3) ? [s, idx()] : [s, idx(), idx()] }); break
      case 1: cases.push({ fname: 'byte', args: r.chance(0.3) ? [s, idx()] : [s, idx(), idx()] }); break
      case 2: cases.push({ fname: 'find', args: [s, randomString().slice(0, 2), idx(), r.chance(0.5)] }); break
      case 3: cases.push({ fname: 'format', args: ['%q', s] }); break
      case 4: cases.push({ fname: 'format', args: [`%${r.pick(['', '-', '0'])}${r.int(12)}${r.pick(['', '.0', '.2', '.7'])}s|`, s] }); break
      default: cases.push({ fname: 'rep', args: [s, r.int(5) - 1] })
    }
  }
  return cases
}

// ---------------------------------------------------------------------------

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('string library against Redis 7.0 Lua', () => {
  const reference = useRedisReference()

  async function compare(cases: Case[]): Promise<void> {
    const pipeline = reference.client.pipeline()
    for (const c of cases) {
      pipeline.callBuffer('EVAL', SCRIPT, '0', c.fname, ...c.args.map((v) => Buffer.from(encodeArg(v), 'latin1')))
    }
    const replies = (await pipeline.exec())!
    const mismatches: string[] = []
    replies.forEach(([err, reply], i) => {
      const c = cases[i]
      // The position prefix is the engine's business, not the library's.
      const expected = err
        ? ['redis error', String(err)]
        : (reply as Buffer[]).map((b) => b.toString('latin1').replace(/^user_script:\d+: /, ''))
      const actual = local(c)
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        mismatches.push(`${luaText(c)}\n  redis:   ${JSON.stringify(expected)}\n  respite: ${JSON.stringify(actual)}`)
      }
    })
    if (process.env.STRING_DIFF_STATS) {
      const errors = replies.filter(([, reply]) => (reply as Buffer[])[0]?.toString() === 'err').length
      console.log(`${cases.length} cases, ${errors} Lua errors`)
    }
    expect(mismatches.slice(0, 20).join('\n')).toBe('')
    expect(mismatches.length).toBe(0)
  }

  it('string.format: every conversion, flag, width and precision', async () => {
    await compare(formatCases())
  })

  it('patterns: find, match, gmatch and gsub', async () => {
    await compare(patternCases())
  })

  it('byte, char, sub, rep, reverse, upper, lower, len and argument errors', async () => {
    await compare(miscCases())
  })

  it('character classes over all 256 bytes', async () => {
    await compare(classCases())
  })

  it('random indexes, %q and %s over random byte strings', async () => {
    await compare(randomMiscCases(600))
  })

  it('random patterns over small subjects', async () => {
    await compare(randomPatternCases(4000))
  })
})
