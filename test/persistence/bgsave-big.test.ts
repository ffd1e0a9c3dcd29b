import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import type { BackgroundSave } from '../../src/persistence/background-save.js'
import { cmd, connect } from '../helpers/digest.js'
import { until, useTempDirs } from '../helpers/fixture.js'
import { missingTool, startRedis, withServer } from '../helpers/servers.js'
import { fastDigest, fileKeys, imageAtNextSave, mapDiff } from './bgsave-helpers.js'

/**
 * BGSAVE writes a big value across many event-loop turns (persistence/rdb-steps.ts):
 * changed, deleted or expired while half-written, it is still in the file as it was
 * when the save started, and keys written out of turn meanwhile follow it in a file
 * that respite and redis-server load and redis-check-rdb accepts.
 */

const tempDir = useTempDirs('respite-bgsave-big')

/** The big keys, each with the changes a client makes while the save is inside it. */
const BIG: [string, (r: Redis) => Promise<unknown>][] = [
  ['biglist', async (r) => { await r.lpush('biglist', 'pushed'); await r.ltrim('biglist', 0, 99) }],
  ['bighash', async (r) => { await r.hset('bighash', 'f1', 'changed', 'new', 'field'); await r.hdel('bighash', 'f2') }],
  ['bigset', async (r) => { await r.del('bigset') }],
  ['bigzset', async (r) => { await r.zadd('bigzset', 42, 'added'); await r.pexpire('bigzset', 1) }],
  ['bigstream', async (r) => { await r.xadd('bigstream', '*', 'new', 'entry'); await r.xtrim('bigstream', 'MAXLEN', 10) }],
  ['bigstring', async (r) => { await r.setrange('bigstring', 100, 'overwritten'); await r.append('bigstring', 'more') }],
]

/**
 * Runs each big key's change while the save is inside that key, in the order the save
 * meets them (the keyspace's tables are walked in hash order). The changes of keys the
 * save never holds open (written in one step) run once it has ended.
 */
async function changeWhileInside(
  inside: () => string | undefined,
  running: () => boolean,
  each: (key: string, change: (r: Redis) => Promise<unknown>) => Promise<void>,
): Promise<void> {
  const pending = new Map(BIG)
  while (pending.size > 0) {
    await until(() => pending.has(inside() ?? '') || !running(), 'the save to reach a big key', 30_000)
    const key = running() ? inside() : undefined
    if (key === undefined || !pending.has(key)) break
    await each(key, pending.get(key)!)
    pending.delete(key)
  }
  for (const [key, change] of pending) await each(key, change)
}

async function load(r: Redis): Promise<void> {
  const p = r.pipeline()
  for (let i = 0; i < 50_000; i += 1000) p.rpush('biglist', ...Array.from({ length: 1000 }, (_, j) => (j % 3 ? `item-${i + j}` : String(i + j))))
  for (let i = 0; i < 20_000; i += 1000) {
    p.hset('bighash', ...Array.from({ length: 1000 }, (_, j) => [`f${i + j}`, `value-${i + j}`]).flat())
    p.sadd('bigset', ...Array.from({ length: 1000 }, (_, j) => `member-${i + j}`))
    p.zadd('bigzset', ...Array.from({ length: 1000 }, (_, j) => [(i + j) * 0.5, `m${i + j}`]).flat())
  }
  for (let i = 1; i <= 5000; i++) p.xadd('bigstream', `${i}-1`, 'f', i, 'g', `v${i}`)
  p.xgroup('CREATE', 'bigstream', 'grp', '0')
  p.xreadgroup('GROUP', 'grp', 'c1', 'COUNT', 30, 'STREAMS', 'bigstream', '>')
  for (let i = 0; i < 20; i++) p.append('bigstring', `chunk ${i} `.repeat(5000))
  p.expire('bighash', 3600)
  for (let i = 0; i < 200; i++) p.set(`s:${i}`, `v${i}`)
  p.select(1)
  for (let i = 0; i < 100; i++) p.set(`d1:${i}`, `w${i}`)
  p.select(0)
  await p.exec()
}

/**
 * A digest as an AOF replay can reproduce it: a stream rebuilt by XADD and XCLAIM
 * has its own node boundaries, renewed seen times, and (as in Redis 7.0) no
 * entries-read, so those are left out.
 */
function replayable(digest: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of digest) {
    const d = JSON.parse(v) as { value?: { radixKeys?: unknown; radixNodes?: unknown; groups?: { entriesRead?: unknown; lag?: unknown; consumers: { seen?: unknown }[] }[] } }
    const stream = d.value
    if (stream?.radixKeys !== undefined) {
      delete stream.radixKeys
      delete stream.radixNodes
      for (const g of stream.groups ?? []) {
        delete g.entriesRead
        delete g.lag
        for (const c of g.consumers) delete c.seen
      }
    }
    out.set(k, JSON.stringify(d))
  }
  return out
}

