import type { Caller } from '../server/caller.js'
import { parseInt64 } from '../util/numbers.js'
import { Err } from './errors.js'
import { command, type CommandSpec } from './spec.js'

/**
 * LCS (Redis 7.0): the longest common subsequence of two string values, by the
 * classic O(n*m) table of prefix LCS lengths, then one walk back from the corner.
 * The walk yields the subsequence and, for IDX, the matched ranges from the ends of
 * the strings towards their starts, as Redis reports them. Missing keys count as
 * empty strings.
 */

function lcs(c: Caller, argv: string[]): void {
  const va = c.db.lookupRead(argv[1])
  const vb = c.db.lookupRead(argv[2])
  if ((va !== undefined && typeof va !== 'string') || (vb !== undefined && typeof vb !== 'string')) {
    return c.out.error('ERR The specified keys must contain string values')
  }
  const a = va ?? ''
  const b = vb ?? ''
  let wantLen = false
  let wantIdx = false
  let withMatchLen = false
  let minMatchLen = 0
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toUpperCase()
    if (opt === 'IDX') wantIdx = true
    else if (opt === 'LEN') wantLen = true
    else if (opt === 'WITHMATCHLEN') withMatchLen = true
    else if (opt === 'MINMATCHLEN' && j + 1 < argv.length) {
      const n = parseInt64(argv[++j])
      if (n === null) return c.out.error(Err.notInteger)
      minMatchLen = n < 0n ? 0 : n > 2n ** 32n ? 2 ** 32 : Number(n)
    } else return c.out.error(Err.syntax)
  }
  if (wantIdx && wantLen) return c.out.error('ERR If you want both the length and indexes, please just use IDX.')
  const alen = a.length
  const blen = b.length
  if (alen >= 0xffffffff - 1 || blen >= 0xffffffff - 1) return c.out.error('ERR String too long for LCS')
  // Redis refuses a table (4 bytes a cell) larger than proto-max-bulk-len.
  const cells = (alen + 1) * (blen + 1)
  if (cells * 4 > c.server.config.int('proto-max-bulk-len')) {
    return c.out.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len')
  }
  let table: Uint32Array
  try {
    table = new Uint32Array(cells)
  } catch {
    return c.out.error('ERR Insufficient memory, failed allocating transient memory for LCS')
  }
  const w = blen + 1
  // table[i*w + j]: LCS length of a[0..i) and b[0..j); row 0 and column 0 stay 0.
  for (let i = 1; i <= alen; i++) {
    const ca = a.charCodeAt(i - 1)
    const row = i * w
    const prev = row - w
    for (let j = 1; j <= blen; j++) {
      if (ca === b.charCodeAt(j - 1)) table[row + j] = table[prev + j - 1] + 1
      else {
        const up = table[prev + j]
        const left = table[row + j - 1]
        table[row + j] = up > left ? up : left
      }
    }
  }
  const total = table[alen * w + blen]
  if (wantLen) return c.out.integer(total)

  const chars: number[] = new Array(total)
  let k = total
  // Ranges found so far: [aStart, aEnd, bStart, bEnd] as flat numbers.
  const ranges: number[] = []
  let open = false
  let aStart = 0
  let aEnd = 0
  let bStart = 0
  let bEnd = 0
  const close = (): void => {
    const len = aEnd - aStart + 1
    if (minMatchLen === 0 || len >= minMatchLen) ranges.push(aStart, aEnd, bStart, bEnd)
    open = false
  }
  let i = alen
  let j = blen
  while (i > 0 && j > 0) {
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      chars[--k] = a.charCodeAt(i - 1)
      if (!open) {
        open = true
        aStart = aEnd = i - 1
        bStart = bEnd = j - 1
      } else {
        // A match right after a match always extends the open range backwards.
        aStart--
        bStart--
      }
      i--
      j--
      if (aStart === 0 || bStart === 0) close()
    } else {
      if (table[(i - 1) * w + j] > table[i * w + j - 1]) i--
      else j--
      if (open) close()
    }
  }

  if (!wantIdx) return c.out.bulk(latin1(chars))
  c.out.map(2)
  c.out.bulk('matches')
  const n = ranges.length / 4
  c.out.array(n)
  for (let r = 0; r < ranges.length; r += 4) {
    c.out.array(withMatchLen ? 3 : 2)
    c.out.array(2)
    c.out.integer(ranges[r])
    c.out.integer(ranges[r + 1])
    c.out.array(2)
    c.out.integer(ranges[r + 2])
    c.out.integer(ranges[r + 3])
    if (withMatchLen) c.out.integer(ranges[r + 1] - ranges[r] + 1)
  }
  c.out.bulk('len')
  c.out.integer(total)
}

/** Byte codes as a latin1 string, a slice at a time (a spread of millions would overflow the stack). */
function latin1(codes: number[]): string {
  let s = ''
  for (let i = 0; i < codes.length; i += 8192) s += String.fromCharCode(...codes.slice(i, i + 8192))
  return s
}

export const lcsCommands: CommandSpec[] = [
  command({
    name: 'lcs', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 2, step: 1, group: 'string', since: '7.0.0',
    complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
    summary: 'Find longest common substring',
    syntax: 'key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]', handler: lcs,
  }),
]
