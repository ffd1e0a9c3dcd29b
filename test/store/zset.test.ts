import { afterEach, describe, expect, it } from 'vitest'
import { rng } from '../helpers/differential.js'
import { ScoreTree } from '../../src/store/score-tree.js'
import { ZSet, sortedOrder, zsetLimits } from '../../src/store/zset.js'

/** The naive model: a Map, sorted into an array (by full re-sort) when read. */
class Model {
  private index = new Map<string, number>()
  private sorted: [string, number][] | null = null

  get entries(): [string, number][] {
    if (this.sorted === null) {
      this.sorted = [...this.index].sort((a, b) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    }
    return this.sorted
  }

  set(member: string, score: number): void {
    this.index.set(member, score)
    this.sorted = null
  }

  delete(member: string): boolean {
    this.sorted = null
    return this.index.delete(member)
  }

  score(member: string): number | undefined {
    return this.index.get(member)
  }

  countByScore(score: number, orEqual: boolean): number {
    return this.entries.filter((e) => e[1] < score || (orEqual && e[1] === score)).length
  }

  countByMember(member: string, orEqual: boolean): number {
    return this.entries.filter((e) => e[0] < member || (orEqual && e[0] === member)).length
  }
}

function contents(z: ZSet): [string, number][] {
  return [...z.entries()]
}

const SCORES = [-Infinity, -3.5, -1, 0, 0, 1, 1, 2, 2.25, 7, 1e20, Infinity]

describe('ZSet (sorted set storage)', () => {
  afterEach(() => {
    zsetLimits.maxListpackEntries = 128
    zsetLimits.maxListpackValue = 64
  })

  it('matches a naive sorted array through random inserts, updates and deletes', () => {
    const r = rng(11)
    const z = new ZSet()
    const model = new Model()
    for (let step = 0; step < 6000; step++) {
      const member = `m${r.int(700)}`
      const op = r.int(10)
      if (op < 6) {
        // Few distinct scores, so many members share one and order by member bytes.
        const score = r.chance(0.3) ? SCORES[r.int(SCORES.length)] : r.int(40) / 4
        expect(z.set(member, score)).toBe(model.score(member) === undefined)
        model.set(member, score)
      } else {
        expect(z.delete(member)).toBe(model.delete(member))
      }
      if (step % 250 === 0) {
        z.check()
        expect(contents(z)).toEqual(model.entries)
      }
    }
    z.check()
    expect(z.size).toBe(model.entries.length)
    expect(contents(z)).toEqual(model.entries)
    for (let i = 0; i < model.entries.length; i++) {
      const [member, score] = model.entries[i]
      expect(z.rank(member)).toBe(i)
      expect(z.score(member)).toBe(score)
      const cur = z.at(i)
      expect([cur.member, cur.score]).toEqual([member, score])
    }
    expect(z.rank('absent')).toBe(-1)
  })

  it('counts members before score and lex bounds like the model, ±inf included', () => {
    const r = rng(5)
    const z = new ZSet()
    const model = new Model()
    for (let i = 0; i < 3000; i++) {
      const m = `k${r.int(5000)}`
      const s = SCORES[r.int(SCORES.length)]
      z.set(m, s)
      model.set(m, s)
    }
    for (const s of [...SCORES, -2, 0.5, 1e21, -1e300]) {
      for (const orEqual of [false, true]) expect(z.countByScore(s, orEqual)).toBe(model.countByScore(s, orEqual))
    }
    // Lex bounds are meaningful when every score is equal.
    const lex = new ZSet()
    const lexModel = new Model()
    for (let i = 0; i < 2000; i++) {
      const m = String.fromCharCode(97 + r.int(26), 97 + r.int(26), 97 + r.int(4))
      lex.set(m, 0)
      lexModel.set(m, 0)
    }
    for (const bound of ['', 'a', 'abc', 'mm', 'mzz', 'z', 'zzz', '\xff']) {
      for (const orEqual of [false, true]) expect(lex.countByMember(bound, orEqual)).toBe(lexModel.countByMember(bound, orEqual))
    }
  })

  it('walks forwards and backwards from any rank across leaves', () => {
    const z = new ZSet()
    for (let i = 0; i < 1000; i++) z.set(`e${String(i).padStart(4, '0')}`, i % 10)
    const all = contents(z)
    for (const start of [0, 1, 63, 64, 500, 998, 999]) {
      const fwd: string[] = []
      for (const cur = z.at(start); cur.valid; cur.next()) fwd.push(cur.member)
      expect(fwd).toEqual(all.slice(start).map((e) => e[0]))
      const back: string[] = []
      for (const cur = z.at(start); cur.valid; cur.prev()) back.push(cur.member)
      expect(back).toEqual(all.slice(0, start + 1).reverse().map((e) => e[0]))
    }
    expect(z.at(1000).valid).toBe(false)
    expect(z.at(-1).valid).toBe(false)
    expect([...z.entries(0, true)].map((e) => e[0])).toEqual(all.map((e) => e[0]).reverse())
    expect([...z.members()]).toEqual(all.map((e) => e[0]))
  })

  it('tracks min and max through pops, down to empty', () => {
    const r = rng(3)
    const z = new ZSet()
    const model = new Model()
    for (let i = 0; i < 2000; i++) {
      const m = `p${i}`
      const s = r.int(100) - 50
      z.set(m, s)
      model.set(m, s)
    }
    while (z.size > 0) {
      const fromMin = r.chance(0.5)
      const expected = fromMin ? model.entries[0] : model.entries[model.entries.length - 1]
      const member = fromMin ? z.minMember : z.maxMember
      const score = fromMin ? z.minScore : z.maxScore
      expect([member, score]).toEqual(expected)
      z.delete(member)
      model.delete(member)
      if (z.size % 300 === 0) z.check()
    }
    z.check()
    expect(contents(z)).toEqual([])
  })

  it('removes rank ranges, including the whole set', () => {
    const z = new ZSet()
    const model = new Model()
    for (let i = 0; i < 3000; i++) {
      z.set(`r${i}`, i % 97)
      model.set(`r${i}`, i % 97)
    }
    expect(z.removeRange(100, 1500)).toBe(1500)
    for (const [m] of model.entries.slice(100, 1600)) model.delete(m)
    z.check()
    expect(contents(z)).toEqual(model.entries)
    expect(z.removeRange(0, z.size)).toBe(1500)
    expect(z.size).toBe(0)
    z.check()
  })

  it('bulk-builds trees of every size with valid structure', () => {
    for (const n of [0, 1, 63, 64, 65, 100, 1000, 3071, 3072, 3073, 20000]) {
      const members = Array.from({ length: n }, (_, i) => `b${String(i).padStart(6, '0')}`)
      const scores = members.map((_, i) => Math.floor(i / 3))
      const tree = ScoreTree.fromSorted(members, scores)
      tree.check()
      expect(tree.size).toBe(n)
      if (n > 0) expect(tree.rankOf(members[n - 1], scores[n - 1])).toBe(n - 1)
      // And it keeps working under inserts and removes.
      for (let i = 0; i < n; i += 7) tree.remove(members[i], scores[i])
      tree.insert('zz', -1)
      tree.check()
    }
  })

  it('build() sorts any input and picks the encoding a STORE result gets', () => {
    const z = ZSet.build(['c', 'a', 'b', 'neg'], [2, 1, 1, -0])
    expect(contents(z)).toEqual([['neg', 0], ['a', 1], ['b', 1], ['c', 2]])
    expect(Object.is(z.score('neg'), 0)).toBe(true)
    expect(z.encoding()).toBe('listpack')
    const big = ZSet.build(Array.from({ length: 129 }, (_, i) => `x${i}`), Array.from({ length: 129 }, () => -0))
    expect(big.encoding()).toBe('skiplist')
    expect(Object.is(big.score('x0'), -0)).toBe(true)
    expect(ZSet.build(['y'.repeat(65)], [1]).encoding()).toBe('skiplist')
    expect(sortedOrder(['b', 'a', 'c'], [1, 1, 0])).toEqual([2, 1, 0])
  })

  it('build() of entries already in order keeps that order and copies the arrays it was given', () => {
    const members = ['a', 'b', 'c', 'd']
    const scores = [-0, 1, 1, 2]
    const z = ZSet.build(members, scores)
    members[0] = 'changed'
    scores[1] = 99
    z.check()
    expect(contents(z)).toEqual([['a', 0], ['b', 1], ['c', 1], ['d', 2]])
    // Equal entries are not "in order": a repeat goes through the sort, keeping one.
    expect(ZSet.build(['a', 'a'], [1, 1]).size).toBe(1)
  })

  it('converts from listpack to skiplist by size or member length, for good', () => {
    const z = new ZSet()
    for (let i = 0; i < 128; i++) z.set(`l${i}`, i)
    expect(z.encoding()).toBe('listpack')
    z.set('l128', 1)
    expect(z.encoding()).toBe('skiplist')
    z.delete('l128')
    z.delete('l0')
    expect(z.encoding()).toBe('skiplist')
    const long = new ZSet()
    long.set('a', 1)
    long.set('x'.repeat(64), 1)
    expect(long.encoding()).toBe('listpack')
    long.set('x'.repeat(65), 1)
    expect(long.encoding()).toBe('skiplist')
    zsetLimits.maxListpackEntries = 0
    const none = new ZSet()
    none.set('a', 1)
    expect(none.encoding()).toBe('skiplist')
  })

  it('stores -0 as 0 in a listpack and keeps the sign in a skiplist', () => {
    const small = new ZSet()
    small.set('a', -0)
    small.set('b', 1)
    small.set('b', -0)
    expect(Object.is(small.score('a'), 0)).toBe(true)
    expect(Object.is(small.score('b'), 0)).toBe(true)
    zsetLimits.maxListpackEntries = 0
    const big = new ZSet()
    big.set('a', -0)
    expect(Object.is(big.score('a'), -0)).toBe(true)
    // An equal score (0 == -0) is no change at all, as in Redis.
    big.set('a', 0)
    expect(Object.is(big.score('a'), -0)).toBe(true)
  })

  it('clone() is a deep, independent copy with the same encoding', () => {
    const z = new ZSet()
    for (let i = 0; i < 500; i++) z.set(`c${i}`, i % 13)
    const copy = z.clone()
    copy.check()
    expect(contents(copy)).toEqual(contents(z))
    expect(copy.encoding()).toBe(z.encoding())
    copy.delete('c1')
    copy.set('new', 1)
    expect(z.score('c1')).toBe(1)
    expect(z.has('new')).toBe(false)
    expect(copy.type).toBe('zset')
  })

  it('updates scores in place and by moving, keeping order', () => {
    const r = rng(21)
    const z = new ZSet()
    const model = new Model()
    for (let i = 0; i < 1500; i++) {
      z.set(`u${i}`, i)
      model.set(`u${i}`, i)
    }
    for (let i = 0; i < 5000; i++) {
      const m = `u${r.int(1500)}`
      // Small nudges stay in place, big jumps move across leaves.
      const s = model.score(m)! + (r.chance(0.7) ? r.int(3) / 1000 - 0.001 : r.int(3000) - 1500)
      z.set(m, s)
      model.set(m, s)
    }
    z.check()
    expect(contents(z)).toEqual(model.entries)
  })
})
