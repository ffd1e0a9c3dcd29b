import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { AofLoadError, loadAofFile } from '../../src/persistence/aof-load.js'
import { rng } from '../helpers/differential.js'
import { until } from '../helpers/fixture.js'
import { startRespite } from '../helpers/servers.js'
import { populate } from './dataset.js'

/**
 * The AOF loader on damaged files: a real base (an RDB preamble) and incremental file
 * of every type, truncated at random points and with random bytes flipped, are loaded
 * one by one. Each must load, load cut back to its last complete command, or stop with
 * an AofLoadError (Redis's messages); no other exception, no hang, and the server
 * serves on afterwards. AOF_FUZZ=<iterations> and AOF_FUZZ_SEED=<n> run a longer or
 * different search.
 */

const dir = mkdtempSync(join(tmpdir(), 'respite-aof-fuzz-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('AOF loader fuzz', () => {
  it('truncated and bit-flipped base and incremental files end in a load or a clean AofLoadError', { timeout: 60_000 }, async () => {
    // A real directory: a base written as an RDB image, then an incremental file.
    const source = await startRespite({ config: { dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'yes' } })
    const r = new Redis({ port: source.port, lazyConnect: false })
    try {
      await populate(r)
      await r.call('BGREWRITEAOF')
      await until(() => !source.server.aof!.rewriteInProgress, 'the AOF rewrite to finish')
      await r.select(0)
      await r.set('after', 'rewrite', 'PX', 100000)
      await r.rpush('list2', 'a', 'b', 'c')
      await r.multi().incr('n').hset('h2', 'f', 'v').exec()
      await r.xadd('stream2', '*', 'f', 'v')
    } finally {
      r.disconnect()
      await source.close()
    }
    const aofDir = join(dir, 'appendonlydir')
    const names = readdirSync(aofDir)
    const base = readFileSync(join(aofDir, names.find((n) => n.includes('.base.'))!))
    const incr = readFileSync(join(aofDir, names.find((n) => n.includes('.incr.'))!))
    expect(base.subarray(0, 5).toString()).toBe('REDIS')
    expect(incr.length).toBeGreaterThan(50)

    const target = await startRespite({ config: { 'aof-load-truncated': 'yes' } })
    const random = rng(Number(process.env.AOF_FUZZ_SEED ?? 1234))
    const outcomes = { loaded: 0, refused: 0 }
    try {
      for (let i = 0; i < Number(process.env.AOF_FUZZ ?? 400); i++) {
        const original = random.chance(0.5) ? base : incr
        let bytes = Buffer.from(original)
        if (random.chance(0.5)) bytes = bytes.subarray(0, random.int(bytes.length))
        else for (let k = 1 + random.int(3); k > 0; k--) bytes[random.int(bytes.length)] ^= 1 << random.int(8)
        const path = join(dir, `fuzz-${i}.aof`)
        writeFileSync(path, bytes)
        try {
          loadAofFile(target.server, path, `fuzz-${i}.aof`, random.chance(0.5))
          outcomes.loaded++
        } catch (e) {
          if (!(e instanceof AofLoadError)) throw new Error(`iteration ${i}: ${(e as Error).stack}`)
          outcomes.refused++
        }
        rmSync(path, { force: true })
        for (const db of target.server.store.dbs) db.empty()
        target.server.scriptingIfStarted?.functionsIfLoaded?.flush()
      }
      expect(outcomes.loaded).toBeGreaterThan(0)
      expect(outcomes.refused).toBeGreaterThan(0)
      const t = new Redis({ port: target.port, lazyConnect: false })
      try {
        expect(await t.ping()).toBe('PONG')
      } finally {
        t.disconnect()
      }
    } finally {
      await target.close()
    }
  })
})
