import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderCommandsTable, replaceCommandsSection } from '../scripts/commands-table.mjs'
import type { CommandSpec } from '../src/commands/spec.js'
import { CommandTable } from '../src/commands/table.js'

/**
 * Every command in the table has complete metadata (what COMMAND, COMMAND DOCS and
 * redis-cli rely on), a test whose title names it, and a row in README.md.
 */

const root = resolve(import.meta.dirname, '..')
const table = new CommandTable()

interface Entry {
  /** "GET" or "CONFIG GET". */
  title: string
  spec: CommandSpec
  /** Arguments before the first one the syntax describes: 1 for commands, 2 for subcommands. */
  base: number
}

const entries: Entry[] = []
for (const spec of table.commands) {
  entries.push({ title: spec.name.toUpperCase(), spec, base: 1 })
  for (const sub of spec.subcommands ?? []) {
    entries.push({ title: `${spec.name.toUpperCase()} ${sub.name.toUpperCase()}`, spec: sub, base: 2 })
  }
}

/** Redis 7.0's command flags, plus respite's `structured`. */
const FLAGS = new Set([
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'may_replicate', 'sentinel', 'only_sentinel',
  'no_mandatory_keys', 'protected', 'no_async_loading', 'no_multi', 'movablekeys', 'allow_busy', 'structured',
])

/**
 * Where Redis 7.0.15's arity and its published argument docs disagree: COMMAND GETKEYS
 * is -4 but COMMAND DOCS lists no arguments for it (so redis-cli shows no hint);
 * PFMERGE is -2 (a merge into the destination alone is allowed) but its docs ask for a
 * sourcekey. We publish what Redis publishes.
 */
// GEOSEARCH/GEOSEARCHSTORE: Redis's arity counts the shortest FROM.../BY... forms, the syntax check the longest.
// GEOHASH/GEOPOS: Redis documents a member as required but accepts none (arity -2).
// DEBUG's documentation, like Redis's, lists no arguments though it takes a subcommand.
const ARITY_QUIRKS = new Set(['DEBUG', 'COMMAND GETKEYS', 'COMMAND GETKEYSANDFLAGS', 'PFMERGE', 'GEOSEARCH', 'GEOSEARCHSTORE', 'GEOHASH', 'GEOPOS'])
const GROUPS = new Set(['string', 'bitmap', 'generic', 'connection', 'server', 'list', 'hash', 'set', 'sorted-set', 'scripting', 'pubsub', 'transactions', 'stream', 'hyperloglog', 'geo'])

