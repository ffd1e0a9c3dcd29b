import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RdbWriter } from '../../src/persistence/rdb-values.js'
import { writeEof, writeKey, writePreamble, writeSelect } from '../../src/persistence/rdb-file.js'
import { RespDouble, RespMap } from '../../src/resp/values.js'
import { BYTES_THRESHOLD, MutableString, Structured } from '../../src/store/types.js'
import { runCli, startCli } from '../helpers/cli.js'
import { cmd, connect, digestDiff, serverDigest } from '../helpers/digest.js'
import { call, infoField, until, useTempDirs } from '../helpers/fixture.js'
import { RawClient, resp } from '../helpers/raw.js'
import { missingTool, startRedis, startRespite, withServer } from '../helpers/servers.js'
import { populate } from './dataset.js'

/**
 * SAVE, BGSAVE, LASTSAVE, SHUTDOWN and save points over real files, INFO persistence,
 * and restarts: what an embedded server or the CLI saved comes back when the next one
 * starts in the same `dir`.
 */

const tempDir = useTempDirs('respite-snap')

describe('SAVE, BGSAVE, LASTSAVE and INFO persistence', () => {
  it('SAVE writes dbfilename in dir and resets the change count; BGSAVE [SCHEDULE] replies as Redis does', async () => {
    const dir = tempDir()
    await withServer({ config: { dir, dbfilename: 'snap.rdb' } }, async (s) => {
      const r = await connect(s.port)
      const started = Number(await cmd(r, 'LASTSAVE'))
      expect(Math.abs(started - Date.now() / 1000)).toBeLessThan(5)
      await cmd(r, 'SET', 'a', '1')
      await cmd(r, 'SET', 'b', '2')
      let info = (await cmd(r, 'INFO', 'persistence')) as string
      expect(infoField(info, 'rdb_changes_since_last_save')).toBe('2')
      expect(infoField(info, 'rdb_saves')).toBe('0')
      expect(await cmd(r, 'SAVE')).toBe('OK')
      expect(readFileSync(join(dir, 'snap.rdb')).latin1Slice(0, 9)).toBe('REDIS0010')
      info = (await cmd(r, 'INFO', 'persistence')) as string
      expect(infoField(info, 'rdb_changes_since_last_save')).toBe('0')
      expect(infoField(info, 'rdb_saves')).toBe('1')
      const saved = async () => infoField((await cmd(r, 'INFO', 'persistence')) as string, 'rdb_bgsave_in_progress') === '0'
      expect(await cmd(r, 'BGSAVE')).toBe('Background saving started')
      await until(saved, 'the background save to end')
      expect(await cmd(r, 'BGSAVE', 'SCHEDULE')).toBe('Background saving started')
      await until(saved, 'the background save to end')
      await expect(cmd(r, 'BGSAVE', 'x')).rejects.toThrow('ERR syntax error')
      info = (await cmd(r, 'INFO', 'persistence')) as string
      expect(infoField(info, 'rdb_last_bgsave_status')).toBe('ok')
      // Whole seconds at the end less whole seconds at the start, as Redis counts: a
      // save of two keys that straddles a second's edge reports 1.
      expect(['0', '1']).toContain(infoField(info, 'rdb_last_bgsave_time_sec'))
      expect(infoField(info, 'rdb_saves')).toBe('3')
      expect(Number(infoField(info, 'rdb_last_save_time'))).toBe(Number(await cmd(r, 'LASTSAVE')))
      await cmd(r, 'MULTI')
      await expect(cmd(r, 'SAVE')).rejects.toThrow('ERR Command not allowed inside a transaction')
      await cmd(r, 'DISCARD')
      r.disconnect()
    })
  })

  it('a save that cannot write answers -ERR, keeps the old file and reports the failed BGSAVE', async () => {
    const dir = tempDir()
    await withServer({ config: { dir } }, async (s) => {
      const r = await connect(s.port)
      await cmd(r, 'SET', 'k', 'v')
      expect(await cmd(r, 'SAVE')).toBe('OK')
      const before = readFileSync(join(dir, 'dump.rdb'))
      // A dir that has gone away: opening the temporary file fails, as any I/O error would.
      s.server.config.set('dir', join(dir, 'missing'), true)
      await cmd(r, 'SET', 'k', 'w')
      await expect(cmd(r, 'SAVE')).rejects.toThrow(/^ERR$/)
      expect(await cmd(r, 'BGSAVE')).toBe('Background saving started')
      const info = (await cmd(r, 'INFO', 'persistence')) as string
      expect(infoField(info, 'rdb_last_bgsave_status')).toBe('err')
      expect(infoField(info, 'rdb_changes_since_last_save')).toBe('1')
      expect(readdirSync(dir)).toEqual(['dump.rdb'])
      expect(readFileSync(join(dir, 'dump.rdb')).equals(before)).toBe(true)
      r.disconnect()
    })
  })

  it('save points: `save <seconds> <changes>` saves once both have passed', async () => {
    const dir = tempDir()
    await withServer({ config: { dir, save: '1 2', hz: '50' } }, async (s) => {
      const r = await connect(s.port)
      await cmd(r, 'SET', 'a', '1')
      await new Promise((res) => setTimeout(res, 2300))
      // One change is not enough.
      expect(existsSync(join(dir, 'dump.rdb'))).toBe(false)
      await cmd(r, 'SET', 'b', '2')
      await until(() => existsSync(join(dir, 'dump.rdb')), 'the save point to save', 3000)
      await until(async () => infoField((await cmd(r, 'INFO', 'persistence')) as string, 'rdb_changes_since_last_save') === '0', 'the change count to reset')
      r.disconnect()
    })
  })
})

