import { describe, expect, it } from 'vitest'
import { IdleCollector } from '../../src/server/idle-gc.js'

describe('IdleCollector', () => {
  const collector = (used = 8 * 1024 * 1024, size = 32 * 1024 * 1024, heap = 100 * 1024 * 1024) => {
    const calls: string[] = []
    const c = new IdleCollector(() => (o) => calls.push(o.type), () => ({ used, size }), () => heap)
    return { c, calls }
  }

  it('scavenges on the first quiet tick after client input', () => {
    const { c, calls } = collector()
    c.tick(1, 100, 100)
    c.tick(1, 200, 100)
    expect(calls).toEqual(['minor'])
  })

  it('scavenges once more after 6 s of quiet, so V8 shrinks a young generation a burst grew', () => {
    const { c, calls } = collector(64 * 1024, 32 * 1024 * 1024)
    for (let t = 0; t <= 100; t++) c.tick(1, t * 100, 100)
    expect(calls).toEqual(['minor'])
  })

  it('leaves the young generation of a big heap as it is: a small one would make scavenges frequent', () => {
    const { c, calls } = collector(64 * 1024, 32 * 1024 * 1024, 600 * 1024 * 1024)
    for (let t = 0; t <= 100; t++) c.tick(1, t * 100, 100)
    expect(calls).toEqual([])
  })

  it('leaves a small young generation alone after the quiet', () => {
    const { c, calls } = collector(64 * 1024, 2 * 1024 * 1024)
    for (let t = 0; t <= 100; t++) c.tick(1, t * 100, 100)
    expect(calls).toEqual([])
  })

  it('takes a late tick for activity, not quiet: it follows a stall whose input is still unread', () => {
    const { c, calls } = collector()
    c.tick(1, 100, 100)
    // 300 ms after the last tick: the event loop was blocked, clients may well have sent.
    c.tick(1, 400, 100)
    expect(calls).toEqual([])
    c.tick(1, 500, 100)
    expect(calls).toEqual(['minor'])
  })

  it('does nothing while input keeps coming', () => {
    const { c, calls } = collector()
    for (let i = 1; i <= 10; i++) c.tick(i, i * 100, 100)
    expect(calls).toEqual([])
  })
})
