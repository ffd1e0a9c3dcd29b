#!/usr/bin/env node
// A key, field or member deleted and created again over and over in a big map: the
// workload that V8's Map made slower with every run (its deleted entries stay in the
// bucket chain until a rehash; see src/store/tombstone-map.ts), and that a queue
// script, a lock or client tracking produces. respite and redis-server side by side:
// `--keys` keys (or fields, members) first, then --runs consecutive redis-benchmark
// runs of one EVAL per case, whose req/s must not fall from run to run.
//
//   npm run build && node scripts/bench-churn.mjs [--keys 50000] [--runs 4] [--requests 20000] [--build dist]
import { join } from 'node:path'
import { resolveBuild } from './bench/builds.mjs'
import { runBenchmark } from './bench/redis-benchmark.mjs'
import { option, startRedis, startRespite } from './bench/servers.mjs'

const KEYS = Number(option('keys', '50000'))
const RUNS = Number(option('runs', '4'))
const REQUESTS = Number(option('requests', '20000'))
const cliPath = join(resolveBuild(option('build', 'dist')), 'cli.js')

/** Each case: what fills the map first (one EVAL), and the EVAL that churns one entry. */
const CASES = [
  {
    name: 'keyspace: a list emptied and refilled',
    fill: `for i = 1, ${KEYS} do redis.call('SET', 'k' .. i, i) end`,
    churn: `redis.call('LPUSH', KEYS[1], 'x') redis.call('LPOP', KEYS[1]) return redis.call('EXISTS', KEYS[1])`,
  },
  {
    name: 'hash field',
    fill: `for i = 1, ${KEYS} do redis.call('HSET', 'big', 'f' .. i, i) end`,
    churn: `redis.call('HSET', 'big', 'hot', 1) redis.call('HDEL', 'big', 'hot') return redis.call('HEXISTS', 'big', 'hot')`,
  },
  {
    name: 'set member',
    fill: `for i = 1, ${KEYS} do redis.call('SADD', 'bigset', 'm' .. i) end`,
    churn: `redis.call('SADD', 'bigset', 'hot') redis.call('SREM', 'bigset', 'hot') return redis.call('SISMEMBER', 'bigset', 'hot')`,
  },
  {
    name: 'sorted set member',
    fill: `for i = 1, ${KEYS} do redis.call('ZADD', 'bigz', i, 'm' .. i) end`,
    churn: `redis.call('ZADD', 'bigz', 1, 'hot') redis.call('ZREM', 'bigz', 'hot') return redis.call('ZSCORE', 'bigz', 'hot')`,
  },
]

const servers = [await startRespite({ cliPath }), await startRedis()]
try {
  console.log(`${KEYS} entries per map, ${RUNS} runs of ${REQUESTS} EVALs (-c 10), req/s per run`)
  for (const c of CASES) {
    for (const s of servers) {
      await runBenchmark({ port: s.port, clients: 1, pipeline: 1, requests: 1, command: ['EVAL', c.fill, '0'] })
      const rates = []
      for (let i = 0; i < RUNS; i++) {
        const f = await runBenchmark({ port: s.port, clients: 10, pipeline: 1, requests: REQUESTS, command: ['EVAL', c.churn, '1', 'q'] })
        rates.push(Math.round(f.rps))
      }
      console.log(`${c.name.padEnd(38)} ${s.name.padEnd(8)} ${rates.map((r) => String(r).padStart(7)).join(' ')}`)
    }
  }
} finally {
  for (const s of servers) await s.stop()
}
