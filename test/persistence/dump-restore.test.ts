import { describe, expect, it } from 'vitest'
import { withFooter } from '../../src/persistence/dump.js'
import { call, useRespiteAndRedis } from '../helpers/fixture.js'
import { cmd, connect } from '../helpers/digest.js'
import { missingTool } from '../helpers/servers.js'

/**
 * DUMP and RESTORE replies, errors included, byte for byte against redis-server
 * 7.0.15 (the cross-server payload round trips are in rdb-interop.test.ts).
 */

const skip = missingTool('redis-server')

describe.skipIf(skip)('DUMP and RESTORE match redis-server', () => {
  const servers = useRespiteAndRedis()

  async function both(...commands: string[][]): Promise<void> {
    const [a, b] = await Promise.all([call(servers.redis.port, ...commands), call(servers.respite.port, ...commands)])
    expect(b).toEqual(a)
  }

  // Compressed strings are left out: LZF output depends on the compressor's match
  // search (ours finds some matches liblzf misses), though either side reads both.
  it('DUMP gives the same payloads for the same values, nil for a missing key', async () => {
    const setup = [['FLUSHALL'], ['SET', 's', 'hello'], ['SET', 'n', '-42'], ['SET', 'long', 'ab'.repeat(10)], ['RPUSH', 'l', 'a', '1', 'bb'],
      ['HSET', 'h', 'f', 'v'], ['SADD', 'si', '3', '1', '2'], ['SADD', 'ss', 'x'], ['ZADD', 'z', '1.5', 'a', '2', 'b']]
    await both(...setup, ['DUMP', 's'], ['DUMP', 'n'], ['DUMP', 'long'], ['DUMP', 'l'], ['DUMP', 'h'], ['DUMP', 'si'], ['DUMP', 'ss'],
      ['DUMP', 'z'], ['DUMP', 'missing'])
  })

  it('RESTORE options, TTLs and errors: BUSYKEY, bad TTL, bad payload, REPLACE, ABSTTL in the past', async () => {
    const r = await connect(servers.redis.port)
    const payload = (await r.dumpBuffer('nothing')) ?? (await (async () => {
      await cmd(r, 'SET', 'tmp', 'value')
      return (await r.dumpBuffer('tmp'))!
    })())
    r.disconnect()
    const p = payload.toString('latin1')
    const badCrc = Buffer.from(payload)
    badCrc[badCrc.length - 1] ^= 1
    const newer = Buffer.from(payload)
    newer.writeUInt16LE(11, newer.length - 10)
    const garbage = withFooter(Buffer.from([0, 0x80, 0xff])).toString('latin1')
    const unknownType = withFooter(Buffer.from([8, 1, 0x61])).toString('latin1')
    const empty = withFooter(Buffer.from([2, 0])).toString('latin1')
    await both(['FLUSHALL'], ['SET', 'k', 'old'],
      ['RESTORE', 'k', '0', p], ['RESTORE', 'k', '0', p, 'REPLACE'], ['GET', 'k'], ['TTL', 'k'],
      ['RESTORE', 'k2', 'x', p], ['RESTORE', 'k2', '-1', p], ['RESTORE', 'k2', '0', 'short'],
      ['RESTORE', 'k2', '0', badCrc.toString('latin1')], ['RESTORE', 'k2', '0', newer.toString('latin1')],
      ['RESTORE', 'k2', '0', garbage], ['RESTORE', 'k2', '0', unknownType], ['RESTORE', 'k2', '0', empty], ['EXISTS', 'k2'],
      ['RESTORE', 'k2', '0', p, 'IDLETIME', '-1'], ['RESTORE', 'k2', '0', p, 'FREQ', '256'], ['RESTORE', 'k2', '0', p, 'FREQ', 'x'],
      ['RESTORE', 'k2', '0', p, 'IDLETIME', '5', 'FREQ', '5'], ['RESTORE', 'k2', '0', p, 'BOGUS'], ['RESTORE', 'k2', '0', p, 'IDLETIME'],
      ['RESTORE', 'k2', '100000', p, 'IDLETIME', '10'], ['EXISTS', 'k2'],
      ['RESTORE', 'k3', '1', p, 'ABSTTL'], ['EXISTS', 'k3'],
      ['RESTORE', 'k', '1', p, 'ABSTTL', 'REPLACE'], ['EXISTS', 'k'],
      ['RESTORE', 'k4', '99999999999999', p, 'ABSTTL', 'FREQ', '10'], ['PEXPIRETIME', 'k4'],
      ['RESTORE', 'k', '0', garbage, 'REPLACE'], ['SET', 'k', 'kept'], ['RESTORE', 'k', '0', garbage, 'REPLACE'], ['GET', 'k'])
  })
})
