import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { withConnections, type ReplyConnection } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT against a real redis-server: each case
 * is a few commands sent to both servers on fresh data, in RESP2 and in RESP3, and
 * every reply must match byte for byte. The cases cover every reply conversion in
 * both directions, every error text scripts produce, the sandbox, shebang flags and
 * the SCRIPT subcommands.
 */

const skip = missingTool('redis-server')

type Case = [name: string, steps: string[][]]

const sha = (body: string): string => createHash('sha1').update(body, 'latin1').digest('hex')
const ev = (script: string, ...rest: string[]): string[] => ['EVAL', script, ...(rest.length ? rest : ['0'])]

/** Commands → Lua: what each reply type becomes inside the script. */
const toLua: Case[] = [
  ['status → {ok=}', [ev("local r = redis.call('set','k','v') return {type(r), r.ok}")]],
  ['status returned as is', [ev("return redis.call('set','k','v')")]],
  ['status inside an array', [ev("return {redis.call('ping'), redis.call('set','k','v')}")]],
  ['integer → number', [ev("local r = redis.call('incr','n') return {type(r), r}")]],
  ['bulk → string', [['SET', 'k', 'a\x00b\xff'], ev("local r = redis.call('get','k') return {type(r), r, #r}")]],
  ['nil bulk → false', [ev("local r = redis.call('get','nokey') return {type(r), tostring(r)}")]],
  ['nil array → false', [ev("local r = redis.call('blmpop','0','1','nolist','LEFT') return {type(r), tostring(r)}")]],
  ['array → table', [['RPUSH', 'l', 'a', 'b', 'c'], ev("local r = redis.call('lrange','l',0,-1) return {type(r), #r, r[1], r[3]}")]],
  ['empty array → empty table', [ev("local r = redis.call('lrange','nolist',0,-1) return {type(r), #r}")]],
  ['nested arrays', [['ZADD', 'z', '1', 'a', '2', 'b'], ev("return redis.call('zrange','z',0,-1,'withscores')")]],
  ['error → pcall table', [['SET', 's', 'abc'], ev("local r = redis.pcall('incr','s') return {type(r), r.err}")]],
  ['error table fields', [['SET', 's', 'abc'], ev("local r = redis.pcall('incr','s') local t = {} for k, v in pairs(r) do t[#t + 1] = k end table.sort(t) return t")]],
  ['error table returned', [['SET', 's', 'abc'], ev("return redis.pcall('incr','s')")]],
  ['WRONGTYPE through pcall', [['SET', 's', 'abc'], ev("return redis.pcall('lpush','s','x')")]],
  ['RESP3 map', [['HSET', 'h', 'f', 'v'], ev("redis.setresp(3) local r = redis.call('hgetall','h') return {type(r.map), r.map.f}")]],
  ['RESP3 set', [['SADD', 'st', 'm'], ev("redis.setresp(3) local r = redis.call('smembers','st') return {type(r.set), tostring(r.set.m)}")]],
  ['RESP3 null', [ev("redis.setresp(3) local r = redis.call('get','nokey') return type(r)")]],
  ['RESP3 double', [['ZADD', 'z', '1.5', 'm'], ev("redis.setresp(3) local r = redis.call('zscore','z','m') return {type(r), tostring(r.double)}")]],
  ['RESP3 double returned', [['ZADD', 'z', '1.5', 'm'], ev("redis.setresp(3) return redis.call('zscore','z','m')")]],
  ['RESP3 map returned', [['HSET', 'h', 'f', 'v'], ev("redis.setresp(3) return redis.call('hgetall','h')")]],
  ['RESP2 after setresp(3) then (2)', [['HSET', 'h', 'f', 'v'], ev("redis.setresp(3) redis.setresp(2) return redis.call('hgetall','h')")]],
  ['setresp resets between scripts', [['HSET', 'h', 'f', 'v'], ev('redis.setresp(3) return 1'), ev("return type(redis.call('get','nokey'))")]],
  ['setresp bad', [ev('redis.setresp(4)')]],
  ['setresp no args', [ev('redis.setresp()')]],
]

