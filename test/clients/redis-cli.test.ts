import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { RawClient } from '../helpers/raw.js'
import { hasTool, missingTool, startRespite } from '../helpers/servers.js'

const skipCli = missingTool('redis-cli')
const skipTmux = skipCli ?? missingTool('tmux')

/** redis-cli as a child process; asynchronous, since the server runs in this process. */
function cli(port: number, ...args: string[]): Promise<{ stdout: string; status: number | null }> {
  return new Promise((resolve) => {
    const child = spawn('redis-cli', ['-p', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('latin1')
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ stdout, status })
    })
  })
}

async function out(port: number, ...args: string[]): Promise<string> {
  return (await cli(port, ...args)).stdout
}

/** Runs an endless redis-cli mode until its output satisfies `done`, then stops it. */
function runUntil(port: number, args: string[], done: (out: string) => boolean, limitMs = 8000): Promise<string> {
  // stdbuf makes redis-cli's stdio line-buffered on a pipe, as it would be on a terminal.
  const [cmd, cmdArgs] = hasTool('stdbuf') ? ['stdbuf', ['-oL', 'redis-cli', '-p', String(port), ...args]] : ['redis-cli', ['-p', String(port), ...args]]
  return new Promise((resolve) => {
    const child = spawn(cmd as string, cmdArgs as string[], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const finish = () => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      resolve(out)
    }
    const timer = setTimeout(finish, limitMs)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1')
      if (done(out)) finish()
    })
    child.on('exit', () => {
      clearTimeout(timer)
      resolve(out)
    })
  })
}

describe.skipIf(skipCli !== null)('redis-cli', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startRespite()
  })
  afterAll(() => server.close())

  it('runs one-shot commands: SET, GET, INFO, CONFIG GET, CLIENT LIST, COMMAND COUNT', async () => {
    expect(await out(server.port, 'SET', 'cli-k', 'hello world')).toBe('OK\n')
    expect(await out(server.port, 'GET', 'cli-k')).toBe('hello world\n')
    const info = await cli(server.port, 'INFO')
    expect(info.status).toBe(0)
    expect(info.stdout).toContain('redis_version:7.0.15')
    expect(info.stdout).toContain('# Keyspace')
    expect(await out(server.port, 'CONFIG', 'GET', 'maxmemory')).toBe('maxmemory\n0\n')
    expect(await out(server.port, 'CLIENT', 'LIST')).toMatch(/^id=\d+ addr=127\.0\.0\.1:\d+ .* cmd=client\|list /)
    expect(await out(server.port, 'COMMAND', 'COUNT')).toMatch(/^\d+\n$/)
    expect(await out(server.port, 'NOSUCH')).toBe("ERR unknown command 'NOSUCH', with args beginning with: \n\n")
  })

  it('speaks RESP3 with -3 (HELLO 3 first)', async () => {
    expect(await out(server.port, '-3', 'CONFIG', 'GET', 'maxmemory')).toBe('maxmemory 0\n')
    const hello = await out(server.port, '-3', 'HELLO', '3')
    expect(hello).toContain('proto 3')
    expect(hello).toContain('version 7.0.15')
    expect(await out(server.port, '-3', 'GET', 'cli-missing')).toBe('\n')
  })

  it('--scan lists keys by pattern', async () => {
    for (let i = 0; i < 30; i++) await out(server.port, 'SET', `scan:${i}`, 'x')
    await out(server.port, 'SET', 'other', 'x')
    const keys = (await out(server.port, '--scan', '--pattern', 'scan:*')).trim().split('\n').sort()
    expect(keys).toEqual(Array.from({ length: 30 }, (_, i) => `scan:${i}`).sort())
  })

  it('--latency --raw samples for a second and prints min, max, avg and count', async () => {
    const r = await cli(server.port, '--latency', '--raw')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^\d+ \d+ \d+\.\d\d \d+\n$/)
  })

  it('--latency-history prints running samples', async () => {
    const out = await runUntil(server.port, ['--latency-history', '-i', '1'], (o) => o.split('\n').length > 3)
    expect(out.split('\n')[0]).toMatch(/^\d+ \d+ \d+\.\d\d \d+$/)
  })

  it('--stat shows keys, memory, clients and requests from INFO', async () => {
    const out = await runUntil(server.port, ['--stat', '-i', '0.1'], (o) => o.split('\n').length > 4)
    const lines = out.split('\n')
    expect(lines[0]).toContain('------- data ------')
    expect(lines[1]).toMatch(/^keys\s+mem\s+clients\s+blocked\s+requests\s+connections/)
    expect(lines[2]).toMatch(/^\d+\s+\d+\.\d+[BKMG]\s+\d+\s+0\s+\d+ \(\+\d+\)\s+\d+/)
  })

  it('--eval runs a Lua file with keys before the comma and arguments after it (EVAL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respite-eval-'))
    const file = join(dir, 'script.lua')
    writeFileSync(file, "redis.call('set', KEYS[1], ARGV[1])\nreturn {KEYS[1], redis.call('get', KEYS[1]), #ARGV}\n")
    try {
      expect(await out(server.port, '--eval', file, 'evalkey', ',', 'value', 'more')).toBe('evalkey\nvalue\n2\n')
      writeFileSync(file, 'return nosuch\n')
      const failed = await out(server.port, '--eval', file)
      expect(failed).toMatch(/^ERR user_script:1: Script attempted to access nonexistent global variable 'nosuch' script: [0-9a-f]{40}, on @user_script:1\.\n\n$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('accepts telnet-style inline commands', async () => {
    const c = await RawClient.connect(server.port)
    expect(await c.roundTrip('PING\r\n', 7)).toBe('+PONG\r\n')
    expect(await c.roundTrip('SET inline "a b"\r\n', 5)).toBe('+OK\r\n')
    expect(await c.roundTrip('GET inline\n', 9)).toBe('$3\r\na b\r\n')
    expect(await c.roundTrip('CONFIG GET timeout\r\n', 24)).toBe('*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n')
    c.close()
  })
})