describe.skipIf(missingTool('redis-server'))('a failed background save, as redis-server reports it', () => {
  it('MISCONF refuses writes and PING while save points are set; SAVE and SHUTDOWN answer -ERR', async () => {
    const replies: string[][] = []
    for (const kind of ['redis', 'respite'] as const) {
      const dir = tempDir()
      const gone = join(dir, 'gone')
      mkdirSync(gone)
      const redis = kind === 'redis' ? await startRedis(['--save', '3600 1', '--dir', gone]) : null
      const respite = kind === 'respite' ? await startRespite({ config: { save: '3600 1', dir: gone } }) : null
      const port = redis?.port ?? respite!.port
      rmSync(gone, { recursive: true })
      try {
        const first = await call(port, ['SET', 'a', '1'], ['BGSAVE'])
        await new Promise((res) => setTimeout(res, 300))
        const rest = await call(port, ['SET', 'a', '2'], ['PING'], ['GET', 'a'], ['SAVE'], ['INFO', 'persistence'],
          ['SHUTDOWN'], ['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no'], ['SET', 'a', '3'],
          ['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes'], ['CONFIG', 'SET', 'save', ''], ['SET', 'a', '4'])
        const info = rest[4]
        rest[4] = ['rdb_changes_since_last_save', 'rdb_last_bgsave_status', 'rdb_saves'].map((f) => `${f}:${infoField(info, f)}`).join(',')
        replies.push([...first, ...rest])
      } finally {
        await redis?.stop()
        await respite?.close()
      }
    }
    expect(replies[1]).toEqual(replies[0])
    expect(replies[0][2]).toMatch(/^-MISCONF /)
  })
})

describe.skipIf(missingTool('redis-server'))('FLUSHALL with save points', () => {
  it('saves the empty dataset at once, without counting it in rdb_saves, as redis-server does', async () => {
    const outcomes: unknown[] = []
    for (const kind of ['redis', 'respite'] as const) {
      const dir = tempDir()
      const redis = kind === 'redis' ? await startRedis(['--save', '3600 1', '--dir', dir]) : null
      const respite = kind === 'respite' ? await startRespite({ config: { save: '3600 1', dir } }) : null
      const port = redis?.port ?? respite!.port
      try {
        const replies = await call(port, ['SET', 'a', '1'], ['SET', 'b', '2'], ['FLUSHALL'], ['INFO', 'persistence'])
        const info = replies.pop()!
        const fields = ['rdb_changes_since_last_save', 'rdb_saves'].map((f) => `${f}:${infoField(info, f)}`)
        outcomes.push([replies, fields, existsSync(join(dir, 'dump.rdb'))])
      } finally {
        await redis?.stop()
        await respite?.close()
      }
    }
    expect(outcomes[1]).toEqual(outcomes[0])
    expect((outcomes[0] as unknown[])[2]).toBe(true)
  })
})

