import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { vi } from 'vitest'
import { startServer, type RunningServer, type StartOptions } from '../../src/index.js'

/**
 * Options for a test server: an OS-chosen port, no log, and unless the test gives
 * one, a `dir` of its own. Like redis-server, a server loads `dir`/dump.rdb at start
 * and FLUSHALL or SHUTDOWN with save points write it, so servers sharing the working
 * directory would load one another's data. `cleanup` removes that directory.
 */
function testOptions(options: StartOptions): { options: StartOptions; cleanup: () => void } {
  if (options.config?.dir !== undefined) return { options: { port: 0, loglevel: 'nothing', ...options }, cleanup: () => {} }
  const dir = mkdtempSync(join(tmpdir(), 'respite-test-'))
  return {
    options: { port: 0, loglevel: 'nothing', ...options, config: { ...options.config, dir } },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

async function startIn(start: typeof startServer, given: StartOptions): Promise<RunningServer> {
  const { options, cleanup } = testOptions(given)
  let server: RunningServer
  try {
    server = await start(options)
  } catch (e) {
    cleanup()
    throw e
  }
  const close = server.close.bind(server)
  server.close = async () => {
    try {
      await close()
    } finally {
      cleanup()
    }
  }
  return server
}

/** A respite server in this process on an OS-chosen port. Close it in afterAll. */
export function startRespite(options: StartOptions = {}): Promise<RunningServer> {
  return startIn(startServer, options)
}

/** Runs `f` against a respite server started for it, closed afterwards whatever `f` does. */
export async function withServer<T>(options: StartOptions, f: (s: RunningServer) => Promise<T>): Promise<T> {
  const s = await startRespite(options)
  try {
    return await f(s)
  } finally {
    await s.close()
  }
}

/**
 * Like startRespite, from a fresh module graph with direct I/O (fast-io.ts) on or
 * off: the choice is made when that module loads.
 */
export async function startWithIo(fastIo: boolean, options: StartOptions = {}): Promise<RunningServer> {
  vi.resetModules()
  if (fastIo) delete process.env.RESPITE_NO_FAST_IO
  else process.env.RESPITE_NO_FAST_IO = '1'
  try {
    const fresh = await import('../../src/index.js')
    return await startIn(fresh.startServer, options)
  } finally {
    delete process.env.RESPITE_NO_FAST_IO
  }
}

/** Whether a Debian tool (redis-server, redis-cli, redis-benchmark) is installed. */
export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
}

/**
 * Why a test that needs `tool` cannot run here, or null when it can. In CI the tools
 * are installed by .ci/run, so a missing one is an error there rather than a skip.
 */
export function missingTool(tool: string): string | null {
  if (hasTool(tool)) return null
  if (process.env.CI) throw new Error(`${tool} is required in CI (.ci/run installs it)`)
  return `${tool} is not installed (apt-get install redis-tools redis-server)`
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

export interface RedisProcess {
  port: number
  process: ChildProcess
  stop(): Promise<void>
}

/** A real redis-server (the reference) on a spare port, with persistence off. */
export async function startRedis(extraArgs: string[] = []): Promise<RedisProcess> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...extraArgs], {
    stdio: 'ignore',
  })
  for (let i = 0; i < 100; i++) {
    if (await canConnect(port)) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      }),
  }
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

/**
 * Runs redis-benchmark in quiet mode (-q) against a server on this host, without
 * blocking the event loop an in-process server needs, and resolves with its exit code
 * and everything it printed. A run past a minute is killed.
 */
export function redisBenchmark(port: number, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-q', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString('latin1')))
    child.stderr.on('data', (d: Buffer) => (output += d.toString('latin1')))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}
