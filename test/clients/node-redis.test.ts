import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useRespite } from '../helpers/fixture.js'

const { respite: server } = await useRespite({ flush: false })
const { respite: secured } = await useRespite({ requirepass: 'pw', flush: false })

describe('node-redis', () => {
  for (const RESP of [2, 3] as const) {
    describe(`RESP${RESP}`, () => {
      let c: ReturnType<typeof createClient>
      beforeAll(async () => {
        c = createClient({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false }, RESP })
        c.on('error', () => {})
        await c.connect()
      })
      afterAll(() => c.destroy())

      it('connects (HELLO, CLIENT SETINFO) and identifies itself in CLIENT INFO', async () => {
        const info = String(await c.sendCommand(['CLIENT', 'INFO']))
        expect(info).toContain(`resp=${RESP}`)
        expect(info).toContain('lib-name=node-redis')
        expect(Number(await c.clientId())).toBeGreaterThan(0)
      })

      it('runs commands and server commands', async () => {
        const key = `nr${RESP}`
        expect(await c.set(key, 'v')).toBe('OK')
        expect(await c.get(key)).toBe('v')
        expect(await c.mGet([key, `${key}:none`])).toEqual(['v', null])
        expect({ ...(await c.configGet('maxmemory')) }).toEqual({ maxmemory: '0' })
        expect(await c.info('server')).toMatch(/^# Server\r\nredis_version:7\.0\.15\r\n/)
        expect(await c.dbSize()).toBeGreaterThanOrEqual(1)
        expect(String(await c.sendCommand(['CONFIG', 'SET', 'timeout', '0']))).toBe('OK')
      })

      it('rejects with the server\'s error text', async () => {
        await expect(c.sendCommand(['CLIENT', 'SETNAME', 'a b'])).rejects.toThrow('ERR Client names cannot contain spaces, newlines or special characters.')
        await expect(c.sendCommand(['HELLO', '4'])).rejects.toThrow('NOPROTO unsupported protocol version')
        expect(await c.ping()).toBe('PONG')
      })
    })
  }

  it('authenticates with a password (AUTH or HELLO AUTH) and fails with WRONGPASS', async () => {
    const good = createClient({ socket: { port: secured.port, host: '127.0.0.1', reconnectStrategy: false }, password: 'pw', RESP: 3 })
    good.on('error', () => {})
    await good.connect()
    expect(await good.ping()).toBe('PONG')
    good.destroy()
    const bad = createClient({ socket: { port: secured.port, host: '127.0.0.1', reconnectStrategy: false }, password: 'nope' })
    bad.on('error', () => {})
    await expect(bad.connect()).rejects.toThrow('WRONGPASS invalid username-password pair or user is disabled.')
    expect(bad.isOpen).toBe(false)
  })
})
