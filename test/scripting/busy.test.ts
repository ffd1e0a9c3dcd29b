import { execFile, spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { startCli, type Running } from '../helpers/cli.js'
import { RawClient, resp } from '../helpers/raw.js'

/**
 * Busy scripts (src/server/busy.ts) against a respite-server process: a script past
 * busy-reply-threshold keeps running while everyone else is answered -BUSY, SCRIPT
 * KILL stops it, SHUTDOWN NOSAVE stops the server. Texts as redis-server 7.0.15 gives
 * them. Clients connected before the script and connections made during it (a fresh
 * redis-cli, as users send SCRIPT KILL) are both served.
 */

const BUSY = '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n'
const SPIN = 'while true do end'
const SPIN_SHA = '694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7'
const hasRedisCli = spawnSync('redis-cli', ['--version']).status === 0

/** redis-cli as a separate process: a new connection made while the server is busy. */
function redisCli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-p', String(port), ...args], { encoding: 'latin1', timeout: 10_000 }, (err, stdout) => {
      if (err !== null && stdout === '') reject(err)
      else resolve(stdout.trim())
    })
  })
}

let server: Running | null = null
const clients: RawClient[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await server?.stop()
  server = null
})

async function start(): Promise<Running> {
  server = await startCli(['--port', '0', '--busy-reply-threshold', '100', '--save', ''])
  return server
}

async function connect(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port)
  clients.push(c)
  return c
}

/** Sends and waits for a reply that ends in CRLF and has stopped growing. */
async function ask(c: RawClient, ...args: string[]): Promise<string> {
  c.write(resp(...args))
  let got = await c.read(1, 3000)
  while (!got.endsWith('\r\n') || got === '') {
    const more = await c.read(1, 300)
    if (more === '') break
    got += more
  }
  return got
}

/** Waits until the server logs that the script is busy. */
async function busy(s: Running): Promise<void> {
  for (let i = 0; i < 200 && !/Slow script detected/.test(s.log()); i++) await new Promise((r) => setTimeout(r, 10))
  expect(s.log()).toMatch(/Slow script detected: still in execution after \d+ milliseconds\. You can try killing the script using the SCRIPT KILL command\. Script name is: [0-9a-f]{40}\./)
}

