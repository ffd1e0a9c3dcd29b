import { FlowProducer, Queue, QueueEvents, Worker, type ConnectionOptions, type Job } from 'bullmq'
import * as bullmqScripts from 'bullmq/dist/esm/scripts/index.js'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { missingTool, startRedis, startRespite, type RedisProcess } from '../helpers/servers.js'

/**
 * BullMQ end to end: Queue, Worker, QueueEvents and FlowProducer on one server.
 *
 * The same suite runs twice: against the real redis-server, which proves the tests
 * themselves are right, and against respite. BullMQ's Lua scripts XADD an event on
 * nearly every operation and QueueEvents reads them with XREAD BLOCK, so this is
 * scripting and streams together. Below, every BullMQ script is also compiled on our
 * Lua engine under the SHA1 Redis gives it.
 */

const skipRedis = missingTool('redis-server')

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Everything one test opened, closed at its end (workers first, so none is left blocked). */
class Opened {
  private workers: Worker[] = []
  private others: { close(): Promise<unknown> }[] = []
  constructor(private readonly connection: ConnectionOptions) {}
  private n = 0
  name(tag: string): string {
    return `${tag}-${process.pid}-${Date.now()}-${this.n++}`
  }
  queue(name: string): Queue {
    const q = new Queue(name, { connection: this.connection })
    this.others.push(q)
    return q
  }
  worker(name: string, fn: (job: Job) => Promise<unknown>, opts: Record<string, unknown> = {}): Worker {
    // A short drainDelay keeps the blocking BZPOPMIN short, so close() is quick.
    const w = new Worker(name, fn, { connection: this.connection, drainDelay: 1, ...opts })
    w.on('error', () => {})
    this.workers.push(w)
    return w
  }
  async events(name: string): Promise<QueueEvents> {
    const e = new QueueEvents(name, { connection: this.connection })
    this.others.push(e)
    await e.waitUntilReady()
    return e
  }
  flow(): FlowProducer {
    const f = new FlowProducer({ connection: this.connection })
    this.others.push(f)
    return f
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.close(true)))
    await Promise.all(this.others.splice(0).map((o) => o.close()))
  }
}

/** Resolves after `n` 'completed' events of `worker`, with the jobs in completion order. */
function completions(worker: Worker, n: number, timeoutMs = 15_000): Promise<Job[]> {
  return new Promise((resolve, reject) => {
    const done: Job[] = []
    const timer = setTimeout(() => reject(new Error(`only ${done.length} of ${n} jobs completed`)), timeoutMs)
    worker.on('completed', (job) => {
      done.push(job)
      if (done.length === n) {
        clearTimeout(timer)
        resolve(done)
      }
    })
  })
}

