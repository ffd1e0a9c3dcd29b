import { spawn, spawnSync } from 'node:child_process'

/**
 * redis-py, the Python client, for tests that drive respite from Python. Debian's
 * python3-redis lives under /usr/bin, which may not be the python3 on PATH.
 */
function findPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import redis'], { stdio: 'ignore' }).status === 0) return py
  }
  return null
}

/** The first Python that can import redis, or null. */
export const python = findPython()
if (python === null && process.env.CI) throw new Error('python3 with the redis package is required in CI (.ci/run installs python3-redis)')

/** Why redis-py tests cannot run here, or null when they can. */
export const pythonSkipReason = python === null ? 'python3 cannot import redis (apt-get install python3-redis)' : null

/** Runs a Python script (passed with -c) with arguments; resolves with its output and status. */
export function runPython(script: string, args: string[]): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(python!, ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status) => resolve({ stdout, stderr, status }))
  })
}
