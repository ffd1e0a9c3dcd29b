import { describe, expect, it } from 'vitest'
import { rng, runDifferential, type Mismatch } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Seeded random geo indexes (points anywhere, near the poles' ±85.05 limit, on the
 * antimeridian, exactly on the borders, and duplicates under other names) built on
 * respite and on a real redis-server, then random GEOPOS, GEODIST, GEOHASH, GEOSEARCH,
 * GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER (and _RO) queries, with invalid
 * arguments among them, and ZRANGE WITHSCORES of indexes and stored results. Raw
 * replies must match byte for byte in RESP2 and RESP3.
 */

const skipRedis = missingTool('redis-server')

const KEYS = ['g1', 'g2']
const OTHERS = ['str', 'nokey']
const UNITS = ['m', 'km', 'ft', 'mi', 'KM', 'Mi', 'x', '']

type R = ReturnType<typeof rng>

function shuffle<T>(r: R, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = r.int(i + 1)
    ;[xs[i], xs[j]] = [xs[j], xs[i]]
  }
  return xs
}

function coordinate(r: R, max: number, digits: number): string {
  return ((r.int(2_000_001) / 1_000_000 - 1) * max).toFixed(digits)
}

function point(r: R): [string, string] {
  switch (r.int(10)) {
    case 0: // near a pole
      return [coordinate(r, 180, 6), (r.chance(0.5) ? '' : '-') + (85.05112878 - r.int(100000) / 1e6).toFixed(8)]
    case 1: // near the antimeridian
      return [(r.chance(0.5) ? '' : '-') + (180 - r.int(100000) / 1e6).toFixed(6), coordinate(r, 85, 5)]
    case 2:
      return [r.pick(['180', '-180', '0', '179.999999', '-179.999999']), r.pick(['85.05112878', '-85.05112878', '0', '85', '-85'])]
    case 3: // a small region, so that searches find several points
      return [(12 + r.int(100000) / 1e5).toFixed(5), (41 + r.int(100000) / 1e5).toFixed(5)]
    default:
      return [coordinate(r, 180, 1 + r.int(8)), coordinate(r, 85.05112878, 1 + r.int(8))]
  }
}

