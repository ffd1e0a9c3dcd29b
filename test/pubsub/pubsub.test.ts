import { describe, expect, it } from 'vitest'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { runScenario, type Step } from '../helpers/scenarios.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Pub/sub against a real redis-server: several connections subscribe, publish and
 * leave in the same order on both servers, and every connection must receive the
 * same bytes (confirmations, messages, subscribed-mode errors), in RESP2 and RESP3.
 */

const skip = missingTool('redis-server')

describe.skipIf(skip)('SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB against redis-server', () => {
  const servers = useRespiteAndRedis()
  async function same(steps: Step[]): Promise<void> {
    const ours = await runScenario(servers.respite.port, steps)
    const theirs = await runScenario(servers.redis.port, steps)
    expect(ours).toEqual(theirs)
  }

  it('SUBSCRIBE, PUBLISH and UNSUBSCRIBE: confirmations count every subscription, messages reach each subscriber once', () =>
    same([
      [0, ['SUBSCRIBE', 'news', 'sport', 'news']],
      [1, ['SUBSCRIBE', 'news']],
      [2, ['PUBLISH', 'news', 'hello']],
      [2, ['PUBLISH', 'sport', 'goal']],
      [2, ['PUBLISH', 'weather', 'nobody listens']],
      [0, ['UNSUBSCRIBE', 'news', 'nothing']],
      [2, ['PUBLISH', 'news', 'second']],
      [0, ['UNSUBSCRIBE']],
      [0, ['UNSUBSCRIBE']],
      [1, ['unsubscribe', 'news']],
      [2, ['PUBLISH', 'news', 'third']],
    ]))

  it('PSUBSCRIBE and PUNSUBSCRIBE: pmessage names the pattern, a channel and a pattern both deliver', () =>
    same([
      [0, ['PSUBSCRIBE', 'n*', 'x?z', 'h[ae]llo']],
      [0, ['SUBSCRIBE', 'news']],
      [1, ['PUBLISH', 'news', 'both']],
      [1, ['PUBLISH', 'xyz', 'pattern']],
      [1, ['PUBLISH', 'hello', 'class']],
      [1, ['PUBLISH', 'hillo', 'none']],
      [0, ['PUNSUBSCRIBE', 'n*']],
      [1, ['PUBLISH', 'news', 'channel only']],
      [0, ['PUNSUBSCRIBE']],
      [0, ['PUNSUBSCRIBE']],
    ]))

  it('SSUBSCRIBE, SPUBLISH and SUNSUBSCRIBE count shard channels apart from the others', () =>
    same([
      [0, ['SUBSCRIBE', 'a']],
      [0, ['SSUBSCRIBE', 'a', 'b']],
      [1, ['SPUBLISH', 'a', 'shard']],
      [1, ['PUBLISH', 'a', 'plain']],
      [0, ['SUNSUBSCRIBE', 'a']],
      [0, ['SUNSUBSCRIBE']],
      [0, ['SUNSUBSCRIBE']],
    ]))

  it('RESP2 subscribed mode allows only the pub/sub commands, PING, QUIT and RESET', () =>
    same([
      [0, ['SUBSCRIBE', 'c']],
      [0, ['GET', 'k']],
      [0, ['CONFIG', 'GET', 'maxclients']],
      [0, ['GET']],
      [0, ['PING']],
      [0, ['PING', 'hi']],
      [0, ['PSUBSCRIBE', 'p*']],
      [0, ['RESET']],
      [0, ['GET', 'k']],
      [1, ['PUBLISH', 'c', 'after reset']],
    ]))

  it('RESP3 subscribers get pushes and may run any command', () =>
    same([
      [0, ['HELLO', '3']],
      [0, ['SUBSCRIBE', 'c']],
      [0, ['SET', 'k', 'v']],
      [0, ['GET', 'k']],
      [0, ['PING']],
      [1, ['PUBLISH', 'c', 'pushed']],
      [0, ['PSUBSCRIBE', '*']],
      [1, ['PUBLISH', 'c', 'twice']],
      [0, ['UNSUBSCRIBE']],
      [0, ['PUNSUBSCRIBE']],
      [0, ['UNSUBSCRIBE']],
    ]))

  it('PUBSUB CHANNELS, PUBSUB NUMSUB, PUBSUB NUMPAT, PUBSUB SHARDCHANNELS, PUBSUB SHARDNUMSUB and PUBSUB HELP answer as Redis does', () =>
    same([
      [0, ['SUBSCRIBE', 'alpha']],
      [1, ['SUBSCRIBE', 'alpha', 'beta']],
      [2, ['PSUBSCRIBE', 'a*', 'b*']],
      [3, ['SSUBSCRIBE', 'shard1']],
      [4, ['PUBSUB', 'NUMSUB', 'alpha', 'beta', 'gamma']],
      [4, ['PUBSUB', 'NUMSUB']],
      [4, ['PUBSUB', 'NUMPAT']],
      [4, ['PUBSUB', 'CHANNELS', 'b*']],
      [4, ['PUBSUB', 'SHARDCHANNELS']],
      [4, ['PUBSUB', 'SHARDNUMSUB', 'shard1', 'alpha']],
      [4, ['PUBSUB', 'HELP']],
      [4, ['PUBSUB', 'NOPE']],
      [1, ['UNSUBSCRIBE', 'beta']],
      [4, ['PUBSUB', 'CHANNELS']],
      [4, ['PUBLISH', 'alpha', 'count me']],
    ]))
})