/** Lua → the reply the client gets. */
const toReply: Case[] = [
  ['number truncates', [ev('return 3.7')]],
  ['negative number truncates towards zero', [ev('return -3.7')]],
  ['large number', [ev('return 2^53')]],
  ['string', [ev("return 'hello'")]],
  ['empty string', [ev("return ''")]],
  ['binary string', [ev("return '\\0\\255\\r\\n'")]],
  ['true', [ev('return true')]],
  ['false', [ev('return false')]],
  ['nil', [ev('return nil')]],
  ['no value', [ev('local x = 1')]],
  ['array stops at the first nil', [ev('return {1, 2, nil, 4}')]],
  ['nested table', [ev("return {1, {2, {3, 'x'}}, true, false}")]],
  ['hash part ignored', [ev("return {1, 2, a = 'x'}")]],
  ['ok table', [ev("return {ok = 'fine'}")]],
  ['ok with newline', [ev("return {ok = 'a\\r\\nb'}")]],
  ['err table', [ev("return {err = 'My Error'}")]],
  ['err table with code', [ev("return {err = 'MYCODE custom'}")]],
  ['err not a string', [ev('return {err = 5}')]],
  ['err empty', [ev("return {err = ''}")]],
  ['ok not a string', [ev('return {ok = 5}')]],
  ['error_reply', [ev("return redis.error_reply('My Error')")]],
  ['error_reply with dash', [ev("return redis.error_reply('-X y')")]],
  ['error_reply of one word', [ev("return redis.error_reply('x')")]],
  ['error_reply of a dash and one word', [ev("return redis.error_reply('-x')")]],
  ['error_reply table', [ev("return redis.error_reply('x').err")]],
  ['err with a dash', [ev("return {err = '-x'}")]],
  ['booleans after setresp(3)', [ev('redis.setresp(3) return {true, false}')]],
  ['nil after setresp(3)', [ev('redis.setresp(3) return nil')]],
  ['status_reply', [ev("return redis.status_reply('FINE')")]],
  ['double table', [ev('return {double = 3.5}')]],
  ['double integer', [ev('return {double = 3}')]],
  ['double inf', [ev('return {double = 1/0}')]],
  ['map table', [ev("return {map = {a = 1}}")]],
  ['map with nested array', [ev("return {map = {a = {1, 2}}}")]],
  ['set table', [ev("return {set = {a = true}}")]],
  ['big_number', [ev("return {big_number = '123456789012345678901234567890'}")]],
  ['verbatim_string', [ev("return {verbatim_string = {format = 'txt', string = 'hi'}}")]],
  ['table of status in array', [ev("return {{ok = 'a'}, {err = 'b'}}")]],
  ['cjson null in array', [ev('return {1, cjson.null, 3}')]],
  ['function value', [ev('return {1, print ~= nil}')]],
]

/** Lua values as redis.call arguments. */
const args: Case[] = [
  ['integer', [ev("redis.call('set','n',100) return redis.call('get','n')")]],
  ['fraction uses %.17g', [ev("redis.call('set','n',0.1) return redis.call('get','n')")]],
  ['third', [ev("redis.call('set','n',1/3) return redis.call('get','n')")]],
  ['1e20', [ev("redis.call('set','n',1e20) return redis.call('get','n')")]],
  ['2^53 + 1', [ev("redis.call('set','n',2^53+1) return redis.call('get','n')")]],
  ['minus zero', [ev("redis.call('set','n',-0.0) return redis.call('get','n')")]],
  ['infinity', [ev("redis.call('set','n',1/0) return redis.call('get','n')")]],
  ['negative', [ev("redis.call('set','n',-12.5) return redis.call('get','n')")]],
  ['boolean refused', [ev("return redis.call('set','n',true)")]],
  ['table refused', [ev("return redis.call('set','n',{})")]],
  ['nil refused', [ev("return redis.call('set','n',nil)")]],
  ['pcall boolean refused', [ev("return redis.pcall('set','n',true)")]],
  ['no arguments', [ev('return redis.call()')]],
  ['pcall no arguments', [ev('return redis.pcall()')]],
  ['number as command name', [ev('return redis.call(1)')]],
  ['KEYS and ARGV', [ev('return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}', '2', 'k1', 'k\xff2', 'a1', '')]],
  ['KEYS and ARGV empty', [ev('return {#KEYS, #ARGV}')]],
]

