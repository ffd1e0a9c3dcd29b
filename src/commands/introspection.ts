import type { Caller } from '../server/caller.js'
import { globMatch } from '../store/glob.js'
import { isOption } from './args.js'
import { fixedPosition, parseSyntax, type ArgDoc } from './docs.js'
import { Err } from './errors.js'
import { replyHelp } from './help.js'
import { command, type CommandSpec } from './spec.js'
import { keyIndexes } from './table.js'

/**
 * COMMAND and its subcommands, served from the command table: the same specs the
 * dispatcher runs on describe themselves (arity, flags, key positions, ACL
 * categories, docs), so clients that route by key or build hints see the truth.
 */

/** Redis's category order, which COMMAND INFO follows. */
const CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
]

const GROUP_CATEGORY: Record<string, string> = {
  string: 'string', bitmap: 'bitmap', generic: 'keyspace', connection: 'connection', list: 'list', hash: 'hash', set: 'set',
  'sorted-set': 'sortedset', scripting: 'scripting', pubsub: 'pubsub', transactions: 'transaction', stream: 'stream',
  hyperloglog: 'hyperloglog', geo: 'geo',
}

const categoryCache = new WeakMap<CommandSpec, string[]>()

/**
 * ACL categories as Redis derives them: from flags (write, readonly, admin, fast...),
 * the command's group (not for containers) and the spec's extra `acl` list.
 */
export function aclCategories(spec: CommandSpec): string[] {
  let cats = categoryCache.get(spec)
  if (cats !== undefined) return cats
  const set = new Set<string>()
  const dropped = new Set<string>()
  for (const a of spec.acl ?? []) {
    if (a.startsWith('-')) dropped.add(a.slice(1))
    else set.add(a)
  }
  const flags = spec.flags
  if (spec.subcommands === undefined) {
    const g = GROUP_CATEGORY[spec.group]
    if (g !== undefined && !dropped.has(g)) set.add(g)
  }
  if (flags.includes('write')) set.add('write')
  if (flags.includes('readonly') && !set.has('scripting')) set.add('read')
  if (flags.includes('admin')) {
    set.add('admin')
    set.add('dangerous')
  }
  if (flags.includes('pubsub')) set.add('pubsub')
  if (flags.includes('fast')) set.add('fast')
  if (flags.includes('blocking')) set.add('blocking')
  if (!flags.includes('fast')) set.add('slow')
  cats = CATEGORIES.filter((c) => set.has(c))
  categoryCache.set(spec, cats)
  return cats
}

/** Flags as COMMAND INFO lists them: Redis's own, plus movablekeys for numkeys-style commands. */
function infoFlags(spec: CommandSpec): string[] {
  const flags: string[] = [...spec.flags]
  if (spec.keys !== undefined && !flags.includes('movablekeys')) flags.push('movablekeys')
  return flags
}

function keySpecFlags(spec: CommandSpec): string[] {
  if (spec.keyFlags !== undefined) return spec.keyFlags
  if (spec.flags.includes('write')) return ['RW', 'update']
  return ['RO', 'access']
}

function writeKeySpecs(c: Caller, spec: CommandSpec): void {
  if (spec.keySpecs !== undefined) {
    c.out.set(spec.keySpecs.length)
    for (const ks of spec.keySpecs) {
      const begin: [string, number | string][] = 'index' in ks.begin
        ? [['index', ks.begin.index]]
        : [['keyword', ks.begin.keyword], ['startfrom', ks.begin.startfrom]]
      writeKeySpec(c, ks.flags, 'index' in ks.begin ? 'index' : 'keyword', begin, 'range',
        [['lastkey', ks.range[0]], ['keystep', ks.range[1]], ['limit', ks.range[2]]], spec.keyNotes)
    }
    return
  }
  const range = spec.firstKey > 0
  const movable = spec.keys !== undefined
  const flags = keySpecFlags(spec)
  c.out.set((range ? 1 : 0) + (movable ? 1 : 0))
  if (range) {
    const lastKey = spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey
    writeKeySpec(c, flags, 'index', [['index', spec.firstKey]], 'range', [['lastkey', lastKey], ['keystep', spec.step], ['limit', 0]], spec.keyNotes)
  }
  if (movable) {
    const numkeysAt = fixedPosition(spec.syntax, 'numkeys')
    const kw = spec.keywordKeys
    if (kw !== undefined) {
      writeKeySpec(c, flags, 'keyword', [['keyword', kw.keyword], ['startfrom', kw.startfrom]], 'range', [['lastkey', -1], ['keystep', 1], ['limit', kw.limit]], spec.keyNotes)
    } else if (numkeysAt > 0) {
      writeKeySpec(c, flags, 'index', [['index', numkeysAt]], 'keynum', [['keynumidx', 0], ['firstkey', 1], ['keystep', 1]], spec.keyNotes)
    } else {
      writeKeySpec(c, flags, 'unknown', [], 'unknown', [], spec.keyNotes)
    }
  }
}

