import { describe, expect, it } from 'vitest'
import { parseSyntax, type ArgDoc } from '../../src/commands/docs.js'
import { CommandTable } from '../../src/commands/table.js'
import { ReplyConnection, elements, runDifferential, sortedReply } from '../helpers/differential.js'
import { call, useRespite, useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

const skipRedis = missingTool('redis-server')

/** A small RESP reader for the nested replies of COMMAND: strings, numbers, arrays, null. */
type Value = string | number | null | Value[]
function parse(reply: string): Value {
  let pos = 0
  const read = (): Value => {
    const nl = reply.indexOf('\r\n', pos)
    const type = reply[pos]
    const line = reply.slice(pos + 1, nl)
    pos = nl + 2
    switch (type) {
      case '+': case '-': return line
      case ':': return Number(line)
      case '_': return null
      case '$': case '=': {
        const n = Number(line)
        if (n < 0) return null
        const s = reply.slice(pos, pos + n)
        pos += n + 2
        return s
      }
      case '*': case '~': case '%': {
        const n = Number(line) * (type === '%' ? 2 : 1)
        if (n < 0) return null
        const out: Value[] = []
        for (let i = 0; i < n; i++) out.push(read())
        return out
      }
      default: throw new Error(`unexpected ${type}`)
    }
  }
  return read()
}

function pairs(v: Value): Map<string, Value> {
  const m = new Map<string, Value>()
  const a = v as Value[]
  for (let i = 0; i < a.length; i += 2) m.set(a[i] as string, a[i + 1])
  return m
}

/** The hint redis-cli derives from one COMMAND DOCS argument. */
function hint(arg: Value): string {
  const m = pairs(arg)
  const flags = (m.get('flags') as string[] | undefined) ?? []
  const type = m.get('type')
  const token = m.get('token') as string | undefined
  const args = (m.get('arguments') as Value[] | undefined) ?? []
  let s = type === 'pure-token' ? token! : type === 'oneof' ? args.map(hint).join('|') : type === 'block' ? args.map(hint).join(' ')
    : (m.get('name') as string)
  const body = s
  if (token !== undefined && type !== 'pure-token') s = `${token} ${s}`
  if (flags.includes('multiple')) s = `${s} [${flags.includes('multiple_token') ? s : body} ...]`
  if (flags.includes('optional')) s = `[${s}]`
  return s
}

function docsHints(reply: string): Map<string, string> {
  const out = new Map<string, string>()
  const add = (name: string, doc: Value) => {
    const m = pairs(doc)
    out.set(name, ((m.get('arguments') as Value[] | undefined) ?? []).map(hint).join(' '))
    const subs = m.get('subcommands')
    if (subs !== undefined) for (const [n, d] of pairs(subs)) add(n, d)
  }
  for (const [name, doc] of pairs(parse(reply))) add(name, doc)
  return out
}

const { respite: server } = await useRespite({ flush: false })

describe('introspection commands', () => {
  it('COMMAND and COMMAND COUNT cover the whole table', async () => {
    const [count, all] = await call(server.port, ['COMMAND', 'COUNT'], ['COMMAND'])
    const n = new CommandTable().commands.length
    expect(count).toBe(`:${n}\r\n`)
    const entries = parse(all) as Value[][]
    expect(entries).toHaveLength(n)
    const names = entries.map((e) => e[0])
    expect(names).toContain('get')
    expect(names).toContain('config')
  })

  it('COMMAND INFO describes a command, its subcommands and key specs; nil for unknown names', async () => {
    const [info] = await call(server.port, ['COMMAND', 'INFO', 'get', 'nosuch', 'CONFIG|GET'])
    expect(info).toBe('*3\r\n' +
      '*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n' +
      '*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n' +
      '$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n' +
      '$-1\r\n' +
      '*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n')
    const [config] = await call(server.port, ['COMMAND', 'INFO', 'config'])
    const entry = (parse(config) as Value[][])[0]
    expect(entry.slice(0, 9)).toEqual(['config', -2, [], 0, 0, 0, ['@slow'], [], []])
    expect((entry[9] as Value[][]).map((s) => s[0]).sort()).toEqual(['config|get', 'config|help', 'config|resetstat', 'config|rewrite', 'config|set'])
  })

  it('COMMAND INFO uses RESP3 sets and nulls under HELLO 3', async () => {
    const c = await ReplyConnection.open(server.port)
    await c.call(['HELLO', '3'])
    const reply = await c.call(['COMMAND', 'INFO', 'time', 'nosuch'])
    expect(reply).toBe('*2\r\n*10\r\n$4\r\ntime\r\n:1\r\n~3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n~1\r\n+@fast\r\n' +
      '~1\r\n$23\r\nnondeterministic_output\r\n~0\r\n~0\r\n_\r\n')
    c.close()
  })

  it('COMMAND DOCS derives the argument tree from each spec\'s syntax', async () => {
    const [docs] = await call(server.port, ['COMMAND', 'DOCS', 'echo', 'nosuch', 'client|list'])
    const m = pairs(parse(docs))
    expect([...m.keys()]).toEqual(['echo', 'client|list'])
    expect(docs.startsWith('*4\r\n$4\r\necho\r\n*10\r\n$7\r\nsummary\r\n$21\r\nEcho the given string\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n' +
      '$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$7\r\nmessage\r\n' +
      '$4\r\ntype\r\n$6\r\nstring\r\n')).toBe(true)
    expect(docsHints(docs).get('client|list')).toBe('[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]')
    const [container] = await call(server.port, ['COMMAND', 'DOCS', 'config'])
    const hints = docsHints(container)
    expect(hints.get('config|set')).toBe('parameter value [parameter value ...]')
    expect(hints.get('config|get')).toBe('parameter [parameter ...]')
  })

  it('every command\'s syntax parses, and COMMAND DOCS answers for the whole table in both protocols', async () => {
    for (const spec of new CommandTable().commands) {
      for (const s of [spec, ...(spec.subcommands ?? [])]) expect(() => parseSyntax(s.syntax), s.fullName).not.toThrow()
    }
    const c = await ReplyConnection.open(server.port)
    const two = await c.call(['COMMAND', 'DOCS'])
    await c.call(['HELLO', '3'])
    const three = await c.call(['COMMAND', 'DOCS'])
    expect(docsHints(two)).toEqual(docsHints(three))
    expect(docsHints(two).get('set')).toBe('key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]')
    c.close()
  })

  it('COMMAND LIST, with FILTERBY PATTERN, ACLCAT and MODULE', async () => {
    const [all, pattern, acl, mod, bad] = await call(server.port, ['COMMAND', 'LIST'], ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'config*'],
      ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'connection'], ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'], ['COMMAND', 'LIST', 'FILTERBY'])
    expect(parse(all)).toContain('client|kill')
    expect((parse(pattern) as string[]).sort()).toEqual(['config', 'config|get', 'config|help', 'config|resetstat', 'config|rewrite', 'config|set'])
    expect(parse(acl)).toEqual(expect.arrayContaining(['ping', 'hello', 'auth', 'client|id', 'command', 'command|docs']))
    expect(parse(acl)).not.toContain('get')
    expect(mod).toBe('*0\r\n')
    expect(bad).toBe('-ERR syntax error\r\n')
  })

  it('COMMAND GETKEYS and COMMAND GETKEYSANDFLAGS', async () => {
    const replies = await call(server.port, ['COMMAND', 'GETKEYS', 'get', 'a'], ['COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'],
      ['COMMAND', 'GETKEYS', 'ping', 'x'], ['COMMAND', 'GETKEYS', 'nosuch', 'a'], ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'memory', 'usage', 'k'], ['COMMAND', 'GETKEYSANDFLAGS', 'get', 'a'])
    expect(replies).toEqual(['*1\r\n$1\r\na\r\n', '*2\r\n$1\r\na\r\n$1\r\nb\r\n', '-ERR The command has no key arguments\r\n',
      '-ERR Invalid command specified\r\n', '-ERR Invalid number of arguments specified for command\r\n', '*1\r\n$1\r\nk\r\n',
      '*1\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n'])
  })

  it('COMMAND HELP', async () => {
    const [help] = await call(server.port, ['COMMAND', 'HELP'])
    expect(help.startsWith('*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+(no subcommand)\r\n')).toBe(true)
  })
})

