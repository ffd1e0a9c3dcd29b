/**
 * The ordered half of a sorted set: (score, member) pairs in Redis's order, by score
 * and then by member bytes (latin1 strings compare by char code, i.e. byte order).
 *
 * It is a B+tree whose inner nodes keep the size of every subtree, so insert, remove,
 * rank and "element at rank" all cost O(log n). Entries live in leaves of up to 64
 * as two parallel arrays, linked both ways for range walks. That is far denser and
 * more cache-friendly in V8 than a skiplist's node-per-element with level arrays,
 * and a lookup touches ~log64(n) nodes instead of ~2·log2(n).
 *
 * Separators are lower bounds: separator i of an inner node is ≤ every key of child
 * i and > every key of child i-1. Removals may leave a separator that is no longer a
 * key; it stays a valid bound, so nothing needs fixing up the path.
 *
 * The tree does not know which members it holds: ZSet keeps a Map member → score and
 * only asks the tree to insert absent members and remove present ones.
 */

const LEAF_MAX = 64
/** A non-root leaf below this many entries borrows from or merges with a sibling. */
const LEAF_MIN = 16
const INNER_MAX = 64
const INNER_MIN = 16
/** Bulk loading fills nodes to 3/4, leaving room for inserts before the first split. */
const BULK_LEAF = 48
const BULK_INNER = 48

export class Leaf {
  readonly isLeaf = true
  next: Leaf | null = null
  prev: Leaf | null = null
  constructor(
    public members: string[] = [],
    public scores: number[] = [],
  ) {}
}

class Inner {
  readonly isLeaf = false
  constructor(
    public children: TreeNode[],
    /** Entries under each child. */
    public counts: number[],
    /** Lower bound of each child's keys; index 0 is not used for searching. */
    public sepScores: number[],
    public sepMembers: string[],
  ) {}
}

type TreeNode = Leaf | Inner

/** How a bound compares entries when counting the entries before it. */
const enum By {
  /** The exact key (score, member). */
  Key,
  Score,
  Member,
}

/** (s1, m1) < (s2, m2) in sorted-set order. */
function less(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2)
}

/** Whether an entry lies before a bound: the counting predicate, monotone in key order. */
function before(by: By, s: number, m: string, score: number, member: string, orEqual: boolean): boolean {
  switch (by) {
    case By.Key:
      return s < score || (s === score && m < member)
    case By.Score:
      return s < score || (orEqual && s === score)
    default:
      return m < member || (orEqual && m === member)
  }
}

/** A position in the tree for walking entries in either direction. */
export class TreeCursor {
  constructor(
    public leaf: Leaf | null,
    public index: number,
  ) {}

  get valid(): boolean {
    return this.leaf !== null
  }

  get member(): string {
    return this.leaf!.members[this.index]
  }

  get score(): number {
    return this.leaf!.scores[this.index]
  }

  next(): void {
    const leaf = this.leaf!
    if (++this.index >= leaf.members.length) {
      this.leaf = leaf.next
      this.index = 0
    }
  }

  prev(): void {
    if (--this.index < 0) {
      const leaf = this.leaf!.prev
      this.leaf = leaf
      this.index = leaf === null ? 0 : leaf.members.length - 1
    }
  }
}

export class ScoreTree {
  private root: TreeNode = new Leaf()
  size = 0
  /** First and last leaves, for the minimum and maximum (ZPOPMIN, ZPOPMAX). */
  head: Leaf
  tail: Leaf
  /** The descent path of the current insert or remove, reused to avoid allocating. */
  private readonly pathNodes: Inner[] = []
  private readonly pathIndexes: number[] = []

  constructor() {
    this.head = this.tail = this.root as Leaf
  }

