import { Redis } from 'ioredis'
import { createClient, WatchError } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { useRespite } from '../helpers/fixture.js'
import { python, runPython } from '../helpers/python.js'

/**
 * MULTI/EXEC and WATCH as client libraries use them: ioredis's multi() and pipelines,
 * node-redis v5's multi() and WATCH on a client of its own, and redis-py's
 * transactional pipelines with the WATCH retry loop, including a job queue in the
 * style of Huey (redis-py) with several consumers.
 */

const { respite: server } = await useRespite({ flush: false })
const port = server.port

describe('ioredis MULTI, EXEC, WATCH and pipelines', () => {
  const open: Redis[] = []
  const connect = (protocol: 2 | 3) => {
    const r = new Redis({ port, host: '127.0.0.1', ...(protocol === 2 ? { protocol: 2 } : {}) })
    open.push(r)
    return r
  }
  afterAll(() => {
    for (const r of open) r.disconnect()
  })

  for (const protocol of [3, 2] as const) {
    it(`multi().exec() answers [error, reply] pairs, runtime errors in their slot (RESP${protocol})`, async () => {
      const r = connect(protocol)
      const key = `io:tx:${protocol}`
      await r.del(key, `${key}:h`)
      const replies = await r.multi().set(key, 'text').get(key).incr(key).hset(`${key}:h`, 'f', '1').hgetall(`${key}:h`).exec()
      expect(replies![0]).toEqual([null, 'OK'])
      expect(replies![1]).toEqual([null, 'text'])
      expect(replies![2][0]).toBeInstanceOf(Error)
      expect((replies![2][0] as Error).message).toBe('ERR value is not an integer or out of range')
      expect(replies![3]).toEqual([null, 1])
      expect(replies![4]).toEqual([null, { f: '1' }])
    })

    it(`a queueing error rejects exec() with EXECABORT (RESP${protocol})`, async () => {
      const r = connect(protocol)
      const key = `io:abort:${protocol}`
      await r.del(key)
      const tx = r.multi().set(key, 'v').call('NOSUCHCOMMAND', 'x')
      await expect(tx.exec()).rejects.toThrow('EXECABORT Transaction discarded because of previous errors.')
      expect(await r.exists(key)).toBe(0)
    })

    it(`WATCH with a retry loop: EXEC answers null when another client changed the key, and the retry succeeds (RESP${protocol})`, async () => {
      const r = connect(protocol)
      const other = connect(protocol)
      const key = `io:watch:${protocol}`
      await r.set(key, '10')
      let attempts = 0
      for (;;) {
        attempts++
        await r.watch(key)
        const value = Number(await r.get(key))
        // The first attempt loses the race to another client.
        if (attempts === 1) await other.incrby(key, 5)
        const result = await r.multi().set(key, String(value * 2)).exec()
        if (result !== null) break
      }
      expect(attempts).toBe(2)
      expect(await r.get(key)).toBe('30')
    })
  }

  it('pipelines mixing MULTI/EXEC with plain commands keep each reply in order', async () => {
    const r = connect(3)
    await r.del('io:p', 'io:q')
    const replies = await r.pipeline([['set', 'io:p', '1'], ['multi'], ['incr', 'io:p'], ['incr', 'io:q'], ['exec'], ['get', 'io:p']]).exec()
    expect(replies).toEqual([[null, 'OK'], [null, 'OK'], [null, 'QUEUED'], [null, 'QUEUED'], [null, [2, 1]], [null, '2']])
  })

  it('many concurrent WATCH/MULTI/EXEC increments on separate connections lose no update', async () => {
    const clients = [connect(3), connect(2), connect(3), connect(2)]
    await clients[0].set('io:counter', '0')
    await Promise.all(clients.map(async (r) => {
      for (let i = 0; i < 25; i++) {
        for (;;) {
          await r.watch('io:counter')
          const n = Number(await r.get('io:counter'))
          const done = await r.multi().set('io:counter', String(n + 1)).exec()
          if (done !== null) break
        }
      }
    }))
    expect(await clients[0].get('io:counter')).toBe('100')
  })
})

