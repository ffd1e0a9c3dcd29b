import { describe, expect, it } from 'vitest'
import { useRespite } from './helpers/fixture.js'
import { RawClient, resp } from './helpers/raw.js'

const { respite: server } = await useRespite({ flush: false })

describe('server smoke', () => {
  it('answers PING, SET and GET with exact bytes, pipelined', async () => {
    const c = await RawClient.connect(server.port)
    const reply = await c.roundTrip(resp('PING') + resp('SET', 'k', 'v') + resp('GET', 'k') + 'PING\r\n', 26)
    expect(reply).toBe('+PONG\r\n+OK\r\n$1\r\nv\r\n+PONG\r\n')
    c.close()
  })
})
