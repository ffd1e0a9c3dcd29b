import { Redis } from 'ioredis'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CommandTable } from '../../src/commands/table.js'
import { AofFileLoad } from '../../src/persistence/aof-load.js'
import { SnapshotLoad } from '../../src/persistence/snapshots.js'
import { Config } from '../../src/server/config.js'
import { Server } from '../../src/server/server.js'
import { startCli } from '../helpers/cli.js'
import { call, infoField, until, useTempDirs } from '../helpers/fixture.js'
import { RawClient, resp } from '../helpers/raw.js'
import { startRespite } from '../helpers/servers.js'

/**
 * The start-up load runs with the port open (Redis 7.0's way): clients connected
 * meanwhile get -LOADING for commands not flagged `loading`, INFO shows the progress,
 * and the data is all there once it is done. Each load here is held after its first
 * step until the test has looked, so "during the load" does not depend on timing.
 */

const KEYS = 300_000
const LOADING = '-LOADING Redis is loading the dataset in memory\r\n'
const tempDir = useTempDirs('respite-loading')

/** A directory holding KEYS keys ("key:N" = "value:N", DEBUG POPULATE's) as dump.rdb or as an AOF directory of commands. */
async function dataset(kind: 'rdb' | 'aof'): Promise<string> {
  const dir = tempDir()
  const aof: Record<string, string> = kind === 'aof' ? { appendonly: 'yes', 'aof-use-rdb-preamble': 'no' } : {}
  const s = await startRespite({ config: { dir, save: '', 'enable-debug-command': 'yes', ...aof } })
  try {
    await call(s.port, ['DEBUG', 'POPULATE', String(KEYS)])
    if (kind === 'rdb') {
      expect(await call(s.port, ['SAVE'])).toEqual(['+OK\r\n'])
    } else {
      // The base written as commands, then a few more in the incremental file.
      await call(s.port, ['BGREWRITEAOF'])
      // Polled gently: a connection every 2 ms would starve the rewrite's steps.
      const rewritten = async () => {
        await new Promise((r) => setTimeout(r, 50))
        return infoField((await call(s.port, ['INFO', 'persistence']))[0], 'aof_rewrite_in_progress') === '0'
      }
      await until(rewritten, 'the rewrite')
      await call(s.port, ['SET', 'after', 'rewrite'], ['DEL', 'key:0'])
    }
  } finally {
    await s.close()
  }
  return dir
}

/**
 * Lets a loader take a first step that stops at its first look at the clock (a whole
 * step would read these files to the end), then only return "not done" until released.
 */
function holdAfterFirstStep(proto: { step(deadline: number): boolean }): () => void {
  const step = proto.step
  let steps = 0
  let held = true
  vi.spyOn(proto, 'step').mockImplementation(function (this: unknown, deadline: number): boolean {
    if (held && steps > 0) return false
    return step.call(this, steps++ === 0 ? 0 : deadline)
  })
  return () => {
    held = false
  }
}

/** INFO persistence's reply, read to its end. */
async function persistenceInfo(c: RawClient): Promise<string> {
  c.write(resp('INFO', 'persistence'))
  let got = ''
  for (;;) {
    got += await c.read(1)
    const m = /^\$(\d+)\r\n/.exec(got)
    if (m !== null && got.length >= m[0].length + Number(m[1]) + 2) return got
    if (c.closed) throw new Error(`connection closed after ${JSON.stringify(got)}`)
  }
}

