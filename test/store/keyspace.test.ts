import { describe, expect, it } from 'vitest'
import { KeySpace, live } from '../../src/store/keyspace.js'

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
})

/** Entries of the Maps that hold deleted keys' Tombstones. */
function markers<V>(ks: KeySpace<V>): number {
  let n = 0
  for (const m of ks.tables()) for (const v of m.values()) if (!live(v)) n++
  return n
}

/**
 * A deleted key keeps its Map entry, holding a Tombstone, so that creating it again reuses the
 * entry: V8's Map leaves a deleted entry in its bucket chain until a rehash, and a
 * key deleted and created over and over in a big keyspace made every lookup of it
 * walk thousands of dead entries.
 */
describe('KeySpace deletes', () => {
  it('a key deleted and created again in a large keyspace keeps one entry', () => {
    const ks = new KeySpace<number>()
    for (let i = 0; i < 50_000; i++) ks.set('k' + i, i)
    for (let i = 0; i < 100_000; i++) {
      expect(ks.get('queue')).toBeUndefined()
      ks.set('queue', i)
      ks.delete('queue')
    }
    // One extra entry (the queue's), where deletes that unlinked would have added
    // 100k to the Map's chains: entries are reused, not appended.
    expect(ks.tables()[0].size).toBe(50_001)
    expect(ks.size).toBe(50_000)
    expect(ks.has('queue')).toBe(false)
    expect(ks.set('queue', 1)).toBe(true)
    expect(ks.set('queue', 2)).toBe(false)
  })

  it('Tombstones of keys never created again stay a fraction of the live keys', () => {
    const ks = new KeySpace<number>()
    for (let i = 0; i < 20_000; i++) ks.set('live' + i, i)
    let peak = 0
    for (let i = 0; i < 200_000; i++) {
      ks.set('job' + i, i)
      if (i >= 10) ks.delete('job' + (i - 10))
      if (i % 1000 === 0) peak = Math.max(peak, markers(ks))
    }
    expect(ks.size).toBe(20_010)
    // A window of deletes an eighth of the keys long (1024 at least).
    expect(peak).toBeLessThanOrEqual(20_010 / 8 + 1)
    // And when every key goes, only the last window's deletes leave Tombstones.
    for (const k of [...ks.keys()]) ks.delete(k)
    expect(ks.size).toBe(0)
    expect(markers(ks)).toBe(1024)
    expect([...ks.keys()]).toEqual([])
  })

  it('agrees with a Map under random churn, one Map or several', () => {
    // 40 keys come back within the window; 3000 mostly do not, so Tombstones leave.
    for (const [limit, keys] of [[3, 40], [1_000_000, 40], [50, 3000], [1_000_000, 3000]]) {
      const ks = new KeySpace<number>(limit)
      const model = new Map<string, number>()
      let seed = 7
      const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648)
      for (let i = 0; i < 40_000; i++) {
        const key = 'k' + (next() % keys)
        const op = next() % 5
        if (op < 2) {
          expect(ks.set(key, i)).toBe(!model.has(key))
          model.set(key, i)
        } else if (op < 4) {
          expect(ks.delete(key)).toBe(model.delete(key))
        } else {
          expect(ks.get(key)).toBe(model.get(key))
          expect(ks.has(key)).toBe(model.has(key))
        }
        expect(ks.size).toBe(model.size)
      }
      expect(new Map(ks.entries())).toEqual(model)
      expect([...ks.keys()].sort()).toEqual([...model.keys()].sort())
      if (keys === 3000) expect(markers(ks)).toBeLessThanOrEqual(1024)
    }
  })

  it('a live iteration sees every key present throughout while others are deleted and removed', () => {
    const ks = new KeySpace<number>()
    for (let i = 0; i < 2000; i++) ks.set('k' + i, i)
    const it = ks.keys()
    const seen = new Set<string>()
    for (let step = 0; ; step++) {
      const r = it.next()
      if (r.done) break
      seen.add(r.value)
      // Odd keys go, come back and go again; their Tombstones leave after a window.
      const k = 'k' + ((step * 2 + 1) % 2000)
      ks.delete(k)
      ks.set(k, step)
      ks.delete(k)
    }
    for (let i = 0; i < 2000; i += 2) expect(seen.has('k' + i)).toBe(true)
    for (const k of seen) expect(k.startsWith('k')).toBe(true)
  })
})
