import { describe, expect, it } from 'vitest'
import { crc64 } from '../../src/util/crc64.js'
import { ReplyConnection, sortedReply, withConnections } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'

/**
 * FUNCTION and FCALL sent in the same order to respite and to a real redis-server
 * 7.0.15; every reply must match byte for byte, in RESP2 and RESP3: shebang and
 * register_function errors, load-time and run-time sandboxes, error formats, flags
 * under FCALL_RO, FUNCTION LIST shapes, DUMP/RESTORE payloads in both directions.
 * Redis lists libraries and a library's functions in hash order, so FUNCTION LIST
 * replies over several libraries are compared sorted, and libraries that are listed
 * have one function each.
 */

const RF = 'redis.register_function'

/** FUNCTION LOAD of `#!lua name=bad` and `body`: each fails at load. */
const BAD_BODIES = [
  `${RF}('gg')`, `${RF}('gg', 1)`, `${RF}(1, 1)`, `${RF}('gg', function() end, 3)`, `${RF}()`,
  `${RF}{function_name='gg'}`, `${RF}{callback=function() end}`,
  `${RF}{function_name='gg', callback=function() end, flags='no-writes'}`,
  `${RF}{function_name='gg', callback=function() end, flags={'bad'}}`,
  `${RF}{function_name='gg', callback=function() end, foo=1}`,
  `${RF}{function_name='gg', callback=function() end, flags={1}}`,
  `${RF}{function_name='gg', callback=1}`, `${RF}{[1]=2, function_name='gg', callback=function() end}`,
  `${RF}('', function() end)`, `${RF}(nil, function() end)`, `${RF}(true, function() end)`, `${RF}{}`,
  `${RF}{function_name='gg', callback=function() end, description=true}`,
  `${RF}{function_name=true, callback=function() end}`, `${RF}{[true]=1}`,
  `${RF}('g1', function() end) ${RF}('g1', function() end)`, `${RF}('f-x', function() end)`,
  'redis.foo = 1', 'local t = redis.foo', 'local x = 1 + nil', '(nil)()', "error('boom')", "redis.call('set','x','y')",
  "redis.pcall('ping')", "local a = string.len('x')", 'x = 1', 'redis.setresp(3)', 'local a = KEYS', 'local x = _G',
  "redis.sha1hex('a')", `local t = {} t.x = 1 ${RF}('g1', function() end) error('late')`, '!!', 'x =',
  "redis.log(redis.LOG_NOTICE, 'loading') local v = redis.REDIS_VERSION .. redis.REDIS_VERSION_NUM",
]

const BAD_SHEBANGS = [
  'return 1', '#!lua', '#!lua name=a b\n', '#!lua name=a-b\n', '#!lua foo=a\n', '#!js name=a\n', '#!lua name=mylib',
  '#!js name=a-b\n', '#!lua name="a b"\n', '#!lua name="ab"\n', '#!lua name="ab\n', '#!lua name=ab x="\n',
  '#!lua name=x name=y\n', '#!lua\n', '#!lua name=\n', '#! name=x\n', '#!LUA name=x\n', '#!lua  name=x\t\r\n',
  '#!lua NAME=x\n', "#!lua name='x'\n",
]

const LIB1 = `#!lua name=lib1
local function helper(x) return x .. '!' end
${RF}('echo1', function(keys, args) return helper(args[1]) end)
${RF}('err1', function(keys, args) error('boom') end)
${RF}('err2', function(keys, args) return redis.call('nosuch') end)
${RF}('err3', function(keys, args) return redis.error_reply('MY custom') end)
${RF}('err4', function(keys, args) local x = nil + 1 end)
${RF}('err5', function(keys, args) return KEYS end)
${RF}('err6', function(keys, args) y = 1 end)
${RF}('set1', function(keys, args) return redis.call('set', keys[1], args[1]) end)
${RF}{function_name='ro1', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}
${RF}{function_name='ro2', callback=function(keys, args) return redis.call('set', keys[1], 'v') end, flags={'no-writes'}}
${RF}('reg', function(keys, args) ${RF}('zz', function() end) end)
${RF}('err7', function(keys, args) error({err='XX tbl'}) end)
${RF}('err8', function(keys, args) return redis.call('set', 'k') end)
${RF}('glob', function(keys, args) local out = {} for k, v in pairs(_G) do table.insert(out, k) end table.sort(out) return table.concat(out, ' ') end)
${RF}('rk', function(keys, args) local out = {} for k, v in pairs(redis) do table.insert(out, k) end table.sort(out) return table.concat(out, ' ') end)
${RF}('ty', function(keys, args) return {type(keys), #keys, #args, keys[1], args[1], type(loadstring)} end)
${RF}('gf', function(keys, args) return type(getfenv) end)
${RF}('resp', function(keys, args) redis.setresp(3) return redis.call('hgetall', 'h') end)
${RF}('ret', function(keys, args) return {1, 2.5, 'x', true, false, {ok='st'}, nil, 4} end)
${RF}('pc', function(keys, args) return {pcall(redis.call, 'nosuch')} end)
${RF}('fc', function(keys, args) return redis.pcall('fcall', 'echo1', '0', 'x') end)
`

