import { describe, expect, it } from 'vitest'
import { until, useConnections, useRespite, WRONGTYPE } from '../helpers/fixture.js'

/**
 * Stream commands on a respite server through ioredis and raw bytes: what the
 * differential test (test/differential/streams.test.ts) cannot compare with
 * redis-server because it depends on the clock (`*` ids, idle times, BLOCK timeouts),
 * and blocking reads over real sockets.
 */

const { respite, r3, r2, exact } = await useRespite()

type Entry = [string, string[]]

describe('XADD with * and <ms>-* ids', () => {
  it('XADD * takes the current time in ms, sequence 0, and never goes back', async () => {
    const before = Date.now()
    const id = (await r3.xadd('s', '*', 'f', 'v'))!
    const after = Date.now()
    const [ms, seq] = id.split('-').map(Number)
    expect(ms).toBeGreaterThanOrEqual(before)
    expect(ms).toBeLessThanOrEqual(after)
    expect(seq).toBeGreaterThanOrEqual(0)
    // Within the same ms, or with the last id in the future, the sequence counts up.
    const future = after + 100000
    expect(await r3.call('XSETID', 's', `${future}-5`)).toBe('OK')
    expect(await r3.xadd('s', '*', 'f', 'v')).toBe(`${future}-6`)
    expect(await r3.xadd('s', `${future}-*`, 'f', 'v')).toBe(`${future}-7`)
    expect(await r3.xadd('s', `${future + 1}-*`, 'f', 'v')).toBe(`${future + 1}-0`)
    expect(await r3.xlen('s')).toBe(4)
  })

  it('XADD * after the largest sequence of a ms moves to the next ms; past the last possible id it fails', async () => {
    await r3.xadd('s', '5-18446744073709551615', 'f', 'v')
    expect(await r3.xadd('s', '5-*', 'f', 'v').catch((e: Error) => e.message)).toBe(
      'ERR The ID specified in XADD is equal or smaller than the target stream top item')
    await r3.call('XSETID', 's', '18446744073709551615-18446744073709551615')
    expect(await r3.xadd('s', '*', 'f', 'v').catch((e: Error) => e.message)).toBe(
      'ERR The stream has exhausted the last possible ID, unable to add more items')
  })

  it('XADD NOMKSTREAM on a missing key answers nil and creates nothing', async () => {
    expect(await r3.xadd('nokey', 'NOMKSTREAM', '*', 'f', 'v')).toBeNull()
    expect(await r3.exists('nokey')).toBe(0)
    await exact([['XADD', 'nokey', 'NOMKSTREAM', '*', 'f', 'v']], '$-1\r\n')
    await exact([['XADD', 'nokey', 'NOMKSTREAM', '*', 'f', 'v']], '_\r\n', true)
  })

  it('XADD MAXLEN ~ trims whole nodes only, MAXLEN = exactly (stream-node-max-entries)', async () => {
    await r3.config('SET', 'stream-node-max-entries', '10')
    try {
      for (let i = 1; i <= 35; i++) await r3.xadd('s', `${i}-1`, 'f', String(i))
      await r3.xadd('s', 'MAXLEN', '~', '12', '36-1', 'f', 'v')
      // Nodes of 10: two whole nodes go, leaving 16 (more than 12).
      expect(await r3.xlen('s')).toBe(16)
      await r3.xtrim('s', 'MAXLEN', '=', 12)
      expect(await r3.xlen('s')).toBe(12)
      const info = await r3.call('XINFO', 'STREAM', 's') as unknown[]
      expect(info[3]).toBe(2)
    } finally {
      await r3.config('SET', 'stream-node-max-entries', '100')
    }
  })
})

