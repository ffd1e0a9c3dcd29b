#!/usr/bin/env node
// Codec micro-benchmark: requests decoded and replies encoded per second by the RESP
// codec (src/resp/decoder.ts and writer.ts), in-process, no sockets.
//
//   npm run build && npm run bench:codec                      the current build (dist/)
//   npm run bench:codec -- --baseline HEAD~3                  before/after in one run
//   npm run bench:codec -- --baseline /tmp/old/dist --write   and record it in docs/benchmark.md
//
// --baseline takes a built directory or a git ref (compiled into a temp directory);
// the builds then alternate (A B A B...) and each figure is the median of --samples
// runs of --ms milliseconds. --build picks the "after" build (default dist).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { REPO, resolveBuild } from './bench/builds.mjs'
import { median } from './bench/report.mjs'
import { machineLine } from './bench/servers.mjs'

const { values: opts } = parseArgs({
  options: {
    build: { type: 'string', default: 'dist' },
    baseline: { type: 'string' },
    samples: { type: 'string', default: '5' },
    ms: { type: 'string', default: '300' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
})
const samples = opts.quick ? 1 : Number(opts.samples)
const sampleMs = opts.quick ? 100 : Number(opts.ms)

async function loadCodec(dir) {
  const [decoder, writer] = await Promise.all([
    import(pathToFileURL(join(dir, 'resp', 'decoder.js')).href),
    import(pathToFileURL(join(dir, 'resp', 'writer.js')).href),
  ])
  return { RequestDecoder: decoder.RequestDecoder, ReplyWriter: writer.ReplyWriter }
}

function resp(...args) {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')
}

/** A read of `batch` requests, as one chunk in a reused buffer (like the server's). */
function requests(make, batch) {
  let text = ''
  for (let i = 0; i < batch; i++) text += make(i)
  return Buffer.from(text, 'latin1')
}

const key = (i) => 'key:' + String((i * 7919) % 1_000_000).padStart(12, '0')
const big = 'x'.repeat(1024)

/** Decode cases: `chunk` holds `count` requests. */
const DECODE = [
  { name: 'SET 16-byte key, 3-byte value (x16 per read)', count: 16, chunk: requests(() => resp('SET', 'key:__rand_int__', 'xxx'), 16) },
  { name: 'GET, distinct keys (x16 per read)', count: 16, chunk: requests((i) => resp('GET', key(i)), 16) },
  { name: 'SET 1 KiB value, distinct keys (x16 per read)', count: 16, chunk: requests((i) => resp('SET', key(i), big), 16) },
  { name: 'MSET 10 pairs (x4 per read)', count: 4, chunk: requests((i) => resp('MSET', ...Array.from({ length: 20 }, (_, j) => (j % 2 ? 'v' + j : key(i * 10 + j)))), 4) },
  { name: 'GET, one request per read', count: 1, chunk: requests(() => resp('GET', 'key:__rand_int__'), 1) },
  { name: 'inline PING (x16 per read)', count: 16, chunk: requests(() => 'PING\r\n', 16) },
]

/** Encode cases: each call writes one reply. */
const ENCODE = [
  { name: '+OK', run: (w) => w.simple('OK') },
  { name: 'bulk, 3 bytes', run: (w) => w.bulk('xxx') },
  { name: 'bulk, 1 KiB', run: (w) => w.bulk(big) },
  { name: 'integer 1234567', run: (w) => w.integer(1234567) },
  { name: 'null bulk (RESP2)', run: (w) => w.nullBulk() },
  { name: 'array of 10 bulks (MGET)', run: (w) => { w.array(10); for (let i = 0; i < 10; i++) w.bulk('value-' + (i & 3)) } },
]

function decodeRate(codec, c) {
  const decoder = new codec.RequestDecoder({ maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 })
  const shared = Buffer.alloc(Math.max(65536, c.chunk.length))
  c.chunk.copy(shared)
  const deadline = performance.now() + sampleMs
  let n = 0
  let t = performance.now()
  const start = t
  while (t < deadline) {
    for (let r = 0; r < 64; r++) {
      decoder.feed(shared, c.chunk.length)
      let got = 0
      while (decoder.next() !== undefined) got++
      decoder.release()
      if (got !== c.count) throw new Error(`${c.name}: decoded ${got} of ${c.count}`)
      n += got
    }
    t = performance.now()
  }
  return (n / (t - start)) * 1000
}

function encodeRate(codec, c) {
  const w = new codec.ReplyWriter()
  const deadline = performance.now() + sampleMs
  let n = 0
  let t = performance.now()
  const start = t
  while (t < deadline) {
    for (let r = 0; r < 256; r++) {
      for (let k = 0; k < 16; k++) c.run(w)
      n += 16
      w.take()
      w.reuse()
    }
    t = performance.now()
  }
  return (n / (t - start)) * 1000
}

async function main() {
  const builds = [{ name: 'after', dir: resolveBuild(opts.build) }]
  if (opts.baseline) builds.push({ name: 'before', dir: resolveBuild(opts.baseline) })
  for (const b of builds) b.codec = await loadCodec(b.dir)
  const rows = []
  for (const [kind, cases, rate] of [['decode', DECODE, decodeRate], ['encode', ENCODE, encodeRate]]) {
    for (const c of cases) {
      const runs = Object.fromEntries(builds.map((b) => [b.name, []]))
      // Warm up every build so the JIT has settled before the measured samples.
      for (const b of builds) rate(b.codec, c)
      for (let s = 0; s < samples; s++) {
        const order = s % 2 === 0 ? builds : [...builds].reverse()
        for (const b of order) runs[b.name].push(rate(b.codec, c))
      }
      rows.push({ kind, name: c.name, after: median(runs.after), before: runs.before ? median(runs.before) : NaN })
      process.stderr.write(`${kind} ${c.name}: ${builds.map((b) => `${b.name} ${fmt(median(runs[b.name]))}/s`).join(', ')}\n`)
    }
  }
  const table = codecTable(rows, builds.length > 1)
  const machine = machineLine().split(';')[0]
  console.log(`\n${machine}\n\n${table}`)
  if (opts.write) {
    const path = join(REPO, 'docs', 'benchmark.md')
    const section = `## Codec micro-benchmark\n\n\`npm run bench:codec${opts.baseline ? ` -- --baseline ${opts.baseline}` : ''}\` (${samples} samples of ${sampleMs} ms, medians; ${machine}). Operations per second on one core, in-process.\n\n${table}`
    let text = ''
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      text = '# Benchmark: respite vs Redis 7.0.15\n'
    }
    writeFileSync(path, replaceBlock(text, section))
    process.stderr.write('updated the codec section of docs/benchmark.md\n')
  }
}

// bench.mjs keeps this block when it rewrites the report.
const CODEC_START = '<!-- codec:start -->'
const CODEC_END = '<!-- codec:end -->'

function replaceBlock(text, md) {
  const a = text.indexOf(CODEC_START)
  const b = text.indexOf(CODEC_END)
  const block = `${CODEC_START}\n${md}\n${CODEC_END}`
  if (a < 0 || b < a) return text.trimEnd() + '\n\n' + block + '\n'
  return text.slice(0, a) + block + text.slice(b + CODEC_END.length)
}

function fmt(n) {
  return Number.isFinite(n) ? (n >= 1e6 ? (n / 1e6).toFixed(2) + 'M' : (n / 1e3).toFixed(0) + 'k') : 'n/a'
}

function codecTable(rows, compare) {
  const head = compare ? '| Codec | Case | before ops/s | after ops/s | after/before |\n| --- | --- | ---: | ---: | ---: |' : '| Codec | Case | ops/s |\n| --- | --- | ---: |'
  const lines = rows.map((r) =>
    compare ? `| ${r.kind} | ${r.name} | ${fmt(r.before)} | ${fmt(r.after)} | ${(r.after / r.before).toFixed(2)}× |` : `| ${r.kind} | ${r.name} | ${fmt(r.after)} |`,
  )
  return [head, ...lines].join('\n')
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
