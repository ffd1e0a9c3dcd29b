import type { Caller } from '../server/caller.js'
import { ReplyFlag, type Client } from '../server/client.js'
import { REDIS_VERSION, type Server } from '../server/server.js'
import { isOption } from './args.js'
import { clientCaching, clientGetRedir, clientPause, clientReply, clientTracking, clientTrackingInfo, clientUnpause } from './client-control.js'
import { parseInt64 } from '../util/numbers.js'
import { Err } from './errors.js'
import { replyHelp } from './help.js'
import { command, type CommandSpec } from './spec.js'
import { discardTransaction } from '../server/transaction.js'

/**
 * Connection commands: PING, ECHO, QUIT, HELLO, AUTH, RESET and CLIENT. SELECT lives
 * with the keyspace commands.
 *
 * There is one user, "default", as in a Redis without ACL rules: with no requirepass
 * it accepts any password (AUTH with a password alone is then an error), otherwise
 * only requirepass.
 */

function ping(c: Caller, argv: string[]): void {
  if (argv.length > 2) return c.out.error(Err.wrongArgs('ping'))
  if (c.subscribed && c.out.proto === 2) {
    // RESP2 subscribed mode answers in the shape of a message: ["pong", message].
    c.out.array(2)
    c.out.bulk('pong')
    c.out.bulk(argv.length === 2 ? argv[1] : '')
  } else if (argv.length === 2) c.out.bulk(argv[1])
  else c.out.simple('PONG')
}

function echo(c: Caller, argv: string[]): void {
  c.out.bulk(argv[1])
}

function quit(c: Caller): void {
  c.out.simple('OK')
  c.closeAfterReply()
}

function passwordMatches(server: Server, username: string, password: string): boolean {
  if (username !== 'default') return false
  const required = server.config.get('requirepass')
  return required === '' || password === required
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
function hello(c: Caller, argv: string[]): void {
  let proto = c.out.proto
  let i = 1
  if (argv.length >= 2) {
    const v = parseInt64(argv[1])
    if (v === null) return c.out.error(Err.protoVersion)
    if (v !== 2 && v !== 3) return c.out.error(Err.noProto)
    proto = v
    i = 2
  }
  // Options apply as they are read, so a good AUTH counts even if a later option fails.
  let name: string | null = null
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i
    const opt = argv[i]
    if (isOption(opt, 'AUTH') && more >= 2) {
      if (!passwordMatches(c.server, argv[i + 1], argv[i + 2])) return c.out.error(Err.wrongPass)
      c.setAuthenticated(true)
      i += 2
    } else if (isOption(opt, 'SETNAME') && more >= 1) {
      name = argv[++i]
      if (!validClientName(name)) return c.out.error(Err.clientName)
    } else {
      return c.out.error(Err.helloOption(opt))
    }
  }
  if (!c.authenticated) return c.out.error(Err.helloNoAuth)
  if (name !== null) c.name = name
  c.out.proto = proto
  const out = c.out
  out.map(7)
  out.bulk('server')
  out.bulk('redis')
  out.bulk('version')
  out.bulk(REDIS_VERSION)
  out.bulk('proto')
  out.integer(proto)
  out.bulk('id')
  out.integer(c.id)
  out.bulk('mode')
  out.bulk('standalone')
  out.bulk('role')
  out.bulk('master')
  out.bulk('modules')
  out.array(0)
}

/** AUTH [username] password */
function auth(c: Caller, argv: string[]): void {
  if (argv.length > 3) return c.out.error(Err.syntax)
  if (argv.length === 2 && c.server.config.get('requirepass') === '') return c.out.error(Err.authNoPassword)
  const username = argv.length === 3 ? argv[1] : 'default'
  // A failed AUTH leaves an authenticated connection authenticated, as in Redis.
  if (!passwordMatches(c.server, username, argv[argv.length - 1])) return c.out.error(Err.wrongPass)
  c.setAuthenticated(true)
  c.out.simple('OK')
}

