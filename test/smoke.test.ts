import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, resp } from './helpers/raw.js'
import { startRespite } from './helpers/servers.js'
import type { RunningServer } from '../src/index.js'

describe('server smoke', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startRespite()
  })
  afterAll(() => server.close())

  it('answers PING, SET and GET with exact bytes, pipelined', async () => {
    const c = await RawClient.connect(server.port)
    const reply = await c.roundTrip(resp('PING') + resp('SET', 'k', 'v') + resp('GET', 'k') + 'PING\r\n', 26)
    expect(reply).toBe('+PONG\r\n+OK\r\n$1\r\nv\r\n+PONG\r\n')
    c.close()
  })
})
