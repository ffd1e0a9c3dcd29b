import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { startCli, type Running } from '../helpers/cli.js'
import { cmd, connect, digestDiff, serverDigest } from '../helpers/digest.js'
import { runDifferential } from '../helpers/differential.js'
import { missingTool, startRedis, startRespite, type RedisProcess } from '../helpers/servers.js'
import { populate } from '../persistence/dataset.js'

/**
 * MIGRATE from respite and from redis-server, to redis-server and to respite: the
 * same replies for the same sequence (errors, NOKEY, COPY, REPLACE, KEYS, AUTH), the
 * same data on the target for every type, and a target that never answers.
 */

const skip = missingTool('redis-server') !== null

/**
 * digestDiff, with expiry times equal within 2 s: MIGRATE sends relative TTLs, as
 * Redis does, so the target's absolute times are the source's plus the transfer.
 */
function diffWithTtlSlack(a: Map<string, string>, b: Map<string, string>): string[] {
  const align = (x: Map<string, string>, y: Map<string, string>) => {
    const out = new Map<string, string>()
    for (const [k, v] of x) {
      const mine = JSON.parse(v) as { expireAt: number }
      const theirs = y.has(k) ? (JSON.parse(y.get(k)!) as { expireAt: number }) : null
      if (theirs !== null && mine.expireAt > 0 && theirs.expireAt > 0 && Math.abs(mine.expireAt - theirs.expireAt) < 2000) {
        mine.expireAt = theirs.expireAt
      }
      out.set(k, JSON.stringify(mine))
    }
    return out
  }
  return digestDiff(align(a, b), b)
}

