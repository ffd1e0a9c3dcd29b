import { describe, expect, it } from 'vitest'
import { KeySpace } from '../../src/store/keyspace.js'

/**
 * KeySpace spills into further Maps past a per-Map limit (V8 caps a Map at 2^24
 * entries; the real limit is 8M). A tiny limit exercises the same code paths.
 */
describe('KeySpace beyond one Map', () => {
  it('stores, finds, updates and deletes keys across several Maps like one Map', () => {
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

  it('holds more keys than one Map allows, each once', () => {
    const ks = new KeySpace<string>(1000)
    for (let i = 0; i < 10_500; i++) ks.set('key:' + i, 'v' + i)
    expect(ks.size).toBe(10_500)
    for (let i = 0; i < 10_500; i += 97) expect(ks.get('key:' + i)).toBe('v' + i)
    // An update of a key in a later Map stays in place rather than adding a duplicate.
    expect(ks.set('key:10499', 'w')).toBe(false)
    expect(ks.size).toBe(10_500)
    expect(new Set(ks.keys()).size).toBe(10_500)
  })

  it('a live iteration sees every key present throughout, even as Maps are added', () => {
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

  it('clear empties every Map', () => {
    const ks = new KeySpace<number>(2)
    for (let i = 0; i < 9; i++) ks.set(String(i), i)
    ks.clear()
    expect(ks.size).toBe(0)
    expect(ks.get('3')).toBeUndefined()
    expect([...ks.keys()]).toEqual([])
  })

  it('a key set again after its delete goes back to the Map that held it', () => {
    const ks = new KeySpace<number>(200)
    for (let i = 0; i < 1000; i++) ks.set('k' + i, i)
    // Deletes in a later Map past its first 128 keys leave Tombstones there.
    for (let i = 300; i < 400; i++) expect(ks.delete('k' + i)).toBe(true)
    for (let i = 300; i < 400; i++) expect(ks.set('k' + i, -i)).toBe(true)
    expect(ks.size).toBe(1000)
    expect(ks.tables().map((m) => m.entriesHeld)).toEqual([200, 200, 200, 200, 200])
    expect(new Set(ks.keys()).size).toBe(1000)
    expect(ks.get('k350')).toBe(-350)
  })
})
