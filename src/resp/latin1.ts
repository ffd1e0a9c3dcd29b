/**
 * Latin1 (one char per byte) conversions for short runs of bytes, done in JS.
 *
 * Buffer#latin1Slice and #latin1Write cross into C++ on every call, which costs more
 * than the copy itself for the short keys, values and command names that make up
 * most requests. String.fromCharCode with the bytes as arguments builds a flat
 * one-byte string directly, and a charCodeAt loop writes one; longer runs still go
 * through the Buffer methods, where the memcpy dominates.
 */

const fcc = String.fromCharCode

/**
 * The bytes b[s..s+n) as a latin1 string: built in JS up to 32 bytes, beyond which
 * the C++ path is cheaper. Keys of 17 to 32 characters (user:1234:profile,
 * bitmap:000000000123) are common: the JS path takes a fifth off building and looking
 * up such a key (67 against 84 ns).
 */
export function latin1Slice(b: Buffer, s: number, n: number): string {
  switch (n) {
    case 0: return ''
    case 1: return fcc(b[s])
    case 2: return fcc(b[s], b[s + 1])
    case 3: return fcc(b[s], b[s + 1], b[s + 2])
    case 4: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3])
    case 5: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4])
    case 6: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5])
    case 7: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6])
    case 8: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7])
    case 9: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8])
    case 10: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9])
    case 11: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10])
    case 12: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11])
    case 13: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12])
    case 14: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13])
    case 15: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14])
    case 16: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15])
    case 17: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16])
    case 18: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17])
    case 19: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18])
    case 20: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19])
    case 21: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20])
    case 22: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21])
    case 23: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22])
    case 24: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23])
    case 25: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24])
    case 26: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25])
    case 27: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26])
    case 28: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26],
      b[s + 27])
    case 29: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26],
      b[s + 27], b[s + 28])
    case 30: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26],
      b[s + 27], b[s + 28], b[s + 29])
    case 31: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26],
      b[s + 27], b[s + 28], b[s + 29], b[s + 30])
    case 32: return fcc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8],
      b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17],
      b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23], b[s + 24], b[s + 25], b[s + 26],
      b[s + 27], b[s + 28], b[s + 29], b[s + 30], b[s + 31])
    default: return b.latin1Slice(s, s + n)
  }
}

/** Longest string `latin1Write` copies with a JS loop. */
const SHORT_WRITE = 32

/** Writes s (latin1) at b[pos]; the caller has made room. Returns the byte count. */
export function latin1Write(b: Buffer, pos: number, s: string): number {
  const n = s.length
  if (n > SHORT_WRITE) return b.latin1Write(s, pos)
  for (let i = 0; i < n; i++) b[pos + i] = s.charCodeAt(i)
  return n
}

/** Longest argument `cachedLatin1` may answer from its cache (a multiple of 4). */
export const CACHED_STRING = 32

/**
 * Recently decoded short arguments: command names, and the hot keys, fields and
 * values that clients send again and again. A hit returns the same string object,
 * whose hash V8 has already computed, instead of building and hashing a new one; a
 * miss costs a short comparison and replaces the slot. Slots are picked by length
 * and three sample bytes. Each slot keeps a copy of its string's bytes, compared four
 * at a time through DataViews (a charCodeAt loop costs as much as a new string).
 */
const SLOTS = 256
const WORDS = CACHED_STRING / 4
const recent: string[] = new Array<string>(SLOTS).fill('')
const recentWords = new Int32Array(SLOTS * WORDS)
const recentBytes = new Uint8Array(recentWords.buffer)
/** Read words in the platform's order, as the Int32Array holds them. */
const NATIVE_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** A DataView over all of `b`, for cachedLatin1. */
export function viewOf(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

/**
 * Like latin1Slice for 1 <= n <= CACHED_STRING, reusing a recent equal string.
 * `view` is viewOf(b).
 */
export function cachedLatin1(b: Buffer, view: DataView, s: number, n: number): string {
  const last = s + n - 1
  const slot = (n * 31 + b[s] * 7 + b[s + (n >> 1)] * 3 + b[last]) & (SLOTS - 1)
  const hit = recent[slot]
  const byteBase = slot * CACHED_STRING
  if (hit.length === n) {
    const wordBase = slot * WORDS
    const words = n >> 2
    let k = 0
    while (k < words && view.getInt32(s + (k << 2), NATIVE_LE) === recentWords[wordBase + k]) k++
    if (k === words) {
      let i = words << 2
      while (i < n && b[s + i] === recentBytes[byteBase + i]) i++
      if (i === n) return hit
    }
  }
  const str = latin1Slice(b, s, n)
  recent[slot] = str
  for (let i = 0; i < n; i++) recentBytes[byteBase + i] = b[s + i]
  return str
}