describe('node-redis v5 MULTI, EXEC and WATCH', () => {
  for (const RESP of [2, 3] as const) {
    it(`multi().exec() returns the replies; WATCH on a client of its own throws WatchError after another client's write (RESP${RESP})`, async () => {
      const c = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, RESP })
      c.on('error', () => {})
      await c.connect()
      // WATCH state belongs to a connection, so the watching code gets its own.
      const isolated = c.duplicate()
      isolated.on('error', () => {})
      await isolated.connect()
      try {
        const key = `nr:tx:${RESP}`
        await c.del(key)
        expect(await c.multi().set(key, '1').incr(key).get(key).exec()).toEqual(['OK', 2, '2'])

        await isolated.watch(key)
        await c.set(key, 'changed')
        await expect(isolated.multi().set(key, 'mine').exec()).rejects.toBeInstanceOf(WatchError)
        expect(await c.get(key)).toBe('changed')

        await isolated.watch(key)
        expect(await isolated.multi().set(key, 'mine').exec()).toEqual(['OK'])
        expect(await c.get(key)).toBe('mine')
      } finally {
        isolated.destroy()
        c.destroy()
      }
    })
  }
})

/** redis-py's documented WATCH pattern: transactional pipelines retried on WatchError. */
const WATCH_SCRIPT = String.raw`
import json, sys, threading, redis
port = int(sys.argv[1])
out = {}
r = redis.Redis(host='127.0.0.1', port=port, decode_responses=True)
r.delete('py:tx', 'py:counter', 'py:err')

with r.pipeline(transaction=True) as p:
    p.set('py:tx', 'a'); p.append('py:tx', 'b'); p.get('py:tx')
    out['tx'] = p.execute()

r.set('py:err', 'text')
with r.pipeline(transaction=True) as p:
    p.incr('py:err'); p.get('py:err')
    out['runtime'] = [str(x) if isinstance(x, Exception) else x for x in p.execute(raise_on_error=False)]

attempts = 0
with r.pipeline() as p:
    while True:
        attempts += 1
        try:
            p.watch('py:counter')
            n = int(p.get('py:counter') or 0)
            if attempts == 1:
                r.set('py:counter', 100)
            p.multi()
            p.set('py:counter', n + 1)
            p.execute()
            break
        except redis.WatchError:
            continue
out['attempts'] = attempts
out['after_retry'] = r.get('py:counter')

def worker():
    c = redis.Redis(host='127.0.0.1', port=port, decode_responses=True)
    def incr(pipe):
        n = int(pipe.get('py:counter'))
        pipe.multi()
        pipe.set('py:counter', n + 1)
    for _ in range(50):
        c.transaction(incr, 'py:counter')
threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
out['counter'] = r.get('py:counter')
print(json.dumps(out))
`

/**
 * A job queue as Huey drives Redis: enqueue in a transactional pipeline (LPUSH plus
 * task metadata in a hash), consumers waiting in BRPOP with a timeout, scheduled tasks
 * in a sorted set moved to the queue by whichever scheduler's ZREM wins, SET NX EX
 * locks, HINCRBY counters, and result bookkeeping with HDEL/DEL in transactions.
 * Every task must run exactly once.
 */
