import { describe, expect, it } from 'vitest'
import * as H from '../../src/store/hyperloglog.js'
import { murmur64a, murmurHi, murmurLo } from '../../src/util/murmur.js'
import { rng } from '../../scripts/prng.mjs'

/** MurmurHash64A written plainly with BigInt, to check the 32-bit-halves version. */
function murmurReference(s: string, seed: bigint): bigint {
  const mask = (1n << 64n) - 1n
  const m = 0xc6a4a7935bd1e995n
  const r = 47n
  const len = s.length
  let h = (seed ^ (BigInt(len) * m)) & mask
  const blocks = len - (len % 8)
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j))
    k = (k * m) & mask
    k ^= k >> r
    k = (k * m) & mask
    h ^= k
    h = (h * m) & mask
  }
  const rest = len % 8
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(blocks + j)) << BigInt(8 * j)
    h = (h * m) & mask
  }
  h ^= h >> r
  h = (h * m) & mask
  h ^= h >> r
  return h
}

function randomBytes(r: ReturnType<typeof rng>, n: number): string {
  let s = ''
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.int(256))
  return s
}

const hex = (h: H.Hll) => Buffer.from(H.toString(h), 'latin1').toString('hex')

describe('MurmurHash64A for HyperLogLog (PFADD)', () => {
  it('matches a BigInt reference for every tail length and random bytes', () => {
    const r = rng(5)
    for (let n = 0; n < 600; n++) {
      const s = randomBytes(r, n % 70)
      const seed = r.chance(0.5) ? 0xadc83b19 : r.int(2 ** 32)
      murmur64a(s, seed)
      const got = (BigInt(murmurHi) << 32n) | BigInt(murmurLo)
      expect(got.toString(16)).toBe(murmurReference(s, BigInt(seed)).toString(16))
    }
  })

  it('derives the register index from the low 14 bits and the count from the zeros above them', () => {
    const r = rng(6)
    for (let n = 0; n < 300; n++) {
      const s = randomBytes(r, r.int(20))
      const h = murmurReference(s, 0xadc83b19n)
      H.hashElement(s)
      expect(H.hashIndex).toBe(Number(h & 0x3fffn))
      let rest = (h >> 14n) | (1n << 50n)
      let count = 1
      while ((rest & 1n) === 0n) {
        count++
        rest >>= 1n
      }
      expect(H.hashCount).toBe(count)
    }
  })
})

