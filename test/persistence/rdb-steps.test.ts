import { describe, expect, it } from 'vitest'
import { BigValue, isBig } from '../../src/persistence/rdb-steps.js'
import { RdbWriter, readObject, writeObject } from '../../src/persistence/rdb-values.js'
import { HashValue } from '../../src/store/hash.js'
import { ListValue } from '../../src/store/list.js'
import { SetValue } from '../../src/store/set.js'
import { Consumer, ConsumerGroup, StreamValue } from '../../src/store/stream.js'
import { MutableString, type KeyspaceValue } from '../../src/store/types.js'
import { ZSet } from '../../src/store/zset.js'
import { random } from './bgsave-helpers.js'

/**
 * Big values written in steps (persistence/rdb-steps.ts), as a background save
 * spreads them over event-loop turns: the bytes are writeObject's, and long strings,
 * compressed piece by piece, read back as they were.
 */

function whole(value: KeyspaceValue, compress: boolean): Buffer {
  const w = new RdbWriter(compress)
  writeObject(w, value, 'key')
  return w.take()
}

/** The steps' output, and how many steps it took. */
function stepped(value: KeyspaceValue, compress: boolean): { bytes: Buffer; steps: number } {
  const w = new RdbWriter(compress)
  const chunks: Buffer[] = []
  let steps = 0
  for (const _ of new BigValue(w, 'key', value).steps) {
    steps++
    // As a save does between slices: the writer is emptied while the steps go on.
    if (w.pos > 10_000) chunks.push(w.take())
  }
  chunks.push(w.take())
  return { bytes: Buffer.concat(chunks), steps }
}

/** The value of an RDB key record ("key" after the type byte) read back. */
function readBack(bytes: Buffer): KeyspaceValue {
  const r = { buf: bytes, pos: 1 }
  const keyLen = bytes[r.pos]
  r.pos += 1 + keyLen
  const v = readObject(r, bytes[0])
  expect(r.pos).toBe(bytes.length)
  return v
}

function bigList(n: number, rand: () => number): ListValue {
  const items: string[] = []
  for (let i = 0; i < n; i++) {
    const r = rand()
    // Integers of every listpack width, short strings, and some near the 8 KiB node limit.
    items.push(r < 0.3 ? String(Math.floor((rand() - 0.5) * 2 ** (1 + Math.floor(rand() * 62)))) : r < 0.99 ? `e${i}-${'x'.repeat(Math.floor(rand() * 90))}` : 'y'.repeat(3000 + Math.floor(rand() * 6000)))
  }
  return ListValue.from(items)
}