/** A server on an OS-chosen port, listening, its load started and not awaited. */
async function startLoading(dir: string, aof: boolean): Promise<{ server: Server; loaded: Promise<void> }> {
  const config = new Config()
  config.set('port', '0', true)
  config.set('dir', dir, true)
  config.set('save', '', true)
  config.set('loglevel', 'nothing', true)
  if (aof) config.set('appendonly', 'yes', true)
  const server = new Server(config, new CommandTable())
  await server.openListeners()
  return { server, loaded: server.loadData() }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe.each(['rdb', 'aof'] as const)('the start-up load of %s', (kind) => {
  it('answers -LOADING while loading, keeps the connection, and has every key after', async () => {
    const dir = await dataset(kind)
    const release = holdAfterFirstStep(kind === 'rdb' ? SnapshotLoad.prototype : AofFileLoad.prototype)
    const { server, loaded } = await startLoading(dir, kind === 'aof')
    try {
      const c = await RawClient.connect(server.port)
      expect(await c.roundTrip(resp('PING'), LOADING.length)).toBe(LOADING)
      expect(await c.roundTrip(resp('GET', 'key:1'), LOADING.length)).toBe(LOADING)

      const info = await persistenceInfo(c)
      expect(infoField(info, 'loading')).toBe('1')
      expect(infoField(info, 'async_loading')).toBe('0')
      const total = Number(infoField(info, 'loading_total_bytes'))
      const done = Number(infoField(info, 'loading_loaded_bytes'))
      expect(total).toBeGreaterThan(1 << 20)
      expect(done).toBeGreaterThan(0)
      expect(done).toBeLessThan(total)
      expect(Number(infoField(info, 'loading_loaded_perc'))).toBeLessThan(100)
      expect(Number(infoField(info, 'loading_eta_seconds'))).toBeGreaterThan(0)
      expect(Number(infoField(info, 'loading_start_time'))).toBeGreaterThan(0)
      // The RDB header's used-mem; an AOF of commands has none.
      expect(Number(infoField(info, 'loading_rdb_used_mem')) > 0).toBe(kind === 'rdb')
      // As Redis: an AOF is not being appended to yet, but its size lines show.
      expect(infoField(info, 'aof_enabled')).toBe('0')
      expect(info.includes('aof_current_size:')).toBe(kind === 'aof')
      expect(c.closed).toBe(false)

      release()
      await loaded
      expect(server.loading).toBeNull()
      expect(await c.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
      // The AOF's incremental file added one key and deleted another.
      expect(await c.roundTrip(resp('DBSIZE'), `:${KEYS}\r\n`.length)).toBe(`:${KEYS}\r\n`)
      const value = '$12\r\nvalue:299999\r\n'
      expect(await c.roundTrip(resp('GET', 'key:299999'), value.length)).toBe(value)
      const finished = await persistenceInfo(c)
      expect(infoField(finished, 'loading')).toBe('0')
      expect(finished).not.toContain('loading_total_bytes')
      c.socket.destroy()
    } finally {
      await server.close()
    }
  })

  it('makes an ioredis client connected during the load ready only after it, with the data', async () => {
    const dir = await dataset(kind)
    const release = holdAfterFirstStep(kind === 'rdb' ? SnapshotLoad.prototype : AofFileLoad.prototype)
    const { server, loaded } = await startLoading(dir, kind === 'aof')
    let loadDone = false
    void loaded.then(() => (loadDone = true))
    const info = server.table.lookup('info')!.stats!
    const infoBefore = info.calls
    // ioredis waits loading_eta_seconds between ready checks; at most 20 ms here.
    const r = new Redis({ port: server.port, maxLoadingRetryTime: 20 })
    try {
      let readyAfterLoad: boolean | null = null
      r.once('ready', () => (readyAfterLoad = loadDone))
      // Queued by ioredis until it is ready.
      const value = r.get('key:123')
      await until(() => info.calls > infoBefore + 1, 'ioredis asking INFO twice')
      expect(r.status).not.toBe('ready')
      release()
      await loaded
      expect(await value).toBe('value:123')
      expect(readyAfterLoad).toBe(true)
      expect(await r.dbsize()).toBe(KEYS)
    } finally {
      r.disconnect()
      await server.close()
    }
  })
})

describe('respite-server', () => {
  it('listens, then loads, then logs that it is ready, as redis-server 7.0 does', async () => {
    const dir = await dataset('rdb')
    const cli = await startCli(['--port', '0', '--dir', dir, '--save', '', '--loglevel', 'notice'])
    try {
      const log = cli.log()
      const listening = log.indexOf('Running mode=standalone, port=')
      const loaded = log.indexOf('DB loaded from disk: ')
      const ready = log.indexOf('Ready to accept connections')
      expect(listening).toBeGreaterThan(-1)
      expect(loaded).toBeGreaterThan(listening)
      expect(ready).toBeGreaterThan(loaded)
      expect(await call(cli.port, ['DBSIZE'])).toEqual([`:${KEYS}\r\n`])
    } finally {
      await cli.stop()
    }
  })
})

describe('during the load', () => {
  it('refuses in MULTI what it refuses outside, so EXEC aborts, and runs loading-flagged commands, as Redis does', async () => {
    const dir = await dataset('rdb')
    const release = holdAfterFirstStep(SnapshotLoad.prototype)
    const { server, loaded } = await startLoading(dir, false)
    try {
      const c = await RawClient.connect(server.port)
      // Bytes as redis-server 7.0.15 answers them while it loads.
      const expected =
        `+OK\r\n${LOADING}+QUEUED\r\n-EXECABORT Transaction discarded because of previous errors.\r\n` +
        '+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n'
      const request = resp('MULTI') + resp('PING') + resp('SELECT', '0') + resp('EXEC') + resp('MULTI') + resp('SELECT', '0') + resp('EXEC') + resp('SUBSCRIBE', 'x')
      expect(await c.roundTrip(request, expected.length)).toBe(expected)
      const rejected = await call(server.port, ['INFO', 'commandstats'])
      expect(rejected[0]).toMatch(/cmdstat_ping:calls=0,usec=\d+,usec_per_call=[\d.]+,rejected_calls=1,failed_calls=0/)
      release()
      await loaded
      c.socket.destroy()
    } finally {
      await server.close()
    }
  })

  it('publishes no keyspace events for what the AOF replays, to a subscriber connected meanwhile', async () => {
    const dir = await dataset('aof')
    const release = holdAfterFirstStep(AofFileLoad.prototype)
    const { server, loaded } = await startLoading(dir, true)
    try {
      const sub = await RawClient.connect(server.port)
      const configured = '+OK\r\n*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:1\r\n'
      const request = resp('CONFIG', 'SET', 'notify-keyspace-events', 'KEA') + resp('PSUBSCRIBE', '*')
      expect(await sub.roundTrip(request, configured.length)).toBe(configured)
      release()
      await loaded
      expect(await call(server.port, ['SET', 'loaded', '1'])).toEqual(['+OK\r\n'])
      // The first event is of that SET: none came from the replay before it.
      const first = '*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$21\r\n__keyspace@0__:loaded\r\n$3\r\nset\r\n'
      expect((await sub.read(first.length)).slice(0, first.length)).toBe(first)
      sub.socket.destroy()
    } finally {
      await server.close()
    }
  })

  it('SHUTDOWN does not save what is only part of the file, and the load stops', async () => {
    const dir = await dataset('rdb')
    holdAfterFirstStep(SnapshotLoad.prototype)
    const { server, loaded } = await startLoading(dir, false)
    server.config.set('save', '3600 1', true)
    const saved = vi.spyOn(server.snapshots, 'save')
    const c = await RawClient.connect(server.port)
    c.write(resp('SHUTDOWN', 'SAVE'))
    expect(await c.waitClosed()).toBe(true)
    await loaded
    expect(saved).not.toHaveBeenCalled()
    expect(server.isClosed).toBe(true)
    expect(server.loading).toBeNull()
  })
})
