#!/usr/bin/env node
/**
 * Per-operation cost of the sorted-set structure (dist/store/zset.js, so run
 * `npm run build` first) at 10k, 100k and 1M members:
 *
 *   ZADD           inserting a new member into a set of that size
 *   ZRANGEBYSCORE  finding a random score bound and reading the 10 members after it
 *   ZRANK          the rank of a random member
 *   ZREM           removing a random member (the inserts are then undone this way)
 *   ZSCORE         a random member's score: one Map lookup, O(1), as a baseline
 *
 * `depth` is the number of tree levels a lookup descends (the log n part). At a
 * million members every operation on random members mostly waits on cache misses,
 * even the O(1) hash lookup; compare each column's growth with ZSCORE's.
 *
 * Each figure is the best of several timed rounds of many operations, in ns/op (the
 * best, not the mean, because other processes on the machine only ever add time). With
 * O(log n) operations a 100x larger set should cost a small constant factor more,
 * not 100x. Usage: npm run bench:zset [-- --sizes 10000,100000 --ops 50000]
 * (RESPITE_DIST=/some/outDir points at another build of src/).
 */
import { pathToFileURL } from 'node:url'
import { rng } from './prng.mjs'

const dist = process.env.RESPITE_DIST ? pathToFileURL(process.env.RESPITE_DIST.replace(/\/?$/, '/')) : new URL('../dist/', import.meta.url)
const { ZSet } = await import(new URL('store/zset.js', dist).href)

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const sizes = option('sizes', '10000,100000,1000000').split(',').map(Number)
const ops = Number(option('ops', '100000'))
const ROUNDS = 7


function best(xs) {
  return Math.min(...xs)
}

/** Runs fn(i) for i in [0, n) and returns ns per call. */
function time(n, fn) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) fn(i)
  return Number(process.hrtime.bigint() - start) / n
}

// Scores are integers in a range of about 10 per member, so many members share a
// score and order by member bytes as well, as in a typical leaderboard.
function build(n, random) {
  const z = new ZSet()
  const members = new Array(n)
  for (let i = 0; i < n; i++) {
    members[i] = `member:${i}`
    z.set(members[i], Math.floor(random() * n * 10))
  }
  return { z, members }
}

const rows = []
let sink = 0
for (const n of sizes) {
  const random = rng(n).next
  const { z, members } = build(n, random)
  // Inserting a tenth of n keeps the set near its nominal size while timing ZADD.
  const k = Math.min(ops, n / 10)
  const fresh = Array.from({ length: k }, (_, i) => `fresh:${i}`)
  const freshScores = fresh.map(() => Math.floor(random() * n * 10))
  const probes = Array.from({ length: ops }, () => members[Math.floor(random() * n)])
  const bounds = Array.from({ length: ops }, () => Math.floor(random() * n * 10))
  const results = { zadd: [], zrangebyscore: [], zrank: [], zrem: [], zscore: [] }
  for (let round = 0; round < ROUNDS; round++) {
    results.zadd.push(time(k, (i) => z.set(fresh[i], freshScores[i])))
    results.zrem.push(time(k, (i) => z.delete(fresh[i])))
    results.zrangebyscore.push(time(ops, (i) => {
      const cur = z.at(z.countByScore(bounds[i], false))
      for (let j = 0; j < 10 && cur.valid; j++, cur.next()) sink += cur.member.length
    }))
    results.zrank.push(time(ops, (i) => {
      sink += z.rank(probes[i])
    }))
    results.zscore.push(time(ops, (i) => {
      sink += z.score(probes[i])
    }))
  }
  if (z.size !== n) throw new Error(`size ${z.size} != ${n}`)
  rows.push({ n, depth: z.treeDepth, zadd: best(results.zadd), zrangebyscore: best(results.zrangebyscore), zrank: best(results.zrank), zrem: best(results.zrem), zscore: best(results.zscore) })
}

const fmt = (x) => x.toFixed(0).padStart(8)
console.log(`sorted set, ns/op (best of ${ROUNDS} rounds; ZRANGEBYSCORE reads 10 members)`)
console.log(`${'members'.padStart(9)}  ${'depth'.padStart(5)}  ${'ZADD'.padStart(8)}  ${'ZRANGEBYSCORE'.padStart(13)}  ${'ZRANK'.padStart(8)}  ${'ZREM'.padStart(8)}  ${'ZSCORE'.padStart(8)}`)
for (const r of rows) {
  console.log(`${String(r.n).padStart(9)}  ${String(r.depth).padStart(5)}  ${fmt(r.zadd)}  ${fmt(r.zrangebyscore).padStart(13)}  ${fmt(r.zrank)}  ${fmt(r.zrem)}  ${fmt(r.zscore)}`)
}
if (rows.length > 1) {
  const a = rows[0]
  const b = rows[rows.length - 1]
  const grow = (k) => (b[k] / a[k]).toFixed(1)
  console.log(`\n${b.n / a.n}x the members costs ZADD ${grow('zadd')}x, ZRANGEBYSCORE ${grow('zrangebyscore')}x, ` +
    `ZRANK ${grow('zrank')}x, ZREM ${grow('zrem')}x; the O(1) ZSCORE ${grow('zscore')}x (log2 n grows ${(Math.log2(b.n) / Math.log2(a.n)).toFixed(1)}x)`)
}
if (sink === 0.5) console.log(sink)
