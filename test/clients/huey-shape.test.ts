import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { pythonSkipReason, runPython } from '../helpers/python.js'
import { missingTool, startRedis, startRespite, type RedisProcess } from '../helpers/servers.js'

/**
 * Huey (a Python task queue) is not installable here, so this drives the shape of
 * its Redis storage from redis-py: tasks are LPUSHed and popped from the other end
 * (RPOP, or BRPOP when blocking), the schedule is a sorted set scored by run time
 * that a registered script empties of due tasks in one atomic call (ZRANGEBYSCORE
 * then ZREM of what it read), and results sit in a hash that another script reads
 * and deletes in one go. The scripts are written here, not taken from Huey.
 *
 * The same Python runs against respite and a real redis-server; their outputs must
 * be identical, and are also checked against the expected values.
 */

const SCRIPT = String.raw`
import json, sys, redis
r = redis.Redis(host='127.0.0.1', port=int(sys.argv[1]))
r.flushall()
out = {}
Q, S, R = 'huey.redis.q', 'huey.schedule.q', 'huey.results.q'

# Pop every task whose run time has come, atomically.
pop_due = r.register_script("""
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if #due > 0 then
  redis.call('ZREM', KEYS[1], unpack(due))
end
return due
""")
# Read a result and delete it in the same step.
pop_result = r.register_script("""
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then redis.call('HDEL', KEYS[1], ARGV[1]) end
return v
""")

# Enqueue and dequeue, FIFO through LPUSH/RPOP.
for i in range(5):
    r.lpush(Q, b'task-%d\x00\xff' % i)
out['qlen'] = r.llen(Q)
out['popped'] = [r.rpop(Q).hex() for _ in range(2)]
out['blocking'] = [x.hex() if isinstance(x, bytes) else x for x in r.brpop([Q], timeout=1)]
out['peek'] = [x.hex() for x in r.lrange(Q, 0, -1)]
out['flush_queue'] = r.delete(Q)
out['empty_pop'] = r.rpop(Q)
out['empty_brpop'] = r.brpop([Q], timeout=0.1)

# The schedule.
r.zadd(S, {b'late': 300.5, b'early': 100.25, b'mid': 200, b'mid2': 200})
out['none_due'] = pop_due(keys=[S], args=[50])
out['sha_loaded'] = r.script_exists(pop_due.sha)
out['due'] = pop_due(keys=[S], args=[200])
out['left'] = r.zrange(S, 0, -1, withscores=True)
out['due_again'] = pop_due(keys=[S], args=['200'])
out['due_float'] = pop_due(keys=[S], args=[300.5])
out['empty'] = r.exists(S)
# After SCRIPT FLUSH, redis-py's Script object reloads on NOSCRIPT by itself.
r.zadd(S, {b'x': 1})
r.script_flush()
out['after_flush'] = pop_due(keys=[S], args=[10])
# In a pipeline, redis-py loads the scripts first and sends EVALSHA.
r.zadd(S, {b'p1': 1, b'p2': 2})
p = r.pipeline()
pop_due(keys=[S], args=[1], client=p)
pop_due(keys=[S], args=[5], client=p)
out['pipeline'] = p.execute()

# Results.
r.hset(R, 'task-1', b'\x80pickled')
out['result'] = pop_result(keys=[R], args=['task-1'])
out['result_gone'] = pop_result(keys=[R], args=['task-1'])
out['results_left'] = r.hlen(R)

def enc(v):
    if isinstance(v, bytes): return {'b': v.hex()}
    if isinstance(v, (list, tuple)): return [enc(x) for x in v]
    return v
print(json.dumps({k: enc(v) for k, v in out.items()}, sort_keys=True))
`

const skipRedis = missingTool('redis-server')

describe.skipIf(pythonSkipReason !== null)('Huey-shaped queue and schedule from redis-py', () => {
  let respite: RunningServer
  let redis: RedisProcess | undefined
  beforeAll(async () => {
    respite = await startRespite()
    if (skipRedis === null) redis = await startRedis()
  })
  afterAll(async () => {
    await Promise.all([respite?.close(), redis?.stop()])
  })

  async function run(port: number): Promise<Record<string, unknown>> {
    const r = await runPython(SCRIPT, [String(port)])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    return JSON.parse(r.stdout)
  }
  const b = (s: string) => ({ b: Buffer.from(s, 'latin1').toString('hex') })

  it('pushes and pops tasks, and pops due tasks with a registered ZRANGEBYSCORE + ZREM script', async () => {
    const out = await run(respite.port)
    expect(out).toEqual({
      qlen: 5,
      popped: [b('task-0\x00\xff').b, b('task-1\x00\xff').b],
      blocking: [b('huey.redis.q').b, b('task-2\x00\xff').b],
      peek: [b('task-4\x00\xff').b, b('task-3\x00\xff').b],
      flush_queue: 1,
      empty_pop: null,
      empty_brpop: null,
      none_due: [],
      sha_loaded: [true],
      due: [b('early'), b('mid'), b('mid2')],
      left: [[b('late'), 300.5]],
      due_again: [],
      due_float: [b('late')],
      empty: 0,
      after_flush: [b('x')],
      pipeline: [[b('p1')], [b('p2')]],
      result: b('\x80pickled'),
      result_gone: null,
      results_left: 0,
    })
  })

  it.skipIf(skipRedis !== null)('answers exactly as redis-server does', async () => {
    const [ours, theirs] = await Promise.all([run(respite.port), run(redis!.port)])
    expect(ours).toEqual(theirs)
  })
})
