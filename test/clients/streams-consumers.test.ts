import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { until, useRespiteAndRedis } from '../helpers/fixture.js'
import { pythonSkipReason, runPython } from '../helpers/python.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Streams under real clients: consumers of one group blocked in XREADGROUP while a
 * producer XADDs (each entry delivered once, all acknowledged, blocked consumers
 * served in the order they blocked, as Redis serves them), and the stream helpers of
 * ioredis, node-redis and redis-py. Each scenario runs on respite and on a real
 * redis-server, and their outcomes must be the same.
 */

const skip = missingTool('redis-server')

const servers = useRespiteAndRedis()
const both = (): [string, number][] => [['respite', servers.respite.port], ['redis', servers.redis.port]]

function ioredis(port: number): Redis {
  return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, lazyConnect: false })
}

async function blockedClients(c: Redis): Promise<number> {
  return Number(/blocked_clients:(\d+)/.exec(await c.info('clients'))![1])
}

type Entries = [string, string[]][]
type ReadReply = [string, Entries][] | null

/** Several consumers blocked in XREADGROUP while a producer adds N entries. */
async function deliverAll(port: number, consumers: number, n: number): Promise<{ delivered: Map<string, string>; ids: string[]; pending: unknown }> {
  const admin = ioredis(port)
  await admin.flushall()
  await admin.xgroup('CREATE', 'jobs', 'g', '$', 'MKSTREAM')
  const delivered = new Map<string, string>()
  const dupes: string[] = []
  let acked = 0
  const clients = Array.from({ length: consumers }, () => ioredis(port))
  const loops = clients.map(async (c, i) => {
    const me = `c${i}`
    while (acked < n) {
      const r = (await c.xreadgroup('GROUP', 'g', me, 'COUNT', 7, 'BLOCK', 200, 'STREAMS', 'jobs', '>')) as ReadReply
      if (r === null) continue
      const ids = r[0][1].map(([id]) => id)
      for (const id of ids) {
        if (delivered.has(id)) dupes.push(id)
        delivered.set(id, me)
      }
      expect(await c.xack('jobs', 'g', ...ids)).toBe(ids.length)
      acked += ids.length
    }
  })
  const ids: string[] = []
  for (let i = 0; i < n; i += 10) {
    const p = admin.pipeline()
    for (let j = i; j < Math.min(n, i + 10); j++) p.xadd('jobs', '*', 'job', String(j))
    for (const [err, id] of (await p.exec())!) {
      expect(err).toBeNull()
      ids.push(id as string)
    }
    // Let consumers block again between batches, so blocked delivery is exercised.
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5))
  }
  await Promise.all(loops)
  const pending = await admin.xpending('jobs', 'g')
  expect(dupes).toEqual([])
  for (const c of [admin, ...clients]) c.disconnect()
  return { delivered, ids, pending }
}

/**
 * Three consumers block one after the other, then entries come one at a time: each
 * goes to the consumer that has waited longest, which then blocks again behind the
 * others, so deliveries go round in blocking order.
 */
async function fairnessOrder(port: number): Promise<string[]> {
  const admin = ioredis(port)
  await admin.flushall()
  await admin.xgroup('CREATE', 'q', 'g', '$', 'MKSTREAM')
  const order: string[] = []
  const clients = ['a', 'b', 'c'].map(() => ioredis(port))
  await Promise.all(clients.map((c) => c.ping()))
  let stop = false
  const loop = async (c: Redis, name: string) => {
    while (!stop) {
      const r = (await c.xreadgroup('GROUP', 'g', name, 'COUNT', 1, 'BLOCK', 0, 'STREAMS', 'q', '>')) as ReadReply
      if (r !== null) order.push(`${name}:${r[0][1][0][1][1]}`)
    }
  }
  const loops: Promise<void>[] = []
  for (let i = 0; i < 3; i++) {
    loops.push(loop(clients[i], ['a', 'b', 'c'][i]))
    await until(async () => (await blockedClients(admin)) === i + 1, `${i + 1} blocked`)
  }
  for (let i = 0; i < 7; i++) {
    await admin.xadd('q', '*', 'n', String(i))
    await until(async () => order.length === i + 1 && (await blockedClients(admin)) === 3, `delivery ${i}`)
  }
  stop = true
  for (const c of [admin, ...clients]) c.disconnect()
  await Promise.allSettled(loops)
  return order
}