/** Every error path a script can take. */
const errors: Case[] = [
  ['unknown command', [ev("return redis.call('nosuch')")]],
  ['pcall unknown command', [ev("return redis.pcall('nosuch')")]],
  ['unknown subcommand', [ev("return redis.call('config','nosuch')")]],
  ['container without subcommand', [ev("return redis.call('config')")]],
  ['wrong arity', [ev("return redis.call('get')")]],
  ['pcall wrong arity', [ev("return redis.pcall('get')")]],
  ['command error', [['SET', 's', 'abc'], ev("return redis.call('incr','s')")]],
  ['command error in a nested function', [['SET', 's', 'abc'], ev("\nlocal function f()\n  return redis.call('incr','s')\nend\nreturn f()")]],
  ['pcall(redis.call) gives a string', [['SET', 's', 'abc'], ev("local ok, e = pcall(redis.call, 'incr', 's') return {type(e), e, tostring(ok)}")]],
  ['pcall of error({err=})', [ev("local ok, e = pcall(error, {err = 'q'}) return {type(e), e}")]],
  ['pcall of error({a=})', [ev('local ok, e = pcall(error, {a = 1}) return type(e)')]],
  ['xpcall handler sees the table', [ev("local ok, e = xpcall(function() error({err = 'q'}) end, function(m) return type(m) end) return e")]],
  ['noscript: MULTI', [ev("return redis.call('multi')")]],
  ['noscript: BLPOP', [ev("return redis.call('blpop','l','0')")]],
  ['noscript: SUBSCRIBE', [ev("return redis.call('subscribe','x')")]],
  ['noscript: CLIENT LIST', [ev("return redis.call('client','list')")]],
  ['noscript: EVAL', [ev("return redis.call('eval','return 1','0')")]],
  ['noscript: SCRIPT KILL', [ev("return redis.call('script','kill')")]],
  ['pcall noscript', [ev("return redis.pcall('blpop','l','0')")]],
  ['pcall unknown command: fields', [ev("local t = redis.pcall('nosuch') local r = {} for k, v in pairs(t) do r[#r + 1] = k .. '=' .. tostring(v) end table.sort(r) return r")]],
  ['pcall no arguments: fields', [ev("local t = redis.pcall() local r = {} for k, v in pairs(t) do r[#r + 1] = k .. '=' .. tostring(v) end table.sort(r) return r")]],
  ['pcall of a library error', [ev('local ok, e = pcall(redis.setresp, 4) return {tostring(ok), type(e), e}')]],
  ['pcall of rawset on _G', [ev("local ok, e = pcall(rawset, _G, 'x', 1) return {type(e), e}")]],
  ['error handler global', [ev("local t = __redis__err__handler('x') return t.err")]],
  ['XREAD with BLOCK refused', [ev("return redis.call('xread', 'block', '0', 'streams', 's', '$')")]],
  ['XREADGROUP with BLOCK refused', [ev("return redis.call('xreadgroup', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>')")]],
  ['XREAD without BLOCK runs', [['XADD', 's', '1-1', 'f', 'v'], ev("return redis.call('xread', 'count', '1', 'streams', 's', '0')")]],
  ['XADD from a script', [ev("return {redis.call('xadd', 's', '5-1', 'a', '1'), redis.call('xlen', 's')}")]],
  ['BLMPOP runs without blocking', [ev("return redis.call('blmpop','0','1','l','LEFT')")]],
  ['BZMPOP runs without blocking', [ev("return redis.call('bzmpop','0','1','z','MIN')")]],
  ['error(string)', [ev("error('boom')")]],
  ['error(string, 0)', [ev("error('boom', 0)")]],
  ['error(string, 2) in a function', [ev("local function f() error('deep', 2) end\nf()")]],
  ['error(number)', [ev('error(42)')]],
  ['error(nil)', [ev('error(nil)')]],
  ['error()', [ev('error()')]],
  ['error(true)', [ev('error(true)')]],
  ['error({err=})', [ev("error({err = 'tbl'})")]],
  ['error({err=number})', [ev('error({err = 5})')]],
  ['error with an error code', [ev("error('MYCODE custom', 0)")]],
  ['runtime error', [ev('local a = nil; return a.b')]],
  ['runtime error on line 3', [ev('local x = 1\nlocal y = 2\nreturn x + nil')]],
  ['arithmetic on a string', [ev("return 'a' + 1")]],
  ['call a nil', [ev('local f; f()')]],
  ['compile error', [ev('return 1 +')]],
  ['compile error on line 2', [ev('local x = 1\nx = = 2')]],
  ['compile error: unfinished string', [ev("return 'abc")]],
  ['numkeys not a number', [['EVAL', 'return 1', 'x']]],
  ['numkeys negative', [['EVAL', 'return 1', '-1']]],
  ['numkeys too large', [['EVAL', 'return 1', '2', 'a']]],
  ['EVAL wrong arity', [['EVAL', 'return 1']]],
  ['EVALSHA unknown', [['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0']]],
  ['EVALSHA short sha', [['EVALSHA', 'abc', '0']]],
  ['EVAL_RO write', [['EVAL_RO', "return redis.call('set','a','b')", '0']]],
  ['EVAL_RO read', [['SET', 'a', 'b'], ['EVAL_RO', "return redis.call('get','a')", '0']]],
  ['EVAL_RO pcall write', [['EVAL_RO', "return redis.pcall('set','a','b')", '0']]],
  ['shebang no-writes', [ev("#!lua flags=no-writes\nreturn redis.call('set','a','b')")]],
  ['shebang no-writes read', [['SET', 'a', 'b'], ev("#!lua flags=no-writes\nreturn redis.call('get','a')")]],
  ['shebang with write under EVAL_RO', [['EVAL_RO', "#!lua\nreturn redis.call('get','a')", '0']]],
  ['shebang no-writes under EVAL_RO', [['EVAL_RO', "#!lua flags=no-writes\nreturn 1", '0']]],
  ['shebang several flags', [ev('#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1')]],
  ['shebang empty flags', [ev('#!lua flags=\nreturn 1')]],
  ['shebang bad flag', [ev('#!lua flags=bogus\nreturn 1')]],
  ['shebang bad engine', [ev('#!py\nreturn 1')]],
  ['shebang bad option', [ev('#!lua x=1\nreturn 1')]],
  ['shebang line numbers', [ev('#!lua\nlocal x\nerror("here")')]],
  ['SELECT out of range', [ev("return redis.call('select', 100)")]],
]

