import { spawn } from 'node:child_process'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { until } from '../helpers/fixture.js'
import { python, runPython } from '../helpers/python.js'
import { hasTool, missingTool, startRedis, startRespite, type RedisProcess } from '../helpers/servers.js'

/**
 * Pub/sub through the clients people use: ioredis and node-redis (RESP2 and RESP3),
 * redis-py's PubSub object, and redis-cli's subscribe mode, whose printed output must
 * match what it prints against a real redis-server.
 */

let respite: RunningServer
beforeAll(async () => {
  respite = await startRespite()
})
afterAll(async () => {
  await respite.close()
})

/** Publishes until `received` holds `count` events, so no message races the subscription. */
async function publishUntil(publish: () => Promise<unknown>, received: unknown[], count: number): Promise<void> {
  await until(async () => {
    if (received.length < count) await publish()
    return received.length >= count
  }, `${count} messages`)
}

describe('ioredis', () => {
  for (const protocol of [2, 3] as const) {
    it(`RESP${protocol}: subscribe, psubscribe and ssubscribe deliver message, pmessage and smessage events`, async () => {
      const sub = new Redis({ port: respite.port, host: '127.0.0.1', protocol })
      const pub = new Redis({ port: respite.port, host: '127.0.0.1', protocol })
      try {
        const events: string[][] = []
        sub.on('message', (channel: string, message: string) => events.push(['message', channel, message]))
        sub.on('pmessage', (pattern: string, channel: string, message: string) => events.push(['pmessage', pattern, channel, message]))
        sub.on('smessage', (channel: string, message: string) => events.push(['smessage', channel, message]))
        expect(await sub.subscribe('io:news', 'io:sport')).toBe(2)
        expect(await sub.psubscribe('io:n*')).toBe(3)
        expect(await sub.ssubscribe('io:shard')).toBe(1)
        expect(await pub.publish('io:news', 'hello')).toBe(2)
        expect(await pub.publish('io:sport', 'goal')).toBe(1)
        expect(await pub.spublish('io:shard', 'sharded')).toBe(1)
        await until(() => events.length === 4, 'four events')
        expect(events).toEqual([
          ['message', 'io:news', 'hello'],
          ['pmessage', 'io:n*', 'io:news', 'hello'],
          ['message', 'io:sport', 'goal'],
          ['smessage', 'io:shard', 'sharded'],
        ])
        expect(await sub.unsubscribe('io:news')).toBe(2)
        expect(await sub.punsubscribe('io:n*')).toBe(1)
        expect(await pub.publish('io:news', 'nobody')).toBe(0)
        expect(await pub.pubsub('NUMSUB', 'io:news', 'io:sport')).toEqual(['io:news', 0, 'io:sport', 1])
      } finally {
        sub.disconnect()
        pub.disconnect()
      }
    })
  }
})

describe('node-redis', () => {
  for (const RESP of [2, 3] as const) {
    it(`RESP${RESP}: subscribe and pSubscribe call their listeners; unsubscribe stops them`, async () => {
      const pub = createClient({ socket: { port: respite.port, host: '127.0.0.1', reconnectStrategy: false }, RESP })
      pub.on('error', () => {})
      await pub.connect()
      const sub = pub.duplicate()
      sub.on('error', () => {})
      await sub.connect()
      try {
        const events: string[][] = []
        await sub.subscribe('nr:news', (message, channel) => events.push(['message', channel, message]))
        await sub.pSubscribe('nr:n*', (message, channel) => events.push(['pmessage', channel, message]))
        await sub.sSubscribe('nr:shard', (message, channel) => events.push(['smessage', channel, message]))
        expect(await pub.publish('nr:news', 'hello')).toBe(2)
        expect(await pub.sPublish('nr:shard', 'sharded')).toBe(1)
        await until(() => events.length === 3, 'three events')
        expect(events).toEqual([
          ['message', 'nr:news', 'hello'],
          ['pmessage', 'nr:news', 'hello'],
          ['smessage', 'nr:shard', 'sharded'],
        ])
        await sub.unsubscribe('nr:news')
        await sub.pUnsubscribe('nr:n*')
        expect(await pub.publish('nr:news', 'nobody')).toBe(0)
        expect(await pub.pubSubNumPat()).toBe(0)
      } finally {
        sub.destroy()
        pub.destroy()
      }
    })
  }
})