describe.skipIf(skip !== null)('streams with real clients (XREADGROUP BLOCK, XADD, XACK, XINFO)', () => {
  it('XREADGROUP BLOCK: 4 ioredis consumers of one group get each of 400 XADDed entries exactly once, and XACK clears the PEL', async () => {
    for (const [name, port] of both()) {
      const { delivered, ids, pending } = await deliverAll(port, 4, 400)
      expect([...delivered.keys()].sort(), name).toEqual([...ids].sort())
      expect(pending, name).toEqual([0, null, null, null])
      // Work is spread: every consumer got something.
      expect(new Set(delivered.values()).size, name).toBe(4)
    }
  })

  it('XREADGROUP BLOCK serves blocked consumers in the order they blocked, as redis-server does', async () => {
    const respite = await fairnessOrder(servers.respite.port)
    const redis = await fairnessOrder(servers.redis.port)
    expect(redis).toEqual(['a:0', 'b:1', 'c:2', 'a:3', 'b:4', 'c:5', 'a:6'])
    expect(respite).toEqual(redis)
  })

  it('node-redis stream helpers: xAdd, xGroupCreate, xReadGroup with BLOCK, xAck, xInfoStream (RESP2 and RESP3)', async () => {
    const outcomes: Record<string, unknown[]> = {}
    for (const [name, port] of both()) {
      for (const RESP of [2, 3] as const) {
        const c = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, RESP })
        c.on('error', () => {})
        await c.connect()
        const reader = c.duplicate()
        reader.on('error', () => {})
        await reader.connect()
        await c.flushAll()
        await c.xGroupCreate('orders', 'workers', '$', { MKSTREAM: true })
        const blocked = reader.xReadGroup('workers', 'w1', { key: 'orders', id: '>' }, { COUNT: 10, BLOCK: 5000 })
        await until(async () => /blocked_clients:1/.test(await c.info('clients')), 'reader blocked')
        const id1 = await c.xAdd('orders', '1-1', { item: 'book', qty: '2' })
        const got = await blocked
        const id2 = await c.xAdd('orders', '*', { item: 'pen' })
        const more = await reader.xReadGroup('workers', 'w2', { key: 'orders', id: '>' }, { COUNT: 10, BLOCK: 100 })
        const acked = await c.xAck('orders', 'workers', [id1, id2])
        const info = await c.xInfoStream('orders')
        const plain = JSON.parse(JSON.stringify(info, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v)))
        ;(outcomes[name] ??= []).push({ RESP, id1, got, more: JSON.parse(JSON.stringify(more)).length, acked, info: { ...plain, 'last-generated-id': undefined, lastGeneratedId: undefined, 'last-entry': undefined, lastEntry: undefined, 'max-deleted-entry-id': undefined } })
        expect(typeof id2).toBe('string')
        c.destroy()
        reader.destroy()
      }
    }
    expect(outcomes.respite).toEqual(outcomes.redis)
    expect(JSON.stringify(outcomes.respite)).toContain('book')
  })

  it.skipIf(pythonSkipReason !== null)("redis-py's xadd, xgroup_create, xreadgroup with block, xack and xinfo_stream", async () => {
    const script = `
import json, sys, threading, time, redis
r = redis.Redis(port=int(sys.argv[1]), decode_responses=True)
r.flushall()
r.xgroup_create('events', 'g', id='$', mkstream=True)
out = {}
def produce():
    time.sleep(0.2)
    r.xadd('events', {'kind': 'click', 'n': '1'}, id='5-1')
t = threading.Thread(target=produce)
t.start()
c = redis.Redis(port=int(sys.argv[1]), decode_responses=True)
out['blocked'] = c.xreadgroup('g', 'alice', {'events': '>'}, count=5, block=3000)
t.join()
r.xadd('events', {'kind': 'view'}, id='6-0')
out['next'] = c.xreadgroup('g', 'bob', {'events': '>'}, count=5)
out['history'] = c.xreadgroup('g', 'alice', {'events': '0'})
out['ack'] = r.xack('events', 'g', '5-1', '6-0', '7-0')
out['none'] = c.xreadgroup('g', 'bob', {'events': '>'}, block=50)
info = r.xinfo_stream('events')
out['info'] = {k: info[k] for k in ('length', 'groups', 'first-entry', 'last-entry', 'entries-added')}
out['groups'] = [{k: g[k] for k in ('name', 'consumers', 'pending', 'last-delivered-id')} for g in r.xinfo_groups('events')]
print(json.dumps(out, sort_keys=True))
`
    const results: Record<string, unknown> = {}
    for (const [name, port] of both()) {
      const r = await runPython(script, [String(port)])
      expect(r.stderr, name).toBe('')
      results[name] = JSON.parse(r.stdout)
    }
    expect(results.respite).toEqual(results.redis)
    expect(results.respite).toMatchObject({ ack: 2, blocked: [['events', [['5-1', { kind: 'click', n: '1' }]]]] })
  })
})
