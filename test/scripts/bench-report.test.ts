import { describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM script without type declarations
import { parseReport } from '../../scripts/bench/redis-benchmark.mjs'
// @ts-expect-error plain ESM script without type declarations
import { checkTargets, median, pairedRatio, summarize } from '../../scripts/bench/report.mjs'

/** The parts of `npm run bench` that turn redis-benchmark's output into figures. */

const REPORT = `====== SET ======
  100000 requests completed in 1.84 seconds
  50 parallel clients
  3 bytes payload

Latency by percentile distribution:
0.000% <= 0.055 milliseconds (cumulative count 35)
100.000% <= 9.367 milliseconds (cumulative count 100000)

Summary:
  throughput summary: 54436.58 requests per second
  latency summary (msec):
          avg       min       p50       p95       p99       max
        0.729     0.048     0.199     4.807     6.823     9.367
`

describe('bench report parsing and statistics', () => {
  it("reads throughput and every latency figure from redis-benchmark's summary", () => {
    expect(parseReport(REPORT)).toEqual({ rps: 54436.58, avg: 0.729, min: 0.048, p50: 0.199, p95: 4.807, p99: 6.823, max: 9.367 })
  })

  it('refuses output without a summary (a failed or quiet run)', () => {
    expect(parseReport('SET: 12345.00 requests per second, p50=0.100 msec')).toBeNull()
  })

  it('takes medians and pairs ratios round by round', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    const row = {
      samples: {
        respite: [{ rps: 10 }, { rps: 100 }, { rps: 90 }],
        redis: [{ rps: 20 }, { rps: 100 }, { rps: 100 }],
      },
    }
    // Per-round ratios 0.5, 1.0, 0.9: the median is 0.9, not 90/100 of the medians.
    expect(pairedRatio(row, 'respite', 'redis', 'rps')).toBeCloseTo(0.9)
  })

  it('checks a target as met or not, and n/a when a command is missing', () => {
    const sample = (rps: number, cpuUs: number) => ({ rps, p50: 0.2, p99: 0.5, max: 3, cpuUs })
    const row = (workload: string, test: string, a: number, b: number, missing = false) => ({
      workload, test, title: workload, pipeline: workload.includes('P16') ? 16 : 1, large: false,
      servers: { respite: missing ? null : sample(a, 1), redis: sample(b, 1) },
      samples: { respite: missing ? [] : [sample(a, 1)], redis: [sample(b, 1)] },
    })
    const rows = [row('c50-P1', 'set', 105, 100), row('c50-P16', 'get', 95, 100), row('c50-P1', 'zadd', 0, 100, true)]
    const targets = checkTargets(rows, [], 'respite', 'redis') as { target: string; ok: boolean | null }[]
    const rps = (title: string) => targets.find((t) => t.target.startsWith(`req/s ${title}`))
    expect(rps('c50-P1 SET')?.ok).toBe(true)
    expect(rps('c50-P16 GET')?.ok).toBe(false)
    expect(rps('c50-P1 ZADD')?.ok).toBeNull()
  })

  it("checks issue 14's limits: CPU on the default suite, big values, the big keyspace's max, memory per key", () => {
    const sample = (rps: number, cpuUs: number, p99 = 0.5, max = 3) => ({ rps, p50: 0.2, p99, max, cpuUs })
    const row = (extra: object, a: ReturnType<typeof sample>, b: ReturnType<typeof sample>) => ({
      pipeline: 1, large: false, ...extra, servers: { respite: a, redis: b }, samples: { respite: [a], redis: [b] },
    })
    const rows = [
      row({ workload: 'c1-P1', test: 'lrange_100', title: '1 client', suite: true }, sample(100, 1.1), sample(100, 1)),
      row({ workload: '16k-P16', test: 'get', title: '16 KiB values, -P 16', dataSize: 16384 }, sample(96, 1, 0.7), sample(100, 1, 0.5)),
      row({ workload: 'large-P1', test: 'set', title: '10M keys', large: true }, sample(100, 1, 0.5, 25), sample(100, 1, 0.5, 4)),
    ]
    const at = (keys: number, valueSize: number, ours: number, theirs: number) => ({ respite: { keys, valueSize, perKey: ours }, redis: { keys, valueSize, perKey: theirs } })
    const targets = checkTargets(rows, [at(10_000_000, 100, 208, 215), at(1_000_000, 1024, 1550, 1380)], 'respite', 'redis') as { target: string; ok: boolean | null }[]
    const ok = (prefix: string) => targets.filter((t) => t.target.startsWith(prefix)).map((t) => t.ok)
    expect(ok('CPU/request 1 client LRANGE_100 ≤ 1.0× Redis')).toEqual([false])
    expect(ok('req/s 16 KiB values, -P 16 GET ≥ 0.95× Redis')).toEqual([true])
    expect(ok('p99 16 KiB values, -P 16 GET ≤ 1.5× Redis')).toEqual([true])
    expect(ok('max latency 10M keys SET < 20 ms')).toEqual([false])
    expect(ok('RSS per key at 10M keys of 100 bytes ≤ 1× Redis')).toEqual([true])
    expect(ok('RSS per key at 1M keys of 1024 bytes ≤ 1.1× Redis')).toEqual([false])
  })

  it("reads the big keyspace's LATENCY spikes: the longest GC pause and the longest stall of any event", () => {
    const sample = (spikes?: Record<string, number>) => ({ rps: 100, p50: 0.2, p99: 0.5, max: 30, cpuUs: 1, spikes })
    const mine = summarize([sample({ gc: 12, command: 3 }), sample({ 'expire-cycle': 25 })])
    expect([mine.gcMax, mine.stallMax]).toEqual([12, 25])
    // An older build, or a server that logged nothing: no figures, or zeros.
    expect(summarize([sample()]).gcMax).toBeUndefined()
    expect(summarize([sample({})]).stallMax).toBe(0)
    const theirs = summarize([sample({ command: 2 })])
    const row = { workload: 'large-P1', test: 'get', title: '10M keys', pipeline: 1, large: true, servers: { respite: mine, redis: theirs }, samples: {} }
    const targets = checkTargets([row], [], 'respite', 'redis') as { target: string; figure: string; ok: boolean | null }[]
    expect(targets.find((t) => t.target.startsWith('longest GC pause in LATENCY, 10M keys GET'))).toMatchObject({ ok: true, figure: '12.000 ms' })
    expect(targets.find((t) => t.target.startsWith('longest stall in LATENCY, 10M keys GET < 20 ms (Redis: 2.000 ms)'))?.ok).toBe(false)
  })

  it('checks connection churn by connections/s, and the 10k open by the time to the last reply', () => {
    const sample = (rps: number, ms?: number) => ({ rps, p50: 1, p99: 900, max: 1000, cpuUs: 50, ms })
    const churn = {
      workload: 'churn-k0', test: 'ping_mbulk', title: 'new connection per request (-k 0)', pipeline: 1, keepalive: false,
      samples: { respite: [sample(16_000)], redis: [sample(15_000)] },
      servers: { respite: sample(16_000), redis: sample(15_000) },
    }
    const open = (ms: number[]) => ({
      workload: 'open-10k', test: 'ping_inline', title: '10,000 connections opened at once', pipeline: 1, open: true, requests: 10_000,
      samples: { respite: ms.map((m) => sample(1e7 / m, m)), redis: [sample(6000, 1600)] },
      servers: { respite: sample(1e7 / ms[0], ms[0]), redis: sample(6000, 1600) },
    })
    const find = (targets: { target: string; figure: string; ok: boolean | null }[], prefix: string) => targets.filter((t) => t.target.startsWith(prefix))
    const met = checkTargets([churn, open([1500, 3500, 2000])], [], 'respite', 'redis')
    expect(find(met, 'req/s new connection per request (-k 0) PING_MBULK ≥ 1× Redis').map((t) => t.ok)).toEqual([true])
    // Neither latency targets for churn nor a req/s target for the open test.
    expect(find(met, 'p99 new connection')).toEqual([])
    expect(find(met, 'req/s 10,000')).toEqual([])
    expect(find(met, '10,000 connections open and answered in < 3 s (Redis: 1.60 s)')).toEqual([{ target: '10,000 connections open and answered in < 3 s (Redis: 1.60 s)', figure: '2.00 s', ok: true }])
    const slow = checkTargets([open([3100, 3500, 2000])], [], 'respite', 'redis')
    expect(find(slow, '10,000 connections open').map((t) => t.ok)).toEqual([false])
  })
})
