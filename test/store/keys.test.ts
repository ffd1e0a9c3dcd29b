import { describe, expect, it } from 'vitest'
import { Keys } from '../../src/store/keys.js'
import { SMALL_MIN, SmallStrings } from '../../src/store/small-strings.js'
import { BYTES_THRESHOLD, MutableString, type KeyspaceValue } from '../../src/store/types.js'
import { ListValue } from '../../src/store/list.js'

/** A latin1 string of `n` chars, every byte value included, varied by `seed`. */
function text(n: number, seed: number): string {
  let period = ''
  for (let i = 0; i < 256; i++) period += String.fromCharCode((i * 31 + seed) & 0xff)
  return period.repeat(Math.ceil(n / 256)).slice(0, n)
}

describe('SmallStrings', () => {
  it('keeps each value in its slot, reuses freed slots, and moves a value that changes size class', () => {
    const ss = new SmallStrings()
    const a = ss.store(text(100, 1))
    const b = ss.store(text(100, 2))
    expect(ss.text(a)).toBe(text(100, 1))
    expect(ss.text(b)).toBe(text(100, 2))
    expect(ss.length(a)).toBe(100)
    // Same class: the same slot; another class: a new one, the old slot freed.
    expect(ss.assign(a, text(97, 3))).toBe(a)
    expect(ss.text(a)).toBe(text(97, 3))
    const c = ss.assign(a, text(500, 4))
    expect(c).not.toBe(a)
    expect(ss.text(c)).toBe(text(500, 4))
    expect(ss.store(text(99, 5))).toBe(a)
    expect(ss.text(b)).toBe(text(100, 2))
    const page = ss.page(b)
    expect(page.latin1Slice(ss.offset(b), ss.offset(b) + ss.length(b))).toBe(text(100, 2))
  })

  it('sizes slots in 8-byte steps up to 2 KiB, then eight steps per doubling', () => {
    const ss = new SmallStrings()
    expect(ss.slotSize(ss.store(text(100, 1)))).toBe(104)
    expect(ss.slotSize(ss.store(text(2046, 1)))).toBe(2048)
    expect(ss.slotSize(ss.store(text(2047, 1)))).toBe(2304)
    // redis-benchmark's 16 KiB values: 12.5% slack, and a value a little longer keeps the slot.
    const h = ss.store(text(16384, 2))
    expect(ss.slotSize(h)).toBe(18432)
    expect(ss.assign(h, text(17000, 3))).toBe(h)
    expect(ss.text(h)).toBe(text(17000, 3))
    expect(ss.slotSize(ss.store(text(BYTES_THRESHOLD - 1, 4)))).toBe(BYTES_THRESHOLD + 4096)
  })

  it('accounts for used bytes and stays exact across many pages and sizes', () => {
    const ss = new SmallStrings()
    const model = new Map<number, string>()
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648)
    for (let i = 0; i < 20000; i++) {
      const op = next() % 3
      if (op < 2 || model.size === 0) {
        const s = text(SMALL_MIN + (next() % (BYTES_THRESHOLD - SMALL_MIN)), i)
        const h = ss.store(s)
        expect(model.has(h)).toBe(false)
        expect(Number.isInteger(h) && h >= 0 && h < 2 ** 31).toBe(true)
        model.set(h, s)
      } else {
        const h = [...model.keys()][next() % model.size]
        ss.free(h)
        model.delete(h)
      }
    }
    for (const [h, s] of model) expect(ss.text(h)).toBe(s)
    let used = 0
    for (const h of model.keys()) used += ss.slotSize(h)
    expect(ss.used).toBe(used)
    for (const h of model.keys()) ss.free(h)
    expect(ss.used).toBe(0)
  })
})

describe('SmallStrings pages', () => {
  it('after a reset, serve any size class from the pages they had, and count only slots in use as used', () => {
    const ss = new SmallStrings()
    for (let i = 0; i < 30_000; i++) ss.store(text(100, i))
    const total = ss.used + ss.slack
    expect(ss.used).toBe(30_000 * 104)
    ss.reset()
    expect(ss.used).toBe(0)
    expect(ss.slack).toBe(total)
    // 1 KiB values now, in the same pages: nothing new is allocated while they fit.
    const handles = Array.from({ length: 2000 }, (_, i) => ss.store(text(1000, i)))
    expect(ss.used + ss.slack).toBe(total)
    handles.forEach((h, i) => expect(ss.text(h)).toBe(text(1000, i)))
  })
})

describe('Keys', () => {
  it('stores short strings as strings, mid-sized ones off the heap and long ones as bytes, freeing what a write replaces', () => {
    const keys = new Keys()
    const mid = text(100, 1)
    expect(keys.set('k', mid)).toBe(true)
    expect(typeof keys.held('k')).toBe('number')
    expect(keys.get('k')).toBe(mid)
    const used = keys.strings.used
    // An overwrite of the same size class changes the bytes, not the Map.
    expect(keys.set('k', text(100, 2))).toBe(false)
    expect(keys.get('k')).toBe(text(100, 2))
    expect(keys.strings.used).toBe(used)
    const transitions: KeyspaceValue[] = ['short', text(BYTES_THRESHOLD, 3), text(300, 4), new ListValue(), text(SMALL_MIN, 5), text(SMALL_MIN - 1, 6)]
    for (const v of transitions) {
      expect(keys.set('k', v)).toBe(false)
      const got = keys.get('k')
      if (typeof v === 'string' && v.length >= BYTES_THRESHOLD) expect((got as MutableString).text()).toBe(v)
      else expect(got).toBe(v)
    }
    expect(keys.strings.used).toBe(0)
    keys.set('k', mid)
    expect(keys.delete('k')).toBe(true)
    expect(keys.strings.used).toBe(0)
    expect(keys.delete('k')).toBe(false)
  })

  it('answers the text, never a handle, from get and its iterators', () => {
    const keys = new Keys()
    const values = new Map([['a', text(40, 1)], ['b', 'x'], ['c', text(1000, 2)]])
    for (const [k, v] of values) keys.set(k, v)
    expect(new Map(keys.entries())).toEqual(values)
    expect(new Map([...keys])).toEqual(values)
    const walk = keys.walk()
    let n = 0
    for (let k = walk.step(); k !== undefined; k = walk.step(), n++) expect(keys.value(walk.value!)).toBe(values.get(k))
    expect(n).toBe(3)
    keys.clear()
    expect(keys.size).toBe(0)
    expect(keys.strings.used).toBe(0)
  })
})
