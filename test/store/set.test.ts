import { afterEach, describe, expect, it } from 'vitest'
import { rng } from '../helpers/differential.js'
import { MemberIndex, SetValue, setLimits } from '../../src/store/set.js'

describe('MemberIndex', () => {
  it('stays consistent with a reference Set through random adds and deletes', () => {
    const r = rng(7)
    const index = new MemberIndex()
    const ref = new Set<string>()
    for (let step = 0; step < 5000; step++) {
      const m = `m${r.int(300)}`
      if (r.chance(0.55)) {
        expect(index.add(m)).toBe(!ref.has(m))
        ref.add(m)
      } else {
        expect(index.delete(m)).toBe(ref.has(m))
        ref.delete(m)
      }
      if (step % 97 === 0) {
        expect(index.size).toBe(ref.size)
        expect(new Set(index.keys())).toEqual(ref)
        if (ref.size > 0) expect(ref.has(index.random())).toBe(true)
      }
    }
    while (index.size > 0) {
      const m = index.pop()
      expect(ref.delete(m)).toBe(true)
      expect(index.has(m)).toBe(false)
    }
    expect(ref.size).toBe(0)
  })

  it('sampleDistinct returns distinct members for small and large shares', () => {
    const index = new MemberIndex()
    for (let i = 0; i < 100; i++) index.add(`x${i}`)
    for (const count of [1, 5, 33, 34, 60, 99, 100, 150]) {
      const sample = index.sampleDistinct(count)
      expect(sample.length).toBe(Math.min(count, 100))
      expect(new Set(sample).size).toBe(sample.length)
      for (const m of sample) expect(index.has(m)).toBe(true)
    }
  })

  it('random picks reach every member (no member is unreachable after swaps)', () => {
    const index = new MemberIndex()
    for (let i = 0; i < 20; i++) index.add(String(i))
    for (let i = 0; i < 20; i += 3) index.delete(String(i))
    const seen = new Set<string>()
    for (let i = 0; i < 5000 && seen.size < index.size; i++) seen.add(index.random())
    expect(seen).toEqual(new Set(index.keys()))
  })
})

describe('SetValue', () => {
  afterEach(() => {
    setLimits.maxIntsetEntries = 512
  })

  it('reports intset for canonical int64 members and hashtable otherwise, one way', () => {
    const s = SetValue.of(['3', '-1', '9223372036854775807'])
    expect(s.type).toBe('set')
    expect(s.encoding()).toBe('intset')
    s.add('01')
    expect(s.encoding()).toBe('hashtable')
    s.delete('01')
    expect(s.encoding()).toBe('hashtable')
    expect(SetValue.of(['9223372036854775808']).encoding()).toBe('hashtable')
    expect(SetValue.of([' 1']).encoding()).toBe('hashtable')
  })

  it('converts to hashtable past set-max-intset-entries', () => {
    setLimits.maxIntsetEntries = 4
    const s = SetValue.of(['1', '2', '3', '4'])
    expect(s.encoding()).toBe('intset')
    s.add('5')
    expect(s.encoding()).toBe('hashtable')
  })

  it('lists an intset in ascending numeric order, exactly beyond 2^53', () => {
    const s = SetValue.of(['10', '-5', '3', '9007199254740993', '9007199254740992', '-9223372036854775808'])
    expect(s.members()).toEqual(['-9223372036854775808', '-5', '3', '10', '9007199254740992', '9007199254740993'])
    s.delete('3')
    s.add('4')
    expect(s.members()).toEqual(['-9223372036854775808', '-5', '4', '10', '9007199254740992', '9007199254740993'])
  })

  it('keeps binary-safe members distinct', () => {
    const s = SetValue.of(['a\0b', 'a\0c', '\xff', ''])
    expect(s.size).toBe(4)
    expect(s.has('a\0b')).toBe(true)
    expect(s.has('a')).toBe(false)
    expect(s.has('')).toBe(true)
  })

  it('clone is a deep copy', () => {
    const s = SetValue.of(['a', 'b'])
    const copy = s.clone()
    copy.add('c')
    s.delete('a')
    expect([...copy.members()].sort()).toEqual(['a', 'b', 'c'])
    expect([...s.members()]).toEqual(['b'])
    expect(copy.encoding()).toBe('hashtable')
  })

  it('a live key iterator visits every member present throughout, despite swaps', () => {
    const s = new SetValue()
    for (let i = 0; i < 1000; i++) s.add(`k${i}`)
    const it = s.keys()
    const seen = new Set<string>()
    for (let i = 0; i < 500; i++) seen.add(it.next().value as string)
    // Deleting early members swaps late ones into their slots; order must not change.
    for (let i = 0; i < 100; i++) s.delete(`k${i}`)
    for (let r = it.next(); !r.done; r = it.next()) seen.add(r.value)
    for (let i = 100; i < 1000; i++) expect(seen.has(`k${i}`)).toBe(true)
  })

  it('pops stay cheap on a large set', () => {
    const s = new SetValue()
    for (let i = 0; i < 100_000; i++) s.add(`member:${i}`)
    for (let i = 0; i < 99_999; i++) s.pop()
    expect(s.size).toBe(1)
  })
})
