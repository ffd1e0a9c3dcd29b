// Runs redis-benchmark for one test against one server and parses its full report.
import { spawn } from 'node:child_process'

/**
 * What redis-benchmark sends for each `-t` test, as one probe we can send ourselves
 * on a private key, to tell a missing command ('n/a') from a slow one.
 */
export const PROBES = {
  set: ['SET', 'bench:probe:string', 'x'],
  get: ['GET', 'bench:probe:string'],
  incr: ['INCR', 'bench:probe:counter'],
  lpush: ['LPUSH', 'bench:probe:list', 'x'],
  rpush: ['RPUSH', 'bench:probe:list', 'x'],
  lpop: ['LPOP', 'bench:probe:list'],
  rpop: ['RPOP', 'bench:probe:list'],
  sadd: ['SADD', 'bench:probe:set', 'x'],
  hset: ['HSET', 'bench:probe:hash', 'f', 'x'],
  zadd: ['ZADD', 'bench:probe:zset', '0', 'x'],
  spop: ['SPOP', 'bench:probe:set'],
  zpopmin: ['ZPOPMIN', 'bench:probe:zset'],
  lrange_100: ['LRANGE', 'bench:probe:list', '0', '99'],
  lrange_300: ['LRANGE', 'bench:probe:list', '0', '299'],
  lrange_500: ['LRANGE', 'bench:probe:list', '0', '499'],
  lrange_600: ['LRANGE', 'bench:probe:list', '0', '599'],
  mset: ['MSET', 'bench:probe:string', 'x'],
  ping_mbulk: ['PING'],
  setbit: ['SETBIT', 'bench:probe:bitmap', '7', '1'],
  bitcount: ['BITCOUNT', 'bench:probe:bitmap'],
}

/**
 * Runs `redis-benchmark -t <test>` with the given shape. Resolves to the figures of
 * its summary: rps, and avg/min/p50/p95/p99/max latency in milliseconds.
 * `keepalive: false` is `-k 0`: a new connection for every request.
 */
export function runBenchmark({ port, test, clients, pipeline, requests, dataSize, keyspace, keepalive = true, command }) {
  const args = ['-h', '127.0.0.1', '-p', String(port), ...(command ? [] : ['-t', test]), '-c', String(clients), '-P', String(pipeline), '-n', String(requests), '--precision', '3']
  if (dataSize !== undefined) args.push('-d', String(dataSize))
  if (keyspace !== undefined) args.push('-r', String(keyspace))
  if (!keepalive) args.push('-k', '0')
  // A custom command (an array of arguments) instead of a -t test.
  if (command) args.push(...command)
  return new Promise((resolve, reject) => {
    const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const out = []
    const err = []
    child.stdout.on('data', (d) => out.push(d))
    child.stderr.on('data', (d) => err.push(d))
    child.once('error', reject)
    child.once('close', (code) => {
      const text = Buffer.concat(out).toString('latin1')
      const figures = parseReport(text)
      if (code !== 0 || figures === null) {
        reject(new Error(`redis-benchmark ${args.join(' ')} failed (code ${code}): ${Buffer.concat(err).toString('latin1').slice(0, 400)}${text.slice(-400)}`))
        return
      }
      resolve(figures)
    })
  })
}

/**
 * The "Summary:" block of a full (non --csv, non -q) redis-benchmark report:
 *   throughput summary: 123.45 requests per second
 *   latency summary (msec):
 *           avg       min       p50       p95       p99       max
 *         0.123     0.045     0.111     0.200     0.300     1.234
 */
export function parseReport(text) {
  const rps = /throughput summary:\s*([\d.]+) requests per second/.exec(text)
  const lat = /latency summary \(msec\):\s*\n\s*avg\s+min\s+p50\s+p95\s+p99\s+max\s*\n\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(text)
  if (rps === null || lat === null) return null
  const [avg, min, p50, p95, p99, max] = lat.slice(1).map(Number)
  return { rps: Number(rps[1]), avg, min, p50, p95, p99, max }
}
