import type { Client } from '../server/client.js'
import { command, type CommandSpec } from './spec.js'

/** Connection commands: PING, ECHO, QUIT, HELLO, AUTH, RESET, SELECT, CLIENT. */

function ping(c: Client, argv: string[]): void {
  if (argv.length > 2) return c.out.error(`ERR wrong number of arguments for 'ping' command`)
  if (argv.length === 2) c.out.bulk(argv[1])
  else c.out.simple('PONG')
}

function echo(c: Client, argv: string[]): void {
  c.out.bulk(argv[1])
}

function quit(c: Client): void {
  c.out.simple('OK')
  c.closeAfterReply()
}

export const connectionCommands: CommandSpec[] = [
  command({
    name: 'ping', arity: -1, flags: ['fast'], group: 'connection', since: '1.0.0', complexity: 'O(1)',
    summary: 'Returns the server\'s liveliness response.', syntax: '[message]', handler: ping,
  }),
  command({
    name: 'echo', arity: 2, flags: ['fast'], group: 'connection', since: '1.0.0', complexity: 'O(1)',
    summary: 'Returns the given string.', syntax: 'message', handler: echo,
  }),
  command({
    name: 'quit', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    group: 'connection', since: '1.0.0', complexity: 'O(1)', summary: 'Closes the connection.', syntax: '',
    handler: quit,
  }),
]