describe('COMMAND DOCS syntax parser', () => {
  const brief = (docs: ArgDoc[]): unknown => docs.map((d) => ({
    name: d.name, type: d.type, ...(d.token ? { token: d.token } : {}), ...(d.flags.length ? { flags: d.flags } : {}),
    ...(d.args ? { args: brief(d.args) } : {}),
  }))

  it('reads tokens, options, choices and key arguments', () => {
    expect(brief(parseSyntax('key value [NX | XX] [EX seconds | KEEPTTL]'))).toEqual([
      { name: 'key', type: 'key' },
      { name: 'value', type: 'string' },
      { name: 'nx_xx', type: 'oneof', flags: ['optional'], args: [{ name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' }] },
      { name: 'seconds_keepttl', type: 'oneof', flags: ['optional'], args: [{ name: 'seconds', type: 'integer', token: 'EX' }, { name: 'keepttl', type: 'pure-token', token: 'KEEPTTL' }] },
    ])
    expect(parseSyntax('key value')[0].keySpecIndex).toBe(0)
  })

  it('reads repeats, repeated tokens, token blocks and token choices', () => {
    expect(brief(parseSyntax('score member [score member ...]'))).toEqual([
      { name: 'score_member', type: 'block', flags: ['multiple'], args: [{ name: 'score', type: 'double' }, { name: 'member', type: 'string' }] },
    ])
    expect(brief(parseSyntax('[GET pattern [GET pattern ...]] [LIMIT offset count]'))).toEqual([
      { name: 'pattern', type: 'pattern', token: 'GET', flags: ['optional', 'multiple', 'multiple_token'] },
      { name: 'offset_count', type: 'block', token: 'LIMIT', flags: ['optional'], args: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
    ])
    expect(brief(parseSyntax('[TYPE NORMAL | PUBSUB] [ID client-id [client-id ...]]'))).toEqual([
      { name: 'normal_pubsub', type: 'oneof', token: 'TYPE', flags: ['optional'], args: [{ name: 'normal', type: 'pure-token', token: 'NORMAL' }, { name: 'pubsub', type: 'pure-token', token: 'PUBSUB' }] },
      { name: 'client-id', type: 'integer', token: 'ID', flags: ['optional', 'multiple'] },
    ])
    expect(parseSyntax('')).toEqual([])
  })
})

describe.skipIf(skipRedis !== null)('introspection commands against redis-server', () => {
  const servers = useRespiteAndRedis()

  const mine = ['ping', 'echo', 'quit', 'hello', 'auth', 'reset', 'info', 'time', 'lastsave', 'save', 'bgsave', 'bgrewriteaof',
    'shutdown', 'role', 'client|id', 'client|setname', 'client|getname', 'client|info', 'client|list', 'client|kill',
    'client|no-evict', 'client|unblock', 'client|getredir', 'client|trackinginfo', 'client|help', 'config|get', 'config|set',
    'config|resetstat', 'config|rewrite', 'config|help', 'command|count', 'command|info', 'command|docs', 'command|list',
    'command|getkeys', 'command|getkeysandflags', 'command|help', 'function|list', 'function|flush', 'function|stats',
    'function|delete', 'function|kill', 'function|help', 'memory|usage', 'memory|doctor', 'memory|purge', 'memory|help',
    'latency|latest', 'latency|history', 'latency|reset', 'latency|graph', 'latency|doctor', 'latency|help', 'slowlog|get',
    'slowlog|len', 'slowlog|reset', 'slowlog|help']

  it('COMMAND INFO matches byte for byte for the connection, server and introspection commands', async () => {
    const cmds = mine.map((name) => ['COMMAND', 'INFO', name])
    cmds.push(['COMMAND', 'INFO', 'nosuch'], ['COMMAND', 'INFO', 'GET', 'Client|Id'])
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds)).toBeNull()
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto: 3 })).toBeNull()
  })

  it('COMMAND DOCS gives redis-cli the same hints as Redis for every command both know', async () => {
    const [ours] = await call(servers.respite.port, ['COMMAND', 'DOCS'])
    const [theirs] = await call(servers.redis.port, ['COMMAND', 'DOCS'])
    const a = docsHints(ours)
    const b = docsHints(theirs)
    let compared = 0
    const differ: string[] = []
    for (const [name, h] of a) {
      if (!b.has(name)) continue
      if (h !== b.get(name)) differ.push(`${name}: ${h} (Redis: ${b.get(name)})`)
      compared++
    }
    expect(differ).toEqual([])
    expect(compared).toBeGreaterThan(60)
  })

  it('COMMAND DOCS metadata (summary, since, group, complexity) matches for the commands here', async () => {
    const meta = (reply: string) => {
      const out = new Map<string, string>()
      for (const [name, doc] of pairs(parse(reply))) {
        const m = pairs(doc)
        out.set(name, ['summary', 'since', 'group', 'complexity'].map((k) => m.get(k)).join(' | '))
      }
      return out
    }
    const [ours] = await call(servers.respite.port, ['COMMAND', 'DOCS', ...mine])
    const [theirs] = await call(servers.redis.port, ['COMMAND', 'DOCS', ...mine])
    expect(meta(ours)).toEqual(meta(theirs))
  })

  it('COMMAND LIST, COMMAND GETKEYS, COMMAND COUNT errors and COMMAND HELP match', async () => {
    const sorted = (args: string[], reply: string) => (args[1] === 'LIST' ? sortedReply(reply) : reply)
    const cmds = [
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'config*'], ['COMMAND', 'LIST', 'FILTERBY', 'pattern', 'command*'],
      ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'], ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch'], ['COMMAND', 'LIST', 'FILTERBY'],
      ['COMMAND', 'LIST', 'FILTERBY', 'foo', 'bar'], ['COMMAND', 'LIST', 'foo'],
      ['COMMAND', 'GETKEYS'], ['COMMAND', 'GETKEYS', 'get'], ['COMMAND', 'GETKEYS', 'get', 'a'], ['COMMAND', 'GETKEYS', 'ping', 'x'],
      ['COMMAND', 'GETKEYS', 'nosuch', 'a'], ['COMMAND', 'GETKEYS', 'set', 'a', 'b', 'c'], ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c'],
      ['COMMAND', 'GETKEYS', 'config', 'get', 'x'], ['COMMAND', 'GETKEYS', 'memory', 'usage', 'k'], ['COMMAND', 'GETKEYS', 'CONFIG', 'foo'],
      ['COMMAND', 'GETKEYS', 'get', 'a', 'b'], ['COMMAND', 'GETKEYS', 'mset', 'a'], ['COMMAND', 'GETKEYSANDFLAGS', 'get', 'a'],
      ['COMMAND', 'GETKEYS', 'sintercard', '3', 'a', 'b'], ['COMMAND', 'GETKEYS', 'zunionstore', 'd', '5', 'a'],
      ['COMMAND', 'GETKEYS', 'lmpop', '2', 'a', 'left'], ['COMMAND', 'GETKEYS', 'zunionstore', 'd', '2', 'a', 'b'],
      ['COMMAND', 'COUNT', 'x'], ['COMMAND', 'FOO'], ['COMMAND', 'HELP'], ['COMMAND', 'INFO', 'nosuch'],
    ]
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { normalize: sorted })).toBeNull()
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto: 3, normalize: sorted })).toBeNull()
  })

  it('ACL categories of the connection, server and introspection commands match Redis\'s', async () => {
    const [ours] = await call(servers.respite.port, ['COMMAND'])
    const [theirs] = await call(servers.redis.port, ['COMMAND'])
    const cats = (reply: string) => {
      const m = new Map<string, string>()
      const add = (e: Value[]) => {
        m.set(e[0] as string, (e[6] as string[]).join(' '))
        for (const s of e[9] as Value[][]) add(s)
      }
      for (const e of parse(reply) as Value[][]) add(e)
      return m
    }
    const a = cats(ours)
    const b = cats(theirs)
    for (const name of [...mine, 'client', 'config', 'command', 'function', 'memory', 'latency', 'slowlog', 'get', 'set']) {
      expect(`${name}: ${a.get(name)}`).toBe(`${name}: ${b.get(name)}`)
    }
    expect(elements(ours).items.length).toBeGreaterThan(10)
  })
})