/** One key spec: its flags, where the search for keys begins, and how keys are found from there. */
function writeKeySpec(c: Caller, flags: readonly string[], beginType: string, begin: [string, number | string][],
  findType: string, find: [string, number][], notes?: string): void {
  const out = c.out
  out.map(notes === undefined ? 3 : 4)
  if (notes !== undefined) {
    out.bulk('notes')
    out.bulk(notes)
  }
  out.bulk('flags')
  writeSimpleSet(c, flags)
  out.bulk('begin_search')
  writeSearchStep(c, beginType, begin)
  out.bulk('find_keys')
  writeSearchStep(c, findType, find)
}

function writeSearchStep(c: Caller, type: string, spec: [string, number | string][]): void {
  const out = c.out
  out.map(2)
  out.bulk('type')
  out.bulk(type)
  out.bulk('spec')
  out.map(spec.length)
  for (const [name, value] of spec) {
    out.bulk(name)
    if (typeof value === 'string') out.bulk(value)
    else out.integer(value)
  }
}

function writeSimpleSet(c: Caller, items: readonly string[]): void {
  c.out.set(items.length)
  for (const s of items) c.out.simple(s)
}

/** One COMMAND INFO entry: name, arity, flags, first/last/step, ACL, tips, key specs, subcommands. */
function writeInfo(c: Caller, spec: CommandSpec): void {
  const out = c.out
  out.array(10)
  out.bulk(spec.fullName!)
  out.integer(spec.arity)
  writeSimpleSet(c, infoFlags(spec))
  out.integer(spec.firstKey)
  out.integer(spec.lastKey)
  out.integer(spec.step)
  const cats = aclCategories(spec)
  out.set(cats.length)
  for (const cat of cats) out.simple('@' + cat)
  const tips = spec.tips ?? []
  out.set(tips.length)
  for (const t of tips) out.bulk(t)
  writeKeySpecs(c, spec)
  const subs = spec.subcommands ?? []
  out.set(subs.length)
  for (const s of subs) writeInfo(c, s)
}

function writeArg(c: Caller, a: ArgDoc): void {
  const out = c.out
  const n = 2 + (a.keySpecIndex !== undefined ? 1 : 0) + (a.token !== undefined ? 1 : 0) + (a.flags.length > 0 ? 1 : 0) +
    (a.args !== undefined ? 1 : 0)
  out.map(n)
  out.bulk('name')
  out.bulk(a.name)
  out.bulk('type')
  out.bulk(a.type)
  if (a.keySpecIndex !== undefined) {
    out.bulk('key_spec_index')
    out.integer(a.keySpecIndex)
  }
  if (a.token !== undefined) {
    out.bulk('token')
    out.bulk(a.token)
  }
  if (a.flags.length > 0) {
    out.bulk('flags')
    writeSimpleSet(c, a.flags)
  }
  if (a.args !== undefined) {
    out.bulk('arguments')
    out.array(a.args.length)
    for (const x of a.args) writeArg(c, x)
  }
}

/** Argument docs whose n-th key points at key spec n (the last spec for any beyond). */
function numberKeys(args: ArgDoc[], specs: number): ArgDoc[] {
  let n = 0
  const walk = (a: ArgDoc): ArgDoc => {
    const copy: ArgDoc = { ...a }
    if (a.type === 'key') copy.keySpecIndex = Math.min(n++, specs - 1)
    if (a.args !== undefined) copy.args = a.args.map(walk)
    return copy
  }
  return args.map(walk)
}

