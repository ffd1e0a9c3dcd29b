/**
 * A partial quicksort: sorts `xs` in place so that positions lo..hi (inclusive) hold
 * what a full sort would put there, without sorting the parts outside that window.
 *
 * This is the Bentley–McIlroy quicksort of the BSD C libraries (median of three, or
 * Tukey's ninther above 40 elements; three-way partition gathering equal keys at both
 * ends and swapping them into the middle; insertion sort below 7 elements), which
 * recurses only into partitions overlapping the window. It is not stable: equal
 * elements end up in the order this exact sequence of swaps leaves them, which is why
 * it is reproduced step by step. Redis answers GEOSEARCH ... COUNT with it, and the
 * order of equally distant members is part of the reply.
 */
export function partialSort<T>(xs: T[], cmp: (a: T, b: T) => number, lo: number, hi: number): void {
  sortRange(xs, cmp, 0, xs.length, lo, hi)
}

function swap<T>(xs: T[], i: number, j: number): void {
  const t = xs[i]
  xs[i] = xs[j]
  xs[j] = t
}

function med3<T>(xs: T[], cmp: (a: T, b: T) => number, a: number, b: number, c: number): number {
  return cmp(xs[a], xs[b]) < 0
    ? (cmp(xs[b], xs[c]) < 0 ? b : cmp(xs[a], xs[c]) < 0 ? c : a)
    : (cmp(xs[b], xs[c]) > 0 ? b : cmp(xs[a], xs[c]) < 0 ? a : c)
}

function sortRange<T>(xs: T[], cmp: (a: T, b: T) => number, a: number, n: number, lo: number, hi: number): void {
  for (;;) {
    if (n < 7) {
      for (let m = a + 1; m < a + n; m++) {
        for (let l = m; l > a && cmp(xs[l - 1], xs[l]) > 0; l--) swap(xs, l, l - 1)
      }
      return
    }
    let pm = a + Math.floor(n / 2)
    if (n > 7) {
      let pl = a
      let pn = a + n - 1
      if (n > 40) {
        const d = Math.floor(n / 8)
        pl = med3(xs, cmp, pl, pl + d, pl + 2 * d)
        pm = med3(xs, cmp, pm - d, pm, pm + d)
        pn = med3(xs, cmp, pn - 2 * d, pn - d, pn)
      }
      pm = med3(xs, cmp, pl, pm, pn)
    }
    swap(xs, a, pm)
    let pa = a + 1
    let pb = pa
    let pc = a + n - 1
    let pd = pc
    for (;;) {
      let r: number
      while (pb <= pc && (r = cmp(xs[pb], xs[a])) <= 0) {
        if (r === 0) swap(xs, pa++, pb)
        pb++
      }
      while (pb <= pc && (r = cmp(xs[pc], xs[a])) >= 0) {
        if (r === 0) swap(xs, pc, pd--)
        pc--
      }
      if (pb > pc) break
      swap(xs, pb++, pc--)
    }
    const pn = a + n
    let r = Math.min(pa - a, pb - pa)
    for (let i = 0; i < r; i++) swap(xs, a + i, pb - r + i)
    r = Math.min(pd - pc, pn - pd - 1)
    for (let i = 0; i < r; i++) swap(xs, pb + i, pn - r + i)
    // The elements less than the pivot, then those greater, each if it meets the window.
    r = pb - pa
    if (r > 1 && !(hi < a || lo > a + r - 1)) sortRange(xs, cmp, a, r, lo, hi)
    r = pd - pc
    if (r <= 1) return
    a = pn - r
    n = r
    if (hi < a || lo > a + r - 1) return
  }
}