describe('XLEN XRANGE XREVRANGE XDEL XTRIM XSETID', () => {
  it('XRANGE and XREVRANGE reply entries as [id, [field, value...]] in RESP2 and RESP3 alike', async () => {
    await r3.xadd('s', '1-1', 'a', '1', 'b', '2')
    await r3.xadd('s', '2-0', 'c', '3')
    expect(await r3.xrange('s', '-', '+')).toEqual([['1-1', ['a', '1', 'b', '2']], ['2-0', ['c', '3']]])
    expect(await r2.xrevrange('s', '+', '(1-1')).toEqual([['2-0', ['c', '3']]])
    expect(await r3.xrange('s', '1', '1', 'COUNT', 5)).toEqual([['1-1', ['a', '1', 'b', '2']]])
    const entry = '*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n'
    await exact([['XRANGE', 's', '2', '+']], `*1\r\n${entry}`)
    await exact([['XRANGE', 's', '2', '+']], `*1\r\n${entry}`, true)
    expect(await r3.xlen('s')).toBe(2)
    expect(await r3.xlen('missing')).toBe(0)
  })

  it('XDEL leaves an empty stream in place, and XSETID moves its last id', async () => {
    await r3.xadd('s', '1-1', 'a', '1')
    expect(await r3.xdel('s', '1-1', '1-2')).toBe(1)
    expect(await r3.exists('s')).toBe(1)
    expect(await r3.type('s')).toBe('stream')
    expect(await r3.call('XSETID', 's', '0-5')).toBe('OK')
    expect(await r3.xadd('s', '0-*', 'a', '1')).toBe('0-6')
  })

  it('XTRIM MINID removes entries below the id; the commands refuse other types', async () => {
    for (let i = 1; i <= 5; i++) await r3.xadd('s', `${i}-0`, 'f', 'v')
    expect(await r3.xtrim('s', 'MINID', '3')).toBe(2)
    expect((await r3.xrange('s', '-', '+')).map((e) => e[0])).toEqual(['3-0', '4-0', '5-0'])
    await r3.set('str', 'x')
    for (const cmd of [['XLEN', 'str'], ['XRANGE', 'str', '-', '+'], ['XDEL', 'str', '1-1'], ['XTRIM', 'str', 'MAXLEN', '1'], ['XADD', 'str', '*', 'f', 'v']]) {
      expect(await r3.call(cmd[0], ...cmd.slice(1)).catch((e: Error) => e.message), cmd.join(' ')).toBe(WRONGTYPE)
    }
  })
})

describe('streams and the key space (TYPE, OBJECT ENCODING, COPY, RENAME, SCAN TYPE)', () => {
  it('TYPE says stream and OBJECT ENCODING stream; SCAN TYPE stream finds it', async () => {
    await r3.xadd('s', '1-1', 'f', 'v')
    await r3.set('str', 'x')
    expect(await r3.type('s')).toBe('stream')
    expect(await r3.object('ENCODING', 's')).toBe('stream')
    expect(await r3.scan('0', 'TYPE', 'stream')).toEqual(['0', ['s']])
  })

  it('COPY copies entries, groups and pending entries independently; RENAME moves them', async () => {
    await r3.xadd('s', '1-1', 'f', 'v')
    await r3.xgroup('CREATE', 's', 'g', '0')
    await r3.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 's', '>')
    expect(await r3.copy('s', 'd')).toBe(1)
    await r3.xadd('s', '2-1', 'f', 'v')
    await r3.xack('s', 'g', '1-1')
    expect(await r3.xlen('d')).toBe(1)
    expect((await r3.xpending('d', 'g'))[0]).toBe(1)
    expect((await r3.xpending('s', 'g'))[0]).toBe(0)
    await r3.rename('d', 'e')
    expect(await r3.xrange('e', '-', '+')).toEqual([['1-1', ['f', 'v']]])
  })
})

describe('consumer groups: XGROUP CREATE, XGROUP SETID, XGROUP DESTROY, XGROUP CREATECONSUMER, XGROUP DELCONSUMER, XGROUP HELP; XINFO STREAM, XINFO GROUPS, XINFO CONSUMERS, XINFO HELP', () => {
  it('XGROUP subcommands create, move, and delete groups and consumers', async () => {
    expect(await r3.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM')).toBe('OK')
    expect(await r3.xgroup('CREATE', 's', 'g', '$').catch((e: Error) => e.message)).toBe('BUSYGROUP Consumer Group name already exists')
    expect(await r3.xgroup('CREATECONSUMER', 's', 'g', 'c')).toBe(1)
    expect(await r3.xgroup('CREATECONSUMER', 's', 'g', 'c')).toBe(0)
    await r3.xadd('s', '1-1', 'f', 'v')
    await r3.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 's', '>')
    expect(await r3.xgroup('SETID', 's', 'g', '0')).toBe('OK')
    expect(await r3.xgroup('DELCONSUMER', 's', 'g', 'c')).toBe(1)
    expect(await r3.xgroup('DESTROY', 's', 'g')).toBe(1)
    expect(await r3.xgroup('DESTROY', 's', 'g')).toBe(0)
    const help = await r3.call('XGROUP', 'HELP') as string[]
    expect(help[0]).toBe('XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:')
    expect(help.at(-2)).toBe('HELP')
  })

  it('XINFO CONSUMERS idle grows with time, XINFO GROUPS and XINFO STREAM FULL show the group', async () => {
    await r3.xgroup('CREATE', 's', 'g', '0', 'MKSTREAM')
    await r3.xadd('s', '1-1', 'f', 'v')
    await r3.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 's', '>')
    await new Promise((r) => setTimeout(r, 30))
    const consumers = await r3.call('XINFO', 'CONSUMERS', 's', 'g') as Record<string, unknown>[]
    expect(consumers).toHaveLength(1)
    const c = new Map(Object.entries(consumers[0] instanceof Array ? Object.fromEntries(pairs(consumers[0] as unknown[])) : consumers[0]))
    expect(c.get('name')).toBe('c')
    expect(c.get('pending')).toBe(1)
    expect(c.get('idle') as number).toBeGreaterThanOrEqual(25)
    const groups = await r2.call('XINFO', 'GROUPS', 's') as unknown[][]
    expect(Object.fromEntries(pairs(groups[0]))).toEqual({
      name: 'g', consumers: 1, pending: 1, 'last-delivered-id': '1-1', 'entries-read': 1, lag: 0,
    })
    const full = Object.fromEntries(pairs(await r2.call('XINFO', 'STREAM', 's', 'FULL') as unknown[]))
    expect(full.length).toBe(1)
    expect(full.entries).toEqual([['1-1', ['f', 'v']]])
    const help = await r3.call('XINFO', 'HELP') as string[]
    expect(help[0]).toBe('XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:')
  })
})

