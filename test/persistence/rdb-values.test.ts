import { describe, expect, it } from 'vitest'
import { ListpackBuilder, RdbFormatError } from '../../src/persistence/packed.js'
import { RdbWriter, readObject, writeObject } from '../../src/persistence/rdb-values.js'
import { span } from '../../src/persistence/rdb-strings.js'
import { HashValue } from '../../src/store/hash.js'
import { ListValue } from '../../src/store/list.js'
import type { StoredValue } from '../../src/store/types.js'
import { ZSet } from '../../src/store/zset.js'

/**
 * Values in their RDB encodings, read back through readObject: packed containers
 * decoded where they lie or after LZF expansion, and sorted sets checked for repeats.
 * (Type numbers as in the RDB format: 5 ZSET_2, 16 HASH_LISTPACK, 17 ZSET_LISTPACK,
 * 18 QUICKLIST_2.)
 */

function read(bytes: Buffer, type: number): StoredValue {
  const r = { buf: bytes, pos: 0 }
  const v = readObject(r, type)
  expect(r.pos).toBe(bytes.length)
  return v
}

function listpack(items: string[]): Buffer {
  const lp = new ListpackBuilder()
  for (const s of items) lp.add(s)
  return lp.finish()
}

function zsetContents(z: ZSet): [string, number][] {
  return [...z.entries()]
}

describe('reading values', () => {
  it('a quicklist of LZF-compressed nodes reads back whole, each node decoded before the next expands', () => {
    const nodes = [Array.from({ length: 30 }, (_, i) => `first-${i % 3}-${'a'.repeat(20)}`), Array.from({ length: 40 }, (_, i) => `second-${i % 4}`)]
    const w = new RdbWriter(true)
    w.length(nodes.length)
    for (const items of nodes) {
      w.length(2) // a packed node
      w.blob(listpack(items))
    }
    const bytes = w.take()
    expect(bytes[2]).toBe(0xc3) // the first node really is compressed
    expect((read(bytes, 18) as ListValue).toArray()).toEqual([...nodes[0], ...nodes[1]])
  })

  it('a long list written with compression on comes back in order', () => {
    const items = Array.from({ length: 2000 }, (_, i) => `item:${i % 50}:${'z'.repeat(i % 30)}`)
    const w = new RdbWriter(true)
    writeObject(w, ListValue.from(items))
    const bytes = w.take()
    expect((read(bytes.subarray(1), bytes[0]) as ListValue).toArray()).toEqual(items)
  })

  it('hashes from a compressed listpack', () => {
    const w = new RdbWriter(true)
    w.blob(listpack(['name', 'x'.repeat(40), 'count', '12', 'tag', 'x'.repeat(40)]))
    const bytes = w.take()
    expect(bytes[0]).toBe(0xc3)
    const h = read(bytes, 16) as HashValue
    expect([...h.entries()]).toEqual([['name', 'x'.repeat(40)], ['count', '12'], ['tag', 'x'.repeat(40)]])
  })

  it('sorted sets: entries in any order load sorted; a repeated member or a NaN score is refused', () => {
    const lp = (items: string[]): Buffer => {
      const w = new RdbWriter(false)
      w.blob(listpack(items))
      return w.take()
    }
    const inOrder = lp(['a', '1', 'b', '2.5', 'c', '2.5'])
    expect(zsetContents(read(inOrder, 17) as ZSet)).toEqual([['a', 1], ['b', 2.5], ['c', 2.5]])
    // Read in place, and the input is let go of afterwards (it may be a whole snapshot).
    expect(span.buf).not.toBe(inOrder)
    expect(zsetContents(read(lp(['c', '3', 'a', '1', 'b', '1']), 17) as ZSet)).toEqual([['a', 1], ['b', 1], ['c', 3]])
    expect(() => read(lp(['a', '1', 'b', '2', 'a', '3']), 17)).toThrow(RdbFormatError)
    expect(() => read(lp(['a', '1', 'a', '1']), 17)).toThrow(RdbFormatError)
    const zset2 = (pairs: [string, number][]): Buffer => {
      const w = new RdbWriter(false)
      w.length(pairs.length)
      for (const [m, s] of pairs) {
        w.string(m)
        w.binaryDouble(s)
      }
      return w.take()
    }
    expect(zsetContents(read(zset2([['x', 2], ['y', -1]]), 5) as ZSet)).toEqual([['y', -1], ['x', 2]])
    expect(() => read(zset2([['x', 2], ['y', 1], ['x', 3]]), 5)).toThrow(RdbFormatError)
    expect(() => read(zset2([['x', NaN]]), 5)).toThrow(RdbFormatError)
  })
})

describe('writing strings', () => {
  it('stringBytes writes what string() writes for the same text, compressed or not', () => {
    for (const compress of [true, false]) {
      for (let n = 16; n <= 300; n += n < 40 ? 1 : 37) {
        // Compressible, and not: LZF keeps the raw form unless it saves 4 bytes.
        for (const text of ['ab'.repeat(n).slice(0, n), Array.from({ length: n }, (_, i) => String.fromCharCode((i * 151 + n) & 255)).join('')]) {
          const page = Buffer.alloc(n + 10, 0xee)
          page.write(text, 7, 'latin1')
          const viaText = new RdbWriter(compress)
          viaText.string(text)
          const viaBytes = new RdbWriter(compress)
          viaBytes.stringBytes(page, 7, n)
          expect(viaBytes.take()).toEqual(viaText.take())
        }
      }
    }
  })
})