describe('busy scripts', () => {
  it('answers -BUSY meanwhile, lets SCRIPT KILL stop the script, then serves as before', async () => {
    const s = await start()
    const a = await connect(s.port)
    const b = await connect(s.port)
    expect(await ask(b, 'SET', 'k', 'v')).toBe('+OK\r\n')
    a.write(resp('EVAL', SPIN, '0'))
    await busy(s)
    expect(await ask(b, 'GET', 'k')).toBe(BUSY)
    expect(await ask(b, 'PING')).toBe(BUSY)
    // allow_busy: MULTI and HELLO run; EXEC is refused, which ends the transaction.
    expect(await ask(b, 'MULTI')).toBe('+OK\r\n')
    expect(await ask(b, 'GET', 'k')).toBe(BUSY)
    expect(await ask(b, 'EXEC')).toBe(`-EXECABORT Transaction discarded because of: ${BUSY.slice(1)}`)
    expect(await ask(b, 'HELLO', '2')).toMatch(/^\*14\r\n\$6\r\nserver\r\n/)
    // Only SHUTDOWN NOSAVE, and the kill of the running kind.
    expect(await ask(b, 'SHUTDOWN')).toBe(BUSY)
    expect(await ask(b, 'FUNCTION', 'KILL')).toBe(BUSY)
    expect(await ask(b, 'FUNCTION', 'STATS')).toBe(BUSY)
    // A command split across reads is kept by the client's decoder, not lost.
    b.write('*3\r\n$3\r\nSET\r\n$1\r\nk')
    await new Promise((r) => setTimeout(r, 50))
    // A connection made now (as redis-cli does for SCRIPT KILL).
    const late = await connect(s.port)
    expect(await ask(late, 'PING')).toBe(BUSY)
    if (hasRedisCli) {
      expect(await redisCli(s.port, 'GET', 'k')).toBe(BUSY.slice(1, -2))
      expect(await redisCli(s.port, 'SCRIPT', 'KILL')).toBe('OK')
    } else {
      expect(await ask(late, 'SCRIPT', 'KILL')).toBe('+OK\r\n')
    }
    expect(await a.read(1)).toBe(`-ERR Script killed by user with SCRIPT KILL... script: ${SPIN_SHA}, on @user_script:1.\r\n`)
    expect(s.log()).toContain('Lua script killed by user with SCRIPT KILL.')
    // Served normally again: the rest of the split SET, the late connection, everyone.
    b.write('\r\n$2\r\nv2\r\n')
    expect(await b.read(5)).toBe('+OK\r\n')
    expect(await ask(b, 'GET', 'k')).toBe('$2\r\nv2\r\n')
    expect(await ask(late, 'PING')).toBe('+PONG\r\n')
    expect(await ask(a, 'EVAL', 'return 1', '0')).toBe(':1\r\n')
    expect(await ask(b, 'SCRIPT', 'KILL')).toBe('-NOTBUSY No scripts in execution right now.\r\n')
    if (hasRedisCli) expect(await redisCli(s.port, 'PING')).toBe('PONG')
  })

  it('serves nothing else before the threshold: the script is atomic', async () => {
    const s = await start()
    const a = await connect(s.port)
    const b = await connect(s.port)
    expect(await ask(b, 'CONFIG', 'SET', 'busy-reply-threshold', '60000')).toBe('+OK\r\n')
    const order: string[] = []
    a.write(resp('EVAL', 'local n = 0 for i = 1, 1e8 do n = n + 1 end return n', '0'))
    const ra = a.read(1, 20_000).then((r) => order.push(`a${r}`))
    await new Promise((r) => setTimeout(r, 50))
    const rb = ask(b, 'PING').then((r) => order.push(`b${r}`))
    await Promise.all([ra, rb])
    expect(order).toEqual([':100000000\r\n', '+PONG\r\n'].map((r, i) => (i === 0 ? 'a' : 'b') + r))
    expect(s.log()).not.toMatch(/Slow script detected/)
  })

  it('refuses to kill a script that wrote; SHUTDOWN NOSAVE stops the server', async () => {
    const s = await start()
    const a = await connect(s.port)
    const b = await connect(s.port)
    a.write(resp('EVAL', "redis.call('set', 'x', '1') while true do end", '0'))
    await busy(s)
    const unkillable = '-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n'
    expect(await ask(b, 'SCRIPT', 'KILL')).toBe(unkillable)
    expect(await ask(b, 'SHUTDOWN', 'SAVE')).toBe(BUSY)
    if (hasRedisCli) {
      // From a new connection; as Redis, no reply: the connection just closes.
      expect(await redisCli(s.port, 'SCRIPT', 'KILL')).toBe(unkillable.slice(1, -2))
      await redisCli(s.port, 'SHUTDOWN', 'NOSAVE').catch(() => '')
    } else {
      b.write(resp('SHUTDOWN', 'NOSAVE'))
    }
    expect(await s.exited).toBe(0)
    expect(await a.waitClosed()).toBe(true)
    expect(await b.waitClosed()).toBe(true)
    expect(s.log()).toContain('User requested shutdown...')
  })

  it('FUNCTION KILL is NOTBUSY with nothing running', async () => {
    const s = await start()
    const b = await connect(s.port)
    expect(await ask(b, 'FUNCTION', 'KILL')).toBe('-NOTBUSY No scripts in execution right now.\r\n')
  })

  it('a busy FCALL: -BUSY names FUNCTION KILL, SCRIPT KILL is refused, FUNCTION KILL stops it', async () => {
    const s = await start()
    const a = await connect(s.port)
    const b = await connect(s.port)
    const library = "#!lua name=spinlib\nredis.register_function('spin', function()\n  while true do end\nend)"
    expect(await ask(b, 'FUNCTION', 'LOAD', library)).toBe('$7\r\nspinlib\r\n')
    a.write(resp('FCALL', 'spin', '0'))
    for (let i = 0; i < 200 && !/Slow script detected/.test(s.log()); i++) await new Promise((r) => setTimeout(r, 10))
    expect(s.log()).toContain('You can try killing the script using the FUNCTION KILL command. Script name is: spin.')
    const busyFn = '-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n'
    expect(await ask(b, 'GET', 'k')).toBe(busyFn)
    expect(await ask(b, 'SCRIPT', 'KILL')).toBe(busyFn)
    const stats = await ask(b, 'FUNCTION', 'STATS')
    expect(stats).toContain('$4\r\nname\r\n$4\r\nspin\r\n')
    const late = await connect(s.port)
    expect(await ask(late, 'FUNCTION', 'KILL')).toBe('+OK\r\n')
    // Redis 7.0 names SCRIPT KILL in this error whichever stopped it (checked against 7.0.15).
    expect(await a.read(1)).toBe('-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:3.\r\n')
    expect(await ask(b, 'PING')).toBe('+PONG\r\n')
    expect(await ask(late, 'FUNCTION', 'KILL')).toBe('-NOTBUSY No scripts in execution right now.\r\n')
  })
})
