import { afterEach, describe, expect, it } from 'vitest'
import { rng } from '../../scripts/prng.mjs'
import { formatId, IdList, idKey, IdMap, makeId, MAX_ID, type StreamEntry, StreamValue, streamLimits, U64_MAX } from '../../src/store/stream.js'

/** The stream structure alone: ids, nodes, ranges, deletion and trimming, group counters. */

const id = (ms: number, seq = 0) => makeId(BigInt(ms), BigInt(seq))
const ids = (s: StreamValue) => s.range(0n, MAX_ID, 0).map((e) => formatId(e.id))

function filled(n: number): StreamValue {
  const s = new StreamValue()
  for (let i = 1; i <= n; i++) s.append(id(i), ['f', String(i)])
  return s
}

afterEach(() => {
  streamLimits.maxEntries = 100
})

describe('StreamValue', () => {
  it('orders 128-bit ids as (ms, seq) pairs and formats them', () => {
    expect(id(1, 5) < id(2, 0)).toBe(true)
    expect(formatId(makeId(U64_MAX, U64_MAX))).toBe('18446744073709551615-18446744073709551615')
    expect(formatId(MAX_ID)).toBe('18446744073709551615-18446744073709551615')
  })

  it('packs full nodes and gives back the same ids and fields (huge ids, master fields or not, long and binary strings)', () => {
    streamLimits.maxEntries = 3
    const s = new StreamValue()
    const want: { id: bigint; fields: string[] }[] = []
    const ms = [1n, 2n, 2n ** 49n, 2n ** 52n + 3n, 2n ** 53n + 1n, U64_MAX - 1n, U64_MAX]
    let k = 0
    for (const m of ms) {
      for (const seq of [0n, 127n, 128n, 2n ** 60n, U64_MAX]) {
        const fields = k % 3 === 0 ? ['a', String(k), 'b', 'x'.repeat(k * 7)] : k % 3 === 1 ? ['a', '\x00\xff\x80', 'c', ''] : ['a', 'v'.repeat(300), 'b', '']
        s.append(makeId(m, seq), fields)
        want.push({ id: makeId(m, seq), fields })
        k++
      }
    }
    // Decoded entries may carry their id's text or number key (when its parts are
    // below 2^53): they must be formatId's and idKey's.
    const plain = (entries: StreamEntry[]) => entries.map((e) => {
      if (e.text !== undefined) expect(e.text).toBe(formatId(e.id))
      if (e.key !== undefined) expect(e.key).toBe(idKey(e.id))
      return { id: e.id, fields: e.fields }
    })
    expect(s.nodeCount).toBeGreaterThan(5)
    const all = s.range(0n, MAX_ID, 0)
    expect(plain(all)).toEqual(want)
    expect(all.filter((e) => e.text !== undefined).length).toBeGreaterThan(5)
    expect(all.filter((e) => e.key !== undefined).length).toBeGreaterThan(5)
    expect(plain(s.range(0n, MAX_ID, 0, true))).toEqual(want.slice().reverse())
    // Starting inside a packed node: the entries before are skipped, not decoded.
    for (let i = 0; i < want.length; i++) expect(plain(s.range(want[i].id, MAX_ID, 2))).toEqual(want.slice(i, i + 2))
    expect(s.delete(want[4].id)).toBe(true)
    expect(plain(s.range(0n, MAX_ID, 0))).toEqual(want.filter((_, i) => i !== 4))
    expect(plain(s.clone().range(0n, MAX_ID, 0))).toEqual(want.filter((_, i) => i !== 4))
    expect(plain([s.get(want[7].id)!])).toEqual([want[7]])
  })

  it('reads a packed node in runs, resuming where the last run stopped, and still from anywhere else', () => {
    const s = new StreamValue()
    const all: bigint[] = []
    for (let i = 0; i < 350; i++) {
      const x = makeId(1000n + BigInt(i >> 3), BigInt(i & 7))
      s.append(x, ['f', String(i)])
      all.push(x)
    }
    const after = (x: bigint) => all.filter((y) => y > x)
    // As a consumer group reads: each run from just past the last id it got.
    let last = 0n
    const seen: bigint[] = []
    for (;;) {
      const run = s.range(last + 1n, MAX_ID, 7)
      if (run.length === 0) break
      seen.push(...run.map((e) => e.id))
      last = run[run.length - 1].id
    }
    expect(seen).toEqual(all)
    // Runs that go back, repeat or jump ahead of where the last one stopped.
    const r = rng(3)
    for (let k = 0; k < 300; k++) {
      const from = r.chance(0.2) ? all[r.int(all.length)] : all[r.int(all.length)] + 1n
      const n = 1 + r.int(12)
      expect(s.range(from, MAX_ID, n).map((e) => e.id)).toEqual(after(from - 1n).slice(0, n))
    }
    // An edit repacks the node: a run must not resume in the old data.
    expect(s.range(all[10] + 1n, MAX_ID, 3).map((e) => e.id)).toEqual(all.slice(11, 14))
    expect(s.delete(all[12])).toBe(true)
    expect(s.range(all[13] + 1n, MAX_ID, 3).map((e) => e.id)).toEqual(all.slice(14, 17))
    expect(s.range(all[11], MAX_ID, 3).map((e) => e.id)).toEqual([all[11], all[13], all[14]])
  })

  it('formats ids exactly on both sides of 2^53, and nextId counts past a sequence of 2^53 - 1', () => {
    for (const ms of [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, U64_MAX]) {
      for (const seq of [0n, 9n, 2n ** 53n - 1n, 2n ** 53n, U64_MAX]) {
        expect(formatId(makeId(ms, seq))).toBe(`${ms}-${seq}`)
      }
    }
    const s = new StreamValue()
    s.append(makeId(5n, 2n ** 53n - 2n), ['f', 'v'])
    expect(formatId(s.nextId(null, null, 5)!)).toBe('5-9007199254740991')
    s.append(makeId(5n, 2n ** 53n - 1n), ['f', 'v'])
    expect(formatId(s.nextId(null, null, 5)!)).toBe('5-9007199254740992')
    expect(formatId(s.nextId(null, null, 6)!)).toBe('6-0')
  })

  it('nextId follows XADD: * from the clock or the last id, <ms>-* within a ms, explicit ids above the last', () => {
    const s = new StreamValue()
    expect(s.nextId(null, null, 1000)).toBe(id(1000, 0))
    s.append(id(1000, 0), ['f', 'v'])
    expect(s.nextId(null, null, 999)).toBe(id(1000, 1))
    expect(s.nextId(1000n, null, 0)).toBe(id(1000, 1))
    expect(s.nextId(2000n, null, 0)).toBe(id(2000, 0))
    expect(s.nextId(999n, null, 0)).toBeNull()
    expect(s.nextId(1000n, 0n, 0)).toBeNull()
  })

  it('ranges forward and backward across nodes, with counts', () => {
    streamLimits.maxEntries = 3
    const s = filled(10)
    expect(s.nodeCount).toBe(4)
    expect(ids(s)).toHaveLength(10)
    expect(s.range(id(3), id(7), 0).map((e) => formatId(e.id))).toEqual(['3-0', '4-0', '5-0', '6-0', '7-0'])
    expect(s.range(id(3), id(7), 2, true).map((e) => formatId(e.id))).toEqual(['7-0', '6-0'])
    expect(s.range(id(7), id(3), 0)).toEqual([])
    expect(s.get(id(4))?.fields).toEqual(['f', '4'])
    expect(s.get(id(4, 1))).toBeUndefined()
  })

  it('deletes entries, dropping a node once its last entry goes, and keeps the first id current', () => {
    streamLimits.maxEntries = 2
    const s = filled(4)
    expect(s.delete(id(1))).toBe(true)
    expect(s.delete(id(1))).toBe(false)
    expect(s.firstId).toBe(id(2))
    expect(s.delete(id(2))).toBe(true)
    expect(s.nodeCount).toBe(1)
    expect(ids(s)).toEqual(['3-0', '4-0'])
  })

  it('trims exactly or by whole nodes (~), with MINID judging a node by its last appended id', () => {
    streamLimits.maxEntries = 4
    let s = filled(10)
    expect(s.trim({ strategy: 'maxlen', maxlen: 5, minid: 0n, approx: true, limit: 0 })).toBe(4)
    expect(s.length).toBe(6)
    expect(s.trim({ strategy: 'maxlen', maxlen: 5, minid: 0n, approx: false, limit: 0 })).toBe(1)
    expect(ids(s)[0]).toBe('6-0')
    s = filled(10)
    expect(s.trim({ strategy: 'minid', maxlen: 0, minid: id(7), approx: false, limit: 0 })).toBe(6)
    expect(s.firstId).toBe(id(7))
    s = filled(10)
    // LIMIT stops before a node that would exceed it.
    expect(s.trim({ strategy: 'maxlen', maxlen: 0, minid: 0n, approx: true, limit: 6 })).toBe(4)
    s = filled(4)
    s.delete(id(4))
    // The node's entries all lie below 4-0, but its last appended id (4-0) does not.
    expect(s.trim({ strategy: 'minid', maxlen: 0, minid: id(4), approx: false, limit: 0 })).toBe(3)
    expect(s.length).toBe(0)
    expect(s.nodeCount).toBe(1)
  })

  it('counts entries read and the lag of a group, invalid after a deletion ahead of it', () => {
    const s = filled(5)
    const g = { lastId: 0n, entriesRead: -1n } as Parameters<StreamValue['lag']>[0]
    expect(s.lag(g)).toBe(5n)
    s.advanceGroup(g, id(1))
    expect(g.entriesRead).toBe(1n)
    s.advanceGroup(g, id(2))
    expect(s.lag(g)).toBe(3n)
    s.delete(id(4))
    s.maxDeletedId = id(4)
    expect(s.lag(g)).toBeNull()
  })

  it('clones deeply, groups and pending entries included', () => {
    const s = filled(2)
    const clone = s.clone()
    clone.append(id(3), ['f', 'v'])
    expect(s.length).toBe(2)
    expect(clone.length).toBe(3)
  })
})