describe('restarts', () => {
  it('loads long strings as the store keeps them: as bytes, appended to in place', async () => {
    const dir = tempDir()
    const long = 'L'.repeat(BYTES_THRESHOLD + 5000)
    const length = long.length
    await withServer({ config: { dir } }, async (s) => {
      expect(await call(s.port, ['SET', 'long', long], ['SET', 'short', 'v'], ['SAVE'])).toEqual(['+OK\r\n', '+OK\r\n', '+OK\r\n'])
    })
    await withServer({ config: { dir } }, async (s) => {
      const db = s.server.store.db(0)
      expect(db.keys.get('long')).toBeInstanceOf(MutableString)
      expect(db.keys.get('short')).toBe('v')
      const held = db.keys.get('long')
      expect(await call(s.port, ['APPEND', 'long', 'x'], ['STRLEN', 'long'])).toEqual([`:${length + 1}\r\n`, `:${length + 1}\r\n`])
      expect(db.keys.get('long')).toBe(held)
    })
  })

  it('an embedded server saved with SHUTDOWN SAVE comes back key for key, structured values included', async () => {
    const dir = tempDir()
    const first = await startRespite({ config: { dir } })
    const r = await connect(first.port)
    await populate(r)
    const structured = new Structured([1, 'two', null, true, new RespMap(['k', new RespDouble(1.5)]), 12345678901234567890n])
    first.server.store.dbs[3].set('structured', structured)
    const expected = await serverDigest(first.port)
    await cmd(r, 'SHUTDOWN', 'SAVE').catch(() => null)
    r.disconnect()
    await until(() => first.server.isClosed, 'the server to close')
    await first.close()
    await withServer({ config: { dir } }, async (second) => {
      expect(digestDiff(expected, await serverDigest(second.port))).toEqual([])
      expect(second.server.store.dbs[3].get('structured')).toEqual(structured)
      expect(second.server.scripting.functions.libraries.has('rdblib')).toBe(true)
    })
  })

  it('SHUTDOWN saves by default only when save points are configured; NOSAVE never does', async () => {
    const dir = tempDir()
    for (const [config, args, saved] of [[{}, [], false], [{ save: '3600 1' }, ['NOSAVE'], false], [{ save: '3600 1' }, [], true]] as const) {
      rmSync(join(dir, 'dump.rdb'), { force: true })
      const s = await startRespite({ config: { dir, ...config } })
      const c = await RawClient.connect(s.port)
      c.write(resp('SET', 'k', 'v'))
      c.write(resp('SHUTDOWN', ...args))
      expect(await c.waitClosed()).toBe(true)
      await s.close()
      expect(existsSync(join(dir, 'dump.rdb')), JSON.stringify([config, args])).toBe(saved)
    }
  })

  it('the CLI loads dir/dbfilename at start-up, logging the keys loaded, and saves on SIGTERM with save points', async () => {
    const dir = tempDir()
    const first = await startCli(['--port', '0', '--dir', dir, '--save', '3600', '1'])
    try {
      const r = await connect(first.port)
      await cmd(r, 'SET', 'k', 'v')
      await cmd(r, 'RPUSH', 'l', 'a', 'b')
      r.disconnect()
      first.child.kill('SIGTERM')
      expect(await first.exited).toBe(0)
      expect(first.log()).toContain('Saving the final RDB snapshot before exiting.')
      expect(first.log()).toContain('DB saved on disk')
    } finally {
      await first.stop()
    }
    const second = await startCli(['--port', '0', '--dir', dir])
    try {
      expect(second.log()).toMatch(/Done loading RDB, keys loaded: 2, keys expired: 0\./)
      expect(second.log()).toMatch(/DB loaded from disk: \d+\.\d{3} seconds/)
      const r = await connect(second.port)
      expect(await cmd(r, 'LRANGE', 'l', 0, -1)).toEqual(['a', 'b'])
      r.disconnect()
    } finally {
      await second.stop()
    }
  })

  it('a corrupt dump.rdb stops the CLI with exit code 1 and the embedded server with an error', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'dump.rdb'), Buffer.concat([Buffer.from('REDIS0010'), Buffer.from([0xfa, 0x05, 0x61])]))
    const run = runCli(['--port', '0', '--dir', dir])
    expect(run.status).toBe(1)
    expect(run.stdout + run.stderr).toMatch(/Short read or corrupt RDB file .*dump\.rdb/)
    await expect(startRespite({ config: { dir } })).rejects.toThrow(/corrupt RDB file/)
    expect(statSync(join(dir, 'dump.rdb')).size).toBe(12)
  })

  it('refuses a key that comes twice, however far apart, and loads keys of a database past 255 where they belong', async () => {
    // The loader stores keys in batches of thousands: these files span several.
    const image = (keys: [number, string][]): Buffer => {
      const w = new RdbWriter(false)
      writePreamble(w, { compress: false, checksum: false, functions: [], usedMemory: 0 })
      let db = -1
      for (const [d, k] of keys) {
        if (d !== db) writeSelect(w, (db = d), null)
        writeKey(w, k, `v-${k}`, undefined)
      }
      writeEof(w)
      return Buffer.concat([w.take(), Buffer.alloc(8)])
    }
    const many = Array.from({ length: 10000 }, (_, i): [number, string] => [0, `k${i}`])
    const dir = tempDir()
    writeFileSync(join(dir, 'dump.rdb'), image([...many, [0, 'k5']]))
    await expect(startRespite({ config: { dir } })).rejects.toThrow(/Duplicate key 'k5'/)
    const far = tempDir()
    writeFileSync(join(far, 'dump.rdb'), image([...many, [299, 'far'], [0, 'last']]))
    await withServer({ databases: 300, config: { dir: far } }, async (s) => {
      const r = await connect(s.port)
      expect(await cmd(r, 'DBSIZE')).toBe(10001)
      expect(await cmd(r, 'GET', 'last')).toBe('v-last')
      await cmd(r, 'SELECT', 299)
      expect(await cmd(r, 'GET', 'far')).toBe('v-far')
      expect(await cmd(r, 'DBSIZE')).toBe(1)
      r.disconnect()
    })
  })
})