function pairs(flat: unknown[]): [string, unknown][] {
  const out: [string, unknown][] = []
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1]])
  return out
}

describe('XACK XPENDING XCLAIM XAUTOCLAIM with time', () => {
  async function delivered(): Promise<void> {
    for (let i = 1; i <= 3; i++) await r3.xadd('s', `${i}-0`, 'f', String(i))
    await r3.xgroup('CREATE', 's', 'g', '0')
    await r3.xreadgroup('GROUP', 'g', 'c1', 'STREAMS', 's', '>')
  }

  it('XPENDING IDLE filters by idle time; XCLAIM honours min-idle-time, IDLE, TIME and RETRYCOUNT', async () => {
    await delivered()
    expect(await r3.xclaim('s', 'g', 'c2', 60000, '1-0')).toEqual([])
    await new Promise((r) => setTimeout(r, 30))
    expect(await r3.xpending('s', 'g', 'IDLE', 20, '-', '+', 10)).toHaveLength(3)
    expect(await r3.xpending('s', 'g', 'IDLE', 60000, '-', '+', 10)).toEqual([])
    expect(await r3.xclaim('s', 'g', 'c2', 20, '1-0', 'IDLE', 500000, 'RETRYCOUNT', 7)).toEqual([['1-0', ['f', '1']]])
    const rows = await r3.xpending('s', 'g', '-', '+', 10, 'c2') as [string, string, number, number][]
    expect(rows[0][0]).toBe('1-0')
    expect(rows[0][2]).toBeGreaterThanOrEqual(500000)
    expect(rows[0][3]).toBe(7)
    expect(await r3.xclaim('s', 'g', 'c3', 0, '2-0', 'TIME', Date.now() - 100000, 'JUSTID')).toEqual(['2-0'])
    const row = (await r3.xpending('s', 'g', '2-0', '2-0', 1))[0] as [string, string, number, number]
    expect(row[1]).toBe('c3')
    expect(row[2]).toBeGreaterThanOrEqual(100000)
    expect(row[3]).toBe(1)
    expect(await r3.xack('s', 'g', '1-0', '2-0', '9-9')).toBe(2)
  })

  it('XAUTOCLAIM claims entries idle long enough, returns a cursor and the deleted ids', async () => {
    await delivered()
    expect(await r3.xautoclaim('s', 'g', 'c2', 60000, '0')).toEqual(['0-0', [], []])
    await r3.xdel('s', '2-0')
    expect(await r3.xautoclaim('s', 'g', 'c2', 0, '0', 'COUNT', 1)).toEqual(['2-0', [['1-0', ['f', '1']]], []])
    expect(await r3.xautoclaim('s', 'g', 'c2', 0, '2-0', 'JUSTID')).toEqual(['0-0', ['3-0'], ['2-0']])
    expect(await r3.xpending('s', 'g')).toEqual([2, '1-0', '3-0', [['c2', '2']]])
  })
})

describe('large pending entries lists', () => {
  // V8 hashes a BigInt by its low 64 bits only: with ids kept as map keys, 20,000
  // pending ids of sequence 0 fell into one bucket and this took minutes. It is a
  // guard against a hang, not a timing: it normally takes well under a second.
  it('XREADGROUP then XACK of 20,000 ids that share sequence 0', { timeout: 60_000 }, async () => {
    const n = 20_000
    for (let from = 1; from <= n; from += 1000) {
      const p = r3.pipeline()
      for (let i = from; i < from + 1000; i++) p.xadd('big', `${i}-0`, 'f', 'v')
      await p.exec()
    }
    await r3.xgroup('CREATE', 'big', 'g', '0')
    const read = (await r3.xreadgroup('GROUP', 'g', 'c', 'COUNT', n, 'STREAMS', 'big', '>')) as [string, Entry[]][]
    expect(read[0][1]).toHaveLength(n)
    expect(((await r3.xpending('big', 'g')) as unknown[])[0]).toBe(n)
    const ids = read[0][1].map((e) => e[0])
    expect(await r3.xack('big', 'g', ...ids)).toBe(n)
    expect(((await r3.xpending('big', 'g')) as unknown[])[0]).toBe(0)
  })
})

