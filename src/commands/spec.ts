import type { Caller } from '../server/caller.js'

/**
 * A command is a small spec: the metadata Redis publishes through COMMAND (arity,
 * flags, key positions, docs) plus the handler. The dispatcher does the generic
 * checks from this data; handlers only look up keys, check types and reply.
 */

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'allow_busy'
  | 'no_multi'
  | 'no_async_loading'
  | 'movablekeys'

/**
 * Handlers get the caller (see server/caller.ts: a reply writer, a database and the
 * caller's state, never a socket) and argv as latin1 strings, argv[0] being the
 * command name as sent. A handler that cannot complete yet calls `caller.block(...)`
 * and returns.
 */
export type Handler = (client: Caller, argv: string[]) => void

export interface CommandSpec {
  /** Lower case; for a subcommand, just the subcommand ("get" under "config"). */
  name: string
  /** Redis's convention: the count includes the name; negative means "at least -arity". */
  arity: number
  flags: CommandFlag[]
  /**
   * ACL categories without the '@' (the group's own is added automatically; list it
   * with a '-' prefix, e.g. '-keyspace' for SORT, to leave it out).
   */
  acl?: string[]
  /** 1-based key positions as in COMMAND INFO; lastKey -1 means "to the end". */
  firstKey: number
  lastKey: number
  step: number
  /**
   * Key-spec flags COMMAND INFO reports, e.g. ['RW', 'insert'] or ['RO']; when absent,
   * ['RW', 'update'] for write commands and ['RO', 'access'] otherwise.
   */
  keyFlags?: string[]
  /** COMMAND INFO's notes on the key spec, where Redis gives some (EVAL, FCALL, XADD). */
  keyNotes?: string
  /** For commands whose keys come after a numkeys argument: the argv indexes of the keys. */
  keys?: (argv: string[]) => number[]
  /**
   * For movable keys found after a keyword (XREAD's STREAMS): the key spec COMMAND
   * INFO publishes, searching for `keyword` from argument `startfrom`, the keys being
   * 1/`limit` of what follows it.
   */
  keywordKeys?: { keyword: string; startfrom: number; limit: number }
  /**
   * COMMAND INFO's key specs written out, for commands whose keys play different
   * roles (PFMERGE's and GEOSEARCHSTORE's destination and sources, GEORADIUS's STORE
   * keys); when present, they replace the specs derived from the fields above, and the
   * n-th key argument in COMMAND DOCS points at the n-th spec.
   */
  keySpecs?: KeySpec[]
  group: CommandGroup
  summary: string
  since: string
  complexity?: string
  /**
   * Redis's syntax line after the name, e.g. "key value [NX | XX]". COMMAND DOCS
   * derives its argument tree from it, and redis-cli builds its hints from that.
   */
  syntax: string
  /** COMMAND DOCS doc_flags, e.g. ['syscmd'] for PFSELFTEST and PFDEBUG. */
  docFlags?: string[]
  /** COMMAND INFO tips, e.g. "nondeterministic_output", "request_policy:all_shards". */
  tips?: string[]
  handler?: Handler
  subcommands?: CommandSpec[]
  /** Filled in by the table: "config|get" for subcommands. */
  fullName?: string
  /** INFO commandstats. */
  stats?: CommandStats
  /**
   * Our extension for the mini Redis dialect: the argument positions that may hold a
   * structured value (any RESP type, not only a bulk string), from `first` every `step`
   * (0: `first` alone). The dispatcher refuses structured values anywhere else, so
   * handlers can treat every other argument as a string.
   */
  structuredValues?: { first: number; step: number }
  /**
   * The argument a handler takes as a Buffer when it arrived as one (a long value from
   * the socket, see RequestDecoder.bytesFrom) and the command runs at once: it copies
   * the bytes out before returning. Anywhere else, and for every other argument, the
   * dispatcher hands over a string.
   */
  bytesValue?: number
  /** Derived from flags by the table, so the dispatcher tests a boolean. */
  noAuth?: boolean
  denyoom?: boolean
  writes?: boolean
  /** Flagged fast: its latency spikes are LATENCY's fast-command, not command. */
  fast?: boolean
  /** RESP2 subscribed mode: (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET only. */
  allowedWhileSubscribed?: boolean
  /** Flagged noscript: refused to redis.call. */
  noScript?: boolean
  /** Flagged allow_busy: runs while a script is busy (the rest get -BUSY). */
  allowBusy?: boolean
  /** Flagged loading: runs while the start-up load is in progress (the rest get -LOADING). */
  duringLoad?: boolean
  /**
   * EXEC, EVAL, FCALL...: the writes they run propagate one by one, wrapped in
   * MULTI/EXEC, never the command itself.
   */
  propagatesEffects?: boolean
  /** Flagged no_multi: refused between MULTI and EXEC. */
  noMulti?: boolean
  /** Run at once in MULTI instead of being queued: EXEC, DISCARD, MULTI, WATCH, QUIT, RESET. */
  runsInMulti?: boolean
  /** Ends a transaction (EXEC, DISCARD, QUIT, RESET), so maxmemory does not refuse it in MULTI. */
  endsMulti?: boolean
}

/** One COMMAND INFO key spec: flags, then a search from an index or after a keyword, then a range of keys. */
export interface KeySpec {
  flags: string[]
  begin: { index: number } | { keyword: string; startfrom: number }
  /** find_keys range: lastkey relative to the first key found, keystep, limit. */
  range: [number, number, number]
}

export type CommandGroup =
  | 'string'
  | 'bitmap'
  | 'generic'
  | 'connection'
  | 'server'
  | 'list'
  | 'hash'
  | 'set'
  | 'sorted-set'
  | 'scripting'
  | 'pubsub'
  | 'transactions'
  | 'stream'
  | 'hyperloglog'
  | 'geo'

export interface CommandStats {
  calls: number
  usec: number
  rejected: number
  failed: number
}

/** Key positions shared by most specs: the single key after the name, and every argument. */
export const oneKey = { firstKey: 1, lastKey: 1, step: 1 } as const
export const everyKey = { firstKey: 1, lastKey: -1, step: 1 } as const

/** Key-spec flags of the pops (LPOP, BLMOVE, ZPOPMIN, BZMPOP...): they read and delete. */
export const popKeyFlags = ['RW', 'access', 'delete']

/** Spec fields most commands share, so a family file lists only what differs. */
export function command(spec: Omit<CommandSpec, 'firstKey' | 'lastKey' | 'step' | 'flags'> &
  Partial<Pick<CommandSpec, 'firstKey' | 'lastKey' | 'step' | 'flags'>>): CommandSpec {
  return { firstKey: 0, lastKey: 0, step: 0, flags: [], ...spec }
}
