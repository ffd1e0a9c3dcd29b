import { describe, expect, it } from 'vitest'
import { ListValue } from '../../src/store/list.js'
import { rng } from '../helpers/differential.js'

/** Slots held, ring or blocks, read through the private fields (white-box checks only). */
function capacity(list: ListValue): number {
  const { slots, blocks } = list as unknown as { slots: unknown[] | null; blocks: unknown[][] | null }
  return slots !== null ? slots.length : blocks!.reduce((sum, b) => sum + b.length, 0)
}

/** How many blocks a long list is in (0 while it is a ring). */
function blockCount(list: ListValue): number {
  return (list as unknown as { blocks: unknown[][] | null }).blocks?.length ?? 0
}

function contents(list: ListValue): string[] {
  const out: string[] = []
  for (let i = 0; i < list.size; i++) out.push(list.at(i))
  return out
}

describe('ListValue (a ring, or blocks once long)', () => {
  it('is a Collection of type list that Redis 7.0 reports as a quicklist', () => {
    const list = ListValue.from(['a'])
    expect(list.type).toBe('list')
    expect(list.size).toBe(1)
    expect(list.encoding()).toBe('quicklist')
    const big = ListValue.from(Array.from({ length: 1000 }, (_, i) => 'x'.repeat(i)))
    expect(big.encoding()).toBe('quicklist')
  })

  it('pushes and pops at both ends in deque order', () => {
    const list = new ListValue()
    list.pushBack('b')
    list.pushFront('a')
    list.pushBack('c')
    expect(contents(list)).toEqual(['a', 'b', 'c'])
    expect(list.popFront()).toBe('a')
    expect(list.popBack()).toBe('c')
    expect(list.popBack()).toBe('b')
    expect(list.popBack()).toBeUndefined()
    expect(list.popFront()).toBeUndefined()
    expect(list.size).toBe(0)
  })

  it('wraps around the ring without growing when the size stays bounded', () => {
    const list = new ListValue()
    const cap = capacity(list)
    for (let i = 0; i < 5; i++) list.pushBack(String(i))
    // Walk the window forwards far past the end of the buffer, then backwards.
    for (let i = 5; i < 1000; i++) {
      list.pushBack(String(i))
      expect(list.popFront()).toBe(String(i - 5))
    }
    expect(capacity(list)).toBe(cap)
    expect(contents(list)).toEqual(['995', '996', '997', '998', '999'])
    for (let i = 994; i >= 0; i--) {
      list.pushFront(String(i))
      expect(list.popBack()).toBe(String(i + 5))
    }
    expect(capacity(list)).toBe(cap)
    expect(contents(list)).toEqual(['0', '1', '2', '3', '4'])
  })

  it('grows by doubling while wrapped, keeping order', () => {
    const list = new ListValue()
    for (let i = 0; i < 6; i++) list.pushBack('b' + i)
    for (let i = 0; i < 4; i++) list.popFront()
    for (let i = 0; i < 20; i++) list.pushFront('f' + i)
    for (let i = 6; i < 30; i++) list.pushBack('b' + i)
    const expected = [
      ...Array.from({ length: 20 }, (_, i) => 'f' + (19 - i)),
      'b4', 'b5',
      ...Array.from({ length: 24 }, (_, i) => 'b' + (i + 6)),
    ]
    expect(contents(list)).toEqual(expected)
    expect(capacity(list)).toBe(64)
  })

  it('grows a long list a block at a time, at either end, without copying it', () => {
    const list = new ListValue()
    for (let i = 0; i < 1024; i++) list.pushBack(String(i))
    expect(blockCount(list)).toBe(0)
    expect(capacity(list)).toBe(1024)
    list.pushBack('1024')
    expect(blockCount(list)).toBe(2)
    list.pushFront('-1')
    expect(blockCount(list)).toBe(3)
    for (let i = 2; i <= 1024; i++) list.pushFront(String(-i))
    expect(blockCount(list)).toBe(3)
    list.pushFront('-1025')
    expect(blockCount(list)).toBe(4)
    expect(list.size).toBe(1025 + 1025)
    expect(list.at(0)).toBe('-1025')
    expect(list.at(1025)).toBe('0')
    expect(list.at(list.size - 1)).toBe('1024')
    expect(list.slice(1023, 1027)).toEqual(['-2', '-1', '0', '1', '2'])
    // Pops give blocks back one at a time.
    list.popFront()
    expect(blockCount(list)).toBe(3)
    list.popBack()
    expect(blockCount(list)).toBe(2)
  })

  it('shrinks when drained so a once-long list gives its memory back', () => {
    const list = new ListValue()
    for (let i = 0; i < 100_000; i++) list.pushBack(String(i))
    expect(capacity(list)).toBe(98 * 1024)
    for (let i = 0; i < 99_990; i++) list.popFront()
    expect(capacity(list)).toBeLessThanOrEqual(64)
    expect(contents(list)).toEqual(Array.from({ length: 10 }, (_, i) => String(99_990 + i)))
  })

  it('reads and writes by index in O(1) on a long list', () => {
    const n = 1_000_000
    const list = new ListValue()
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) list.pushBack(String(i))
      else list.pushFront(String(i))
    }
    expect(list.size).toBe(n)
    // Front holds the odd numbers descending, back the even ones ascending.
    expect(list.at(0)).toBe(String(n - 1))
    expect(list.at(n / 2 - 1)).toBe('1')
    expect(list.at(n / 2)).toBe('0')
    expect(list.at(n - 1)).toBe(String(n - 2))
    for (let i = 0; i < n; i += 9973) {
      const expected = i < n / 2 ? n - 1 - 2 * i : 2 * (i - n / 2)
      expect(list.at(i)).toBe(String(expected))
    }
    list.setAt(123_456, 'x')
    expect(list.at(123_456)).toBe('x')
  })

  it('inserts and removes in the middle, moving the shorter side', () => {
    const list = ListValue.from(['a', 'b', 'c', 'd', 'e'])
    list.insert(1, 'x')
    list.insert(5, 'y')
    list.insert(0, 'first')
    list.insert(list.size, 'last')
    expect(contents(list)).toEqual(['first', 'a', 'x', 'b', 'c', 'd', 'y', 'e', 'last'])
    expect(list.removeAt(2)).toBe('x')
    expect(list.removeAt(5)).toBe('y')
    expect(list.removeAt(0)).toBe('first')
    expect(list.removeAt(list.size - 1)).toBe('last')
    expect(contents(list)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(list.indexOf('d')).toBe(3)
    expect(list.indexOf('zz')).toBe(-1)
  })

  it('removes matches by count from either end (LREM)', () => {
    const base = ['a', 'x', 'b', 'x', 'c', 'x', 'd', 'x']
    let list = ListValue.from(base)
    expect(list.removeValue('x', 2, false)).toBe(2)
    expect(contents(list)).toEqual(['a', 'b', 'c', 'x', 'd', 'x'])
    list = ListValue.from(base)
    expect(list.removeValue('x', 1, true)).toBe(1)
    expect(contents(list)).toEqual(['a', 'x', 'b', 'x', 'c', 'x', 'd'])
    list = ListValue.from(base)
    expect(list.removeValue('x', 0, false)).toBe(4)
    expect(contents(list)).toEqual(['a', 'b', 'c', 'd'])
    list = ListValue.from(base)
    expect(list.removeValue('x', 100, true)).toBe(4)
    expect(contents(list)).toEqual(['a', 'b', 'c', 'd'])
    expect(list.removeValue('zz', 0, false)).toBe(0)
  })

  it('trims to a range, or empties for an inverted one (LTRIM)', () => {
    const list = ListValue.from(Array.from({ length: 100 }, (_, i) => String(i)))
    list.trim(10, 89)
    expect(list.size).toBe(80)
    expect(list.at(0)).toBe('10')
    expect(list.at(79)).toBe('89')
    list.trim(70, 75)
    expect(contents(list)).toEqual(['80', '81', '82', '83', '84', '85'])
    list.trim(3, 2)
    expect(list.size).toBe(0)
    list.pushBack('again')
    expect(contents(list)).toEqual(['again'])
  })

  it('clones deeply', () => {
    const list = ListValue.from(['a', 'b'])
    const copy = list.clone()
    copy.pushBack('c')
    copy.setAt(0, 'z')
    expect(contents(list)).toEqual(['a', 'b'])
    expect(contents(copy)).toEqual(['z', 'b', 'c'])
    expect([...copy]).toEqual(['z', 'b', 'c'])
    expect(copy.toArray()).toEqual(['z', 'b', 'c'])
  })

  it('matches an array model over seeded random operations', () => {
    // Seeds 1-3 stay short; 4-6 grow past a block and back (a phase of pushes, one of
    // pops), so the ring, the blocks and the switch between them all meet the model.
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const r = rng(seed)
      const list = seed <= 3 ? new ListValue() : ListValue.from(Array.from({ length: 600 + r.int(900) }, (_, i) => 'v' + (i % 20)))
      const model: string[] = list.toArray()
      const modes = new Set<string>()
      for (let step = 0; step < 10_000; step++) {
        const v = 'v' + r.int(20)
        const n = model.length
        const growing = seed > 3 && step % 4000 < 2000
        const op = seed <= 3 ? r.int(10) : r.chance(0.6) ? (growing ? r.int(4) : 4 + r.int(2)) : 6 + r.int(4)
        switch (op) {
          case 0: case 1:
            list.pushBack(v)
            model.push(v)
            break
          case 2: case 3:
            list.pushFront(v)
            model.unshift(v)
            break
          case 4:
            expect(list.popFront()).toBe(model.shift())
            break
          case 5:
            expect(list.popBack()).toBe(model.pop())
            break
          case 6: {
            const i = r.int(n + 1)
            list.insert(i, v)
            model.splice(i, 0, v)
            break
          }
          case 7:
            if (n > 0) {
              const i = r.int(n)
              expect(list.removeAt(i)).toBe(model.splice(i, 1)[0])
            }
            break
          case 8: {
            const limit = r.int(4)
            const fromTail = r.chance(0.5)
            let removed = 0
            if (fromTail) {
              for (let i = model.length - 1; i >= 0 && (limit === 0 || removed < limit); i--) {
                if (model[i] === v) {
                  model.splice(i, 1)
                  removed++
                }
              }
            } else {
              for (let i = 0; i < model.length && (limit === 0 || removed < limit);) {
                if (model[i] === v) {
                  model.splice(i, 1)
                  removed++
                } else i++
              }
            }
            expect(list.removeValue(v, limit, fromTail)).toBe(removed)
            break
          }
          case 9:
            if (n > 0 && r.chance(0.1)) {
              const start = r.int(n)
              const stop = start + r.int(n - start)
              list.trim(start, stop)
              model.splice(stop + 1)
              model.splice(0, start)
            } else if (n > 0) {
              const i = r.int(n)
              list.setAt(i, v)
              model[i] = v
            }
            break
        }
        if (list.size !== model.length) throw new Error(`seed ${seed} step ${step}: size ${list.size} != ${model.length}`)
        if (blockCount(list) > 0) modes.add('blocks')
        else if (modes.has('blocks')) modes.add('ring again')
      }
      expect(contents(list)).toEqual(model)
      if (seed > 3) expect([...modes], `seed ${seed}`).toEqual(['blocks', 'ring again'])
    }
  })
})