function bullmqSuite(getPort: () => number): void {
  let open: Opened
  beforeAll(() => {
    open = new Opened({ host: '127.0.0.1', port: getPort() })
  })
  const run = (what: string, fn: () => Promise<void>) =>
    it(what, async () => {
      try {
        await fn()
      } finally {
        await open.close()
      }
    })

  run('processes a job and reports its result through QueueEvents and waitUntilFinished', async () => {
    const name = open.name('basic')
    const queue = open.queue(name)
    const events = await open.events(name)
    const completed = new Promise<{ jobId: string; returnvalue: unknown }>((r) => events.once('completed', r))
    const job = await queue.add('double', { x: 21 })
    expect(await job.getState()).toBe('waiting')
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 })
    open.worker(name, async (j) => j.data.x * 2)
    expect(await job.waitUntilFinished(events, 10_000)).toBe(42)
    const ev = await completed
    expect(ev.jobId).toBe(job.id)
    expect(String(ev.returnvalue)).toBe('42')
    const fetched = (await queue.getJob(job.id!))!
    expect(fetched.returnvalue).toBe(42)
    expect(fetched.finishedOn).toBeGreaterThanOrEqual(fetched.processedOn!)
    expect(await fetched.getState()).toBe('completed')
    expect(await queue.getJobCounts('completed', 'waiting', 'active')).toEqual({ completed: 1, waiting: 0, active: 0 })
  })

  run('takes prioritized jobs lowest number first, after plain waiting jobs', async () => {
    const name = open.name('prio')
    const queue = open.queue(name)
    await queue.add('p3', {}, { priority: 3 })
    await queue.add('plain', {})
    await queue.add('p1', {}, { priority: 1 })
    await queue.add('p2', {}, { priority: 2 })
    await queue.add('p1b', {}, { priority: 1 })
    expect(await queue.getJobCounts('prioritized', 'waiting')).toEqual({ prioritized: 4, waiting: 1 })
    expect(await queue.getCountsPerPriority([1, 2, 3])).toEqual({ '1': 2, '2': 1, '3': 1 })
    const order: string[] = []
    const w = open.worker(name, async (j) => void order.push(j.name), { concurrency: 1 })
    await completions(w, 5)
    expect(order).toEqual(['plain', 'p1', 'p1b', 'p2', 'p3'])
  })

  run('holds a delayed job until its delay has passed, and promote() releases one early', async () => {
    const name = open.name('delay')
    const queue = open.queue(name)
    const events = await open.events(name)
    const delayed = await queue.add('later', {}, { delay: 400 })
    const promoted = await queue.add('promoted', {}, { delay: 60_000 })
    expect(await delayed.getState()).toBe('delayed')
    expect(await queue.getJobCounts('delayed')).toEqual({ delayed: 2 })
    const w = open.worker(name, async () => 'ok')
    const done = completions(w, 2)
    await promoted.promote()
    expect(await promoted.waitUntilFinished(events, 10_000)).toBe('ok')
    expect(await delayed.getState()).toBe('delayed')
    const jobs = await done
    const later = jobs.find((j) => j.name === 'later')!
    expect(later.processedOn! - later.timestamp).toBeGreaterThanOrEqual(400)
  })

  run('retries a failing job with fixed and exponential backoff, then fails it for good', async () => {
    const name = open.name('retry')
    const queue = open.queue(name)
    const attempts: Record<string, number[]> = { fixed: [], exp: [], doomed: [] }
    const w = open.worker(name, async (j) => {
      attempts[j.name].push(Date.now())
      if (j.name === 'doomed' || j.attemptsMade < 2) throw new Error(`fail ${j.attemptsMade}`)
      return j.attemptsMade
    })
    const failed = new Promise<[Job | undefined, Error]>((r) => w.on('failed', (j, e) => j?.name === 'doomed' && j.attemptsMade === 2 && r([j, e])))
    const done = completions(w, 2)
    await queue.add('fixed', {}, { attempts: 3, backoff: { type: 'fixed', delay: 150 } })
    await queue.add('exp', {}, { attempts: 3, backoff: { type: 'exponential', delay: 100 } })
    await queue.add('doomed', {}, { attempts: 2, backoff: 50 })
    const jobs = await done
    for (const j of jobs) {
      expect(j.returnvalue).toBe(2)
      expect(j.attemptsMade).toBe(3)
    }
    const [fixed, exp] = [attempts.fixed, attempts.exp]
    expect(fixed).toHaveLength(3)
    expect(fixed[1] - fixed[0]).toBeGreaterThanOrEqual(150 - 5)
    expect(fixed[2] - fixed[1]).toBeGreaterThanOrEqual(150 - 5)
    // Exponential: 100 ms, then 200 ms.
    expect(exp[1] - exp[0]).toBeGreaterThanOrEqual(100 - 5)
    expect(exp[2] - exp[1]).toBeGreaterThanOrEqual(200 - 5)
    const [doomed, err] = await failed
    expect(err.message).toBe('fail 1')
    expect(doomed!.failedReason).toBe('fail 1')
    expect(await doomed!.getState()).toBe('failed')
    expect(await queue.getJobCounts('failed', 'completed')).toEqual({ failed: 1, completed: 2 })
    // A failed job can be retried by hand.
    await doomed!.retry()
    expect(['waiting', 'active', 'failed', 'completed']).toContain(await doomed!.getState())
  })

  run('rate-limits a worker to max jobs per duration', async () => {
    const name = open.name('limit')
    const queue = open.queue(name)
    await queue.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: `j${i}`, data: {} })))
    const started: number[] = []
    const w = open.worker(name, async () => void started.push(Date.now()), { limiter: { max: 2, duration: 400 }, concurrency: 4 })
    await completions(w, 6)
    started.sort((a, b) => a - b)
    // Two per 400 ms. The limiter's windows start when BullMQ moves a job, not when the
    // processor (this clock) sees it, so two windows' pairs may start close together at
    // a window boundary (seen against redis-server itself on a loaded machine); but no
    // 380 ms holds more than four starts, which an unlimited worker would break at once.
    for (let i = 4; i < started.length; i++) expect(started[i] - started[i - 4]).toBeGreaterThanOrEqual(400 - 20)
  })

  run('runs a job scheduler (repeatable job) every interval until it is removed', async () => {
    const name = open.name('repeat')
    const queue = open.queue(name)
    await queue.upsertJobScheduler('tick', { every: 150 }, { name: 'tick', data: { n: 1 } })
    expect(await queue.getJobSchedulersCount()).toBe(1)
    const [scheduler] = await queue.getJobSchedulers()
    expect(scheduler).toMatchObject({ key: 'tick', every: 150 })
    const w = open.worker(name, async (j) => j.data.n)
    const jobs = await completions(w, 3)
    for (const j of jobs) {
      expect(j.name).toBe('tick')
      expect(j.returnvalue).toBe(1)
    }
    expect(new Set(jobs.map((j) => j.id)).size).toBe(3)
    expect(await queue.removeJobScheduler('tick')).toBe(true)
    expect(await queue.getJobSchedulersCount()).toBe(0)
  })

  run('runs a flow: children first, then the parent with their results', async () => {
    const parentQ = open.name('flow-parent')
    const childQ = open.name('flow-child')
    const flow = open.flow()
    const tree = await flow.add({
      name: 'sum',
      queueName: parentQ,
      children: [
        { name: 'a', queueName: childQ, data: { v: 2 } },
        { name: 'b', queueName: childQ, data: { v: 3 } },
      ],
    })
    expect(tree.children).toHaveLength(2)
    expect(await tree.job.getState()).toBe('waiting-children')
    expect(await tree.job.getDependenciesCount()).toMatchObject({ unprocessed: 2 })
    const order: string[] = []
    const cw = open.worker(childQ, async (j) => (order.push(j.name), j.data.v * 10))
    const pw = open.worker(parentQ, async (j) => {
      order.push(j.name)
      const values = await j.getChildrenValues<number>()
      return Object.values(values).reduce((a, b) => a + b, 0)
    })
    await Promise.all([completions(cw, 2), completions(pw, 1)])
    expect(order[2]).toBe('sum')
    const parent = (await open.queue(parentQ).getJob(tree.job.id!))!
    expect(parent.returnvalue).toBe(50)
    expect(await parent.getDependenciesCount()).toMatchObject({ processed: 2, unprocessed: 0 })
  })

  run('removes jobs: one by id, on completion, drained and obliterated queues', async () => {
    const name = open.name('remove')
    const queue = open.queue(name)
    const a = await queue.add('a', {})
    const b = await queue.add('b', {})
    await a.remove()
    expect(await queue.getJob(a.id!)).toBeUndefined()
    expect(await queue.remove(b.id!)).toBe(1)
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 0 })

    const gone = await queue.add('gone', {}, { removeOnComplete: true })
    const kept = await queue.add('kept', {}, { removeOnComplete: false })
    const w = open.worker(name, async () => 'x')
    await completions(w, 2)
    expect(await queue.getJob(gone.id!)).toBeUndefined()
    expect(await queue.getJob(kept.id!)).toBeDefined()
    await w.close()

    await queue.addBulk([{ name: 'w1', data: {} }, { name: 'w2', data: {} }])
    await queue.add('d', {}, { delay: 60_000 })
    await queue.drain(true)
    expect(await queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 0, delayed: 0 })
    await queue.obliterate({ force: true })
    const conn = new Redis({ port: getPort(), host: '127.0.0.1' })
    try {
      expect(await conn.keys(`bull:${name}:*`)).toEqual([])
    } finally {
      conn.disconnect()
    }
  })

  run('reports progress to the worker and to QueueEvents, and keeps logs', async () => {
    const name = open.name('progress')
    const queue = open.queue(name)
    const events = await open.events(name)
    const seen: unknown[] = []
    events.on('progress', ({ data }) => void seen.push(data))
    const w = open.worker(name, async (j) => {
      await j.updateProgress(25)
      await j.log('half way')
      await j.updateProgress({ step: 'done', pct: 100 })
      return 'ok'
    })
    const workerSeen: unknown[] = []
    w.on('progress', (_j, p) => void workerSeen.push(p))
    const job = await queue.add('p', {})
    await job.waitUntilFinished(events, 10_000)
    await wait(50)
    expect(workerSeen).toEqual([25, { step: 'done', pct: 100 }])
    expect(seen).toEqual([25, { step: 'done', pct: 100 }])
    const fetched = (await queue.getJob(job.id!))!
    expect(fetched.progress).toEqual({ step: 'done', pct: 100 })
    expect(await queue.getJobLogs(job.id!)).toEqual({ logs: ['half way'], count: 1 })
  })
}

