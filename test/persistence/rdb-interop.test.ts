import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cmd, connect, digestDiff, serverDigest } from '../helpers/digest.js'
import { call, useTempDirs } from '../helpers/fixture.js'
import { missingTool, startRedis, startRespite } from '../helpers/servers.js'
import { LIBRARY, populate } from './dataset.js'

/**
 * RDB files both ways between respite and redis-server 7.0.15: the same dataset
 * (every type and encoding, see dataset.ts) saved by one server loads into the other
 * with identical per-key digests, and redis-check-rdb accepts respite's file. Then
 * DUMP payloads both ways, key by key.
 */

const skip = missingTool('redis-server')
const tempDir = useTempDirs('respite-rdb')

async function functionCode(port: number): Promise<unknown> {
  const r = await connect(port)
  try {
    return await cmd(r, 'FUNCTION', 'LIST', 'WITHCODE')
  } finally {
    r.disconnect()
  }
}

describe.skipIf(skip)('RDB interop with redis-server 7.0.15', () => {
  it('loads a dump.rdb written by redis-server, key for key', async () => {
    const dir = tempDir()
    const redis = await startRedis(['--dir', dir])
    let expected: Map<string, string>
    try {
      const r = await connect(redis.port)
      await populate(r)
      expect(await cmd(r, 'SAVE')).toBe('OK')
      r.disconnect()
      expected = await serverDigest(redis.port)
    } finally {
      await redis.stop()
    }
    const respite = await startRespite({ config: { dir } })
    try {
      const actual = await serverDigest(respite.port)
      expect(digestDiff(expected, actual)).toEqual([])
      expect(expected.size).toBeGreaterThan(30)
      expect(JSON.stringify(await functionCode(respite.port))).toContain('rdbfn')
      const r = await connect(respite.port)
      const info = (await cmd(r, 'INFO', 'persistence')) as string
      r.disconnect()
      expect(info).toContain(`rdb_last_load_keys_loaded:${expected.size}`)
      // Stream nodes are kept as the file had them (deleted entries counted), so
      // appending and approximate trimming after the load go as in a reloaded Redis.
      const reloaded = await startRedis(['--dir', dir])
      try {
        const commands = [['XADD', 'x:s', '9999-1', 'f', 'v'], ['XTRIM', 'x:s', 'MAXLEN', '~', '120'], ['XLEN', 'x:s'],
          ['XINFO', 'STREAM', 'x:s'], ['XADD', 'x:s', 'MAXLEN', '~', '10', '9999-2', 'g', 'w'], ['XRANGE', 'x:s', '-', '+', 'COUNT', '3']]
        expect(await call(respite.port, ...commands)).toEqual(await call(reloaded.port, ...commands))
      } finally {
        await reloaded.stop()
      }
    } finally {
      await respite.close()
    }
  })

  it('writes a dump.rdb that redis-server loads and redis-check-rdb accepts', async () => {
    for (const compression of ['yes', 'no']) {
      const dir = tempDir()
      const respite = await startRespite({ config: { dir, rdbcompression: compression } })
      let expected: Map<string, string>
      try {
        const r = await connect(respite.port)
        await populate(r)
        expect(await cmd(r, 'SAVE')).toBe('OK')
        r.disconnect()
        expected = await serverDigest(respite.port)
      } finally {
        await respite.close()
      }
      const file = join(dir, 'dump.rdb')
      expect(existsSync(file)).toBe(true)
      if (missingTool('redis-check-rdb') === null) {
        const check = spawnSync('redis-check-rdb', [file], { encoding: 'latin1' })
        expect(check.stdout + check.stderr).toContain('RDB looks OK!')
        expect(check.status).toBe(0)
      }
      const redis = await startRedis(['--dir', dir])
      try {
        const actual = await serverDigest(redis.port)
        expect(digestDiff(expected, actual)).toEqual([])
        expect(JSON.stringify(await functionCode(redis.port))).toContain(JSON.stringify(LIBRARY).slice(1, 30))
      } finally {
        await redis.stop()
      }
    }
  })

  it('DUMP payloads restore across servers in both directions, every type', async () => {
    const redis = await startRedis()
    const respite = await startRespite()
    try {
      const a = await connect(redis.port)
      const b = await connect(respite.port)
      await populate(a)
      await populate(b)
      for (const [from, to, fromPort, toPort] of [[a, b, redis.port, respite.port], [b, a, respite.port, redis.port]] as const) {
        const before = await serverDigest(fromPort, 1)
        const keys = (await cmd(from, 'KEYS', '*')) as string[]
        await cmd(to, 'SELECT', 0)
        await cmd(to, 'FLUSHDB')
        for (const key of keys) {
          const payload = await from.dumpBuffer(key)
          const ttl = (await cmd(from, 'PEXPIRETIME', key)) as number
          expect(await cmd(to, 'RESTORE', key, ttl > 0 ? ttl : 0, payload!, ...(ttl > 0 ? ['ABSTTL'] : []))).toBe('OK')
        }
        const after = await serverDigest(toPort, 1)
        expect(digestDiff(before, after)).toEqual([])
      }
      a.disconnect()
      b.disconnect()
    } finally {
      await redis.stop()
      await respite.close()
    }
  })
})
