import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/index.js'
import { call, encodeMini } from './helpers/mini-client.js'
import { RawClient, resp } from './helpers/raw.js'
import { startRespite } from './helpers/servers.js'

/**
 * Structured values on the normal port: GET, SET, MGET and MSET accept any RESP value
 * as a value and give it back with its type. RESP3 clients see maps, sets, doubles,
 * booleans and big numbers as sent; RESP2 clients see them degraded the way Redis 7
 * degrades its own RESP3 replies (maps and sets as flat arrays, doubles and big
 * numbers as bulk strings, booleans as 0/1 integers, nulls as `$-1`).
 */

/** One structured value in RESP form, with what GET answers in RESP2 and RESP3. */
interface Sample {
  name: string
  wire: string
  resp2: string
  resp3: string
}

const samples: Sample[] = [
  { name: 'integer', wire: ':42\r\n', resp2: ':42\r\n', resp3: ':42\r\n' },
  { name: 'negative integer', wire: ':-7\r\n', resp2: ':-7\r\n', resp3: ':-7\r\n' },
  { name: 'array', wire: '*3\r\n$1\r\nv\r\n:1\r\n*1\r\n:2\r\n', resp2: '*3\r\n$1\r\nv\r\n:1\r\n*1\r\n:2\r\n', resp3: '*3\r\n$1\r\nv\r\n:1\r\n*1\r\n:2\r\n' },
  { name: 'empty array', wire: '*0\r\n', resp2: '*0\r\n', resp3: '*0\r\n' },
  {
    name: 'map',
    wire: '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n%1\r\n$1\r\nc\r\n*0\r\n',
    resp2: '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*2\r\n$1\r\nc\r\n*0\r\n',
    resp3: '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n%1\r\n$1\r\nc\r\n*0\r\n',
  },
  { name: 'set', wire: '~2\r\n$1\r\nx\r\n:9\r\n', resp2: '*2\r\n$1\r\nx\r\n:9\r\n', resp3: '~2\r\n$1\r\nx\r\n:9\r\n' },
  { name: 'double', wire: ',3.5\r\n', resp2: '$3\r\n3.5\r\n', resp3: ',3.5\r\n' },
  { name: 'double 0.1', wire: ',0.1\r\n', resp2: '$19\r\n0.10000000000000001\r\n', resp3: ',0.10000000000000001\r\n' },
  { name: 'boolean', wire: '#t\r\n', resp2: ':1\r\n', resp3: '#t\r\n' },
  { name: 'big number', wire: '(123456789012345678901234567890\r\n', resp2: '$30\r\n123456789012345678901234567890\r\n', resp3: '(123456789012345678901234567890\r\n' },
  { name: 'null (RESP3)', wire: '_\r\n', resp2: '$-1\r\n', resp3: '_\r\n' },
  { name: 'null (mini client None)', wire: '$-1\r\n', resp2: '$-1\r\n', resp3: '_\r\n' },
  { name: 'simple string', wire: '+hi\r\n', resp2: '+hi\r\n', resp3: '+hi\r\n' },
]

function setRequest(key: string, wire: string, ...options: string[]): string {
  let s = `*${3 + options.length}\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n${wire}`
  for (const o of options) s += `$${o.length}\r\n${o}\r\n`
  return s
}

