import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canConnect, freePort } from '../helpers/servers.js'

/**
 * bench-floor.mjs divides the floor server's CPU time by the requests redis-benchmark
 * sent, so the floor must answer exactly one reply per request, whatever the reads
 * look like, and on respite's direct I/O path.
 */
describe('the Node floor server (scripts/bench/floor-server.mjs)', () => {
  let child: ChildProcess
  let port: number

  beforeAll(async () => {
    port = await freePort()
    child = spawn(process.execPath, ['scripts/bench/floor-server.mjs', '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr!.on('data', (d) => (stderr += d))
    for (let i = 0; ; i++) {
      if (await canConnect(port)) break
      if (i === 100 || child.exitCode !== null) throw new Error(`floor server did not start: ${stderr}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  })

  afterAll(() => {
    child?.kill('SIGTERM')
  })

  it('answers one +PONG per request, for requests split across reads', async () => {
    const get = '*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n'
    const requests = get.repeat(100) + '*1\r\n$4\r\nPING\r\n'
    const socket = net.connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    let received = ''
    socket.on('data', (d) => (received += d.toString('latin1')))
    await new Promise((r) => socket.once('connect', r))
    // The first write ends inside a request, which is counted where its '*' arrives.
    socket.write(requests.slice(0, 50))
    await new Promise((r) => setTimeout(r, 20))
    socket.write(requests.slice(50))
    for (let i = 0; i < 100 && received.length < 101 * 7; i++) await new Promise((r) => setTimeout(r, 10))
    await new Promise((r) => setTimeout(r, 50))
    socket.destroy()
    expect(received).toBe('+PONG\r\n'.repeat(101))
  })
})