describe('big values written in steps', () => {
  it('lists, hashes, sets, sorted sets and streams: the same bytes as writeObject, in many steps', () => {
    const rand = random(7)
    const hash = new HashValue()
    const set = new SetValue()
    const zset = new ZSet()
    for (let i = 0; i < 5000; i++) {
      hash.set(`field-${i}`, i % 7 === 0 ? String(i) : `value-${'v'.repeat(i % 50)}`)
      set.add(i % 3 === 0 ? String(i * 1000) : `member-${i}`)
      zset.set(`m${i}`, i % 11 === 0 ? Infinity : (rand() - 0.5) * 1e6)
    }
    const stream = new StreamValue()
    for (let i = 1; i <= 3000; i++) stream.append(BigInt(i) << 64n, i % 5 === 0 ? ['other', String(i)] : ['f', String(i), 'g', `v${i}`])
    const group = new ConsumerGroup('g', 50n << 64n, 50n)
    const consumer = new Consumer('c')
    group.consumers.set('c', consumer)
    for (let i = 1; i <= 20; i++) {
      const entry = { id: BigInt(i) << 64n, deliveryTime: 1000 + i, deliveryCount: i, consumer }
      group.pending.set(entry.id, entry)
      consumer.pending.set(entry.id, entry)
    }
    stream.groups.set('g', group)
    const values: [string, KeyspaceValue][] = [['list', bigList(20_000, rand)], ['hash', hash], ['set', set], ['zset', zset], ['stream', stream]]
    for (const [name, value] of values) {
      expect(isBig(value), name).toBe(true)
      for (const compress of [false, true]) {
        const { bytes, steps } = stepped(value, compress)
        expect(bytes.equals(whole(value, compress)), `${name} compress=${compress}`).toBe(true)
        expect(steps, name).toBeGreaterThan(20)
      }
    }
  })

  it('small values and the packed encodings are not big', () => {
    const small = new HashValue()
    small.set('a', '1')
    const ints = new SetValue()
    for (let i = 0; i < 500; i++) ints.add(String(i))
    for (const v of ['short', 'x'.repeat(1000), ListValue.from(['a', 'b']), small, ints]) expect(isBig(v)).toBe(false)
  })

  it('long strings, compressible or not, as JS strings and as bytes, read back as they were', () => {
    const rand = random(3)
    const noise = Buffer.alloc(3_000_000)
    for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(rand() * 256)
    const text = Array.from({ length: 200_000 }, (_, i) => `line ${i % 977} of text;`).join('')
    const mixed = text.slice(0, 500_000) + noise.toString('latin1', 0, 200_000) + text.slice(0, 300_000)
    const cases: [string, KeyspaceValue, string][] = [
      ['text', text, text],
      ['noise', noise.toString('latin1'), noise.toString('latin1')],
      ['mixed', mixed, mixed],
      ['bytes', MutableString.ofText(mixed), mixed],
    ]
    for (const [name, value, expected] of cases) {
      expect(isBig(value), name).toBe(true)
      for (const compress of [false, true]) {
        const { bytes, steps } = stepped(value, compress)
        const back = readBack(bytes)
        const got = typeof back === 'string' ? back : (back as MutableString).text()
        expect(got.length, `${name} compress=${compress}`).toBe(expected.length)
        expect(got === expected, `${name} compress=${compress}`).toBe(true)
        expect(steps, name).toBeGreaterThan(1)
        if (!compress) expect(bytes.equals(whole(value, false)), name).toBe(true)
      }
    }
    // Compressed where it pays, as Redis does (0xc3 after the key), about as well as
    // in one go; raw where it does not pay.
    const compressed = stepped(text, true).bytes
    expect(compressed[5]).toBe(0xc3)
    expect(compressed.length).toBeLessThan(whole(text, true).length * 1.05)
    expect(stepped(noise.toString('latin1'), true).bytes.length).toBeLessThan(noise.length + 16)
  })

  it('a long member of a big collection goes in steps of its own and reads back', () => {
    const hash = new HashValue()
    for (let i = 0; i < 300; i++) hash.set(`f${i}`, i === 150 ? 'z'.repeat(200_000) : `v${i}`)
    const { bytes } = stepped(hash, true)
    const back = readBack(bytes) as HashValue
    expect(back.size).toBe(300)
    expect(back.get('f150')).toBe('z'.repeat(200_000))
    expect(back.get('f7')).toBe('v7')
  })

  it('detached halfway, a list, a set and strings are written as they were, whatever happens to them after', () => {
    const rand = random(5)
    const list = bigList(5000, rand)
    const set = new SetValue()
    for (let i = 0; i < 5000; i++) set.add(`member-${i}`)
    const text = 'some text '.repeat(20_000)
    const bytes = MutableString.ofText(text)
    const cases: [string, KeyspaceValue, () => void][] = [
      ['list', list, () => { list.trim(10, 20); list.pushBack('after') }],
      ['set', set, () => { for (let i = 0; i < 4000; i++) set.delete(`member-${i}`); set.add('after') }],
      ['bytes', bytes, () => { bytes.buf.fill(0x41) }],
      ['text', text, () => {}],
    ]
    for (const [name, value, change] of cases) {
      const expected = whole(value, true)
      const w = new RdbWriter(true)
      const big = new BigValue(w, 'key', value)
      for (let i = 0; i < 10; i++) big.steps.next()
      expect(big.detach(), name).toBe(true)
      change()
      expect(big.detach(), name).toBe(true)
      while (big.steps.next().done !== true);
      const got = w.take()
      if (name === 'list' || name === 'set') expect(got.equals(expected), name).toBe(true)
      else expect(readBack(got), name).toBe(text)
    }
  })

  it('a hash, a sorted set and a stream are not detached: the save finishes them first', () => {
    const hash = new HashValue()
    const zset = new ZSet()
    const stream = new StreamValue()
    for (let i = 0; i < 2000; i++) {
      hash.set(`f${i}`, `v${i}`)
      zset.set(`m${i}`, i)
      stream.append(BigInt(i + 1) << 64n, ['f', String(i)])
    }
    for (const value of [hash, zset, stream]) {
      const big = new BigValue(new RdbWriter(false), 'key', value)
      big.steps.next()
      expect(big.detach()).toBe(false)
    }
  })
})
