import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { startServer } from '../src/index.js'
import { RawClient, resp } from './helpers/raw.js'

/** respite as a library: start a server in this process, use it, close it. */

describe('embedding with startServer', () => {
  it('starts on an OS-chosen port and serves ioredis and node-redis', async () => {
    const server = await startServer({ port: 0, loglevel: 'nothing' })
    try {
      expect(server.port).toBeGreaterThan(0)
      expect(server.host).toBe('127.0.0.1')
      const io = new Redis({ port: server.port, lazyConnect: false })
      const nr = createClient({ socket: { port: server.port, host: '127.0.0.1' }, RESP: 3 })
      await nr.connect()
      try {
        expect(await io.set('k', 'v')).toBe('OK')
        expect(await nr.get('k')).toBe('v')
      } finally {
        io.disconnect()
        nr.destroy()
      }
    } finally {
      await server.close()
    }
  })

  it('close() resolves with clients still connected, and drops them', async () => {
    const server = await startServer({ port: 0, loglevel: 'nothing' })
    const raw = await RawClient.connect(server.port)
    expect(await raw.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
    // A pipeline left half-sent, and a client that would reconnect if it could.
    raw.write('*2\r\n$4\r\nECHO\r\n$10\r\nabc')
    const io = new Redis({ port: server.port, lazyConnect: false, retryStrategy: () => null, maxRetriesPerRequest: 0 })
    await io.ping()
    await server.close()
    expect(await raw.waitClosed()).toBe(true)
    expect(server.server.clients.size).toBe(0)
    io.disconnect()
    // A second close is harmless.
    await server.close()
  })

  it('lets a second server start, alongside and on a closed server\'s port', async () => {
    const first = await startServer({ port: 0, loglevel: 'nothing' })
    const second = await startServer({ port: 0, loglevel: 'nothing' })
    try {
      expect(second.port).not.toBe(first.port)
      const a = await RawClient.connect(first.port)
      const b = await RawClient.connect(second.port)
      expect(await a.roundTrip(resp('SET', 'only', 'first'), 5)).toBe('+OK\r\n')
      // Separate servers have separate keyspaces.
      expect(await b.roundTrip(resp('GET', 'only'), 5)).toBe('$-1\r\n')
      a.close()
      b.close()
    } finally {
      await second.close()
    }
    const port = first.port
    await first.close()
    const again = await startServer({ port, loglevel: 'nothing' })
    try {
      expect(again.port).toBe(port)
      const c = await RawClient.connect(port)
      expect(await c.roundTrip(resp('GET', 'only'), 5)).toBe('$-1\r\n')
      c.close()
    } finally {
      await again.close()
    }
  })

  it('rejects when the port is taken', async () => {
    const first = await startServer({ port: 0, loglevel: 'nothing' })
    try {
      await expect(startServer({ port: first.port, loglevel: 'nothing' })).rejects.toThrow(/EADDRINUSE/)
    } finally {
      await first.close()
    }
  })

  it('applies options and any redis.conf directive by name', async () => {
    const server = await startServer({
      port: 0,
      loglevel: 'nothing',
      requirepass: 'pw',
      databases: 2,
      miniPort: 0,
      config: { hz: 25, 'maxmemory-policy': 'allkeys-lru' },
    })
    try {
      expect(server.miniPort).toBeGreaterThan(0)
      const c = await RawClient.connect(server.port)
      expect(await c.roundTrip(resp('PING'), 31)).toBe('-NOAUTH Authentication required.\r\n')
      expect(await c.roundTrip(resp('AUTH', 'pw'), 5)).toBe('+OK\r\n')
      expect(await c.roundTrip(resp('SELECT', '2'), 31)).toBe('-ERR DB index is out of range\r\n')
      expect(await c.roundTrip(resp('CONFIG', 'GET', 'hz'), 18)).toBe('*2\r\n$2\r\nhz\r\n$2\r\n25\r\n')
      expect(server.server.config.get('maxmemory-policy')).toBe('allkeys-lru')
      c.close()
    } finally {
      await server.close()
    }
  })
})
