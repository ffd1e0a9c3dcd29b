import type { Caller } from '../server/caller.js'
import { globMatch } from '../store/glob.js'
import { flagNames, type RestorePolicy } from '../scripting/functions.js'
import { isOption } from './args.js'
import { Err } from './errors.js'
import { replyHelp } from './help.js'
import { flagsAllow, numKeys, scriptCallSpec } from './scripting.js'
import { command, type CommandFlag, type CommandSpec } from './spec.js'

/**
 * Redis 7.0 functions: FCALL, FCALL_RO and the FUNCTION container. The library
 * registry and its Lua environments are src/scripting/functions.ts.
 */

// --- FCALL ----------------------------------------------------------------------------

function fcall(c: Caller, argv: string[], ro: boolean): void {
  const server = c.server
  const registry = server.scripting.functions
  const fn = registry.get(argv[1])
  if (fn === undefined) return c.out.error('ERR Function not found')
  const numkeys = numKeys(c, argv, 'ERR Bad number of keys provided')
  if (numkeys < 0) return
  const allowed = flagsAllow(c, fn.flags, ro)
  if (allowed === null) return
  const outer = registry.current
  registry.current = { name: fn.name, argv, startedAt: Date.now() }
  try {
    server.scripting.run(c, 'function', fn.fn, `script: ${fn.name}`, argv.slice(3, 3 + numkeys), argv.slice(3 + numkeys),
      allowed.readOnly, allowed.allowOom)
  } finally {
    registry.current = outer
  }
}

// --- FUNCTION -------------------------------------------------------------------------

/** FUNCTION LOAD [REPLACE] code */
function functionLoad(c: Caller, argv: string[]): void {
  let replace = false
  let i = 2
  for (; i < argv.length - 1; i++) {
    if (isOption(argv[i], 'REPLACE')) replace = true
    else return c.out.error(`ERR Unknown option given: ${argv[i]}`)
  }
  try {
    const name = c.server.scripting.functions.load(argv[i], replace)
    c.server.dirty++
    c.out.bulk(name)
  } catch (e) {
    c.out.error((e as Error).message)
  }
}

/** FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE] */
function functionList(c: Caller, argv: string[]): void {
  let withCode = false
  let pattern: string | null = null
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]
    if (isOption(a, 'WITHCODE') && !withCode) {
      withCode = true
    } else if (isOption(a, 'LIBRARYNAME') && pattern === null) {
      if (i + 1 >= argv.length) return c.out.error('ERR library name argument was not given')
      pattern = argv[++i]
    } else {
      return c.out.error(`ERR Unknown argument ${a}`)
    }
  }
  const out = c.out
  const libraries = [...c.server.scripting.functions.libraries.values()]
    .filter((lib) => pattern === null || globMatch(pattern, lib.name, true))
  out.array(libraries.length)
  for (const lib of libraries) {
    out.map(withCode ? 4 : 3)
    out.bulk('library_name')
    out.bulk(lib.name)
    out.bulk('engine')
    out.bulk('LUA')
    out.bulk('functions')
    out.array(lib.functions.length)
    for (const f of lib.functions) {
      out.map(3)
      out.bulk('name')
      out.bulk(f.name)
      out.bulk('description')
      if (f.description === null) out.nullBulk()
      else out.bulk(f.description)
      out.bulk('flags')
      const names = flagNames(f.flags)
      out.set(names.length)
      for (const name of names) out.simple(name)
    }
    if (withCode) {
      out.bulk('library_code')
      out.bulk(lib.code)
    }
  }
}

/** FUNCTION DELETE library-name */
function functionDelete(c: Caller, argv: string[]): void {
  if (!c.server.scripting.functions.delete(argv[2])) return c.out.error('ERR Library not found')
  c.server.dirty++
  c.out.simple('OK')
}

/** FUNCTION FLUSH [ASYNC | SYNC] */
function functionFlush(c: Caller, argv: string[]): void {
  if (argv.length > 3) return c.out.error(Err.subcommandSyntax(argv[1], 'function'))
  if (argv.length === 3 && !isOption(argv[2], 'ASYNC') && !isOption(argv[2], 'SYNC')) {
    return c.out.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option')
  }
  c.server.scripting.functions.flush()
  c.server.dirty++
  c.out.simple('OK')
}

