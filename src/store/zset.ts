import { CursorTable } from './cursors.js'
import { TombstoneMap } from './tombstone-map.js'
import { ScoreTree, TreeCursor } from './score-tree.js'
import type { Collection } from './types.js'

export { TreeCursor as ZCursor } from './score-tree.js'

/**
 * Encoding thresholds, as CONFIG SET zset-max-listpack-entries / -value would change
 * them. A sorted set reads them only when it grows (or is built by a STORE command).
 */
export const zsetLimits = { maxListpackEntries: 128, maxListpackValue: 64 }

/** Cursors parked per scanned sorted set; older ones restart, as SCAN allows. */
const SCAN_CURSORS = 64

/**
 * A Redis sorted set: a Map member → score for O(1) ZSCORE and membership, and a
 * ScoreTree (score, member) for order, rank and ranges in O(log n).
 *
 * Redis 7.0 keeps a small sorted set in a listpack and converts it to a skiplist,
 * for good, once it holds more than zset-max-listpack-entries members or a member
 * longer than zset-max-listpack-value bytes. We track that state to report OBJECT
 * ENCODING, and because it is visible: a listpack stores scores as text, so -0 reads
 * back as 0 there, while a skiplist keeps the sign.
 */
export class ZSet implements Collection {
  readonly type = 'zset' as const
  private readonly dict: TombstoneMap<number>
  private tree: ScoreTree
  private listpack = true
  private scans: CursorTable<[string, number]> | null = null

  constructor(dict = new Map<string, number>(), tree = new ScoreTree()) {
    this.dict = new TombstoneMap(dict)
    this.tree = tree
  }

  /**
   * A sorted set from distinct members and their scores in any order, encoded as
   * Redis encodes a ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE result: a listpack when it
   * fits the limits, a skiplist otherwise.
   */
  static build(members: string[], scores: number[]): ZSet {
    const n = members.length
    let longest = 0
    for (let i = 0; i < n; i++) if (members[i].length > longest) longest = members[i].length
    const listpack = n <= zsetLimits.maxListpackEntries && longest <= zsetLimits.maxListpackValue
    // Entries often come in order already (an RDB listpack holds them so): no sort then.
    const order = inOrder(members, scores) ? null : sortedOrder(members, scores)
    const sortedMembers = new Array<string>(n)
    const sortedScores = new Array<number>(n)
    const dict = new Map<string, number>()
    for (let i = 0; i < n; i++) {
      const j = order === null ? i : order[i]
      const m = members[j]
      // A listpack holds scores as text, where -0 is written as 0.
      const s = listpack && scores[j] === 0 ? 0 : scores[j]
      sortedMembers[i] = m
      sortedScores[i] = s
      dict.set(m, s)
    }
    const z = new ZSet(dict, ScoreTree.fromSorted(sortedMembers, sortedScores))
    z.listpack = listpack
    return z
  }

  get size(): number {
    return this.dict.size
  }

  /** True while Redis would keep this sorted set as a listpack. */
  get isListpack(): boolean {
    return this.listpack
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist'
  }

  clone(): ZSet {
    const n = this.dict.size
    const members = new Array<string>(n)
    const scores = new Array<number>(n)
    const cur = this.tree.first()
    for (let i = 0; i < n; i++, cur.next()) {
      members[i] = cur.member
      scores[i] = cur.score
    }
    const copy = new ZSet(new Map(this.dict.entries()), ScoreTree.fromSorted(members, scores))
    copy.listpack = this.listpack
    return copy
  }

  score(member: string): number | undefined {
    return this.dict.get(member)
  }

  has(member: string): boolean {
    return this.dict.has(member)
  }

  /** Makes the set a skiplist from the start, as ZRANGESTORE does for a long rank range. */
  forceSkiplist(): void {
    this.listpack = false
  }

  /** Adds a member that is not in the set. */
  insert(member: string, score: number): void {
    if (this.listpack) {
      if (this.dict.size + 1 > zsetLimits.maxListpackEntries || member.length > zsetLimits.maxListpackValue) {
        this.listpack = false
      } else if (score === 0) {
        score = 0
      }
    }
    this.dict.set(member, score)
    this.tree.insert(member, score)
  }

  /**
   * Gives a member already in the set a new score. An equal score (0 for -0 too)
   * changes nothing, as in Redis.
   */
  update(member: string, oldScore: number, newScore: number): void {
    if (newScore === oldScore) return
    if (this.listpack && newScore === 0) newScore = 0
    this.dict.set(member, newScore)
    this.tree.update(member, oldScore, newScore)
  }

  /** Inserts or updates; true when the member is new. */
  set(member: string, score: number): boolean {
    const old = this.dict.get(member)
    if (old === undefined) {
      this.insert(member, score)
      return true
    }
    this.update(member, old, score)
    return false
  }