/** The read-only sandbox. */
const sandbox: Case[] = [
  ['set a global', [ev('x = 1')]],
  ['set through _G', [ev('_G.x = 1')]],
  ['rawset _G', [ev("rawset(_G, 'x', 1)")]],
  ['setmetatable _G', [ev('setmetatable(_G, nil)')]],
  ['change _G metatable', [ev('getmetatable(_G).__index = nil')]],
  ['overwrite a global', [ev('string = 1')]],
  ['modify string library', [ev('string.x = 1')]],
  ['modify redis library', [ev('redis.call = nil')]],
  ['modify cjson library', [ev('cjson.x = 1')]],
  ['modify math library', [ev('math.pi = 3')]],
  ['modify table library', [ev("rawset(table, 'x', 1)")]],
  ['undefined global', [ev('return foo')]],
  ['undefined global through _G', [ev('return _G.foo')]],
  ['rawget of undefined global', [ev("return tostring(rawget(_G, 'foo'))")]],
  ['print is gone', [ev('print(1)')]],
  ['local table still writable', [ev('local t = {} t.x = 1 return t.x')]],
  ['globals', [ev('local t = {} for k in pairs(_G) do t[#t + 1] = k end table.sort(t) return t')]],
  ['redis library', [ev('local t = {} for k in pairs(redis) do t[#t + 1] = k end table.sort(t) return t')]],
  ['KEYS is not kept', [ev('return #KEYS', '1', 'a'), ev('return #KEYS')]],
  ['time stands still for expiry while a script runs', [ev(
    "redis.call('set', 'k', 'v', 'px', '1') local t0 = redis.call('time') " +
    "repeat local t = redis.call('time') until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 30000 " +
    "return redis.call('exists', 'k')")]],
  ['SELECT in a script leaves the caller in its database', [['SET', 'k', 'db0'], ev("redis.call('select', 1) redis.call('set', 'k', 'db1') return redis.call('get', 'k')"), ['GET', 'k']]],
]

