#!/usr/bin/env node
// The least a Node server on respite's I/O path can do per request, to measure what
// Node itself costs (bench-floor.mjs). It accepts and reads exactly as respite does
// (fast-io.js: the listening handle's onconnection, reads into one shared buffer with
// no net.Socket), and answers each read at once with one write of +PONG per request
// in it. There is no store, no parser and no command table: a request is counted by
// its '*', which is right for redis-benchmark's GET, SET, INCR and PING_MBULK
// (their keys and values hold no '*'), and for redis-cli's PING.
//
//   node scripts/bench/floor-server.mjs --port P [--build dist]
import net from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { resolveBuild } from './builds.mjs'
import { option } from './servers.mjs'

const dist = resolveBuild(option('build', 'dist'))
const { DirectSocket, FastIo, setInheritedOptions, takeOverAccept } = await import(pathToFileURL(join(dist, 'server', 'fast-io.js')).href)

const STAR = 0x2a
const PONG = Buffer.from('+PONG\r\n')
/** Replies for up to 64 requests in one read; more take a fresh Buffer. */
const PONGS = Buffer.concat(Array(64).fill(PONG))
const readBuffer = new Uint8Array(256 * 1024)

/** One accepted connection: counts requests in each read and answers them. */
class Connection {
  constructor(handle) {
    this.socket = new DirectSocket(handle, readBuffer)
    this.io = FastIo.attach(this.socket, this)
    this.socket.on('error', () => {})
  }

  onRawRead(nread) {
    if (nread <= 0) {
      if (nread < 0) this.socket.destroy()
      return
    }
    let n = 0
    for (let i = 0; i < nread; i++) if (readBuffer[i] === STAR) n++
    if (n === 0) return
    const reply = n <= 64 ? PONGS.subarray(0, n * PONG.length) : Buffer.concat(Array(n).fill(PONG))
    // A queued write keeps its buffer: PONGS is never written to, so it may be shared.
    this.io.write(reply, this)
  }

  onRawWriteDone(_bytes, status) {
    if (status < 0) this.socket.destroy()
  }
}

const listener = net.createServer({ pauseOnConnect: true, noDelay: true })
listener.listen(Number(option('port', '0')), '127.0.0.1', () => {
  if (!takeOverAccept(listener, (status, handle) => status >= 0 && handle !== undefined && new Connection(handle))) {
    console.error('floor-server: direct I/O is not available in this Node')
    process.exit(1)
  }
  // As respite does (its default tcp-keepalive is 300 s): accepted sockets inherit TCP_NODELAY.
  setInheritedOptions(listener, 300)
})

process.on('SIGTERM', () => process.exit(0))
