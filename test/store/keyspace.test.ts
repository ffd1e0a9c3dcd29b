import { describe, expect, it } from 'vitest'
import { KeySpace } from '../../src/store/keyspace.js'

/**
 * KeySpace spills into further tables past a per-table limit (the real one is 8M).
 * A tiny limit exercises the same code paths.
 */
describe('KeySpace beyond one table', () => {
  it('stores, finds, updates and deletes keys across several tables like one Map', () => {
    const ks = new KeySpace<number>(4)
    const model = new Map<string, number>()
    let seed = 1
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648)
    for (let i = 0; i < 5000; i++) {
      const key = 'k' + (next() % 60)
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
  })

  it('holds more keys than one table may, each once', () => {
    const ks = new KeySpace<string>(1000)
    for (let i = 0; i < 10_500; i++) ks.set('key:' + i, 'v' + i)
    expect(ks.size).toBe(10_500)
    for (let i = 0; i < 10_500; i += 97) expect(ks.get('key:' + i)).toBe('v' + i)
    // An update of a key in a later table stays in place rather than adding a duplicate.
    expect(ks.set('key:10499', 'w')).toBe(false)
    expect(ks.size).toBe(10_500)
    expect(new Set(ks.keys()).size).toBe(10_500)
  })

  it('a live iteration sees every key present throughout, even as tables are added', () => {
    const ks = new KeySpace<number>(8)
    for (let i = 0; i < 20; i++) ks.set('a' + i, i)
    const it = ks.keys()
    const seen = new Set<string>()
    for (let step = 0; ; step++) {
      const r = it.next()
      if (r.done) break
      seen.add(r.value)
      if (step < 30) ks.set('b' + step, step)
    }
    for (let i = 0; i < 20; i++) expect(seen.has('a' + i)).toBe(true)
  })

  it('draws random keys uniformly across tables of different sizes', () => {
    const ks = new KeySpace<number>(30)
    for (let i = 0; i < 40; i++) ks.set('k' + i, i)
    const inFirst = new Set(ks.tables()[0].keys())
    let first = 0
    for (let i = 0; i < 20_000; i++) if (inFirst.has(ks.randomKey()!)) first++
    // 30 keys of 40 in the first table: 15000 expected.
    expect(Math.abs(first - 15_000)).toBeLessThan(600)
  })

  it('clear empties every table', () => {
    const ks = new KeySpace<number>(2)
    for (let i = 0; i < 9; i++) ks.set(String(i), i)
    ks.clear()
    expect(ks.size).toBe(0)
    expect(ks.get('3')).toBeUndefined()
    expect([...ks.keys()]).toEqual([])
  })

  it('keys deleted from a full table make room there again', () => {
    const ks = new KeySpace<number>(200)
    for (let i = 0; i < 1000; i++) ks.set('k' + i, i)
    for (let i = 300; i < 400; i++) expect(ks.delete('k' + i)).toBe(true)
    for (let i = 300; i < 400; i++) expect(ks.set('k' + i, -i)).toBe(true)
    expect(ks.size).toBe(1000)
    expect(ks.tables().map((m) => m.size)).toEqual([200, 200, 200, 200, 200])
    expect(new Set(ks.keys()).size).toBe(1000)
    expect(ks.get('k350')).toBe(-350)
  })
})
