import type { PubSub } from '../pubsub/pubsub.js'
import type { Caller } from '../server/caller.js'
import type { Client } from '../server/client.js'
import { globMatch } from '../store/glob.js'
import { replyHelp } from './help.js'
import { command, type CommandSpec } from './spec.js'

/**
 * Pub/sub: SUBSCRIBE and friends, PUBLISH, SPUBLISH and PUBSUB. Subscriptions belong
 * to a connection (these commands are noscript); the registry is pubsub/pubsub.ts.
 *
 * Confirmations go out one per channel, as pushes: arrays in RESP2, `>` frames in
 * RESP3. Channels and shard channels count separately: the number in a (un)subscribe
 * confirmation is channels plus patterns, in an s(un)subscribe one shard channels.
 */

type Kind = 'channels' | 'patterns' | 'shardChannels'

function confirm(c: Client, verb: string, name: string | null, count: number): void {
  const out = c.out
  out.push(3)
  out.bulk(verb)
  if (name === null) out.nullBulk()
  else out.bulk(name)
  out.integer(count)
}

function countFor(c: Client, kind: Kind): number {
  return kind === 'shardChannels' ? c.shardChannels.size : c.channels.size + c.patterns.size
}

function subscribeGeneric(c: Caller, argv: string[], kind: Kind, verb: string): void {
  const client = c.connection!
  const pubsub = c.server.pubsub
  for (let i = 1; i < argv.length; i++) {
    const name = argv[i]
    if (pubsub.add(pubsub[kind], name, client)) client[kind].add(name)
    confirm(client, verb, name, countFor(client, kind))
  }
  client.updatePubSubMode()
}

function unsubscribeGeneric(c: Caller, argv: string[], kind: Kind, verb: string): void {
  const client = c.connection!
  const names = argv.length > 1 ? argv.slice(1) : [...client[kind]]
  if (names.length === 0) confirm(client, verb, null, countFor(client, kind))
  for (const name of names) unsubscribeOne(client, kind, name, verb)
  client.updatePubSubMode()
}

function unsubscribeOne(client: Client, kind: Kind, name: string, verb: string): void {
  const pubsub: PubSub = client.server.pubsub
  if (pubsub.remove(pubsub[kind], name, client)) client[kind].delete(name)
  confirm(client, verb, name, countFor(client, kind))
}

function subscribe(c: Caller, argv: string[]): void {
  subscribeGeneric(c, argv, 'channels', 'subscribe')
}

function unsubscribe(c: Caller, argv: string[]): void {
  unsubscribeGeneric(c, argv, 'channels', 'unsubscribe')
}

function psubscribe(c: Caller, argv: string[]): void {
  subscribeGeneric(c, argv, 'patterns', 'psubscribe')
}

function punsubscribe(c: Caller, argv: string[]): void {
  unsubscribeGeneric(c, argv, 'patterns', 'punsubscribe')
}

function ssubscribe(c: Caller, argv: string[]): void {
  subscribeGeneric(c, argv, 'shardChannels', 'ssubscribe')
}

function sunsubscribe(c: Caller, argv: string[]): void {
  unsubscribeGeneric(c, argv, 'shardChannels', 'sunsubscribe')
}

function publish(c: Caller, argv: string[]): void {
  c.out.integer(c.server.pubsub.publish(argv[1], argv[2]))
}

function spublish(c: Caller, argv: string[]): void {
  c.out.integer(c.server.pubsub.publishShard(argv[1], argv[2]))
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern] */
function channelsGeneric(c: Caller, argv: string[], registry: Map<string, Set<Client>>): void {
  const pattern = argv.length > 2 ? argv[2] : null
  const names: string[] = []
  for (const name of registry.keys()) if (pattern === null || globMatch(pattern, name)) names.push(name)
  c.out.array(names.length)
  for (const name of names) c.out.bulk(name)
}

/** PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: name, count pairs in a flat array. */
function numsubGeneric(c: Caller, argv: string[], registry: Map<string, Set<Client>>): void {
  const out = c.out
  out.array((argv.length - 2) * 2)
  for (let i = 2; i < argv.length; i++) {
    out.bulk(argv[i])
    out.integer(registry.get(argv[i])?.size ?? 0)
  }
}

const PUBSUB_HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
]

const SUB_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const
const INFO_FLAGS = ['pubsub', 'loading', 'stale'] as const
/** Shard channels are declared as keys (for cluster routing) that are not keys. */
const shardKeys = { keyFlags: ['not_key'] }

