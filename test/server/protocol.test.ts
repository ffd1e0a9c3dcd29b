import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { useRespite, useRespiteAndRedis } from '../helpers/fixture.js'
import { RawClient, resp } from '../helpers/raw.js'
import { missingTool } from '../helpers/servers.js'

/**
 * The protocol as seen on a raw socket: exact reply bytes, what a protocol error
 * does to the connection, limits, and abuse that must not take the server down.
 */

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Collected {
  text: string
  closed: boolean
}

/**
 * Sends `data` on a fresh connection and collects what comes back until the server
 * closes, `expectedBytes` have arrived, or `quietMs` pass without news.
 */
function collect(port: number, data: Buffer | string, expectedBytes = Infinity, quietMs = 1500): Promise<Collected> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let received = 0
    let settled = false
    const s = net.connect(port, '127.0.0.1')
    let timer = setTimeout(() => finish(false), quietMs)
    const finish = (closed: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      s.destroy()
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed })
    }
    s.on('data', (d) => {
      chunks.push(d)
      received += d.length
      clearTimeout(timer)
      timer = setTimeout(() => finish(false), quietMs)
      if (received >= expectedBytes) finish(false)
    })
    s.on('close', () => finish(true))
    s.on('error', () => {})
    s.on('connect', () => s.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data))
  })
}

const LIMITS = { 'client-query-buffer-limit': '1mb', 'proto-max-bulk-len': '1mb' }
const { respite: server } = await useRespite({ flush: false })
const { respite: limited } = await useRespite({ config: LIMITS, flush: false })

