// Starting respite and redis-server for the benchmarks, and reading their CPU time
// and memory from /proc.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Clock ticks per second for /proc/PID/stat times (almost always 100). */
export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

/** The value after `--name` on the command line, or `fallback`: the bench scripts' options. */
export function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`, 2)
  return i >= 0 ? process.argv[i + 1] : fallback
}

/** An unused TCP port on 127.0.0.1, never 6379. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => (port === 6379 ? freePort().then(resolve, reject) : resolve(port)))
    })
  })
}

/** Runs redis-cli against a port and returns its output (RESP2, raw). */
export function cli(port, args, input) {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    encoding: 'latin1',
    input,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'ignore'],
  })
}

/**
 * spawn() arguments that run `command` with the soft open-files limit raised to the
 * hard one, as a server that is to hold 10,000 connections needs (the soft limit is
 * often 1024). `exec` keeps the PID.
 */
export function withFdLimit(command, args) {
  return ['sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', command, ...args]]
}

/** Waits up to `tries` × 50 ms (and the PINGs' own time) for PONG. */
export async function waitForPing(port, child, name, tries = 400) {
  for (let i = 0; i < tries; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before answering`)
    try {
      if (cli(port, ['PING']).trim() === 'PONG') return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${name} did not answer PING on port ${port}`)
}

/**
 * The PID that serves the port: INFO's process_id when the server reports one (the
 * CLI may run the server in a child process), else the spawned process.
 */
function servingPid(port, child) {
  try {
    const m = /process_id:(\d+)/.exec(cli(port, ['INFO', 'server']))
    if (m && existsPid(Number(m[1]))) return Number(m[1])
  } catch {
    // INFO not available: fall through
  }
  return child.pid
}

function existsPid(pid) {
  try {
    readFileSync(`/proc/${pid}/stat`)
    return true
  } catch {
    return false
  }
}

/**
 * A server under test: `name`, `port`, `pid`, and `stop()`. `kind` is 'respite' or
 * 'redis' (bench-floor.mjs adds 'floor').
 */
export class ServerProcess {
  constructor(name, kind, port, child) {
    this.name = name
    this.kind = kind
    this.port = port
    this.child = child
    this.pid = child.pid
    /** Runs once the process has exited (e.g. removes a private directory). */
    this.cleanup = null
  }

  /** utime + stime in clock ticks. */
  cpuTicks() {
    return cpuTicks(this.pid)
  }

  /** Resident set size in bytes. */
  rss() {
    return rssBytes(this.pid)
  }

  stop() {
    const child = this.child
    const cleanup = this.cleanup
    return new Promise((resolve) => {
      if (cleanup) child.once('exit', cleanup)
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
  }
}

/**
 * Starts respite's CLI (`node [nodeFlags] cli.js --port P`) exactly as a user would,
 * plus any extra server arguments.
 */
export async function startRespite({ name = 'respite', cliPath, nodeFlags = [], args = [], env = {} }) {
  const port = await freePort()
  const child = spawn(...withFdLimit(process.execPath, [...nodeFlags, cliPath, '--port', String(port), '--bind', '127.0.0.1', '--loglevel', 'warning', ...args]), {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...env },
  })
  const server = new ServerProcess(name, 'respite', port, child)
  await waitForPing(port, child, name)
  server.pid = servingPid(port, child)
  return server
}

/** redis-server's arguments for a bench: loopback, `dir` as working directory, persistence off. */
export function redisArgs(port, dir) {
  return ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning']
}

/** Starts the Debian redis-server with persistence off. */
export async function startRedis({ name = 'redis', args = [] } = {}) {
  const port = await freePort()
  // A private, empty working directory: redis-server loads any dump.rdb it finds.
  const dir = mkdtempSync(join(tmpdir(), 'respite-bench-redis-'))
  const child = spawn(...withFdLimit('redis-server', [...redisArgs(port, dir), '--daemonize', 'no', ...args]), {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const server = new ServerProcess(name, 'redis', port, child)
  server.cleanup = () => rmSync(dir, { recursive: true, force: true })
  await waitForPing(port, child, name)
  return server
}

export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after "(comm) ".
  return Number(fields[11]) + Number(fields[12])
}

export function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))
  return m ? Number(m[1]) * 1024 : NaN
}

/** One line describing the machine, for the report. */
export function machineLine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'latin1')
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU'
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'latin1'))?.[1] ?? 0)
  const kernel = readFileSync('/proc/sys/kernel/osrelease', 'latin1').trim()
  let os = 'Linux'
  try {
    os = /PRETTY_NAME="([^"]*)"/.exec(readFileSync('/etc/os-release', 'latin1'))?.[1] ?? os
  } catch {
    // keep 'Linux'
  }
  let redis = 'redis-server ?'
  try {
    redis = 'Redis ' + (/v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'latin1' }))?.[1] ?? '?')
  } catch {
    // not installed: startRedis will fail later with a clearer message
  }
  const gib = (memKb / 1024 / 1024).toFixed(0)
  return `${model}, ${cores} vCPU, ${gib} GiB RAM, ${os} (kernel ${kernel}), Node ${process.version}, ${redis}; load generator redis-benchmark on the same host`
}
