import { LuaError, type LuaValue } from '../value.js'

/**
 * Lua 5.1 patterns (reference manual §5.4.1), matched on byte strings (latin1 JS
 * strings) with the C locale's character classes. Written from the manual and from
 * what Redis 7.0's Lua does, including its quirks:
 * - the pattern is a C string in 5.1, so it ends at its first "\0" (use %z to match one);
 * - a capture still open when the pattern ends is a successful match, and only reading
 *   it fails ("unfinished capture");
 * - the subject is followed by an implicit "\0", which %f sees at the end.
 */

const ESC = 0x25 // '%'
const MAX_CAPTURES = 32
const CAP_UNFINISHED = -1
const CAP_POSITION = -2


/** C's character classes in the "C" locale, by the class letter (lowercase). */
function classMatches(c: number, cl: number): boolean {
  let res: boolean
  switch (cl | 0x20) {
    case 0x61: res = isAlpha(c); break // a
    case 0x63: res = c < 0x20 || c === 0x7f; break // c
    case 0x64: res = c >= 0x30 && c <= 0x39; break // d
    case 0x6c: res = c >= 0x61 && c <= 0x7a; break // l
    case 0x70: res = isPunct(c); break // p
    case 0x73: res = c === 0x20 || (c >= 0x09 && c <= 0x0d); break // s
    case 0x75: res = c >= 0x41 && c <= 0x5a; break // u
    case 0x77: res = isAlpha(c) || (c >= 0x30 && c <= 0x39); break // w
    case 0x78: res = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66); break // x
    case 0x7a: res = c === 0; break // z
    default: return cl === c
  }
  // An uppercase class letter is the complement.
  return cl >= 0x41 && cl <= 0x5a ? !res : res
}

function isAlpha(c: number): boolean {
  const l = c | 0x20
  return l >= 0x61 && l <= 0x7a
}

function isPunct(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e)
}

/** Whether a pattern needs the matcher; otherwise find() searches for it as plain text. */
export function hasSpecials(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    switch (p.charCodeAt(i)) {
      case 0: return false // strpbrk stops at the C string's end
      case 0x5e: case 0x24: case 0x2a: case 0x2b: case 0x3f: case 0x2e: case 0x28: case 0x5b: case 0x25: case 0x2d:
        return true
    }
  }
  return false
}

/**
 * One match attempt's state. Reused across attempts (gsub, gmatch, find's scan) so
 * matching allocates nothing until captures are read.
 */
/**
 * Spare states for one-shot matches (find, match, gsub): allocating the two capture
 * arrays cost more than a short match itself. gsub's replacement functions may match
 * again while a state is in use, hence a pool rather than one shared state.
 */
const spare: MatchState[] = []

export function acquireMatchState(src: string, pat: string): MatchState {
  const ms = spare.pop()
  if (ms === undefined) return new MatchState(src, pat)
  ms.reset(src, pat)
  return ms
}

export function releaseMatchState(ms: MatchState): void {
  ms.src = ''
  if (spare.length < 8) spare.push(ms)
}

export class MatchState {
  src = ''
  pat = ''
  /** End of the pattern: its length, or its first "\0". */
  patEnd = 0
  level = 0
  readonly capInit = new Int32Array(MAX_CAPTURES)
  readonly capLen = new Int32Array(MAX_CAPTURES)

  constructor(src: string, pat: string) {
    this.reset(src, pat)
  }

  reset(src: string, pat: string): void {
    this.src = src
    this.pat = pat
    const nul = pat.indexOf('\0')
    this.patEnd = nul < 0 ? pat.length : nul
    this.level = 0
  }

  /** Matches the pattern from index p against the subject from index s: the end of the match, or -1. */
  match(s: number, p: number): number {
    this.level = 0
    try {
      return this.doMatch(s, p)
    } catch (e) {
      // Recursion is per pattern item (quantifiers, captures), never per subject byte,
      // so only patterns of thousands of items get here. 5.1 recurses on a C stack
      // deep enough for them; ours is shallower, and running out must stay a Lua error.
      if (e instanceof RangeError) throw new LuaError('pattern too complex')
      throw e
    }
  }

