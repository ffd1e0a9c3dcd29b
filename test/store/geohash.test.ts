import { describe, expect, it } from 'vitest'
import {
  cellArea, decodeScore, deinterleave, distance, encodeCell, encodeScore, estimateSteps, geohashString, interleave,
  searchRanges, type Shape,
} from '../../src/store/geohash.js'
import { fixed } from '../../src/commands/geo.js'
import { formatLongDouble } from '../../src/resp/format.js'
import { partialSort } from '../../src/util/partial-sort.js'
import { asin, cos, sin } from '../../src/util/trig.js'
import { rng } from '../helpers/differential.js'

// Expected values are redis-server 7.0.15's replies (GEOADD then ZSCORE, GEOPOS, GEOHASH, GEODIST).
describe('geohash (GEOADD GEOPOS GEOHASH GEODIST encodings)', () => {
  it('encodes points to the 52-bit scores Redis stores', () => {
    expect(encodeScore(13.361389, 38.115556)).toBe(3479099956230698)
    expect(encodeScore(15.087269, 37.502669)).toBe(3479447370796909)
    expect(encodeScore(0, 0)).toBe(3377699720527872)
    // Exactly on the top and right borders: index 2^26 spills into bits 52 and 53.
    expect(encodeScore(-180, 85.05112878)).toBe(2 ** 52)
    expect(encodeScore(180, -85.05112878)).toBe(2 ** 53)
  })

  it('decodes scores to cell centres, clamped to the valid ranges', () => {
    const [lon, lat] = decodeScore(3479099956230698)
    expect([formatLongDouble(lon), formatLongDouble(lat)]).toEqual(['13.36138933897018433', '38.11555639549629859'])
    const [elon, elat] = decodeScore(2 ** 52)
    expect([formatLongDouble(elon), formatLongDouble(elat)]).toEqual(['-179.99999731779098511', '85.0511287799999991'])
    expect(formatLongDouble(decodeScore(2 ** 53)[0])).toBe('180')
  })

  it('interleaves and deinterleaves indexes', () => {
    const r = rng(7)
    for (let i = 0; i < 1000; i++) {
      const lat = r.int(2 ** 26)
      const lon = r.int(2 ** 26)
      expect(deinterleave(interleave(lat, lon))).toEqual([lat, lon])
    }
    expect(interleave(1, 0)).toBe(1)
    expect(interleave(0, 1)).toBe(2)
  })

  it('gives the standard 11-character geohash', () => {
    expect(geohashString(3479099956230698)).toBe('sqc8b49rny0')
    expect(geohashString(2 ** 52)).toBe('bp05b5048p0')
    expect(geohashString(2 ** 53)).toBe('00bh0hbj200')
  })

  it('measures haversine distances on Redis\'s Earth radius', () => {
    const [lon1, lat1] = decodeScore(3479099956230698)
    const [lon2, lat2] = decodeScore(3479447370796909)
    expect(fixed(distance(lon1, lat1, lon2, lat2), 4)).toBe('166274.1516')
    expect(distance(10, 1, 10, 2)).toBeCloseTo(111226.3, 0)
  })

  it('estimates search steps and scans at most nine ranges', () => {
    expect(estimateSteps(0, 0)).toBe(26)
    expect(estimateSteps(1000, 0)).toBeGreaterThan(estimateSteps(1000, 85))
    const shape: Shape = { kind: 'radius', lon: 15, lat: 37, toMeters: 1000, radius: 200 }
    const ranges = searchRanges(shape)
    expect(ranges.length).toBeGreaterThan(0)
    expect(ranges.length).toBeLessThanOrEqual(9)
    const centre = encodeScore(15, 37)
    expect(ranges.some(([min, max]) => centre >= min && centre < max)).toBe(true)
    const cell = encodeCell(15, 37, 10)
    const a = cellArea(cell)
    expect(a.lonMin).toBeLessThanOrEqual(15)
    expect(a.lonMax).toBeGreaterThan(15)
  })
})

describe('printf-style fixed point', () => {
  it('rounds exact ties to even, as glibc does', () => {
    expect(fixed(0.03125, 4)).toBe('0.0312')
    expect(fixed(0.09375, 4)).toBe('0.0938')
    expect(fixed(1.5, 0)).toBe('2')
    expect(fixed(2.5, 0)).toBe('2')
    expect(fixed(200, 6)).toBe('200.000000')
    expect(fixed(Infinity, 6)).toBe('inf')
    expect(fixed(1e300, 6)).toBe(`${BigInt(1e300)}.000000`)
  })
})

describe('correctly rounded trigonometry', () => {
  it('rounds to the nearest double where fdlibm is one ulp off', () => {
    // Reference values from mpmath at 200 bits.
    expect(sin(2.6288922769877336)).toBe(0.4905322029652856)
    expect(sin(-0.46576131712780855)).toBe(-0.44910315309323384)
    expect(asin(0.08349529882992235)).toBe(0.08359261853876856)
    expect(asin(0.6171253178205837)).toBe(0.6650841096244183)
    expect(cos(0)).toBe(1)
    expect(sin(0)).toBe(0)
  })

  it('stays within one ulp of Math everywhere in the geo range', () => {
    const r = rng(3)
    for (let i = 0; i < 2000; i++) {
      const x = (r.next() - 0.5) * 7
      expect(Math.abs(sin(x) - Math.sin(x))).toBeLessThanOrEqual(2 * Number.EPSILON * Math.max(1e-300, Math.abs(Math.sin(x))) + 1e-300)
      expect(Math.abs(cos(x) - Math.cos(x))).toBeLessThanOrEqual(2 * Number.EPSILON * Math.abs(Math.cos(x)) + 1e-300)
      const y = r.next()
      expect(Math.abs(asin(y) - Math.asin(y))).toBeLessThanOrEqual(2 * Number.EPSILON * Math.asin(y))
    }
  })
})

describe('partial quicksort', () => {
  it('puts the window in sorted order, with everything smaller before it', () => {
    const r = rng(11)
    for (let t = 0; t < 200; t++) {
      const n = 1 + r.int(120)
      const xs = Array.from({ length: n }, () => r.int(20))
      const sorted = [...xs].sort((a, b) => a - b)
      const hi = r.int(n)
      partialSort(xs, (a, b) => a - b, 0, hi)
      expect(xs.slice(0, hi + 1)).toEqual(sorted.slice(0, hi + 1))
      expect([...xs].sort((a, b) => a - b)).toEqual(sorted)
    }
  })
})