function sequence(): string[][] {
  const C: string[][] = [['FUNCTION', 'FLUSH']]
  const load = (code: string, ...opts: string[]) => C.push(['FUNCTION', 'LOAD', ...opts, code])
  for (const code of BAD_SHEBANGS) load(code)
  for (const body of BAD_BODIES) load(`#!lua name=bad\n${body}`)
  load(`#!lua name=t8\n${RF}{function_name='gg', callback=function() return 8 end, description=1}`)
  load(`#!lua name=t13\n${RF}{function_name=1, callback=function() return 13 end}`)
  load(`#!lua name=t13\n${RF}{function_name=1, callback=function() return 13 end}`)
  load(`#!lua name=t14\n${RF}{function_name='GG', callback=function() end}`)
  load(`#!lua name=fl\n${RF}{function_name='fl', callback=function() return 1 end, flags={'allow-cross-slot-keys','no-cluster','allow-stale','allow-oom','no-writes'}, description=''}`)
  load(LIB1)
  load(LIB1)
  load(LIB1, 'REPLACE')
  load(LIB1, 'foo')
  load(LIB1, 'replace', 'replace')
  load(`#!lua name=lib2\n${RF}('echo1', function() end)`)
  load(`#!lua name=lib2\n${RF}('ECHO1', function() end)`)
  load(`#!lua name=LIB1\n${RF}('other', function() return 'LIB1' end)`)
  const fcalls = ['echo1 0 hi', 'ECHO1 0 hi', 'err1 0', 'err2 0', 'err3 0', 'err4 0', 'err5 0', 'err6 0', 'set1 1 k v',
    'ro1 1 k', 'ro2 1 k', 'reg 0', 'err7 0', 'err8 0', 'glob 0', 'rk 0', 'ty 2 a b c', 'ty 0', 'gf 0', 'ret 0', 'pc 0',
    'fc 0', 'nosuch 0', 'echo1 x', 'echo1 -1', 'echo1 3 a', 'nosuch x', '1 0', 'gg 0', 'GG 0', 'other 0']
  for (const f of fcalls) C.push(['FCALL', ...f.split(' ')])
  for (const f of ['ro1 1 k', 'ro2 1 k', 'set1 1 k v', 'echo1 0 x', 'nosuch 0', 'fl 0', 'ro1 x', 'ro1 -1'])
    C.push(['FCALL_RO', ...f.split(' ')])
  C.push(['DEL', 'h'], ['HSET', 'h', 'a', '1'], ['FCALL', 'resp', '0'], ['FCALL', 'ro1', '1', 'h'])
  C.push(
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'fl'], ['FUNCTION', 'LIST', 'libraryname', 'FL', 'withcode'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 't1*'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 't8', 'WITHCODE'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME'], ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'a', 'LIBRARYNAME', 'b'], ['FUNCTION', 'LIST', 'foo'], ['FUNCTION', 'STATS'],
    ['FUNCTION', 'STATS', 'x'], ['FUNCTION', 'KILL'], ['FUNCTION', 'DUMP', 'x'], ['FUNCTION', 'DELETE'],
    ['FUNCTION', 'DELETE', 'nosuch'], ['FUNCTION', 'DELETE', 'a', 'b'], ['FUNCTION', 'DELETE', 'Lib1'],
    ['FUNCTION', 'FLUSH', 'x'], ['FUNCTION', 'flush', 'sync', 'x'], ['FCALL'], ['FCALL_RO', 'f'], ['FUNCTION'],
    ['FUNCTION', 'nosuch'], ['FUNCTION', 'RESTORE'], ['FUNCTION', 'RESTORE', 'bad'], ['FUNCTION', 'RESTORE', 'bad', 'foo'],
    ['FUNCTION', 'restore', 'bad', 'FLUSH', 'x'], ['FUNCTION', 'RESTORE', ''], ['FUNCTION', 'RESTORE', 'abc', 'APPEND'],
    ['FUNCTION', 'HELP'], ['FUNCTION', 'DELETE', 'lib1'], ['FUNCTION', 'DELETE', 'LIB1'], ['FCALL', 'echo1', '0', 'x'],
    ['FUNCTION', 'LIST'], ['FUNCTION', 'LIST', 'WITHCODE'], ['FUNCTION', 'STATS'], ['SCRIPT', 'FLUSH'], ['FCALL', 'gg', '0'],
    ['FUNCTION', 'FLUSH', 'ASYNC'], ['FUNCTION', 'LIST'], ['FUNCTION', 'DUMP'], ['FUNCTION', 'STATS'], ['FCALL', 'gg', '0'],
  )
  load(`#!lua name=vv\n${RF}('vv', function(keys, args) return redis.REDIS_VERSION end)`)
  C.push(['FCALL', 'vv', '0'], ['MULTI'], ['FCALL', 'vv', '0'])
  load(`#!lua name=mm\n${RF}('mm', function() return 1 end)`)
  C.push(['EXEC'], ['EVAL', "return redis.call('function','list')", '0'], ['EVAL', "return redis.pcall('fcall','vv','0')", '0'],
    ['FCALL', 'mm', '0'], ['FUNCTION', 'DELETE', 'mm'], ['FUNCTION', 'DELETE', 'mm'])
  load(`#!lua name=ww\n${RF}('ww', function(keys, args) return redis.call('fcall','vv','0') end)`)
  C.push(['FCALL', 'ww', '0'])
  C.push(['FUNCTION', 'LOAD'], ['FUNCTION', 'LOAD', 'REPLACE'], ['COMMAND', 'INFO', 'fcall', 'fcall_ro'],
    ['COMMAND', 'INFO', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro'], ['COMMAND', 'GETKEYS', 'EVAL', 'return 1', '0'],
    ...['load', 'delete', 'dump', 'restore', 'list', 'flush', 'stats', 'kill', 'help'].map((s) => ['COMMAND', 'INFO', `function|${s}`]),
    ['COMMAND', 'GETKEYS', 'FCALL', 'f', '2', 'a', 'b', 'c'], ['COMMAND', 'GETKEYS', 'FCALL_RO', 'f', '0'],
    ['COMMAND', 'GETKEYS', 'FCALL', 'f', '3', 'a'], ['COMMAND', 'GETKEYS', 'FCALL', 'f', 'x'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'FCALL_RO', 'f', '1', 'a'], ['COMMAND', 'GETKEYSANDFLAGS', 'FCALL', 'f', '1', 'a'])
  load('#!lua name=loop\nwhile true do end')
  C.push(['FUNCTION', 'LIST', 'LIBRARYNAME', 'loop'])
  return C
}

/** An RDB-style payload around `body`: the version and a CRC-64 after it. */
function payload(body: string, version = 10): string {
  const head = Buffer.concat([Buffer.from(body, 'latin1'), Buffer.from([version, 0])])
  const crc = Buffer.alloc(8)
  crc.writeBigUInt64LE(crc64(head))
  return Buffer.concat([head, crc]).toString('latin1')
}

const record = (code: string) => `\xf5${String.fromCharCode(code.length)}${code}`
const lib = (name: string, fn: string) => `#!lua name=${name}\n${RF}('${fn}', function() return '${name}.${fn}' end)`

/** RESTORE cases: each runs after FUNCTION FLUSH and the loading of x (function f). */
const RESTORES: string[][] = [
  [payload('\x00')], [payload('\xf6')], [payload('\xf5')], [payload('\xf5\x05ab')], [payload(record('#!lua name=x\nreturn 1'))],
  [payload(record('#!lua name=x\n!!'))], [payload(record('return 1'))], [payload(record(lib('x', 'g')))],
  [payload(record(lib('x', 'g'))), 'APPEND'], [payload(record(lib('x', 'g'))), 'REPLACE'], [payload(record(lib('x', 'g'))), 'flush'],
  [payload(record(lib('y', 'f')))], [payload(record(lib('y', 'f'))), 'REPLACE'], [payload(record(lib('y', 'f'))), 'FLUSH'],
  [payload(record(lib('y', 'g')) + record(lib('z', 'g')))], [payload(record(lib('y', 'g')) + record(lib('y', 'h')))],
  [payload('', 11)], [payload('', 9)], [payload(record(lib('y', 'g')), 11)], [payload(record(lib('y', 'g'))).slice(0, -1) + '?'],
  [payload(record(lib('y', 'g')) + record(lib('z', 'h')))], ['\n\0' + '\0'.repeat(8)],
]

async function compare(respitePort: number, redisPort: number, proto: 2 | 3, steps: string[][], sorted: (cmd: string[]) => boolean): Promise<number> {
  return withConnections(respitePort, redisPort, proto, async (a, b) => {
    for (const [i, cmd] of steps.entries()) {
      let [x, y] = [await a.call(cmd), await b.call(cmd)]
      if (sorted(cmd)) [x, y] = [sortedReply(x), sortedReply(y)]
      expect({ step: i, cmd: cmd.map((s) => s.slice(0, 60)), reply: x }).toEqual({ step: i, cmd: cmd.map((s) => s.slice(0, 60)), reply: y })
    }
    return steps.length
  })
}

const isList = (cmd: string[]) => cmd[0] === 'FUNCTION' && cmd[1] === 'LIST'

describe('FUNCTION and FCALL against redis-server 7.0.15', () => {
  const pair = useRespiteAndRedis()

  for (const proto of [2, 3] as const) {
    it(`FUNCTION LOAD, FCALL, FCALL_RO, FUNCTION LIST/DELETE/FLUSH/STATS/KILL/HELP replies match in RESP${proto}`, async () => {
      expect(await compare(pair.respite.port, pair.redis.port, proto, sequence(), isList)).toBeGreaterThan(150)
    }, 30000)

    it(`FUNCTION RESTORE policies and malformed payloads match in RESP${proto}`, async () => {
      const steps: string[][] = []
      for (const args of RESTORES) {
        steps.push(['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', lib('x', 'f')], ['FUNCTION', 'RESTORE', ...args],
          ['FUNCTION', 'LIST'], ['FCALL', 'f', '0'], ['FCALL', 'g', '0'], ['FCALL', 'h', '0'])
      }
      expect(await compare(pair.respite.port, pair.redis.port, proto, steps, isList)).toBe(RESTORES.length * 7)
    }, 30000)
  }

  it('FUNCTION DUMP payloads restore on the other server, both ways', async () => {
    const a = await ReplyConnection.open(pair.respite.port)
    const b = await ReplyConnection.open(pair.redis.port)
    const bulk = (frame: string) => frame.slice(frame.indexOf('\r\n') + 2, -2)
    try {
      const long = `#!lua name=long\n${RF}{function_name='lf', callback=function() return '${'compressible '.repeat(20)}' end, description='${'d'.repeat(100)}'}`
      for (const c of [a, b]) {
        await c.call(['FUNCTION', 'FLUSH'])
        await c.call(['FUNCTION', 'LOAD', long])
        await c.call(['FUNCTION', 'LOAD', lib('short', 'sf')])
      }
      const fromRespite = bulk(await a.call(['FUNCTION', 'DUMP']))
      const fromRedis = bulk(await b.call(['FUNCTION', 'DUMP']))
      // Redis compresses the long library with LZF; respite writes it plain.
      expect(fromRedis.length).toBeLessThan(fromRespite.length)
      for (const [c, data] of [[a, fromRedis], [b, fromRespite]] as const) {
        expect(await c.call(['FUNCTION', 'RESTORE', data, 'FLUSH'])).toBe('+OK\r\n')
        expect(await c.call(['FCALL', 'lf', '0'])).toBe(`$260\r\n${'compressible '.repeat(20)}\r\n`)
        expect(await c.call(['FCALL', 'sf', '0'])).toBe('$8\r\nshort.sf\r\n')
        // The first library of the payload that exists is named; Redis dumps in hash order.
        expect(await c.call(['FUNCTION', 'RESTORE', data])).toMatch(/^-ERR Library (long|short) already exists\r\n$/)
      }
      for (const c of [a, b]) await c.call(['FUNCTION', 'FLUSH'])
      expect(await a.call(['FUNCTION', 'DUMP'])).toBe(await b.call(['FUNCTION', 'DUMP']))
    } finally {
      a.close()
      b.close()
    }
  })
})