/** The rest of the redis table. */
const library: Case[] = [
  ['sha1hex', [ev("return {redis.sha1hex(''), redis.sha1hex('abc')}")]],
  ['sha1hex number', [ev('return redis.sha1hex(1)')]],
  ['sha1hex no argument', [ev('return redis.sha1hex()')]],
  ['REDIS_VERSION', [ev('return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}')]],
  ['LOG constants', [ev('return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}')]],
  ['REPL constants', [ev('return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}')]],
  ['log', [ev("redis.log(redis.LOG_DEBUG, 'from a script') return 1")]],
  ['log one argument', [ev('redis.log(redis.LOG_DEBUG)')]],
  ['log bad level', [ev("redis.log(9, 'x')")]],
  ['log level not a number', [ev("redis.log('x', 'y')")]],
  ['set_repl', [ev('redis.set_repl(redis.REPL_ALL) return 1')]],
  ['set_repl bad', [ev('redis.set_repl(9)')]],
  ['replicate_commands', [ev('return redis.replicate_commands()')]],
  ['breakpoint and debug', [ev("return {redis.breakpoint(), redis.debug('x')}")]],
  ['acl_check_cmd', [ev("return redis.acl_check_cmd('get', 'k')")]],
  ['acl_check_cmd unknown', [ev("return redis.acl_check_cmd('nosuch')")]],
  ['status_reply bad', [ev('return redis.status_reply()')]],
  ['error_reply number', [ev('return redis.error_reply(1)')]],
]

