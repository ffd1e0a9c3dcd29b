import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { call, useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * EVAL, EVALSHA, their _RO forms and SCRIPT, sent to respite and to a real
 * redis-server on fresh connections: every raw reply must be the same. These pin
 * the paths EVALSHA takes on every call (the SHA1 lookup, KEYS and ARGV, the
 * arguments of redis.call, the reply both ways) so they can be made cheaper without
 * changing what a client sees.
 */

const sha1 = (s: string) => createHash('sha1').update(s, 'latin1').digest('hex')
const skipRedis = missingTool('redis-server')

const RET_ARGS = 'return {#KEYS, #ARGV, KEYS[1], ARGV[1], KEYS[#KEYS], ARGV[#ARGV]}'
const MUTATE = "table.insert(KEYS, 'extra'); KEYS[1] = 'changed'; ARGV[9] = 'x'; return {#KEYS, KEYS[1], #ARGV}"

describe.skipIf(skipRedis !== null)('scripting, differential against redis-server', () => {
  const pair = useRespiteAndRedis()

  async function same(...commands: string[][]): Promise<string[]> {
    const [ours, theirs] = await Promise.all([call(pair.respite.port, ['FLUSHALL'], ['SCRIPT', 'FLUSH'], ...commands), call(pair.redis.port, ['FLUSHALL'], ['SCRIPT', 'FLUSH'], ...commands)])
    expect(ours).toEqual(theirs)
    return ours.slice(2)
  }

  /** As same(), on a connection switched to RESP3 first (HELLO's own reply differs, so it is left out). */
  async function same3(...commands: string[][]): Promise<void> {
    const [ours, theirs] = await Promise.all([call(pair.respite.port, ['HELLO', '3'], ...commands), call(pair.redis.port, ['HELLO', '3'], ...commands)])
    expect(ours.slice(1)).toEqual(theirs.slice(1))
  }

  it('EVALSHA finds a loaded script by its SHA1 in either case, and answers NOSCRIPT otherwise', async () => {
    const body = 'return ARGV[1]'
    const sha = sha1(body)
    const replies = await same(
      ['EVALSHA', sha, '0', 'x'],
      ['SCRIPT', 'LOAD', body],
      ['EVALSHA', sha, '0', 'lower'],
      ['EVALSHA', sha.toUpperCase(), '0', 'upper'],
      ['EVALSHA', sha.slice(0, 20).toUpperCase() + sha.slice(20), '0', 'mixed'],
      ['EVALSHA', sha.slice(0, 39), '0', 'short'],
      ['EVALSHA', sha + 'a', '0', 'long'],
      ['EVALSHA_RO', sha.toUpperCase(), '0', 'ro'],
      ['SCRIPT', 'EXISTS', sha, sha.toUpperCase(), sha1('nope')],
    )
    expect(replies.slice(2, 5)).toEqual(['$5\r\nlower\r\n', '$5\r\nupper\r\n', '$5\r\nmixed\r\n'])
  })

  it('EVAL and EVALSHA split KEYS and ARGV by numkeys, and refuse bad counts', async () => {
    const sha = sha1(RET_ARGS)
    await same(
      ['SCRIPT', 'LOAD', RET_ARGS],
      ['EVAL', RET_ARGS, '0'],
      ['EVAL', RET_ARGS, '0', 'a', 'b'],
      ['EVAL', RET_ARGS, '2', 'k1', 'k2'],
      ['EVAL', RET_ARGS, '1', 'k1', 'a1', 'a2', 'a3'],
      ['EVALSHA', sha, '3', 'k1', 'k2', 'k3', 'a1'],
      ['EVALSHA', sha, '-1', 'k1'],
      ['EVALSHA', sha, '3', 'k1', 'k2'],
      ['EVALSHA', sha, 'x', 'k1'],
      ['EVAL', RET_ARGS, '1'],
    )
  })

  it('EVALSHA gives every call fresh KEYS and ARGV tables, whatever the last call did to them', async () => {
    const sha = sha1(MUTATE)
    await same(
      ['SCRIPT', 'LOAD', MUTATE],
      ['EVALSHA', sha, '2', 'a', 'b', 'x'],
      ['EVALSHA', sha, '2', 'a', 'b', 'x'],
      ['EVALSHA', sha, '1', 'a'],
      ['EVAL', 'return {#KEYS, #ARGV}', '0'],
      ['EVAL', "KEYS = {}", '0'],
    )
  })

  it('EVAL passes redis.call arguments as Redis does: numbers printed with %.17g, others refused', async () => {
    await same(
      ['EVAL', "redis.call('SET', KEYS[1], 42); return redis.call('GET', KEYS[1])", '1', 'k'],
      ['EVAL', "redis.call('SET', KEYS[1], 0.1); return redis.call('GET', KEYS[1])", '1', 'k'],
      ['EVAL', "redis.call('SET', KEYS[1], -0); return redis.call('GET', KEYS[1])", '1', 'k'],
      ['EVAL', "redis.call('SET', KEYS[1], 1e20); return redis.call('GET', KEYS[1])", '1', 'k'],
      ['EVAL', "redis.call('SET', KEYS[1], -3.5); return redis.call('GET', KEYS[1])", '1', 'k'],
      ['EVAL', "return redis.call('SET', KEYS[1], true)", '1', 'k'],
      ['EVAL', "return redis.call('SET', KEYS[1], nil, 'x')", '1', 'k'],
      ['EVAL', "return redis.call('SET', KEYS[1], {})", '1', 'k'],
      ['EVAL', "return redis.pcall('SET', KEYS[1], true)", '1', 'k'],
      ['EVAL', 'return redis.call()', '0'],
      // The table unpacked into redis.call keeps its number: only the call's own arguments become strings.
      ['EVAL', "local t = {'SET', KEYS[1], 7}; redis.call(unpack(t)); return {type(t[3]), t[3] + 1, redis.call('GET', KEYS[1])}", '1', 'k'],
      ['EVAL', "local a = {'INCRBY', KEYS[1], 5}; local r = redis.call(a[1], a[2], a[3]); return {r, type(a[3])}", '1', 'n'],
    )
  })

  it('EVAL and EVALSHA convert replies both ways and name the script in errors', async () => {
    const failing = "redis.call('SET', KEYS[1], 'v')\nreturn redis.call('INCR', KEYS[1])"
    await same(
      ['EVAL', "redis.call('RPUSH', KEYS[1], 'a', 'b'); redis.call('HSET', KEYS[2], 'f', 'v'); return {redis.call('LRANGE', KEYS[1], 0, -1), redis.call('HGETALL', KEYS[2]), redis.call('GET', 'nokey'), redis.call('SET', 'x', 'y'), redis.call('TYPE', KEYS[1]), 3.99, -2.5}", '2', 'l', 'h'],
      ['EVAL', "return redis.call('NOSUCH')", '0'],
      ['EVAL', "return redis.pcall('NOSUCH')", '0'],
      ['EVAL', failing, '1', 'k'],
      ['SCRIPT', 'LOAD', failing],
      ['EVALSHA', sha1(failing), '1', 'k'],
      ['EVAL', "return redis.call('GET')", '0'],
      ['EVAL', "return redis.call('EVAL', 'return 1', '0')", '0'],
      ['EVAL', "return {err='My Error'}", '0'],
      ['EVAL', "return redis.error_reply('E2 bad')", '0'],
      ['EVAL', "return redis.status_reply('FINE')", '0'],
      ['EVAL', "error('raised')", '0'],
      ['EVAL', 'return nosuchglobal', '0'],
    )
  })

  it('EVAL turns Lua numbers into integers as C does on x86-64: truncated, exact past 2^53, INT64_MIN when out of range', async () => {
    const values = ['3.7', '-3.7', '-0.5', '2^53 + 1', '2^62', '4611686018427387904 * 1.5', '2^63', '-2^63', '1e19', '-1e19', '0/0', '-(0/0)', '1/0', '-1/0']
    await same(...values.map((v) => ['EVAL', `return {${v}}`, '0']), ['EVAL', 'return 2^62', '0'])
  })

  it("EVAL gives booleans in the script's protocol (redis.setresp), everything else in the client's", async () => {
    const scripts = [
      'return true', 'return false', 'return {true, false, 1}',
      'redis.setresp(3); return true', 'redis.setresp(3); return {true, false}',
      'redis.setresp(3); return redis.call("HGETALL", KEYS[1])', 'redis.setresp(3); return redis.call("ZSCORE", KEYS[2], "m")',
      'return {double = 1.5}', 'return {map = {a = 1}}', 'return {set = {a = true}}', 'return nil',
    ]
    const setup: string[][] = [['DEL', 'h', 'z'], ['HSET', 'h', 'f', 'v'], ['ZADD', 'z', '2.5', 'm']]
    const runs = scripts.map((body) => ['EVAL', body, '2', 'h', 'z'])
    await same(...setup, ...runs)
    await same3(...setup, ...runs)
  })

  it('EVAL: redis.error_reply makes Redis\'s error text, and the redis library raises its own errors as Redis does', async () => {
    await same(
      ...["'NOSPACE'", "'-NOSPACE'", "'-X y'", "'E2 bad'", "'a\\r\\n'", "'ERR a\\r\\n'", "''", "'-'", "' x'", '1', ''].map((a) => ['EVAL', `return redis.error_reply(${a})`, '0']),
      ['EVAL', "return redis.error_reply('NOSPACE').err", '0'],
      ['EVAL', 'return type(redis.status_reply())', '0'],
      ['EVAL', 'return redis.status_reply(1)', '0'],
      ['EVAL', 'return redis.sha1hex()', '0'],
      ['EVAL', 'return redis.sha1hex({})', '0'],
      ['EVAL', 'return redis.sha1hex(12)', '0'],
      ['EVAL', 'return redis.log()', '0'],
      ['EVAL', "return redis.log('x', 'y')", '0'],
      ['EVAL', "return redis.log(9, 'y')", '0'],
      ['EVAL', 'return redis.setresp(4)', '0'],
      ['EVAL', 'return redis.setresp()', '0'],
      ['EVAL', 'return redis.set_repl(9)', '0'],
      ['EVAL', 'return redis.set_repl()', '0'],
      ['EVAL', "return redis.acl_check_cmd('nope')", '0'],
      ['EVAL', 'return redis.acl_check_cmd()', '0'],
      ['EVAL', 'local ok, e = pcall(redis.setresp, 5); return e', '0'],
    )
  })

  it('EVAL holds the time keys expire against at its start: a key set to expire in 1 ms lives until the script ends', async () => {
    // Spins on TIME (real time, in Redis too) for 5 ms after setting the key.
    const spin = "local t = redis.call('TIME'); while true do local n = redis.call('TIME'); if n[1] ~= t[1] or tonumber(n[2]) - tonumber(t[2]) > 5000 then break end end"
    const replies = await same(
      ['EVAL', `redis.call('SET', KEYS[1], 'v', 'PX', 1); ${spin}; return {redis.call('EXISTS', KEYS[1]), redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]) <= 1}`, '1', 'k'],
      ['EVAL', `${spin}; return redis.call('EXISTS', KEYS[1])`, '1', 'k'],
      ['EXISTS', 'k'],
    )
    expect(replies).toEqual(['*3\r\n:1\r\n$1\r\nv\r\n:1\r\n', ':0\r\n', ':0\r\n'])
  })

  it('EVAL_RO and EVALSHA_RO refuse writes; SCRIPT LOAD, SCRIPT EXISTS, SCRIPT FLUSH, SCRIPT KILL, SCRIPT DEBUG NO and SCRIPT HELP', async () => {
    const write = "return redis.call('SET', KEYS[1], 'v')"
    await same(
      ['EVAL_RO', write, '1', 'k'],
      ['EVAL_RO', "return redis.call('GET', KEYS[1])", '1', 'k'],
      ['SCRIPT', 'LOAD', write],
      ['EVALSHA_RO', sha1(write), '1', 'k'],
      ['SCRIPT', 'EXISTS', sha1(write), sha1('x')],
      ['SCRIPT', 'FLUSH', 'ASYNC'],
      ['SCRIPT', 'EXISTS', sha1(write)],
      ['SCRIPT', 'FLUSH', 'bad'],
      ['SCRIPT', 'LOAD', 'return +'],
      ['SCRIPT', 'KILL'],
      ['SCRIPT', 'DEBUG', 'NO'],
      ['SCRIPT', 'HELP'],
    )
  })
})