/** One COMMAND DOCS map: summary, since, group, complexity, arguments, subcommands. */
function writeDocs(c: Caller, spec: CommandSpec): void {
  const out = c.out
  let args = spec.subcommands === undefined ? parseSyntax(spec.syntax) : []
  if (spec.keySpecs !== undefined) args = numberKeys(args, spec.keySpecs.length)
  const subs = spec.subcommands ?? []
  const docFlags = spec.docFlags ?? []
  out.map(3 + (spec.complexity !== undefined ? 1 : 0) + (docFlags.length > 0 ? 1 : 0) + (args.length > 0 ? 1 : 0) +
    (subs.length > 0 ? 1 : 0))
  out.bulk('summary')
  out.bulk(spec.summary)
  out.bulk('since')
  out.bulk(spec.since)
  out.bulk('group')
  out.bulk(spec.group)
  if (spec.complexity !== undefined) {
    out.bulk('complexity')
    out.bulk(spec.complexity)
  }
  if (docFlags.length > 0) {
    out.bulk('doc_flags')
    out.set(docFlags.length)
    for (const f of docFlags) out.simple(f)
  }
  if (args.length > 0) {
    out.bulk('arguments')
    out.array(args.length)
    for (const a of args) writeArg(c, a)
  }
  if (subs.length > 0) {
    out.bulk('subcommands')
    out.map(subs.length)
    for (const s of subs) {
      out.bulk(s.fullName!)
      writeDocs(c, s)
    }
  }
}

/** COMMAND: every command's INFO entry. */
function commandAll(c: Caller): void {
  const all = c.server.table.commands
  c.out.array(all.length)
  for (const spec of all) writeInfo(c, spec)
}

function commandCount(c: Caller): void {
  c.out.integer(c.server.table.commands.length)
}

/** COMMAND INFO [command-name ...]: nil for unknown names; "container|sub" names a subcommand. */
function commandInfo(c: Caller, argv: string[]): void {
  if (argv.length === 2) return commandAll(c)
  const table = c.server.table
  c.out.array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) {
    const spec = table.lookupFull(argv[i])
    if (spec === undefined) c.out.nullBulk()
    else writeInfo(c, spec)
  }
}

/** COMMAND DOCS [command-name ...]: unknown names are left out. */
function commandDocs(c: Caller, argv: string[]): void {
  const table = c.server.table
  const specs: CommandSpec[] = []
  if (argv.length === 2) specs.push(...table.commands)
  for (let i = 2; i < argv.length; i++) {
    const spec = table.lookupFull(argv[i])
    if (spec !== undefined) specs.push(spec)
  }
  c.out.map(specs.length)
  for (const spec of specs) {
    c.out.bulk(spec.fullName!)
    writeDocs(c, spec)
  }
}

/** COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern] */
function commandList(c: Caller, argv: string[]): void {
  let filter: ((spec: CommandSpec) => boolean) | null = null
  if (argv.length === 5 && isOption(argv[2], 'FILTERBY')) {
    const kind = argv[3]
    const value = argv[4]
    if (isOption(kind, 'MODULE')) filter = () => false
    else if (isOption(kind, 'ACLCAT')) {
      const cat = value.toLowerCase()
      filter = (s) => aclCategories(s).includes(cat)
    } else if (isOption(kind, 'PATTERN')) filter = (s) => globMatch(value, s.fullName!, true)
    else return c.out.error(Err.syntax)
  } else if (argv.length !== 2) {
    return c.out.error(Err.syntax)
  }
  const names: string[] = []
  for (const spec of c.server.table.commands) {
    for (const s of [spec, ...(spec.subcommands ?? [])]) {
      if (filter === null || filter(s)) names.push(s.fullName!)
    }
  }
  c.out.array(names.length)
  for (const n of names) c.out.bulk(n)
}

/**
 * The keys of a full command line, checked as the dispatcher would check it. Null
 * after writing the error reply.
 */
