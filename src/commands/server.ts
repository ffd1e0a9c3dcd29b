import type { Caller } from '../server/caller.js'
import { ConfigError } from '../server/config.js'
import { buildInfo, resetStats, selectSections } from '../server/info.js'
import { loadGc } from '../server/idle-gc.js'
import { globMatch } from '../store/glob.js'
import { MutableString, type KeyspaceValue } from '../store/types.js'
import { isOption } from './args.js'
import { parseInt64 } from '../util/numbers.js'
import { Err } from './errors.js'
import { replyHelp } from './help.js'
import { command, type CommandFlag, type CommandSpec } from './spec.js'

/**
 * Server commands: INFO, CONFIG, TIME, BGREWRITEAOF (SAVE, BGSAVE, LASTSAVE and
 * SHUTDOWN are in persistence.ts), and the diagnostics tools poke at: ROLE, MEMORY,
 * LATENCY (server/latency.ts) and SLOWLOG, whose log stays empty.
 */

function info(c: Caller, argv: string[]): void {
  c.out.verbatim(buildInfo(c.server, selectSections(argv.slice(1)), c.lastCommand))
}

// --- CONFIG ---------------------------------------------------------------------

/** CONFIG GET parameter [parameter ...]: exact names answer under the name given. */
function configGet(c: Caller, argv: string[]): void {
  const config = c.server.config
  const found = new Map<string, string>()
  for (let i = 2; i < argv.length; i++) {
    const pattern = argv[i]
    if (!/[*?[]/.test(pattern)) {
      if (config.def(pattern) !== undefined && !found.has(pattern)) found.set(pattern, config.get(pattern))
      continue
    }
    for (const [name, value] of config.entries()) {
      if (!found.has(name) && globMatch(pattern, name, true)) found.set(name, value)
    }
  }
  c.out.map(found.size)
  for (const [name, value] of found) {
    c.out.bulk(name)
    c.out.bulk(value)
  }
}

/** CONFIG SET parameter value [parameter value ...], all or nothing. */
function configSet(c: Caller, argv: string[]): void {
  if (argv.length % 2 !== 0) return c.out.error(Err.syntax)
  const pairs: [string, string][] = []
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i], argv[i + 1]])
  try {
    c.server.config.setMany(pairs)
  } catch (e) {
    if (e instanceof ConfigError) return c.out.error(`ERR ${e.message}`)
    throw e
  }
  c.out.simple('OK')
}

function configResetStat(c: Caller): void {
  resetStats(c.server)
  c.out.simple('OK')
}

function configRewrite(c: Caller): void {
  c.out.error('ERR The server is running without a config file')
}

const CONFIG_HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
]

// --- Time, append-only file --------------------------------------------------

function time(c: Caller): void {
  const now = performance.timeOrigin + performance.now()
  const secs = Math.floor(now / 1000)
  c.out.array(2)
  c.out.bulk(String(secs))
  c.out.bulk(String(Math.min(999999, Math.floor((now - secs * 1000) * 1000))))
}

/**
 * BGREWRITEAOF: the rewrite runs from the event loop (aof.ts); with appendonly off it
 * still writes a new base, as Redis does. As Redis runs one child at a time, it waits
 * for a BGSAVE in progress (scheduled), and is scheduled from EXEC.
 */
function bgrewriteaof(c: Caller): void {
  const aof = c.server.appendOnlyFile()
  if (aof.rewriteInProgress) return c.out.error('ERR Background append only file rewriting already in progress')
  if (c.server.snapshots.background !== null || c.multi !== null) {
    aof.rewriteScheduled = true
    return c.out.simple('Background append only file rewriting scheduled')
  }
  if (aof.rewrite('command')) c.out.simple('Background append only file rewriting started')
  else c.out.error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
}

function role(c: Caller): void {
  c.out.array(3)
  c.out.bulk('master')
  c.out.integer(0)
  c.out.array(0)
}

// --- MEMORY, LATENCY, SLOWLOG -----------------------------------------------------

/** A rough footprint: key and value bytes plus fixed overheads of the order Redis reports. */
function estimateMemory(key: string, value: KeyspaceValue): number {
  const base = 16 + key.length + 24
  if (typeof value === 'string') return base + value.length + 16
  if (value instanceof MutableString) return base + value.buf.length + 16
  if ('size' in value) return base + 64 + value.size * 48
  return base + 64
}