describe('structured values on the normal port', () => {
  let server: RunningServer
  let c2: RawClient
  let c3: RawClient
  beforeAll(async () => {
    server = await startRespite({ miniPort: 0 })
    c2 = await RawClient.connect(server.port)
    c3 = await RawClient.connect(server.port)
    c3.write(resp('HELLO', '3'))
    await c3.read(1)
    // HELLO's map reply may arrive in pieces; drain it before the tests start.
    await c3.read(Number.MAX_SAFE_INTEGER, 100)
  })
  afterAll(async () => {
    c2.close()
    c3.close()
    await server.close()
  })

  for (const sample of samples) {
    it(`SET and GET round-trip a ${sample.name} with its type`, async () => {
      const key = `s:${sample.name}`
      expect(await call(c2, setRequest(key, sample.wire))).toBe('+OK\r\n')
      expect(await call(c2, resp('GET', key))).toBe(sample.resp2)
      expect(await call(c3, resp('GET', key))).toBe(sample.resp3)
      expect(await call(c2, resp('EXISTS', key))).toBe(':1\r\n')
    })
  }

  it('MSET and MGET carry structured values next to plain strings', async () => {
    const request = '*7\r\n$4\r\nMSET\r\n$2\r\nm1\r\n%1\r\n$1\r\nk\r\n,2.5\r\n$2\r\nm2\r\n$5\r\nplain\r\n$2\r\nm3\r\n*2\r\n:1\r\n#f\r\n'
    expect(await call(c2, request)).toBe('+OK\r\n')
    expect(await call(c2, resp('MGET', 'm1', 'm2', 'm3', 'nokey'))).toBe(
      '*4\r\n*2\r\n$1\r\nk\r\n$3\r\n2.5\r\n$5\r\nplain\r\n*2\r\n:1\r\n:0\r\n$-1\r\n',
    )
    expect(await call(c3, resp('MGET', 'm1', 'm2', 'm3', 'nokey'))).toBe(
      '*4\r\n%1\r\n$1\r\nk\r\n,2.5\r\n$5\r\nplain\r\n*2\r\n:1\r\n#f\r\n_\r\n',
    )
  })

  it('SET options work with a structured value (SET ... NX, GET, EX)', async () => {
    expect(await call(c2, setRequest('opt', ':1\r\n', 'NX'))).toBe('+OK\r\n')
    expect(await call(c2, setRequest('opt', ':2\r\n', 'NX'))).toBe('$-1\r\n')
    expect(await call(c2, setRequest('opt', '*1\r\n:3\r\n', 'GET'))).toBe(':1\r\n')
    expect(await call(c2, setRequest('opt', ':4\r\n', 'EX', '100'))).toBe('+OK\r\n')
    expect(await call(c2, resp('GET', 'opt'))).toBe(':4\r\n')
    const ttl = await call(c2, resp('TTL', 'opt'))
    expect(Number(ttl.slice(1))).toBeGreaterThan(0)
  })

  it('string commands on a structured value answer WRONGTYPE (APPEND, STRLEN, INCR, GETRANGE, SETRANGE, INCRBYFLOAT)', async () => {
    expect(await call(c2, setRequest('sv', '*1\r\n:1\r\n'))).toBe('+OK\r\n')
    const wrongType = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'
    for (const args of [['APPEND', 'sv', 'x'], ['STRLEN', 'sv'], ['INCR', 'sv'], ['DECRBY', 'sv', '2'], ['GETRANGE', 'sv', '0', '-1'],
      ['SETRANGE', 'sv', '0', 'x'], ['INCRBYFLOAT', 'sv', '1.5']]) {
      expect(await call(c2, resp(...args)), args.join(' ')).toBe(wrongType)
    }
    // The value is untouched.
    expect(await call(c2, resp('GET', 'sv'))).toBe('*1\r\n:1\r\n')
  })

  it('refuses structured arguments to other commands with a clear error and keeps the connection', async () => {
    const refused = '-ERR structured values are only accepted as values by GET, SET, MGET and MSET\r\n'
    const requests = [
      '*2\r\n$4\r\nECHO\r\n:1\r\n',
      '*2\r\n$3\r\nDEL\r\n*1\r\n$1\r\na\r\n',
      '*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n',
      '*3\r\n$3\r\nSET\r\n:1\r\n$1\r\nv\r\n',
      '*2\r\n$3\r\nGET\r\n#t\r\n',
      '*3\r\n$4\r\nMSET\r\n*0\r\n$1\r\nv\r\n',
      '*1\r\n:1\r\n',
    ]
    for (const request of requests) {
      expect(await call(c2, request), JSON.stringify(request)).toBe(refused)
    }
    expect(c2.closed).toBe(false)
    expect(await call(c2, resp('PING'))).toBe('+PONG\r\n')
  })

  it('ioredis reads structured values back in RESP2 and RESP3', async () => {
    expect(await call(c2, setRequest('io', '%1\r\n$1\r\na\r\n*2\r\n:1\r\n$1\r\nb\r\n'))).toBe('+OK\r\n')
    const r3 = new Redis({ port: server.port, lazyConnect: false })
    const r2 = new Redis({ port: server.port, lazyConnect: false, protocol: 2 })
    try {
      expect(await r2.call('GET', 'io')).toEqual(['a', [1, 'b']])
      const v3 = await r3.call('GET', 'io')
      // ioredis hands RESP3 maps back as objects or flat arrays depending on version.
      const flat = v3 instanceof Map ? [...v3.entries()].flat() : Array.isArray(v3) ? v3 : Object.entries(v3 as object).flat()
      expect(flat).toEqual(['a', [1, 'b']])
    } finally {
      r2.disconnect()
      r3.disconnect()
    }
  })

  it('DELETE and FLUSH work on the normal port too', async () => {
    const c = await RawClient.connect(server.port)
    expect(await call(c, resp('SELECT', '5'))).toBe('+OK\r\n')
    expect(await call(c, resp('MSET', 'a', '1', 'b', '2', 'c', '3'))).toBe('+OK\r\n')
    expect(await call(c, resp('DELETE', 'a', 'nokey'))).toBe(':1\r\n')
    expect(await call(c, resp('FLUSH'))).toBe(':2\r\n')
    expect(await call(c, resp('DBSIZE'))).toBe(':0\r\n')
    c.close()
  })

  it('SET answers +OK on the normal port and :1 on the mini port (MSET +OK and :pairs)', async () => {
    const mini = await RawClient.connect(server.miniPort)
    expect(await call(c2, encodeMini(['SET', 'p', 'v']))).toBe('+OK\r\n')
    expect(await call(mini, encodeMini(['SET', 'p', 'v']))).toBe(':1\r\n')
    expect(await call(c2, encodeMini(['MSET', 'p', 'v', 'q', 'w']))).toBe('+OK\r\n')
    expect(await call(mini, encodeMini(['MSET', 'p', 'v', 'q', 'w']))).toBe(':2\r\n')
    expect(await call(mini, encodeMini(['DELETE', 'p', 'q']))).toBe(':2\r\n')
    mini.close()
  })
})
