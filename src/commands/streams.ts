import { isOption } from './args.js'
import { command, type CommandSpec } from './spec.js'
import { entryHandlers as e } from './streams/entries.js'
import { groupHandlers as g } from './streams/groups.js'
import { infoHandlers as i } from './streams/info.js'
import { readHandlers as r, readSpecs } from './streams/read.js'

/**
 * Stream commands. A stream is a StreamValue (store/stream.ts); the handlers live in
 * streams/: entries.ts (XADD, XRANGE, XDEL, XTRIM, XSETID...), read.ts (XREAD and
 * XREADGROUP, which block), groups.ts (XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM)
 * and info.ts (XINFO). Unlike other collections, an empty stream keeps its key.
 */

const oneKey = { firstKey: 1, lastKey: 1, step: 1 } as const
const secondKey = { firstKey: 2, lastKey: 2, step: 1 } as const
const nondeterministic = ['nondeterministic_output']

/**
 * XREAD's and XREADGROUP's keys, as Redis 7.0 finds them from the key spec: after the
 * first STREAMS from argument `from` on, the first half of what follows (rounded
 * down). [-1] when there is no STREAMS or no key.
 */
function keysAfterStreams(from: number): (argv: string[]) => number[] {
  return (argv) => {
    let at = -1
    for (let j = from; j < argv.length; j++) {
      if (isOption(argv[j], 'STREAMS')) {
        at = j
        break
      }
    }
    const n = Math.floor((argv.length - at - 1) / 2)
    if (at < 0 || n === 0) return [-1]
    const keys: number[] = []
    for (let j = at + 1; j <= at + n; j++) keys.push(j)
    return keys
  }
}

const xread = command({
  name: 'xread', arity: -4, flags: ['readonly', 'blocking', 'movablekeys'], keys: keysAfterStreams(1), group: 'stream', since: '5.0.0',
  keywordKeys: { keyword: 'STREAMS', startfrom: 1, limit: 2 },
  complexity: 'For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.',
  summary: 'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.',
  syntax: '[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]', handler: r.xread,
})

const xreadgroup = command({
  name: 'xreadgroup', arity: -7, flags: ['write', 'blocking', 'movablekeys'], keyFlags: ['RO', 'access'], keys: keysAfterStreams(4),
  keywordKeys: { keyword: 'STREAMS', startfrom: 4, limit: 2 },
  group: 'stream', since: '5.0.0',
  complexity: 'For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.',
  summary: 'Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.',
  syntax: 'GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]', handler: r.xreadgroup,
})

readSpecs.xread = xread
readSpecs.xreadgroup = xreadgroup

const RANGE_COMPLEXITY = 'O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).'

