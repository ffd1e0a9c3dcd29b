import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { answersPing, fuzz, loadModel } from '../../scripts/fuzz/driver.mjs'
import { command } from '../../src/commands/spec.js'
import { CommandTable, families } from '../../src/commands/table.js'
import { Config } from '../../src/server/config.js'
import { Server } from '../../src/server/server.js'
import { startCli, type Running } from '../helpers/cli.js'
import { RawClient, resp } from '../helpers/raw.js'

/**
 * The fuzzer of scripts/fuzz.mjs, at CI size: respite-server as a child process (so a
 * crash shows as an exit) gets a fixed, seeded run of valid, reshaped and junk frames
 * covering every command in its table. Longer runs: node scripts/fuzz.mjs.
 */

const FRAMES = 500_000
const SEED = 7
/**
 * Peak resident memory allowed, VmHWM of the serving process. Measured: about 62 MB
 * at start and 105 to 130 MB at the peak over 1M-frame runs with several seeds. The
 * generator keeps keys and values small (values of a few KB at most, typed keys reset
 * every few batches, FLUSHALL among the commands), so only memory the server fails to
 * give back, or a reply it builds without bound, goes past four times that.
 */
const MAX_PEAK_RSS = 512 * 1024 * 1024

let server: Running | undefined
afterAll(() => server?.stop())

function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))
  return Number(m![1]) * 1024
}

describe('fuzzing respite-server', () => {
  it(`survives ${FRAMES} random and malformed frames with no internal error`, async () => {
    server = await startCli(['--port', '0', '--save', '', '--bind', '127.0.0.1'])
    // The CLI may have started the server again in a child sized for the heap (heap.ts).
    const c = await RawClient.connect(server.port)
    const info = await c.roundTrip(resp('INFO', 'server'), 1000)
    c.close()
    const pid = Number(/process_id:(\d+)/.exec(info)![1])
    let exited = false
    void server.exited.then(() => (exited = true))

    const model = await loadModel(server.port)
    expect(model.length).toBeGreaterThan(150)
    const stats = await fuzz({ port: server.port, model, seed: SEED, frames: FRAMES, stopped: () => exited })

    expect(exited, server.log().slice(-2000)).toBe(false)
    expect(stats.failure).toBeNull()
    expect(await answersPing(server.port)).toBe(true)
    expect(stats.malformed).toEqual([])
    expect(stats.internalExamples).toEqual([])
    expect(stats.internalErrors).toBe(0)
    expect(stats.frames).toBeGreaterThanOrEqual(FRAMES)
    // Every command ran, and most of them succeeded at least once.
    expect(stats.commands.size).toBe(model.filter((e) => !e.container).length)
    const succeeded = [...stats.commands.values()].filter((s) => s.errors < s.sent).length
    expect(succeeded).toBeGreaterThan(stats.commands.size * 0.9)
    expect(peakRss(pid)).toBeLessThan(MAX_PEAK_RSS)
  }, 180_000)
})

describe('the fuzzer itself', () => {
  it('reports a handler that throws, with the frame that made it throw', async () => {
    // A zero count above means something only if a fault would have been counted.
    const table = new CommandTable([
      ...families.flat(),
      command({
        name: 'fzboom', arity: -2, group: 'server', since: '0', summary: 'throws on a number', syntax: 'value',
        handler: (c, argv) => {
          if (/^-?\d+$/.test(argv[1])) throw new RangeError(`bad ${argv[1]}`)
          c.out.simple('OK')
        },
      }),
    ])
    const config = new Config()
    config.set('port', '0', true)
    const inProcess = new Server(config, table)
    inProcess.log = () => {}
    await inProcess.listen()
    try {
      const model = await loadModel(inProcess.port)
      expect(model.some((e) => e.name === 'fzboom')).toBe(true)
      const stats = await fuzz({ port: inProcess.port, model, seed: SEED, frames: 20_000 })
      expect(stats.internalErrors).toBeGreaterThan(0)
      // Replies after a multi-channel (UN)SUBSCRIBE in a batch are not paired with frames.
      const first = stats.internalExamples.find((e) => e.frame !== null)!
      expect(first.command).toBe('fzboom')
      expect(first.message).toMatch(/^ERR internal error in 'fzboom': RangeError: bad -?\d+$/)
      expect(first.frame).toMatch(/^"fzboom" "-?\d+"/i)
      expect(stats.failure).toBeNull()
    } finally {
      await inProcess.close()
    }
  }, 60_000)
})