/** SCRIPT and the cache. */
const script: Case[] = [
  ['LOAD then EVALSHA', [['SCRIPT', 'LOAD', 'return ARGV[1]'], ['EVALSHA', sha('return ARGV[1]'), '0', 'x'], ['EVALSHA', sha('return ARGV[2]'), '0']]],
  ['EVALSHA is case-insensitive', [['SCRIPT', 'LOAD', 'return 1'], ['EVALSHA', sha('return 1').toUpperCase(), '0']]],
  ['EVAL caches', [ev('return 2'), ['SCRIPT', 'EXISTS', sha('return 2'), sha('return 3'), sha('return 2').toUpperCase()]]],
  ['EVALSHA_RO refuses writes', [['SCRIPT', 'LOAD', "return redis.call('set','a','b')"], ['EVALSHA_RO', sha("return redis.call('set','a','b')"), '0']]],
  ['EVALSHA_RO reads', [['SET', 'a', 'b'], ['SCRIPT', 'LOAD', "return redis.call('get','a')"], ['EVALSHA_RO', sha("return redis.call('get','a')"), '0']]],
  ['LOAD compile error', [['SCRIPT', 'LOAD', 'return +']]],
  ['LOAD bad shebang', [['SCRIPT', 'LOAD', '#!lua flags=x\nreturn 1']]],
  ['FLUSH', [ev('return 3'), ['SCRIPT', 'EXISTS', sha('return 3')], ['SCRIPT', 'FLUSH'], ['SCRIPT', 'EXISTS', sha('return 3')], ['EVALSHA', sha('return 3'), '0'],
    // EVAL after the flush caches the script again, under its SHA1 too.
    ev('return 3'), ['SCRIPT', 'EXISTS', sha('return 3')], ['EVALSHA', sha('return 3'), '0']]],
  ['FLUSH ASYNC and SYNC', [['SCRIPT', 'FLUSH', 'ASYNC'], ['SCRIPT', 'FLUSH', 'sync']]],
  ['FLUSH bad', [['SCRIPT', 'FLUSH', 'maybe'], ['SCRIPT', 'FLUSH', 'SYNC', 'ASYNC']]],
  ['EXISTS arity', [['SCRIPT', 'EXISTS']]],
  ['KILL with nothing running', [['SCRIPT', 'KILL']]],
  ['DEBUG NO', [['SCRIPT', 'DEBUG', 'NO']]],
  ['DEBUG bad', [['SCRIPT', 'DEBUG', 'maybe']]],
  ['unknown subcommand', [['SCRIPT', 'NOSUCH']]],
  ['HELP', [['SCRIPT', 'HELP']]],
  ['EVAL in MULTI', [['MULTI'], ev("return redis.call('incr','n')"), ev('return {1, 2}'), ['EXEC']]],
  ['EVAL error in MULTI', [['MULTI'], ev("error('x')"), ['INCR', 'n'], ['EXEC']]],
]

/** Runs one case on fresh data on both servers; returns its mismatches, if any. */
async function runCase(respite: ReplyConnection, redis: ReplyConnection, name: string, steps: string[][]): Promise<string[]> {
  for (const c of [respite, redis]) {
    await c.call(['FLUSHALL'])
    await c.call(['SCRIPT', 'FLUSH'])
    await c.call(['SELECT', '0'])
  }
  const mismatches: string[] = []
  for (const step of steps) {
    const got = await respite.call(step)
    const want = await redis.call(step)
    if (got !== want) mismatches.push(`${name}: ${JSON.stringify(step)}\n  respite: ${JSON.stringify(got)}\n  redis:   ${JSON.stringify(want)}`)
  }
  return mismatches
}

describe.skipIf(skip !== null)('differential: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT LOAD, SCRIPT EXISTS, SCRIPT FLUSH, SCRIPT KILL, SCRIPT DEBUG and SCRIPT HELP against redis-server', () => {
  const pair = useRespiteAndRedis()
  const groups: [string, Case[]][] = [
    ['commands → Lua', toLua], ['Lua → reply', toReply], ['Lua → arguments', args], ['errors', errors],
    ['sandbox', sandbox], ['redis library', library], ['SCRIPT LOAD, SCRIPT EXISTS, SCRIPT FLUSH, SCRIPT KILL, SCRIPT DEBUG, SCRIPT HELP', script],
  ]
  for (const proto of [2, 3] as const) {
    for (const [group, cases] of groups) {
      it(`${group} (RESP${proto})`, async () => {
        const mismatches = await withConnections(pair.respite.port, pair.redis.port, proto, async (respite, redis) => {
          const found: string[] = []
          for (const [name, steps] of cases) found.push(...(await runCase(respite, redis, name, steps)))
          return found
        })
        expect(mismatches.join('\n')).toBe('')
      })
    }
  }
})
