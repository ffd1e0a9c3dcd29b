import { formatLongDouble } from '../resp/format.js'
import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import {
  decodeScore, distance, distanceIfInShape, encodeScore, geohashString, searchRanges, validLonLat, type Shape,
} from '../store/geohash.js'
import { ZSet } from '../store/zset.js'
import { parseDouble, parseInteger } from '../util/numbers.js'
import { partialSort } from '../util/partial-sort.js'
import { isOption } from './args.js'
import { Err } from './errors.js'
import { command, oneKey, type CommandSpec, type KeySpec } from './spec.js'
import { zaddSpec } from './sorted-sets/members.js'
import { zsetForRead } from './sorted-sets/shared.js'

/**
 * Geo commands. A geo index is an ordinary sorted set whose scores are 52-bit
 * geohashes (store/geohash.ts), so every sorted-set command works on it too. GEOADD
 * is ZADD with the coordinates turned into scores; searches scan the score ranges of
 * the nine cells around the centre and keep the members really inside the shape.
 */

// --- number formatting --------------------------------------------------------------

/**
 * printf's "%.<digits>f": the exact decimal value of the double, rounded half to
 * even (JavaScript's toFixed rounds exact ties away from zero).
 */
export function fixed(x: number, digits: number): string {
  if (x !== x) return x < 0 ? '-nan' : 'nan'
  if (x === Infinity) return 'inf'
  if (x === -Infinity) return '-inf'
  const abs = Math.abs(x)
  const sign = x < 0 || Object.is(x, -0) ? '-' : ''
  if (abs >= 1e21) return sign + BigInt(abs).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '')
  let s = abs.toFixed(digits)
  const full = abs.toFixed(100)
  const dot = full.indexOf('.')
  const rest = full.slice(dot + 1 + digits)
  if (rest[0] === '5' && /^50*$/.test(rest)) {
    // An exact tie: keep the truncated value when its last digit is even.
    const truncated = digits > 0 ? full.slice(0, dot + 1 + digits) : full.slice(0, dot)
    const last = truncated.charCodeAt(truncated.length - 1) - 48
    if (last % 2 === 0) s = truncated
  }
  return sign + s
}

/** A coordinate as Redis replies it: "%.17Lf" without trailing zeros, a double in RESP3. */
function replyCoordinate(c: Caller, d: number): void {
  const s = formatLongDouble(d)
  if (c.out.proto === 3) c.out.doubleText(s)
  else c.out.bulk(s)
}

/** A distance as Redis replies it: a bulk string with four decimals. */
function replyDistance(c: Caller, d: number): void {
  c.out.bulk(fixed(d, 4))
}

// --- argument parsing ---------------------------------------------------------------

/** A longitude and latitude pair at argv[i], or null after replying the error. */
function parseLonLat(c: Caller, argv: string[], i: number): [number, number] | null {
  const lon = parseDouble(argv[i])
  const lat = lon === null ? null : parseDouble(argv[i + 1])
  if (lon === null || lat === null) {
    c.out.error(Err.notFloat)
    return null
  }
  if (!validLonLat(lon, lat)) {
    c.out.error(`ERR invalid longitude,latitude pair ${fixed(lon, 6)},${fixed(lat, 6)}`)
    return null
  }
  return [lon, lat]
}

/** Metres per unit, or null after replying the error. */
function parseUnit(c: Caller, unit: string): number | null {
  if (isOption(unit, 'M')) return 1
  if (isOption(unit, 'KM')) return 1000
  if (isOption(unit, 'FT')) return 0.3048
  if (isOption(unit, 'MI')) return 1609.34
  c.out.error('ERR unsupported unit provided. please use M, KM, FT, MI')
  return null
}

/** "radius unit" at argv[i]: [radius, metres per unit], or null after replying. */
function parseRadius(c: Caller, argv: string[], i: number): [number, number] | null {
  const radius = parseDouble(argv[i])
  if (radius === null) {
    c.out.error('ERR need numeric radius')
    return null
  }
  if (radius < 0) {
    c.out.error('ERR radius cannot be negative')
    return null
  }
  const toMeters = parseUnit(c, argv[i + 1])
  return toMeters === null ? null : [radius, toMeters]
}