function extractKeys(c: Caller, argv: string[]): { spec: CommandSpec; keys: number[] } | null {
  const table = c.server.table
  const args = argv.slice(2)
  let spec = table.lookup(args[0])
  if (spec !== undefined && spec.subcommands !== undefined) {
    spec = args.length >= 2 ? table.lookupSub(spec, args[1]) : undefined
  }
  if (spec === undefined) {
    c.out.error('ERR Invalid command specified')
    return null
  }
  if (spec.arity > 0 ? args.length !== spec.arity : args.length < -spec.arity) {
    c.out.error('ERR Invalid number of arguments specified for command')
    return null
  }
  if (spec.firstKey === 0 && spec.keys === undefined) {
    c.out.error('ERR The command has no key arguments')
    return null
  }
  let keys: number[]
  try {
    keys = keyIndexes(spec, args)
  } catch {
    keys = [-1]
  }
  // Redis takes a key spec that begins past the arguments as invalid (PFMERGE with no source).
  if (spec.keySpecs?.some((s) => 'index' in s.begin && s.begin.index >= args.length)) keys = [-1]
  if (!Array.isArray(keys) || keys.some((k) => !(k > 0 && k < args.length))) {
    // EVAL, FCALL...: no keys, or a bad numkeys, is no key rather than an error.
    if (spec.flags.includes('no_mandatory_keys')) return { spec, keys: [] }
    c.out.error('ERR Invalid arguments specified for command')
    return null
  }
  return { spec, keys }
}

function commandGetKeys(c: Caller, argv: string[]): void {
  const r = extractKeys(c, argv)
  if (r === null) return
  c.out.array(r.keys.length)
  for (const k of r.keys) c.out.bulk(argv[k + 2])
}

function commandGetKeysAndFlags(c: Caller, argv: string[]): void {
  const r = extractKeys(c, argv)
  if (r === null) return
  const flags = keySpecFlags(r.spec)
  const specs = r.spec.keySpecs
  c.out.array(r.keys.length)
  for (const k of r.keys) {
    c.out.array(2)
    c.out.bulk(argv[k + 2])
    // With several key specs, the flags of the one whose range holds this position.
    const own = specs?.find((s) => 'index' in s.begin && k >= s.begin.index && (s.range[0] < 0 || k <= s.begin.index + s.range[0]))
    writeSimpleSet(c, own?.flags ?? flags)
  }
}

const COMMAND_HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
]

function sub(name: string, arity: number, since: string, summary: string, complexity: string, syntax: string,
  handler: CommandSpec['handler'], tips?: string[]): CommandSpec {
  return command({
    name, arity, flags: ['loading', 'stale'], acl: ['connection'], group: 'server', since, summary, complexity,
    syntax, handler, tips,
  })
}

export const introspectionCommands: CommandSpec[] = [
  command({
    name: 'command', arity: -1, flags: ['loading', 'stale'], acl: ['connection'], group: 'server', since: '2.8.13',
    summary: 'Get array of Redis command details', complexity: 'O(N) where N is the total number of Redis commands',
    syntax: '', tips: ['nondeterministic_output_order'], handler: commandAll,
    subcommands: [
      sub('count', 2, '2.8.13', 'Get total number of Redis commands', 'O(1)', '', commandCount),
      sub('info', -2, '2.8.13', 'Get array of specific Redis command details, or all when no argument is given.',
        'O(N) where N is the number of commands to look up', '[command-name [command-name ...]]', commandInfo,
        ['nondeterministic_output_order']),
      sub('docs', -2, '7.0.0', 'Get array of specific Redis command documentation',
        'O(N) where N is the number of commands to look up', '[command-name [command-name ...]]', commandDocs,
        ['nondeterministic_output_order']),
      sub('list', -2, '7.0.0', 'Get an array of Redis command names', 'O(N) where N is the total number of Redis commands',
        '[FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]', commandList, ['nondeterministic_output_order']),
      sub('getkeys', -4, '2.8.13', 'Extract keys given a full Redis command',
        'O(N) where N is the number of arguments to the command', '', commandGetKeys),
      sub('getkeysandflags', -4, '7.0.0', 'Extract keys and access flags given a full Redis command',
        'O(N) where N is the number of arguments to the command', '', commandGetKeysAndFlags),
      sub('help', 2, '5.0.0', 'Show helpful text about the different subcommands', 'O(1)', '',
        (c) => replyHelp(c, 'COMMAND', COMMAND_HELP)),
    ],
  }),
]
