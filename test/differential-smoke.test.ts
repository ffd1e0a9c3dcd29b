import { describe, expect, it } from 'vitest'
import { runDifferential } from './helpers/differential.js'
import { useRespiteAndRedis } from './helpers/fixture.js'
import { missingTool } from './helpers/servers.js'

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('differential smoke (GET, SET, MGET, MSET)', () => {
  const servers = useRespiteAndRedis()

  it('matches redis-server byte for byte', async () => {
    const cmds = [['SET', 'a', '1'], ['GET', 'a'], ['GET', 'nope'], ['MSET', 'x', '1', 'y', '2'], ['MGET', 'x', 'y', 'z'], ['SET', 'a', 'b', 'NX'], ['SET', 'a', 'c', 'XX', 'GET'], ['SET', 'a', 'b', 'EX', '0'], ['SET', 'a', 'b', 'EX', 'x'], ['SET', 'a', 'b', 'NX', 'XX'], ['FOO', 'bar']]
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds)).toBeNull()
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto: 3 })).toBeNull()
  })
})