/** "width height unit" at argv[i]: [width, height, metres per unit], or null after replying. */
function parseBox(c: Caller, argv: string[], i: number): [number, number, number] | null {
  const width = parseDouble(argv[i])
  if (width === null) {
    c.out.error('ERR need numeric width')
    return null
  }
  const height = parseDouble(argv[i + 1])
  if (height === null) {
    c.out.error('ERR need numeric height')
    return null
  }
  if (width < 0 || height < 0) {
    c.out.error('ERR height or width cannot be negative')
    return null
  }
  const toMeters = parseUnit(c, argv[i + 2])
  return toMeters === null ? null : [width, height, toMeters]
}

// --- GEOADD, GEOPOS, GEODIST, GEOHASH -----------------------------------------------

/**
 * GEOADD key [NX | XX] [CH] longitude latitude member [...]: checks every pair,
 * then runs ZADD with the geohashes as scores, as Redis does (so the keyspace event
 * is "zadd").
 */
function geoadd(c: Caller, argv: string[]): void {
  let i = 2
  let nx = false
  let xx = false
  for (; i < argv.length; i++) {
    const opt = argv[i]
    if (isOption(opt, 'NX')) nx = true
    else if (isOption(opt, 'XX')) xx = true
    else if (!isOption(opt, 'CH')) break
  }
  if ((argv.length - i) % 3 !== 0 || (nx && xx)) return c.out.error(Err.syntax)
  const zargv = ['zadd', ...argv.slice(1, i)]
  for (let j = i; j < argv.length; j += 3) {
    const xy = parseLonLat(c, argv, j)
    if (xy === null) return
    zargv.push(String(encodeScore(xy[0], xy[1])), argv[j + 2])
  }
  zaddSpec.handler!(c, zargv)
}

/** GEOPOS key [member ...] */
function geopos(c: Caller, argv: string[]): void {
  const z = zsetForRead(c, argv[1])
  if (z === null) return
  const out = c.out
  out.array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) {
    const score = z === undefined ? undefined : z.score(argv[i])
    if (score === undefined) {
      out.nullArray()
      continue
    }
    const [lon, lat] = decodeScore(score)
    out.array(2)
    replyCoordinate(c, lon)
    replyCoordinate(c, lat)
  }
}

/** GEODIST key member1 member2 [M | KM | FT | MI] */
function geodist(c: Caller, argv: string[]): void {
  let toMeters = 1
  if (argv.length === 5) {
    const unit = parseUnit(c, argv[4])
    if (unit === null) return
    toMeters = unit
  } else if (argv.length > 5) {
    return c.out.error(Err.syntax)
  }
  const z = zsetForRead(c, argv[1])
  if (z === null) return
  const s1 = z?.score(argv[2])
  const s2 = z?.score(argv[3])
  if (s1 === undefined || s2 === undefined) return c.out.nullBulk()
  const [lon1, lat1] = decodeScore(s1)
  const [lon2, lat2] = decodeScore(s2)
  replyDistance(c, distance(lon1, lat1, lon2, lat2) / toMeters)
}

/** GEOHASH key [member ...] */
function geohash(c: Caller, argv: string[]): void {
  const z = zsetForRead(c, argv[1])
  if (z === null) return
  const out = c.out
  out.array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) {
    const score = z === undefined ? undefined : z.score(argv[i])
    if (score === undefined) out.nullBulk()
    else out.bulk(geohashString(score))
  }
}

// --- searches -----------------------------------------------------------------------

const enum Kind {
  /** GEORADIUS key longitude latitude radius unit ... */
  RadiusCoords,
  /** GEORADIUSBYMEMBER key member radius unit ... */
  RadiusMember,
  /** GEOSEARCH key ... / GEOSEARCHSTORE destination source ... */
  Search,
}

const enum Sort {
  None,
  Asc,
  Desc,
}

interface Found {
  member: string
  score: number
  dist: number
  lon: number
  lat: number
}

/**
 * The members of `z` inside the shape, scanning the search cells' score ranges in
 * order and stopping once `limit` (0: none) are found.
 */
function membersInShape(z: ZSet, shape: Shape, limit: number): Found[] {
  const found: Found[] = []
  for (const [min, max] of searchRanges(shape)) {
    if (limit > 0 && found.length >= limit) break
    const from = z.countByScore(min, false)
    const to = z.countByScore(max, false)
    if (from >= to) continue
    const cur = z.at(from)
    for (let r = from; r < to; r++, cur.next()) {
      const score = cur.score
      const [lon, lat] = decodeScore(score)
      const dist = distanceIfInShape(shape, lon, lat)
      if (dist >= 0) {
        found.push({ member: cur.member, score, dist, lon, lat })
        if (limit > 0 && found.length >= limit) break
      }
    }
  }
  return found
}