describe('IdMap', () => {
  it('keeps ids sorted whatever the insertion order', () => {
    const m = new IdMap<string>()
    for (const n of [5, 1, 3, 9, 3]) m.set(id(n), String(n))
    expect(m.keys().map(formatId)).toEqual(['1-0', '3-0', '5-0', '9-0'])
    expect([...m.from(id(4))].map(([k]) => formatId(k))).toEqual(['5-0', '9-0'])
    expect(m.delete(id(3))).toBe(true)
    expect(m.get(id(3))).toBeUndefined()
    expect(m.size).toBe(3)
    m.set(id(3), 'again')
    expect(m.keys().map(formatId)).toEqual(['1-0', '3-0', '5-0', '9-0'])
  })

  it('deletes lazily: in-order deletions, re-insertions and deletion while iterating keep the order right', () => {
    const m = new IdMap<number>()
    for (let i = 1; i <= 1000; i++) m.set(id(i), i)
    for (let i = 1; i <= 900; i++) m.delete(id(i))
    expect(m.first()).toBe(id(901))
    expect(m.last()).toBe(id(1000))
    m.set(id(5), 5)
    expect(m.first()).toBe(id(5))
    const seen: number[] = []
    for (const [k, v] of m.from(id(950))) {
      seen.push(v)
      m.delete(k)
    }
    expect(seen).toHaveLength(51)
    expect(m.size).toBe(50)
    expect(m.last()).toBe(id(949))
    expect(m.values().slice(0, 2)).toEqual([5, 901])
  })

  it('keeps its arrays the size of the backlog when entries are acknowledged in order, and mixes key kinds', () => {
    const m = new IdMap<number>()
    for (let i = 1; i <= 100_000; i++) {
      m.set(id(i), i)
      if (i > 10) m.delete(id(i - 10))
    }
    expect(m.size).toBe(10)
    expect((m as unknown as { ids: bigint[] }).ids.length).toBeLessThan(64)
    expect(m.first()).toBe(id(99_991))
    // Ids past what a double key holds (seq >= 1024, ms >= 2^43) key by their text.
    const odd = [makeId(1n, 5000n), makeId(1n << 50n, 0n), makeId(1n, 1023n)]
    for (const x of odd) m.set(x, 7)
    for (const x of odd) expect(m.get(x)).toBe(7)
    expect(m.keys()[0]).toBe(makeId(1n, 1023n))
    expect(m.keys()[1]).toBe(makeId(1n, 5000n))
    expect(m.last()).toBe(makeId(1n << 50n, 0n))
  })
})

