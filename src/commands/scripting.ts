import type { Caller } from '../server/caller.js'
import { isOption, numkeysKeys } from './args.js'
import { Err } from './errors.js'
import { replyHelp } from './help.js'
import { command, type CommandFlag, type CommandSpec } from './spec.js'
import { parseInteger } from '../util/numbers.js'
import type { Script, ScriptFlags } from '../scripting/scripting.js'

/**
 * EVAL, EVALSHA, their _RO forms, and SCRIPT. The engine and its sandbox are
 * src/scripting/; this file parses arguments and picks the script.
 */

/**
 * The key count of `script numkeys key... arg...` (FCALL's `function numkeys ...`), or
 * -1 after replying the error (Redis's evalGetKeys checks). `notInteger` is the reply
 * for a count that is not a number, which EVAL and FCALL word differently.
 */
export function numKeys(c: Caller, argv: string[], notInteger: string): number {
  const numkeys = parseInteger(argv[2])
  if (numkeys === null) {
    c.out.error(notInteger)
    return -1
  }
  if (numkeys < 0) {
    c.out.error("ERR Number of keys can't be negative")
    return -1
  }
  if (numkeys > argv.length - 3) {
    c.out.error("ERR Number of keys can't be greater than number of args")
    return -1
  }
  return numkeys
}

/**
 * What a script's or function's declared flags allow when called with or without _RO
 * (Redis 7's rules), or null after replying the refusal: a script that may write is
 * refused under _RO, and up front past maxmemory unless it says allow-oom.
 */
export function flagsAllow(c: Caller, flags: ScriptFlags, ro: boolean): { readOnly: boolean; allowOom: boolean } | null {
  if (ro && !flags.noWrites) {
    c.out.error('ERR Can not execute a script with write flag using *_ro command.')
    return null
  }
  if (!flags.noWrites && !flags.allowOom && c.server.memory.refuses()) {
    c.out.error(Err.oom)
    return null
  }
  return { readOnly: ro || flags.noWrites, allowOom: flags.allowOom }
}

function evalGeneric(c: Caller, argv: string[], bySha: boolean, ro: boolean): void {
  const numkeys = numKeys(c, argv, Err.notInteger)
  if (numkeys < 0) return
  const scripting = c.server.scripting
  let script: Script | undefined
  if (bySha) {
    script = scripting.get(argv[1])
    if (script === undefined) return c.out.error('NOSCRIPT No matching script. Please use EVAL.')
  } else {
    try {
      script = scripting.load(argv[1])
    } catch (e) {
      return c.out.error((e as Error).message)
    }
  }
  // Without a shebang, Redis keeps its pre-7.0 rules: _RO only refuses writes as they come.
  const allowed = script.flags === null ? { readOnly: ro, allowOom: false } : flagsAllow(c, script.flags, ro)
  if (allowed === null) return
  scripting.run(c, 'script', script.fn, script.label, argv.slice(3, 3 + numkeys), argv.slice(3 + numkeys), allowed.readOnly, allowed.allowOom)
}

// --- SCRIPT ---------------------------------------------------------------------------

function scriptLoad(c: Caller, argv: string[]): void {
  try {
    c.out.bulk(c.server.scripting.load(argv[2]).sha)
  } catch (e) {
    c.out.error((e as Error).message)
  }
}

function scriptExists(c: Caller, argv: string[]): void {
  const scripting = c.server.scripting
  c.out.array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) c.out.integer(scripting.has(argv[i]) ? 1 : 0)
}

function scriptFlush(c: Caller, argv: string[]): void {
  if (argv.length > 3 || (argv.length === 3 && !isOption(argv[2], 'ASYNC') && !isOption(argv[2], 'SYNC'))) {
    return c.out.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option')
  }
  c.server.scripting.flush()
  c.out.simple('OK')
}

function scriptKill(c: Caller): void {
  const refused = c.server.scripting.kill('script')
  if (refused === null) c.out.simple('OK')
  else c.out.error(refused)
}

