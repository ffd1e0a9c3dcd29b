import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CommandTable, families } from '../../src/commands/table.js'
import { command } from '../../src/commands/spec.js'
import { Config, Server } from '../../src/index.js'
import { ReplyConnection, runDifferential } from '../helpers/differential.js'
import { call, until, useRespite, useRespiteAndRedis } from '../helpers/fixture.js'
import { RawClient, resp } from '../helpers/raw.js'
import { missingTool } from '../helpers/servers.js'

const skipRedis = missingTool('redis-server')

/** Client ids differ between the two servers; everything else must match byte for byte. */
function normalizeIds(_args: string[], reply: string): string {
  return reply.replace(/(\$2\r\nid\r\n):\d+/g, '$1:ID')
}

const HELLO3_PREFIX = '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:'

const { respite: server } = await useRespite({ flush: false })

describe('connection commands', () => {
  it('HELLO 3 switches to RESP3 and answers the server map; HELLO 2 switches back', async () => {
    const c = await ReplyConnection.open(server.port)
    const hello3 = await c.call(['HELLO', '3'])
    expect(hello3.startsWith(HELLO3_PREFIX)).toBe(true)
    expect(hello3.endsWith('$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n')).toBe(true)
    const id = Number(/\$2\r\nid\r\n:(\d+)/.exec(hello3)![1])
    expect(await c.call(['CLIENT', 'ID'])).toBe(`:${id}\r\n`)
    expect(await c.call(['GET', 'missing'])).toBe('_\r\n')
    const hello2 = await c.call(['HELLO', '2'])
    expect(hello2.startsWith('*14\r\n$6\r\nserver\r\n')).toBe(true)
    expect(await c.call(['GET', 'missing'])).toBe('$-1\r\n')
    c.close()
  })

  it('HELLO rejects bad versions and options with Redis\'s errors', async () => {
    const replies = await call(server.port, ['HELLO', '4'], ['HELLO', '1'], ['HELLO', 'x'], ['HELLO', '3', 'FOO'],
      ['HELLO', '3', 'SETNAME', 'a b'], ['HELLO', '3', 'AUTH', 'default'])
    expect(replies).toEqual([
      '-NOPROTO unsupported protocol version\r\n',
      '-NOPROTO unsupported protocol version\r\n',
      '-ERR Protocol version is not an integer or out of range\r\n',
      "-ERR Syntax error in HELLO option 'FOO'\r\n",
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
      "-ERR Syntax error in HELLO option 'AUTH'\r\n",
    ])
  })

  it('HELLO SETNAME names the connection', async () => {
    const [, name] = await call(server.port, ['HELLO', '2', 'SETNAME', 'worker-1'], ['CLIENT', 'GETNAME'])
    expect(name).toBe('$8\r\nworker-1\r\n')
  })

  it('AUTH without a configured password is an error; the default user accepts any password', async () => {
    const replies = await call(server.port, ['AUTH', 'pw'], ['AUTH', 'default', 'pw'], ['AUTH', 'bob', 'pw'], ['AUTH', 'a', 'b', 'c'])
    expect(replies).toEqual([
      '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n',
      '+OK\r\n',
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
      '-ERR syntax error\r\n',
    ])
  })

  it('RESET restores RESP2, database 0 and no name', async () => {
    const c = await ReplyConnection.open(server.port)
    await c.call(['HELLO', '3', 'SETNAME', 'n'])
    await c.call(['SELECT', '2'])
    await c.call(['SET', 'reset-k', 'v'])
    expect(await c.call(['RESET'])).toBe('+RESET\r\n')
    expect(await c.call(['CLIENT', 'GETNAME'])).toBe('$-1\r\n')
    expect(await c.call(['GET', 'reset-k'])).toBe('$-1\r\n')
    expect(await c.call(['SELECT', '2'])).toBe('+OK\r\n')
    expect(await c.call(['GET', 'reset-k'])).toBe('$1\r\nv\r\n')
    c.close()
  })

  it('PING and ECHO answer in both protocols', async () => {
    const replies = await call(server.port, ['PING'], ['PING', 'hi'], ['PING', 'a', 'b'], ['ECHO', 'x y'], ['ECHO'])
    expect(replies).toEqual(['+PONG\r\n', '$2\r\nhi\r\n', "-ERR wrong number of arguments for 'ping' command\r\n", '$3\r\nx y\r\n',
      "-ERR wrong number of arguments for 'echo' command\r\n"])
  })

  it('QUIT answers +OK and closes the connection', async () => {
    const c = await RawClient.connect(server.port)
    c.write(resp('QUIT') + resp('PING'))
    expect(await c.read(Number.MAX_SAFE_INTEGER)).toBe('+OK\r\n')
    expect(c.closed).toBe(true)
  })

  it('CLIENT SETNAME, CLIENT GETNAME and CLIENT ID', async () => {
    const replies = await call(server.port, ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', 'svc'], ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'bad name'], ['CLIENT', 'SETNAME', 'caf\xe9'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'], ['CLIENT', 'ID'])
    expect(replies.slice(0, 7)).toEqual(['$-1\r\n', '+OK\r\n', '$3\r\nsvc\r\n',
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n', '+OK\r\n', '$-1\r\n'])
    expect(replies[7]).toMatch(/^:\d+\r\n$/)
  })

  it('CLIENT SETINFO records the library, shown by CLIENT INFO', async () => {
    const [a, b, info, bad, spaced] = await call(server.port, ['CLIENT', 'SETINFO', 'LIB-NAME', 'mylib'],
      ['CLIENT', 'SETINFO', 'lib-ver', '1.2.3'], ['CLIENT', 'INFO'], ['CLIENT', 'SETINFO', 'colour', 'x'],
      ['CLIENT', 'SETINFO', 'LIB-NAME', 'a b'])
    expect([a, b]).toEqual(['+OK\r\n', '+OK\r\n'])
    expect(info).toMatch(/ lib-name=mylib lib-ver=1\.2\.3\n\r\n$/)
    expect(bad).toBe("-ERR Unrecognized option 'colour'\r\n")
    expect(spaced).toBe('-ERR lib-name cannot contain spaces, newlines or special characters.\r\n')
  })

  it('CLIENT INFO and CLIENT LIST use Redis\'s field layout; CLIENT LIST filters by TYPE and ID', async () => {
    const a = await ReplyConnection.open(server.port)
    const b = await ReplyConnection.open(server.port)
    await b.call(['CLIENT', 'SETNAME', 'other'])
    const idB = Number((await b.call(['CLIENT', 'ID'])).slice(1))
    const info = await a.call(['CLIENT', 'INFO'])
    const line = info.replace(/^\$\d+\r\n/, '').replace(/\n\r\n$/, '')
    const keys = line.split(' ').map((f) => f.split('=')[0])
    expect(keys).toEqual(['id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi',
      'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user',
      'redir', 'resp', 'lib-name', 'lib-ver'])
    expect(line).toMatch(/ flags=N db=0 .* cmd=client\|info user=default redir=-1 resp=2 /)
    const list = await a.call(['CLIENT', 'LIST'])
    expect(list).toContain(`id=${idB} `)
    expect(list).toContain(' name=other ')
    const onlyB = await a.call(['CLIENT', 'LIST', 'ID', String(idB), '999999'])
    expect(onlyB.replace(/^\$\d+\r\n/, '').trim().split('\n')).toHaveLength(1)
    expect(onlyB).toContain(`id=${idB} `)
    expect(await a.call(['CLIENT', 'LIST', 'TYPE', 'pubsub'])).toBe('$0\r\n\r\n')
    expect(await a.call(['CLIENT', 'LIST', 'TYPE', 'normal'])).toContain(`id=${idB} `)
    await a.call(['HELLO', '3'])
    expect(await a.call(['CLIENT', 'INFO'])).toMatch(/^=\d+\r\ntxt:id=\d+ .* resp=3 lib-name= lib-ver=\n\r\n$/)
    a.close()
    b.close()
  })

  it('CLIENT KILL by address (old form) and by filters (new form)', async () => {
    const killer = await ReplyConnection.open(server.port)
    const victim = await RawClient.connect(server.port)
    const victimAddr = `${victim.socket.localAddress}:${victim.socket.localPort}`
    expect(await killer.call(['CLIENT', 'KILL', victimAddr])).toBe('+OK\r\n')
    expect(await victim.waitClosed()).toBe(true)
    expect(await killer.call(['CLIENT', 'KILL', victimAddr])).toBe('-ERR No such client\r\n')

    const second = await RawClient.connect(server.port)
    second.write(resp('CLIENT', 'ID'))
    const id = (await second.read(4)).trim().slice(1)
    expect(await killer.call(['CLIENT', 'KILL', 'ID', id, 'SKIPME', 'yes'])).toBe(':1\r\n')
    expect(await second.waitClosed()).toBe(true)
    expect(await killer.call(['CLIENT', 'KILL', 'ID', id])).toBe(':0\r\n')

    const myId = (await killer.call(['CLIENT', 'ID'])).trim().slice(1)
    expect(await killer.call(['CLIENT', 'KILL', 'ID', myId])).toBe(':0\r\n')
    expect(await killer.call(['CLIENT', 'KILL', 'ID', myId, 'SKIPME', 'no'])).toBe(':1\r\n')
    await expect(killer.call(['PING'], 500)).rejects.toThrow()
    killer.close()
  })

  it('CLIENT NO-EVICT and CLIENT NO-TOUCH set the e and T flags', async () => {
    const [a, b, info, bad, off] = await call(server.port, ['CLIENT', 'NO-EVICT', 'on'], ['CLIENT', 'NO-TOUCH', 'ON'],
      ['CLIENT', 'INFO'], ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'NO-TOUCH', 'off'])
    expect([a, b, bad, off]).toEqual(['+OK\r\n', '+OK\r\n', '-ERR syntax error\r\n', '+OK\r\n'])
    expect(info).toContain(' flags=eT ')
  })

  it('CLIENT GETREDIR, CLIENT TRACKINGINFO and CLIENT HELP', async () => {
    const [redir, tracking, help] = await call(server.port, ['CLIENT', 'GETREDIR'], ['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'HELP'])
    expect(redir).toBe(':-1\r\n')
    expect(tracking).toBe('*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n')
    expect(help.startsWith('*54\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n')).toBe(true)
    expect(help.endsWith('+HELP\r\n+    Prints this help.\r\n')).toBe(true)
  })
})

describe('CLIENT UNBLOCK', () => {
  // A test-only blocking command, so this works whatever blocking commands exist.
  let server: Server
  beforeAll(async () => {
    const wait = command({
      name: 'test-wait', arity: 2, flags: ['blocking'], firstKey: 1, lastKey: 1, step: 1, group: 'generic', since: '0.0.0',
      summary: 'Blocks until unblocked (tests only).', syntax: 'key',
      handler: (c, argv) => c.block(wait, argv, [argv[1]], 0, (cl) => cl.out.nullArray()),
    })
    const config = new Config()
    config.set('port', '0', true)
    config.set('loglevel', 'nothing', true)
    server = new Server(config, new CommandTable([...families.flat(), wait]))
    await server.listen()
  })
  afterAll(() => server.close())

  it('CLIENT UNBLOCK wakes a blocked client with its timeout reply or an UNBLOCKED error', async () => {
    const admin = await ReplyConnection.open(server.port)
    const blocked = await RawClient.connect(server.port)
    blocked.write(resp('CLIENT', 'ID'))
    const id = (await blocked.read(4)).trim().slice(1)
    blocked.write(resp('test-wait', 'k'))
    await until(() => server.blocking.count === 1, 'test-wait to block')
    expect(server.blocking.count).toBe(1)
    expect(await admin.call(['CLIENT', 'UNBLOCK', id])).toBe(':1\r\n')
    expect(await blocked.read(5)).toBe('*-1\r\n')
    expect(await admin.call(['CLIENT', 'UNBLOCK', id])).toBe(':0\r\n')

    blocked.write(resp('test-wait', 'k'))
    await until(() => server.blocking.count === 1, 'test-wait to block')
    expect(await admin.call(['CLIENT', 'UNBLOCK', id, 'ERROR'])).toBe(':1\r\n')
    expect(await blocked.read(46)).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n')
    expect(server.blocking.count).toBe(0)
    admin.close()
    blocked.close()
  })
})

describe.skipIf(skipRedis !== null)('connection commands against redis-server', () => {
  const plain = useRespiteAndRedis()
  const auth = useRespiteAndRedis({ requirepass: 'secret' }, ['--requirepass', 'secret'])

  it('HELLO, AUTH, PING, ECHO and RESET match byte for byte', async () => {
    const cmds = [
      ['HELLO'], ['HELLO', '3'], ['HELLO'], ['HELLO', '2'], ['HELLO', '4'], ['HELLO', 'x'], ['HELLO', '03'], ['HELLO', '-1'],
      ['HELLO', '3', 'SETNAME', 'a b'], ['HELLO', '3', 'SETNAME', 'app'], ['CLIENT', 'GETNAME'],
      ['HELLO', '3', 'SETNAME', 'x', 'SETNAME', 'y'], ['CLIENT', 'GETNAME'], ['HELLO', '2', 'SETNAME', ''], ['CLIENT', 'GETNAME'],
      ['HELLO', '3', 'AUTH', 'default', 'any'], ['HELLO', '3', 'AUTH', 'Default', 'any'], ['HELLO', '3', 'auth', 'default'],
      ['HELLO', '3', 'FOO'], ['HELLO', '4', 'SETNAME', 'a b'],
      ['AUTH', 'x'], ['AUTH', 'default', 'x'], ['AUTH', 'other', 'x'], ['AUTH', 'a', 'b', 'c'], ['AUTH'],
      ['PING'], ['PING', 'm'], ['PING', 'a', 'b'], ['ECHO', 'e'], ['ECHO'], ['RESET'], ['RESET', 'x'], ['CLIENT', 'GETNAME'],
    ]
    expect(await runDifferential(plain.respite.port, plain.redis.port, cmds, { normalize: normalizeIds })).toBeNull()
    expect(await runDifferential(plain.respite.port, plain.redis.port, cmds, { proto: 3, normalize: normalizeIds })).toBeNull()
  })

  it('requirepass: NOAUTH before AUTH, HELLO AUTH, failed AUTH keeps the session, RESET logs out', async () => {
    const cmds = [
      ['GET', 'a'], ['PING'], ['HELLO'], ['HELLO', '3'], ['CLIENT', 'ID'], ['HELLO', '4', 'AUTH', 'default', 'secret'], ['PING'],
      ['HELLO', '3', 'AUTH', 'default', 'wrong'], ['HELLO', '3', 'AUTH', 'nobody', 'secret'], ['PING'],
      ['HELLO', '3', 'AUTH', 'default', 'secret', 'BAD'], ['PING'], ['AUTH', 'wrong'], ['GET', 'a'], ['AUTH', 'default', 'wrong'],
      ['AUTH', 'secret'], ['RESET'], ['GET', 'a'], ['AUTH', 'default', 'secret'], ['GET', 'a'], ['RESET'],
      ['HELLO', '3', 'AUTH', 'default', 'secret', 'SETNAME', 'a b'], ['PING'], ['RESET'],
      ['HELLO', '3', 'AUTH', 'default', 'secret', 'SETNAME', 'ok'], ['CLIENT', 'GETNAME'], ['QUIT'],
    ]
    // FLUSHALL, sent first by the helper, needs a session: both servers answer NOAUTH alike.
    expect(await runDifferential(auth.respite.port, auth.redis.port, cmds, { normalize: normalizeIds })).toBeNull()
  })

  it('CLIENT subcommand errors and fixed replies match', async () => {
    const cmds = [
      ['CLIENT'], ['CLIENT', 'FOO'], ['CLIENT', 'ID', 'x'], ['CLIENT', 'GETNAME', 'x'], ['CLIENT', 'SETNAME'],
      ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'ok'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'],
      ['CLIENT', 'LIST', 'TYPE', 'foo'], ['CLIENT', 'LIST', 'TYPE'], ['CLIENT', 'LIST', 'foo'], ['CLIENT', 'LIST', 'ID'],
      ['CLIENT', 'LIST', 'ID', 'x'], ['CLIENT', 'LIST', 'ID', '1', 'x'], ['CLIENT', 'LIST', 'TYPE', 'normal', 'ID', '1'],
      ['CLIENT', 'LIST', 'ID', '999999'], ['CLIENT', 'LIST', 'TYPE', 'pubsub'], ['CLIENT', 'LIST', 'TYPE', 'MASTER'],
      ['CLIENT', 'LIST', 'TYPE', 'replica'], ['CLIENT', 'LIST', 'TYPE', 'slave'],
      ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'KILL', 'ADDR'], ['CLIENT', 'KILL', 'ID', 'x'], ['CLIENT', 'KILL', 'ID', '0'],
      ['CLIENT', 'KILL', 'ID', '-5'], ['CLIENT', 'KILL', 'ID', '999999'], ['CLIENT', 'KILL', 'foo', 'bar'],
      ['CLIENT', 'KILL', 'ADDR', '1.1.1.1:1', 'SKIPME', 'maybe'], ['CLIENT', 'KILL', 'TYPE', 'foo'],
      ['CLIENT', 'KILL', 'USER', 'nobody'], ['CLIENT', 'KILL', 'a', 'b', 'c'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'],
      ['CLIENT', 'KILL', 'LADDR', '1.1.1.1:1'], ['CLIENT', 'KILL', 'SKIPME', 'yes'], ['CLIENT', 'KILL', 'USER', 'default'],
      ['CLIENT', 'NO-EVICT', 'on'], ['CLIENT', 'NO-EVICT', 'OFF'], ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'NO-EVICT'],
      ['CLIENT', 'UNBLOCK', 'x'], ['CLIENT', 'UNBLOCK', '1', 'foo'], ['CLIENT', 'UNBLOCK', '999999'],
      ['CLIENT', 'UNBLOCK', '999999', 'error'], ['CLIENT', 'UNBLOCK', '0'], ['CLIENT', 'UNBLOCK', '1', 'TIMEOUT', 'x'],
      ['CLIENT', 'GETREDIR'], ['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'HELP', 'x'],
    ]
    expect(await runDifferential(plain.respite.port, plain.redis.port, cmds)).toBeNull()
    expect(await runDifferential(plain.respite.port, plain.redis.port, cmds, { proto: 3 })).toBeNull()
  })

  it('CLIENT INFO has 7.0.15\'s fields in order (respite adds lib-name and lib-ver at the end)', async () => {
    const keysOf = (reply: string) => reply.replace(/^[$=]\d+\r\n(txt:)?/, '').trim().split(' ').map((f) => f.split('=')[0])
    const [ours] = await call(plain.respite.port, ['CLIENT', 'INFO'])
    const [theirs] = await call(plain.redis.port, ['CLIENT', 'INFO'])
    const redisKeys = keysOf(theirs)
    expect(keysOf(ours).slice(0, redisKeys.length)).toEqual(redisKeys)
  })

  it('CLIENT HELP lists every line Redis lists, in order', async () => {
    const lines = (reply: string) => reply.split('\r\n').filter((l) => l.startsWith('+'))
    const [ours] = await call(plain.respite.port, ['CLIENT', 'HELP'])
    const [theirs] = await call(plain.redis.port, ['CLIENT', 'HELP'])
    const mine = lines(ours)
    let at = 0
    for (const line of lines(theirs)) {
      at = mine.indexOf(line, at)
      expect(at, line).toBeGreaterThanOrEqual(0)
    }
  })
})