describe.skipIf(skipRedis !== null)('BullMQ against the real redis-server (proves the tests)', () => {
  let redis: RedisProcess
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis?.stop())
  bullmqSuite(() => redis.port)
})

describe('BullMQ against respite', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startRespite()
  })
  afterAll(() => server?.close())
  bullmqSuite(() => server.port)
})

/** The scripts BullMQ registers with ioredis defineCommand, as { name, content, keys }. */
const scripts = (Object.values(bullmqScripts) as unknown[]).filter(
  (s): s is { name: string; content: string; keys: number } => typeof (s as { content?: unknown })?.content === 'string',
)

describe('BullMQ scripts on respite', () => {
  let server: RunningServer
  let client: Redis
  beforeAll(async () => {
    server = await startRespite()
    client = new Redis({ port: server.port, host: '127.0.0.1' })
  })
  afterAll(async () => {
    client?.disconnect()
    await server?.close()
  })

  it('compiles every BullMQ script on our Lua engine, under the SHA1 Redis gives it', async () => {
    expect(scripts.length).toBeGreaterThan(50)
    const { createHash } = await import('node:crypto')
    for (const s of scripts) {
      const sha = createHash('sha1').update(s.content).digest('hex')
      await expect(client.script('LOAD', s.content), s.name).resolves.toBe(sha)
    }
    const shas = scripts.map((s) => createHash('sha1').update(s.content).digest('hex'))
    expect(await client.script('EXISTS', ...shas)).toEqual(shas.map(() => 1))
  })

  it('runs the getters on an empty queue as Redis answers them', async () => {
    const queue = new Queue('getters', { connection: { host: '127.0.0.1', port: server.port } })
    try {
      expect(await queue.getJobCounts()).toEqual({ active: 0, completed: 0, delayed: 0, failed: 0, prioritized: 0, waiting: 0, 'waiting-children': 0 })
      expect(await queue.getWaiting()).toEqual([])
      expect(await queue.getJobs(['completed', 'failed'])).toEqual([])
      expect(await queue.count()).toBe(0)
      expect(await queue.isPaused()).toBe(false)
      expect(await queue.getRateLimitTtl()).toBe(-2) // PTTL of the absent limiter key, as on Redis
      expect(await queue.getRateLimitTtl(5)).toBe(0)
      expect(await queue.getJobSchedulersCount()).toBe(0)
      expect(await queue.getCountsPerPriority([1, 2])).toEqual({ '1': 0, '2': 0 })
    } finally {
      await queue.close()
    }
  })
})
