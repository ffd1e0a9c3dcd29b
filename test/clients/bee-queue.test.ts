import Queue from 'bee-queue'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { missingTool, startRedis, startRespite, type RedisProcess } from '../helpers/servers.js'

/**
 * bee-queue end to end. It runs on the node_redis v3 client (RESP2), keeps jobs in
 * hashes and lists, and does its multi-key work in five Lua scripts (addJob,
 * addDelayedJob, raiseDelayedJobs, checkStalledJobs, removeJob) loaded with
 * SCRIPT LOAD and called with EVALSHA. Events travel over pub/sub.
 *
 * The suite runs on respite and, to prove the tests themselves, on redis-server.
 */

const skipRedis = missingTool('redis-server')

// Job data is loosely typed: each test stores its own shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Data = Record<string, any>
type BeeQueue = Queue<Data>
type BeeJob = Queue.Job<Data>
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJob = Queue.Job<any>

function beeQueueSuite(getPort: () => number): void {
  const opened: BeeQueue[] = []
  let n = 0
  let raw: Redis
  beforeAll(() => {
    raw = new Redis({ port: getPort(), host: '127.0.0.1' })
  })
  afterAll(() => raw?.disconnect())

  function queue(name: string, settings: Queue.QueueSettings = {}): BeeQueue {
    const q = new Queue<Data>(name, { redis: { host: '127.0.0.1', port: getPort() }, ...settings })
    q.on('error', () => {})
    opened.push(q)
    return q
  }
  const unique = (tag: string) => `${tag}-${process.pid}-${Date.now()}-${n++}`
  const run = (what: string, fn: () => Promise<void>) =>
    it(what, async () => {
      try {
        await fn()
      } finally {
        await Promise.all(opened.splice(0).map((q) => q.close(1000)))
      }
    })
  const settle = (job: AnyJob) =>
    new Promise<{ ok: boolean; value: unknown }>((resolve) => {
      job.on('succeeded', (value) => resolve({ ok: true, value }))
      job.on('failed', (err: Error) => resolve({ ok: false, value: err.message }))
    })

  run('processes jobs with custom ids and reports results through job and queue events', async () => {
    const name = unique('basic')
    const producer = queue(name)
    const worker = queue(name)
    const seen: [string, unknown][] = []
    producer.on('job succeeded', (id: string, result: unknown) => seen.push([id, result]))
    await producer.ready()
    const job = await producer.createJob({ x: 21 }).setId('answer').save()
    expect(job.id).toBe('answer')
    const saved = await producer.saveAll([producer.createJob<Data>({ x: 1 }), producer.createJob<Data>({ x: 2 })])
    expect(saved.size).toBe(0) // no errors
    expect((await producer.checkHealth()).waiting).toBe(3)
    const done = settle(job)
    let processed = 0
    worker.process(2, async (j: BeeJob) => {
      processed++
      return (j.data.x as number) * 2
    })
    expect(await done).toEqual({ ok: true, value: 42 })
    await until(() => processed === 3 && seen.length === 3)
    expect(seen.find(([id]) => id === 'answer')).toEqual(['answer', 42])
    const health = await producer.checkHealth()
    expect(health).toMatchObject({ waiting: 0, active: 0, succeeded: 3, failed: 0, delayed: 0 })
    const stored = await producer.getJob('answer')
    expect(stored.status).toBe('succeeded')
    expect(stored.data).toEqual({ x: 21 })
    expect((await producer.getJobs('succeeded', { size: 10 })).map((j: BeeJob) => j.id).sort()).toEqual(['1', '2', 'answer'])
  })

  run('retries a failing job with backoff, reports progress, and fails it once retries run out', async () => {
    const name = unique('retry')
    // A backoff parks the job in the delayed set, so something must raise it.
    const q = queue(name, { activateDelayedJobs: true, delayedDebounce: 10 })
    await q.ready()
    const attempts: Record<string, number[]> = {}
    const retrying: string[] = []
    const progress: unknown[] = []
    q.on('job retrying', (id: string, err: Error) => retrying.push(`${id}:${err.message}`))
    q.process(async (j: BeeJob) => {
      ;(attempts[j.data.name as string] ??= []).push(Date.now())
      j.reportProgress({ at: attempts[j.data.name as string].length })
      if (j.data.name === 'doomed' || attempts[j.data.name as string].length < 3) throw new Error(`boom ${attempts[j.data.name as string].length}`)
      return 'finally'
    })
    const flaky = q.createJob({ name: 'flaky' }).retries(2).backoff('fixed', 100)
    flaky.on('progress', (p) => progress.push(p))
    const doomed = q.createJob({ name: 'doomed' }).retries(1).backoff('exponential', 50)
    await flaky.save()
    await doomed.save()
    const [flakyEnd, doomedEnd] = [settle(flaky), settle(doomed)]
    expect(await flakyEnd).toEqual({ ok: true, value: 'finally' })
    expect(await doomedEnd).toEqual({ ok: false, value: 'boom 2' })
    expect(attempts.flaky).toHaveLength(3)
    expect(attempts.flaky[1] - attempts.flaky[0]).toBeGreaterThanOrEqual(95)
    expect(attempts.flaky[2] - attempts.flaky[1]).toBeGreaterThanOrEqual(95)
    expect(attempts.doomed).toHaveLength(2)
    await until(() => retrying.length === 3 && progress.length === 3)
    expect(retrying.sort()).toEqual([`${doomed.id}:boom 1`, `${flaky.id}:boom 1`, `${flaky.id}:boom 2`].sort())
    expect(progress).toEqual([{ at: 1 }, { at: 2 }, { at: 3 }])
    const failed = await q.getJob(doomed.id)
    expect(failed.status).toBe('failed')
    expect(failed.options.stacktraces[0]).toMatch(/^Error: boom 2/)
    expect(await q.checkHealth()).toMatchObject({ succeeded: 1, failed: 1, waiting: 0, active: 0, delayed: 0 })
  })

  run('times a job out', async () => {
    const q = queue(unique('timeout'))
    q.process(() => new Promise(() => {}))
    const job = await q.createJob({}).timeout(100).save()
    expect(await settle(job)).toEqual({ ok: false, value: `Job ${job.id} timed out (100 ms)` })
  })

  run('holds delayed jobs and raises them when due (activateDelayedJobs)', async () => {
    const name = unique('delayed')
    const q = queue(name, { activateDelayedJobs: true, delayedDebounce: 20, nearTermWindow: 1000 })
    await q.ready()
    const raised: number[] = []
    // Not in bee-queue's typings, but emitted by _activateDelayed.
    ;(q as unknown as NodeJS.EventEmitter).on('raised jobs', (count: number) => raised.push(count))
    const at = Date.now() + 300
    const soon = await q.createJob({ n: 1 }).delayUntil(at).save()
    const later = await q.createJob({ n: 2 }).delayUntil(Date.now() + 60_000).save()
    expect(await q.checkHealth()).toMatchObject({ delayed: 2, waiting: 0 })
    expect(Number(await raw.zscore(`bq:${name}:delayed`, soon.id))).toBe(at)
    const ran: [number, number][] = []
    q.process(async (j: BeeJob) => void ran.push([j.data.n as number, Date.now()]))
    expect((await settle(soon)).ok).toBe(true)
    expect(ran).toHaveLength(1)
    expect(ran[0][0]).toBe(1)
    expect(ran[0][1]).toBeGreaterThanOrEqual(at)
    expect(raised).toContain(1)
    expect(await q.checkHealth()).toMatchObject({ delayed: 1, succeeded: 1 })
    expect((await q.getJob(later.id)).status).toBe('created')
    await q.removeJob(later.id)
    expect(await q.checkHealth()).toMatchObject({ delayed: 0 })
    expect(await raw.exists(`bq:${name}:jobs`)).toBe(1)
    expect(await raw.hexists(`bq:${name}:jobs`, later.id)).toBe(0)
  })

  run('finds a stalled job left in the active list and hands it back to a worker (checkStalledJobs)', async () => {
    const name = unique('stalled')
    const q = queue(name, { stallInterval: 150, isWorker: true })
    await q.ready()
    const job = await q.createJob({ v: 'stalled' }).save()
    // A worker took the job and died: it sits in the active list with no heartbeat.
    expect(await raw.rpoplpush(`bq:${name}:waiting`, `bq:${name}:active`)).toBe(job.id)
    const stalledIds: string[] = []
    q.on('stalled', (id: string) => stalledIds.push(id))
    // The first check only marks the active jobs as stalling and blocks further checks.
    expect(await q.checkStalledJobs()).toBe(0)
    expect(await raw.smembers(`bq:${name}:stalling`)).toEqual([job.id])
    expect(await raw.pttl(`bq:${name}:stallBlock`)).toBeGreaterThan(0)
    expect(await q.checkStalledJobs()).toBe(0) // blocked
    await new Promise((r) => setTimeout(r, 200))
    // Nothing took the job off the stalling set within the interval: it has stalled.
    expect(await q.checkStalledJobs()).toBe(1)
    expect(stalledIds).toEqual([job.id])
    expect(await raw.lrange(`bq:${name}:waiting`, 0, -1)).toEqual([job.id])
    expect(await raw.llen(`bq:${name}:active`)).toBe(0)
    const done = settle(job)
    q.process(async (j: BeeJob) => `recovered ${j.data.v}`)
    expect(await done).toEqual({ ok: true, value: 'recovered stalled' })
  })

  run('removes jobs and destroys the queue', async () => {
    const name = unique('remove')
    const q = queue(name, { isWorker: false, getEvents: false })
    await q.ready()
    const a = await q.createJob({}).save()
    const b = await q.createJob({}).save()
    await q.removeJob(a.id)
    expect(await q.getJob(a.id)).toBeNull()
    await b.remove()
    expect(await q.checkHealth()).toMatchObject({ waiting: 0 })
    await q.destroy()
    expect(await raw.keys(`bq:${name}:*`)).toEqual([])
  })
}

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('bee-queue against respite', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startRespite()
  })
  afterAll(() => server?.close())
  beeQueueSuite(() => server.port)
})

describe.skipIf(skipRedis !== null)('bee-queue against the real redis-server (proves the tests)', () => {
  let redis: RedisProcess
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis?.stop())
  beeQueueSuite(() => redis.port)
})