export const streamCommands: CommandSpec[] = [
  command({
    name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'stream', since: '5.0.0', tips: nondeterministic,
    keyNotes: 'UPDATE instead of INSERT because of the optional trimming feature',
    complexity: 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
    summary: 'Appends a new entry to a stream',
    syntax: 'key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]',
    handler: e.xadd,
  }),
  command({
    name: 'xtrim', arity: -4, flags: ['write'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'stream', since: '5.0.0', tips: nondeterministic,
    complexity: 'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.',
    summary: "Trims the stream to (approximately if '~' is passed) a certain size",
    syntax: 'key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]', handler: e.xtrim,
  }),
  command({
    name: 'xdel', arity: -3, flags: ['write', 'fast'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'stream', since: '5.0.0',
    complexity: 'O(1) for each single item to delete in the stream, regardless of the stream size.',
    summary: 'Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.',
    syntax: 'key id [id ...]', handler: e.xdel,
  }),
  command({
    name: 'xrange', arity: -4, flags: ['readonly'], ...oneKey, group: 'stream', since: '5.0.0', complexity: RANGE_COMPLEXITY,
    summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval',
    syntax: 'key start end [COUNT count]', handler: e.xrange,
  }),
  command({
    name: 'xrevrange', arity: -4, flags: ['readonly'], ...oneKey, group: 'stream', since: '5.0.0',
    complexity: 'O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE',
    syntax: 'key end start [COUNT count]', handler: e.xrevrange,
  }),
  command({
    name: 'xlen', arity: 2, flags: ['readonly', 'fast'], keyFlags: ['RO'], ...oneKey, group: 'stream', since: '5.0.0', complexity: 'O(1)',
    summary: 'Return the number of entries in a stream', syntax: 'key', handler: e.xlen,
  }),
  xread,
  xreadgroup,
  command({
    name: 'xack', arity: -4, flags: ['write', 'fast'], ...oneKey, group: 'stream', since: '5.0.0',
    complexity: 'O(1) for each message ID processed.',
    summary: 'Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.',
    syntax: 'key group id [id ...]', handler: g.xack,
  }),
  command({
    name: 'xpending', arity: -3, flags: ['readonly'], ...oneKey, group: 'stream', since: '5.0.0', tips: nondeterministic,
    complexity: 'O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.',
    summary: 'Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.',
    syntax: 'key group [[IDLE min-idle-time] start end count [consumer]]', handler: g.xpending,
  }),
  command({
    name: 'xclaim', arity: -6, flags: ['write', 'fast'], ...oneKey, group: 'stream', since: '5.0.0', tips: nondeterministic,
    complexity: 'O(log N) with N being the number of messages in the PEL of the consumer group.',
    summary: 'Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.',
    syntax: 'key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]',
    handler: g.xclaim,
  }),
  command({
    name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], keyFlags: ['RW', 'delete'], ...oneKey, group: 'stream', since: '6.2.0',
    tips: nondeterministic, complexity: 'O(1) if COUNT is small.',
    summary: 'Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.',
    syntax: 'key group consumer min-idle-time start [COUNT count] [JUSTID]', handler: g.xautoclaim,
  }),
  command({
    name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], ...oneKey, group: 'stream', since: '5.0.0', complexity: 'O(1)',
    summary: 'An internal command for replicating stream values',
    syntax: 'key last-id [ENTRIESADDED entries_added] [MAXDELETEDID max_deleted_entry_id]', handler: e.xsetid,
  }),
  command({
    name: 'xgroup', arity: -2, group: 'stream', since: '5.0.0', complexity: 'Depends on subcommand.',
    summary: 'A container for consumer groups commands', syntax: '',
    // In the order Redis 7.0 lists them.
    subcommands: [
      command({
        name: 'setid', arity: -5, flags: ['write'], ...secondKey, group: 'stream', since: '5.0.0', complexity: 'O(1)',
        summary: 'Set a consumer group to an arbitrary last delivered ID value.',
        syntax: 'key groupname <id | $> [ENTRIESREAD entries_read]', handler: g.xgroupSetid,
      }),
      command({
        name: 'create', arity: -5, flags: ['write', 'denyoom'], keyFlags: ['RW', 'insert'], ...secondKey, group: 'stream', since: '5.0.0',
        complexity: 'O(1)', summary: 'Create a consumer group.',
        syntax: 'key groupname <id | $> [MKSTREAM] [ENTRIESREAD entries_read]', handler: g.xgroupCreate,
      }),
      command({
        name: 'createconsumer', arity: 5, flags: ['write', 'denyoom'], keyFlags: ['RW', 'insert'], ...secondKey, group: 'stream',
        since: '6.2.0', complexity: 'O(1)', summary: 'Create a consumer in a consumer group.',
        syntax: 'key groupname consumername', handler: g.xgroupCreateconsumer,
      }),
      command({
        name: 'destroy', arity: 4, flags: ['write'], keyFlags: ['RW', 'delete'], ...secondKey, group: 'stream', since: '5.0.0',
        complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        summary: 'Destroy a consumer group.', syntax: 'key groupname', handler: g.xgroupDestroy,
      }),
      command({
        name: 'delconsumer', arity: 5, flags: ['write'], keyFlags: ['RW', 'delete'], ...secondKey, group: 'stream', since: '5.0.0',
        complexity: 'O(1)', summary: 'Delete a consumer from a consumer group.', syntax: 'key groupname consumername', handler: g.xgroupDelconsumer,
      }),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'], group: 'stream', since: '5.0.0', complexity: 'O(1)',
        summary: 'Show helpful text about the different subcommands', syntax: '', handler: g.xgroupHelp,
      }),
    ],
  }),
  command({
    name: 'xinfo', arity: -2, group: 'stream', since: '5.0.0', complexity: 'Depends on subcommand.',
    summary: 'A container for stream introspection commands', syntax: '',
    subcommands: [
      command({
        name: 'consumers', arity: 4, flags: ['readonly'], ...secondKey, group: 'stream', since: '5.0.0', complexity: 'O(1)',
        tips: nondeterministic, summary: 'List the consumers in a consumer group', syntax: 'key groupname', handler: i.xinfoConsumers,
      }),
      command({
        name: 'groups', arity: 3, flags: ['readonly'], ...secondKey, group: 'stream', since: '5.0.0', complexity: 'O(1)',
        summary: 'List the consumer groups of a stream', syntax: 'key', handler: i.xinfoGroups,
      }),
      command({
        name: 'stream', arity: -3, flags: ['readonly'], ...secondKey, group: 'stream', since: '5.0.0', complexity: 'O(1)',
        summary: 'Get information about a stream', syntax: 'key [FULL [COUNT count]]', handler: i.xinfoStream,
      }),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'], group: 'stream', since: '5.0.0', complexity: 'O(1)',
        summary: 'Show helpful text about the different subcommands', syntax: '', handler: i.xinfoHelp,
      }),
    ],
  }),
]