  private doMatch(s: number, p: number): number {
    const pat = this.pat
    const src = this.src
    const patEnd = this.patEnd
    const srcEnd = src.length
    for (;;) {
      if (p === patEnd) return s
      const pc = pat.charCodeAt(p)
      if (pc === 0x28) { // '('
        if (p + 1 < patEnd && pat.charCodeAt(p + 1) === 0x29) return this.startCapture(s, p + 2, CAP_POSITION)
        return this.startCapture(s, p + 1, CAP_UNFINISHED)
      }
      if (pc === 0x29) return this.endCapture(s, p + 1) // ')'
      if (pc === 0x24 && p + 1 === patEnd) return s === srcEnd ? s : -1 // '$' ends the pattern
      if (pc === ESC && p + 1 < patEnd) {
        const next = pat.charCodeAt(p + 1)
        if (next === 0x62) { // %b
          s = this.matchBalance(s, p + 2)
          if (s < 0) return -1
          p += 4
          continue
        }
        if (next === 0x66) { // %f
          p += 2
          if (p >= patEnd || pat.charCodeAt(p) !== 0x5b) throw new LuaError("missing '[' after '%f' in pattern")
          const ep = this.classEnd(p)
          const prev = s === 0 ? 0 : src.charCodeAt(s - 1)
          const cur = s < srcEnd ? src.charCodeAt(s) : 0
          if (this.matchBracket(prev, p, ep - 1) || !this.matchBracket(cur, p, ep - 1)) return -1
          p = ep
          continue
        }
        if (next >= 0x30 && next <= 0x39) { // back-reference %0-%9
          s = this.matchCapture(s, next)
          if (s < 0) return -1
          p += 2
          continue
        }
      }
      // A single-character item, possibly quantified.
      const ep = this.classEnd(p)
      const m = s < srcEnd && this.singleMatch(src.charCodeAt(s), p, ep)
      const q = ep < patEnd ? pat.charCodeAt(ep) : 0
      if (q === 0x3f) { // '?'
        if (m) {
          const r = this.doMatch(s + 1, ep + 1)
          if (r >= 0) return r
        }
        p = ep + 1
        continue
      }
      if (q === 0x2a) return this.maxExpand(s, p, ep) // '*'
      if (q === 0x2b) return m ? this.maxExpand(s + 1, p, ep) : -1 // '+'
      if (q === 0x2d) return this.minExpand(s, p, ep) // '-'
      if (!m) return -1
      s++
      p = ep
    }
  }

  /** Index just past the single-character class starting at p. */
  private classEnd(p: number): number {
    const pat = this.pat
    const patEnd = this.patEnd
    const c = pat.charCodeAt(p++)
    if (c === ESC) {
      if (p >= patEnd) throw new LuaError("malformed pattern (ends with '%')")
      return p + 1
    }
    if (c === 0x5b) { // '['
      if (p < patEnd && pat.charCodeAt(p) === 0x5e) p++
      // The first character is always part of the set, so "[]]" and "[^]]" hold a ']'.
      do {
        if (p >= patEnd) throw new LuaError("malformed pattern (missing ']')")
        const d = pat.charCodeAt(p++)
        if (d === ESC && p < patEnd) p++
      } while (p >= patEnd || pat.charCodeAt(p) !== 0x5d)
      return p + 1
    }
    return p
  }

  private singleMatch(c: number, p: number, ep: number): boolean {
    const pc = this.pat.charCodeAt(p)
    if (pc === 0x2e) return true // '.'
    if (pc === ESC) return classMatches(c, this.pat.charCodeAt(p + 1))
    if (pc === 0x5b) return this.matchBracket(c, p, ep - 1)
    return pc === c
  }

  /** A set "[...]" from p (its '[') to ec (its ']'). */
  private matchBracket(c: number, p: number, ec: number): boolean {
    const pat = this.pat
    let found = true
    if (pat.charCodeAt(p + 1) === 0x5e) {
      found = false
      p++
    }
    while (++p < ec) {
      const pc = pat.charCodeAt(p)
      if (pc === ESC) {
        p++
        if (classMatches(c, pat.charCodeAt(p))) return found
      } else if (pat.charCodeAt(p + 1) === 0x2d && p + 2 < ec) {
        p += 2
        if (pc <= c && c <= pat.charCodeAt(p)) return found
      } else if (pc === c) {
        return found
      }
    }
    return !found
  }

