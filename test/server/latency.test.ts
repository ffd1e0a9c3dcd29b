import { describe, expect, it } from 'vitest'
import { bulkText } from '../helpers/differential.js'
import { call, until, useRespiteAndRedis, useTempDirs } from '../helpers/fixture.js'
import { missingTool, withServer } from '../helpers/servers.js'
import { LatencyMonitor } from '../../src/server/latency.js'

/**
 * The latency monitor: LATENCY's replies byte for byte against redis-server where
 * they do not depend on timing, and the spikes DEBUG SLEEP makes, on both servers, by
 * shape (their milliseconds and seconds are the clock's). Then what only respite
 * records (GC pauses), and the monitor's own bookkeeping.
 */

const skip = missingTool('redis-server') !== null

/** [event, time, latest, max] rows of a LATENCY LATEST reply. */
function latestRows(reply: string): [string, number, number, number][] {
  const rows: [string, number, number, number][] = []
  const re = /\*4\r\n\$\d+\r\n([^\r]*)\r\n:(\d+)\r\n:(\d+)\r\n:(\d+)\r\n/g
  for (let m = re.exec(reply); m !== null; m = re.exec(reply)) rows.push([m[1], Number(m[2]), Number(m[3]), Number(m[4])])
  return rows
}

/** [time, ms] pairs of a LATENCY HISTORY reply. */
function historyRows(reply: string): [number, number][] {
  const rows: [number, number][] = []
  const re = /\*2\r\n:(\d+)\r\n:(\d+)\r\n/g
  for (let m = re.exec(reply); m !== null; m = re.exec(reply)) rows.push([Number(m[1]), Number(m[2])])
  return rows
}

/** Waits for the start of the next wall-clock second, so two short sleeps fall in one. */
async function nextSecond(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20))
}

describe.skipIf(skip)('LATENCY against redis-server', () => {
  const servers = useRespiteAndRedis({ config: { 'enable-debug-command': 'yes' } }, ['--enable-debug-command', 'yes'])

  it('replies the same with nothing recorded, and with the monitor off', async () => {
    const cmds = [
      ['LATENCY', 'LATEST'], ['LATENCY', 'HISTORY', 'command'], ['LATENCY', 'GRAPH', 'command'], ['LATENCY', 'DOCTOR'],
      ['LATENCY', 'RESET'], ['LATENCY', 'RESET', 'command', 'nope'], ['LATENCY', 'HISTORY'], ['LATENCY', 'LATEST', 'x'],
      ['DEBUG', 'SLEEP', '0.06'], ['LATENCY', 'LATEST'], ['CONFIG', 'GET', 'latency-monitor-threshold'],
    ]
    const mine = await call(servers.respite.port, ...cmds)
    const theirs = await call(servers.redis.port, ...cmds)
    expect(mine).toEqual(theirs)
    expect(mine[0]).toBe('*0\r\n')
    expect(bulkText(mine[3])).toMatch(/^I'm sorry, Dave, I can't do that. Latency monitoring is disabled/)
  })

  it('keeps DEBUG SLEEP as command spikes, one per second, and resets them', async () => {
    for (const port of [servers.respite.port, servers.redis.port]) {
      const name = port === servers.redis.port ? 'redis' : 'respite'
      await call(port, ['CONFIG', 'SET', 'latency-monitor-threshold', '50'], ['LATENCY', 'RESET'])
      await nextSecond()
      const [, , , latest, history] = await call(port,
        ['DEBUG', 'SLEEP', '0.1'], ['DEBUG', 'SLEEP', '0.07'], ['DEBUG', 'SLEEP', '0.01'], ['LATENCY', 'LATEST'], ['LATENCY', 'HISTORY', 'command'])
      const rows = latestRows(latest)
      expect(rows.length, name).toBe(1)
      const [event, time, ms, max] = rows[0]
      expect(event, name).toBe('command')
      expect(Math.abs(time - Date.now() / 1000), name).toBeLessThan(3)
      // The second's two spikes are one, at the higher; the 10 ms one is under the threshold.
      expect(ms, name).toBeGreaterThanOrEqual(100)
      expect(ms, name).toBeLessThan(160)
      expect(max, name).toBe(ms)
      expect(historyRows(history), name).toEqual([[time, ms]])

      await nextSecond()
      const [, history2, graph, doctor] = await call(port,
        ['DEBUG', 'SLEEP', '0.06'], ['LATENCY', 'HISTORY', 'command'], ['LATENCY', 'GRAPH', 'command'], ['LATENCY', 'DOCTOR'])
      const h = historyRows(history2)
      expect(h.length, name).toBe(2)
      expect(h[0], name).toEqual([time, ms])
      expect(h[1][0], name).toBeGreaterThan(time)
      expect(h[1][1], name).toBeGreaterThanOrEqual(60)
      expect(h[1][1], name).toBeLessThan(ms)
      expect(bulkText(graph), name).toMatch(new RegExp(`^command - high ${ms} ms, low ${h[1][1]} ms \\(all time high ${ms} ms\\)\n-{80}\n#`))
      expect(bulkText(doctor), name).toMatch(/^Dave, I have observed latency spikes in this Redis instance/)
      expect(bulkText(doctor), name).toContain('1. command: 2 latency spikes')

      const after = await call(port, ['LATENCY', 'RESET', 'nope'], ['LATENCY', 'RESET', 'command', 'nope'], ['LATENCY', 'LATEST'],
        ['CONFIG', 'SET', 'latency-monitor-threshold', '0'], ['DEBUG', 'SLEEP', '0.06'], ['LATENCY', 'LATEST'])
      expect(after, name).toEqual([':0\r\n', ':1\r\n', '*0\r\n', '+OK\r\n', '+OK\r\n', '*0\r\n'])
    }
  })
})

