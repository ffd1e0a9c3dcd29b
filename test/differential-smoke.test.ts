import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/index.js'
import { runDifferential } from './helpers/differential.js'
import { missingTool, startRedis, startRespite, type RedisProcess } from './helpers/servers.js'

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('differential smoke (GET, SET, MGET, MSET)', () => {
  let respite: RunningServer
  let redis: RedisProcess
  beforeAll(async () => {
    respite = await startRespite()
    redis = await startRedis()
  })
  afterAll(async () => {
    await respite.close()
    await redis.stop()
  })

  it('matches redis-server byte for byte', async () => {
    const cmds = [['SET', 'a', '1'], ['GET', 'a'], ['GET', 'nope'], ['MSET', 'x', '1', 'y', '2'], ['MGET', 'x', 'y', 'z'], ['SET', 'a', 'b', 'NX'], ['SET', 'a', 'c', 'XX', 'GET'], ['SET', 'a', 'b', 'EX', '0'], ['SET', 'a', 'b', 'EX', 'x'], ['SET', 'a', 'b', 'NX', 'XX'], ['FOO', 'bar']]
    expect(await runDifferential(respite.port, redis.port, cmds)).toBeNull()
    expect(await runDifferential(respite.port, redis.port, cmds, { proto: 3 })).toBeNull()
  })
})