  /**
   * A tree holding the given entries, which must already be in order and distinct.
   * O(n), and denser than inserting one by one.
   */
  static fromSorted(members: string[], scores: number[]): ScoreTree {
    const tree = new ScoreTree()
    const n = members.length
    if (n <= LEAF_MAX) {
      const leaf = tree.root as Leaf
      leaf.members = members.slice()
      leaf.scores = scores.slice()
      tree.size = n
      return tree
    }
    let level: TreeNode[] = []
    let counts: number[] = []
    let minScores: number[] = []
    let minMembers: string[] = []
    for (const [from, to] of chunks(n, BULK_LEAF, LEAF_MIN)) {
      const leaf = new Leaf(members.slice(from, to), scores.slice(from, to))
      const last = level[level.length - 1] as Leaf | undefined
      if (last !== undefined) {
        last.next = leaf
        leaf.prev = last
      }
      level.push(leaf)
      counts.push(to - from)
      minScores.push(scores[from])
      minMembers.push(members[from])
    }
    tree.head = level[0] as Leaf
    tree.tail = level[level.length - 1] as Leaf
    while (level.length > 1) {
      const up: TreeNode[] = []
      const upCounts: number[] = []
      const upScores: number[] = []
      const upMembers: string[] = []
      for (const [from, to] of chunks(level.length, BULK_INNER, INNER_MIN)) {
        const node = new Inner(level.slice(from, to), counts.slice(from, to), minScores.slice(from, to), minMembers.slice(from, to))
        let total = 0
        for (let i = from; i < to; i++) total += counts[i]
        up.push(node)
        upCounts.push(total)
        upScores.push(minScores[from])
        upMembers.push(minMembers[from])
      }
      level = up
      counts = upCounts
      minScores = upScores
      minMembers = upMembers
    }
    tree.root = level[0]
    tree.size = n
    return tree
  }

  /** Levels from the root to the leaves (1 for a lone leaf): what one lookup descends. */
  get depth(): number {
    let d = 1
    for (let node = this.root; !node.isLeaf; node = (node as Inner).children[0]) d++
    return d
  }

  /** Inserts an entry whose member is not in the tree. */
  insert(member: string, score: number): void {
    let node = this.root
    let depth = 0
    while (!node.isLeaf) {
      const inner = node as Inner
      const i = childFor(inner, score, member)
      inner.counts[i]++
      this.pathNodes[depth] = inner
      this.pathIndexes[depth] = i
      depth++
      node = inner.children[i]
    }
    const leaf = node as Leaf
    const members = leaf.members
    const scores = leaf.scores
    const pos = lowerBound(leaf, score, member)
    const len = members.length
    // Shift by hand: splice would allocate the (empty) array of removed items.
    members.push(member)
    scores.push(score)
    for (let j = len; j > pos; j--) {
      members[j] = members[j - 1]
      scores[j] = scores[j - 1]
    }
    members[pos] = member
    scores[pos] = score
    this.size++
    if (len + 1 > LEAF_MAX) this.splitLeaf(leaf, depth)
  }

  /** Removes an entry that is in the tree; false (and no change) if it is not. */
  remove(member: string, score: number): boolean {
    let node = this.root
    let depth = 0
    while (!node.isLeaf) {
      const inner = node as Inner
      const i = childFor(inner, score, member)
      this.pathNodes[depth] = inner
      this.pathIndexes[depth] = i
      depth++
      node = inner.children[i]
    }
    const leaf = node as Leaf
    const pos = lowerBound(leaf, score, member)
    const members = leaf.members
    const scores = leaf.scores
    if (pos >= members.length || members[pos] !== member) return false
    for (let d = 0; d < depth; d++) this.pathNodes[d].counts[this.pathIndexes[d]]--
    const last = members.length - 1
    for (let j = pos; j < last; j++) {
      members[j] = members[j + 1]
      scores[j] = scores[j + 1]
    }
    members.pop()
    scores.pop()
    this.size--
    if (depth > 0 && last < LEAF_MIN) this.rebalanceLeaf(leaf, depth)
    return true
  }

  /**
   * Changes an entry's score. When the entry keeps its place inside its leaf (the
   * common small ZINCRBY), the score is rewritten in place without restructuring.
   */
  update(member: string, oldScore: number, newScore: number): void {
    let node = this.root
    while (!node.isLeaf) {
      const inner = node as Inner
      node = inner.children[childFor(inner, oldScore, member)]
    }
    const leaf = node as Leaf
    const pos = lowerBound(leaf, oldScore, member)
    const members = leaf.members
    const scores = leaf.scores
    // Interior slots only: the first key of a leaf bounds a separator above it and
    // the last must stay below the next leaf's separator.
    if (pos > 0 && pos < members.length - 1 && members[pos] === member &&
      less(scores[pos - 1], members[pos - 1], newScore, member) &&
      less(newScore, member, scores[pos + 1], members[pos + 1])) {
      scores[pos] = newScore
      return
    }
    this.remove(member, oldScore)
    this.insert(member, newScore)
  }

