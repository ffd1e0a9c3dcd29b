import { afterEach, describe, expect, it } from 'vitest'
import { rng } from '../helpers/differential.js'
import { HashValue, hashLimits } from '../../src/store/hash.js'

describe('HashValue', () => {
  afterEach(() => {
    hashLimits.maxListpackEntries = 512
    hashLimits.maxListpackValue = 64
  })

  it('sets, gets and deletes binary-safe fields in insertion order', () => {
    const h = new HashValue()
    expect(h.type).toBe('hash')
    expect(h.set('b', '1')).toBe(true)
    expect(h.set('a\0x', '\xff\x00')).toBe(true)
    expect(h.set('b', '2')).toBe(false)
    expect(h.get('b')).toBe('2')
    expect(h.get('a\0x')).toBe('\xff\x00')
    expect(h.get('a')).toBeUndefined()
    expect([...h.fields()]).toEqual(['b', 'a\0x'])
    expect(h.delete('b')).toBe(true)
    expect(h.delete('b')).toBe(false)
    expect(h.size).toBe(1)
  })

  it('is a listpack until a string passes 64 bytes or it passes 512 fields (Redis 7.0\'s built-in default), then stays a hashtable', () => {
    const h = new HashValue()
    h.set('f', 'x'.repeat(64))
    expect(h.encoding()).toBe('listpack')
    h.set('g', 'x'.repeat(65))
    expect(h.encoding()).toBe('hashtable')
    h.delete('g')
    expect(h.encoding()).toBe('hashtable')

    const wide = new HashValue()
    wide.set('y'.repeat(65), '1')
    expect(wide.encoding()).toBe('hashtable')

    const many = new HashValue()
    for (let i = 0; i < 512; i++) many.set(`f${i}`, 'v')
    expect(many.encoding()).toBe('listpack')
    many.set('one-more', 'v')
    expect(many.encoding()).toBe('hashtable')
  })

  it('follows changed limits', () => {
    hashLimits.maxListpackEntries = 2
    const h = new HashValue()
    h.set('a', '1')
    h.set('b', '2')
    expect(h.encoding()).toBe('listpack')
    h.set('c', '3')
    expect(h.encoding()).toBe('hashtable')
  })

  it('keeps its random index current once built', () => {
    const r = rng(11)
    const h = new HashValue()
    for (let i = 0; i < 50; i++) h.set(`f${i}`, String(i))
    const index = h.sampler()
    for (let step = 0; step < 2000; step++) {
      const f = `f${r.int(80)}`
      if (r.chance(0.5)) h.set(f, 'v')
      else h.delete(f)
      expect(index.size).toBe(h.size)
    }
    expect(new Set(index.keys())).toEqual(new Set(h.fields()))
    if (h.size > 0) expect(h.has(index.random())).toBe(true)
  })

  it('clone is a deep copy with the same encoding', () => {
    const h = new HashValue()
    h.set('a', '1')
    h.set('big', 'z'.repeat(100))
    const copy = h.clone()
    copy.set('b', '2')
    h.delete('a')
    expect([...copy.entries()]).toEqual([['a', '1'], ['big', 'z'.repeat(100)], ['b', '2']])
    expect(h.size).toBe(1)
    expect(copy.encoding()).toBe('hashtable')
  })
})
