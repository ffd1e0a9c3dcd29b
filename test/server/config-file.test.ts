import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, startServer } from '../../src/index.js'
import { CommandTable } from '../../src/commands/table.js'
import { Config } from '../../src/server/config.js'
import {
  ACTED_ON, ConfigFileError, ConfigLoader, defaultUserRules, NO_EFFECT_REASONS, parseCommandLine,
} from '../../src/server/config-file.js'
import { runCli, startCli, startRedisWithConfig, type Running } from '../helpers/cli.js'
import { elements, ReplyConnection } from '../helpers/differential.js'
import { call } from '../helpers/fixture.js'
import { freePort, missingTool } from '../helpers/servers.js'

/**
 * redis.conf files as Redis 7.0.15 reads them: every directive Redis accepts starts
 * respite (with a warning where respite has no use for it), rename-command, include,
 * the command line, and the directives respite refuses because ignoring them would
 * weaken security.
 */

const skipRedis = missingTool('redis-server')
const STOCK = '/etc/redis/redis.conf'
const noStock = existsSync(STOCK) ? null : `${STOCK} is not here (Debian's redis-server package installs it)`

let scratch: string
const running: Running[] = []
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'respite-conf-'))
})
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()))
  rmSync(scratch, { recursive: true, force: true })
})

function file(name: string, ...lines: string[]): string {
  const path = join(scratch, name)
  writeFileSync(path, `${lines.join('\n')}\n`)
  return path
}

async function cliServer(args: string[], options: { cwd?: string; input?: string } = {}): Promise<Running> {
  const r = await startCli(args, options)
  running.push(r)
  return r
}

/** One bulk reply's text. */
function bulk(reply: string): string | null {
  const m = /^\$(-?\d+)\r\n/.exec(reply)
  if (!m) throw new Error(`not a bulk reply: ${JSON.stringify(reply)}`)
  return Number(m[1]) < 0 ? null : reply.slice(m[0].length, m[0].length + Number(m[1]))
}

/** A CONFIG GET reply as name -> value. */
function configMap(reply: string): Map<string, string> {
  const items = elements(reply).items.map((i) => bulk(i)!)
  const m = new Map<string, string>()
  for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1])
  return m
}

/**
 * Commented-out examples of Debian's redis.conf for Redis 7.0.15 that are left
 * commented, each with the reason. Everything else that reads as "# directive args"
 * is uncommented. The test checks redis-server starts with the result too.
 */
const LEFT_COMMENTED: Record<string, string> = {
  'include /path/to/local.conf': 'redis-server refuses: no such file',
  'include /path/to/other.conf': 'redis-server refuses: no such file',
  'loadmodule /path/to/my_module.so': 'redis-server refuses: no such module',
  'loadmodule /path/to/other_module.so': 'redis-server refuses: no such module',
  'bind 192.168.1.100 10.0.0.1': 'redis-server refuses: not this host\'s addresses',
  'bind * -::*': 'would serve every interface; respite refuses it without a password (protected mode, tested below)',
  'port 0': 'Redis would listen on no TCP port; the tests choose the port',
  'tls-port 6379': 'redis-server refuses without certificates; respite refuses TLS (tested below)',
  'tls-replication yes': 'redis-server refuses without certificates; respite refuses TLS (tested below)',
  'tls-cluster yes': 'redis-server refuses without certificates; respite refuses TLS (tested below)',
  'save <seconds> <changes> [<seconds> <changes> ...]': 'a syntax description: redis-server refuses it',
  'replicaof <masterip> <masterport>': 'a syntax description: redis-server refuses it',
  'maxmemory <bytes>': 'a syntax description: redis-server refuses it',
  'client-output-buffer-limit <class> <hard limit> <soft limit> <soft seconds>': 'a syntax description: redis-server refuses it',
  'aclfile /etc/redis/users.acl': 'respite refuses ACL files (tested below)',
  'rename-command CONFIG ""': 'redis-server refuses it after the example above has renamed CONFIG',
}

/** Prose in comments that happens to start with a directive name. */
const PROSE = /:$|\.$| To$| set$|configuration directive|has no effect if|set to 'no'/

