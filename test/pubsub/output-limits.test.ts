import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { outputLimitReached, type OutputLimit } from '../../src/server/output-limits.js'
import { ReplyConnection } from '../helpers/differential.js'
import { call, until } from '../helpers/fixture.js'
import { resp } from '../helpers/raw.js'
import { missingTool, startRedis, startRespite, type RedisProcess } from '../helpers/servers.js'

/**
 * client-output-buffer-limit: a client that stops reading while output keeps coming
 * (a subscriber under a flood of messages, or a client pipelining big replies) is
 * dropped once its queued output passes the hard limit, or stays above the soft limit
 * for longer than soft-seconds. The same floods run against redis-server, which must
 * drop the same clients.
 */

const skipRedis = missingTool('redis-server')

/** A connection that is set up, then never reads again (the kernel buffers fill up). */
class Stalled {
  private constructor(readonly socket: net.Socket) {}

  static async open(port: number, ...setup: string[][]): Promise<Stalled> {
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', () => {})
    await new Promise((r) => socket.once('connect', r))
    const s = new Stalled(socket)
    let received = ''
    const onData = (d: Buffer) => (received += d.toString('latin1'))
    socket.on('data', onData)
    for (const args of setup) socket.write(resp(...args))
    // Every setup reply (SUBSCRIBE confirmations, +OK) ends in a line; wait for them all.
    await until(() => received.split('\r\n').length > setup.length, 'the setup replies')
    socket.off('data', onData)
    socket.pause()
    return s
  }

  send(data: string): void {
    this.socket.write(data)
  }

  close(): void {
    this.socket.destroy()
  }
}

/** Sends pipelined batches and waits for each batch's replies, counted as lines. */
class Pipeline {
  private lines = 0
  private tail = ''
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      for (let i = 0; i < d.length; i++) if (d[i] === 10) this.lines++
      this.tail = (this.tail + d.toString('latin1')).slice(-200)
    })
    socket.on('error', () => {})
  }

  static async open(port: number): Promise<Pipeline> {
    const socket = net.connect(port, '127.0.0.1')
    await new Promise((r) => socket.once('connect', r))
    return new Pipeline(socket)
  }

  /** Writes `data`, resolves with the last 200 bytes once `lines` more reply lines have come. */
  async send(data: string, lines: number): Promise<string> {
    const target = this.lines + lines
    this.socket.write(data)
    await until(() => this.lines >= target || this.socket.destroyed, 'the pipelined replies', 20_000)
    return this.tail
  }

  close(): void {
    this.socket.destroy()
  }
}

const MESSAGE = 'm'.repeat(1000)
const BATCH = 100

interface FloodResult {
  /** Whether the subscribers of `channel` were dropped (PUBSUB NUMSUB fell to 0). */
  dropped: boolean
  /** Bytes of messages published. */
  published: number
  /** Every PUBLISH got its integer reply. */
  publisherServed: boolean
}

/**
 * Publishes 1000-byte messages to `channel` in pipelined batches of 100 until its
 * subscribers are gone or `maxBytes` have been published. `afterBatch` runs after each
 * batch (to sample the server), then it waits `pauseMs`. The batch ends with PUBSUB NUMSUB, whose count is the
 * last line of the reply.
 */
async function flood(port: number, channel: string, maxBytes: number, afterBatch: () => void = () => {}, pauseMs = 0): Promise<FloodResult> {
  const pub = await Pipeline.open(port)
  try {
    const batch = resp('PUBLISH', channel, MESSAGE).repeat(BATCH) + resp('PUBSUB', 'NUMSUB', channel)
    let published = 0
    let publisherServed = true
    while (published < maxBytes) {
      // BATCH integer lines, then *2, $len, channel, :count.
      const tail = await pub.send(batch, BATCH + 4)
      published += BATCH * MESSAGE.length
      afterBatch()
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs))
      const count = /:(\d+)\r\n$/.exec(tail)
      if (count === null) {
        publisherServed = false
        break
      }
      if (count[1] === '0') return { dropped: true, published, publisherServed }
    }
    return { dropped: false, published, publisherServed }
  } finally {
    pub.close()
  }
}

const MiB = 1024 * 1024

