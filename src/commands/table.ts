import type { CommandSpec } from './spec.js'
import { bitmapCommands } from './bitmaps.js'
import { connectionCommands } from './connection.js'
import { geoCommands } from './geo.js'
import { hashCommands } from './hashes.js'
import { introspectionCommands } from './introspection.js'
import { keyCommands } from './keys.js'
import { lcsCommands } from './lcs.js'
import { listCommands } from './lists.js'
import { miniCommands } from './mini.js'
import { pubsubCommands } from './pubsub.js'
import { functionCommands } from './functions.js'
import { scriptingCommands } from './scripting.js'
import { serverCommands } from './server.js'
import { persistenceCommands } from './persistence.js'
import { setCommands } from './sets.js'
import { sortCommands } from './sort.js'
import { sortedSetCommands } from './sorted-sets.js'
import { streamCommands } from './streams.js'
import { stringCommands } from './strings.js'
import { transactionCommands } from './transactions.js'
import { hyperloglogCommands } from './hyperloglog.js'
import { debugCommands } from './debug.js'
import { migrateCommands } from './migrate.js'

/** Every command family; each file under src/commands/ exports one list. */
export const families: readonly CommandSpec[][] = [
  stringCommands,
  lcsCommands,
  bitmapCommands,
  keyCommands,
  connectionCommands,
  serverCommands,
  persistenceCommands,
  debugCommands,
  migrateCommands,
  introspectionCommands,
  miniCommands,
  listCommands,
  hashCommands,
  setCommands,
  sortedSetCommands,
  geoCommands,
  streamCommands,
  sortCommands,
  pubsubCommands,
  transactionCommands,
  scriptingCommands,
  functionCommands,
  hyperloglogCommands,
]

/**
 * The command table. Names are matched exactly first (clients send "GET" or "get"),
 * so the common case costs one Map lookup and no lower-casing.
 */
export class CommandTable {
  readonly commands: CommandSpec[] = []
  private readonly byName = new Map<string, CommandSpec>()
  /**
   * The last name looked up, and what it found. A pipeline mostly repeats a command,
   * and the decoder hands back the very string it made for the name last time
   * (latin1.ts), which === matches without reading it: the Map lookup was 0.9-1.4% of
   * a pipelined GET's or INCR's samples.
   */
  private lastName: string | undefined
  private lastSpec: CommandSpec | undefined

  constructor(specs: Iterable<CommandSpec> = families.flat()) {
    for (const spec of specs) this.add(spec)
  }

  private add(spec: CommandSpec): void {
    if (this.byName.has(spec.name)) throw new Error(`duplicate command ${spec.name}`)
    prepare(spec, spec.name)
    for (const sub of spec.subcommands ?? []) {
      prepare(sub, `${spec.name}|${sub.name}`)
      sub.group = spec.group
    }
    this.commands.push(spec)
    this.lastName = undefined
    this.byName.set(spec.name, spec)
    this.byName.set(spec.name.toUpperCase(), spec)
  }

  /**
   * rename-command: the command answers under `to` only (case-insensitively), and
   * `from` becomes an unknown command; an empty `to` disables it. As in Redis, the
   * command keeps its own name wherever it describes itself (COMMAND INFO, DOCS and
   * LIST, INFO commandstats, error replies), and COMMAND COUNT drops disabled ones.
   * The renamed entry is a copy, so "Try X HELP" hints name the new command while the
   * shared spec (and its counters) stay as they are. Throws with Redis's reasons.
   */
  rename(from: string, to: string): void {
    const spec = this.byName.get(from.toLowerCase())
    if (spec === undefined) throw new Error('No such command in rename-command')
    const target = to.toLowerCase()
    if (target !== '' && this.byName.has(target)) throw new Error('Target command name already exists')
    this.lastName = undefined
    for (const [key, s] of this.byName) if (s === spec) this.byName.delete(key)
    const at = this.commands.indexOf(spec)
    if (target === '') {
      this.commands.splice(at, 1)
      return
    }
    const renamed: CommandSpec = { ...spec, name: target }
    this.commands[at] = renamed
    this.byName.set(target, renamed)
    this.byName.set(target.toUpperCase(), renamed)
  }

  lookup(name: string): CommandSpec | undefined {
    if (name === this.lastName) return this.lastSpec
    const spec = this.byName.get(name) ?? this.byName.get(name.toLowerCase())
    this.lastName = name
    this.lastSpec = spec
    return spec
  }

  lookupSub(container: CommandSpec, name: string): CommandSpec | undefined {
    const lower = name.toLowerCase()
    return container.subcommands!.find((s) => s.name === lower)
  }

  /** "get" or "config|get". */
  lookupFull(fullName: string): CommandSpec | undefined {
    const [name, sub] = fullName.toLowerCase().split('|')
    const spec = this.byName.get(name)
    if (spec === undefined || sub === undefined) return spec
    return spec.subcommands?.find((s) => s.name === sub)
  }
}

/** What Redis lets a RESP2 connection run while it is subscribed. */
const SUBSCRIBED_MODE_COMMANDS = new Set([
  'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe', 'ping', 'quit', 'reset',
])

/** What Redis runs at once in MULTI; everything else is queued for EXEC. */
const RUN_IN_MULTI = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset'])
const ENDS_MULTI = new Set(['exec', 'discard', 'quit', 'reset'])
const PROPAGATES_EFFECTS = new Set(['exec', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro'])

function prepare(spec: CommandSpec, fullName: string): void {
  spec.fullName = fullName
  spec.stats = { calls: 0, usec: 0, rejected: 0, failed: 0 }
  spec.noAuth = spec.flags.includes('no_auth')
  spec.denyoom = spec.flags.includes('denyoom')
  spec.writes = spec.flags.includes('write')
  spec.fast = spec.flags.includes('fast')
  spec.allowedWhileSubscribed = SUBSCRIBED_MODE_COMMANDS.has(fullName)
  spec.noMulti = spec.flags.includes('no_multi')
  spec.noScript = spec.flags.includes('noscript')
  spec.allowBusy = spec.flags.includes('allow_busy')
  spec.duringLoad = spec.flags.includes('loading')
  spec.propagatesEffects = PROPAGATES_EFFECTS.has(fullName)
  spec.runsInMulti = RUN_IN_MULTI.has(fullName)
  spec.endsMulti = ENDS_MULTI.has(fullName)
  if (spec.handler === undefined && spec.subcommands === undefined) {
    throw new Error(`command ${fullName} has no handler`)
  }
}

/** Argument indexes of the keys of one call, from the spec's key positions. */
export function keyIndexes(spec: CommandSpec, argv: string[]): number[] {
  if (spec.keys !== undefined) return spec.keys(argv)
  if (spec.firstKey === 0) return []
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey
  const out: number[] = []
  for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.step || 1) out.push(i)
  return out
}
