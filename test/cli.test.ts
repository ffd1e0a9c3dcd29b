import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, resp } from './helpers/raw.js'
import { missingTool } from './helpers/servers.js'

/**
 * The respite-server command as users run it: the compiled CLI in dist/, which
 * `npm test` builds before vitest runs. RESPITE_DIST points elsewhere for a build made
 * outside the shared dist/ (the directory needs node_modules reachable).
 */

const root = resolve(import.meta.dirname, '..')
const dist = process.env.RESPITE_DIST ?? join(root, 'dist')
const cli = join(dist, 'cli.js')

interface Running {
  child: ChildProcess
  port: number
  log: () => string
  exited: Promise<number | null>
}

/** Starts the CLI and resolves once it logs that it is ready, with the port it chose. */
async function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (d) => (output += d.toString('latin1')))
  child.stderr!.on('data', (d) => (output += d.toString('latin1')))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  for (let i = 0; i < 200 && !/Ready to accept connections/.test(output) && child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 25))
  }
  const m = /Running mode=standalone, port=(\d+)\./.exec(output)
  if (!m || !/Ready to accept connections/.test(output)) {
    child.kill('SIGKILL')
    throw new Error(`respite-server did not start: ${output}`)
  }
  return { child, port: Number(m[1]), log: () => output, exited }
}

function runCli(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'latin1', timeout: 20_000 })
}

