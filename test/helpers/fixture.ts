import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import type { RunningServer, StartOptions } from '../../src/index.js'
import type { Collection } from '../../src/store/types.js'
import { ReplyConnection } from './differential.js'
import { RawClient, resp } from './raw.js'
import { startRedis, startRespite, type RedisProcess } from './servers.js'

/**
 * What the command tests share: a respite server per file with ioredis clients, a
 * respite and redis-server pair per differential describe, raw-byte checks, waits,
 * and the connections of the blocking tests.
 */

/** Makes temporary directories named `prefix`-..., all removed once the file's tests are done. */
export function useTempDirs(prefix: string): () => string {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })
  return () => {
    const d = mkdtempSync(join(tmpdir(), `${prefix}-`))
    dirs.push(d)
    return d
  }
}

/** One field of an INFO reply, '' when absent. */
export function infoField(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info)
  return m ? m[1].trim() : ''
}

/** The WRONGTYPE error text, which most command families answer somewhere. */
export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'

/** Sends commands on one fresh connection and returns each raw reply. */
export async function call(port: number, ...commands: string[][]): Promise<string[]> {
  const conn = await ReplyConnection.open(port)
  try {
    const out: string[] = []
    for (const args of commands) out.push(await conn.call(args))
    return out
  } finally {
    conn.close()
  }
}

/** Sends requests on one fresh connection (after HELLO 3 if asked) and expects exactly these reply bytes. */
export async function expectReplies(port: number, requests: string[][], expected: string, hello3 = false): Promise<void> {
  const replies = await call(port, ...(hello3 ? [['HELLO', '3'], ...requests] : requests))
  expect((hello3 ? replies.slice(1) : replies).join('')).toBe(expected)
}

/** Polls `cond` every few ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

/** A stand-in collection, so WRONGTYPE, TYPE and COPY paths are tested without the list commands. */
export class FakeList implements Collection {
  readonly type = 'list'
  constructor(public items: string[] = ['a']) {}
  get size(): number {
    return this.items.length
  }
  encoding(): string {
    return 'listpack'
  }
  clone(): FakeList {
    return new FakeList([...this.items])
  }
}

export interface RespiteFixture {
  respite: RunningServer
  /** ioredis in RESP3 (HELLO 3, its default) and in RESP2, connected on first use. */
  readonly r3: Redis
  readonly r2: Redis
  /** expectReplies on this server. */
  exact(requests: string[][], expected: string, hello3?: boolean): Promise<void>
  /** Stores a FakeList at `key` of database `db`. */
  putList(key: string, db?: number, items?: string[]): FakeList
}

export interface FixtureOptions extends StartOptions {
  /** FLUSHALL before every test; on unless false. */
  flush?: boolean
}

/**
 * One respite server for a test file. Call it with top-level await, as
 * `const { respite, r3, r2, exact } = await useRespite()`: it registers the hooks that
 * empty the server before each test and close the clients and the server after the
 * file.
 */
export async function useRespite(options: FixtureOptions = {}): Promise<RespiteFixture> {
  const { flush = true, ...start } = options
  const respite = await startRespite(start)
  const port = respite.port
  let r3: Redis | undefined
  let r2: Redis | undefined
  const fixture: RespiteFixture = {
    respite,
    get r3() {
      return (r3 ??= new Redis({ port, host: '127.0.0.1', lazyConnect: false }))
    },
    get r2() {
      return (r2 ??= new Redis({ port, host: '127.0.0.1', lazyConnect: false, protocol: 2 }))
    },
    exact: (requests, expected, hello3) => expectReplies(port, requests, expected, hello3),
    putList(key, db = 0, items) {
      const list = new FakeList(items)
      respite.server.store.db(db).set(key, list)
      return list
    },
  }
  if (flush) {
    beforeEach(async () => {
      await fixture.r3.flushall()
    })
  }
  afterAll(async () => {
    r3?.disconnect()
    r2?.disconnect()
    await respite.close()
  })
  return fixture
}