describe('client-output-buffer-limit on respite', () => {
  let respite: RunningServer
  let dir: string
  const open: { close(): void }[] = []
  const log = () => readFileSync(join(dir, 'respite.log'), 'latin1')

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'respite-obuf-'))
    respite = await startRespite({ loglevel: 'warning', config: { logfile: join(dir, 'respite.log') } })
  })
  afterEach(async () => {
    for (const c of open.splice(0)) c.close()
    await call(respite.port, ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 pubsub 32mb 8mb 60'])
  })
  afterAll(async () => {
    await respite.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Queued output of every client: what the server holds for readers that do not read. */
  const queued = () => {
    let total = 0
    for (const c of respite.server.clients.values()) total += c.queuedOutput
    return total
  }

  it('drops a subscriber that stops reading once past the hard limit; the publisher is served throughout and memory stays bounded', async () => {
    const sub = await Stalled.open(respite.port, ['SUBSCRIBE', 'flood'])
    open.push(sub)
    // Set after the subscriber exists: a CONFIG SET applies to clients already connected.
    await call(respite.port, ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 256kb 60'])
    let most = 0
    const result = await flood(respite.port, 'flood', 64 * MiB, () => (most = Math.max(most, queued())))
    expect(result).toMatchObject({ dropped: true, publisherServed: true })
    // Checked as each message is queued, so the subscriber's output never gets far past 1 MiB.
    expect(most).toBeLessThan(MiB + 64 * 1024)
    await until(() => queued() === 0, 'the dropped output to be freed')
    expect(log()).toMatch(/# Client id=\d+ addr=127\.0\.0\.1:\d+ .*flags=P .*sub=1 .*cmd=subscribe .* scheduled to be closed ASAP for overcoming of output buffer limits\.\n/)
    const [numsub] = await call(respite.port, ['PUBSUB', 'NUMSUB', 'flood'])
    expect(numsub).toBe('*2\r\n$5\r\nflood\r\n:0\r\n')
  })

  it('the soft limit drops a subscriber only once it has stayed above it for longer than soft-seconds', async () => {
    await call(respite.port, ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 256kb 3600'])
    const patient = await Stalled.open(respite.port, ['SUBSCRIBE', 'soft'], ['PSUBSCRIBE', 'soft*'])
    open.push(patient)
    const kept = await flood(respite.port, 'soft', 8 * MiB)
    // Far above the soft limit, but not for an hour: still there.
    expect(kept.dropped).toBe(false)
    const client = [...respite.server.clients.values()].find((c) => c.patterns.size === 1)!
    expect(client.queuedOutput).toBeGreaterThan(256 * 1024)
    expect(client.softLimitSince).toBeGreaterThan(0)

    await call(respite.port, ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 256kb 1'])
    // Paced publishing (at most 10 MB/s, so the stalled output stays modest without a
    // hard limit) goes on until more than a second has passed above the soft limit.
    const result = await flood(respite.port, 'soft', 1024 * MiB, undefined, 10)
    expect(result).toMatchObject({ dropped: true, publisherServed: true })
    expect(log()).toMatch(/flags=P .*sub=1 psub=1 .* scheduled to be closed ASAP for overcoming of output buffer limits\.\n/)
  })

  it('a normal client pipelining big replies without reading is dropped past the normal class limit', async () => {
    await call(respite.port, ['SET', 'big', 'v'.repeat(100_000)], ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0'])
    const reader = await Stalled.open(respite.port, ['CLIENT', 'SETNAME', 'greedy'])
    open.push(reader)
    const present = () => [...respite.server.clients.values()].some((c) => c.name === 'greedy')
    // 100 KB replies, 50 per write: the kernel takes a few MB, then output queues.
    for (let i = 0; i < 100 && present(); i++) {
      reader.send(resp('GET', 'big').repeat(50))
      await new Promise((r) => setTimeout(r, 5))
    }
    expect(present()).toBe(false)
    expect(log()).toMatch(/name=greedy .*flags=N .*cmd=get .* scheduled to be closed ASAP for overcoming of output buffer limits\.\n/)
  })

  it('CLIENT LIST shows a stalled subscriber as pubsub, with its subscriptions and queued output', async () => {
    await call(respite.port, ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 0 0'])
    const sub = await Stalled.open(respite.port, ['SUBSCRIBE', 'a', 'b'], ['PSUBSCRIBE', 'x*'], ['SSUBSCRIBE', 's'])
    open.push(sub)
    await flood(respite.port, 'a', 16 * MiB)
    const [list] = await call(respite.port, ['CLIENT', 'LIST', 'TYPE', 'pubsub'])
    const m = / flags=P .* sub=2 psub=1 ssub=1 .* obl=(\d+) oll=(\d+) omem=(\d+) /.exec(list)
    expect(m).not.toBeNull()
    expect(Number(m![3])).toBeGreaterThan(1024 * 1024)
    expect(Number(m![2])).toBeGreaterThan(0)
    const [normal] = await call(respite.port, ['CLIENT', 'LIST', 'TYPE', 'normal'])
    expect(normal).not.toContain('flags=P')
  })
})

describe.skipIf(skipRedis)('client-output-buffer-limit on redis-server drops the same clients', () => {
  let redis: RedisProcess
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await redis.stop()
  })

  it('a stalled subscriber past the pubsub hard limit', async () => {
    const sub = await Stalled.open(redis.port, ['SUBSCRIBE', 'flood'])
    try {
      await call(redis.port, ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 256kb 60'])
      expect(await flood(redis.port, 'flood', 64 * MiB)).toMatchObject({ dropped: true, publisherServed: true })
    } finally {
      sub.close()
    }
  })

  it('a stalled subscriber is kept above the soft limit until soft-seconds have passed', async () => {
    await call(redis.port, ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 256kb 3600'])
    const sub = await Stalled.open(redis.port, ['SUBSCRIBE', 'soft'], ['PSUBSCRIBE', 'soft*'])
    try {
      expect((await flood(redis.port, 'soft', 8 * MiB)).dropped).toBe(false)
      await call(redis.port, ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 256kb 1'])
      expect(await flood(redis.port, 'soft', 1024 * MiB, undefined, 10)).toMatchObject({ dropped: true, publisherServed: true })
    } finally {
      sub.close()
    }
  })

  it('a normal client pipelining big replies past the normal class limit', async () => {
    await call(redis.port, ['SET', 'big', 'v'.repeat(100_000)], ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0'])
    const reader = await Stalled.open(redis.port, ['CLIENT', 'SETNAME', 'greedy'])
    try {
      const present = async () => (await call(redis.port, ['CLIENT', 'LIST']))[0].includes('name=greedy')
      for (let i = 0; i < 100 && (await present()); i++) reader.send(resp('GET', 'big').repeat(50))
      expect(await present()).toBe(false)
    } finally {
      reader.close()
      await call(redis.port, ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0'])
    }
  })
})

/**
 * With `normal 1 2 3`, small replies are not counted (Redis keeps its first 16 KiB of
 * output in the connection's own buffer, beyond the limits' reach) but a 20 KB reply
 * is: resolves with the replies seen before the connection closed.
 */
async function tinyNormalLimit(port: number): Promise<string[]> {
  await call(port, ['SET', 'k20', 'x'.repeat(20_000)])
  const conn = await ReplyConnection.open(port)
  const seen: string[] = []
  try {
    seen.push(await conn.call(['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2 3']))
    seen.push(await conn.call(['SET', 'k', 'v']))
    seen.push(await conn.call(['GET', 'k']))
    seen.push(await conn.call(['PING']))
    seen.push(await conn.call(['GET', 'k20']).catch(() => 'closed'))
  } finally {
    conn.close()
    await call(port, ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0'])
  }
  return seen
}

describe.skipIf(skipRedis)('client-output-buffer-limit counts only output beyond 16 KiB, as Redis does', () => {
  it('normal 1 2 3: small replies go through, a 20 KB reply closes the connection', async () => {
    const [respite, redis] = await Promise.all([startRespite(), startRedis()])
    try {
      const expected = ['+OK\r\n', '+OK\r\n', '$1\r\nv\r\n', '+PONG\r\n', 'closed']
      expect(await tinyNormalLimit(redis.port)).toEqual(expected)
      expect(await tinyNormalLimit(respite.port)).toEqual(expected)
    } finally {
      await Promise.all([respite.close(), redis.stop()])
    }
  })
})

describe('outputLimitReached', () => {
  const limit = (hard: number, soft: number, softSeconds: number): OutputLimit => ({ hard, soft, softSeconds, floor: 0 })

  it('the hard limit is reached at once, 0 disables it', () => {
    expect(outputLimitReached(limit(100, 0, 0), 100, 1000, { softLimitSince: 0 })).toBe(true)
    expect(outputLimitReached(limit(100, 0, 0), 99, 1000, { softLimitSince: 0 })).toBe(false)
    expect(outputLimitReached(limit(0, 0, 0), 1e12, 1000, { softLimitSince: 0 })).toBe(false)
  })

  it('the soft limit starts a clock, and closes once more than soft-seconds (whole seconds) have passed above it', () => {
    const client = { softLimitSince: 0 }
    const l = limit(0, 100, 2)
    expect(outputLimitReached(l, 150, 1000, client)).toBe(false)
    expect(client.softLimitSince).toBe(1000)
    expect(outputLimitReached(l, 150, 1002, client)).toBe(false)
    expect(outputLimitReached(l, 150, 1003, client)).toBe(true)
  })

  it('dropping below the soft limit resets its clock', () => {
    const client = { softLimitSince: 0 }
    const l = limit(0, 100, 2)
    outputLimitReached(l, 150, 1000, client)
    expect(outputLimitReached(l, 50, 1002, client)).toBe(false)
    expect(client.softLimitSince).toBe(0)
    expect(outputLimitReached(l, 150, 1003, client)).toBe(false)
    expect(outputLimitReached(l, 150, 1006, client)).toBe(true)
  })
})