describe('respite-server CLI', () => {
  let scratch: string
  const running: Running[] = []
  beforeAll(() => {
    if (!existsSync(cli)) {
      // `npm test` builds first; a bare `vitest run` may not have.
      const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'latin1', timeout: 120_000 })
      if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`)
    }
    scratch = mkdtempSync(join(tmpdir(), 'respite-cli-'))
  })
  afterAll(() => {
    for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL')
    rmSync(scratch, { recursive: true, force: true })
  })

  it('--help lists the options and exits 0', () => {
    const r = runCli(['--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('respite-server')
    for (const flag of ['--port', '--bind', '--requirepass', '--mini-port', '--memcached-port', '--loglevel', '--help', 'config-file']) {
      expect(r.stdout).toContain(flag)
    }
  })

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
    const r = runCli(['--version'])
    expect(r.status).toBe(0)
    expect(r.stdout.trim()).toBe(pkg.version)
  })

  it('package.json bin respite-server points at the built CLI, which has a shebang and is executable', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> }
    expect(resolve(root, pkg.bin['respite-server'])).toBe(join(root, 'dist', 'cli.js'))
    expect(readFileSync(cli, 'latin1').startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(() => accessSync(cli, constants.X_OK)).not.toThrow()
    // Run through the shebang, not through node.
    const r = spawnSync(cli, ['--version'], { cwd: root, encoding: 'latin1', timeout: 20_000 })
    expect(r.status).toBe(0)
  })

  it('logs a Redis-style banner, serves clients, and exits 0 on SIGTERM', async () => {
    const r = await startCli(['--port', '0', '--loglevel', 'notice'])
    running.push(r)
    const log = r.log()
    expect(log).toMatch(/redis_version=7\.0\.15/)
    expect(log).toMatch(/respite version=\d+\.\d+\.\d+/)
    // The server may run in a child sized for the heap (heap.ts): the log names it.
    const pid = Number(/pid=(\d+)/.exec(log)![1])
    expect(log).toContain(`port=${r.port}`)
    // Redis's log line shape: pid:role day month year time level-mark message.
    expect(log).toMatch(new RegExp(`^${pid}:M \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} \\* Ready to accept connections$`, 'm'))
    const c = await RawClient.connect(r.port)
    expect(await c.roundTrip(resp('PING'), 7)).toBe('+PONG\r\n')
    const info = await c.roundTrip(resp('INFO', 'server'), 200)
    expect(info).toContain(`process_id:${pid}`)
    c.close()
    r.child.kill('SIGTERM')
    expect(await r.exited).toBe(0)
    expect(r.log()).toContain('Received SIGTERM scheduling shutdown...')
  })

  it('exits 0 on SIGINT', async () => {
    const r = await startCli(['--port', '0'])
    running.push(r)
    // A connected client must not keep it from exiting.
    const c = await RawClient.connect(r.port)
    r.child.kill('SIGINT')
    expect(await r.exited).toBe(0)
    expect(await c.waitClosed()).toBe(true)
  })

  it('honours a redis.conf-style file with Redis directive names, and flags override it', async () => {
    const conf = join(scratch, 'respite.conf')
    writeFileSync(conf, [
      '# A redis.conf subset',
      'port 0',
      '',
      'requirepass "s3cret pass"',
      'databases 4',
      'loglevel notice',
      'maxmemory-policy allkeys-lru',
      'save ""',
    ].join('\n'))
    const r = await startCli([conf, '--databases', '6', '--hz', '20'])
    running.push(r)
    const c = await RawClient.connect(r.port)
    expect(await c.roundTrip(resp('PING'), 31)).toBe('-NOAUTH Authentication required.\r\n')
    expect(await c.roundTrip(resp('AUTH', 's3cret pass'), 5)).toBe('+OK\r\n')
    expect(await c.roundTrip(resp('CONFIG', 'GET', 'maxmemory-policy'), 44)).toBe('*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n')
    expect(await c.roundTrip(resp('CONFIG', 'GET', 'databases'), 25)).toBe('*2\r\n$9\r\ndatabases\r\n$1\r\n6\r\n')
    expect(await c.roundTrip(resp('CONFIG', 'GET', 'hz'), 18)).toBe('*2\r\n$2\r\nhz\r\n$2\r\n20\r\n')
    expect(await c.roundTrip(resp('SELECT', '5'), 5)).toBe('+OK\r\n')
    expect(await c.roundTrip(resp('SELECT', '6'), 31)).toBe('-ERR DB index is out of range\r\n')
    c.close()
    r.child.kill('SIGTERM')
    expect(await r.exited).toBe(0)
  })

  it('refuses a bad directive or a missing file with exit code 1', () => {
    const conf = join(scratch, 'bad.conf')
    writeFileSync(conf, 'port 0\nno-such-directive 1\n')
    const bad = runCli([conf])
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain('FATAL CONFIG FILE ERROR')
    expect(bad.stderr).toContain('no-such-directive')
    const missing = runCli([join(scratch, 'missing.conf')])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain("can't open config file")
    const badValue = runCli(['--port', 'abc'])
    expect(badValue.status).toBe(1)
    expect(badValue.stderr).toContain('FATAL CONFIG FILE ERROR')
  })

  it('exits 0 after SHUTDOWN', async () => {
    const r = await startCli(['--port', '0'])
    running.push(r)
    const c = await RawClient.connect(r.port)
    c.write(resp('SHUTDOWN', 'NOSAVE'))
    expect(await r.exited).toBe(0)
    expect(await c.waitClosed()).toBe(true)
  })

  it.skipIf(missingTool('redis-cli') !== null)('answers redis-cli', async () => {
    const r = await startCli(['--port', '0', '--mini-port', '0'])
    running.push(r)
    expect(r.log()).toMatch(/Mini Redis dialect on port \d+\./)
    const cliRun = (...args: string[]) =>
      spawnSync('redis-cli', ['-p', String(r.port), ...args], { encoding: 'latin1', timeout: 10_000 }).stdout.trim()
    expect(cliRun('PING')).toBe('PONG')
    expect(cliRun('SET', 'k', 'hello world')).toBe('OK')
    expect(cliRun('GET', 'k')).toBe('hello world')
    expect(cliRun('--no-raw', 'GET', 'k')).toBe('"hello world"')
    expect(cliRun('-3', 'GET', 'k')).toBe('hello world')
    r.child.kill('SIGTERM')
    expect(await r.exited).toBe(0)
  })

  it.skipIf(missingTool('memccat') !== null)('serves memcached on --memcached-port', async () => {
    const r = await startCli(['--port', '0', '--memcached-port', '0'])
    running.push(r)
    const port = Number(/memcached text protocol on port (\d+)\./.exec(r.log())![1])
    const tool = (name: string, ...args: string[]) => spawnSync(name, [`--servers=127.0.0.1:${port}`, ...args], { encoding: 'latin1', timeout: 10_000 })
    const file = join(scratch, 'cli-mc.txt')
    writeFileSync(file, 'via memcached')
    expect(tool('memccp', file).status).toBe(0)
    expect(spawnSync('redis-cli', ['-p', String(r.port), 'GET', 'cli-mc.txt'], { encoding: 'latin1' }).stdout.trim()).toBe('via memcached')
    expect(tool('memccat', 'cli-mc.txt').stdout).toContain('via memcached')
    r.child.kill('SIGTERM')
    expect(await r.exited).toBe(0)
  })

  it('sizes the heap for maxmemory by starting the server again with --max-old-space-size', async () => {
    const pidOf = (log: string) => Number(/pid=(\d+)/.exec(log)![1])
    const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')
    // 3 GB needs a heap of 2 x 3 GB + 256 MB, past V8's default: a sized child serves.
    // set-proc-title no: the process title (proc-title-template) would replace the command line read here.
    const big = await startCli(['--port', '0', '--maxmemory', '3gb', '--loglevel', 'notice', '--set-proc-title', 'no'])
    running.push(big)
    const child = pidOf(big.log())
    expect(child).not.toBe(big.child.pid)
    expect(cmdline(child)).toContain(`--max-old-space-size=${(3 * 1024 + 3 * 1024 + 256)}`)
    // V8's memory reducer would stop the server for a full collection when load resumes after a quiet spell (heap.ts).
    expect(cmdline(child)).toContain('--no-memory-reducer')
    // A signal to the parent reaches the server, and its status comes back.
    big.child.kill('SIGTERM')
    expect(await big.exited).toBe(0)
    expect(big.log()).toContain('Received SIGTERM scheduling shutdown...')
    // 100 MB fits the default heap: no second process.
    const small = await startCli(['--port', '0', '--maxmemory', '100mb', '--loglevel', 'notice'])
    running.push(small)
    expect(pidOf(small.log())).toBe(small.child.pid)
    small.child.kill('SIGTERM')
    expect(await small.exited).toBe(0)
  })

  it('stops the sized server when its parent is killed outright', async () => {
    const r = await startCli(['--port', '0', '--loglevel', 'notice'])
    running.push(r)
    const child = Number(/pid=(\d+)/.exec(r.log())![1])
    expect(child).not.toBe(r.child.pid)
    r.child.kill('SIGKILL')
    await r.exited
    let alive = true
    for (let i = 0; i < 100 && alive; i++) {
      await new Promise((res) => setTimeout(res, 50))
      alive = existsSync(`/proc/${child}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${child}/status`, 'latin1'))
    }
    expect(alive).toBe(false)
  })
})
