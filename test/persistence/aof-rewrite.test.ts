import { describe, expect, it } from 'vitest'
import { formatScore, ITEMS_PER_COMMAND, rewriteKeyspace } from '../../src/persistence/aof-rewrite.js'
import { HashValue } from '../../src/store/hash.js'
import { ListValue } from '../../src/store/list.js'
import { SetValue } from '../../src/store/set.js'
import { Store } from '../../src/store/store.js'
import { StreamValue } from '../../src/store/stream.js'
import { ZSet } from '../../src/store/zset.js'

describe('AOF rewrite', () => {
  it('rebuilds each database with SELECT, one command per key, and collections 64 items per command', () => {
    const store = new Store(4)
    const db0 = store.db(0)
    const list = new ListValue()
    for (let i = 0; i < 130; i++) list.pushBack(String(i))
    db0.set('l', list)
    db0.set('s', SetValue.of(['a', 'b']))
    const hash = new HashValue()
    for (let i = 0; i < 65; i++) hash.set(`f${i}`, `v${i}`)
    db0.set('h', hash)
    const z = new ZSet()
    z.set('lo', -Infinity)
    z.set('mid', 1.5)
    z.set('hi', Infinity)
    store.db(2).set('z', z)
    const commands = [...rewriteKeyspace(store, Date.now())]
    expect(commands[0]).toEqual(['SELECT', '0'])
    const rpush = commands.filter((c) => c[0] === 'RPUSH')
    expect(rpush.map((c) => c.length - 2)).toEqual([ITEMS_PER_COMMAND, ITEMS_PER_COMMAND, 2])
    expect(rpush.flatMap((c) => c.slice(2))).toEqual(list.toArray())
    const hmset = commands.filter((c) => c[0] === 'HMSET')
    expect(hmset.map((c) => c.length)).toEqual([2 + 2 * ITEMS_PER_COMMAND, 4])
    expect(commands).toContainEqual(['SADD', 's', 'a', 'b'])
    const select2 = commands.findIndex((c) => c[0] === 'SELECT' && c[1] === '2')
    expect(commands[select2 + 1]).toEqual(['ZADD', 'z', '-inf', 'lo', '1.5', 'mid', 'inf', 'hi'])
    // Empty databases get no SELECT.
    expect(commands.filter((c) => c[0] === 'SELECT')).toEqual([['SELECT', '0'], ['SELECT', '2']])
  })

  it('writes TTLs as PEXPIREAT and leaves out keys whose time has passed', () => {
    const store = new Store(1)
    const db = store.db(0)
    const now = Date.now()
    db.set('live', 'v')
    db.setExpire('live', now + 10_000)
    db.set('dead', 'v')
    db.setExpire('dead', now - 1)
    db.set('plain', 'p')
    const out = [...rewriteKeyspace(store, now)]
    // Keys come in the keyspace's order (by hash); each key's commands stay together.
    expect(out[0]).toEqual(['SELECT', '0'])
    const live = out.findIndex(([name, key]) => name === 'SET' && key === 'live')
    expect(out.slice(live, live + 2)).toEqual([['SET', 'live', 'v'], ['PEXPIREAT', 'live', String(now + 10_000)]])
    expect(out).toContainEqual(['SET', 'plain', 'p'])
    expect(out).toHaveLength(4)
  })

  it('rewrites a stream with its ids, last id and counters', () => {
    const store = new Store(1)
    const s = new StreamValue()
    s.append(1n << 64n, ['f', 'v'])
    s.lastId = 1n << 64n
    s.entriesAdded = 1n
    store.db(0).set('x', s)
    const empty = new StreamValue()
    empty.lastId = (5n << 64n) | 2n
    store.db(0).set('e', empty)
    const commands = [...rewriteKeyspace(store, Date.now())]
    expect(commands).toContainEqual(['XADD', 'x', '1-0', 'f', 'v'])
    expect(commands).toContainEqual(['XSETID', 'x', '1-0', 'ENTRIESADDED', '1', 'MAXDELETEDID', '0-0'])
    expect(commands).toContainEqual(['XADD', 'e', 'MAXLEN', '0', '5-2', 'x', 'y'])
  })

  it('spells scores so that Redis reads back the same double', () => {
    expect([formatScore(Infinity), formatScore(-Infinity), formatScore(-0), formatScore(0.1), formatScore(1e300)]).toEqual(['inf', '-inf', '-0', '0.1', '1e+300'])
  })
})