function nearerFirst(a: Found, b: Found): number {
  return a.dist === b.dist ? 0 : a.dist > b.dist ? 1 : -1
}

function fartherFirst(a: Found, b: Found): number {
  return a.dist === b.dist ? 0 : a.dist < b.dist ? 1 : -1
}

/**
 * Every search command: GEORADIUS and GEORADIUSBYMEMBER (with STORE/STOREDIST unless
 * `readOnly`), their _RO forms, GEOSEARCH and GEOSEARCHSTORE. Arguments are checked
 * in Redis's order, so the first error Redis would report is the one replied.
 */
function geoSearch(c: Caller, argv: string[], kind: Kind, readOnly: boolean, store: boolean): void {
  const out = c.out
  const srcIndex = store && kind === Kind.Search ? 2 : 1
  const z = zsetForRead(c, argv[srcIndex])
  if (z === null) return
  let lon = 0
  let lat = 0
  let radius = 0
  let width = 0
  let height = 0
  let toMeters = 1
  let byRadius = false
  let byBox = false
  let base: number
  let storeKey: string | null = store ? argv[1] : null
  let storeDist = false
  if (kind === Kind.RadiusCoords) {
    base = 6
    const xy = parseLonLat(c, argv, 2)
    if (xy === null) return
    ;[lon, lat] = xy
    const r = parseRadius(c, argv, 4)
    if (r === null) return
    ;[radius, toMeters] = r
    byRadius = true
  } else if (kind === Kind.RadiusMember) {
    base = 5
    if (z !== undefined) {
      const score = z.score(argv[2])
      if (score === undefined) return out.error('ERR could not decode requested zset member')
      ;[lon, lat] = decodeScore(score)
      const r = parseRadius(c, argv, 3)
      if (r === null) return
      ;[radius, toMeters] = r
      byRadius = true
    }
  } else {
    base = store ? 3 : 2
  }
  let withDist = false
  let withHash = false
  let withCoord = false
  let fromMember = false
  let fromLonLat = false
  let sort = Sort.None
  let any = false
  let count = 0
  const search = kind === Kind.Search
  const remaining = argv.length - base
  for (let k = 0; k < remaining; k++) {
    const at = base + k
    const arg = argv[at]
    if (isOption(arg, 'WITHDIST')) withDist = true
    else if (isOption(arg, 'WITHHASH')) withHash = true
    else if (isOption(arg, 'WITHCOORD')) withCoord = true
    else if (isOption(arg, 'ANY')) any = true
    else if (isOption(arg, 'ASC')) sort = Sort.Asc
    else if (isOption(arg, 'DESC')) sort = Sort.Desc
    else if (isOption(arg, 'COUNT') && k + 1 < remaining) {
      const n = parseInteger(argv[at + 1])
      if (n === null) return out.error(Err.notInteger)
      if (n <= 0) return out.error('ERR COUNT must be > 0')
      count = n
      k++
    } else if ((isOption(arg, 'STORE') || isOption(arg, 'STOREDIST')) && k + 1 < remaining && !readOnly && !search) {
      storeKey = argv[at + 1]
      storeDist = arg.length === 9
      k++
    } else if (isOption(arg, 'STOREDIST') && search && store) {
      storeDist = true
    } else if (isOption(arg, 'FROMMEMBER') && k + 1 < remaining && search && !fromLonLat) {
      if (z !== undefined) {
        const score = z.score(argv[at + 1])
        if (score === undefined) return out.error('ERR could not decode requested zset member')
        ;[lon, lat] = decodeScore(score)
      }
      fromMember = true
      k++
    } else if (isOption(arg, 'FROMLONLAT') && k + 2 < remaining && search && !fromMember) {
      const xy = parseLonLat(c, argv, at + 1)
      if (xy === null) return
      ;[lon, lat] = xy
      fromLonLat = true
      k += 2
    } else if (isOption(arg, 'BYRADIUS') && k + 2 < remaining && search && !byBox) {
      const r = parseRadius(c, argv, at + 1)
      if (r === null) return
      ;[radius, toMeters] = r
      byRadius = true
      k += 2
    } else if (isOption(arg, 'BYBOX') && k + 3 < remaining && search && !byRadius) {
      const b = parseBox(c, argv, at + 1)
      if (b === null) return
      ;[width, height, toMeters] = b
      byBox = true
      k += 3
    } else {
      return out.error(Err.syntax)
    }
  }
  if (storeKey !== null && (withDist || withHash || withCoord)) {
    return out.error(`ERR ${store && search ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`)
  }
  if (search && !fromMember && !fromLonLat) {
    return out.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`)
  }
  if (search && !byRadius && !byBox) {
    return out.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`)
  }
  if (any && count === 0) return out.error('ERR the ANY argument requires COUNT argument')

  if (z === undefined) {
    if (storeKey === null) return out.array(0)
    if (c.db.deleteStored(storeKey)) c.notify(Notify.generic, 'del', storeKey)
    return out.integer(0)
  }
  if (count !== 0 && sort === Sort.None && !any) sort = Sort.Asc

  const shape: Shape = byRadius
    ? { kind: 'radius', lon, lat, toMeters, radius }
    : { kind: 'box', lon, lat, toMeters, width, height }
  const found = membersInShape(z, shape, any ? count : 0)
  if (found.length === 0 && storeKey === null) return out.array(0)
  const returned = count === 0 || found.length < count ? found.length : count
  if (sort !== Sort.None) {
    const cmp = sort === Sort.Asc ? nearerFirst : fartherFirst
    // Redis sorts everything with qsort (glibc's is a stable merge sort) but only
    // the first COUNT with its partial quicksort, which leaves ties in its own order.
    if (returned === found.length) found.sort(cmp)
    else partialSort(found, cmp, 0, returned - 1)
  }

  if (storeKey === null) {
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoord ? 1 : 0)
    out.array(returned)
    for (let i = 0; i < returned; i++) {
      const f = found[i]
      if (options > 0) out.array(options + 1)
      out.bulk(f.member)
      if (withDist) replyDistance(c, f.dist / toMeters)
      if (withHash) out.integer(Math.trunc(f.score))
      if (withCoord) {
        out.array(2)
        replyCoordinate(c, f.lon)
        replyCoordinate(c, f.lat)
      }
    }
    return
  }
  if (returned === 0) {
    if (c.db.deleteStored(storeKey)) c.notify(Notify.generic, 'del', storeKey)
    return out.integer(0)
  }
  const members = new Array<string>(returned)
  const scores = new Array<number>(returned)
  for (let i = 0; i < returned; i++) {
    members[i] = found[i].member
    scores[i] = storeDist ? found[i].dist / toMeters : found[i].score
  }
  c.db.set(storeKey, ZSet.build(members, scores))
  c.notify(Notify.zset, search ? 'geosearchstore' : 'georadiusstore', storeKey)
  out.integer(returned)
}