/** What is wrong with one spec's metadata, as readable complaints. */
function problems({ title, spec, base }: Entry): string[] {
  const out: string[] = []
  const bad = (what: string) => out.push(`${title}: ${what}`)
  if (spec.name !== spec.name.toLowerCase()) bad('name must be lower case')
  if (!Number.isInteger(spec.arity) || spec.arity === 0) bad(`arity ${spec.arity}`)
  if (base === 2 && Math.abs(spec.arity) < 2) bad(`subcommand arity ${spec.arity} must count the container and the subcommand`)
  if (!Array.isArray(spec.flags)) bad('flags is not an array')
  else for (const f of spec.flags) if (!FLAGS.has(f)) bad(`unknown flag ${f}`)
  if (!GROUPS.has(spec.group)) bad(`group ${spec.group}`)
  if (typeof spec.since !== 'string' || !/^\d+\.\d+\.\d+$/.test(spec.since)) bad(`since ${spec.since}`)
  if (typeof spec.summary !== 'string' || spec.summary.trim() === '') bad('no summary')
  if (typeof spec.syntax !== 'string') bad('no syntax string')
  if (spec.subcommands !== undefined) {
    if (spec.subcommands.length === 0) bad('empty subcommand list')
  } else if (typeof spec.handler !== 'function') {
    bad('no handler')
  }

  const flags = spec.flags ?? []
  if (flags.includes('write') && flags.includes('readonly')) bad('both write and readonly')
  const { firstKey, lastKey, step } = spec
  if (![firstKey, lastKey, step].every(Number.isInteger)) bad('key positions must be integers')
  if (firstKey < 0) bad(`firstKey ${firstKey}`)
  if (firstKey === 0 && (lastKey !== 0 || step !== 0)) bad(`no first key but lastKey ${lastKey} step ${step}`)
  if (firstKey > 0) {
    if (step < 1) bad(`step ${step}`)
    if (lastKey >= 0 && lastKey < firstKey) bad(`lastKey ${lastKey} before firstKey ${firstKey}`)
    if (spec.arity > 0 && (firstKey >= spec.arity || lastKey >= spec.arity)) bad(`key positions ${firstKey}..${lastKey} beyond arity ${spec.arity}`)
  }
  if (flags.includes('movablekeys') && spec.keys === undefined) bad('movablekeys without a keys function')
  const hasKeys = firstKey > 0 || spec.keys !== undefined
  // Redis marks every command that touches keys as read or write; WATCH and scripts
  // are the exceptions (they only name keys), and the sharded pub/sub commands, whose
  // shard channels are declared as keys flagged not_key for cluster routing.
  if (hasKeys && !flags.includes('write') && !flags.includes('readonly') &&
    spec.group !== 'scripting' && spec.group !== 'transactions' && !spec.keyFlags?.includes('not_key')) {
    bad('has keys but is neither write nor readonly')
  }

  // A container's own syntax is empty: its subcommands describe the arguments.
  if (typeof spec.syntax === 'string' && spec.subcommands === undefined && !ARITY_QUIRKS.has(title)) {
    try {
      const shape = syntaxShape(spec.syntax)
      const fixed = spec.arity > 0
      const wanted = Math.abs(spec.arity) - base
      if (shape.required !== wanted) bad(`syntax "${spec.syntax}" requires ${shape.required} arguments, arity ${spec.arity} says ${wanted}`)
      if (fixed && shape.open) bad(`syntax "${spec.syntax}" has optional or repeated parts but arity ${spec.arity} is fixed`)
    } catch (e) {
      bad(`syntax "${spec.syntax}" does not parse: ${(e as Error).message}`)
    }
  }
  return out
}

/**
 * How many arguments a Redis docs syntax string requires at least, and whether it
 * takes more (optional `[...]` or repeated `x [x ...]` parts). Alternatives `a | b`
 * and required groups `<a | b>` count as the longest alternative.
 */
export function syntaxShape(syntax: string): { required: number; open: boolean } {
  const tokens = syntax.match(/\[|\]|<|>|\||\.\.\.|[^\s[\]<>|]+/g) ?? []
  let pos = 0
  function sequence(closer: string | null): { required: number; open: boolean } {
    const alternatives: { required: number; open: boolean }[] = []
    let required = 0
    let open = false
    for (;;) {
      const t = tokens[pos]
      if (t === undefined) {
        if (closer !== null) throw new Error(`missing ${closer}`)
        break
      }
      if (t === closer) {
        pos++
        break
      }
      pos++
      if (t === ']' || t === '>') throw new Error(`unexpected ${t}`)
      if (t === '|') {
        alternatives.push({ required, open })
        required = 0
        open = false
      } else if (t === '[') {
        sequence(']')
        open = true
      } else if (t === '<') {
        const inner = sequence('>')
        required += inner.required
        open ||= inner.open
      } else if (t === '...') {
        open = true
      } else {
        required++
      }
    }
    alternatives.push({ required, open })
    return {
      required: Math.max(...alternatives.map((a) => a.required)),
      open: alternatives.some((a) => a.open) || new Set(alternatives.map((a) => a.required)).size > 1,
    }
  }
  return sequence(null)
}

/** Every .test.ts file under test/ but this one. */
function testFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...testFiles(path))
    else if (entry.name.endsWith('.test.ts') && entry.name !== 'coverage.test.ts') out.push(path)
  }
  return out
}

/**
 * The titles passed to describe/it/test (including .skipIf(...)(, .each(...)( and
 * .only/.concurrent forms). Template-literal placeholders are dropped.
 */
