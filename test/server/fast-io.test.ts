import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { RawClient, resp } from '../helpers/raw.js'
import { startWithIo } from '../helpers/servers.js'

/**
 * The connection's I/O paths: direct handle reads and writes (server/fast-io.ts) and
 * the regular socket streams it falls back to. Both must deliver every reply in
 * order, push back on a client that does not read, and close cleanly.
 */

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Reads from a paused socket only when asked, counting bytes. */
function slowReader(port: number): Promise<{ socket: net.Socket; bytes: () => number; received: () => Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let bytes = 0
    const socket = net.connect(port, '127.0.0.1', () => resolve({ socket, bytes: () => bytes, received: () => Buffer.concat(chunks) }))
    socket.on('data', (d) => {
      chunks.push(d)
      bytes += d.length
    })
    socket.on('error', reject)
  })
}

describe.each([
  ['direct handle I/O', true],
  ['socket streams', false],
])('connection I/O with %s', (_name, fastIo) => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startWithIo(fastIo)
  })
  afterAll(() => server.close())

  it('GET replies that outgrow the socket buffers reach a stalled reader in order, while others are served', async () => {
    const value = 'v'.repeat(256 * 1024)
    const setup = await RawClient.connect(server.port)
    expect(await setup.roundTrip(resp('SET', 'big', value), 5)).toBe('+OK\r\n')
    const count = 200
    const reader = await slowReader(server.port)
    reader.socket.pause()
    let pipeline = ''
    for (let i = 0; i < count; i++) pipeline += resp('GET', 'big') + resp('ECHO', String(i))
    reader.socket.write(pipeline)
    await delay(200)
    // ~50 MB of replies are pending on a client that reads nothing; others still get answers.
    expect(await setup.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
    reader.socket.resume()
    const one = `$${value.length}\r\n${value}\r\n`
    let expected = 0
    for (let i = 0; i < count; i++) expected += one.length + `$${String(i).length}\r\n${i}\r\n`.length
    for (let i = 0; i < 400 && reader.bytes() < expected; i++) await delay(25)
    const got = reader.received().toString('latin1')
    expect(got.length).toBe(expected)
    let at = 0
    for (let i = 0; i < count; i++) {
      expect(got.startsWith(one, at)).toBe(true)
      at += one.length
      const echo = `$${String(i).length}\r\n${i}\r\n`
      expect(got.slice(at, at + echo.length)).toBe(echo)
      at += echo.length
    }
    reader.socket.destroy()
    setup.close()
  })

  it('big pipelined replies to many clients at once arrive whole and in order, the first 64 KiB of each going out before the rest of any', async () => {
    const { ConnectionOutput } = await import('../../src/server/connection-output.js')
    const sendHead = vi.spyOn(ConnectionOutput.prototype, 'sendHead')
    try {
      const value = Buffer.alloc(100 * 1024)
      for (let i = 0; i < value.length; i++) value[i] = 0x61 + ((i * 7) % 26)
      const setup = await RawClient.connect(server.port)
      expect(await setup.roundTrip(resp('SET', 'big', value.toString('latin1')), 5)).toBe('+OK\r\n')
      const one = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')])
      const clients = await Promise.all(Array.from({ length: 12 }, () => slowReader(server.port)))
      // Rounds of a pipeline from every client at once: the server serves several sockets
      // per turn (write-batch.ts), then writes their replies in flushEach.
      for (let round = 0; round < 8; round++) {
        const before = clients.map((c) => c.bytes())
        const expected = clients.map((_, i) => Buffer.concat([one, Buffer.from(`$${`${round}:${i}`.length}\r\n${round}:${i}\r\n`), one]))
        clients.forEach((c, i) => c.socket.write(resp('GET', 'big') + resp('ECHO', `${round}:${i}`) + resp('GET', 'big')))
        for (let i = 0; i < 400 && clients.some((c, j) => c.bytes() - before[j] < expected[j].length); i++) await delay(5)
        // Buffer#equals: a deep toEqual of 200 KB takes seconds.
        expect(clients.map((c, i) => c.received().subarray(before[i]).equals(expected[i]))).toEqual(clients.map(() => true))
      }
      if (fastIo) expect(sendHead.mock.results.some((r) => r.value === true)).toBe(true)
      for (const c of clients) c.socket.destroy()
      setup.close()
    } finally {
      sendHead.mockRestore()
    }
  })

  it('answers a pipeline sent with a half-close, then closes', async () => {
    const got = await new Promise<string>((resolve) => {
      let out = ''
      const s = net.connect(server.port, '127.0.0.1', () => s.end(resp('SET', 'k', 'v') + resp('GET', 'k') + 'PING\r\n'))
      s.on('data', (d) => (out += d.toString('latin1')))
      s.on('close', () => resolve(out))
      s.on('error', () => resolve(out))
    })
    expect(got).toBe('+OK\r\n$1\r\nv\r\n+PONG\r\n')
  })

  it('QUIT delivers the earlier pipelined replies, then +OK, then closes', async () => {
    const c = await RawClient.connect(server.port)
    c.write(resp('ECHO', 'a') + resp('QUIT') + resp('ECHO', 'never'))
    const got = await c.read(100, 1000)
    expect(got).toBe('$1\r\na\r\n+OK\r\n')
    expect(c.closed).toBe(true)
  })

  it('survives a client that vanishes with replies queued', async () => {
    const value = 'w'.repeat(512 * 1024)
    const setup = await RawClient.connect(server.port)
    expect(await setup.roundTrip(resp('SET', 'big2', value), 5)).toBe('+OK\r\n')
    for (let round = 0; round < 5; round++) {
      const r = await slowReader(server.port)
      r.socket.pause()
      r.socket.write(resp('GET', 'big2').repeat(50))
      await delay(20)
      r.socket.destroy()
    }
    expect(await setup.roundTrip(resp('GET', 'k'), 7)).toBe('$1\r\nv\r\n')
    setup.close()
  })
})
