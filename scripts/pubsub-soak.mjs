#!/usr/bin/env node
// Soak for client-output-buffer-limit: floods a channel for a while with, each second,
// a fresh subscriber that never reads and one that does, against respite's CLI. The
// stalled ones must be dropped and the server's RSS must level off; it prints RSS and
// subscriber counts per second. The CI test (test/pubsub/output-limits.test.ts) is the
// short version.
//
//   npm run build && node scripts/pubsub-soak.mjs [--seconds 60] [--limit "pubsub 1mb 256kb 1"]
import net from 'node:net'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { REPO } from './bench/builds.mjs'
import { encodeCommand } from './bench/pubsub.mjs'
import { cli, rssBytes, startRespite } from './bench/servers.mjs'

const { values: opts } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, limit: { type: 'string', default: 'pubsub 1mb 256kb 1' } } })
const server = await startRespite({ cliPath: join(REPO, 'dist', 'cli.js') })
const sockets = []
function subscriber(reads) {
  const s = net.connect(server.port, '127.0.0.1')
  s.on('error', () => {})
  s.on('data', () => {})
  s.write(encodeCommand(['SUBSCRIBE', 'soak']))
  if (!reads) setTimeout(() => s.pause(), 50)
  sockets.push(s)
}
try {
  cli(server.port, ['CONFIG', 'SET', 'client-output-buffer-limit', opts.limit])
  const pub = net.connect(server.port, '127.0.0.1')
  await new Promise((r) => pub.once('connect', r))
  let replies = 0
  pub.on('data', (d) => { for (const b of d) if (b === 10) replies++ })
  const batch = encodeCommand(['PUBLISH', 'soak', 'm'.repeat(1000)]).repeat(100)
  const end = Date.now() + Number(opts.seconds) * 1000
  let next = Date.now()
  let sent = 0
  while (Date.now() < end) {
    if (Date.now() >= next) {
      subscriber(false)
      subscriber(true)
      const numsub = cli(server.port, ['PUBSUB', 'NUMSUB', 'soak']).split('\n')[1]
      console.log(`${new Date().toISOString()} rss ${(rssBytes(server.pid) / 2 ** 20).toFixed(1)} MiB, subscribers ${numsub} of ${sockets.length} opened, ${replies} of ${sent} PUBLISH answered`)
      next += 1000
    }
    pub.write(batch)
    sent += 100
    // Stay within a few batches of the replies: the publisher itself must be served.
    while (sent - replies > 1000) await new Promise((r) => setTimeout(r, 1))
  }
  pub.destroy()
} finally {
  for (const s of sockets) s.destroy()
  await server.stop()
}
