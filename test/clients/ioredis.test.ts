import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useRespite } from '../helpers/fixture.js'

const { respite: server } = await useRespite({ flush: false })
const { respite: secured } = await useRespite({ requirepass: 'pw', flush: false })

/** ioredis v6 opens with HELLO 3 (falling back on NOPROTO), CLIENT SETINFO and an INFO readiness check. */
describe('ioredis', () => {
  for (const protocol of [3, 2] as const) {
    describe(`RESP${protocol}`, () => {
      let redis: Redis
      beforeAll(async () => {
        redis = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, ...(protocol === 2 ? { protocol: 2 } : {}) })
        await redis.connect()
      })
      afterAll(() => redis.disconnect())

      it('completes the HELLO / CLIENT SETINFO / INFO handshake', async () => {
        expect(redis.status).toBe('ready')
        const info = (await redis.client('INFO')) as string
        expect(info).toContain(`resp=${protocol}`)
        expect(info).toContain('lib-name=ioredis')
        expect(info).toMatch(/lib-ver=\d+\.\d+\.\d+/)
      })

      it('runs commands, pipelines and server commands', async () => {
        const key = `io${protocol}`
        expect(await redis.set(key, 'v')).toBe('OK')
        expect(await redis.get(key)).toBe('v')
        expect(await redis.pipeline().set(`${key}:a`, '1').incr(`${key}:a`).get(`${key}:a`).exec()).toEqual([[null, 'OK'], [null, 2], [null, '2']])
        expect(await redis.config('GET', 'maxmemory')).toEqual(['maxmemory', '0'])
        expect(await redis.info('server')).toMatch(/^# Server\r\nredis_version:7\.0\.15\r\n/)
        expect(await redis.call('ECHO', 'x')).toBe('x')
        const time = (await redis.time()) as unknown as string[]
        expect(time).toHaveLength(2)
      })

      it('surfaces error replies as ReplyError', async () => {
        await expect(redis.call('CLIENT', 'SETNAME', 'a b')).rejects.toThrow('ERR Client names cannot contain spaces, newlines or special characters.')
        await expect(redis.call('CONFIG', 'SET', 'timeout', 'x')).rejects.toThrow(
          "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer")
        await expect(redis.call('NOSUCH')).rejects.toThrow("ERR unknown command 'NOSUCH', with args beginning with: ")
        expect(await redis.ping()).toBe('PONG')
      })
    })
  }

  it('authenticates through HELLO AUTH with a password, and reports WRONGPASS', async () => {
    const good = new Redis({ port: secured.port, host: '127.0.0.1', password: 'pw', lazyConnect: true })
    await good.connect()
    expect(await good.ping()).toBe('PONG')
    good.disconnect()
    const bad = new Redis({ port: secured.port, host: '127.0.0.1', password: 'nope', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    const errors: string[] = []
    bad.on('error', (e: Error) => errors.push(e.message))
    await expect(bad.connect()).rejects.toThrow()
    expect(errors).toContain('WRONGPASS invalid username-password pair or user is disabled.')
    bad.disconnect()
  })
})
