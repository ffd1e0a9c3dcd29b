import { describe, expect, it } from 'vitest'
import { ClientTable } from '../../src/server/client-table.js'

const client = (id: number) => ({ id })

describe('ClientTable', () => {
  it('finds clients by id and lists them in id order while most come and go', () => {
    const table = new ClientTable<{ id: number }>()
    const kept = new Map<number, { id: number }>()
    // Churn: a short-lived client per step, and every 7th one stays; enough steps for
    // many compactions.
    for (let id = 1; id <= 2000; id++) {
      const c = client(id)
      table.add(c)
      if (id % 7 === 0) kept.set(id, c)
      else expect(table.delete(id)).toBe(true)
      expect(table.size).toBe(kept.size)
    }
    expect([...table.values()].map((c) => c.id)).toEqual([...kept.keys()])
    expect([...table].length).toBe(kept.size)
    for (const [id, c] of kept) expect(table.get(id)).toBe(c)
    expect(table.get(8)).toBeUndefined()
    expect(table.has(14)).toBe(true)
    expect(table.has(15)).toBe(false)
    expect(table.has(99999)).toBe(false)
    expect(table.delete(8)).toBe(false)
    expect(table.delete(14)).toBe(true)
    expect(table.delete(14)).toBe(false)
    expect(table.size).toBe(kept.size - 1)
  })

  it('skips a client deleted during a walk, and refuses an id that does not grow', () => {
    const table = new ClientTable<{ id: number }>()
    for (let id = 1; id <= 5; id++) table.add(client(id))
    const seen: number[] = []
    for (const c of table.values()) {
      seen.push(c.id)
      if (c.id === 2) table.delete(4)
    }
    expect(seen).toEqual([1, 2, 3, 5])
    expect(() => table.add(client(5))).toThrow(/not above/)
    table.add(client(9))
    expect(table.get(9)?.id).toBe(9)
  })
})