/** Debian's redis.conf with every example directive uncommented, as far as Redis accepts them. */
function uncommentedStock(): { text: string; uncommented: string[] } {
  const known = new Config()
  const uncommented: string[] = []
  const lines = readFileSync(STOCK, 'latin1').split('\n').map((line) => {
    const m = /^# ?([a-z][a-z0-9_-]*)(\s.*)?$/.exec(line)
    if (!m || !(known.def(m[1]) !== undefined || ['include', 'rename-command', 'loadmodule'].includes(m[1]))) return line
    // "bind 127.0.0.1 ::1   # listens on ..." : a trailing remark is not part of the example.
    const text = line.replace(/^# ?/, '').replace(/\s+#.*$/, '').trim()
    if (text in LEFT_COMMENTED || PROSE.test(text)) return line
    uncommented.push(text)
    return text
  })
  return { text: lines.join('\n'), uncommented }
}

describe.skipIf(skipRedis !== null || noStock !== null)(`${STOCK} (${skipRedis ?? noStock ?? 'Redis 7.0.15'})`, () => {
  /** What makes a server safe to start here: a spare port, foreground, files in the scratch directory. */
  async function overrides(tag: string): Promise<string[]> {
    const dir = join(scratch, tag)
    mkdirSync(dir, { recursive: true })
    return ['--daemonize', 'no', '--logfile', '', '--dir', dir, '--pidfile', join(dir, 'server.pid')]
  }

  it('starts respite as it is, answering PING', async () => {
    const r = await cliServer([STOCK, '--port', '0', ...(await overrides('stock'))])
    expect(await call(r.port, ['PING'])).toEqual(['+PONG\r\n'])
    // The stock file binds 127.0.0.1 -::1; respite listens on the first address.
    expect(r.log()).toContain("'bind 127.0.0.1 -::1': respite listens on the first address only (127.0.0.1); -::1 ignored.")
    expect(r.log()).not.toContain('FATAL')
  })

  it('with every commented-out example uncommented: redis-server and respite both start, and agree on the settings', async () => {
    const { text, uncommented } = uncommentedStock()
    // The examples exercise most of the file's sections.
    expect(uncommented.length).toBeGreaterThan(100)
    for (const d of ['rename-command CONFIG b840fc02d524045429941cc15f59e41cb7be6c52', 'include /path/to/fragments/*.conf', 'requirepass foobared', 'save ""', 'tls-cert-file redis.crt', 'cluster-enabled yes', 'io-threads 4']) {
      expect(uncommented).toContain(d)
    }
    const conf = file('uncommented.conf', text)
    const config = 'b840fc02d524045429941cc15f59e41cb7be6c52'
    const servers: Running[] = []
    for (const tag of ['redis', 'respite']) {
      const dir = join(scratch, `full-${tag}`)
      mkdirSync(dir, { recursive: true })
      const args = [...(await overrides(`full-${tag}`)), '--unixsocket', join(dir, 'server.sock'), '--cluster-port', String(await freePort())]
      const r = tag === 'redis' ? await startRedisWithConfig(conf, args) : await startCli([conf, '--port', '0', ...args])
      running.push(r)
      servers.push(r)
      const replies = await call(r.port, ['PING'], ['AUTH', 'foobared'], ['PING'], ['CONFIG', 'GET', 'save'], [config, 'GET', 'save'])
      expect(replies.slice(0, 3)).toEqual(['-NOAUTH Authentication required.\r\n', '+OK\r\n', '+PONG\r\n'])
      expect(replies[3]).toMatch(/^-ERR unknown command 'CONFIG'/)
      // save "" then save 3600 1 300 100 60 10000: the list starts over, then fills.
      expect(replies[4]).toBe('*2\r\n$4\r\nsave\r\n$23\r\n3600 1 300 100 60 10000\r\n')
    }
    const [redis, respite] = servers
    const [theirs] = await call(redis.port, ['AUTH', 'foobared'], [config, 'GET', '*']).then((r) => r.slice(1))
    const [ours] = await call(respite.port, ['AUTH', 'foobared'], [config, 'GET', '*']).then((r) => r.slice(1))
    const a = configMap(ours)
    const b = configMap(theirs)
    // The port respite chose, the paths given to each, and what redis-server adjusts to the machine.
    const own = new Set(['port', 'dir', 'pidfile', 'unixsocket', 'cluster-port', 'maxclients', 'mini-port'])
    for (const [name, value] of b) if (!own.has(name)) expect(`${name} ${a.get(name)}`).toBe(`${name} ${value}`)
    // Each setting respite has no use for is named in a warning.
    for (const d of ['io-threads 4', 'cluster-enabled yes', 'tls-cert-file redis.crt', 'masterauth <master-password>', 'min-replicas-to-write 3']) {
      expect(respite.log()).toContain(`'${d}' has no effect: `)
    }
    // Save points are honoured since respite writes RDB snapshots.
    expect(respite.log()).not.toContain("'save ")
  }, 30_000)
})

describe('rename-command', () => {
  it('renames and disables commands in a config file', async () => {
    const conf = file('rename.conf', 'port 0', 'rename-command get myget', 'rename-command FLUSHALL ""', 'rename-command config Cfg')
    const r = await cliServer([conf])
    const replies = await call(r.port, ['SET', 'k', 'v'], ['GET', 'k'], ['MYGET', 'k'], ['myget', 'k'], ['FLUSHALL'], ['CFG', 'GET', 'databases'], ['CONFIG', 'GET', 'databases'])
    expect(replies).toEqual([
      '+OK\r\n',
      "-ERR unknown command 'GET', with args beginning with: 'k' \r\n",
      '$1\r\nv\r\n',
      '$1\r\nv\r\n',
      "-ERR unknown command 'FLUSHALL', with args beginning with: \r\n",
      '*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n',
      "-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'databases' \r\n",
    ])
  })

  it('refuses an unknown command, a name in use, and a wrong number of arguments, as Redis does', () => {
    for (const [line, reason] of [
      ['rename-command nosuch x', 'No such command in rename-command'],
      ['rename-command get set', 'Target command name already exists'],
      ['rename-command config|get x', 'No such command in rename-command'],
      ['rename-command get', 'Bad directive or wrong number of arguments'],
      ['rename-command get a b', 'Bad directive or wrong number of arguments'],
    ]) {
      const r = runCli([file('bad-rename.conf', 'port 0', line)])
      expect(r.status, line).toBe(1)
      expect(r.stderr).toContain('*** FATAL CONFIG FILE ERROR')
      expect(r.stderr).toContain(`at line 2\n>>> '${line}'\n${reason}\n`)
    }
  })

  it('works for embedded servers: the value holds the arguments as written in redis.conf', async () => {
    const s = await startServer({ port: 0, loglevel: 'nothing', config: { 'rename-command': ['flushdb ""', 'get "my get"'] } })
    try {
      const replies = await call(s.port, ['SET', 'k', 'v'], ['my get', 'k'], ['FLUSHDB'])
      expect(replies).toEqual(['+OK\r\n', '$1\r\nv\r\n', "-ERR unknown command 'FLUSHDB', with args beginning with: \r\n"])
    } finally {
      await s.close()
    }
    await expect(startServer({ port: 0, config: { 'rename-command': 'nosuch x' } })).rejects.toThrow(/No such command in rename-command/)
  })

  describe.skipIf(skipRedis !== null)(`COMMAND and the replies name commands as redis-server does after a rename (${skipRedis ?? 'redis-server'})`, () => {
    const renames = ['get myget', 'flushall ""', 'config cfg']
    let redis: Running
    let respite: Awaited<ReturnType<typeof startServer>>
    let plain: Awaited<ReturnType<typeof startServer>>
    beforeAll(async () => {
      const conf = file('rename-diff.conf', 'bind 127.0.0.1', 'save ""', ...renames.map((r) => `rename-command ${r}`))
      redis = await startRedisWithConfig(conf, ['--daemonize', 'no', '--logfile', ''])
      running.push(redis)
      respite = await startServer({ port: 0, loglevel: 'nothing', config: { 'rename-command': renames } })
      plain = await startServer({ port: 0, loglevel: 'nothing' })
    })
    afterAll(async () => {
      await respite?.close()
      await plain?.close()
    })

    it('matches byte for byte', async () => {
      const cmds = [
        ['SET', 'k', 'v'], ['GET', 'k'], ['MyGet', 'k'], ['myget'], ['myget', 'k', 'x'], ['FLUSHALL'], ['cfg', 'nosuch'],
        ['CFG', 'GET', 'databases'], ['config', 'GET', 'databases'], ['COMMAND', 'INFO', 'get'], ['COMMAND', 'INFO', 'flushall'],
        ['COMMAND', 'INFO', 'config|get'], ['COMMAND', 'DOCS', 'get'], ['COMMAND', 'DOCS', 'flushall'],
        ['COMMAND', 'GETKEYS', 'get', 'k'], ['COMMAND', 'GETKEYS', 'myget', 'k'],
        // Patterns that only match commands both servers have.
        ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'get'], ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'myget'],
        ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'flushall'], ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'config*'],
        ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'cfg*'],
      ]
      const sorted = (args: string[], reply: string) => (args[1] === 'LIST' ? elements(reply).items.sort().join('') : reply)
      const ours = await call(respite.port, ...cmds)
      const theirs = await call(redis.port, ...cmds)
      for (let i = 0; i < cmds.length; i++) {
        expect(`${cmds[i].join(' ')} -> ${sorted(cmds[i], ours[i])}`).toBe(`${cmds[i].join(' ')} -> ${sorted(cmds[i], theirs[i])}`)
      }
    })

    it('describes a renamed command under its own name, and counts disabled ones out', async () => {
      // respite has fewer commands than Redis, so compare each with itself unrenamed.
      const [info, infoCfgGet, docs, count] = await call(respite.port, ['COMMAND', 'INFO', 'myget'], ['COMMAND', 'INFO', 'cfg|get'], ['COMMAND', 'DOCS', 'myget'], ['COMMAND', 'COUNT'])
      const [plainInfo, plainCfgGet, plainDocs, plainCount] = await call(plain.port, ['COMMAND', 'INFO', 'get'], ['COMMAND', 'INFO', 'config|get'], ['COMMAND', 'DOCS', 'get'], ['COMMAND', 'COUNT'])
      expect(info).toBe(plainInfo)
      expect(infoCfgGet).toBe(plainCfgGet)
      expect(docs).toBe(plainDocs)
      expect(Number(count.slice(1))).toBe(Number(plainCount.slice(1)) - 1)
      const [redisInfo, redisCount] = await call(redis.port, ['COMMAND', 'INFO', 'myget'], ['COMMAND', 'COUNT'])
      expect(elements(redisInfo).items[0].startsWith('*10\r\n$3\r\nget\r\n')).toBe(true)
      expect(elements(info).items[0].startsWith('*10\r\n$3\r\nget\r\n')).toBe(true)
      expect(redisCount).toMatch(/^:\d+\r\n$/)
      // COMMAND and COMMAND LIST have every live command once, under its own name.
      const [all, list] = await call(respite.port, ['COMMAND'], ['COMMAND', 'LIST'])
      const names = elements(list).items.map((i) => bulk(i))
      expect(names).toContain('get')
      expect(names).toContain('config|get')
      expect(names).not.toContain('myget')
      expect(names).not.toContain('flushall')
      expect(elements(all).items.length).toBe(Number(count.slice(1)))
      // INFO commandstats counts the renamed command under its own name.
      const conn = await ReplyConnection.open(respite.port)
      await conn.call(['cfg', 'RESETSTAT'])
      await conn.call(['myget', 'k'])
      const stats = bulk(await conn.call(['INFO', 'commandstats']))!
      conn.close()
      expect(stats).toMatch(/^cmdstat_get:calls=1,/m)
    })
  })
})

