import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { cmd, connect } from '../helpers/digest.js'
import { call, infoField, until, useTempDirs } from '../helpers/fixture.js'
import { missingTool, startRedis, startRespite, withServer } from '../helpers/servers.js'
import { fastDigest, fileKeys, imageAtNextSave, mapDiff, random } from './bgsave-helpers.js'

/**
 * BGSAVE without a fork (persistence/background-save.ts): the file it writes while
 * clients keep changing the data is the data as it was when BGSAVE ran, key for key,
 * as respite and redis-server load it; and the replies and INFO fields around a save
 * in progress are redis-server's.
 */

const tempDir = useTempDirs('respite-bgsave')

/** About 200k keys of every type over databases 0 to 4, some with long TTLs. */
async function load(r: Redis): Promise<void> {
  const rand = random(12)
  let p = r.pipeline()
  let queued = 0
  const add = async (...args: (string | number)[]): Promise<void> => {
    p.call(String(args[0]), ...args.slice(1).map(String))
    if (++queued % 5000 === 0) {
      await p.exec()
      p = r.pipeline()
    }
  }
  await add('SELECT', 0)
  for (let i = 0; i < 100_000; i++) {
    // Short strings; strings of 14-18 bytes, in slots from 16 on (written raw); longer ones (compressed).
    const v = i % 3 === 0 ? String(i) : i % 3 === 1 ? `value-${i}-padded` : `long-${'x'.repeat(40 + (i % 60))}-${i}`
    await add('SET', `s:${i}`, v)
    if (i % 10 === 0) await add('EXPIRE', `s:${i}`, 3600 + (i % 100))
  }
  for (let i = 0; i < 20_000; i++) {
    await add('HSET', `h:${i}`, 'a', i, 'b', `v${i}`, 'c', 'x'.repeat(i % 80))
    await add('RPUSH', `l:${i}`, 'a', i, `item-${i}`)
    await add('SADD', `set:${i}`, ...(i % 2 ? [1, 2, i] : ['a', 'b', `m${i}`]))
    await add('ZADD', `z:${i}`, 1, 'a', rand() * 100, `m${i}`, -2.5, 'c')
  }
  for (let i = 0; i < 200; i++) {
    const f: (string | number)[] = []
    for (let j = 0; j < 700; j++) f.push(`f${j}`, j)
    await add('HSET', `hbig:${i}`, ...f)
    await add('RPUSH', `lbig:${i}`, ...Array.from({ length: 300 }, (_, j) => `e${j}`))
    await add('ZADD', `zbig:${i}`, ...Array.from({ length: 300 }, (_, j) => [j * 1.5, `m${j}`]).flat())
  }
  for (let i = 0; i < 500; i++) {
    for (let j = 1; j <= 5; j++) await add('XADD', `x:${i}`, `${j}-1`, 'n', j)
    await add('XGROUP', 'CREATE', `x:${i}`, 'g', '0')
    await add('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 2, 'STREAMS', `x:${i}`, '>')
  }
  for (let i = 0; i < 2000; i++) await add('SETBIT', `b:${i}`, (i * 37) % 5000, 1)
  for (let i = 0; i < 500; i++) await add('PFADD', `hll:${i}`, 'a', 'b', `c${i}`)
  for (const [db, n] of [[1, 10_000], [2, 5000], [3, 3000], [4, 2000]]) {
    await add('SELECT', db)
    for (let i = 0; i < n; i++) await add('SET', `d${db}:${i}`, `v${i}`)
  }
  await add('SELECT', 0)
  await p.exec()
}

/**
 * Writers during the save: every kind of change to keys present at the start (the
 * old values must be in the file) and new keys (which must not be), from plain
 * commands, MULTI/EXEC and a script touching keys it did not declare; reads of keys
 * whose TTL has passed (lazy expiry); FLUSHDB, SWAPDB, MOVE and COPY across databases.
 */
async function write(r: Redis, seed: number, running: () => boolean): Promise<number> {
  const rand = random(seed)
  const n = (m: number) => Math.floor(rand() * m)
  let done = 0
  while (running()) {
    const p = r.pipeline()
    for (let j = 0; j < 20; j++) {
      const op = n(24)
      const i = n(100_000)
      const k = n(20_000)
      switch (op) {
        case 0: p.set(`s:${i}`, 'changed'); break
        case 1: p.del(`s:${i}`); break
        case 2: p.pexpire(`s:${i}`, 1); break
        case 3: p.set(`new:${seed}:${done}:${j}`, 'created'); break
        case 4: p.hset(`h:${k}`, 'a', 'changed', 'new', 'field'); break
        case 5: p.lpush(`l:${k}`, 'pushed'); break
        case 6: p.sadd(`set:${k}`, 'added'); break
        case 7: p.zadd(`z:${k}`, 42, 'added'); break
        case 8: p.xadd(`x:${n(500)}`, '*', 'new', 'entry'); break
        case 9: p.xack(`x:${n(500)}`, 'g', '1-1'); break
        case 10: p.append(`s:${i}`, '-appended'); break
        case 11: p.setbit(`b:${n(2000)}`, 9999, 1); break
        case 12: p.rename(`s:${i}`, `renamed:${seed}:${done}:${j}`); break
        case 13: p.call('MULTI'); p.set(`s:${i}`, 'in-exec'); p.del(`h:${k}`); p.lpop(`l:${k}`); p.call('EXEC'); break
        case 14: p.eval("redis.call('del', KEYS[1]); redis.call('hset', 'h:' .. ARGV[1], 'lua', '1'); redis.call('set', 'lua:' .. ARGV[2], 'x'); return 1", 1, `set:${k}`, String(n(20_000)), `${seed}:${done}:${j}`); break
        case 15: p.hset(`hbig:${n(200)}`, 'f1', 'changed'); break
        case 16: p.rpush(`lbig:${n(200)}`, 'more'); break
        case 17: p.zincrby(`zbig:${n(200)}`, 1, 'm7'); break
        case 18: p.move(`s:${i}`, 1); break
        case 19: p.copy(`s:${i}`, `d1:${n(10_000)}`, 'DB', 1, 'REPLACE'); break
        case 20: p.get(`t:${n(2000)}`); break
        case 21: p.persist(`s:${i}`); break
        case 22: p.incr(`s:${i - (i % 3)}`); break
        case 23: p.pfadd(`hll:${n(500)}`, `z${done}`); break
      }
    }
    await p.exec()
    done += 20
  }
  return done
}

describe('BGSAVE writes the data as it was when it ran', () => {
  it('200k keys of every type, changed, deleted, expired and created by writers during the save', async () => {
    const dir = tempDir()
    const expectedDir = join(dir, 'expected')
    mkdirSync(expectedDir)
    let expectedImage!: Buffer
    let writes = 0
    await withServer({ config: { dir, hz: '50' } }, async (s) => {
      const r = await connect(s.port)
      await load(r)
      // Keys whose time passes during the save: the active cycle and the writers' GETs remove them.
      const p = r.pipeline()
      for (let i = 0; i < 2000; i++) p.set(`t:${i}`, `t${i}`, 'PX', 150 + (i % 100))
      await p.exec()
      const others = await Promise.all([0, 1, 2, 3].map(() => connect(s.port)))
      // The state when BGSAVE runs.
      const at = imageAtNextSave(s.server)
      const running = () => s.server.snapshots.background !== null
      const started = await cmd(r, 'BGSAVE')
      expect(started).toBe('Background saving started')
      expectedImage = at.image!
      expect(running()).toBe(true)
      const info = (await cmd(r, 'INFO', 'persistence')) as string
      expect(infoField(info, 'rdb_bgsave_in_progress')).toBe('1')
      expect(Number(infoField(info, 'current_save_keys_total'))).toBeGreaterThan(200_000)
      // Flushes and swaps across databases, while the save is on.
      const admin = await connect(s.port)
      const special = (async () => {
        await cmd(admin, 'SELECT', 2)
        await cmd(admin, 'SET', 'd2:0', 'before-flush')
        expect(await cmd(admin, 'FLUSHDB')).toBe('OK')
        await cmd(admin, 'SET', 'after-flush', '1')
        await cmd(admin, 'SWAPDB', 3, 4)
        await cmd(admin, 'SELECT', 3)
        await cmd(admin, 'SET', 'd4:1', 'after-swap')
        await cmd(admin, 'DEL', 'd4:2')
        await cmd(admin, 'SELECT', 4)
        await cmd(admin, 'SET', 'd3:1', 'after-swap')
      })()
      const counts = await Promise.all(others.map((o, i) => write(o, 100 + i, running)))
      await special
      writes = counts.reduce((a, b) => a + b, 0)
      for (const o of [...others, admin]) o.disconnect()
      const after = (await cmd(r, 'INFO', 'persistence')) as string
      expect(infoField(after, 'rdb_last_bgsave_status')).toBe('ok')
      expect(infoField(after, 'rdb_bgsave_in_progress')).toBe('0')
      // The changes made during the save are still to be saved.
      expect(Number(infoField(after, 'rdb_changes_since_last_save'))).toBeGreaterThan(0)
      r.disconnect()
    })
    // The writers had time to hit the save: thousands of commands ran while it did.
    expect(writes).toBeGreaterThan(1000)
    const file = join(dir, 'dump.rdb')
    const saved = readFileSync(file)
    const diff = mapDiff(fileKeys(expectedImage), fileKeys(saved))
    expect(diff).toEqual([])
    expect(readdirSync(dir).sort()).toEqual(['dump.rdb', 'expected'])
    if (missingTool('redis-check-rdb') === null) {
      const check = spawnSync('redis-check-rdb', [file], { encoding: 'latin1' })
      expect(check.stdout + check.stderr).toContain('RDB looks OK!')
    }
    // Loaded by respite and redis-server, as the expected image loads.
    writeFileSync(join(expectedDir, 'dump.rdb'), expectedImage)
    const expected = await withServer({ config: { dir: expectedDir } }, (e) => fastDigest(e.port, 5))
    expect(expected.size).toBeGreaterThan(200_000)
    const fromRespite = await withServer({ config: { dir } }, (e) => fastDigest(e.port, 5))
    expect(mapDiff(expected, fromRespite)).toEqual([])
    if (missingTool('redis-server') === null) {
      const redis = await startRedis(['--dir', dir])
      try {
        expect(mapDiff(expected, await fastDigest(redis.port, 5))).toEqual([])
      } finally {
        await redis.stop()
      }
    }
  }, 240_000)

  it('keys whose time passes during the save are in the file with their TTL', async () => {
    const dir = tempDir()
    await withServer({ config: { dir, hz: '100', 'rdb-key-save-delay': '400' } }, async (s) => {
      const r = await connect(s.port)
      const p = r.pipeline()
      for (let i = 0; i < 1000; i++) p.set(`k:${i}`, 'v', 'PX', 300)
      for (let i = 0; i < 1000; i++) p.set(`keep:${i}`, 'v')
      await p.exec()
      const at = imageAtNextSave(s.server)
      expect(await cmd(r, 'BGSAVE')).toBe('Background saving started')
      const expected = fileKeys(at.image!)
      expect(expected.size).toBeGreaterThan(1000)
      // The save takes about 800 ms; the active cycle removes the short-lived keys meanwhile.
      await until(async () => Number(await cmd(r, 'DBSIZE')) === 1000, 'the active cycle to remove the keys', 3000)
      expect(s.server.snapshots.background).not.toBe(null)
      await until(() => s.server.snapshots.background === null, 'the save to end', 10_000)
      expect(mapDiff(expected, fileKeys(readFileSync(join(dir, 'dump.rdb'))))).toEqual([])
      r.disconnect()
    })
  })

  it('keys created during the save outnumber those at its start: the image holds only the first', async () => {
    const dir = tempDir()
    // 1,000 keys at the start, then 10,000 new ones and every old one changed or deleted
    // while the save is held open (200 ms for the old keys): the settled keys' tables
    // grow several times over. The walk passes the new keys too, settled unwritten.
    await withServer({ config: { dir, 'rdb-key-save-delay': '200' } }, async (s) => {
      const r = await connect(s.port)
      let p = r.pipeline()
      for (let i = 0; i < 1000; i++) p.set(`old:${i}`, `v${i}`)
      await p.exec()
      const at = imageAtNextSave(s.server)
      expect(await cmd(r, 'BGSAVE')).toBe('Background saving started')
      const expected = fileKeys(at.image!)
      expect(expected.size).toBe(1000)
      p = r.pipeline()
      for (let i = 0; i < 10_000; i++) p.set(`new:${i}`, 'created')
      for (let i = 0; i < 1000; i++) {
        if (i % 2 === 0) p.set(`old:${i}`, 'changed')
        else p.del(`old:${i}`)
      }
      await p.exec()
      expect(s.server.snapshots.background).not.toBe(null)
      await until(() => s.server.snapshots.background === null, 'the save to end', 10_000)
      expect(mapDiff(expected, fileKeys(readFileSync(join(dir, 'dump.rdb'))))).toEqual([])
      expect(Number(await cmd(r, 'DBSIZE'))).toBe(10_500)
      r.disconnect()
    })
  })

  it('a value changed in place by a blocked client served during the save (BLMOVE destination)', async () => {
    const dir = tempDir()
    await withServer({ config: { dir, 'rdb-key-save-delay': '2000' } }, async (s) => {
      const r = await connect(s.port)
      const b = await connect(s.port)
      const p = r.pipeline()
      for (let i = 0; i < 200; i++) p.rpush(`l:${i}`, 'a', 'b')
      await p.exec()
      const at = imageAtNextSave(s.server)
      const blocked = cmd(b, 'BLMOVE', 'src', 'l:199', 'LEFT', 'LEFT', 0)
      await until(async () => infoField((await cmd(r, 'INFO', 'clients')) as string, 'blocked_clients') === '1', 'BLMOVE to block')
      // The image is of now: the blocked client has changed nothing yet.
      expect(await cmd(r, 'BGSAVE')).toBe('Background saving started')
      const expected = fileKeys(at.image!)
      await cmd(r, 'LPUSH', 'src', 'x')
      expect(await blocked).toBe('x')
      expect(await cmd(r, 'LRANGE', 'l:199', 0, -1)).toEqual(['x', 'a', 'b'])
      await until(() => s.server.snapshots.background === null, 'the save to end', 10_000)
      expect(mapDiff(expected, fileKeys(readFileSync(join(dir, 'dump.rdb'))))).toEqual([])
      r.disconnect()
      b.disconnect()
    })
  })
})

describe('around a save in progress', () => {
  it('INFO persistence counts the save; lastsave and the change count move when it ends', async () => {
    const dir = tempDir()
    await withServer({ config: { dir, 'rdb-key-save-delay': '1000' } }, async (s) => {
      const r = await connect(s.port)
      for (let i = 0; i < 1500; i++) await cmd(r, 'SET', `k${i}`, i)
      const before = Number(await cmd(r, 'LASTSAVE'))
      await new Promise((res) => setTimeout(res, 1100))
      expect(await cmd(r, 'BGSAVE')).toBe('Background saving started')
      await cmd(r, 'SET', 'during', '1')
      await new Promise((res) => setTimeout(res, 1100))
      let info = (await cmd(r, 'INFO', 'persistence')) as string
      expect(infoField(info, 'rdb_bgsave_in_progress')).toBe('1')
      expect(Number(infoField(info, 'rdb_current_bgsave_time_sec'))).toBeGreaterThanOrEqual(1)
      expect(infoField(info, 'current_save_keys_total')).toBe('1500')
      expect(Number(infoField(info, 'current_save_keys_processed'))).toBeGreaterThan(0)
      expect(Number(infoField(info, 'current_save_keys_processed'))).toBeLessThan(1500)
      expect(infoField(info, 'rdb_saves')).toBe('1')
      expect(infoField(info, 'rdb_changes_since_last_save')).toBe('1501')
      expect(Number(await cmd(r, 'LASTSAVE'))).toBe(before)
      await until(() => s.server.snapshots.background === null, 'the save to end', 10_000)
      info = (await cmd(r, 'INFO', 'persistence')) as string
      expect(infoField(info, 'rdb_bgsave_in_progress')).toBe('0')
      expect(infoField(info, 'rdb_current_bgsave_time_sec')).toBe('-1')
      expect(infoField(info, 'rdb_last_bgsave_status')).toBe('ok')
      expect(Number(infoField(info, 'rdb_last_bgsave_time_sec'))).toBeGreaterThanOrEqual(1)
      expect(infoField(info, 'current_save_keys_total')).toBe('0')
      // Only the write made during the save is left to save.
      expect(infoField(info, 'rdb_changes_since_last_save')).toBe('1')
      expect(Number(await cmd(r, 'LASTSAVE'))).toBeGreaterThan(before)
      expect(await cmd(r, 'DBSIZE')).toBe(1501)
      r.disconnect()
    })
  })

  it.skipIf(missingTool('redis-server'))('BGSAVE, BGSAVE SCHEDULE, SAVE and BGSAVE in EXEC answer as redis-server does', async () => {
    const outcomes: string[][] = []
    for (const kind of ['redis', 'respite'] as const) {
      const dir = tempDir()
      // rdb-key-save-delay holds both servers' saves open: 2000 keys at 1 ms each.
      const redis = kind === 'redis' ? await startRedis(['--dir', dir, '--rdb-key-save-delay', '1000']) : null
      const respite = kind === 'respite' ? await startRespite({ config: { dir, 'rdb-key-save-delay': '1000' } }) : null
      const port = redis?.port ?? respite!.port
      try {
        const r = await connect(port)
        const p = r.pipeline()
        for (let i = 0; i < 2000; i++) p.set(`k${i}`, i)
        await p.exec()
        r.disconnect()
        const replies = await call(port, ['BGSAVE'], ['BGSAVE'], ['BGSAVE', 'SCHEDULE'], ['SAVE'], ['MULTI'], ['BGSAVE'], ['EXEC'],
          ['BGSAVE', 'NOW'])
        const info = (await call(port, ['INFO', 'persistence']))[0]
        replies.push(['rdb_bgsave_in_progress', 'current_save_keys_total', 'rdb_saves'].map((f) => `${f}:${infoField(info, f)}`).join(','))
        // After it: BGSAVE in EXEC is scheduled, and runs soon after.
        const c = await connect(port)
        await until(async () => infoField((await cmd(c, 'INFO', 'persistence')) as string, 'rdb_bgsave_in_progress') === '0', 'the save to end', 10_000)
        replies.push(...(await call(port, ['MULTI'], ['BGSAVE'], ['EXEC'])))
        await until(async () => infoField((await cmd(c, 'INFO', 'persistence')) as string, 'rdb_saves') === '2', 'the scheduled save to start', 5000)
        c.disconnect()
        outcomes.push(replies)
      } finally {
        await redis?.stop()
        await respite?.close()
      }
    }
    expect(outcomes[1]).toEqual(outcomes[0])
    expect(outcomes[0][1]).toBe('-ERR Background save already in progress\r\n')
  })

  it.skipIf(missingTool('redis-server'))('FLUSHALL stops the save, as redis-server kills its child: no file, no temporary file', async () => {
    const outcomes: unknown[] = []
    for (const kind of ['redis', 'respite'] as const) {
      const dir = tempDir()
      const redis = kind === 'redis' ? await startRedis(['--dir', dir, '--rdb-key-save-delay', '1000']) : null
      const respite = kind === 'respite' ? await startRespite({ config: { dir, 'rdb-key-save-delay': '1000' } }) : null
      const port = redis?.port ?? respite!.port
      try {
        const r = await connect(port)
        const p = r.pipeline()
        for (let i = 0; i < 2000; i++) p.set(`k${i}`, i)
        await p.exec()
        const replies = [await cmd(r, 'BGSAVE'), await cmd(r, 'FLUSHALL')]
        await until(async () => infoField((await cmd(r, 'INFO', 'persistence')) as string, 'rdb_bgsave_in_progress') === '0', 'the save to stop', 5000)
        const info = (await cmd(r, 'INFO', 'persistence')) as string
        // Redis removes its child's temporary file once it has reaped it.
        await until(() => readdirSync(dir).length === 0, 'the temporary file to go', 5000)
        outcomes.push([replies, infoField(info, 'rdb_last_bgsave_status'), readdirSync(dir)])
        r.disconnect()
      } finally {
        await redis?.stop()
        await respite?.close()
      }
    }
    expect(outcomes[1]).toEqual(outcomes[0])
  })

  it('SHUTDOWN during a save stops it and saves in the foreground: the file holds the latest data', async () => {
    const dir = tempDir()
    const s = await startRespite({ config: { dir, save: '3600 1', 'rdb-key-save-delay': '1000' } })
    const r = await connect(s.port)
    const p = r.pipeline()
    for (let i = 0; i < 2000; i++) p.set(`k${i}`, i)
    await p.exec()
    expect(await cmd(r, 'BGSAVE')).toBe('Background saving started')
    await cmd(r, 'SET', 'k0', 'changed')
    await cmd(r, 'SHUTDOWN').catch(() => null)
    r.disconnect()
    await until(() => s.server.isClosed, 'the server to close')
    await s.close()
    expect(readdirSync(dir)).toEqual(['dump.rdb'])
    const keys = fileKeys(readFileSync(join(dir, 'dump.rdb')))
    expect(keys.size).toBe(2000)
    await withServer({ config: { dir } }, async (t) => {
      expect(await call(t.port, ['GET', 'k0'], ['DBSIZE'])).toEqual(['$7\r\nchanged\r\n', ':2000\r\n'])
    })
  })

  it('a save that cannot write its file fails as Redis\'s child does: status err, MISCONF with save points', async () => {
    const dir = tempDir()
    const gone = join(dir, 'gone')
    mkdirSync(gone)
    await withServer({ config: { dir: gone, save: '3600 1', 'rdb-key-save-delay': '1000' } }, async (s) => {
      const r = await connect(s.port)
      const p = r.pipeline()
      for (let i = 0; i < 500; i++) p.set(`k${i}`, i)
      await p.exec()
      expect(await cmd(r, 'BGSAVE')).toBe('Background saving started')
      // The directory goes while the save writes: the rename at the end fails.
      rmSync(gone, { recursive: true })
      await until(() => s.server.snapshots.background === null, 'the save to fail', 5000)
      const info = (await cmd(r, 'INFO', 'persistence')) as string
      expect(infoField(info, 'rdb_last_bgsave_status')).toBe('err')
      await expect(cmd(r, 'SET', 'a', '1')).rejects.toThrow(/^MISCONF /)
      r.disconnect()
    })
  })

  it('a save point starts a background save that the next one does not overlap', async () => {
    const dir = tempDir()
    await withServer({ config: { dir, save: '1 1', hz: '50', 'rdb-key-save-delay': '1000' } }, async (s) => {
      const r = await connect(s.port)
      const p = r.pipeline()
      for (let i = 0; i < 1500; i++) p.set(`k${i}`, i)
      await p.exec()
      await until(() => s.server.snapshots.background !== null, 'the save point to start a save', 4000)
      await cmd(r, 'SET', 'more', '1')
      await new Promise((res) => setTimeout(res, 1100))
      expect(infoField((await cmd(r, 'INFO', 'persistence')) as string, 'rdb_saves')).toBe('1')
      await until(() => existsSync(join(dir, 'dump.rdb')), 'the file', 10_000)
      expect(fileKeys(readFileSync(join(dir, 'dump.rdb'))).size).toBe(1500)
      r.disconnect()
    })
  })
})
