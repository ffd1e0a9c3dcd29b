import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { runDifferential } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'
import { startRespite } from '../helpers/servers.js'
import { populate } from '../persistence/dataset.js'

/**
 * DEBUG: the subcommands test suites use, byte for byte against redis-server where the
 * reply does not depend on memory layout (PROTOCOL, ERROR, POPULATE, errors), and
 * DIGEST / RELOAD on respite alone: the digest is our own construction, so what is
 * checked is that equal data digests equal and a reload keeps everything.
 */

const skip = missingTool('redis-server') !== null
const dir = mkdtempSync(join(tmpdir(), 'respite-debug-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const ZEROS = '0'.repeat(40)

describe.skipIf(skip)('DEBUG against redis-server (enable-debug-command yes)', () => {
  const servers = useRespiteAndRedis({ config: { 'enable-debug-command': 'yes', dir } }, ['--enable-debug-command', 'yes'])

  it('DEBUG PROTOCOL of every type, DEBUG ERROR, POPULATE, DIGEST-VALUE of missing keys and argument errors (RESP2 and RESP3)', async () => {
    const cmds: string[][] = []
    for (const t of ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false', 'nope', 'MAP']) {
      cmds.push(['DEBUG', 'PROTOCOL', t])
    }
    cmds.push(
      ['DEBUG', 'ERROR', 'FOO bar'], ['DEBUG', 'ERROR', 'plain'], ['DEBUG', 'LOG', 'from the test'],
      ['FLUSHALL'], ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE'], ['DEBUG', 'DIGEST-VALUE', 'missing', 'other'],
      ['DEBUG', 'POPULATE', '3'], ['GET', 'key:0'], ['GET', 'key:2'], ['DBSIZE'],
      ['DEBUG', 'POPULATE', '2', 'p', '10'], ['GET', 'p:1'], ['DEBUG', 'POPULATE', '2', 'q', '3'], ['GET', 'q:0'],
      ['SET', 'key:1', 'mine'], ['DEBUG', 'POPULATE', '3'], ['GET', 'key:1'],
      ['DEBUG', 'POPULATE', 'abc'], ['DEBUG', 'POPULATE', '-1'], ['DEBUG', 'POPULATE', '1', 'x', '-2'],
      ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'SLEEP', 'abc'], ['DEBUG', 'SLEEP', '0.01'], ['DEBUG', 'SLEEP'], ['DEBUG', 'SLEEP', '0', '1'],
      ['DEBUG', 'OBJECT'], ['DEBUG', 'OBJECT', 'nokey'], ['DEBUG', 'DIGEST', 'x'], ['DEBUG', 'Bogus'], ['DEBUG', 'JMAP'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'], ['DEBUG', 'SET-ACTIVE-EXPIRE'],
      ['DEBUG', 'RELOAD', 'bogus'], ['DEBUG'],
    )
    for (const proto of [2, 3] as const) {
      expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto }), `RESP${proto}`).toBeNull()
    }
  })

  // Values LZF would not shorten: our compressor's output differs from Redis's in length.
  it('DEBUG OBJECT reports the encoding and serialized length Redis does for simple values', async () => {
    const clients = [servers.respite.port, servers.redis.port].map((port) => new Redis({ port, lazyConnect: false }))
    try {
      const lines: string[][] = []
      for (const r of clients) {
        await r.flushall()
        await r.set('s', 'v')
        // 60 distinct bytes: nothing for LZF to shorten.
        await r.set('long', Array.from({ length: 60 }, (_, i) => String.fromCharCode(33 + i)).join(''))
        await r.set('n', '12345')
        await r.hset('h', 'a', '1')
        await r.rpush('l', 'a', 'b', 'c')
        const out: string[] = []
        for (const k of ['s', 'long', 'n', 'h', 'l']) {
          const line = (await r.call('DEBUG', 'OBJECT', k)) as string
          out.push(line.replace(/Value at:0x[0-9a-f]+ /, '').replace(/ lru:\d+/, ''))
        }
        lines.push(out)
      }
      expect(lines[0]).toEqual(lines[1])
    } finally {
      for (const r of clients) r.disconnect()
    }
  })
})

