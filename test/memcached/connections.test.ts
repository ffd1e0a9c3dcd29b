import { afterEach, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import type { RunningServer } from '../../src/index.js'
import { Conn, sleep, startRespite } from './helpers.js'

/** The memcached port runs on the Redis port's connection machinery and its limits. */
describe('memcached connections', () => {
  let server: RunningServer | null = null
  afterEach(async () => {
    await server?.close()
    server = null
  })

  it('maxclients counts both protocols; a refused memcached client hears ERROR', async () => {
    server = await startRespite({ maxclients: 2 })
    const redis = new Redis({ port: server.port })
    await redis.ping()
    const a = await Conn.open(server.memcachedPort)
    a.write('version\r\n')
    expect((await a.until('\r\n')).toString()).toBe('VERSION 1.6.18\r\n')
    const b = await Conn.open(server.memcachedPort)
    const refused = await b.until('\r\n')
    expect(refused.toString()).toBe('ERROR Too many open connections\r\n')
    await sleep(50)
    expect(b.closed).toBe(true)
    a.write('stats\r\n')
    expect((await a.until('END\r\n')).toString()).toMatch(/STAT rejected_connections 1\r\n/)
    redis.disconnect()
    a.close()
  })

  it('closes memcached connections idle past timeout', async () => {
    server = await startRespite({ timeout: 1, hz: 50 })
    const c = await Conn.open(server.memcachedPort)
    c.write('version\r\n')
    await c.until('\r\n')
    for (let i = 0; i < 40 && !c.closed; i++) await sleep(100)
    expect(c.closed).toBe(true)
  })

  it('drops a client that does not read past the output buffer limit', async () => {
    server = await startRespite({ 'client-output-buffer-limit': 'normal 1mb 0 0' })
    const c = await Conn.open(server.memcachedPort)
    c.write(`set big 0 0 500000\r\n${'x'.repeat(500000)}\r\n`)
    expect((await c.until('STORED\r\n')).toString()).toBe('STORED\r\n')
    c.socket.pause()
    c.write('get big big big big big big big big\r\n')
    for (let i = 0; i < 40 && !c.closed; i++) await sleep(50)
    expect(c.closed).toBe(true)
  })

  it('answers a pipeline in one write per read', async () => {
    server = await startRespite()
    const c = await Conn.open(server.memcachedPort)
    const writes: number[] = []
    c.socket.on('data', (d) => writes.push(d.length))
    let batch = ''
    for (let i = 0; i < 200; i++) batch += `set p${i} 0 0 1 noreply\r\n${i % 10}\r\nget p${i}\r\n`
    c.write(batch)
    const out = (await c.until('VALUE p199 0 1\r\n9\r\nEND\r\n')).toString()
    expect(out.match(/END\r\n/g)!.length).toBe(200)
    // Far fewer writes than requests (a read's replies go out together).
    expect(writes.length).toBeLessThan(20)
  })

  it('quit closes after earlier replies are sent', async () => {
    server = await startRespite()
    const c = await Conn.open(server.memcachedPort)
    c.write('set q 0 0 1\r\nx\r\nget q\r\nquit\r\nget q\r\n')
    const out = (await c.until('never', 1000)).toString()
    expect(out).toBe('STORED\r\nVALUE q 0 1\r\nx\r\nEND\r\n')
    expect(c.closed).toBe(true)
  })

  it('item_size_max is settable (memcached-item-size-max)', async () => {
    server = await startRespite({ 'memcached-item-size-max': '2mb' })
    const c = await Conn.open(server.memcachedPort)
    c.write(`set big 0 0 1500000\r\n${'x'.repeat(1500000)}\r\nstats settings\r\n`)
    const out = (await c.until('END\r\n')).toString()
    expect(out.startsWith('STORED\r\n')).toBe(true)
    expect(out).toMatch(/STAT item_size_max 2097152\r\n/)
  })

  it('over maxmemory, stores are refused as memcached refuses a failed allocation, reads still served', async () => {
    server = await startRespite({ maxmemory: '1mb' })
    const redis = new Redis({ port: server.port })
    const c = await Conn.open(server.memcachedPort)
    c.write('set m 0 0 1\r\nx\r\nget m\r\nms m2 1\r\ny\r\nstats\r\n')
    const out = (await c.quiet(400)).toString()
    expect(out.startsWith('SERVER_ERROR out of memory storing object\r\nEND\r\nSERVER_ERROR out of memory storing object\r\n')).toBe(true)
    expect(out).toMatch(/STAT store_no_memory 2\r\n/)
    redis.disconnect()
    c.close()
  })

  it('flush_all with a delay empties database 0 when it comes due', async () => {
    server = await startRespite()
    const c = await Conn.open(server.memcachedPort)
    c.write('set fd 0 0 1\r\nx\r\nflush_all 1\r\nget fd\r\n')
    expect((await c.until('END\r\n')).toString()).toBe('STORED\r\nOK\r\nVALUE fd 0 1\r\nx\r\nEND\r\n')
    await sleep(1200)
    c.write('get fd\r\n')
    expect((await c.until('END\r\n')).toString()).toBe('END\r\n')
  })
})
