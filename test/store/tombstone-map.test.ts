import { describe, expect, it } from 'vitest'
import { TombstoneMap } from '../../src/store/tombstone-map.js'

/** Entries that hold deleted keys' Tombstones. */
function tombstones<V>(m: TombstoneMap<V>): number {
  return m.entriesHeld - m.size
}

/**
 * A deleted key keeps its Map entry, holding a Tombstone, so that setting it again
 * reuses the entry: V8's Map leaves a deleted entry in its bucket chain until a
 * rehash, and a key deleted and set over and over in a big map made every lookup of
 * it walk thousands of dead entries.
 */
describe('TombstoneMap', () => {
  it('a key deleted and set again in a large map keeps one entry', () => {
    const m = new TombstoneMap<number>()
    for (let i = 0; i < 50_000; i++) m.set('k' + i, i)
    for (let i = 0; i < 100_000; i++) {
      expect(m.get('queue')).toBeUndefined()
      expect(m.set('queue', i)).toBe(true)
      expect(m.delete('queue')).toBe(true)
    }
    // One extra entry, where deletes that unlinked would have appended 100k entries
    // (and left 100k holes) since the last rehash.
    expect(m.entriesHeld).toBe(50_001)
    expect(m.size).toBe(50_000)
    expect(m.has('queue')).toBe(false)
    expect(m.holds('queue')).toBe(true)
    expect(m.delete('queue')).toBe(false)
    expect(m.set('queue', 1)).toBe(true)
    expect(m.set('queue', 2)).toBe(false)
  })

  it('Tombstones of keys never set again stay below an eighth of the live keys', () => {
    const m = new TombstoneMap<number>()
    for (let i = 0; i < 20_000; i++) m.set('live' + i, i)
    let peak = 0
    for (let i = 0; i < 200_000; i++) {
      m.set('job' + i, i)
      if (i >= 10) m.delete('job' + (i - 10))
      peak = Math.max(peak, tombstones(m))
    }
    expect(m.size).toBe(20_010)
    expect(peak).toBeLessThanOrEqual(20_010 / 8 + 1)
    // As the map empties, the window shrinks with it, and below 128 keys deletes unlink.
    for (const k of [...m.keys()]) m.delete(k)
    expect(m.size).toBe(0)
    expect(tombstones(m)).toBeLessThanOrEqual(16)
    expect([...m.keys()]).toEqual([])
  })

  it('a small map unlinks at once', () => {
    const m = new TombstoneMap<number>()
    for (let i = 0; i < 100; i++) m.set('k' + i, i)
    m.delete('k5')
    expect(m.entriesHeld).toBe(99)
    m.set('k5', 5)
    expect([...m.keys()].at(-1)).toBe('k5')
  })

  it('unlink() puts a key set again at the end of the order', () => {
    const m = new TombstoneMap<number>()
    for (let i = 0; i < 1000; i++) m.set('k' + i, i)
    m.delete('k1')
    m.set('k1', 1)
    // A Tombstone keeps the key's place.
    expect([...m.keys()].slice(0, 3)).toEqual(['k0', 'k1', 'k2'])
    expect(m.delete('k2')).toBe(true)
    expect(m.unlink('k2')).toBe(false)
    expect(m.unlink('k3')).toBe(true)
    expect(m.set('k3', 3)).toBe(true)
    expect(m.set('k2', 2)).toBe(true)
    expect([...m.keys()].slice(-2)).toEqual(['k3', 'k2'])
    expect(m.size).toBe(1000)
    expect(tombstones(m)).toBe(0)
  })

  it('agrees with a Map under random churn', () => {
    // 200 keys come back within the window; 3000 mostly do not, so Tombstones leave.
    for (const keys of [200, 3000]) {
      const m = new TombstoneMap<number>()
      const model = new Map<string, number>()
      let seed = 7
      const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648)
      for (let i = 0; i < 40_000; i++) {
        const key = 'k' + (next() % keys)
        const op = next() % 6
        if (op < 2) {
          expect(m.set(key, i)).toBe(!model.has(key))
          model.set(key, i)
        } else if (op < 4) {
          expect(m.delete(key)).toBe(model.delete(key))
        } else if (op < 5) {
          expect(m.unlink(key)).toBe(model.delete(key))
        } else {
          expect(m.get(key)).toBe(model.get(key))
          expect(m.has(key)).toBe(model.has(key))
        }
        expect(m.size).toBe(model.size)
      }
      expect(new Map(m.entries())).toEqual(model)
      expect(new Map(m)).toEqual(model)
      expect([...m.keys()].sort()).toEqual([...model.keys()].sort())
      expect([...m.values()].sort()).toEqual([...model.values()].sort())
      expect(tombstones(m)).toBeLessThanOrEqual(Math.max(16, model.size >> 3) + 1)
    }
  })

  it('a live iteration sees every key present throughout while others are deleted and removed', () => {
    const m = new TombstoneMap<number>()
    for (let i = 0; i < 2000; i++) m.set('k' + i, i)
    const it = m.keys()
    const seen = new Set<string>()
    for (let step = 0; ; step++) {
      const r = it.next()
      if (r.done) break
      seen.add(r.value)
      // Odd keys go, come back and go again; their Tombstones leave after a window.
      const k = 'k' + ((step * 2 + 1) % 2000)
      m.delete(k)
      m.set(k, step)
      m.delete(k)
    }
    for (let i = 0; i < 2000; i += 2) expect(seen.has('k' + i)).toBe(true)
    expect(m.size).toBe(1000)
    for (const k of seen) expect(k.startsWith('k')).toBe(true)
  })

  it('clear() empties it, Tombstones and all', () => {
    const m = new TombstoneMap<number>()
    for (let i = 0; i < 500; i++) m.set('k' + i, i)
    for (let i = 0; i < 300; i++) m.delete('k' + i)
    m.clear()
    expect(m.size).toBe(0)
    expect(m.entriesHeld).toBe(0)
    expect(m.set('k1', 1)).toBe(true)
  })
})
