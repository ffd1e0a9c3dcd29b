// The Lua workloads of the benchmark: scripts loaded with SCRIPT LOAD on every server
// and run by redis-benchmark as EVALSHA, or loaded as a function with FUNCTION LOAD and
// run as FCALL. Both are written for this benchmark.
import { createHash } from 'node:crypto'
import { cli } from './servers.mjs'

function script(body, keys, args) {
  return { body, sha: createHash('sha1').update(body).digest('hex'), keys, args }
}

/** Two INCRs: the cost of a script call itself, nearly all overhead. */
export const INCR2 = script(
  `redis.call('INCR', KEYS[1])
return redis.call('INCR', KEYS[2])`,
  ['bench:lua:a', 'bench:lua:b'],
  [],
)

/**
 * The shape of a job queue's "add a job, take it, finish it" scripts (BullMQ's
 * addStandardJob / moveToActive / moveToFinished): 20 redis.call's over a counter,
 * two lists, two sorted sets and two hashes, reading replies of each type. Sizes stay
 * bounded: the job goes in and out of the lists and the priority set, and the
 * completed set is trimmed to 100.
 */
export const BULLMQ_LIKE = script(
  `local id = redis.call('INCR', KEYS[5])
redis.call('HSET', KEYS[3], 'name', 'job', 'data', ARGV[2], 'timestamp', ARGV[1])
redis.call('HINCRBY', KEYS[3], 'attemptsStarted', 1)
local paused = redis.call('HGET', KEYS[6], 'paused')
local concurrency = redis.call('HGET', KEYS[6], 'concurrency')
redis.call('LPUSH', KEYS[1], id)
redis.call('ZADD', KEYS[4], id % 16, id)
local waiting = redis.call('LLEN', KEYS[1])
local jobId = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[4], jobId)
redis.call('HSET', KEYS[3], 'processedOn', ARGV[1], 'token', ARGV[2])
if redis.call('EXISTS', KEYS[3]) == 1 then
  local data = redis.call('HGET', KEYS[3], 'data')
end
redis.call('LREM', KEYS[2], -1, jobId)
redis.call('ZADD', KEYS[7], ARGV[1], jobId)
local done = redis.call('ZCARD', KEYS[7])
if done > 100 then redis.call('ZREMRANGEBYRANK', KEYS[7], 0, done - 101) end
redis.call('HSET', KEYS[3], 'finishedOn', ARGV[1], 'returnvalue', '"ok"')
redis.call('HDEL', KEYS[3], 'token')
return {jobId, redis.call('HGET', KEYS[3], 'attemptsStarted')}`,
  ['bench:lua:wait', 'bench:lua:active', 'bench:lua:job', 'bench:lua:prio', 'bench:lua:id', 'bench:lua:meta', 'bench:lua:completed'],
  ['1700000000000', 'token-0123456789'],
)

/**
 * The same script as a Redis function `name`, for FCALL: its body runs unchanged with
 * KEYS and ARGV as the function's parameters.
 */
export function asFunction(s, name) {
  const library = `#!lua name=${name}_lib\nredis.register_function('${name}', function(KEYS, ARGV)\n${s.body}\nend)`
  return { ...s, function: name, library }
}

/** The command redis-benchmark sends for a script workload: EVALSHA, or FCALL for a function. */
export function scriptCommand(s) {
  const call = s.function !== undefined ? ['FCALL', s.function] : ['EVALSHA', s.sha]
  return [...call, String(s.keys.length), ...s.keys, ...s.args]
}

/**
 * Loads the script on a server and runs it once; resolves to null when it works, or
 * the reason it cannot be benchmarked there.
 */
export function loadScript(port, s) {
  if (s.library !== undefined) {
    const lib = cli(port, ['-x', 'FUNCTION', 'LOAD', 'REPLACE'], s.library).trim()
    if (lib !== `${s.function}_lib`) return `FUNCTION LOAD answered ${lib.slice(0, 200)}`
  } else {
    const sha = cli(port, ['-x', 'SCRIPT', 'LOAD'], s.body).trim()
    if (sha !== s.sha) return `SCRIPT LOAD answered ${sha.slice(0, 200)}`
  }
  const command = scriptCommand(s)
  const reply = cli(port, command)
  if (/^(ERR|NOSCRIPT|WRONGTYPE)/m.test(reply)) return `${command[0]} answered ${reply.trim().slice(0, 200)}`
  return null
}