describe('include', () => {
  it('reads another file at that point, relative to the working directory, and wildcards match in order', async () => {
    const dir = join(scratch, 'inc')
    mkdirSync(join(dir, 'conf.d'), { recursive: true })
    writeFileSync(join(dir, 'conf.d', '20-b.conf'), 'maxmemory-policy allkeys-lru\nhz 30\n')
    writeFileSync(join(dir, 'conf.d', '10-a.conf'), 'hz 20\ndatabases 4\n')
    writeFileSync(join(dir, 'conf.d', '.hidden.conf'), 'hz 99\n')
    writeFileSync(join(dir, 'base.conf'), 'timeout 7\ndatabases 2\n')
    writeFileSync(join(dir, 'main.conf'), [
      'port 0', 'databases 3', 'include base.conf', 'include conf.d/*.conf', 'include conf.d/nothing-*.conf', 'timeout 9', '',
    ].join('\n'))
    const r = await cliServer(['main.conf'], { cwd: dir })
    const replies = await call(r.port, ['CONFIG', 'GET', 'databases'], ['CONFIG', 'GET', 'hz'], ['CONFIG', 'GET', 'timeout'], ['CONFIG', 'GET', 'maxmemory-policy'])
    expect(replies.map((x) => configMap(x))).toEqual([
      new Map([['databases', '4']]), new Map([['hz', '30']]), new Map([['timeout', '9']]), new Map([['maxmemory-policy', 'allkeys-lru']]),
    ])
  })

  it('resolves later relative paths from dir, which the server then runs in', async () => {
    const dir = join(scratch, 'inc-dir')
    mkdirSync(join(dir, 'data'), { recursive: true })
    writeFileSync(join(dir, 'data', 'more.conf'), 'hz 25\n')
    const r = await cliServer([file('inc-dir.conf', 'port 0', `dir ${join(dir, 'data')}`, 'include more.conf', 'pidfile relative.pid')], { cwd: dir })
    expect(await call(r.port, ['CONFIG', 'GET', 'hz'], ['CONFIG', 'GET', 'dir'])).toEqual([
      '*2\r\n$2\r\nhz\r\n$2\r\n25\r\n', `*2\r\n$3\r\ndir\r\n$${join(dir, 'data').length}\r\n${join(dir, 'data')}\r\n`,
    ])
    expect(readFileSync(join(dir, 'data', 'relative.pid'), 'latin1')).toMatch(/^\d+\n$/)
  })

  it('refuses a missing file, a file that includes itself, and a missing dir', () => {
    const missing = runCli([file('inc-missing.conf', 'port 0', 'include /nonexistent/respite.conf')])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain("Fatal error, can't open config file '/nonexistent/respite.conf': No such file or directory")
    const loop = file('inc-loop.conf', 'port 0', `include ${join(scratch, 'inc-loop.conf')}`)
    const looped = runCli([loop])
    expect(looped.status).toBe(1)
    expect(looped.stderr).toContain('include nesting deeper than')
    const noDir = runCli([file('no-dir.conf', 'dir /nonexistent/respite')])
    expect(noDir.status).toBe(1)
    expect(noDir.stderr).toContain(">>> 'dir /nonexistent/respite'\nNo such file or directory\n")
    const noLog = runCli([file('no-log.conf', 'logfile /nonexistent/respite.log')])
    expect(noLog.status).toBe(1)
    expect(noLog.stderr).toContain("Can't open the log file: No such file or directory")
  })
})