function sub(name: string, arity: number, since: string, summary: string, syntax: string, complexity: string, handler: CommandSpec['handler']): CommandSpec {
  return command({ name, arity, flags: [...INFO_FLAGS], group: 'pubsub', since, summary, syntax, complexity, handler })
}

export const pubsubCommands: CommandSpec[] = [
  command({
    name: 'subscribe', arity: -2, flags: [...SUB_FLAGS], group: 'pubsub', since: '2.0.0',
    complexity: 'O(N) where N is the number of channels to subscribe to.',
    summary: 'Listen for messages published to the given channels', syntax: 'channel [channel ...]', handler: subscribe,
  }),
  command({
    name: 'unsubscribe', arity: -1, flags: [...SUB_FLAGS], group: 'pubsub', since: '2.0.0',
    complexity: 'O(N) where N is the number of clients already subscribed to a channel.',
    summary: 'Stop listening for messages posted to the given channels', syntax: '[channel [channel ...]]', handler: unsubscribe,
  }),
  command({
    name: 'psubscribe', arity: -2, flags: [...SUB_FLAGS], group: 'pubsub', since: '2.0.0',
    complexity: 'O(N) where N is the number of patterns the client is already subscribed to.',
    summary: 'Listen for messages published to channels matching the given patterns', syntax: 'pattern [pattern ...]', handler: psubscribe,
  }),
  command({
    name: 'punsubscribe', arity: -1, flags: [...SUB_FLAGS], group: 'pubsub', since: '2.0.0',
    complexity: 'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).',
    summary: 'Stop listening for messages posted to channels matching the given patterns', syntax: '[pattern [pattern ...]]', handler: punsubscribe,
  }),
  command({
    name: 'ssubscribe', arity: -2, flags: [...SUB_FLAGS], group: 'pubsub', since: '7.0.0', firstKey: 1, lastKey: -1, step: 1, ...shardKeys,
    complexity: 'O(N) where N is the number of shard channels to subscribe to.',
    summary: 'Listen for messages published to the given shard channels', syntax: 'shardchannel [shardchannel ...]', handler: ssubscribe,
  }),
  command({
    name: 'sunsubscribe', arity: -1, flags: [...SUB_FLAGS], group: 'pubsub', since: '7.0.0', firstKey: 1, lastKey: -1, step: 1, ...shardKeys,
    complexity: 'O(N) where N is the number of clients already subscribed to a shard channel.',
    summary: 'Stop listening for messages posted to the given shard channels', syntax: '[shardchannel [shardchannel ...]]', handler: sunsubscribe,
  }),
  command({
    name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], group: 'pubsub', since: '2.0.0',
    complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).',
    summary: 'Post a message to a channel', syntax: 'channel message', handler: publish,
  }),
  command({
    name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], group: 'pubsub', since: '7.0.0', firstKey: 1, lastKey: 1, step: 1, ...shardKeys,
    complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.',
    summary: 'Post a message to a shard channel', syntax: 'shardchannel message', handler: spublish,
  }),
  command({
    name: 'pubsub', arity: -2, group: 'pubsub', since: '2.8.0', complexity: 'Depends on subcommand.',
    summary: 'A container for Pub/Sub commands', syntax: '', acl: ['slow', '-pubsub'],
    subcommands: [
      sub('channels', -2, '2.8.0', 'List active channels', '[pattern]',
        'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)',
        (c, argv) => channelsGeneric(c, argv, c.server.pubsub.channels)),
      sub('numsub', -2, '2.8.0', 'Get the count of subscribers for channels', '[channel [channel ...]]',
        'O(N) for the NUMSUB subcommand, where N is the number of requested channels',
        (c, argv) => numsubGeneric(c, argv, c.server.pubsub.channels)),
      sub('numpat', 2, '2.8.0', 'Get the count of unique patterns pattern subscriptions', '', 'O(1)',
        (c) => c.out.integer(c.server.pubsub.patterns.size)),
      sub('shardchannels', -2, '7.0.0', 'List active shard channels', '[pattern]',
        'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).',
        (c, argv) => channelsGeneric(c, argv, c.server.pubsub.shardChannels)),
      sub('shardnumsub', -2, '7.0.0', 'Get the count of subscribers for shard channels', '[shardchannel [shardchannel ...]]',
        'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels',
        (c, argv) => numsubGeneric(c, argv, c.server.pubsub.shardChannels)),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'], group: 'pubsub', since: '6.2.0', complexity: 'O(1)',
        summary: 'Show helpful text about the different subcommands', syntax: '', handler: (c) => replyHelp(c, 'PUBSUB', PUBSUB_HELP),
      }),
    ],
  }),
]