describe('HyperLogLog bytes (PFADD, PFCOUNT, PFMERGE, PFDEBUG)', () => {
  it('an empty HLL is sparse: the header and one XZERO over 16384 registers', () => {
    const h = H.createHll()
    expect(hex(h)).toBe('48594c4c01000000000000000000000' + '0' + '7fff')
    expect(H.isHll(H.toString(h))).toBe(true)
    expect(H.decode(h)).toBe('Z:16384')
    expect(H.count(h)).toBe(0)
    expect(H.cachedCardinality(h)).toBe(0)
  })

  it('adds "a" as redis-server does, and caches and invalidates the cardinality', () => {
    const h = H.createHll()
    expect(H.add(h, 'a', 3000)).toBe(1)
    expect(H.add(h, 'a', 3000)).toBe(0)
    // Bytes as redis-server 7.0.15 stores them after PFADD h2 a.
    expect(hex(h)).toBe('48594c4c01000000000000000000008071a6844e57')
    expect(H.cachedCardinality(h)).toBe(null)
    expect(H.count(h)).toBe(1)
    H.setCachedCardinality(h, 1)
    expect(hex(h)).toBe('48594c4c01000000010000000000000071a6844e57')
    expect(H.cachedCardinality(h)).toBe(1)
    H.invalidateCache(h)
    expect(H.cachedCardinality(h)).toBe(null)
  })

  it('isHll: the magic, a known encoding, and the exact dense size', () => {
    const dense = H.createHll()
    H.sparseToDense(dense)
    expect(dense.len).toBe(12304)
    const v = H.toString(dense)
    expect(H.isHll(v)).toBe(true)
    expect(H.isHll(v.slice(0, -1))).toBe(false)
    expect(H.isHll('HYLL')).toBe(false)
    expect(H.isHll('HYLX' + v.slice(4))).toBe(false)
    expect(H.isHll('HYLL\x02' + v.slice(5))).toBe(false)
    expect(H.isHll('HYLL\x01' + '\0'.repeat(11))).toBe(true)
  })

  it('sparse and dense agree register by register and on the estimate, 1..6000 elements', () => {
    const r = rng(11)
    const sparse = H.createHll()
    const dense = H.createHll()
    H.sparseToDense(dense)
    const max = 1 << 30
    const distinct = new Set<string>()
    for (let n = 1; n <= 6000; n++) {
      const e = randomBytes(r, 1 + r.int(12))
      distinct.add(e)
      if (H.add(sparse, e, max) !== H.add(dense, e, max)) expect.fail(`element ${n} changed one encoding only`)
      if (n === 10 || n === 1000 || n === 3000 || n === 6000) {
        expect(H.count(sparse)).toBe(H.count(dense))
        const m1 = new Uint8Array(H.REGISTERS)
        const m2 = new Uint8Array(H.REGISTERS)
        expect(H.mergeInto(m1, sparse)).toBe(true)
        expect(H.mergeInto(m2, dense)).toBe(true)
        expect(m1).toEqual(m2)
        expect(H.estimate(H.rawHistogram(m1))).toBe(H.count(dense))
      }
    }
    const est = H.count(dense)!
    expect(Math.abs(est - distinct.size) / distinct.size).toBeLessThan(0.03)
  })

  it('promotes to dense past the sparse byte limit, never growing beyond it while sparse', () => {
    const r = rng(12)
    const h = H.createHll()
    let promoted = false
    for (let n = 0; n < 5000 && !promoted; n++) {
      H.add(h, randomBytes(r, 8), 300)
      if (H.encoding(h) === H.DENSE) promoted = true
      else expect(h.len).toBeLessThanOrEqual(300)
    }
    expect(promoted).toBe(true)
    expect(h.len).toBe(H.DENSE_SIZE)
  })

  it('a register above 32 cannot be sparse: it promotes', () => {
    const h = H.createHll()
    expect(H.sparseSet(h, 100, 33, 3000)).toBe(1)
    expect(H.encoding(h)).toBe(H.DENSE)
    expect(H.denseGet(h.bytes, 100)).toBe(33)
  })

  it('merges neighbouring VALs of one value, up to runs of 4', () => {
    const h = H.createHll()
    for (const i of [10, 11, 12, 13, 14]) H.sparseSet(h, i, 3, 3000)
    expect(H.decode(h)).toBe('z:10 v:3,4 v:3,1 Z:16369')
    H.sparseSet(h, 12, 5, 3000)
    expect(H.decode(h)).toBe('z:10 v:3,2 v:5,1 v:3,2 Z:16369')
  })

  it('corrupt sparse values: opcodes not covering exactly 16384 registers', () => {
    const short = H.fromString(H.toString(H.createHll()).slice(0, -1) + '\x00')
    expect(H.count(short)).toBe(null)
    expect(H.mergeInto(new Uint8Array(H.REGISTERS), short)).toBe(false)
    expect(H.sparseToDense(short)).toBe(false)
    expect(H.add(short, 'x', 3000)).toBe(-1)
    // A VAL past the last register.
    const over = H.fromString(H.toString(H.createHll()) + '\x83')
    expect(H.count(over)).toBe(null)
    expect(H.mergeInto(new Uint8Array(H.REGISTERS), over)).toBe(false)
    expect(H.sparseToDense(over)).toBe(false)
  })

  it('estimates within the expected error up to 10^5 (Ertl estimator)', () => {
    const h = H.createHll()
    for (let n = 1; n <= 100_000; n++) {
      H.add(h, `e${n}`, 3000)
      if (n === 10 || n === 100 || n === 1000 || n === 100_000) {
        const est = H.count(h)!
        expect(Math.abs(est - n) / n).toBeLessThan(0.05)
      }
    }
  })

  it('the self test passes (PFSELFTEST)', () => {
    expect(H.selfTest()).toBe(null)
  })

  it('adds fast: 200,000 elements to a dense HLL well within a second', () => {
    const h = H.createHll()
    H.sparseToDense(h)
    const elements = Array.from({ length: 200_000 }, (_, i) => `element:${i}`)
    const t = performance.now()
    for (const e of elements) H.add(h, e, 3000)
    expect(performance.now() - t).toBeLessThan(1000)
  })
})