describe('security directives', () => {
  const refusals: [string[], RegExp][] = [
    [['tls-port 6380'], /respite has no TLS, so it cannot serve TLS on port 6380/],
    [['tls-replication yes'], /respite has no TLS, so it cannot honour 'tls-replication yes'/],
    [['tls-cluster yes'], /respite has no TLS, so it cannot honour 'tls-cluster yes'/],
    [['aclfile /etc/redis/users.acl'], /respite has no ACL users, so it cannot enforce an ACL file/],
    [['user alice on >pw ~* +@all'], /respite has no ACL users, so it cannot create user 'alice'/],
    [['user default on nopass ~* +@all -debug'], /the user would not be allowed every command/],
    [['user default on nopass ~cache:* +@all'], /the user would not be allowed every key/],
    [['user default off nopass ~* +@all'], /the user would be off/],
    [['user default on #0123 ~* +@all'], /plain-text password only/],
    [['user default on ~* +@all'], /no password and no nopass/],
    [['user default on nopass ~* +@all', 'user default on nopass ~* +@all'], /Duplicate user found/],
    [['loadmodule /usr/lib/redis/modules/example.so'], /respite cannot load Redis modules/],
    [['bind 0.0.0.0'], /respite has no protected mode: with bind 0.0.0.0 and no password/],
    [['bind *'], /respite has no protected mode/],
    [['sentinel monitor m 127.0.0.1 6379 2'], /sentinel directive while not in sentinel mode/],
  ]
  for (const [lines, why] of refusals) {
    it(`refuses to start with ${lines.at(-1)}`, () => {
      const r = runCli([file('refuse.conf', 'port 0', ...lines)])
      expect(r.status).toBe(1)
      expect(r.stderr).toContain('*** FATAL CONFIG FILE ERROR')
      expect(r.stderr).toMatch(why)
      expect(r.stdout).not.toContain('Ready to accept connections')
    })
  }

  it('accepts the harmless values: TLS off, the default user as it is, or with one password', async () => {
    const open = await cliServer([file('harmless.conf', 'port 0', 'tls-port 0', 'tls-replication no', 'tls-cluster no', 'aclfile ""', 'user default on nopass sanitize-payload ~* &* +@all')])
    expect(await call(open.port, ['PING'])).toEqual(['+PONG\r\n'])
    // As in Redis, the user line comes after requirepass, wherever it is written.
    const locked = await cliServer([file('user-pass.conf', 'port 0', 'user default on >s3cret allkeys allcommands', 'requirepass other')])
    expect(await call(locked.port, ['PING'], ['AUTH', 'other'], ['AUTH', 's3cret'], ['PING'])).toEqual([
      '-NOAUTH Authentication required.\r\n',
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
      '+OK\r\n',
      '+PONG\r\n',
    ])
    // A TLS port given in the file and turned off on the command line is off.
    const overridden = await cliServer([file('tls-off.conf', 'port 0', 'tls-port 6380'), '--tls-port', '0'])
    expect(await call(overridden.port, ['PING'])).toEqual(['+PONG\r\n'])
  })

  it('accepts a public bind address with a password or with protected-mode no (checked without listening)', () => {
    const load = (...lines: string[]) => {
      const loader = new ConfigLoader(new Config(), { table: new CommandTable(), ownProcess: false })
      loader.loadText(lines.join('\n'), 'the test')
      loader.finish()
    }
    expect(() => load('bind 0.0.0.0', 'requirepass x')).not.toThrow()
    expect(() => load('bind * -::*', 'protected-mode no')).not.toThrow()
    expect(() => load('bind 127.0.0.1 ::1')).not.toThrow()
    expect(() => load('bind 0.0.0.0')).toThrow(ConfigFileError)
  })

  it('embedded servers refuse them with a ConfigError', async () => {
    await expect(startServer({ port: 0, config: { 'tls-port': 6380 } })).rejects.toThrow(ConfigError)
    await expect(startServer({ port: 0, config: { user: 'bob on nopass ~* +@all' } })).rejects.toThrow(/cannot create user 'bob'/)
    await expect(startServer({ port: 0, bind: '0.0.0.0' })).rejects.toThrow(/protected mode/)
  })

  it('CONFIG SET cannot turn TLS on', async () => {
    const s = await startServer({ port: 0, loglevel: 'nothing' })
    try {
      const replies = await call(s.port, ['CONFIG', 'SET', 'tls-port', '6380'], ['CONFIG', 'SET', 'tls-replication', 'yes'], ['CONFIG', 'SET', 'tls-port', '0'])
      expect(replies).toEqual([
        "-ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable to update TLS configuration. Check server logs.\r\n",
        "-ERR CONFIG SET failed (possibly related to argument 'tls-replication') - Unable to update TLS configuration. Check server logs.\r\n",
        '+OK\r\n',
      ])
    } finally {
      await s.close()
    }
  })
})