/** Back to a fresh connection's state: RESP2, db 0, no name, logged out if a password is set. */
function reset(c: Caller): void {
  const connection = c.connection!
  discardTransaction(c)
  if (connection.subscribed) c.server.pubsub.unsubscribeAll(connection)
  c.out.proto = 2
  c.selectDb(0)
  c.name = ''
  c.noEvict = false
  c.noTouch = false
  c.server.tracking.disable(connection)
  // Ends CLIENT REPLY OFF and a pending SKIP; a SKIP already silencing RESET stays.
  connection.replyFlags &= ReplyFlag.skip
  c.setAuthenticated(c.server.config.get('requirepass') === '')
  c.out.simple('RESET')
}

/** Redis allows names of printable ASCII without spaces; "" removes the name. */
function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i)
    if (ch < 0x21 || ch > 0x7e) return false
  }
  return true
}

// --- CLIENT ---------------------------------------------------------------------

function clientId(c: Caller): void {
  c.out.integer(c.id)
}

function clientSetName(c: Caller, argv: string[]): void {
  if (!validClientName(argv[2])) return c.out.error(Err.clientName)
  c.name = argv[2]
  c.out.simple('OK')
}

function clientGetName(c: Caller): void {
  if (c.name === '') c.out.nullBulk()
  else c.out.bulk(c.name)
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; ioredis and node-redis send it). */
function clientSetInfo(c: Caller, argv: string[]): void {
  const attr = argv[2]
  const value = argv[3]
  const lib = isOption(attr, 'LIB-NAME')
  if (!lib && !isOption(attr, 'LIB-VER')) return c.out.error(`ERR Unrecognized option '${attr}'`)
  // Names and versions end up in CLIENT LIST, which is space separated.
  if (!validClientName(value)) {
    return c.out.error(`ERR ${lib ? 'lib-name' : 'lib-ver'} cannot contain spaces, newlines or special characters.`)
  }
  if (lib) c.libName = value
  else c.libVer = value
  c.out.simple('OK')
}