  delete(member: string): boolean {
    const score = this.dict.get(member)
    if (score === undefined) return false
    this.dict.delete(member)
    this.tree.remove(member, score)
    return true
  }

  /** 0-based rank in ascending order, or -1 when the member is absent. */
  rank(member: string): number {
    const score = this.dict.get(member)
    return score === undefined ? -1 : this.tree.rankOf(member, score)
  }

  /** Members with score < `score`, or ≤ when `orEqual`: the rank where a score bound falls. */
  countByScore(score: number, orEqual: boolean): number {
    return this.tree.countByScore(score, orEqual)
  }

  /** Members ordered before `member` (or at it, when `orEqual`), for lex ranges. */
  countByMember(member: string, orEqual: boolean): number {
    return this.tree.countByMember(member, orEqual)
  }

  /** A cursor on the member at `rank` (ascending, 0-based); walk it with next()/prev(). */
  at(rank: number): TreeCursor {
    return this.tree.at(rank)
  }

  /** The lowest-ranked member; the set must not be empty. */
  get minMember(): string {
    return this.tree.head.members[0]
  }

  get minScore(): number {
    return this.tree.head.scores[0]
  }

  get maxMember(): string {
    const tail = this.tree.tail
    return tail.members[tail.members.length - 1]
  }

  get maxScore(): number {
    const tail = this.tree.tail
    return tail.scores[tail.scores.length - 1]
  }

  /** Removes `count` members from rank `start` on; returns how many went. */
  removeRange(start: number, count: number): number {
    if (count <= 0) return 0
    if (start === 0 && count >= this.dict.size) {
      const n = this.dict.size
      this.dict.clear()
      this.tree = new ScoreTree()
      return n
    }
    const members: string[] = []
    const scores: number[] = []
    const cur = this.tree.at(start)
    for (let i = 0; i < count && cur.valid; i++, cur.next()) {
      members.push(cur.member)
      scores.push(cur.score)
    }
    for (let i = 0; i < members.length; i++) {
      this.dict.delete(members[i])
      this.tree.remove(members[i], scores[i])
    }
    return members.length
  }

  /** Members in ascending order (SORT reads sorted sets through this). */
  *members(): IterableIterator<string> {
    for (const cur = this.tree.first(); cur.valid; cur.next()) yield cur.member
  }

  /** [member, score] pairs from rank `from`, ascending, or descending when `reverse`. */
  *entries(from = 0, reverse = false): IterableIterator<[string, number]> {
    const rank = reverse ? this.dict.size - 1 - from : from
    const cur = this.tree.at(rank)
    if (reverse) {
      for (; cur.valid; cur.prev()) yield [cur.member, cur.score]
    } else {
      for (; cur.valid; cur.next()) yield [cur.member, cur.score]
    }
  }

  /** The member → score map, for iteration in insertion order (ZSCAN). Read-only. */
  scoreMap(): Pick<TombstoneMap<number>, 'entries'> {
    return this.dict
  }

  /** ZSCAN's cursors for this sorted set. */
  cursors(): CursorTable<[string, number]> {
    if (this.scans === null) this.scans = new CursorTable(SCAN_CURSORS)
    return this.scans
  }

  /** Depth of the ordered index, for benchmarks: each rank or range lookup descends it once. */
  get treeDepth(): number {
    return this.tree.depth
  }

  /** Structural self-check, for tests. */
  check(): void {
    this.tree.check()
    if (this.tree.size !== this.dict.size) throw new Error(`tree ${this.tree.size} != dict ${this.dict.size}`)
    for (const cur = this.tree.first(); cur.valid; cur.next()) {
      if (this.dict.get(cur.member) !== cur.score) throw new Error(`dict disagrees on ${cur.member}`)
    }
  }
}

/** Whether the pairs are strictly ascending in sorted-set order (so distinct, and no NaN). */
function inOrder(members: string[], scores: number[]): boolean {
  for (let i = 1; i < members.length; i++) {
    const a = scores[i - 1]
    const b = scores[i]
    if (!(a < b || (a === b && members[i - 1] < members[i]))) return false
  }
  return true
}

/**
 * Indexes of distinct (member, score) pairs in sorted-set order: by score, then by
 * member bytes. For results built outside a ZSet (ZUNION, ZINTER, ZDIFF replies).
 */
export function sortedOrder(members: string[], scores: number[]): number[] {
  const n = members.length
  const order = new Array<number>(n)
  for (let i = 0; i < n; i++) order[i] = i
  order.sort((a, b) => {
    const sa = scores[a]
    const sb = scores[b]
    if (sa !== sb) return sa < sb ? -1 : 1
    const ma = members[a]
    const mb = members[b]
    return ma < mb ? -1 : ma > mb ? 1 : 0
  })
  return order
}