/** MEMORY USAGE key [SAMPLES count] */
function memoryUsage(c: Caller, argv: string[]): void {
  for (let i = 3; i < argv.length; i++) {
    if (isOption(argv[i], 'SAMPLES') && i + 1 < argv.length) {
      if (parseInt64(argv[++i]) === null) return c.out.error(Err.notInteger)
    } else {
      return c.out.error(Err.syntax)
    }
  }
  const value = c.db.getStored(argv[2])
  if (value === undefined) return c.out.nullBulk()
  c.out.integer(estimateMemory(argv[2], value))
}

function memoryDoctor(c: Caller): void {
  c.out.verbatim('Hi Sam, I can\'t find any memory issue in your instance. I can only account for what occurs on this base.\n')
}

/** MEMORY PURGE: V8's full collection, which also hands free pages back, as jemalloc's purge does. */
function memoryPurge(c: Caller): void {
  loadGc()?.({ type: 'major' })
  c.out.simple('OK')
}

function ok(c: Caller): void {
  c.out.simple('OK')
}

const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
]

function zero(c: Caller): void {
  c.out.integer(0)
}

function latencyLatest(c: Caller): void {
  const events = c.server.latency.latest()
  c.out.array(events.length)
  for (const [event, time, latest, max] of events) {
    c.out.array(4)
    c.out.bulk(event)
    c.out.integer(time)
    c.out.integer(latest)
    c.out.integer(max)
  }
}

function latencyHistory(c: Caller, argv: string[]): void {
  const samples = c.server.latency.history(argv[2])
  c.out.array(samples.length)
  for (const [time, ms] of samples) {
    c.out.array(2)
    c.out.integer(time)
    c.out.integer(ms)
  }
}

function latencyReset(c: Caller, argv: string[]): void {
  c.out.integer(c.server.latency.reset(argv.slice(2)))
}

function latencyGraph(c: Caller, argv: string[]): void {
  const graph = c.server.latency.graph(argv[2])
  if (graph === null) c.out.error(`ERR No samples available for event '${argv[2]}'`)
  else c.out.verbatim(graph)
}

function latencyDoctor(c: Caller): void {
  c.out.verbatim(c.server.latency.doctor())
}

const LATENCY_HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
]

/** SLOWLOG GET [count]: nothing is ever logged, but the count is still checked. */
function slowlogGet(c: Caller, argv: string[]): void {
  if (argv.length > 3) return c.out.error(Err.subcommandSyntax('GET', 'slowlog'))
  if (argv.length === 3) {
    const n = parseInt64(argv[2])
    if (n === null || n < -1) return c.out.error('ERR count should be greater than or equal to -1')
  }
  c.out.array(0)
}

const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
]

// --- Specs --------------------------------------------------------------------------

const HELP_SUMMARY = 'Show helpful text about the different subcommands'

function sub(
  name: string, arity: number, flags: CommandFlag[], since: string, summary: string, complexity: string,
  syntax: string, handler: CommandSpec['handler'], extra: Partial<CommandSpec> = {},
): CommandSpec {
  return command({ name, arity, flags, group: 'server', since, summary, complexity, syntax, handler, ...extra })
}

function help(since: string, handler: CommandSpec['handler'], summary = HELP_SUMMARY): CommandSpec {
  return sub('help', 2, ['loading', 'stale'], since, summary, 'O(1)', '', handler)
}

const ADMIN: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale']
const DIAG_TIPS = ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special']

