import { describe, expect, it } from 'vitest'
import { useRespite } from './helpers/fixture.js'
import { call, decodeTyped, encodeMini, type MiniValue, type Typed } from './helpers/mini-client.js'
import { RawClient } from './helpers/raw.js'

/**
 * The mini Redis dialect, spoken on --mini-port: the original mini client sends every
 * request as an array whose elements carry their own types, and expects values back
 * with the types they were stored with.
 */

const bulk = (value: string): Typed => ({ type: 'bulk', value })
const int = (value: number): Typed => ({ type: 'integer', value })

const { respite: server } = await useRespite({ miniPort: 0, flush: false })

describe('mini dialect session (MSET, GET, MGET, DELETE, SET, FLUSH)', () => {
  it('listens on its own port', () => {
    expect(server.miniPort).toBeGreaterThan(0)
    expect(server.miniPort).not.toBe(server.port)
  })

  it('replays the original session with exact reply types', async () => {
    const c = await RawClient.connect(server.miniPort)
    const session: [MiniValue[], Typed, string][] = [
      [['MSET', 'k1', 'v1', 'k2', ['v2-0', 1, 'v2-2'], 'k3', 'v3'], int(3), ':3\r\n'],
      [['GET', 'k2'], { type: 'array', items: [bulk('v2-0'), int(1), bulk('v2-2')] }, '*3\r\n$4\r\nv2-0\r\n:1\r\n$4\r\nv2-2\r\n'],
      [['MGET', 'k3', 'k1'], { type: 'array', items: [bulk('v3'), bulk('v1')] }, '*2\r\n$2\r\nv3\r\n$2\r\nv1\r\n'],
      [['DELETE', 'k1'], int(1), ':1\r\n'],
      [['GET', 'k1'], { type: 'null' }, '$-1\r\n'],
      [['DELETE', 'k1'], int(0), ':0\r\n'],
      [['SET', 'kx', { vx: { vy: 0, vz: [1, 2, 3] } }], int(1), ':1\r\n'],
      [
        ['GET', 'kx'],
        {
          type: 'map',
          entries: [[bulk('vx'), { type: 'map', entries: [[bulk('vy'), int(0)], [bulk('vz'), { type: 'array', items: [int(1), int(2), int(3)] }]] }]],
        },
        '%1\r\n$2\r\nvx\r\n%2\r\n$2\r\nvy\r\n:0\r\n$2\r\nvz\r\n*3\r\n:1\r\n:2\r\n:3\r\n',
      ],
      [['FLUSH'], int(3), ':3\r\n'],
    ]
    for (const [request, expected, bytes] of session) {
      const reply = await call(c, encodeMini(request))
      expect(decodeTyped(reply), JSON.stringify(request)).toEqual(expected)
      expect(reply, JSON.stringify(request)).toBe(bytes)
    }
    c.close()
  })

  it('stores None and gives it back as null inside structures', async () => {
    const c = await RawClient.connect(server.miniPort)
    expect(await call(c, encodeMini(['SET', 'n', [null, 'a', { k: null }]]))).toBe(':1\r\n')
    expect(await call(c, encodeMini(['GET', 'n']))).toBe('*3\r\n$-1\r\n$1\r\na\r\n%1\r\n$1\r\nk\r\n$-1\r\n')
    expect(await call(c, encodeMini(['SET', 'n', null]))).toBe(':1\r\n')
    expect(await call(c, encodeMini(['GET', 'n']))).toBe('$-1\r\n')
    expect(await call(c, encodeMini(['FLUSH']))).toBe(':1\r\n')
    c.close()
  })

  it('shares the keyspace with the normal port', async () => {
    const mini = await RawClient.connect(server.miniPort)
    const normal = await RawClient.connect(server.port)
    expect(await call(mini, encodeMini(['SET', 'shared', 'x']))).toBe(':1\r\n')
    expect(await call(normal, encodeMini(['GET', 'shared']))).toBe('$1\r\nx\r\n')
    expect(await call(normal, encodeMini(['SET', 'shared', 'y']))).toBe('+OK\r\n')
    expect(await call(mini, encodeMini(['GET', 'shared']))).toBe('$1\r\ny\r\n')
    expect(await call(mini, encodeMini(['DELETE', 'shared']))).toBe(':1\r\n')
    mini.close()
    normal.close()
  })
})