function functionStats(c: Caller): void {
  const out = c.out
  const registry = c.server.scripting.functions
  // While an EVAL runs, FUNCTION STATS is refused like other commands, not answered.
  if (c.server.scripting.running?.kind === 'script') return out.error(Err.busy('script'))
  out.map(2)
  out.bulk('running_script')
  const running = c.server.scripting.running
  const current = registry.current
  if (current === null || running === null || running.kind !== 'function') {
    out.nullBulk()
  } else {
    out.map(3)
    out.bulk('name')
    out.bulk(current.name)
    out.bulk('command')
    out.array(current.argv.length)
    for (const a of current.argv) out.bulk(a)
    out.bulk('duration_ms')
    out.integer(Date.now() - current.startedAt)
  }
  out.bulk('engines')
  out.map(1)
  out.bulk('LUA')
  out.map(2)
  out.bulk('libraries_count')
  out.integer(registry.libraryCount)
  out.bulk('functions_count')
  out.integer(registry.functionCount)
}

function functionKill(c: Caller): void {
  const refused = c.server.scripting.kill('function')
  if (refused === null) c.out.simple('OK')
  else c.out.error(refused)
}

function functionDump(c: Caller): void {
  const payload = c.server.scripting.functions.dump()
  c.out.bulk(payload.latin1Slice(0, payload.length))
}

/** FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE] */
function functionRestore(c: Caller, argv: string[]): void {
  if (argv.length > 4) return c.out.error(Err.subcommandSyntax(argv[1], 'function'))
  let policy: RestorePolicy = 'APPEND'
  if (argv.length === 4) {
    const p = argv[3].toUpperCase()
    if (p !== 'FLUSH' && p !== 'APPEND' && p !== 'REPLACE') {
      return c.out.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.')
    }
    policy = p
  }
  try {
    c.server.scripting.functions.restore(Buffer.from(argv[2], 'latin1'), policy)
  } catch (e) {
    return c.out.error((e as Error).message)
  }
  c.server.dirty++
  c.out.simple('OK')
}

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
]

// --- Specs ----------------------------------------------------------------------------

const ALL_SHARDS = ['request_policy:all_shards', 'response_policy:all_succeeded']

function fcallSpec(name: string, summary: string, ro: boolean): CommandSpec {
  return command({
    name, since: '7.0.0', summary, complexity: 'Depends on the function that is executed.', ...scriptCallSpec(ro, true),
    syntax: 'function numkeys [key [key ...]] [arg [arg ...]]',
    handler: (c, argv) => fcall(c, argv, ro),
  })
}

function sub(name: string, arity: number, flags: CommandFlag[], summary: string, complexity: string, syntax: string,
  handler: CommandSpec['handler'], tips?: string[]): CommandSpec {
  return command({ name, arity, flags, group: 'scripting', since: '7.0.0', summary, complexity, syntax, handler, tips })
}

export const functionCommands: CommandSpec[] = [
  fcallSpec('fcall', 'Invoke a function', false),
  fcallSpec('fcall_ro', 'Invoke a read-only function', true),
  command({
    name: 'function', arity: -2, group: 'scripting', since: '7.0.0', complexity: 'Depends on subcommand.',
    summary: 'A container for function commands', syntax: '',
    subcommands: [
      sub('load', -3, ['write', 'denyoom', 'noscript'], 'Create a function with the given arguments (name, code, description)',
        'O(1) (considering compilation time is redundant)', '[REPLACE] function-code', functionLoad, ALL_SHARDS),
      sub('delete', 3, ['write', 'noscript'], 'Delete a function by name', 'O(1)', 'library-name', functionDelete, ALL_SHARDS),
      sub('list', -2, ['noscript'], 'List information about all the functions', 'O(N) where N is the number of functions',
        '[LIBRARYNAME library-name-pattern] [WITHCODE]', functionList, ['nondeterministic_output_order']),
      sub('flush', -2, ['write', 'noscript'], 'Deleting all functions', 'O(N) where N is the number of functions deleted',
        '[ASYNC | SYNC]', functionFlush, ALL_SHARDS),
      sub('stats', 2, ['noscript', 'allow_busy'], 'Return information about the function currently running (name, description, duration)',
        'O(1)', '', functionStats, ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special']),
      sub('kill', 2, ['noscript', 'allow_busy'], 'Kill the function currently in execution.', 'O(1)', '', functionKill,
        ['request_policy:all_shards', 'response_policy:one_succeeded']),
      sub('dump', 2, ['noscript'], 'Dump all functions into a serialized binary payload', 'O(N) where N is the number of functions',
        '', functionDump),
      sub('restore', -3, ['write', 'denyoom', 'noscript'], 'Restore all the functions on the given payload',
        'O(N) where N is the number of functions on the payload', 'serialized-value [FLUSH | APPEND | REPLACE]', functionRestore, ALL_SHARDS),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'], group: 'scripting', since: '7.0.0', complexity: 'O(1)',
        summary: 'Show helpful text about the different subcommands', syntax: '', handler: (c) => replyHelp(c, 'FUNCTION', FUNCTION_HELP),
      }),
    ],
  }),
]