describe('BGSAVE of big values written across turns', () => {
  it('big values of every type, changed, deleted and expired while half-written, are in the file as they were', async () => {
    const dir = tempDir()
    const expectedDir = join(dir, 'expected')
    mkdirSync(expectedDir)
    let expectedImage!: Buffer
    // Conflicts seen: a big key about to change while the save was inside it (a list,
    // set or string is copied and stays open, so it may be seen more than once).
    const conflicts: string[] = []
    // One step per millisecond, so the test finds the save inside each big key.
    await withServer({ config: { dir, 'rdb-key-save-delay': '1000' } }, async (s) => {
      const r = await connect(s.port)
      await load(r)
      const at = imageAtNextSave(s.server)
      expect(await cmd(r, 'BGSAVE')).toBe('Background saving started')
      expectedImage = at.image!
      const save = s.server.snapshots.background as BackgroundSave
      const inside = save as unknown as { partial: { key: string } | null }
      const preserve = save.preserve.bind(save)
      save.preserve = (db, key) => {
        if (inside.partial?.key === key) conflicts.push(key)
        preserve(db, key)
      }
      const other = await connect(s.port)
      await cmd(other, 'SELECT', 1)
      let n = 0
      await changeWhileInside(() => inside.partial?.key, () => s.server.snapshots.background !== null, async (_, change) => {
        // Keys written out of turn while the big key is open, in both databases, and new ones.
        await r.set(`s:${n}`, 'changed')
        await r.del(`s:${n + 1}`)
        await cmd(other, 'SET', `d1:${n}`, 'changed')
        await r.set(`new:${n}`, 'created')
        n += 2
        await change(r)
      })
      await until(() => s.server.snapshots.background === null, 'the save to end', 60_000)
      other.disconnect()
      r.disconnect()
    })
    expect([...new Set(conflicts)].sort()).toEqual(BIG.map(([k]) => k).sort())
    const file = join(dir, 'dump.rdb')
    expect(mapDiff(fileKeys(expectedImage), fileKeys(readFileSync(file)))).toEqual([])
    if (missingTool('redis-check-rdb') === null) {
      const check = spawnSync('redis-check-rdb', [file], { encoding: 'latin1' })
      expect(check.stdout + check.stderr).toContain('RDB looks OK!')
    }
    writeFileSync(join(expectedDir, 'dump.rdb'), expectedImage)
    const expected = await withServer({ config: { dir: expectedDir } }, (e) => fastDigest(e.port, 2))
    expect(expected.get('0/biglist')).toContain('item-1')
    const fromRespite = await withServer({ config: { dir } }, (e) => fastDigest(e.port, 2))
    expect(mapDiff(expected, fromRespite)).toEqual([])
    if (missingTool('redis-server') === null) {
      const redis = await startRedis(['--dir', dir])
      try {
        expect(mapDiff(expected, await fastDigest(redis.port, 2))).toEqual([])
      } finally {
        await redis.stop()
      }
    }
  }, 120_000)

  it('BGREWRITEAOF writes big keys as commands across turns; changed while half-written, the base and the incremental file replay to the data, in respite and redis-server', async () => {
    const dir = tempDir()
    const conflicts: string[] = []
    let live!: Map<string, string>
    const config = { dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no' }
    await withServer({ config: { ...config, 'rdb-key-save-delay': '1000' } }, async (s) => {
      const r = await connect(s.port)
      await load(r)
      expect(await cmd(r, 'BGREWRITEAOF')).toBe('Background append only file rewriting started')
      await until(() => s.server.saving !== null, 'the rewrite to start')
      const save = s.server.saving!
      const inside = save as unknown as { partial: { key: string } | null }
      const preserve = save.preserve.bind(save)
      save.preserve = (db, key) => {
        if (inside.partial?.key === key) conflicts.push(key)
        preserve(db, key)
      }
      let n = 0
      await changeWhileInside(() => inside.partial?.key, () => s.server.saving !== null, async (_, change) => {
        await r.set(`s:${n}`, 'changed')
        await r.set(`new:${n++}`, 'created')
        await change(r)
      })
      await until(() => s.server.saving === null, 'the rewrite to end', 60_000)
      live = replayable(await fastDigest(s.port, 2))
      r.disconnect()
    })
    // A string is one SET in the base, written in one step: the rewrite is never inside it.
    expect([...new Set(conflicts)].sort()).toEqual(BIG.map(([k]) => k).filter((k) => k !== 'bigstring').sort())
    expect(live.get('0/biglist')).toContain('pushed')
    expect(mapDiff(live, replayable(await withServer({ config }, (e) => fastDigest(e.port, 2))))).toEqual([])
    if (missingTool('redis-check-aof') === null) {
      const check = spawnSync('redis-check-aof', [join(dir, 'appendonlydir', 'appendonly.aof.manifest')], { encoding: 'latin1' })
      expect(check.status).toBe(0)
    }
    if (missingTool('redis-server') === null) {
      const redis = await startRedis(['--dir', dir, '--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'])
      try {
        expect(mapDiff(live, replayable(await fastDigest(redis.port, 2)))).toEqual([])
      } finally {
        await redis.stop()
      }
    }
  }, 120_000)
})