describe('IdList', () => {
  const slots = (l: IdList<number>) => (l as unknown as { ids: bigint[] }).ids.length

  it('reuses its slots as a consumer reads and acknowledges batches, in order or not', () => {
    const l = new IdList<number>()
    let next = 1
    for (let round = 0; round < 1000; round++) {
      const batch: number[] = []
      for (let j = 0; j < 10; j++) {
        batch.push(next)
        l.set(id(next), next++)
      }
      if (round % 2 === 1) batch.reverse()
      for (const n of batch) expect(l.delete(id(n))).toBe(true)
      expect(l.size).toBe(0)
    }
    expect(slots(l)).toBeLessThanOrEqual(10)
    expect(l.first()).toBeUndefined()
    expect(l.delete(id(1))).toBe(false)
  })

  it('inserts before the head and in the middle, and finds deleted ids again when re-added', () => {
    const l = new IdList<number>()
    for (const n of [10, 20, 30, 40]) l.set(id(n), n)
    l.delete(id(10))
    l.delete(id(30))
    l.set(id(5), 5)
    l.set(id(25), 25)
    l.set(id(30), 31)
    expect(l.keys().map(formatId)).toEqual(['5-0', '20-0', '25-0', '30-0', '40-0'])
    expect(l.values()).toEqual([5, 20, 25, 31, 40])
    expect(l.get(id(30))).toBe(31)
    expect(l.get(id(10))).toBeUndefined()
    expect(l.delete(id(10))).toBe(false)
    expect([l.first(), l.last()]).toEqual([id(5), id(40)])
  })

  it('carries on in order when deleting while iterating moves the slots', () => {
    const l = new IdList<number>()
    for (let i = 1; i <= 200; i++) l.set(id(i), i)
    const seen: number[] = []
    // Deleting from the front compacts the slots part way through the iteration.
    for (const [k, v] of l.from()) {
      seen.push(v)
      if (v <= 150) l.delete(k)
    }
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    expect(l.size).toBe(50)
    expect(l.first()).toBe(id(151))
    expect(slots(l)).toBeLessThanOrEqual(256)
  })

  it('agrees with a sorted model over random sets, deletions and iterations', () => {
    const r = rng(11)
    const list = new IdList<number>()
    const map = new IdMap<number>()
    const model = new Map<number, number>()
    // Ids mostly rise, as deliveries do, with some older ones and some past a number key.
    let top = 0
    const pick = () => (r.chance(0.7) ? ++top : r.int(top + 1)) * (r.chance(0.05) ? 4096 : 1)
    const asId = (n: number) => id(Math.floor(n / 2048), n % 2048)
    for (let step = 0; step < 20_000; step++) {
      const op = r.int(10)
      if (op < 5) {
        const n = pick()
        list.set(asId(n), step)
        map.set(asId(n), step)
        model.set(n, step)
      } else if (op < 9) {
        const live = [...model.keys()]
        const n = live.length > 0 && r.chance(0.8) ? (r.chance(0.7) ? Math.min(...live) : r.pick(live)) : pick()
        expect(list.delete(asId(n))).toBe(model.has(n))
        expect(map.delete(asId(n))).toBe(model.has(n))
        model.delete(n)
      } else {
        const from = r.int(top + 1)
        const want = [...model].filter(([n]) => n >= from).sort((a, b) => a[0] - b[0])
        const got: [bigint, number][] = []
        for (const [k, v] of list.from(asId(from))) {
          got.push([k, v])
          if (r.chance(0.3)) {
            list.delete(k)
            map.delete(k)
            model.delete(want[got.length - 1][0])
          }
        }
        expect(got).toEqual(want.map(([n, v]) => [asId(n), v]))
      }
      if (step % 97 === 0) {
        const sorted = [...model].sort((a, b) => a[0] - b[0])
        expect(list.keys()).toEqual(sorted.map(([n]) => asId(n)))
        expect(map.values()).toEqual(sorted.map(([, v]) => v))
        expect(list.size).toBe(model.size)
        for (const [n, v] of sorted.slice(0, 20)) expect([list.get(asId(n)), map.get(asId(n))]).toEqual([v, v])
      }
    }
  })

  it('gives back the memory of a long list once it empties', () => {
    const l = new IdList<number>()
    for (let i = 1; i <= 10_000; i++) l.set(id(i), i)
    for (let i = 10_000; i >= 1; i--) l.delete(id(i))
    expect(l.size).toBe(0)
    expect(slots(l)).toBe(0)
  })
})