describe('directives and the command line', () => {
  it('parses the command line as redis-server does', () => {
    expect(parseCommandLine(['a.conf', '--port', '0', '--save', '60', '1', '--save', '--requirepass', '--secret', '--bind', '127.0.0.1', '::1'])).toEqual({
      configFile: 'a.conf',
      stdin: false,
      directives: [['port', '0'], ['save', '60', '1'], ['save', ''], ['requirepass', '--secret'], ['bind', '127.0.0.1', '::1']],
    })
    expect(parseCommandLine(['-', '--port 6380', '--save'])).toEqual({ configFile: null, stdin: true, directives: [['port', '6380'], ['save', '']] })
    expect(() => parseCommandLine(['a.conf', 'stray'])).toThrow(/unexpected argument 'stray'/)
  })

  it('adds up save lines, reads standard input, writes a pid file and sets the process title', async () => {
    const pidfile = join(scratch, 'respite.pid')
    // In the scratch directory: appendonly yes writes the AOF there, and with save
    // points SIGTERM saves dump.rdb there.
    const r = await cliServer(['-', '--save', '300', '10', '--pidfile', pidfile, '--loglevel', 'notice'], {
      cwd: scratch,
      input: 'port 0\nsave 3600 1\nproc-title-template "{title} {listen-addr} {server-mode} custom"\nappendonly yes\n',
    })
    expect(await call(r.port, ['CONFIG', 'GET', 'save'], ['CONFIG', 'GET', 'appendonly'])).toEqual([
      '*2\r\n$4\r\nsave\r\n$13\r\n3600 1 300 10\r\n', '*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n',
    ])
    const pid = Number(readFileSync(pidfile, 'latin1'))
    expect(r.log()).toContain(`pid=${pid},`)
    expect(readFileSync(`/proc/${pid}/cmdline`, 'latin1')).toMatch(new RegExp(`cli\\.js 127\\.0\\.0\\.1:${r.port}  custom`))
    expect(r.log()).not.toContain("'appendonly yes' has no effect")
    expect(r.log()).not.toContain("'save ")
    r.child.kill('SIGTERM')
    expect(await r.exited).toBe(0)
    expect(existsSync(pidfile)).toBe(false)
  })

  it("refuses what redis-server refuses, with Redis's report", () => {
    for (const [line, reason] of [
      ['no-such-directive 1', 'Bad directive or wrong number of arguments'],
      ['requirepass a b', 'wrong number of arguments'],
      ['daemonize maybe', "argument must be 'yes' or 'no'"],
      ['supervised maybe', 'argument(s) must be one of the following: upstart, systemd, auto, no'],
      ['unixsocketperm 800', "argument couldn't be parsed as an octal number"],
      ['appendfilename a/b', "appendfilename can't be a path, just a filename"],
      ['replicaof 127.0.0.1', 'wrong number of arguments'],
      ['save 1', 'Invalid save parameters'],
      ['port "0', 'Unbalanced quotes in configuration line'],
    ]) {
      const r = runCli([file('bad.conf', '# comment', line)])
      expect(r.status, line).toBe(1)
      expect(r.stderr, line).toContain(`Reading the configuration file ${join(scratch, 'bad.conf')}, at line 2\n>>> '${line}'\n${reason}\n`)
    }
  })

  it("accepts Redis's hidden and deprecated directives", async () => {
    const r = await cliServer([file('hidden.conf', 'port 0', 'use-exit-on-panic yes', 'rdb-key-save-delay 100', 'list-max-ziplist-entries 512', 'lua-replicate-commands yes')])
    expect(await call(r.port, ['CONFIG', 'GET', 'use-exit-on-panic'], ['CONFIG', 'GET', 'rdb-key-save-delay'])).toEqual([
      '*2\r\n$17\r\nuse-exit-on-panic\r\n$3\r\nyes\r\n', '*2\r\n$18\r\nrdb-key-save-delay\r\n$3\r\n100\r\n',
    ])
  })

  it('accounts for every parameter: acted on, or warned about when set', () => {
    const unaccounted = Config.defs.filter((d) => ACTED_ON.has(d.name) === (d.name in NO_EFFECT_REASONS)).map((d) => d.name)
    expect(unaccounted).toEqual([])
  })

  it('user default rules: what respite can honour', () => {
    expect(defaultUserRules(['on', 'nopass', '~*', '+@all'])).toEqual({ password: '' })
    expect(defaultUserRules(['reset', 'on', '>a', '>b', '<a', 'allkeys', 'allcommands', 'resetchannels'])).toEqual({ password: 'b' })
    expect(defaultUserRules(['on', 'nopass', '-@all', '+@all', '~*', '(~x', '+get)'])).toEqual({ password: '' })
    expect(defaultUserRules(['on', 'nopass', '~*', '+get'])).toMatch(/every command/)
    expect(defaultUserRules(['on', 'nopass', '~*', '+@all', 'bogus'])).toMatch(/not an ACL rule/)
  })
})
