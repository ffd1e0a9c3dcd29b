import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { RawClient, resp } from '../helpers/raw.js'
import { startWithIo } from '../helpers/servers.js'

/**
 * Accepting and closing connections: accepted handles go to the server directly
 * (fast-io.ts takeOverAccept) and are served by a DirectSocket, or, with direct I/O
 * off, by net.Server's 'connection' event and a net.Socket. Either way every
 * connection must be registered, answered, described (CLIENT LIST) and forgotten
 * when it goes.
 */

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Connects, sends one PING, reads the PONG and closes: one -k 0 request. */
function pingOnce(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write('PING\r\n'))
    let got = ''
    s.on('data', (d) => {
      got += d.toString('latin1')
      if (got.endsWith('\r\n')) {
        s.destroy()
        resolve(got)
      }
    })
    s.on('error', reject)
  })
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check() && Date.now() < deadline) await delay(10)
  return check()
}

describe.each([
  ['direct handle I/O', true],
  ['socket streams', false],
])('connections with %s', (_name, fastIo) => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startWithIo(fastIo)
  })
  afterAll(() => server.close())

  it('serves a connection per request and forgets each one when it closes', async () => {
    const before = server.server.stats.totalConnections
    for (let round = 0; round < 10; round++) {
      const replies = await Promise.all(Array.from({ length: 20 }, () => pingOnce(server.port)))
      expect(new Set(replies)).toEqual(new Set(['+PONG\r\n']))
    }
    expect(server.server.stats.totalConnections - before).toBe(200)
    expect(await until(() => server.server.clients.size === 0)).toBe(true)
  })

  it('holds many connections opened at once, all answered, and drops them all when they go', async () => {
    const n = 500
    const clients = await Promise.all(Array.from({ length: n }, () => RawClient.connect(server.port)))
    const replies = await Promise.all(clients.map((c) => c.roundTrip(resp('PING'), 7)))
    expect(replies.every((r) => r === '+PONG\r\n')).toBe(true)
    expect(server.server.clients.size).toBe(n)
    const kinds = new Set([...server.server.clients.values()].map((c) => c.socket.constructor.name))
    expect(kinds).toEqual(new Set([fastIo ? 'DirectSocket' : 'Socket']))
    for (const c of clients) c.close()
    expect(await until(() => server.server.clients.size === 0)).toBe(true)
  })

  it('CLIENT LIST shows both addresses and the descriptor; CLIENT KILL finds a client by addr', async () => {
    const a = await RawClient.connect(server.port)
    const victim = await RawClient.connect(server.port)
    expect(await victim.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
    a.write(resp('CLIENT', 'LIST'))
    const list = await a.read(Number.MAX_SAFE_INTEGER, 300)
    const addr = `127.0.0.1:${victim.socket.localPort}`
    const line = list.split('\n').find((l) => l.includes(`addr=${addr} `))
    expect(line, list).toBeDefined()
    expect(line).toContain(`laddr=127.0.0.1:${server.port} `)
    expect(Number(/ fd=(\d+) /.exec(line!)?.[1])).toBeGreaterThan(0)
    expect(await a.roundTrip(resp('CLIENT', 'KILL', addr), 5)).toBe('+OK\r\n')
    expect(await victim.waitClosed()).toBe(true)
    a.close()
  })

  it('QUIT delivers its reply, then the server closes the connection', async () => {
    const c = await RawClient.connect(server.port)
    c.write(resp('PING') + resp('QUIT'))
    expect(await c.read(12)).toBe('+PONG\r\n+OK\r\n')
    expect(await c.waitClosed()).toBe(true)
    expect(await until(() => server.server.clients.size === 0)).toBe(true)
  })

  it('past maxclients, sends the error and closes without waiting for the peer', async () => {
    const small = await startWithIo(fastIo, { maxclients: 1 })
    try {
      const a = await RawClient.connect(small.port)
      expect(await a.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
      const b = await RawClient.connect(small.port)
      expect(await b.read(Number.MAX_SAFE_INTEGER, 3000)).toBe('-ERR max number of clients reached\r\n')
      expect(b.closed).toBe(true)
      expect(small.server.stats.rejectedConnections).toBe(1)
      a.close()
    } finally {
      await small.close()
    }
  })

  it('closes with clients still connected', async () => {
    const other = await startWithIo(fastIo)
    const clients = await Promise.all(Array.from({ length: 5 }, () => RawClient.connect(other.port)))
    for (const c of clients) expect(await c.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
    await other.close()
    for (const c of clients) expect(await c.waitClosed()).toBe(true)
  })
})
