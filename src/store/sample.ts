/**
 * `count` distinct indexes below `size`, in random order (SRANDMEMBER, SPOP,
 * ZRANDMEMBER with a count). Like Redis, a large share is taken by a partial shuffle,
 * a small one by drawing until distinct, so neither case costs more than it must.
 */
export function distinctIndexes(size: number, count: number): number[] {
  if (count * 3 > size) {
    const all = new Array<number>(size)
    for (let i = 0; i < size; i++) all[i] = i
    const n = Math.min(count, size)
    for (let i = 0; i < n; i++) {
      const k = i + Math.floor(Math.random() * (size - i))
      const t = all[i]
      all[i] = all[k]
      all[k] = t
    }
    all.length = n
    return all
  }
  const picked = new Set<number>()
  while (picked.size < count) picked.add(Math.floor(Math.random() * size))
  return [...picked]
}
