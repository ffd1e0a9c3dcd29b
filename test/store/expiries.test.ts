import { describe, expect, it } from 'vitest'
import { Expiries } from '../../src/store/expiries.js'
import { rng } from '../helpers/differential.js'

describe('Expiries', () => {
  it('keeps exact times through random sets, overwrites and deletes, across tables and pages', () => {
    const ex = new Expiries()
    const model = new Map<string, number>()
    const r = rng(3)
    for (let i = 0; i < 150_000; i++) {
      const key = 'k' + r.int(100_000)
      const op = r.int(5)
      if (op < 3) {
        // Times past 2^31 and fractional-free ms, as the keyspace keeps them.
        const at = 1_700_000_000_000 + r.int(1e9)
        ex.set(key, at)
        model.set(key, at)
      } else if (op === 3) {
        expect(ex.delete(key)).toBe(model.delete(key))
      } else {
        expect(ex.get(key)).toBe(model.get(key))
        expect(ex.has(key)).toBe(model.has(key))
      }
    }
    expect(ex.size).toBe(model.size)
    expect(new Map(ex.entries())).toEqual(model)
    ex.clear()
    expect(ex.size).toBe(0)
    expect(ex.get('k1')).toBeUndefined()
    ex.set('a', 5)
    expect([...ex]).toEqual([['a', 5]])
  })

  it('iterates live: an iterator resumed after deletes and inserts sees the times as they are now', () => {
    const ex = new Expiries()
    for (let i = 0; i < 10; i++) ex.set('k' + i, i)
    const it = ex.entries()
    const [first] = it.next().value as [string, number]
    const ahead = Array.from({ length: 10 }, (_, i) => 'k' + i).filter((k) => k !== first)
    ex.delete(ahead[0])
    ex.set(ahead[1], 200)
    ex.set('new', 7)
    const rest = [...{ [Symbol.iterator]: () => it }]
    expect(rest).toContainEqual([ahead[1], 200])
    expect(rest.map(([k]) => k)).not.toContain(ahead[0])
    // A key added meanwhile may or may not be met (its table may be behind the walk).
    expect(rest.filter(([k]) => k !== 'new').map(([k]) => k).sort()).toEqual(ahead.slice(1).sort())
  })
})