describe('LATENCY on respite alone', () => {
  it('records garbage-collection pauses as gc while the monitor is on', async () => {
    await withServer({}, async (s) => {
      // A full collection of a few hundred thousand keys takes well over a millisecond.
      await call(s.port, ['DEBUG', 'POPULATE', '300000'], ['CONFIG', 'SET', 'latency-monitor-threshold', '1'], ['MEMORY', 'PURGE'])
      let rows: [string, number, number, number][] = []
      await until(async () => {
        rows = latestRows((await call(s.port, ['LATENCY', 'LATEST']))[0])
        return rows.some((r) => r[0] === 'gc')
      }, 'a gc spike')
      const gc = rows.find((r) => r[0] === 'gc')!
      expect(gc[2]).toBeGreaterThanOrEqual(1)
      expect(gc[3]).toBeGreaterThanOrEqual(gc[2])

      // Off again: the observer is gone, and a collection leaves nothing.
      await call(s.port, ['CONFIG', 'SET', 'latency-monitor-threshold', '0'], ['LATENCY', 'RESET'], ['MEMORY', 'PURGE'])
      await new Promise((r) => setTimeout(r, 100))
      expect(await call(s.port, ['LATENCY', 'LATEST'])).toEqual(['*0\r\n'])
    })
  })
})

describe('LATENCY and the append-only file', () => {
  const tempDir = useTempDirs('respite-latency')

  it('files a slow write to the AOF under aof-write and what else was going on', async () => {
    await withServer({ config: { dir: tempDir(), appendonly: 'yes', 'latency-monitor-threshold': '1' } }, async (s) => {
      // 48 MB in one write to the page cache takes well over a millisecond.
      const big = 'x'.repeat(48 * 1024 * 1024)
      const [set, latest] = await call(s.port, ['SET', 'big', big], ['LATENCY', 'LATEST'])
      expect(set).toBe('+OK\r\n')
      const events = latestRows(latest).map((r) => r[0])
      expect(events).toContain('aof-write')
      expect(events.filter((e) => ['aof-write-alone', 'aof-write-pending-fsync', 'aof-write-active-child'].includes(e)).length).toBe(1)
    })
  })
})

describe('LatencyMonitor', () => {
  it('keeps nothing while off or under the threshold', () => {
    const m = new LatencyMonitor()
    m.add('command', 500, 1_000_000)
    expect(m.latest()).toEqual([])
    m.configure(10)
    m.add('command', 9.9, 1_000_000)
    expect(m.latest()).toEqual([])
    m.add('command', 10.7, 1_000_000)
    expect(m.latest()).toEqual([['command', 1000, 10, 10]])
    m.close()
  })

  it('keeps one spike per second, the 160 latest, and the all-time max past them', () => {
    const m = new LatencyMonitor()
    m.threshold = 1
    m.add('expire-cycle', 5, 10_000)
    m.add('expire-cycle', 7, 10_999)
    m.add('expire-cycle', 6, 10_500)
    expect(m.history('expire-cycle')).toEqual([[10, 7]])
    for (let s = 11; s < 11 + 200; s++) m.add('expire-cycle', s === 20 ? 999 : 3, s * 1000)
    const h = m.history('expire-cycle')
    expect(h.length).toBe(160)
    expect(h[0]).toEqual([210 - 159, 3])
    expect(h[159]).toEqual([210, 3])
    expect(m.latest()).toEqual([['expire-cycle', 210, 3, 999]])
    expect(m.history('command')).toEqual([])
  })

  it('draws the graph with the highest spike topped by # and labels ages downwards', () => {
    const m = new LatencyMonitor()
    m.threshold = 1
    m.add('command', 100, 1_000_000)
    m.add('command', 60, 1_001_000)
    expect(m.graph('command', 1001)).toBe(
      'command - high 100 ms, low 60 ms (all time high 100 ms)\n' + '-'.repeat(80) + '\n# \n| \n| \n|_\n  \n10\nss\n',
    )
    expect(m.graph('gc', 1001)).toBeNull()
    expect(m.reset([])).toBe(1)
  })
})
