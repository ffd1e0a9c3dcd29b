import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { freePort } from './servers.js'

/**
 * respite-server and redis-server as processes, started with a config file and
 * command-line directives the way users start them. The CLI is the compiled one in
 * dist/ (`npm test` builds it first; RESPITE_DIST points elsewhere).
 */

const root = resolve(import.meta.dirname, '../..')
export const cli = join(process.env.RESPITE_DIST ?? join(root, 'dist'), 'cli.js')

export interface Running {
  child: ChildProcess
  port: number
  /** Everything it printed so far (stdout and stderr). */
  log(): string
  exited: Promise<number | null>
  stop(): Promise<void>
}

export interface SpawnOptions {
  cwd?: string
  /** Written to its standard input, which is then closed. */
  input?: string
}

function track(child: ChildProcess, input: string | undefined) {
  let output = ''
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('latin1')))
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('latin1')))
  if (input !== undefined) child.stdin!.end(input)
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  }
  return { log: () => output, exited, stop }
}

/** Starts respite-server and resolves once it logs that it is ready, with the port it chose. */
export async function startCli(args: string[], options: SpawnOptions = {}): Promise<Running> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`)
  const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd ?? root, stdio: ['pipe', 'pipe', 'pipe'] })
  const t = track(child, options.input ?? '')
  for (let i = 0; i < 400 && !/Ready to accept connections/.test(t.log()) && child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 25))
  }
  const m = /Running mode=standalone, port=(\d+)\./.exec(t.log())
  if (!m || !/Ready to accept connections/.test(t.log())) {
    await t.stop()
    throw new Error(`respite-server did not start: ${t.log()}`)
  }
  return { child, port: Number(m[1]), ...t }
}

/** Runs respite-server to completion (for the ones that must refuse to start). */
export function runCli(args: string[], options: SpawnOptions = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? root,
    encoding: 'latin1',
    timeout: 20_000,
    input: options.input ?? '',
  })
}

/** Starts redis-server with a config file and directives on a spare port, once it accepts connections. */
export async function startRedisWithConfig(file: string, args: string[], options: SpawnOptions = {}): Promise<Running> {
  const port = await freePort()
  const child = spawn('redis-server', [file, '--port', String(port), ...args], { cwd: options.cwd ?? root, stdio: ['pipe', 'pipe', 'pipe'] })
  const t = track(child, options.input ?? '')
  for (let i = 0; i < 200 && !/Ready to accept connections/.test(t.log()) && child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 25))
  }
  if (!/Ready to accept connections/.test(t.log())) {
    await t.stop()
    throw new Error(`redis-server did not start: ${t.log()}`)
  }
  return { child, port, ...t }
}
