import { describe, expect, it } from 'vitest'
import { ENTRY, KEY, KeyTable, WalkIterator, hashOf } from '../../src/store/key-table.js'

const keysOf = <V>(t: KeyTable<V>) => new WalkIterator<V, string>(t.walk(), KEY)
const entriesOf = <V>(t: KeyTable<V>) => new WalkIterator<V, [string, V]>(t.walk(), ENTRY)

function rng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648)
}

describe('KeyTable', () => {
  it('agrees with a Map through inserts, updates and deletes that grow, compact and shrink it', () => {
    const t = new KeyTable<number>()
    const model = new Map<string, number>()
    const next = rng(7)
    for (let round = 0; round < 4; round++) {
      // Phases of growth then of deletes, over key ranges that make long probe runs.
      const range = [50, 3000, 200, 20000][round]
      for (let i = 0; i < 30000; i++) {
        const key = 'k' + (next() % range)
        const op = next() % (i < 15000 ? 3 : 5)
        if (op < 2) {
          expect(t.set(key, i)).toBe(!model.has(key))
          model.set(key, i)
        } else {
          expect(t.delete(key)).toBe(model.delete(key))
        }
        if (i % 97 === 0) {
          const probe = 'k' + (next() % range)
          expect(t.get(probe)).toBe(model.get(probe))
          expect(t.get(probe) !== undefined).toBe(model.has(probe))
        }
      }
      expect(t.size).toBe(model.size)
      for (const [k, v] of model) expect(t.get(k)).toBe(v)
      expect(new Map(entriesOf(t))).toEqual(model)
    }
  })

  it('a walk visits every entry present throughout exactly once, across rebuilds', () => {
    const t = new KeyTable<number>()
    for (let i = 0; i < 5000; i++) t.set('a' + i, i)
    const w = t.walk()
    const seen = new Map<string, number>()
    const next = rng(3)
    for (let step = 0; ; step++) {
      const k = w.step()
      if (k === undefined) break
      // A 'b' key deleted and set again is a new entry, which the walk may meet again.
      if (k.startsWith('a')) expect(seen.has(k)).toBe(false)
      seen.set(k, w.value!)
      // Churn: new keys (growth), and deletes of other new keys (holes, compaction,
      // trailing trims). The 'a' keys stay throughout.
      for (let j = 0; j < 3; j++) t.set('b' + (next() % 20000), step)
      t.delete('b' + (next() % 20000))
      if (step === 2000) for (let j = 0; j < 20000; j++) t.delete('b' + j)
    }
    for (let i = 0; i < 5000; i++) expect(seen.get('a' + i)).toBe(i)
    for (const k of seen.keys()) expect(k.startsWith('a') || k.startsWith('b')).toBe(true)
    expect(w.step()).toBe(undefined)
  })

  it('a walk skips deleted entries, sees keys added behind it, and survives a shrink', () => {
    const t = new KeyTable<number>()
    for (let i = 0; i < 2000; i++) t.set('k' + i, i)
    for (let i = 0; i < 2000; i += 3) t.delete('k' + i)
    const it = keysOf(t)
    const seen: string[] = []
    for (let step = 0; ; step++) {
      const r = it.next()
      if (r.done) break
      seen.push(r.value)
      if (step === 10) {
        t.set('late', -1)
        t.delete('k1999')
        // Down to an eighth of the capacity: the table shrinks under the walk.
        for (let i = 1000; i < 1998; i++) t.delete('k' + i)
      }
    }
    const expected: string[] = []
    for (let i = 0; i < 1000; i++) if (i % 3 !== 0) expected.push('k' + i)
    expected.push('late')
    expect(seen.filter((k) => k === 'late' || Number(k.slice(1)) < 1000)).toEqual(expected)
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('a key set and deleted over and over reuses the last entry', () => {
    const t = new KeyTable<number>()
    for (let i = 0; i < 100; i++) t.set('k' + i, i)
    for (let i = 0; i < 100_000; i++) {
      t.set('lock', i)
      t.delete('lock')
    }
    expect(t.size).toBe(100)
    expect([...keysOf(t)]).toEqual(Array.from({ length: 100 }, (_, i) => 'k' + i))
  })

  it('holds the empty key', () => {
    const t = new KeyTable<string>()
    t.set('', 'empty')
    const w = t.walk()
    expect(w.step()).toBe('')
    expect(w.value).toBe('empty')
    expect(t.get('')).toBe('empty')
    t.set('x', 'y')
    expect(w.step()).toBe('x')
    expect(w.step()).toBe(undefined)
    expect([...entriesOf(t)]).toEqual([['', 'empty'], ['x', 'y']])
    expect(t.delete('')).toBe(true)
    expect(t.get('')).toBeUndefined()
  })

  it('draws random keys uniformly among the live ones', () => {
    const t = new KeyTable<number>()
    expect(t.randomKey()).toBeUndefined()
    for (let i = 0; i < 40; i++) t.set('k' + i, i)
    // Deleted entries in the middle and at the end stay in the array until a rebuild.
    for (let i = 0; i < 40; i++) if (i % 4 !== 0) t.delete('k' + i)
    const counts = new Map<string, number>()
    for (let i = 0; i < 20_000; i++) {
      const k = t.randomKey()!
      counts.set(k, (counts.get(k) ?? 0) + 1)
    }
    expect([...counts.keys()].sort()).toEqual([...keysOf(t)].sort())
    // 2000 expected per key; a uniform draw stays within 15% of it.
    for (const n of counts.values()) expect(Math.abs(n - 2000)).toBeLessThan(300)
  })

  it('hashes spread keys that differ in one character over both ends of the word', () => {
    const low = new Set<number>()
    const high = new Set<number>()
    for (let i = 0; i < 4096; i++) {
      const h = hashOf('user:' + i)
      low.add(h & 1023)
      high.add(h >>> 22)
    }
    // 4096 keys into 1024 buckets: a uniform hash leaves about 18 empty.
    expect(low.size).toBeGreaterThan(980)
    expect(high.size).toBeGreaterThan(980)
  })

  it('keeps no reference to walks that ended, however many are made', () => {
    const t = new KeyTable<number>()
    t.set('a', 1)
    for (let i = 0; i < 10_000; i++) {
      const w = t.walk()
      while (w.step() !== undefined);
    }
    expect((t as unknown as { walks: unknown[] }).walks.length).toBeLessThan(200)
  })
})