function generate(seed: number, length: number): string[][] {
  const r = rng(seed)
  const names: string[] = []
  const coords: Array<[string, string]> = []
  const cmds: string[][] = [['SET', 'str', 'text']]
  const key = () => (r.chance(0.93) ? r.pick(KEYS) : r.pick(OTHERS))
  const member = () => (names.length > 0 && r.chance(0.9) ? r.pick(names) : `nope${r.int(3)}`)
  const unit = () => (r.chance(0.95) ? r.pick(UNITS.slice(0, 6)) : r.pick(UNITS))
  const where = (): [string, string] => {
    if (coords.length > 0 && r.chance(0.4)) return r.pick(coords)
    if (r.chance(0.03)) return r.pick([['181', '0'], ['0', '86'], ['x', '1'], ['inf', '0'], ['1', '-85.06']] as Array<[string, string]>)
    return point(r)
  }
  const radius = () => r.pick(['0', '1', '100', '5000', '50000', '200000', '1000000', '5000000', '20000000'].concat(
    r.chance(0.03) ? ['-1', 'x', 'inf'] : [String(r.int(300000) / 100)]))
  const options = (count: boolean): string[] => {
    const o: string[] = []
    if (r.chance(0.3)) o.push('WITHDIST')
    if (r.chance(0.2)) o.push('WITHCOORD')
    if (r.chance(0.2)) o.push('WITHHASH')
    if (r.chance(0.4)) o.push(r.pick(['ASC', 'DESC', 'asc']))
    if (count && r.chance(0.3)) {
      o.push('COUNT', r.chance(0.95) ? String(1 + r.int(6)) : r.pick(['0', '-1', 'x']))
      if (r.chance(0.3)) o.push('ANY')
    }
    return shuffle(r, o)
  }
  const from = (): string[] => (r.chance(0.5) ? ['FROMMEMBER', member()] : ['FROMLONLAT', ...where()])
  const by = (): string[] => r.chance(0.5)
    ? ['BYRADIUS', radius(), unit()]
    : ['BYBOX', radius(), radius(), unit()]
  while (cmds.length < length) {
    switch (r.int(16)) {
      case 0: case 1: case 2: {
        const cmd = ['GEOADD', key()]
        if (r.chance(0.15)) cmd.push(r.pick(['NX', 'XX', 'CH', 'nx', 'ch']))
        for (let n = 1 + r.int(4); n > 0; n--) {
          const p = r.chance(0.15) && coords.length > 0 ? r.pick(coords) : where()
          const name = r.chance(0.2) && names.length > 0 ? r.pick(names) : `m${r.int(400)}`
          names.push(name)
          coords.push(p)
          cmd.push(...p, name)
        }
        if (r.chance(0.03)) cmd.pop()
        cmds.push(cmd)
        break
      }
      case 3:
        cmds.push(['GEOPOS', key(), ...Array.from({ length: r.int(4) }, member)])
        break
      case 4:
        cmds.push(['GEODIST', key(), member(), member(), ...(r.chance(0.7) ? [unit()] : [])])
        break
      case 5:
        cmds.push(['GEOHASH', key(), ...Array.from({ length: r.int(4) }, member)])
        break
      case 6: case 7:
        cmds.push(['GEOSEARCH', key(), ...shuffle(r, [from(), by(), options(true)]).flat()])
        break
      case 8: {
        const cmd = ['GEOSEARCHSTORE', r.pick(['dst', 'g2', 'str']), key(), ...from(), ...by()]
        if (r.chance(0.3)) cmd.push('COUNT', String(1 + r.int(5)))
        if (r.chance(0.4)) cmd.push('STOREDIST')
        cmds.push(cmd, ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'])
        break
      }
      case 9: case 10:
        cmds.push([r.pick(['GEORADIUS', 'GEORADIUS_RO']), key(), ...where(), radius(), unit(), ...options(true)])
        break
      case 11: case 12:
        cmds.push([r.pick(['GEORADIUSBYMEMBER', 'GEORADIUSBYMEMBER_RO']), key(), member(), radius(), unit(), ...options(true)])
        break
      case 13: {
        const store = [r.pick(['STORE', 'STOREDIST']), 'dst']
        cmds.push(r.chance(0.5)
          ? ['GEORADIUS', key(), ...where(), radius(), unit(), ...store, ...(r.chance(0.3) ? ['COUNT', String(1 + r.int(4))] : [])]
          : ['GEORADIUSBYMEMBER', key(), member(), radius(), unit(), ...store])
        cmds.push(['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'])
        break
      }
      case 14:
        cmds.push(['ZRANGE', r.pick(KEYS), '0', '-1', 'WITHSCORES'])
        break
      default:
        cmds.push(['ZREM', r.pick(KEYS), member()])
    }
  }
  return cmds
}

/**
 * STOREDIST stores full-precision distances, and glibc's sin/cos/asin are not
 * correctly rounded: respite's (util/trig.ts) are, so about one distance in a
 * thousand differs in its last bit or two. ZRANGE replies of the destination are
 * compared with non-integer scores rounded to 13 significant digits; geohash scores
 * are integers and stay exact.
 */
function roundStoredDistances(args: string[], reply: string): string {
  if (args[0] !== 'ZRANGE' || args[1] !== 'dst') return reply
  return reply.replace(/(\$\d+\r\n|,)(-?\d+\.\d+(?:e[-+]?\d+)?)\r\n/g, (_, _head: string, n: string) => `~${Number(n).toPrecision(13)}\r\n`)
}

function report(m: Mismatch | null): string {
  if (m === null) return ''
  let at = 0
  while (at < m.respite.length && m.respite[at] === m.redis[at]) at++
  const from = Math.max(0, at - 120)
  return `#${m.index} ${JSON.stringify(m.args)}, from byte ${from}:\n respite ${JSON.stringify(m.respite.slice(from, at + 200))}\n redis   ${JSON.stringify(m.redis.slice(from, at + 200))}`
}

describe.skipIf(skipRedis !== null)('geo commands against redis-server (differential)', () => {
  const servers = useRespiteAndRedis()

  for (const proto of [2, 3] as const) {
    it(`random GEOADD GEOPOS GEODIST GEOHASH GEOSEARCH GEOSEARCHSTORE GEORADIUS GEORADIUS_RO GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO sequences match (RESP${proto})`, async () => {
      for (const seed of proto === 2 ? [1, 2, 3] : [4, 5]) {
        const failure = await runDifferential(servers.respite.port, servers.redis.port, generate(seed * 100 + proto, 800),
          { proto, normalize: roundStoredDistances })
        expect(failure, `seed ${seed}: ${report(failure)}`).toBeNull()
      }
    })
  }

  it('errors match: GEOADD GEOSEARCH GEOSEARCHSTORE GEORADIUS GEORADIUSBYMEMBER GEODIST', async () => {
    const cmds: string[][] = [
      ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'], ['SET', 'str', 'x'],
      ['GEOADD', 'g', '200', '10', 'a'], ['GEOADD', 'g', '10', '86', 'a'], ['GEOADD', 'g', '1e300', '1', 'a'],
      ['GEOADD', 'g', 'inf', '1', 'a'], ['GEOADD', 'g', 'x', '1', 'a'], ['GEOADD', 'g', 'XX', 'NX', '1', '2', 'a'],
      ['GEOADD', 'g', 'GT', '1', '2', 'a'], ['GEOADD', 'g', 'CH', '1', '2', 'a', '3'], ['GEOADD', 'str', '1', '2', 'a'],
      ['GEODIST', 'g', 'Palermo', 'Catania', 'yd'], ['GEODIST', 'g', 'Palermo', 'Catania', 'km', 'x'], ['GEODIST', 'str', 'a', 'b'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'ASC', 'ASC'], ['GEOSEARCH', 'g', 'BYRADIUS', '1', 'km', 'ASC', 'ASC'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'nope', 'BYRADIUS', '1', 'km'], ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', 'x', 'km'], ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '-1', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', 'x', '1', 'km'], ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', 'x', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '-1', 'km'], ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'yd'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'ANY'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'COUNT', '0'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'COUNT', 'x'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'STOREDIST'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'STORE', 'd'],
      ['GEOSEARCH', 'str', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'WITHDIST'],
      ['GEOSEARCHSTORE', 'd', 'nokey', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
      ['GEORADIUS', 'g', '1', '2', '1', 'km', 'STORE', 'd', 'WITHHASH'], ['GEORADIUS_RO', 'g', '1', '2', '1', 'km', 'STORE', 'd'],
      ['GEORADIUS', 'g', '1', '2', '1', 'km', 'STORE'], ['GEORADIUS', 'g', '1', '2', '1'], ['GEORADIUS', 'g', '1', '2', 'x', 'km'],
      ['GEORADIUSBYMEMBER', 'g', 'nope', '1', 'km'], ['GEORADIUSBYMEMBER', 'nokey', 'nope', '1', 'km'],
      ['GEORADIUSBYMEMBER', 'g', 'Palermo', '-1', 'km'], ['GEORADIUSBYMEMBER_RO', 'g', 'Palermo', '1', 'km', 'STOREDIST', 'd'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', '1', 'ANY', 'DESC', 'WITHDIST'],
      // Sorted sets whose scores are no geohashes: decoded as C converts the doubles to 64-bit integers.
      ['ZADD', 'z', '-5', 'neg', 'inf', 'pinf', '-inf', 'ninf', '1.5', 'frac', '9007199254740993', 'big', '1e30', 'huge',
        '0', 'zero', '-1e30', 'nhuge', '1e19', 'e19', '-0.5', 'nhalf'],
      ['GEOPOS', 'z', 'neg', 'pinf', 'ninf', 'frac', 'big', 'huge', 'zero', 'nhuge', 'e19', 'nhalf'],
      ['GEOHASH', 'z', 'neg', 'pinf', 'ninf', 'frac', 'big', 'huge', 'nhuge', 'e19', 'nhalf'], ['GEODIST', 'z', 'neg', 'frac'],
      ['GEOSEARCH', 'z', 'FROMMEMBER', 'zero', 'BYRADIUS', '20000', 'km', 'WITHHASH', 'WITHCOORD', 'WITHDIST'],
    ]
    for (const proto of [2, 3] as const) {
      const failure = await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto })
      expect(failure, report(failure)).toBeNull()
    }
  })
})