const HUEY_SCRIPT = String.raw`
import json, sys, threading, time, redis
port = int(sys.argv[1])
TASKS, SCHEDULED, CONSUMERS, SCHEDULERS = 120, 40, 5, 2
r = redis.Redis(host='127.0.0.1', port=port, decode_responses=True)
r.delete('huey.queue', 'huey.schedule', 'huey.meta', 'huey.runs', 'huey.stats', 'huey.results')

def enqueue(conn, task_id):
    with conn.pipeline(transaction=True) as p:
        p.hset('huey.meta', task_id, json.dumps({'id': task_id}))
        p.lpush('huey.queue', task_id)
        p.execute()

for i in range(TASKS):
    enqueue(r, 't%d' % i)
now = time.time()
with r.pipeline(transaction=True) as p:
    for i in range(SCHEDULED):
        # Half are due already, half a little later.
        p.zadd('huey.schedule', {'s%d' % i: now - 1 if i % 2 == 0 else now + 0.05})
        p.hset('huey.meta', 's%d' % i, json.dumps({'id': 's%d' % i}))
    p.execute()

total = TASKS + SCHEDULED
done = threading.Event()
consumed = [[] for _ in range(CONSUMERS)]
errors = []

def scheduler():
    c = redis.Redis(host='127.0.0.1', port=port, decode_responses=True)
    while not done.is_set():
        for task_id in c.zrangebyscore('huey.schedule', '-inf', time.time()):
            # Only the scheduler whose ZREM removes the task enqueues it.
            if c.zrem('huey.schedule', task_id) == 1:
                c.lpush('huey.queue', task_id)
        if c.zcard('huey.schedule') == 0:
            return
        time.sleep(0.01)

def consumer(n):
    c = redis.Redis(host='127.0.0.1', port=port, decode_responses=True)
    try:
        while not done.is_set():
            item = c.brpop('huey.queue', timeout=1)
            if item is None:
                continue
            task_id = item[1]
            if not c.set('huey.lock.' + task_id, str(n), nx=True, ex=30):
                errors.append('lock taken twice: ' + task_id)
                continue
            consumed[n].append(task_id)
            c.hincrby('huey.runs', task_id, 1)
            c.hincrby('huey.stats', 'executed', 1)
            with c.pipeline(transaction=True) as p:
                p.hdel('huey.meta', task_id)
                p.hset('huey.results', task_id, 'ok')
                p.delete('huey.lock.' + task_id)
                p.execute()
            if int(c.hget('huey.stats', 'executed')) >= total:
                done.set()
    except Exception as e:
        errors.append(repr(e))
        done.set()

threads = [threading.Thread(target=scheduler) for _ in range(SCHEDULERS)]
threads += [threading.Thread(target=consumer, args=(n,)) for n in range(CONSUMERS)]
for t in threads: t.start()
for t in threads: t.join()
runs = r.hgetall('huey.runs')
print(json.dumps({
    'total': total,
    'consumed': sorted(x for xs in consumed for x in xs),
    'consumers_used': sum(1 for xs in consumed if xs),
    'runs': sorted(set(runs.values())),
    'run_count': len(runs),
    'meta_left': r.hlen('huey.meta'),
    'results': r.hlen('huey.results'),
    'queue_left': r.llen('huey.queue'),
    'schedule_left': r.zcard('huey.schedule'),
    'locks_left': len(r.keys('huey.lock.*')),
    'errors': errors,
}))
`

describe.skipIf(python === null)('redis-py transactions: pipeline(transaction=True), MULTI/EXEC and WATCH', () => {
  it('transactional pipelines, runtime errors in place, and the WATCH retry loop (one forced WatchError, 4 threads x 50 increments)', async () => {
    const r = await runPython(WATCH_SCRIPT, [String(port)])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      tx: [true, 2, 'ab'],
      runtime: ['value is not an integer or out of range', 'text'],
      attempts: 2,
      after_retry: '101',
      counter: '301',
    })
  })

  it('a Huey-style job queue: LPUSH/HSET in MULTI, BRPOP consumers, ZADD/ZRANGEBYSCORE/ZREM scheduling, SET NX EX locks, HINCRBY; every task runs exactly once', async () => {
    const r = await runPython(HUEY_SCRIPT, [String(port)])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    const expected = [...Array.from({ length: 120 }, (_, i) => `t${i}`), ...Array.from({ length: 40 }, (_, i) => `s${i}`)].sort()
    expect(out.errors).toEqual([])
    expect(out.consumed).toEqual(expected)
    expect(out.runs).toEqual(['1'])
    expect(out.run_count).toBe(160)
    expect(out.consumers_used).toBeGreaterThan(1)
    expect(out).toMatchObject({ meta_left: 0, results: 160, queue_left: 0, schedule_left: 0, locks_left: 0 })
  })
})