/** GEORADIUS key longitude latitude radius unit [options] [STORE key | STOREDIST key] */
function georadius(c: Caller, argv: string[]): void {
  geoSearch(c, argv, Kind.RadiusCoords, false, false)
}

function georadiusRo(c: Caller, argv: string[]): void {
  geoSearch(c, argv, Kind.RadiusCoords, true, false)
}

/** GEORADIUSBYMEMBER key member radius unit [options] [STORE key | STOREDIST key] */
function georadiusbymember(c: Caller, argv: string[]): void {
  geoSearch(c, argv, Kind.RadiusMember, false, false)
}

function georadiusbymemberRo(c: Caller, argv: string[]): void {
  geoSearch(c, argv, Kind.RadiusMember, true, false)
}

/** GEOSEARCH key <FROMMEMBER member | FROMLONLAT lon lat> <BYRADIUS r unit | BYBOX w h unit> [options] */
function geosearch(c: Caller, argv: string[]): void {
  geoSearch(c, argv, Kind.Search, true, false)
}

/** GEOSEARCHSTORE destination source ... [STOREDIST] */
function geosearchstore(c: Caller, argv: string[]): void {
  geoSearch(c, argv, Kind.Search, false, true)
}

/** The STORE/STOREDIST key of GEORADIUS (from argv[6]) or GEORADIUSBYMEMBER (from argv[5]), after the source. */
function radiusKeys(from: number): (argv: string[]) => number[] {
  return (argv) => {
    let store = -1
    for (let i = from; i < argv.length - 1; i++) {
      if (isOption(argv[i], 'STORE') || isOption(argv[i], 'STOREDIST')) {
        store = i + 1
        i++
      }
    }
    return store < 0 ? [1] : [1, store]
  }
}