export function testTitles(source: string): string[] {
  const titles: string[] = []
  const call = /\b(?:describe|it|test)(?:\.(?:skip|only|concurrent|sequential|todo|fails))*(?:\.(?:skipIf|runIf|each|for)\((?:[^()]|\([^()]*\))*\))?\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`)/g
  for (let m = call.exec(source); m !== null; m = call.exec(source)) {
    const raw = m[1] ?? m[2] ?? m[3].replace(/\$\{[^}]*\}/g, ' ')
    titles.push(raw.replace(/\\(.)/g, '$1'))
  }
  return titles
}

function mentions(title: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&').replace(/ /g, '\\s+')
  return new RegExp(`(^|[^A-Z0-9_])${escaped}([^A-Z0-9_]|$)`).test(title)
}

describe('command table coverage (COMMAND metadata)', () => {
  it('has commands', () => {
    expect(entries.length).toBeGreaterThan(0)
  })

  it('every command and subcommand has complete, consistent metadata', () => {
    const all = entries.flatMap(problems)
    expect(all, `incomplete metadata:\n  ${all.join('\n  ')}`).toEqual([])
  })

  it('every command and subcommand is named in UPPERCASE in some test title', () => {
    const titles: string[] = []
    for (const file of testFiles(join(root, 'test'))) titles.push(...testTitles(readFileSync(file, 'utf8')))
    const missing = entries.filter((e) => !titles.some((t) => mentions(t, e.title))).map((e) => e.title)
    expect(missing, `no describe/it title names these commands:\n  ${missing.join('\n  ')}`).toEqual([])
  })

  it('README.md lists exactly the commands in the table (npm run commands-table)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const fresh = replaceCommandsSection(readme, renderCommandsTable(table.commands))
    expect(fresh === readme, 'README.md command table is stale: run `npm run build && npm run commands-table`').toBe(true)
  })
})

describe('coverage helpers', () => {
  it('reads required arguments from syntax strings', () => {
    expect(syntaxShape('')).toEqual({ required: 0, open: false })
    expect(syntaxShape('key')).toEqual({ required: 1, open: false })
    expect(syntaxShape('key [key ...]')).toEqual({ required: 1, open: true })
    expect(syntaxShape('key value [NX | XX] [GET] [EX seconds | PX milliseconds]')).toEqual({ required: 2, open: true })
    expect(syntaxShape('source destination <LEFT | RIGHT> <LEFT | RIGHT>')).toEqual({ required: 4, open: false })
    expect(syntaxShape('<LIBNAME libname | LIBVER libver>')).toEqual({ required: 2, open: false })
    expect(syntaxShape('numkeys key [key ...] <LEFT | RIGHT> [COUNT count]')).toEqual({ required: 3, open: true })
    expect(() => syntaxShape('key [value')).toThrow()
  })

  it('finds test titles in every describe/it form', () => {
    const src = [
      "describe('GET and SET', () => {",
      'it("MGET \\"quoted\\"", () => {})',
      'it.skipIf(skip !== null)(`CONFIG GET ${x} works`, () => {})',
      "describe.skipIf(missingTool('redis-server') !== null)('HSET differential', () => {})",
      "test.each([1, 2])('INCR %i', () => {})",
    ].join('\n')
    expect(testTitles(src)).toEqual(['GET and SET', 'MGET "quoted"', 'CONFIG GET   works', 'HSET differential', 'INCR %i'])
    expect(mentions('CONFIG GET works', 'CONFIG GET')).toBe(true)
    expect(mentions('GETRANGE works', 'GET')).toBe(false)
    expect(mentions('SORT_RO works', 'SORT')).toBe(false)
    expect(mentions('MSET and GET', 'SET')).toBe(false)
  })

  it('lists every test file it scans relative to test/', () => {
    const files = testFiles(join(root, 'test')).map((f) => relative(join(root, 'test'), f))
    expect(files).toContain('smoke.test.ts')
    expect(files).not.toContain('coverage.test.ts')
  })
})
