/**
 * Redis glob matching (KEYS, SCAN MATCH, CONFIG GET): `*`, `?`, `[abc]`, `[^a-z]` and
 * `\` escapes, over latin1 strings. Hand-written because Redis's rules differ from
 * minimatch/picomatch (no path separators, `[^` negation, reversed ranges accepted)
 * and patterns match bytes, not Unicode text.
 *
 * Backtracks only to the most recent `*`, which is enough since every other atom
 * matches exactly one character; this keeps adversarial patterns linear-ish.
 */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  let p = 0
  let i = 0
  let starP = -1
  let starI = 0
  const plen = pattern.length
  const slen = s.length
  while (i < slen) {
    if (p < plen) {
      const c = pattern.charCodeAt(p)
      if (c === 0x2a /* * */) {
        while (p < plen && pattern.charCodeAt(p) === 0x2a) p++
        if (p === plen) return true
        starP = p
        starI = i
        continue
      }
      const next = matchOne(pattern, p, s.charCodeAt(i), nocase)
      if (next >= 0) {
        p = next
        i++
        continue
      }
    }
    if (starP < 0) return false
    p = starP
    i = ++starI
  }
  while (p < plen && pattern.charCodeAt(p) === 0x2a) p++
  return p === plen
}

/** Matches one pattern atom at p against char ch; returns the index after the atom, or -1. */
function matchOne(pattern: string, p: number, ch: number, nocase: boolean): number {
  const plen = pattern.length
  const c = pattern.charCodeAt(p)
  if (c === 0x3f /* ? */) return p + 1
  if (c === 0x5b /* [ */) {
    p++
    const not = p < plen && pattern.charCodeAt(p) === 0x5e /* ^ */
    if (not) p++
    let match = false
    for (;;) {
      // An unterminated class ends with the pattern, as in Redis.
      if (p >= plen) break
      const pc = pattern.charCodeAt(p)
      if (pc === 0x5c /* \ */ && p + 1 < plen) {
        if (eq(pattern.charCodeAt(p + 1), ch, nocase)) match = true
        p += 2
      } else if (pc === 0x5d /* ] */) {
        p++
        break
      } else if (p + 2 < plen && pattern.charCodeAt(p + 1) === 0x2d /* - */) {
        let start = pc
        let end = pattern.charCodeAt(p + 2)
        if (start > end) [start, end] = [end, start]
        let x = ch
        if (nocase) {
          start = lower(start)
          end = lower(end)
          x = lower(x)
        }
        if (x >= start && x <= end) match = true
        p += 3
      } else {
        if (eq(pc, ch, nocase)) match = true
        p++
      }
    }
    if (not) match = !match
    return match ? p : -1
  }
  if (c === 0x5c /* \ */ && p + 1 < plen) {
    return eq(pattern.charCodeAt(p + 1), ch, nocase) ? p + 2 : -1
  }
  return eq(c, ch, nocase) ? p + 1 : -1
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c
}

function eq(a: number, b: number, nocase: boolean): boolean {
  return a === b || (nocase && lower(a) === lower(b))
}
