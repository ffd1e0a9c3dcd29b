import { describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM script without type declarations
import { confirmationSize, encodeCommand, messageFrameSize } from '../../scripts/bench/pubsub.mjs'
// @ts-expect-error plain ESM script without type declarations
import { checkTargets, pubsubTable } from '../../scripts/bench/report.mjs'
import { encodeMessage } from '../../src/pubsub/pubsub.js'

/** The pub/sub benchmark counts bytes instead of parsing: its frame sizes must be exact. */
describe('pub/sub benchmark', () => {
  it('sizes message and pmessage frames and subscribe confirmations exactly', () => {
    const payload = 'x'.repeat(32)
    expect(messageFrameSize('bench:pubsub', null, 32)).toBe(encodeMessage('*', 'message', null, 'bench:pubsub', payload).length)
    expect(messageFrameSize('bench:pubsub', 'bench:*', 32)).toBe(encodeMessage('*', 'pmessage', 'bench:*', 'bench:pubsub', payload).length)
    expect(confirmationSize('subscribe', 'ch')).toBe('*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n'.length)
    expect(confirmationSize('psubscribe', 'c*')).toBe('*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:1\r\n'.length)
    expect(encodeCommand(['PUBLISH', 'c', 'm'])).toBe('*3\r\n$7\r\nPUBLISH\r\n$1\r\nc\r\n$1\r\nm\r\n')
  })

  it('reports delivered messages and CPU per message with paired ratios, and checks the 1.2× CPU target', () => {
    const sample = (rps: number, cpuUs: number) => ({ rps, p50: 0.4, p99: 2, max: 9, cpuUs })
    const row = {
      workload: 'pubsub-P1', test: 'publish', title: 'PUBLISH to 100 + 1 pattern subscribers', pipeline: 1, requests: 10_000, pubsub: true,
      samples: { respite: [sample(200_000, 1.5), sample(250_000, 1.2)], redis: [sample(220_000, 1.4), sample(240_000, 1.2)] },
      servers: { respite: sample(225_000, 1.35), redis: sample(230_000, 1.3) },
    }
    const table = pubsubTable([row], 'respite', 'redis') as string
    expect(table.split('\n')[2]).toBe('| PUBLISH to 100 + 1 pattern subscribers | 10,000 | 225,000 | 230,000 | 0.98× | 0.400 / 0.400 | 2.000 / 2.000 | 1.35 | 1.30 | 1.04× |')
    const targets = checkTargets([row], [], 'respite', 'redis') as { target: string; ok: boolean | null; pubsub?: boolean }[]
    expect(targets.filter((t) => t.pubsub)).toEqual([{ target: 'CPU per delivered message, PUBLISH to 100 + 1 pattern subscribers ≤ 1.2× Redis', figure: '1.04×', ok: true, pubsub: true }])
    // No request-shaped targets (req/s, p99) for a pub/sub row.
    expect(targets.some((t) => t.target.includes('PUBLISH') && !t.pubsub)).toBe(false)
  })
})
