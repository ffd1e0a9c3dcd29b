import { describe, expect, it } from 'vitest'
import { KeySpace } from '../../src/store/keyspace.js'

describe('KeySpace, split by hash into tables', () => {
  it('stores, finds, updates and deletes keys like one Map', () => {
    const ks = new KeySpace<number>()
    const model = new Map<string, number>()
    let seed = 1
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648)
    for (let i = 0; i < 20000; i++) {
      const key = 'k' + (next() % 3000)
      const op = next() % 4
      if (op < 2) {
        expect(ks.set(key, i)).toBe(!model.has(key))
        model.set(key, i)
      } else if (op === 2) {
        expect(ks.delete(key)).toBe(model.delete(key))
      } else {
        expect(ks.get(key)).toBe(model.get(key))
        expect(ks.has(key)).toBe(model.has(key))
      }
      expect(ks.size).toBe(model.size)
    }
    expect(new Map(ks.entries())).toEqual(model)
    expect([...ks.keys()].sort()).toEqual([...model.keys()].sort())
    // Every table has a share, and each key is in one.
    expect(ks.tables().every((t) => t.size > 0)).toBe(true)
    expect(ks.tables().reduce((n, t) => n + t.size, 0)).toBe(model.size)
  })

  it('a live iteration sees every key present throughout once, as keys come and go in every table', () => {
    const ks = new KeySpace<number>()
    for (let i = 0; i < 2000; i++) ks.set('a' + i, i)
    const it = ks.keys()
    const seen = new Map<string, number>()
    for (let step = 0; ; step++) {
      const r = it.next()
      if (r.done) break
      seen.set(r.value, (seen.get(r.value) ?? 0) + 1)
      ks.set('b' + step, step)
      ks.delete('b' + (step - 5))
    }
    for (let i = 0; i < 2000; i++) expect(seen.get('a' + i)).toBe(1)
  })

  it('a walk meets keys in about the order they were made, an entry of each table in turn', () => {
    const ks = new KeySpace<number>()
    const n = 64_000
    for (let i = 0; i < n; i++) ks.set('k' + i, i)
    const walk = ks.walk()
    let met = 0
    let off = 0
    for (let k = walk.step(); k !== undefined; k = walk.step()) off += Math.abs(walk.value! - met++)
    expect(met).toBe(n)
    // Table after table, the n-th key met would be n/3 away from the n-th made on average.
    expect(off / n).toBeLessThan(n / 20)
  })

  it('clear empties every table', () => {
    const ks = new KeySpace<number>()
    for (let i = 0; i < 90; i++) ks.set(String(i), i)
    ks.clear()
    expect(ks.size).toBe(0)
    expect(ks.get('3')).toBeUndefined()
    expect([...ks.keys()]).toEqual([])
    expect(ks.randomKey()).toBeUndefined()
  })

  it('draws random keys uniformly across tables of different sizes', () => {
    const ks = new KeySpace<number>()
    for (let i = 0; i < 40; i++) ks.set('k' + i, i)
    const counts = new Map<string, number>()
    for (let i = 0; i < 40_000; i++) {
      const k = ks.randomKey()!
      counts.set(k, (counts.get(k) ?? 0) + 1)
    }
    expect(counts.size).toBe(40)
    // 1000 expected per key; a uniform draw stays within 15% of it.
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(150)
  })

  it('reserve() makes room in every table without changing what it holds', () => {
    const ks = new KeySpace<number>()
    ks.set('x', 1)
    ks.reserve(100_000)
    expect(ks.size).toBe(1)
    expect(ks.get('x')).toBe(1)
    for (let i = 0; i < 100_000; i++) ks.set('k' + i, i)
    expect(ks.size).toBe(100_001)
    expect(ks.get('k99999')).toBe(99_999)
  })
})