  /** 0-based rank of an entry known to be in the tree. */
  rankOf(member: string, score: number): number {
    return this.countBefore(By.Key, score, member, false)
  }

  /** Entries with score < `score`, or ≤ when `orEqual`. */
  countByScore(score: number, orEqual: boolean): number {
    return this.countBefore(By.Score, score, '', orEqual)
  }

  /**
   * Entries with member < `member`, or ≤ when `orEqual`. Meaningful when all scores
   * are equal, as Redis documents for its lex commands; otherwise, like Redis, the
   * answer depends on where the search happens to land.
   */
  countByMember(member: string, orEqual: boolean): number {
    return this.countBefore(By.Member, 0, member, orEqual)
  }

  private countBefore(by: By, score: number, member: string, orEqual: boolean): number {
    let node = this.root
    let acc = 0
    // Entries under `node`, so a child's offset can be summed from whichever end is nearer.
    let total = this.size
    while (!node.isLeaf) {
      const inner = node as Inner
      const ss = inner.sepScores
      const sm = inner.sepMembers
      // The last child whose lower bound still lies before the bound.
      let lo = 1
      let hi = inner.children.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (before(by, ss[mid], sm[mid], score, member, orEqual)) lo = mid + 1
        else hi = mid
      }
      const i = lo - 1
      acc += offsetOf(inner.counts, i, total)
      total = inner.counts[i]
      node = inner.children[i]
    }
    const leaf = node as Leaf
    const ls = leaf.scores
    const lm = leaf.members
    let lo = 0
    let hi = lm.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (before(by, ls[mid], lm[mid], score, member, orEqual)) lo = mid + 1
      else hi = mid
    }
    return acc + lo
  }

  /** A cursor on the entry at `rank` (0-based); invalid when rank is out of range. */
  at(rank: number): TreeCursor {
    if (rank < 0 || rank >= this.size) return new TreeCursor(null, 0)
    if (rank === 0) return new TreeCursor(this.head, 0)
    let node = this.root
    while (!node.isLeaf) {
      const inner = node as Inner
      const counts = inner.counts
      let i = 0
      while (rank >= counts[i]) rank -= counts[i++]
      node = inner.children[i]
    }
    return new TreeCursor(node as Leaf, rank)
  }

  first(): TreeCursor {
    return new TreeCursor(this.size === 0 ? null : this.head, 0)
  }

  last(): TreeCursor {
    const tail = this.tail
    return new TreeCursor(this.size === 0 ? null : tail, tail.members.length - 1)
  }

  private splitLeaf(leaf: Leaf, depth: number): void {
    const half = leaf.members.length >> 1
    const right = new Leaf(leaf.members.slice(half), leaf.scores.slice(half))
    leaf.members.length = half
    leaf.scores.length = half
    right.next = leaf.next
    right.prev = leaf
    if (leaf.next !== null) leaf.next.prev = right
    else this.tail = right
    leaf.next = right
    this.addSibling(leaf, half, right, right.members.length, right.scores[0], right.members[0], depth)
  }

  /**
   * Puts `right` after `left` (the node at `depth` on the current path) in their
   * parent, splitting upwards as needed; a split root grows the tree by a level.
   */
  private addSibling(left: TreeNode, leftCount: number, right: TreeNode, rightCount: number,
    sepScore: number, sepMember: string, depth: number): void {
    if (depth === 0) {
      this.root = new Inner([left, right], [leftCount, rightCount], [0, sepScore], ['', sepMember])
      return
    }
    const parent = this.pathNodes[depth - 1]
    const i = this.pathIndexes[depth - 1]
    parent.children.splice(i + 1, 0, right)
    parent.counts.splice(i + 1, 0, rightCount)
    parent.sepScores.splice(i + 1, 0, sepScore)
    parent.sepMembers.splice(i + 1, 0, sepMember)
    parent.counts[i] = leftCount
    if (parent.children.length > INNER_MAX) this.splitInner(parent, depth - 1)
  }

  private splitInner(node: Inner, depth: number): void {
    const half = node.children.length >> 1
    const right = new Inner(node.children.slice(half), node.counts.slice(half),
      node.sepScores.slice(half), node.sepMembers.slice(half))
    node.children.length = half
    node.counts.length = half
    node.sepScores.length = half
    node.sepMembers.length = half
    this.addSibling(node, sum(node.counts), right, sum(right.counts), right.sepScores[0], right.sepMembers[0], depth)
  }

  /** The leaf at `depth` has too few entries: borrow from or merge with a sibling. */
  private rebalanceLeaf(leaf: Leaf, depth: number): void {
    const parent = this.pathNodes[depth - 1]
    const i = this.pathIndexes[depth - 1]
    // Work on the pair (j-1, j): the leaf and its right sibling, or its left one.
    const j = i + 1 < parent.children.length ? i + 1 : i
    const left = parent.children[j - 1] as Leaf
    const right = parent.children[j] as Leaf
    const total = left.members.length + right.members.length
    if (total <= LEAF_MAX) {
      for (let k = 0; k < right.members.length; k++) {
        left.members.push(right.members[k])
        left.scores.push(right.scores[k])
      }
      left.next = right.next
      if (right.next !== null) right.next.prev = left
      else this.tail = left
      parent.counts[j - 1] = total
      removeChild(parent, j)
      this.afterChildRemoved(parent, depth - 1)
      return
    }
    const target = total >> 1
    if (left.members.length < target) {
      const k = target - left.members.length
      for (let x = 0; x < k; x++) {
        left.members.push(right.members[x])
        left.scores.push(right.scores[x])
      }
      right.members.splice(0, k)
      right.scores.splice(0, k)
    } else {
      const k = left.members.length - target
      right.members.unshift(...left.members.splice(target, k))
      right.scores.unshift(...left.scores.splice(target, k))
    }
    parent.counts[j - 1] = left.members.length
    parent.counts[j] = right.members.length
    parent.sepScores[j] = right.scores[0]
    parent.sepMembers[j] = right.members[0]
  }

  /** After `node` (at `depth`) lost a child: shrink the root or rebalance upwards. */
  private afterChildRemoved(node: Inner, depth: number): void {
    if (depth === 0) {
      if (node.children.length === 1) this.root = node.children[0]
      return
    }
    if (node.children.length >= INNER_MIN) return
    const parent = this.pathNodes[depth - 1]
    const i = this.pathIndexes[depth - 1]
    const j = i + 1 < parent.children.length ? i + 1 : i
    const left = parent.children[j - 1] as Inner
    const right = parent.children[j] as Inner
    // The parent's separator bounds right's first child; it moves down with it.
    right.sepScores[0] = parent.sepScores[j]
    right.sepMembers[0] = parent.sepMembers[j]
    const total = left.children.length + right.children.length
    if (total <= INNER_MAX) {
      left.children.push(...right.children)
      left.counts.push(...right.counts)
      left.sepScores.push(...right.sepScores)
      left.sepMembers.push(...right.sepMembers)
      parent.counts[j - 1] += parent.counts[j]
      removeChild(parent, j)
      this.afterChildRemoved(parent, depth - 1)
      return
    }
    const target = total >> 1
    if (left.children.length < target) {
      const k = target - left.children.length
      left.children.push(...right.children.splice(0, k))
      left.counts.push(...right.counts.splice(0, k))
      left.sepScores.push(...right.sepScores.splice(0, k))
      left.sepMembers.push(...right.sepMembers.splice(0, k))
    } else {
      const k = left.children.length - target
      right.children.unshift(...left.children.splice(target, k))
      right.counts.unshift(...left.counts.splice(target, k))
      right.sepScores.unshift(...left.sepScores.splice(target, k))
      right.sepMembers.unshift(...left.sepMembers.splice(target, k))
    }
    parent.counts[j - 1] = sum(left.counts)
    parent.counts[j] = sum(right.counts)
    parent.sepScores[j] = right.sepScores[0]
    parent.sepMembers[j] = right.sepMembers[0]
  }

  /** Checks every structural invariant; for tests. Throws on the first violation. */
  check(): void {
    const leaves: Leaf[] = []
    const walk = (node: TreeNode, isRoot: boolean, lowS: number | null, lowM: string): number => {
      if (node.isLeaf) {
        const leaf = node as Leaf
        if (!isRoot && leaf.members.length < LEAF_MIN - 1) throw new Error(`leaf underflow ${leaf.members.length}`)
        if (leaf.members.length > LEAF_MAX) throw new Error('leaf overflow')
        for (let k = 0; k < leaf.members.length; k++) {
          if (k > 0 && !less(leaf.scores[k - 1], leaf.members[k - 1], leaf.scores[k], leaf.members[k])) throw new Error('leaf order')
          if (lowS !== null && less(leaf.scores[k], leaf.members[k], lowS, lowM)) throw new Error('separator above a key')
        }
        leaves.push(leaf)
        return leaf.members.length
      }
      const inner = node as Inner
      const n = inner.children.length
      if (inner.counts.length !== n || inner.sepScores.length !== n || inner.sepMembers.length !== n) throw new Error('inner arrays')
      if (n > INNER_MAX || (isRoot ? n < 2 : n < INNER_MIN - 1)) throw new Error(`inner fanout ${n}`)
      let total = 0
      for (let k = 0; k < n; k++) {
        const c = walk(inner.children[k], false, k === 0 ? lowS : inner.sepScores[k], k === 0 ? lowM : inner.sepMembers[k])
        if (c !== inner.counts[k]) throw new Error(`count ${inner.counts[k]} != ${c}`)
        total += c
        if (k > 0) {
          const prev = inner.children[k - 1]
          const maxLeaf = lastLeaf(prev)
          const m = maxLeaf.members.length - 1
          if (!less(maxLeaf.scores[m], maxLeaf.members[m], inner.sepScores[k], inner.sepMembers[k])) throw new Error('separator not above left keys')
        }
      }
      return total
    }
    const total = walk(this.root, true, null, '')
    if (total !== this.size) throw new Error(`size ${this.size} != ${total}`)
    if (leaves[0] !== this.head || leaves[leaves.length - 1] !== this.tail) throw new Error('head/tail')
    for (let k = 0; k < leaves.length; k++) {
      if (leaves[k].prev !== (leaves[k - 1] ?? null) || leaves[k].next !== (leaves[k + 1] ?? null)) throw new Error('leaf links')
    }
  }
}