export const serverCommands: CommandSpec[] = [
  command({
    name: 'info', arity: -1, flags: ['loading', 'stale'], acl: ['dangerous'], group: 'server', since: '1.0.0',
    summary: 'Get information and statistics about the server', complexity: 'O(1)', syntax: '[section [section ...]]',
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], handler: info,
  }),
  command({
    name: 'config', arity: -2, group: 'server', since: '2.0.0', complexity: 'Depends on subcommand.',
    summary: 'A container for server configuration commands', syntax: '',
    subcommands: [
      sub('get', -3, [...ADMIN], '2.0.0', 'Get the values of configuration parameters',
        'O(N) when N is the number of configuration parameters provided', 'parameter [parameter ...]', configGet),
      sub('set', -4, [...ADMIN], '2.0.0', 'Set configuration parameters to the given values',
        'O(N) when N is the number of configuration parameters provided', 'parameter value [parameter value ...]', configSet,
        { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
      sub('resetstat', 2, [...ADMIN], '2.0.0', 'Reset the stats returned by INFO', 'O(1)', '', configResetStat),
      sub('rewrite', 2, [...ADMIN], '2.8.0', 'Rewrite the configuration file with the in memory configuration', 'O(1)', '', configRewrite),
      help('5.0.0', (c) => replyHelp(c, 'CONFIG', CONFIG_HELP)),
    ],
  }),
  command({
    name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], group: 'server', since: '2.6.0',
    summary: 'Return the current server time', complexity: 'O(1)', syntax: '', tips: ['nondeterministic_output'], handler: time,
  }),
  command({
    name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], group: 'server', since: '1.0.0',
    summary: 'Asynchronously rewrite the append-only file', complexity: 'O(1)', syntax: '', handler: bgrewriteaof,
  }),
  command({
    name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], group: 'server',
    since: '2.8.12', summary: 'Return the role of the instance in the context of replication', complexity: 'O(1)',
    syntax: '', handler: role,
  }),
  command({
    name: 'memory', arity: -2, group: 'server', since: '4.0.0', complexity: 'Depends on subcommand.',
    summary: 'A container for memory diagnostics commands', syntax: '',
    subcommands: [
      sub('usage', -3, ['readonly'], '4.0.0', 'Estimate the memory usage of a key', 'O(N) where N is the number of samples.',
        'key [SAMPLES count]', memoryUsage, { firstKey: 2, lastKey: 2, step: 1, keyFlags: ['RO'] }),
      sub('doctor', 2, [], '4.0.0', 'Outputs memory problems report', 'O(1)', '', memoryDoctor,
        { tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'] }),
      sub('purge', 2, [], '4.0.0', 'Ask the allocator to release memory', 'Depends on how much memory is allocated, could be slow', '', memoryPurge,
        { tips: ['request_policy:all_shards', 'response_policy:all_succeeded'] }),
      help('4.0.0', (c) => replyHelp(c, 'MEMORY', MEMORY_HELP)),
    ],
  }),
  command({
    name: 'latency', arity: -2, group: 'server', since: '2.8.13', complexity: 'Depends on subcommand.',
    summary: 'A container for latency diagnostics commands', syntax: '',
    subcommands: [
      sub('latest', 2, [...ADMIN], '2.8.13', 'Return the latest latency samples for all events.', 'O(1)', '', latencyLatest, { tips: DIAG_TIPS }),
      sub('history', 3, [...ADMIN], '2.8.13', 'Return timestamp-latency samples for the event.', 'O(1)', 'event', latencyHistory, { tips: DIAG_TIPS }),
      sub('reset', -2, [...ADMIN], '2.8.13', 'Reset latency data for one or more events.', 'O(1)', '[event [event ...]]', latencyReset,
        { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
      sub('graph', 3, [...ADMIN], '2.8.13', 'Return a latency graph for the event.', 'O(1)', 'event', latencyGraph, { tips: DIAG_TIPS }),
      sub('doctor', 2, [...ADMIN], '2.8.13', 'Return a human readable latency analysis report.', 'O(1)', '', latencyDoctor, { tips: DIAG_TIPS }),
      help('2.8.13', (c) => replyHelp(c, 'LATENCY', LATENCY_HELP), 'Show helpful text about the different subcommands.'),
    ],
  }),
  command({
    name: 'slowlog', arity: -2, group: 'server', since: '2.2.12', complexity: 'Depends on subcommand.',
    summary: 'A container for slow log commands', syntax: '',
    subcommands: [
      sub('get', -2, ['admin', 'loading', 'stale'], '2.2.12', 'Get the slow log\'s entries', 'O(N) where N is the number of entries returned',
        '[count]', slowlogGet, { tips: ['request_policy:all_nodes', 'nondeterministic_output'] }),
      sub('len', 2, ['admin', 'loading', 'stale'], '2.2.12', 'Get the slow log\'s length', 'O(1)', '', zero,
        { tips: ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output'] }),
      sub('reset', 2, ['admin', 'loading', 'stale'], '2.2.12', 'Clear all entries from the slow log',
        'O(N) where N is the number of entries in the slowlog', '', ok,
        { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
      help('6.2.0', (c) => replyHelp(c, 'SLOWLOG', SLOWLOG_HELP)),
    ],
  }),
]