  private maxExpand(s: number, p: number, ep: number): number {
    const src = this.src
    const srcEnd = src.length
    let i = 0
    while (s + i < srcEnd && this.singleMatch(src.charCodeAt(s + i), p, ep)) i++
    // Longest first, giving back one character at a time.
    for (; i >= 0; i--) {
      const r = this.doMatch(s + i, ep + 1)
      if (r >= 0) return r
    }
    return -1
  }

  private minExpand(s: number, p: number, ep: number): number {
    const src = this.src
    for (;;) {
      const r = this.doMatch(s, ep + 1)
      if (r >= 0) return r
      if (s < src.length && this.singleMatch(src.charCodeAt(s), p, ep)) s++
      else return -1
    }
  }

  private startCapture(s: number, p: number, what: number): number {
    const level = this.level
    if (level >= MAX_CAPTURES) throw new LuaError('too many captures')
    this.capInit[level] = s
    this.capLen[level] = what
    this.level = level + 1
    const r = this.doMatch(s, p)
    if (r < 0) this.level--
    return r
  }

  private endCapture(s: number, p: number): number {
    const l = this.captureToClose()
    this.capLen[l] = s - this.capInit[l]
    const r = this.doMatch(s, p)
    if (r < 0) this.capLen[l] = CAP_UNFINISHED
    return r
  }

  private captureToClose(): number {
    for (let l = this.level - 1; l >= 0; l--) if (this.capLen[l] === CAP_UNFINISHED) return l
    throw new LuaError('invalid pattern capture')
  }

  private matchBalance(s: number, p: number): number {
    const pat = this.pat
    if (p + 1 >= this.patEnd) throw new LuaError('unbalanced pattern')
    const src = this.src
    const srcEnd = src.length
    const open = pat.charCodeAt(p)
    if (s >= srcEnd || src.charCodeAt(s) !== open) return -1
    const close = pat.charCodeAt(p + 1)
    let depth = 1
    while (++s < srcEnd) {
      const c = src.charCodeAt(s)
      if (c === close) {
        if (--depth === 0) return s + 1
      } else if (c === open) {
        depth++
      }
    }
    return -1
  }

  /** A back-reference %1-%9 (the digit's char code): the end of the repeat, or -1. */
  private matchCapture(s: number, digit: number): number {
    const l = digit - 0x31
    if (l < 0 || l >= this.level || this.capLen[l] === CAP_UNFINISHED) throw new LuaError('invalid capture index')
    const len = this.capLen[l]
    // A position capture never matches text (its length is not a length).
    if (len < 0 || this.src.length - s < len) return -1
    const init = this.capInit[l]
    const src = this.src
    for (let i = 0; i < len; i++) if (src.charCodeAt(init + i) !== src.charCodeAt(s + i)) return -1
    return s + len
  }

  /** Capture i of the last match from s to e; capture 0 is the whole match when there are none. */
  capture(i: number, s: number, e: number): LuaValue {
    if (i >= this.level) {
      if (i === 0) return this.src.slice(s, e)
      throw new LuaError('invalid capture index')
    }
    const len = this.capLen[i]
    if (len === CAP_UNFINISHED) throw new LuaError('unfinished capture')
    const init = this.capInit[i]
    if (len === CAP_POSITION) return init + 1
    return this.src.slice(init, init + len)
  }

  /**
   * The captures of the last match, or the whole match (s to e) when there are none
   * and wholeIfNone (match, gmatch, gsub's functions; find passes false).
   */
  captures(s: number, e: number, wholeIfNone: boolean): LuaValue[] {
    const n = this.level === 0 && wholeIfNone ? 1 : this.level
    const out = new Array<LuaValue>(n)
    for (let i = 0; i < n; i++) out[i] = this.capture(i, s, e)
    return out
  }
}
