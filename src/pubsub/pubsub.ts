import type { Client } from '../server/client.js'
import { latin1Write } from '../resp/latin1.js'
import { globMatch } from '../store/glob.js'

/**
 * Who listens to what: channels, patterns and shard channels, each mapped to its
 * subscribers in the order they subscribed. It knows connections only as places to
 * deliver a finished frame; the commands live in commands/pubsub.ts.
 *
 * A message is encoded once per protocol in use (RESP2 arrays, RESP3 pushes) and the
 * same bytes are copied to every subscriber, so fan-out costs one copy per receiver.
 */
export class PubSub {
  readonly channels = new Map<string, Set<Client>>()
  readonly patterns = new Map<string, Set<Client>>()
  readonly shardChannels = new Map<string, Set<Client>>()

  /** PUBLISH: delivers to channel subscribers, then to matching patterns. Returns the receiver count. */
  publish(channel: string, message: string): number {
    let receivers = 0
    const subscribers = this.channels.get(channel)
    if (subscribers !== undefined) receivers += deliver(subscribers, 'message', null, channel, message)
    if (this.patterns.size !== 0) {
      for (const [pattern, clients] of this.patterns) {
        if (globMatch(pattern, channel)) receivers += deliver(clients, 'pmessage', pattern, channel, message)
      }
    }
    return receivers
  }

  /** SPUBLISH: shard channels are a namespace of their own, without patterns. */
  publishShard(channel: string, message: string): number {
    const subscribers = this.shardChannels.get(channel)
    return subscribers === undefined ? 0 : deliver(subscribers, 'smessage', null, channel, message)
  }

  /** Adds `client` under `name` in `registry`; false when it was there already. */
  add(registry: Map<string, Set<Client>>, name: string, client: Client): boolean {
    let set = registry.get(name)
    if (set === undefined) registry.set(name, (set = new Set()))
    else if (set.has(client)) return false
    set.add(client)
    return true
  }

  /** A closing connection, or RESET: leaves everything, without confirmations. */
  unsubscribeAll(client: Client): void {
    for (const name of client.channels) this.remove(this.channels, name, client)
    for (const name of client.patterns) this.remove(this.patterns, name, client)
    for (const name of client.shardChannels) this.remove(this.shardChannels, name, client)
    client.channels.clear()
    client.patterns.clear()
    client.shardChannels.clear()
    client.updatePubSubMode()
  }

  remove(registry: Map<string, Set<Client>>, name: string, client: Client): boolean {
    const set = registry.get(name)
    if (set === undefined || !set.delete(client)) return false
    if (set.size === 0) registry.delete(name)
    return true
  }
}

/** Writes one message to every subscriber in `clients`; encodes at most once per protocol. */
function deliver(clients: Set<Client>, kind: string, pattern: string | null, channel: string, message: string): number {
  let resp2: Buffer | null = null
  let resp3: Buffer | null = null
  for (const client of clients) {
    if (client.out.proto === 3) {
      if (resp3 === null) resp3 = encodeMessage('>', kind, pattern, channel, message)
      client.deliver(resp3)
    } else {
      if (resp2 === null) resp2 = encodeMessage('*', kind, pattern, channel, message)
      client.deliver(resp2)
    }
  }
  return clients.size
}

/**
 * [kind, (pattern,) channel, message] as an array (RESP2) or push (RESP3) frame. The
 * message is written straight into the frame: joining it to the header as a string
 * first would copy a large message twice.
 */
export function encodeMessage(type: '*' | '>', kind: string, pattern: string | null, channel: string, message: string): Buffer {
  let head = `${type}${pattern === null ? 3 : 4}\r\n$${kind.length}\r\n${kind}\r\n`
  if (pattern !== null) head += `$${pattern.length}\r\n${pattern}\r\n`
  head += `$${channel.length}\r\n${channel}\r\n$${message.length}\r\n`
  const frame = Buffer.allocUnsafe(head.length + message.length + 2)
  let pos = latin1Write(frame, 0, head)
  pos += latin1Write(frame, pos, message)
  frame[pos] = 0x0d
  frame[pos + 1] = 0x0a
  return frame
}