/** GEORADIUS(BYMEMBER)'s keys: the source, and the STORE or STOREDIST destination after argument `from`. */
function radiusKeySpecs(from: number): KeySpec[] {
  return [
    { flags: ['RO', 'access'], begin: { index: 1 }, range: [0, 1, 0] },
    { flags: ['OW', 'update'], begin: { keyword: 'STORE', startfrom: from }, range: [0, 1, 0] },
    { flags: ['OW', 'update'], begin: { keyword: 'STOREDIST', startfrom: from }, range: [0, 1, 0] },
  ]
}

// --- the table ------------------------------------------------------------------------

const SEARCH_COMPLEXITY = 'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape'
const RADIUS_COMPLEXITY = 'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.'
const RADIUS_OPTIONS = '<M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]'
const SEARCH_FROM = '<FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> [ASC | DESC] [COUNT count [ANY]]'

export const geoCommands: CommandSpec[] = [
  command({
    name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], ...oneKey, group: 'geo', since: '3.2.0',
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    summary: 'Add one or more geospatial items in the geospatial index represented using a sorted set',
    syntax: 'key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]', handler: geoadd,
  }),
  command({
    name: 'geohash', arity: -2, flags: ['readonly'], ...oneKey, group: 'geo', since: '3.2.0',
    complexity: 'O(log(N)) for each member requested, where N is the number of elements in the sorted set.',
    summary: 'Returns members of a geospatial index as standard geohash strings', syntax: 'key member [member ...]', handler: geohash,
  }),
  command({
    name: 'geopos', arity: -2, flags: ['readonly'], ...oneKey, group: 'geo', since: '3.2.0',
    complexity: 'O(N) where N is the number of members requested.',
    summary: 'Returns longitude and latitude of members of a geospatial index', syntax: 'key member [member ...]', handler: geopos,
  }),
  command({
    name: 'geodist', arity: -4, flags: ['readonly'], ...oneKey, group: 'geo', since: '3.2.0', complexity: 'O(log(N))',
    summary: 'Returns the distance between two members of a geospatial index', syntax: 'key member1 member2 [M | KM | FT | MI]', handler: geodist,
  }),
  command({
    name: 'georadius', arity: -6, flags: ['write', 'denyoom', 'movablekeys'], ...oneKey, keys: radiusKeys(6), keySpecs: radiusKeySpecs(6),
    group: 'geo', since: '3.2.0', complexity: RADIUS_COMPLEXITY,
    summary: 'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point',
    syntax: `key longitude latitude radius ${RADIUS_OPTIONS} [STORE key] [STOREDIST key]`, handler: georadius,
  }),
  command({
    name: 'georadiusbymember', arity: -5, flags: ['write', 'denyoom', 'movablekeys'], ...oneKey, keys: radiusKeys(5), keySpecs: radiusKeySpecs(5),
    group: 'geo', since: '3.2.0', complexity: 'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.',
    summary: 'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member',
    syntax: `key member radius ${RADIUS_OPTIONS} [STORE key] [STOREDIST key]`, handler: georadiusbymember,
  }),
  command({
    name: 'georadius_ro', arity: -6, flags: ['readonly'], ...oneKey, group: 'geo', since: '3.2.10', complexity: RADIUS_COMPLEXITY,
    summary: 'A read-only variant for GEORADIUS', syntax: `key longitude latitude radius ${RADIUS_OPTIONS}`, handler: georadiusRo,
  }),
  command({
    name: 'georadiusbymember_ro', arity: -5, flags: ['readonly'], ...oneKey, group: 'geo', since: '3.2.10',
    complexity: 'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.',
    summary: 'A read-only variant for GEORADIUSBYMEMBER', syntax: `key member radius ${RADIUS_OPTIONS}`, handler: georadiusbymemberRo,
  }),
  command({
    name: 'geosearch', arity: -7, flags: ['readonly'], ...oneKey, group: 'geo', since: '6.2.0', complexity: SEARCH_COMPLEXITY,
    summary: 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.',
    syntax: `key ${SEARCH_FROM} [WITHCOORD] [WITHDIST] [WITHHASH]`, handler: geosearch,
  }),
  command({
    name: 'geosearchstore', arity: -8, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [
      { flags: ['OW', 'update'], begin: { index: 1 }, range: [0, 1, 0] },
      { flags: ['RO', 'access'], begin: { index: 2 }, range: [0, 1, 0] },
    ],
    group: 'geo', since: '6.2.0', complexity: SEARCH_COMPLEXITY,
    summary: 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.',
    syntax: `destination source ${SEARCH_FROM} [STOREDIST]`, handler: geosearchstore,
  }),
]
