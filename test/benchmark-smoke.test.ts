import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/index.js'
import { missingTool, redisBenchmark, startRespite } from './helpers/servers.js'

/**
 * redis-benchmark runs unmodified against respite. This only checks that every test
 * completes and reports a figure; speed is measured elsewhere (scripts/).
 */

const skip = missingTool('redis-benchmark')

describe.skipIf(skip !== null)('redis-benchmark smoke (PING, SET, GET, INCR, MSET)', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startRespite()
  })
  afterAll(() => server.close())

  for (const pipeline of ['1', '16']) {
    it(`completes every test with -P ${pipeline}`, async () => {
      const { code, output } = await redisBenchmark(server.port, ['-t', 'ping,set,get,incr,mset', '-n', '2000', '-P', pipeline])
      expect(code, output).toBe(0)
      // Progress lines are overwritten with \r; the final figure for each test ends a line.
      const results = new Map<string, number>()
      for (const line of output.split(/[\r\n]/)) {
        const m = /^(PING_INLINE|PING_MBULK|SET|GET|INCR|MSET \(10 keys\)): ([\d.]+) requests per second/.exec(line.trim())
        if (m) results.set(m[1], Number(m[2]))
      }
      expect([...results.keys()].sort(), output).toEqual(['GET', 'INCR', 'MSET (10 keys)', 'PING_INLINE', 'PING_MBULK', 'SET'])
      for (const [name, rps] of results) expect(rps, name).toBeGreaterThan(0)
      expect(output).not.toMatch(/error|WARNING/i)
    })
  }

  it('leaves the keys redis-benchmark writes (SET, INCR, MSET)', async () => {
    const db = server.server.store.db(0)
    expect(db.get('key:__rand_int__')).toBeDefined()
    expect(db.get('counter:__rand_int__')).toBeDefined()
  })
})