function scriptDebug(c: Caller, argv: string[]): void {
  const mode = argv[2]
  if (isOption(mode, 'NO')) return c.out.simple('OK')
  if (isOption(mode, 'YES') || isOption(mode, 'SYNC')) {
    // The Lua debugger (redis-cli --ldb) needs a forked or stepping server; respite has neither.
    return c.out.error('ERR SCRIPT DEBUG is not available: respite has no Lua debugger')
  }
  c.out.error('ERR Use SCRIPT DEBUG YES/SYNC/NO')
}

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
]

// --- Specs ----------------------------------------------------------------------------

/**
 * What EVAL, EVALSHA, FCALL and their _RO forms share in their specs: Redis's flags,
 * and keys after numkeys whose use Redis cannot tell. `noted`: Redis publishes its
 * note on the key spec (EVAL, EVAL_RO, FCALL, FCALL_RO; not the EVALSHA forms).
 */
export function scriptCallSpec(ro: boolean, noted: boolean): Pick<CommandSpec, 'arity' | 'flags' | 'group' | 'keyFlags' | 'keys' | 'keyNotes'> {
  return {
    arity: -3, group: 'scripting',
    flags: [...(ro ? ['readonly' as const] : []), 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'],
    keyFlags: ro ? ['RO', 'access'] : ['RW', 'access', 'update'], keys: (argv) => numkeysKeys(argv, 2),
    keyNotes: noted ? `We cannot tell how the keys will be used so we assume the worst, ${ro ? 'RO and ACCESS' : 'RW and UPDATE'}` : undefined,
  }
}

function evalSpec(name: string, since: string, summary: string, first: string, bySha: boolean, ro: boolean): CommandSpec {
  return command({
    name, since, summary, complexity: 'Depends on the script that is executed.', ...scriptCallSpec(ro, !bySha),
    syntax: `${first} numkeys [key [key ...]] [arg [arg ...]]`,
    handler: (c, argv) => evalGeneric(c, argv, bySha, ro),
  })
}

function sub(name: string, arity: number, flags: CommandFlag[], summary: string, complexity: string, syntax: string,
  handler: CommandSpec['handler'], tips?: string[], since = '2.6.0'): CommandSpec {
  return command({ name, arity, flags, group: 'scripting', since, summary, complexity, syntax, handler, tips })
}

export const scriptingCommands: CommandSpec[] = [
  evalSpec('eval', '2.6.0', 'Execute a Lua script server side', 'script', false, false),
  evalSpec('evalsha', '2.6.0', 'Execute a Lua script server side', 'sha1', true, false),
  evalSpec('eval_ro', '7.0.0', 'Execute a read-only Lua script server side', 'script', false, true),
  evalSpec('evalsha_ro', '7.0.0', 'Execute a read-only Lua script server side', 'sha1', true, true),
  command({
    name: 'script', arity: -2, group: 'scripting', since: '2.6.0', complexity: 'Depends on subcommand.',
    summary: 'A container for Lua scripts management commands', syntax: '',
    subcommands: [
      sub('debug', 3, ['noscript'], 'Set the debug mode for executed scripts.', 'O(1)', '<YES | SYNC | NO>', scriptDebug, undefined, '3.2.0'),
      sub('exists', -3, ['noscript'], 'Check existence of scripts in the script cache.', 'O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).',
        'sha1 [sha1 ...]', scriptExists, ['request_policy:all_shards', 'response_policy:agg_logical_and']),
      sub('flush', -2, ['noscript'], 'Remove all the scripts from the script cache.', 'O(N) with N being the number of scripts in cache',
        '[ASYNC | SYNC]', scriptFlush, ['request_policy:all_nodes', 'response_policy:all_succeeded']),
      sub('kill', 2, ['noscript', 'allow_busy'], 'Kill the script currently in execution.', 'O(1)', '', scriptKill,
        ['request_policy:all_shards', 'response_policy:one_succeeded']),
      sub('load', 3, ['noscript', 'stale'], 'Load the specified Lua script into the script cache.', 'O(N) with N being the length in bytes of the script body.',
        'script', scriptLoad, ['request_policy:all_nodes', 'response_policy:all_succeeded']),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'], group: 'scripting', since: '5.0.0', complexity: 'O(1)',
        summary: 'Show helpful text about the different subcommands', syntax: '', handler: (c) => replyHelp(c, 'SCRIPT', SCRIPT_HELP),
      }),
    ],
  }),
]