describe.skipIf(skip)('MIGRATE', () => {
  let respite: RunningServer
  let redis: RedisProcess
  const targets: RedisProcess[] = []
  // In a process of its own: this one waits, blocked, for the target's answers.
  let respiteTarget: Running
  const dir = mkdtempSync(join(tmpdir(), 'respite-migrate-'))

  beforeAll(async () => {
    ;[respite, redis, respiteTarget] = await Promise.all([startRespite(), startRedis(), startCli(['--port', '0', '--save', '', '--dir', dir])])
    targets.push(...(await Promise.all([startRedis(), startRedis(), startRedis(['--requirepass', 'pw'])])))
  })
  afterAll(async () => {
    await Promise.all([respite?.close(), redis?.stop(), respiteTarget?.stop(), ...targets.map((t) => t.stop())])
    rmSync(dir, { recursive: true, force: true })
  })

  /** Runs `steps` against a source that migrates to `target`; the replies, errors as text. */
  async function replies(sourcePort: number, target: number, steps: (string | number)[][]): Promise<unknown[]> {
    const r = new Redis({ port: sourcePort, lazyConnect: false })
    const out: unknown[] = []
    try {
      for (const step of steps) {
        const args = step.map((a) => (a === 'TARGET' ? target : a))
        out.push(await r.call(String(args[0]), ...args.slice(1).map(String)).catch((e: Error) => `error: ${e.message}`))
      }
    } finally {
      r.disconnect()
    }
    return out
  }

  it('answers as redis-server does: OK, NOKEY, BUSYKEY, COPY, REPLACE, KEYS, AUTH and argument errors', async () => {
    const host = '127.0.0.1'
    const steps: (string | number)[][] = [
      ['FLUSHALL'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['PEXPIRE', 'b', 100000],
      ['MIGRATE', host, 'TARGET', 'a', 0, 1000], ['EXISTS', 'a'], ['MIGRATE', host, 'TARGET', 'a', 0, 1000],
      ['MIGRATE', host, 'TARGET', 'nokey', 0, 1000], ['SET', 'a', '1'], ['MIGRATE', host, 'TARGET', 'a', 0, 1000],
      ['MIGRATE', host, 'TARGET', 'a', 0, 1000, 'REPLACE', 'COPY'], ['EXISTS', 'a'],
      ['MIGRATE', host, 'TARGET', '', 0, 1000, 'KEYS', 'a', 'b', 'c'], ['EXISTS', 'a', 'b'],
      ['SET', 'c', '3'], ['MIGRATE', host, 'TARGET', '', 0, 1000, 'REPLACE', 'KEYS', 'c', 'a'], ['EXISTS', 'a', 'c'],
      ['SET', 'a', '1'], ['MIGRATE', host, 'TARGET', 'a', 0, 1000, 'KEYS', 'a'], ['MIGRATE', host, 'TARGET', 'a', 'x', 100],
      ['MIGRATE', host, 'TARGET', 'a', 0, 'x'], ['MIGRATE', host, 'TARGET', 'a', 0, 100, 'AUTH'],
      ['MIGRATE', host, 'TARGET', 'a', 0, 100, 'AUTH2', 'u'], ['MIGRATE', host, 'TARGET', 'a', 0, 100, 'FOO'],
      ['MIGRATE', host, 'TARGET', 'a', 0, 100, 'AUTH', 'pw'], ['MIGRATE', host, 'TARGET', 'a', 99, 100, 'REPLACE'],
      ['MIGRATE', host, 'TARGET', 'a', 3, 100, 'REPLACE'], ['EXISTS', 'a'],
    ]
    const ours = await replies(respite.port, targets[0].port, steps)
    const theirs = await replies(redis.port, targets[1].port, steps)
    expect(ours).toEqual(theirs)
    const [a, b] = await Promise.all([serverDigest(targets[0].port), serverDigest(targets[1].port)])
    expect(diffWithTtlSlack(a, b)).toEqual([])
    expect(a.size).toBeGreaterThan(2)
  })

  it('moves every type and encoding, with TTLs, to redis-server and to respite', async () => {
    const source = await connect(respite.port)
    try {
      await cmd(source, 'FLUSHALL')
      await populate(source)
      const expected = await serverDigest(respite.port)
      for (const target of [targets[0].port, respiteTarget.port]) {
        await cmd(await connect(target), 'FLUSHALL')
        for (let db = 0; db < 16; db++) {
          await cmd(source, 'SELECT', db)
          const keys = (await cmd(source, 'KEYS', '*')) as string[]
          if (keys.length === 0) continue
          expect(await cmd(source, 'MIGRATE', '127.0.0.1', target, '', db, 5000, 'COPY', 'KEYS', ...keys)).toBe('OK')
        }
        expect(diffWithTtlSlack(await serverDigest(target), expected)).toEqual([])
      }
      // Without COPY the keys leave the source.
      await cmd(source, 'SELECT', 0)
      const keys = (await cmd(source, 'KEYS', '*')) as string[]
      expect(await cmd(source, 'MIGRATE', '127.0.0.1', respiteTarget.port, '', 0, 5000, 'REPLACE', 'KEYS', ...keys)).toBe('OK')
      expect(await cmd(source, 'DBSIZE')).toBe(0)
    } finally {
      source.disconnect()
    }
  })

  it('COMMAND INFO and GETKEYS describe MIGRATE as Redis does', async () => {
    const cmds = [['COMMAND', 'INFO', 'MIGRATE'], ['COMMAND', 'GETKEYS', 'MIGRATE', 'h', '1', 'k', '0', '1'],
      ['COMMAND', 'GETKEYS', 'MIGRATE', 'h', '1', '', '0', '1', 'COPY', 'AUTH', 'pw', 'KEYS', 'a', 'b']]
    for (const proto of [2, 3] as const) {
      expect(await runDifferential(respite.port, redis.port, cmds, { proto }), `RESP${proto}`).toBeNull()
    }
  })

  it('authenticates with AUTH and AUTH2, and reuses its connection', async () => {
    const r = await connect(respite.port)
    try {
      await cmd(r, 'SET', 'k', 'v')
      expect(await cmd(r, 'MIGRATE', '127.0.0.1', targets[2].port, 'k', 0, 1000, 'COPY', 'REPLACE', 'AUTH', 'pw')).toBe('OK')
      expect(await cmd(r, 'MIGRATE', '127.0.0.1', targets[2].port, 'k', 0, 1000, 'COPY', 'REPLACE', 'AUTH2', 'default', 'pw')).toBe('OK')
      await expect(cmd(r, 'MIGRATE', '127.0.0.1', targets[2].port, 'k', 0, 1000, 'COPY', 'AUTH', 'wrong')).rejects.toThrow(
        /^ERR Target instance replied with error: WRONGPASS/)
      const t = new Redis({ port: targets[2].port, password: 'pw', lazyConnect: false })
      try {
        expect(await t.get('k')).toBe('v')
      } finally {
        t.disconnect()
      }
    } finally {
      r.disconnect()
    }
  })

  it('gives IOERR when the target does not answer in time, and keeps the key', async () => {
    const sockets: net.Socket[] = []
    const silent = net.createServer((s) => sockets.push(s))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as net.AddressInfo).port
    const r = await connect(respite.port)
    try {
      await cmd(r, 'SET', 'stay', 'here')
      await expect(cmd(r, 'MIGRATE', '127.0.0.1', port, 'stay', 0, 200)).rejects.toThrow('IOERR error or timeout reading to target instance')
      expect(await cmd(r, 'GET', 'stay')).toBe('here')
      // Nothing listens on the port of a closed server.
      await new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        silent.close(() => resolve())
      })
      await expect(cmd(r, 'MIGRATE', '127.0.0.1', port, 'stay', 0, 200)).rejects.toThrow(/^IOERR error or timeout/)
      expect(await cmd(r, 'PING')).toBe('PONG')
    } finally {
      r.disconnect()
    }
  })
})
