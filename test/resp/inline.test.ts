import { createRequire } from 'node:module'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { splitInlineArgs } from '../../src/resp/inline.js'
import { rng } from '../helpers/differential.js'
import { missingTool, startRedis, type RedisProcess } from '../helpers/servers.js'

/**
 * Inline (telnet-style) requests follow Redis's quoting rules. The fixed cases are
 * what redis-server 7.0.15 does; the fuzz test asks a real redis-server how it splits
 * random lines of quotes, escapes and blanks and compares.
 */

describe('splitInlineArgs', () => {
  const cases: [string, string[] | null][] = [
    ['', []],
    ['   \t ', []],
    ['PING', ['PING']],
    ['set k v', ['set', 'k', 'v']],
    ['  set   k\tv  ', ['set', 'k', 'v']],
    // \v and \f separate nothing inside a word, though they are skipped between words.
    ['set\tk\x0bv', ['set', 'k\x0bv']],
    ['\x0b\x0cset k', ['set', 'k']],
    ['PING\rx', ['PING', 'x']],
    ['set k "a\\x41b"', ['set', 'k', 'aAb']],
    ['echo "\\xAf"', ['echo', '\xaf']],
    ['echo "\\x4"', ['echo', 'x4']],
    ['echo "\\xzz"', ['echo', 'xzz']],
    ['echo "a\\nb\\r\\t\\b\\a\\q\\\\\\""', ['echo', 'a\nb\r\t\b\x07q\\"']],
    ["echo 'it\\'s'", ['echo', "it's"]],
    ["echo 'a\\nb'", ['echo', 'a\\nb']],
    ['echo ""', ['echo', '']],
    ["echo ''", ['echo', '']],
    ['echo a"b c"', ['echo', 'ab c']],
    ["echo a'b c'", ['echo', 'ab c']],
    ['echo "a"\tx', ['echo', 'a', 'x']],
    ['echo "a b"c', null],
    ["echo 'a'b", null],
    ['echo "abc', null],
    ["echo 'abc", null],
    ['echo "abc\\"', null],
    ['echo "abc\\', null],
    ['echo \xff\x80', ['echo', '\xff\x80']],
  ]
  for (const [line, expected] of cases) {
    it(`splits ${JSON.stringify(line)}`, () => {
      expect(splitInlineArgs(line)).toEqual(expected)
    })
  }
})

type Reply = Buffer | number | null | Error | Reply[]
interface ParserLike {
  execute(b: Buffer): void
}
type ParserCtor = new (o: { returnReply(r: Reply): void; returnError(e: Error): void; returnBuffers?: boolean }) => ParserLike
const Parser = createRequire(import.meta.url)('redis-parser') as ParserCtor

/** Sends raw bytes and collects `count` replies (or fewer if the server closes). */
function exchange(port: number, data: Buffer, count: number): Promise<Reply[]> {
  return new Promise((resolve) => {
    const replies: Reply[] = []
    const parser = new Parser({
      returnReply: (r) => replies.push(r),
      returnError: (e) => replies.push(e),
      returnBuffers: true,
    })
    const s = net.connect(port, '127.0.0.1')
    const done = () => {
      s.destroy()
      resolve(replies)
    }
    s.on('data', (d) => {
      parser.execute(d)
      if (replies.length >= count) done()
    })
    s.on('close', done)
    s.on('error', () => {})
    s.on('connect', () => s.write(data))
  })
}

describe.skipIf(missingTool('redis-server') !== null)('splitInlineArgs against redis-server', () => {
  let redis: RedisProcess
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  /** How Redis split `words`: RPUSH them onto a list and read it back. */
  async function redisSplit(words: string): Promise<string[] | string> {
    const line = `RPUSH l x ${words}\r\nLRANGE l 0 -1\r\nDEL l\r\n`
    const replies = await exchange(redis.port, Buffer.from(line, 'latin1'), 3)
    const first = replies[0]
    if (first instanceof Error) return first.message
    return (replies[1] as Buffer[]).slice(1).map((b) => b.toString('latin1'))
  }

  it('agrees on random lines of quotes, escapes and blanks', async () => {
    const r = rng(7015)
    const alphabet = ['"', "'", '\\', 'x', '4', 'f', 'n', 'a', ' ', ' ', '\t', '\x0b', 'é', '\\x', '\\"', "\\'"]
    for (let n = 0; n < 250; n++) {
      let words = ''
      const len = 1 + r.int(12)
      for (let i = 0; i < len; i++) words += r.pick(alphabet)
      const expected = await redisSplit(words)
      const ours = splitInlineArgs(`RPUSH l x ${words}`)
      if (typeof expected === 'string') {
        expect(expected, JSON.stringify(words)).toBe('ERR Protocol error: unbalanced quotes in request')
        expect(ours, JSON.stringify(words)).toBeNull()
      } else {
        expect(ours?.slice(3), JSON.stringify(words)).toEqual(expected)
      }
    }
  })
})