/** Index of the child whose key range holds (score, member). */
function childFor(inner: Inner, score: number, member: string): number {
  const ss = inner.sepScores
  const sm = inner.sepMembers
  let lo = 1
  let hi = inner.children.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (less(score, member, ss[mid], sm[mid])) hi = mid
    else lo = mid + 1
  }
  return lo - 1
}

/** First slot of the leaf whose key is not less than (score, member). */
function lowerBound(leaf: Leaf, score: number, member: string): number {
  const ls = leaf.scores
  const lm = leaf.members
  let lo = 0
  let hi = lm.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (less(ls[mid], lm[mid], score, member)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Entries in the children before child i, summed from the nearer end of `counts`. */
function offsetOf(counts: number[], i: number, total: number): number {
  const n = counts.length
  let acc = 0
  if (i <= n >> 1) {
    for (let k = 0; k < i; k++) acc += counts[k]
    return acc
  }
  for (let k = i; k < n; k++) acc += counts[k]
  return total - acc
}

function removeChild(node: Inner, i: number): void {
  node.children.splice(i, 1)
  node.counts.splice(i, 1)
  node.sepScores.splice(i, 1)
  node.sepMembers.splice(i, 1)
}

function sum(xs: number[]): number {
  let t = 0
  for (let i = 0; i < xs.length; i++) t += xs[i]
  return t
}

function lastLeaf(node: TreeNode): Leaf {
  while (!node.isLeaf) {
    const inner = node as Inner
    node = inner.children[inner.children.length - 1]
  }
  return node as Leaf
}

/** [from, to) slices of n items in groups of `size`, the last one no smaller than `min`. */
function chunks(n: number, size: number, min: number): [number, number][] {
  const out: [number, number][] = []
  for (let from = 0; from < n; from += size) out.push([from, Math.min(n, from + size)])
  const last = out[out.length - 1]
  if (out.length > 1 && last[1] - last[0] < min) {
    // Share the last two groups evenly instead.
    const prev = out[out.length - 2]
    const mid = prev[0] + ((last[1] - prev[0]) >> 1)
    prev[1] = mid
    last[0] = mid
  }
  return out
}