describe('DEBUG on respite', () => {
  it('is refused unless enable-debug-command allows it, with Redis text', async () => {
    const s = await startRespite({})
    const r = new Redis({ port: s.port, lazyConnect: false })
    try {
      await expect(r.call('DEBUG', 'DIGEST')).rejects.toThrow(/^ERR DEBUG command not allowed\. If the enable-debug-command option is set to "local"/)
    } finally {
      r.disconnect()
      await s.close()
    }
    // "local" allows it from a loopback connection.
    const local = await startRespite({ config: { 'enable-debug-command': 'local' } })
    const l = new Redis({ port: local.port, host: '127.0.0.1', lazyConnect: false })
    try {
      expect(await l.call('DEBUG', 'DIGEST')).toBe(ZEROS)
    } finally {
      l.disconnect()
      await local.close()
    }
  })

  it('DIGEST is equal for equal data built in any order, changes with any write, and survives DEBUG RELOAD', async () => {
    const reloadDir = mkdtempSync(join(dir, 'reload-'))
    const s = await startRespite({ config: { 'enable-debug-command': 'yes', dir: reloadDir } })
    const r = new Redis({ port: s.port, lazyConnect: false })
    try {
      expect(await r.call('DEBUG', 'DIGEST')).toBe(ZEROS)
      await r.hset('h1', 'a', '1', 'b', '2')
      await r.sadd('s1', 'x', 'y', 'z')
      const first = await r.call('DEBUG', 'DIGEST')
      await r.flushall()
      await r.sadd('s1', 'z', 'x', 'y')
      await r.hset('h1', 'b', '2', 'a', '1')
      expect(await r.call('DEBUG', 'DIGEST')).toBe(first)
      expect(await r.call('DEBUG', 'DIGEST-VALUE', 'h1', 'nokey')).toEqual([expect.stringMatching(/^[0-9a-f]{40}$/), ZEROS])
      await r.hset('h1', 'a', '3')
      expect(await r.call('DEBUG', 'DIGEST')).not.toBe(first)
      await r.hset('h1', 'a', '1')
      expect(await r.call('DEBUG', 'DIGEST')).toBe(first)
      await r.expire('h1', 1000)
      expect(await r.call('DEBUG', 'DIGEST')).not.toBe(first)

      // Every type and encoding, several databases, a function library: RELOAD keeps them all.
      await r.flushall()
      await populate(r)
      await r.select(0)
      const before = await r.call('DEBUG', 'DIGEST')
      const keys = await r.dbsize()
      expect(await r.call('DEBUG', 'RELOAD')).toBe('OK')
      expect(await r.call('DEBUG', 'DIGEST')).toBe(before)
      expect(await r.dbsize()).toBe(keys)
      expect(JSON.stringify(await r.call('FUNCTION', 'LIST'))).toContain('rdblib')
      // NOSAVE loads the file as it was; MERGE keeps keys the file does not have.
      await r.set('extra', '1')
      expect(await r.call('DEBUG', 'RELOAD', 'NOSAVE')).toBe('OK')
      expect(await r.exists('extra')).toBe(0)
      expect(await r.call('DEBUG', 'DIGEST')).toBe(before)
      await r.set('extra', '1')
      expect(await r.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE')).toBe('OK')
      expect(await r.get('extra')).toBe('1')
    } finally {
      r.disconnect()
      await s.close()
    }
  })

  it('DEBUG SET-ACTIVE-EXPIRE 0 leaves expired keys until they are looked up', async () => {
    const s = await startRespite({ config: { 'enable-debug-command': 'yes', hz: 100 } })
    const r = new Redis({ port: s.port, lazyConnect: false })
    try {
      expect(await r.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('OK')
      await r.set('k', 'v', 'PX', 5)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(await r.dbsize()).toBe(1)
      expect(await r.get('k')).toBeNull()
      expect(await r.dbsize()).toBe(0)
      expect(await r.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toBe('OK')
    } finally {
      r.disconnect()
      await s.close()
    }
  })
})