describe('blocking XREAD and XREADGROUP over real sockets', () => {
  const { ioredis, blocked, whenBlocked } = useConnections(respite)

  it('XREAD BLOCK waits for XADD and serves the new entry only; BLOCK times out with nil', async () => {
    const reader = ioredis()
    await r3.xadd('s', '1-1', 'old', 'x')
    const { reply } = await whenBlocked('XREAD', () => reader.xread('BLOCK', 0, 'STREAMS', 's', '$'))
    await r3.xadd('s', '2-1', 'new', 'y')
    expect(await reply).toEqual([['s', [['2-1', ['new', 'y']]]]])
    const started = Date.now()
    expect(await reader.xread('BLOCK', 50, 'STREAMS', 's', '$')).toBeNull()
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
    expect(blocked()).toBe(0)
  })

  it('XREADGROUP BLOCK is served by XADD and records the pending entry for its consumer', async () => {
    const reader = ioredis(2)
    await r3.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM')
    const { reply } = await whenBlocked('XREADGROUP', () => reader.xreadgroup('GROUP', 'g', 'c', 'COUNT', 5, 'BLOCK', 0, 'STREAMS', 's', '>'))
    await r3.xadd('s', '1-1', 'f', 'v')
    expect(await reply).toEqual([['s', [['1-1', ['f', 'v']]]]])
    expect(await r3.xpending('s', 'g')).toEqual([1, '1-1', '1-1', [['c', '1']]])
  })

  it('XREADGROUP BLOCK gets UNBLOCKED when its stream is deleted and NOGROUP when its group is destroyed', async () => {
    const reader = ioredis()
    await r3.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM')
    let { reply } = await whenBlocked('XREADGROUP', () => reader.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>').catch((e: Error) => e.message))
    await r3.del('s')
    expect(await reply).toBe('UNBLOCKED the stream key no longer exists')
    await r3.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM')
    ;({ reply } = await whenBlocked('XREADGROUP', () => reader.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>').catch((e: Error) => e.message)))
    await r3.xgroup('DESTROY', 's', 'g')
    expect(await reply).toBe('NOGROUP the consumer group this client was blocked on no longer exists')
  })

  it('an XREAD waiter outlives the deletion of its stream and CLIENT UNBLOCK ends it', async () => {
    const reader = ioredis()
    const id = await reader.client('ID')
    await r3.xadd('s', '1-1', 'f', 'v')
    const { reply } = await whenBlocked('XREAD', () => reader.xread('BLOCK', 0, 'STREAMS', 's', '$'))
    await r3.del('s')
    await new Promise((r) => setTimeout(r, 20))
    expect(blocked()).toBe(1)
    expect(await r3.client('UNBLOCK', id)).toBe(1)
    expect(await reply).toBeNull()
  })

  it('many XREADGROUP consumers each get distinct entries as they arrive', async () => {
    await r3.xgroup('CREATE', 'q', 'workers', '$', 'MKSTREAM')
    const readers = [ioredis(), ioredis(), ioredis()]
    const replies: Promise<unknown>[] = []
    for (const [i, r] of readers.entries()) {
      const { reply } = await whenBlocked(`worker ${i}`, () => r.xreadgroup('GROUP', 'workers', `w${i}`, 'COUNT', 1, 'BLOCK', 0, 'STREAMS', 'q', '>'))
      replies.push(reply)
    }
    for (let i = 1; i <= 3; i++) await r3.xadd('q', `${i}-0`, 'job', String(i))
    const got = (await Promise.all(replies)) as [string, Entry[]][][]
    expect(got.map((r) => r[0][1][0][0]).sort()).toEqual(['1-0', '2-0', '3-0'])
    await until(() => blocked() === 0, 'all workers served')
    expect((await r3.xpending('q', 'workers'))[0]).toBe(3)
  })
})

describe('COMMAND metadata of the stream commands', () => {
  it('COMMAND GETKEYS finds XREAD and XREADGROUP keys after STREAMS', async () => {
    expect(await r3.command('GETKEYS', 'XREAD', 'COUNT', '2', 'STREAMS', 'a', 'b', '0', '0')).toEqual(['a', 'b'])
    expect(await r3.command('GETKEYS', 'XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'a', '>')).toEqual(['a'])
    expect(await r3.command('GETKEYS', 'XGROUP', 'CREATE', 'k', 'g', '$')).toEqual(['k'])
  })
})