export interface ServerPair {
  respite: RunningServer
  redis: RedisProcess
}

/**
 * A respite server and a reference redis-server for the enclosing describe, started
 * before its tests and stopped after them; the fields are set once beforeAll has run.
 * For describes that skip when redis-server is missing, so nothing starts then.
 */
export function useRespiteAndRedis(respiteOptions: StartOptions = {}, redisArgs: string[] = []): ServerPair {
  const pair = {} as ServerPair
  beforeAll(async () => {
    ;[pair.respite, pair.redis] = await Promise.all([startRespite(respiteOptions), startRedis(redisArgs)])
  })
  afterAll(async () => {
    await Promise.all([pair.respite?.close(), pair.redis?.stop()])
  })
  return pair
}

export interface RedisReference {
  server: RedisProcess
  client: Redis
}

/** A reference redis-server and an ioredis client to it; stop it with stopRedisReference. */
export async function startRedisReference(): Promise<RedisReference> {
  const server = await startRedis()
  const client = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 })
  return { server, client }
}

export async function stopRedisReference(ref: RedisReference | undefined): Promise<void> {
  ref?.client.disconnect()
  await ref?.server.stop()
}

/**
 * A reference redis-server with an ioredis client for the enclosing describe (the
 * Lua differential tests EVAL on it); the fields are set once beforeAll has run.
 */
export function useRedisReference(): RedisReference {
  const ref = {} as RedisReference
  beforeAll(async () => Object.assign(ref, await startRedisReference()))
  afterAll(() => stopRedisReference(ref.server === undefined ? undefined : ref))
  return ref
}

export interface Connections {
  /** Connections of each kind, closed after every test. */
  raw(): Promise<RawClient>
  conn(): Promise<ReplyConnection>
  ioredis(protocol?: 2 | 3): Redis
  /** How many clients the server holds blocked. */
  blocked(): number
  /** Sends a blocking command and returns once the server holds the client blocked. */
  blockOn(c: RawClient, ...args: string[]): Promise<void>
  /** Runs `send`, which blocks a client, and returns its pending reply once the server holds that client. */
  whenBlocked<T>(what: string, send: () => Promise<T>): Promise<{ reply: Promise<T> }>
}

/**
 * The connections of the tests in the enclosing describe. After each test they are
 * closed, and the next test waits until the server has let go of every blocked one.
 */
export function useConnections(server: RunningServer): Connections {
  const open: { close(): void }[] = []
  const blocked = () => server.server.blocking.count
  afterEach(async () => {
    for (const c of open.splice(0)) c.close()
    await until(() => blocked() === 0, 'blocked clients to be released')
  })
  async function whenBlocked<T>(what: string, send: () => Promise<T>): Promise<{ reply: Promise<T> }> {
    const before = blocked()
    const reply = send()
    await until(() => blocked() === before + 1, `${what} to block`)
    return { reply }
  }
  return {
    async raw() {
      const c = await RawClient.connect(server.port)
      open.push(c)
      return c
    },
    async conn() {
      const c = await ReplyConnection.open(server.port)
      open.push(c)
      return c
    },
    ioredis(protocol = 3) {
      const r = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: false, protocol })
      open.push({ close: () => r.disconnect() })
      return r
    },
    blocked,
    async blockOn(c, ...args) {
      await whenBlocked(args.join(' '), async () => c.write(resp(...args)))
    },
    whenBlocked,
  }
}

/** Sends request bytes and expects exactly these reply bytes. */
export async function exchange(c: RawClient, request: string, expected: string): Promise<void> {
  expect(await c.roundTrip(request, expected.length)).toBe(expected)
}

/** Expects exactly these bytes to arrive next. */
export async function expectReply(c: RawClient, expected: string): Promise<void> {
  expect(await c.read(expected.length)).toBe(expected)
}
