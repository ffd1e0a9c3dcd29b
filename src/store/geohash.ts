import { asin, cos, sin } from '../util/trig.js'

/**
 * Geohashes as Redis's geo commands use them, independent of any command.
 *
 * A point is a cell of a grid cut `step` times in half along each axis: its latitude
 * index and longitude index (each below 2^step) are interleaved bit by bit, latitude
 * on the even bits and longitude on the odd ones, into one integer. At 26 steps that
 * is a 52-bit integer, exact in a double, and it is the score a geo member carries
 * in its sorted set. The latitude range is Web Mercator's ±85.05112878 degrees, so
 * that a square cell is square on a map; GEOHASH re-encodes with the standard ±90.
 *
 * Everything here is done in doubles and in the order Redis computes it, because the
 * last bits decide which cell a border point falls into and which distance prints.
 */

export const GEO_STEP_MAX = 26
export const GEO_LAT_MIN = -85.05112878
export const GEO_LAT_MAX = 85.05112878
export const GEO_LONG_MIN = -180
export const GEO_LONG_MAX = 180
/** Earth's quadratic mean radius for WGS-84, in metres, as Redis uses it. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856
/** Half the Earth's circumference in Web Mercator metres: search step estimation starts from it. */
const MERCATOR_MAX = 20037726.37

const D_R = Math.PI / 180.0

export function degRad(deg: number): number {
  return deg * D_R
}

export function radDeg(rad: number): number {
  return rad / D_R
}

export interface Range {
  min: number
  max: number
}

export const MERCATOR_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX }
export const STANDARD_LAT: Range = { min: -90, max: 90 }
export const LONG_RANGE: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX }

/** A grid cell: its latitude and longitude indexes at `step` cuts per axis. */
export interface Cell {
  lat: number
  lon: number
  step: number
}

/** The cell area, as Redis decodes it. */
export interface Area {
  latMin: number
  latMax: number
  lonMin: number
  lonMax: number
}

/** Spreads the low 14 bits of v onto the even bit positions (28 bits). */
function spread14(v: number): number {
  v &= 0x3fff
  v = (v | (v << 8)) & 0x00ff00ff
  v = (v | (v << 4)) & 0x0f0f0f0f
  v = (v | (v << 2)) & 0x33333333
  v = (v | (v << 1)) & 0x55555555
  return v
}

/** The inverse of spread14: the even bits of a 28-bit value, packed. */
function squeeze14(v: number): number {
  v &= 0x55555555
  v = (v | (v >>> 1)) & 0x33333333
  v = (v | (v >>> 2)) & 0x0f0f0f0f
  v = (v | (v >>> 4)) & 0x00ff00ff
  v = (v | (v >>> 8)) & 0x0000ffff
  return v
}

const P13 = 2 ** 13
const P26 = 2 ** 26

/**
 * Latitude bits on even positions, longitude on odd ones. Indexes may reach 2^26
 * (a point exactly on the top or right border); the result is then rounded to a
 * double as C converts the 64-bit integer.
 */
export function interleave(lat: number, lon: number): number {
  const low = spread14(lat % P13) | (spread14(lon % P13) << 1)
  const high = spread14(Math.floor(lat / P13)) + spread14(Math.floor(lon / P13)) * 2
  return high * P26 + (low >>> 0)
}

/** The latitude and longitude indexes packed in `bits` (an integer below 2^54). */
export function deinterleave(bits: number): [number, number] {
  const low = bits % P26
  const high = Math.floor(bits / P26)
  const lat = squeeze14(high) * P13 + squeeze14(low)
  const lon = squeeze14(Math.floor(high / 2)) * P13 + squeeze14(Math.floor(low / 2))
  return [lat, lon]
}

const P54 = 2 ** 54
const P63 = 2 ** 63

/**
 * A score that is no geohash (a sorted set used as a geo index by mistake) becomes
 * the 64-bit integer x86-64 C code makes of it: negative ones wrap around, and
 * infinities, NaN and anything from 2^64 on give 0 or 2^63.
 */
function deinterleaveOutOfRange(score: number): [number, number] {
  let u: bigint
  if (score < P63) {
    u = score > -P63 ? BigInt.asUintN(64, BigInt(Math.trunc(score))) : 1n << 63n
  } else {
    const y = score - P63
    u = y < P63 ? BigInt(Math.trunc(y)) + (1n << 63n) : 0n
  }
  let lat = 0
  let lon = 0
  for (let i = 31; i >= 0; i--) {
    lat = lat * 2 + Number((u >> BigInt(2 * i)) & 1n)
    lon = lon * 2 + Number((u >> BigInt(2 * i + 1)) & 1n)
  }
  return [lat, lon]
}