/** One CLIENT LIST line, fields in Redis 7's order; memory figures are our own estimates. */
export function clientInfoLine(c: Client): string {
  const now = Date.now()
  let flags = ''
  if (c.subscribed) flags += 'P'
  const multi = c.multi
  if (multi !== null) flags += 'x'
  if (c.blocked !== null || c.postponed !== null) flags += 'b'
  const tracking = c.tracking
  if (tracking !== null) {
    flags += 't'
    if (tracking.brokenRedirect) flags += 'R'
    if (tracking.bcast) flags += 'B'
  }
  if (c.watchDirty) flags += 'd'
  if (c.noEvict) flags += 'e'
  if (c.noTouch) flags += 'T'
  if (flags === '') flags = 'N'
  const handle = (c.socket as unknown as { _handle?: { fd?: number } })._handle
  const fd = handle?.fd ?? -1
  const obl = c.out.pos
  const omem = c.queuedOutput
  const outBuf = c.out.buf.length
  const qbuf = c.decoder.buffered
  const cmd = c.lastCommand?.fullName ?? 'NULL'
  return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${fd} name=${c.name}` +
    ` age=${Math.floor((now - c.createdAt) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)}` +
    ` flags=${flags} db=${c.db.index} sub=${c.channels.size} psub=${c.patterns.size} ssub=${c.shardChannels.size} multi=${multi === null ? -1 : multi.commands.length} qbuf=${qbuf} qbuf-free=${Math.max(0, c.decoder.capacity - qbuf)}` +
    ` argv-mem=0 multi-mem=${multiMemory(c)} rbs=16384 rbp=16384 obl=${obl} oll=${c.pendingWrites} omem=${omem} tot-mem=${outBuf + omem + 16384 + 4096}` +
    ` events=${c.socket.writableLength > 0 ? 'rw' : 'r'} cmd=${cmd} user=default redir=${tracking === null ? -1 : tracking.redirect} resp=${c.out.proto} lib-name=${c.libName} lib-ver=${c.libVer}\n`
}

/**
 * CLIENT LIST multi-mem: what the queued commands and watched keys hold, estimated
 * like the other memory figures (Redis counts its own structures).
 */
function multiMemory(c: Client): number {
  const multi = c.multi
  let bytes = c.watching === null ? 0 : c.watching.length * 48
  if (multi !== null) bytes += multi.bytes + multi.commands.length * 40
  return bytes
}

function clientInfo(c: Caller): void {
  c.out.verbatim(clientInfoLine(c.connection!))
}

/** CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] | [ID client-id [client-id ...]] */
function clientList(c: Caller, argv: string[]): void {
  let ids: Set<number> | null = null
  let type: string | null = null
  if (argv.length === 4 && isOption(argv[2], 'TYPE')) {
    type = argv[3].toLowerCase()
    if (!CLIENT_TYPES.has(type)) return c.out.error(Err.unknownClientType(argv[3]))
  } else if (argv.length >= 4 && isOption(argv[2], 'ID')) {
    ids = new Set()
    for (let i = 3; i < argv.length; i++) {
      const id = parseInt64(argv[i])
      if (id === null) return c.out.error(Err.invalidClientId)
      ids.add(Number(id))
    }
  } else if (argv.length !== 2) {
    return c.out.error(Err.syntax)
  }
  let text = ''
  for (const other of c.server.clients.values()) {
    if ((ids === null || ids.has(other.id)) && (type === null || type === clientType(other))) text += clientInfoLine(other)
  }
  c.out.verbatim(text)
}

const CLIENT_TYPES = new Set(['normal', 'master', 'replica', 'slave', 'pubsub'])

/** A client's class for TYPE filters (and output buffer limits): there are no replicas or masters here. */
function clientType(c: Client): string {
  return c.subscribed ? 'pubsub' : 'normal'
}

interface KillFilter {
  id: number | null
  type: string | null
  addr: string | null
  laddr: string | null
  user: string | null
  skipMe: boolean
}

/** CLIENT KILL ip:port, or CLIENT KILL <filter> <value> ... (answers a count). */
function clientKill(c: Caller, argv: string[]): void {
  if (argv.length === 3) {
    for (const other of c.server.clients.values()) {
      if (other.addr === argv[2]) {
        c.out.simple('OK')
        kill(c, other)
        return
      }
    }
    return c.out.error(Err.noSuchClient)
  }
  const f: KillFilter = { id: null, type: null, addr: null, laddr: null, user: null, skipMe: true }
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) return c.out.error(Err.syntax)
    const opt = argv[i]
    const value = argv[i + 1]
    if (isOption(opt, 'ID')) {
      const id = parseInt64(value)
      if (id === null || id <= 0) return c.out.error(Err.clientIdPositive)
      f.id = Number(id)
    } else if (isOption(opt, 'TYPE')) {
      const t = value.toLowerCase()
      if (!CLIENT_TYPES.has(t)) return c.out.error(Err.unknownClientType(value))
      f.type = t
    } else if (isOption(opt, 'ADDR')) {
      f.addr = value
    } else if (isOption(opt, 'LADDR')) {
      f.laddr = value
    } else if (isOption(opt, 'USER')) {
      if (value !== 'default') return c.out.error(Err.noSuchUser(value))
      f.user = value
    } else if (isOption(opt, 'SKIPME')) {
      if (isOption(value, 'YES')) f.skipMe = true
      else if (isOption(value, 'NO')) f.skipMe = false
      else return c.out.error(Err.syntax)
    } else {
      return c.out.error(Err.syntax)
    }
  }
  const victims: Client[] = []
  for (const other of c.server.clients.values()) {
    if (f.id !== null && other.id !== f.id) continue
    if (f.type !== null && f.type !== clientType(other)) continue
    if (f.addr !== null && other.addr !== f.addr) continue
    if (f.laddr !== null && other.laddr !== f.laddr) continue
    if (f.skipMe && other === c) continue
    victims.push(other)
  }
  c.out.integer(victims.length)
  for (const v of victims) kill(c, v)
}

/** Killing yourself still delivers the reply, as in Redis. */
function kill(c: Caller, victim: Client): void {
  if (victim === c) c.closeAfterReply()
  else victim.destroy()
}

/** ON or OFF, or null after replying a syntax error. */
function onOffArg(c: Caller, arg: string): boolean | null {
  if (isOption(arg, 'ON')) return true
  if (isOption(arg, 'OFF')) return false
  c.out.error(Err.syntax)
  return null
}

function clientNoEvict(c: Caller, argv: string[]): void {
  const on = onOffArg(c, argv[2])
  if (on === null) return
  c.noEvict = on
  c.out.simple('OK')
}

function clientNoTouch(c: Caller, argv: string[]): void {
  const on = onOffArg(c, argv[2])
  if (on === null) return
  c.noTouch = on
  c.out.simple('OK')
}

/** CLIENT UNBLOCK client-id [TIMEOUT | ERROR] */
function clientUnblock(c: Caller, argv: string[]): void {
  const id = parseInt64(argv[2])
  if (id === null) return c.out.error(Err.notInteger)
  let withError = false
  if (argv.length === 4) {
    if (isOption(argv[3], 'ERROR')) withError = true
    else if (!isOption(argv[3], 'TIMEOUT')) return c.out.error(Err.unblockReason)
  } else if (argv.length > 4) {
    return c.out.error(Err.subcommandSyntax('UNBLOCK', 'client'))
  }
  const target = c.server.clients.get(Number(id))
  if (target === undefined || target.blocked === null) return c.out.integer(0)
  c.out.integer(1)
  if (withError) c.server.blocking.unblockWithError(target)
  else c.server.blocking.timeout(target)
}

const CLIENT_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
]

function clientHelp(c: Caller): void {
  replyHelp(c, 'CLIENT', CLIENT_HELP)
}

/** CLIENT KILL's filters, as one choice that may repeat (so hints read as Redis's). */
const KILL_FILTERS = '[ID client-id] | [TYPE NORMAL | MASTER | SLAVE | REPLICA | PUBSUB] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no]'

const CONN = ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'] as const
const CLIENT_SUB = ['noscript', 'loading', 'stale'] as const
const CLIENT_ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const

function clientSub(
  name: string, arity: number, flags: readonly CommandSpec['flags'][number][], since: string, summary: string,
  syntax: string, handler: CommandSpec['handler'], complexity = 'O(1)', tips?: string[],
): CommandSpec {
  return command({ name, arity, flags: [...flags], group: 'connection', since, summary, complexity, syntax, handler, tips })
}

export const connectionCommands: CommandSpec[] = [
  command({
    name: 'ping', arity: -1, flags: ['fast'], group: 'connection', since: '1.0.0', complexity: 'O(1)',
    summary: 'Ping the server', syntax: '[message]', handler: ping,
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
  }),
  command({
    name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], group: 'connection', since: '1.0.0', complexity: 'O(1)',
    summary: 'Echo the given string', syntax: 'message', handler: echo,
  }),
  command({
    name: 'quit', arity: -1, flags: [...CONN], group: 'connection', since: '1.0.0', complexity: 'O(1)',
    summary: 'Close the connection', syntax: '', handler: quit,
  }),
  command({
    name: 'hello', arity: -1, flags: [...CONN], group: 'connection', since: '6.0.0', complexity: 'O(1)',
    summary: 'Handshake with Redis', syntax: '[protover [AUTH username password] [SETNAME clientname]]', handler: hello,
  }),
  command({
    name: 'auth', arity: -2, flags: [...CONN], group: 'connection', since: '1.0.0',
    complexity: 'O(N) where N is the number of passwords defined for the user',
    summary: 'Authenticate to the server', syntax: '[username] password', handler: auth,
  }),
  command({
    name: 'reset', arity: 1, flags: [...CONN], group: 'connection', since: '6.2.0', complexity: 'O(1)',
    summary: 'Reset the connection', syntax: '', handler: reset,
  }),
  command({
    name: 'client', arity: -2, group: 'connection', since: '2.4.0', complexity: 'Depends on subcommand.',
    summary: 'A container for client connection commands', syntax: '', acl: ['slow'],
    subcommands: [
      clientSub('id', 2, CLIENT_SUB, '5.0.0', 'Returns the client ID for the current connection', '', clientId),
      clientSub('setname', 3, CLIENT_SUB, '2.6.9', 'Set the current connection name', 'connection-name', clientSetName),
      clientSub('getname', 2, CLIENT_SUB, '2.6.9', 'Get the current connection name', '', clientGetName),
      clientSub('setinfo', 4, CLIENT_SUB, '7.2.0', 'Set client or connection specific info', 'LIB-NAME libname | LIB-VER libver', clientSetInfo),
      clientSub('info', 2, CLIENT_SUB, '6.2.0', 'Returns information about the current client connection.', '', clientInfo, 'O(1)', ['nondeterministic_output']),
      clientSub('list', -2, CLIENT_ADMIN, '2.4.0', 'Get the list of client connections',
        '[TYPE NORMAL | MASTER | REPLICA | PUBSUB] [ID client-id [client-id ...]]', clientList,
        'O(N) where N is the number of client connections', ['nondeterministic_output']),
      clientSub('kill', -3, CLIENT_ADMIN, '2.4.0', 'Kill the connection of a client',
        `ip:port | <${KILL_FILTERS}> [<${KILL_FILTERS}> ...]`,
        clientKill, 'O(N) where N is the number of client connections'),
      clientSub('no-evict', 3, CLIENT_ADMIN, '7.0.0', 'Set client eviction mode for the current connection', 'ON | OFF', clientNoEvict),
      clientSub('no-touch', 3, CLIENT_SUB, '7.2.0', 'Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.', 'ON | OFF', clientNoTouch),
      clientSub('unblock', -3, CLIENT_ADMIN, '5.0.0', 'Unblock a client blocked in a blocking command from a different connection',
        'client-id [TIMEOUT | ERROR]', clientUnblock, 'O(log N) where N is the number of client connections'),
      clientSub('tracking', -3, CLIENT_SUB, '6.0.0', 'Enable or disable server assisted client side caching support',
        'ON | OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]', clientTracking,
        'O(1). Some options may introduce additional complexity.'),
      clientSub('caching', 3, CLIENT_SUB, '6.0.0', 'Instruct the server about tracking or not keys in the next request', 'YES | NO', clientCaching),
      clientSub('getredir', 2, CLIENT_SUB, '6.0.0', 'Get tracking notifications redirection client ID if any', '', clientGetRedir),
      clientSub('trackinginfo', 2, CLIENT_SUB, '6.2.0', 'Return information about server assisted client side caching for the current connection', '', clientTrackingInfo),
      clientSub('pause', -3, CLIENT_ADMIN, '2.9.50', 'Stop processing commands from clients for some time', 'timeout [WRITE | ALL]', clientPause),
      clientSub('unpause', 2, CLIENT_ADMIN, '6.2.0', 'Resume processing of clients that were paused', '', clientUnpause,
        'O(N) Where N is the number of paused clients'),
      clientSub('reply', 3, CLIENT_SUB, '3.2.0', 'Instruct the server whether to reply to commands', 'ON | OFF | SKIP', clientReply),
      clientSub('help', 2, ['loading', 'stale'], '5.0.0', 'Show helpful text about the different subcommands', '', clientHelp),
    ],
  }),
]