describe.skipIf(skipTmux !== null)('redis-cli interactive (tmux)', () => {
  let server: RunningServer
  const socket = `respite-cli-${process.pid}`
  const session = 'cli'
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
  const screen = () => tmux('capture-pane', '-t', session, '-p').stdout
  async function waitScreen(pred: (s: string) => boolean): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const s = screen()
      if (pred(s)) return s
      await new Promise((r) => setTimeout(r, 25))
    }
    return screen()
  }

  beforeAll(async () => {
    server = await startRespite()
    tmux('new-session', '-d', '-s', session, '-x', '220', '-y', '30', `redis-cli -p ${server.port}`)
    await waitScreen((s) => s.includes(`127.0.0.1:${server.port}>`))
  })
  afterAll(async () => {
    tmux('kill-server')
    await server.close()
  })

  it('shows command hints built from COMMAND DOCS (SET, HELLO, CLIENT KILL, CONFIG SET)', async () => {
    const expectations: [string, string][] = [
      ['SET ', 'SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]'],
      ['HELLO ', 'HELLO [protover [AUTH username password] [SETNAME clientname]]'],
      ['CLIENT KILL ', 'CLIENT KILL ip:port|[ID client-id]|[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]|[USER username]'],
      ['CONFIG SET ', 'CONFIG SET parameter value [parameter value ...]'],
    ]
    for (const [typed, shown] of expectations) {
      tmux('send-keys', '-t', session, 'C-u', typed)
      const s = await waitScreen((x) => x.includes(shown))
      expect(s).toContain(shown)
    }
    tmux('send-keys', '-t', session, 'C-u')
  })

  it('runs commands typed at the prompt', async () => {
    tmux('send-keys', '-t', session, 'C-u', 'SET typed 42', 'Enter')
    expect(await waitScreen((s) => s.includes('OK'))).toContain('OK')
    tmux('send-keys', '-t', session, 'INCR typed', 'Enter')
    expect(await waitScreen((s) => s.includes('(integer) 43'))).toContain('(integer) 43')
    tmux('send-keys', '-t', session, 'CLIENT SETNAME "bad name"', 'Enter')
    const s = await waitScreen((x) => x.includes('Client names cannot contain spaces'))
    expect(s).toContain('(error) ERR Client names cannot contain spaces, newlines or special characters.')
  })
})