/** redis-py's PubSub: subscribe, psubscribe, publish, get_message; prints what it got as JSON. */
const PUBSUB_SCRIPT = String.raw`
import json, sys, time, redis
r = redis.Redis(host='127.0.0.1', port=int(sys.argv[1]), decode_responses=True)
p = r.pubsub()
out = []
def drain(n):
    got = []
    deadline = time.time() + 5
    while len(got) < n and time.time() < deadline:
        m = p.get_message(timeout=0.1)
        if m is not None:
            got.append(m)
    return got
p.subscribe('py:news', 'py:sport')
p.psubscribe('py:n*')
out += drain(3)
out.append({'published': r.publish('py:news', 'hello')})
out.append({'published': r.publish('py:sport', 'goal')})
out += drain(3)
out.append({'numsub': r.pubsub_numsub('py:news', 'py:sport'), 'numpat': r.pubsub_numpat(), 'channels': sorted(r.pubsub_channels('py:*'))})
p.unsubscribe('py:news')
p.punsubscribe()
out += drain(2)
out.append({'ping': p.ping()})
out += drain(1)
p.close()
print(json.dumps(out))
`


const skipRedis = missingTool('redis-server')

describe.skipIf(python === null || skipRedis !== null)('redis-py pubsub() and redis-cli subscribe, against redis-server', () => {
  let redis: RedisProcess
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await redis.stop()
  })

  it('redis-py: subscribe, psubscribe, get_message, unsubscribe and ping see what they see on Redis', async () => {
    const [ours, theirs] = await Promise.all([runPython(PUBSUB_SCRIPT, [String(respite.port)]), runPython(PUBSUB_SCRIPT, [String(redis.port)])])
    expect(ours.stderr).toBe('')
    expect(ours.status).toBe(0)
    const got = JSON.parse(ours.stdout)
    expect(got).toEqual(JSON.parse(theirs.stdout))
    expect(got).toContainEqual({ type: 'pmessage', pattern: 'py:n*', channel: 'py:news', data: 'hello' })
  })

  /**
   * Runs `redis-cli [-3] subscribe|psubscribe ...` until it has printed `lines` lines,
   * publishing `messages` once it is subscribed; returns everything it printed.
   */
  async function cliSubscribe(port: number, args: string[], messages: [string, string][], lines: number): Promise<string> {
    const [cmd, cmdArgs] = hasTool('stdbuf') ? ['stdbuf', ['-oL', 'redis-cli', '-p', String(port), ...args]] : ['redis-cli', ['-p', String(port), ...args]]
    const child = spawn(cmd as string, cmdArgs as string[], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')))
    const pub = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false } })
    pub.on('error', () => {})
    try {
      await pub.connect()
      const subscriptions = args.filter((a) => !a.startsWith('-')).length - 1
      await until(async () => (await pub.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub'])).toString().includes(`sub=`) &&
        out.split('\n').length > subscriptions, 'redis-cli to subscribe')
      for (const [channel, message] of messages) await pub.publish(channel, message)
      await until(() => out.split('\n').length > lines, `${lines} lines from redis-cli`)
      return out
    } finally {
      child.kill('SIGKILL')
      pub.destroy()
    }
  }

  for (const proto of [[], ['-3']]) {
    it(`redis-cli ${proto.join(' ')} subscribe and psubscribe print what they print on Redis`.replace('  ', ' '), async () => {
      const args = [...proto, 'subscribe', 'cli:news', 'cli:sport']
      const sent: [string, string][] = [['cli:news', 'hello'], ['cli:sport', 'goal']]
      const ours = await cliSubscribe(respite.port, args, sent, 12)
      expect(ours).toBe(await cliSubscribe(redis.port, args, sent, 12))
      expect(ours).toContain('hello')
      const pargs = [...proto, 'psubscribe', 'cli:*']
      const pours = await cliSubscribe(respite.port, pargs, [['cli:x', 'pat']], 7)
      expect(pours).toBe(await cliSubscribe(redis.port, pargs, [['cli:x', 'pat']], 7))
      expect(pours).toContain('pat')
    })
  }
})