describe('protocol on a raw socket', () => {
  it('answers PING, ECHO, SET and GET with exact bytes, inline and multibulk', async () => {
    const c = await RawClient.connect(server.port)
    const expected = '+PONG\r\n$5\r\nhello\r\n+OK\r\n$3\r\n\x00\xff\r\r\n$-1\r\n+PONG\r\n$5\r\nw o r\r\n'
    const reply = await c.roundTrip(
      resp('PING') + resp('ECHO', 'hello') + resp('SET', 'bin', '\x00\xff\r') + resp('GET', 'bin') + resp('GET', 'missing') +
      'PING\r\nECHO "w o r"\n',
      expected.length,
    )
    expect(reply).toBe(expected)
    c.close()
  })

  it('keeps the connection after a command error', async () => {
    const c = await RawClient.connect(server.port)
    const expected = "-ERR unknown command 'FOO', with args beginning with: 'a' \r\n" +
      "-ERR wrong number of arguments for 'get' command\r\n+PONG\r\n"
    expect(await c.roundTrip('FOO a\r\n' + resp('GET') + resp('PING'), expected.length)).toBe(expected)
    expect(c.closed).toBe(false)
    expect(await c.roundTrip(resp('ECHO', 'still here'), 16)).toBe('$10\r\nstill here\r\n')
    c.close()
  })

  it('answers a protocol error after the earlier pipelined replies, then closes', async () => {
    const c = await RawClient.connect(server.port)
    c.write(resp('PING') + 'ECHO x\r\n' + resp('SET', 'before', '1') + '*1\r\nx\r\n' + resp('SET', 'after', '1'))
    expect(await c.read(Number.MAX_SAFE_INTEGER)).toBe("+PONG\r\n$1\r\nx\r\n+OK\r\n-ERR Protocol error: expected '$', got 'x'\r\n")
    expect(c.closed).toBe(true)
    // Nothing after the bad frame ran.
    const d = await RawClient.connect(server.port)
    expect(await d.roundTrip(resp('GET', 'before') + resp('GET', 'after'), 12)).toBe('$1\r\n1\r\n$-1\r\n')
    d.close()
  })

  it('ignores empty lines, *0 and *-1 as Redis does', async () => {
    const c = await RawClient.connect(server.port)
    expect(await c.roundTrip('\r\n\n   \r\n*0\r\n*-1\r\n' + resp('PING') + '\r\n' + 'PING\r\n', 14)).toBe('+PONG\r\n+PONG\r\n')
    expect(c.closed).toBe(false)
    c.close()
  })

  it('serves a pipeline cut at every byte', async () => {
    const pipeline = resp('SET', 'split', 'v\r\nx') + 'ECHO "a b"\r\n' + resp('GET', 'split') + resp('PING') + 'PING\n' + resp('ECHO', '')
    const expected = '+OK\r\n$3\r\na b\r\n$4\r\nv\r\nx\r\n+PONG\r\n+PONG\r\n$0\r\n\r\n'
    const c = await RawClient.connect(server.port)
    c.socket.setNoDelay(true)
    for (let i = 1; i < pipeline.length; i++) {
      c.write(pipeline.slice(0, i))
      await delay(1)
      c.write(pipeline.slice(i))
      expect(await c.read(expected.length), `cut at ${i}`).toBe(expected)
    }
    // And one byte per write.
    for (const ch of pipeline) {
      c.write(ch)
      await new Promise((r) => setImmediate(r))
    }
    expect(await c.read(expected.length)).toBe(expected)
    c.close()
  })

  it('survives clients that vanish mid-request and mid-pipeline', async () => {
    // Half a bulk, then gone.
    const a = await RawClient.connect(server.port)
    a.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n' + 'x'.repeat(50000))
    await delay(10)
    a.socket.resetAndDestroy()
    // A big value, then many pipelined reads of it whose replies are never read.
    const b = await RawClient.connect(server.port)
    b.write(resp('SET', 'big', 'v'.repeat(1024 * 1024)))
    b.write(resp('GET', 'big').repeat(200))
    await delay(20)
    b.socket.resetAndDestroy()
    // A pipeline cut off in the middle of a header.
    const c = await RawClient.connect(server.port)
    c.write(resp('PING').repeat(1000) + '*2\r\n$4\r\nEC')
    c.close()
    // Every earlier test closed its clients too, so the server should end up with none.
    for (let i = 0; i < 100 && server.server.clients.size > 0; i++) await delay(20)
    expect(server.server.clients.size).toBe(0)
    const d = await RawClient.connect(server.port)
    expect(await d.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
    d.close()
  })
})

describe('protocol limits', () => {
  it('refuses a bulk longer than proto-max-bulk-len', async () => {
    const r = await collect(limited.port, resp('PING') + '*2\r\n$4\r\nECHO\r\n$1048577\r\n')
    expect(r).toEqual({ text: '+PONG\r\n-ERR Protocol error: invalid bulk length\r\n', closed: true })
  })

  it('drops a client whose query buffer passes client-query-buffer-limit, without a reply', async () => {
    const data = Buffer.concat([Buffer.from('*2\r\n$4\r\nECHO\r\n$1048576\r\n'), Buffer.alloc(1024 * 1024 + 2, 'a')])
    const r = await collect(limited.port, data)
    expect(r).toEqual({ text: '', closed: true })
    // Just below the limit is fine.
    const fits = Buffer.concat([Buffer.from('*2\r\n$4\r\nECHO\r\n$1000000\r\n'), Buffer.alloc(1000000, 'a'), Buffer.from('\r\n')])
    const ok = await collect(limited.port, fits, 1000000 + 12)
    expect(ok.text.startsWith('$1000000\r\naaaa')).toBe(true)
    expect(ok.text.length).toBe(1000000 + 12)
  })

  it('refuses an inline request of more than 64 KiB without a newline', async () => {
    const r = await collect(limited.port, Buffer.alloc(200 * 1024, 'a'))
    expect(r).toEqual({ text: '-ERR Protocol error: too big inline request\r\n', closed: true })
  })

  it('keeps serving others while one client is dropped', async () => {
    const c = await RawClient.connect(limited.port)
    const dropped = collect(limited.port, Buffer.concat([Buffer.from('*1\r\n$1048576\r\n'), Buffer.alloc(2 * 1024 * 1024, 'z')]))
    expect(await c.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
    expect((await dropped).closed).toBe(true)
    expect(await c.roundTrip(resp('ECHO', 'ok'), 8)).toBe('$2\r\nok\r\n')
    c.close()
  })
})

describe.skipIf(missingTool('redis-server') !== null)('protocol errors, differential against redis-server', () => {
  const plain = useRespiteAndRedis({ config: LIMITS }, ['--client-query-buffer-limit', '1mb', '--proto-max-bulk-len', '1mb'])
  const auth = useRespiteAndRedis({ requirepass: 'secret' }, ['--requirepass', 'secret'])

  const K = 1024
  // `$-1` and non-bulk element types are left out: respite accepts them as structured
  // values (a documented extension) where Redis refuses them.
  const inputs: [string, Buffer | string][] = [
    ['negative bulk length', '*1\r\n$-5\r\n'],
    ['bulk length -0', '*1\r\n$-0\r\n'],
    ['bulk length not a number', '*2\r\n$4\r\nECHO\r\n$abc\r\n'],
    ['bulk length with plus', '*1\r\n$+1\r\n'],
    ['bulk length with space', '*1\r\n$ 1\r\n'],
    ['bulk length with leading zero', '*1\r\n$01\r\n'],
    ['empty bulk length', '*1\r\n$\r\n'],
    ['bulk over proto-max-bulk-len', '*1\r\n$1048577\r\n'],
    ['multibulk length not a number', '*abc\r\n'],
    ['multibulk length with plus', '*+1\r\n'],
    ['multibulk length with leading zero', '*01\r\n'],
    ['empty multibulk length', '*\r\n'],
    ['multibulk length beyond INT_MAX', '*2147483648\r\n'],
    ['multibulk length beyond int64', '*99999999999999999999\r\n'],
    ['LF without CR after a multibulk length', '*1\n$4\r\nPING\r\n'],
    ['LF without CR after a bulk length', '*1\r\n$4\nPING\r\n'],
    ['unknown element type', '*1\r\nx\r\n'],
    ['unbalanced double quote', 'SET k "abc\r\n'],
    ['unbalanced single quote', "SET k 'abc\r\n"],
    ['closing quote then a letter', 'SET k "a"b\r\n'],
    ['escaped closing quote', 'SET k "abc\\"\r\n'],
    ['too big inline request', Buffer.alloc(70 * K, 'a')],
    ['too big mbulk count string', Buffer.concat([Buffer.from('*1'), Buffer.alloc(70 * K, '1')])],
    ['too big bulk count string', Buffer.concat([Buffer.from('*1\r\n$1'), Buffer.alloc(70 * K, '1')])],
    ['error after pipelined replies', resp('PING') + 'ECHO hi\r\nFOO bar\r\n' + resp('GET', 'nokey') + '*1\r\n$x\r\n'],
    ['empty lines and *0 before an error', '\r\n*0\r\n*-1\r\nPING\r\n*1\r\n$4\r\nPING\r\n*-\r\n'],
  ]
  for (const [name, data] of inputs) {
    it(`gives Redis's reply and closes for: ${name}`, async () => {
      const expected = await collect(plain.redis.port, data)
      expect(expected.closed).toBe(true)
      expect(await collect(plain.respite.port, data)).toEqual(expected)
    })
  }

  const beforeAuth: [string, string][] = [
    ['more than 10 arguments', '*11\r\n'],
    ['a bulk over 16 KiB', '*2\r\n$4\r\nAUTH\r\n$16385\r\n'],
    ['a multibulk length beyond INT_MAX', '*2147483648\r\n'],
    ['a negative bulk length', '*2\r\n$4\r\nAUTH\r\n$-2\r\n'],
  ]
  for (const [name, data] of beforeAuth) {
    it(`refuses ${name} before AUTH as Redis does`, async () => {
      const expected = await collect(auth.redis.port, data)
      expect(expected.closed).toBe(true)
      expect(await collect(auth.respite.port, data)).toEqual(expected)
    })
  }

  it('accepts the largest request shapes allowed before AUTH, as Redis does', async () => {
    const data = resp('PING') + '*10\r\n' + resp('a').slice(4).repeat(9) + '$16384\r\n' + 'p'.repeat(16384) + '\r\n'
    const expected = await collect(auth.redis.port, data, Infinity, 300)
    expect(expected.closed).toBe(false)
    expect(await collect(auth.respite.port, data, Infinity, 300)).toEqual(expected)
  })
})