/** The cell of a point at `step`; the caller has checked the point is within the ranges. */
export function encodeCell(lon: number, lat: number, step: number, latRange: Range = MERCATOR_LAT): Cell {
  const scale = 2 ** step
  let latOffset = (lat - latRange.min) / (latRange.max - latRange.min)
  let lonOffset = (lon - LONG_RANGE.min) / (LONG_RANGE.max - LONG_RANGE.min)
  latOffset *= scale
  lonOffset *= scale
  return { lat: Math.trunc(latOffset) >>> 0, lon: Math.trunc(lonOffset) >>> 0, step }
}

/** The interleaved bits of a cell. */
export function cellBits(cell: Cell): number {
  return interleave(cell.lat, cell.lon)
}

/** A point's 52-bit score: its cell at 26 steps. */
export function encodeScore(lon: number, lat: number): number {
  return cellBits(encodeCell(lon, lat, GEO_STEP_MAX))
}

export function validLonLat(lon: number, lat: number): boolean {
  return lon >= GEO_LONG_MIN && lon <= GEO_LONG_MAX && lat >= GEO_LAT_MIN && lat <= GEO_LAT_MAX
}

/** The area a cell covers. */
export function cellArea(cell: Cell, latRange: Range = MERCATOR_LAT): Area {
  const latScale = latRange.max - latRange.min
  const lonScale = LONG_RANGE.max - LONG_RANGE.min
  const n = 2 ** cell.step
  return {
    latMin: latRange.min + (cell.lat / n) * latScale,
    latMax: latRange.min + ((cell.lat + 1) / n) * latScale,
    lonMin: LONG_RANGE.min + (cell.lon / n) * lonScale,
    lonMax: LONG_RANGE.min + ((cell.lon + 1) / n) * lonScale,
  }
}

/** The centre of a score's cell as [longitude, latitude], clamped to the valid ranges. */
export function decodeScore(score: number): [number, number] {
  const [lat, lon] = score >= 0 && score < P54 ? deinterleave(Math.trunc(score)) : deinterleaveOutOfRange(score)
  const a = cellArea({ lat, lon, step: GEO_STEP_MAX })
  let x = (a.lonMin + a.lonMax) / 2
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN
  let y = (a.latMin + a.latMax) / 2
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN
  return [x, y]
}

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz'

/**
 * The standard 11-character geohash of a score: its cell centre re-encoded against
 * latitudes ±90. 52 bits make ten characters and two bits; the eleventh is '0'.
 */
export function geohashString(score: number): string {
  const [lon, lat] = decodeScore(score)
  const bits = cellBits(encodeCell(lon, lat, GEO_STEP_MAX, STANDARD_LAT))
  let s = ''
  for (let i = 0; i < 10; i++) {
    const shift = 52 - (i + 1) * 5
    s += BASE32[Math.floor(bits / 2 ** shift) % 32]
  }
  return s + BASE32[0]
}

// --- distances ------------------------------------------------------------------

/** Metres between two latitudes along a meridian. */
export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1))
}

/** Haversine distance in metres between two points given in degrees. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1)
  const lon2r = degRad(lon2)
  const v = sin((lon2r - lon1r) / 2)
  // Same longitude: the distance along the meridian, without the trigonometry.
  if (v === 0) return latDistance(lat1, lat2)
  const lat1r = degRad(lat1)
  const lat2r = degRad(lat2)
  const u = sin((lat2r - lat1r) / 2)
  const a = u * u + cos(lat1r) * cos(lat2r) * v * v
  return 2.0 * EARTH_RADIUS_IN_METERS * asin(Math.sqrt(a))
}

// --- search areas -----------------------------------------------------------------

/** A search shape: a circle of `radius` or a `width` × `height` box, in units of `toMeters` metres. */
export type Shape =
  | { kind: 'radius'; lon: number; lat: number; toMeters: number; radius: number }
  | { kind: 'box'; lon: number; lat: number; toMeters: number; width: number; height: number }

/**
 * Distance in metres from the shape's centre to a point, or -1 when the point is
 * outside the shape. A box is tested along the meridian first, then along the
 * point's parallel.
 */
