import { describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM script without type declarations
import { parseReport } from '../../scripts/bench/redis-benchmark.mjs'
// @ts-expect-error plain ESM script without type declarations
import { checkTargets, median, pairedRatio } from '../../scripts/bench/report.mjs'

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
    const rows = [row('c50-P1', 'set', 95, 100), row('c50-P16', 'get', 80, 100), row('c50-P1', 'zadd', 0, 100, true)]
    const targets = checkTargets(rows, {}, 'respite', 'redis') as { target: string; ok: boolean | null }[]
    const rps = (title: string) => targets.find((t) => t.target.startsWith(`req/s ${title}`))
    expect(rps('c50-P1 SET')?.ok).toBe(true)
    expect(rps('c50-P16 GET')?.ok).toBe(false)
    expect(rps('c50-P1 ZADD')?.ok).toBeNull()
  })

  it('checks connection churn by connections/s, and the 10k open by the time to the last reply', () => {
    const sample = (rps: number, ms?: number) => ({ rps, p50: 1, p99: 900, max: 1000, cpuUs: 50, ms })
    const churn = {
      workload: 'churn-k0', test: 'ping_mbulk', title: 'new connection per request (-k 0)', pipeline: 1, keepalive: false,
      samples: { respite: [sample(14_000)], redis: [sample(15_000)] },
      servers: { respite: sample(14_000), redis: sample(15_000) },
    }
    const open = (ms: number[]) => ({
      workload: 'open-10k', test: 'ping_inline', title: '10,000 connections opened at once', pipeline: 1, open: true, requests: 10_000,
      samples: { respite: ms.map((m) => sample(1e7 / m, m)), redis: [sample(6000, 1600)] },
      servers: { respite: sample(1e7 / ms[0], ms[0]), redis: sample(6000, 1600) },
    })
    const find = (targets: { target: string; figure: string; ok: boolean | null }[], prefix: string) => targets.filter((t) => t.target.startsWith(prefix))
    const met = checkTargets([churn, open([1500, 3500, 2000])], {}, 'respite', 'redis')
    expect(find(met, 'req/s new connection per request (-k 0) PING_MBULK ≥ 0.9× Redis').map((t) => t.ok)).toEqual([true])
    // Neither latency targets for churn nor a req/s target for the open test.
    expect(find(met, 'p99 new connection')).toEqual([])
    expect(find(met, 'req/s 10,000')).toEqual([])
    expect(find(met, '10,000 connections open and answered in < 3 s (Redis: 1.60 s)')).toEqual([{ target: '10,000 connections open and answered in < 3 s (Redis: 1.60 s)', figure: '2.00 s', ok: true }])
    const slow = checkTargets([open([3100, 3500, 2000])], {}, 'respite', 'redis')
    expect(find(slow, '10,000 connections open').map((t) => t.ok)).toEqual([false])
  })
})
