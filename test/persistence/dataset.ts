import type { Redis } from 'ioredis'
import { cmd } from '../helpers/digest.js'

/**
 * One dataset of every type and every encoding Redis 7.0 writes, written the same way
 * to respite and redis-server: small and big strings (int-encoded, LZF-compressible,
 * binary, bitmaps), HyperLogLogs, lists over several quicklist nodes, listpack and hashtable
 * hashes, intset and hashtable sets, listpack and skiplist sorted sets (infinite and
 * fractional scores), streams with deletions, consumer groups and pending entries,
 * TTLs, keys in several databases, and a function library.
 */

export const LIBRARY = "#!lua name=rdblib\nredis.register_function('rdbfn', function(keys, args) return 1 end)"

function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

export async function populate(r: Redis): Promise<void> {
  const rand = random(7)
  const bin = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)))
  await cmd(r, 'SELECT', 0)
  await cmd(r, 'SET', 's:small', 'hello')
  await cmd(r, 'SET', 's:int', '12345')
  await cmd(r, 'SET', 's:negint', '-5')
  await cmd(r, 'SET', 's:int32', '-2147483648')
  await cmd(r, 'SET', 's:bigint', '12345678901234567890')
  await cmd(r, 'SET', 's:zero-pad', '007')
  await cmd(r, 'SET', 's:empty', '')
  await cmd(r, 'SET', 's:long', 'abcdefghij'.repeat(2000))
  await cmd(r, 'SET', 's:bin', bin(300))
  await cmd(r, 'SET', 's:ttl', 'v', 'PX', 3_600_000)
  // Bitmaps written in place (respite keeps them as mutable bytes). Not one that reads as
  // an integer: its raw encoding becomes int through a save and load in Redis too.
  await cmd(r, 'SETBIT', 'b:short', 7, 1)
  for (let i = 0; i < 20000; i += 37) await cmd(r, 'SETBIT', 'b:long', i, 1)
  await cmd(r, 'BITFIELD', 'b:field', 'SET', 'u8', 800, 255)
  await cmd(r, 'PFADD', 'hll:sparse', 'a', 'b', 'c')
  const many = Array.from({ length: 3000 }, (_, i) => `e${i}`)
  await cmd(r, 'PFADD', 'hll:dense', ...many)

  await cmd(r, 'RPUSH', 'l:small', 'a', '1', '-7', '300000', 'x'.repeat(70))
  const items = Array.from({ length: 1500 }, (_, i) => (i % 3 === 0 ? String(i * 1000) : `item-${i}-${'y'.repeat(i % 50)}`))
  await cmd(r, 'RPUSH', 'l:big', ...items)
  await cmd(r, 'RPUSH', 'l:huge-elements', 'z'.repeat(10000), 'small', bin(5000))
  await cmd(r, 'EXPIRE', 'l:big', 7200)

  await cmd(r, 'HSET', 'h:small', 'f1', 'v1', 'n', '42', 'neg', '-1')
  const hf: string[] = []
  for (let i = 0; i < 600; i++) hf.push(`field${i}`, i % 2 ? String(i) : `value${i}`)
  await cmd(r, 'HSET', 'h:big', ...hf)
  await cmd(r, 'HSET', 'h:longvalue', 'a', 'b', 'long', 'q'.repeat(100))

  await cmd(r, 'SADD', 'set:ints', '1', '5', '-3', '1000000', '9223372036854775807', '-9223372036854775808')
  await cmd(r, 'SADD', 'set:small16', '1', '2', '300')
  await cmd(r, 'SADD', 'set:strings', 'a', 'b', 'c', '1')
  await cmd(r, 'SADD', 'set:bigints', ...Array.from({ length: 600 }, (_, i) => String(i * 7)))

  await cmd(r, 'ZADD', 'z:small', '1', 'a', '2.5', 'b', '-0.125', 'c', 'inf', 'top', '-inf', 'bottom', '1e300', 'huge')
  const zm: string[] = []
  for (let i = 0; i < 200; i++) zm.push(String(rand() * 1000 - 500), `m${i}`)
  await cmd(r, 'ZADD', 'z:big', ...zm, 'inf', 'pinf')
  await cmd(r, 'ZADD', 'z:longmember', '1', 'k'.repeat(80))

  for (let i = 1; i <= 250; i++) {
    const f = i % 7 === 0 ? ['other', String(i)] : ['name', `n${i}`, 'count', String(i)]
    await cmd(r, 'XADD', 'x:s', `${1000 + Math.floor(i / 3)}-${i}`, ...f)
  }
  await cmd(r, 'XDEL', 'x:s', '1001-3', '1010-30')
  await cmd(r, 'XGROUP', 'CREATE', 'x:s', 'g1', '0')
  await cmd(r, 'XGROUP', 'CREATE', 'x:s', 'g2', '$')
  await cmd(r, 'XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', 5, 'STREAMS', 'x:s', '>')
  await cmd(r, 'XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', 3, 'STREAMS', 'x:s', '>')
  await cmd(r, 'XACK', 'x:s', 'g1', '1000-1')
  await cmd(r, 'XGROUP', 'CREATECONSUMER', 'x:s', 'g2', 'carol')
  await cmd(r, 'XGROUP', 'CREATE', 'x:empty', 'g', '$', 'MKSTREAM')
  await cmd(r, 'XADD', 'x:one', '5-5', 'k', 'v')
  await cmd(r, 'XADD', 'x:trimmed', '1-1', 'a', '1')
  await cmd(r, 'XADD', 'x:trimmed', '2-1', 'a', '2')
  await cmd(r, 'XDEL', 'x:trimmed', '1-1', '2-1')
  // A node whose first (master) entry is deleted, with a different field set after it.
  await cmd(r, 'XADD', 'x:headless', '1-1', 'a', '1')
  await cmd(r, 'XADD', 'x:headless', '1-2', 'b', '2', 'c', '3')
  await cmd(r, 'XADD', 'x:headless', '2-0', 'a', '4')
  await cmd(r, 'XDEL', 'x:headless', '1-1')

  await cmd(r, 'SELECT', 1)
  await cmd(r, 'SET', 'db1:key', 'one')
  await cmd(r, 'RPUSH', 'db1:list', 'x')
  await cmd(r, 'SELECT', 9)
  await cmd(r, 'SET', 'db9:key', 'nine', 'EX', 100000)
  await cmd(r, 'SELECT', 0)
  await cmd(r, 'FUNCTION', 'LOAD', LIBRARY)
}