export function distanceIfInShape(shape: Shape, lon: number, lat: number): number {
  if (shape.kind === 'radius') {
    const d = distance(shape.lon, shape.lat, lon, lat)
    return d > shape.radius * shape.toMeters ? -1 : d
  }
  const width = shape.width * shape.toMeters
  const height = shape.height * shape.toMeters
  if (latDistance(lat, shape.lat) > height / 2) return -1
  if (distance(lon, lat, shape.lon, lat) > width / 2) return -1
  return distance(shape.lon, shape.lat, lon, lat)
}

/** [minLon, minLat, maxLon, maxLat] around the shape. */
function boundingBox(shape: Shape): [number, number, number, number] {
  const { lon, lat } = shape
  const height = shape.toMeters * (shape.kind === 'radius' ? shape.radius : shape.height / 2)
  const width = shape.toMeters * (shape.kind === 'radius' ? shape.radius : shape.width / 2)
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS)
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(lat + latDelta)))
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(lat - latDelta)))
  // The parallel nearer the pole is the wider one in degrees.
  const south = lat < 0
  return [
    south ? lon - lonDeltaBottom : lon - lonDeltaTop,
    lat - latDelta,
    south ? lon + lonDeltaBottom : lon + lonDeltaTop,
    lat + latDelta,
  ]
}

/** The coarsest step whose cells are still about the size of the search radius. */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26
  let step = 1
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2
    step++
  }
  step -= 2
  // Cells narrow towards the poles.
  if (lat > 66 || lat < -66) {
    step--
    if (lat > 80 || lat < -80) step--
  }
  if (step < 1) step = 1
  if (step > 26) step = 26
  return step
}

function moved(cell: Cell, dLon: number, dLat: number): Cell {
  const n = 2 ** cell.step
  return {
    lat: dLat === 0 ? cell.lat : (cell.lat + dLat + n) % n,
    lon: dLon === 0 ? cell.lon : (cell.lon + dLon + n) % n,
    step: cell.step,
  }
}

/**
 * The score ranges [min, max) to scan for a shape: the centre's cell and its eight
 * neighbours, in the order centre, N, S, E, W, NE, NW, SE, SW, with neighbours the
 * shape cannot reach left out (null) and a range equal to the one scanned before it
 * skipped, as Redis does (large radii make neighbours coincide).
 */
export function searchRanges(shape: Shape): Array<[number, number]> {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape)
  const radiusMeters = shape.toMeters * (shape.kind === 'radius'
    ? shape.radius
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2)))
  let steps = estimateSteps(radiusMeters, shape.lat)
  let centre = encodeCell(shape.lon, shape.lat, steps)
  const north = cellArea(moved(centre, 0, 1))
  const south = cellArea(moved(centre, 0, -1))
  const east = cellArea(moved(centre, 1, 0))
  const west = cellArea(moved(centre, -1, 0))
  if (steps > 1 && (north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon)) {
    steps--
    centre = encodeCell(shape.lon, shape.lat, steps)
  }
  const area = cellArea(centre)
  const offsets: Array<[number, number]> = [[0, 0], [0, 1], [0, -1], [1, 0], [-1, 0], [1, 1], [-1, 1], [1, -1], [-1, -1]]
  const cells: Array<Cell | null> = offsets.map(([dx, dy]) => moved(centre, dx, dy))
  if (steps >= 2) {
    const drop = (dx: number, dy: number) => {
      for (let i = 1; i < 9; i++) if (offsets[i][0] === dx || offsets[i][1] === dy) cells[i] = null
    }
    if (area.latMin < minLat) drop(2, -1)
    if (area.latMax > maxLat) drop(2, 1)
    if (area.lonMin < minLon) drop(-1, 2)
    if (area.lonMax > maxLon) drop(1, 2)
  }
  const out: Array<[number, number]> = []
  let last: Cell | null = null
  for (let i = 0; i < 9; i++) {
    const cell = cells[i]
    if (cell === null) continue
    if (i > 0 && last !== null && last !== cells[0] && cellBits(cell) === cellBits(last) && cell.step === last.step) continue
    const shift = 2 ** (GEO_STEP_MAX * 2 - cell.step * 2)
    const bits = cellBits(cell)
    out.push([bits * shift, (bits + 1) * shift])
    last = cell
  }
  return out
}
