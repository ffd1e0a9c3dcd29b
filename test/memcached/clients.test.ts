import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import Memcached from 'memcached'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/index.js'
import { Conn, memcachedBinary, startMemcached, startRespite } from './helpers.js'

/**
 * Real memcached clients against the front end: the `memcached` npm client, pymemcache and pylibmc (Python,
 * Debian's packages under /usr/bin/python3), libmemcached's command-line tools
 * (memccapable's ASCII suite compared with the real memcached's results), and
 * memcslap for load.
 */
const PY = '/usr/bin/python3'
const hasPy = (mod: string) => spawnSync(PY, ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0
const hasTool = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0

function run(cmd: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status) => resolve({ stdout, stderr, status }))
    child.stdin.end(input ?? '')
  })
}

describe('memcached clients against the front end', () => {
  let server: RunningServer
  let redis: Redis
  let addr: string

  beforeAll(async () => {
    server = await startRespite()
    addr = `127.0.0.1:${server.memcachedPort}`
    redis = new Redis({ port: server.port })
  })
  afterAll(async () => {
    redis?.disconnect()
    await server?.close()
  })

  it.skipIf(!hasPy('pymemcache'))('pymemcache: set/get/gets/cas/incr/decr/add/replace/append/touch/delete/get_many/stats', async () => {
    const script = `
import sys
from pymemcache.client.base import Client
c = Client(('127.0.0.1', int(sys.argv[1])), default_noreply=False)
assert c.set('pk', b'v1', expire=100, flags=5)
assert c.get('pk') == b'v1'
v, cas = c.gets('pk')
assert v == b'v1'
assert c.cas('pk', b'v2', cas) is True
assert c.cas('pk', b'v3', cas) is False
assert c.get('pk') == b'v2'
assert c.add('pk', b'x') is False
assert c.add('pk2', b'10') is True
assert c.incr('pk2', 5) == 15
assert c.decr('pk2', 20) == 0
assert c.replace('pk2', b'r') is True
assert c.append('pk2', b's') is True
assert c.prepend('pk2', b'q') is True
assert c.get('pk2') == b'qrs'
assert c.touch('pk2', 50) is True
assert c.get_many(['pk', 'pk2', 'nope']) == {'pk': b'v2', 'pk2': b'qrs'}
c.set_many({'m1': b'1', 'm2': b'2'})
assert c.get_multi(['m1', 'm2']) == {'m1': b'1', 'm2': b'2'}
assert c.delete('pk') is True
assert c.delete('pk') is False
assert c.get('pk') is None
assert c.incr('nope', 1) is None
s = c.stats()
assert s[b'cmd_get'] > 0, s
assert c.version() == b'1.6.18'
c.set('big', b'x' * 500000)
assert len(c.get('big')) == 500000
try:
    c.set('huge', b'x' * 2000000)
    raise SystemExit('expected an error')
except Exception as e:
    assert 'too large' in str(e), e
assert c.flush_all() is True
assert c.get('m1') is None
c.set('fromredis', b'')
print('ok')
`
    const r = await run(PY, ['-c', script, String(server.memcachedPort)])
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('ok')
  })

  it.skipIf(!hasPy('pymemcache'))('pymemcache meta-free pipelining of noreply sets, then Redis reads them', async () => {
    const script = `
import sys
from pymemcache.client.base import Client
c = Client(('127.0.0.1', int(sys.argv[1])))
for i in range(500):
    c.set('np%d' % i, str(i).encode(), noreply=True)
assert c.get('np499') == b'499'
print('ok')
`
    const r = await run(PY, ['-c', script, String(server.memcachedPort)])
    expect(r.stdout.trim()).toBe('ok')
    expect(await redis.get('np250')).toBe('250')
  })

  it.skipIf(!hasPy('pylibmc'))('pylibmc: typed values through flags, multi ops, cas, incr', async () => {
    const script = `
import sys, pylibmc
c = pylibmc.Client(['127.0.0.1:%s' % sys.argv[1]], behaviors={'cas': True})
c.set('lk', 'text')
assert c.get('lk') == 'text'
c.set('li', 42)
assert c.get('li') == 42
c.set('ld', {'a': [1, 2]})
assert c.get('ld') == {'a': [1, 2]}
c.set_multi({'x1': b'1', 'x2': b'2'})
assert c.get_multi(['x1', 'x2', 'x3']) == {'x1': b'1', 'x2': b'2'}
c.set('ctr', 10)
assert c.incr('ctr', 5) == 15
assert c.decr('ctr', 1) == 14
v, cas = c.gets('lk')
assert c.cas('lk', 'new', cas)
assert not c.cas('lk', 'newer', cas)
assert c.add('lk', 'x') is False
assert c.replace('lk', 'y') is True
c.delete('lk')
assert c.get('lk') is None
c.touch('li', 100)
c.flush_all()
assert c.get('li') is None
print('ok')
`
    const r = await run(PY, ['-c', script, String(server.memcachedPort)])
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('ok')
  })

  it.skipIf(!hasPy('pylibmc'))('pylibmc: an int stored by pylibmc reads through Redis as its decimal text', async () => {
    const r = await run(PY, ['-c', `import sys, pylibmc\nc = pylibmc.Client(['127.0.0.1:%s' % sys.argv[1]])\nc.set('pyint', 1234)\nprint(c.get('pyint'))`, String(server.memcachedPort)])
    expect(r.stdout.trim()).toBe('1234')
    expect(await redis.get('pyint')).toBe('1234')
  })

  it.skipIf(!hasTool('memccp'))('libmemcached tools: memccp, memccat, memcstat, memcrm, memcflush', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respite-mc-'))
    const file = join(dir, 'tool.txt')
    writeFileSync(file, 'copied by memccp\n')
    expect((await run('memccp', [`--servers=${addr}`, file])).status).toBe(0)
    expect(await redis.get('tool.txt')).toBe('copied by memccp\n')
    const cat = await run('memccat', [`--servers=${addr}`, 'tool.txt'])
    // memccat ends each value with a newline of its own.
    expect(cat.stdout).toBe('copied by memccp\n\n')
    const stat = await run('memcstat', [`--servers=${addr}`])
    expect(stat.status).toBe(0)
    expect(stat.stdout).toMatch(/curr_items: \d+/)
    expect(stat.stdout).toMatch(/version: 1\.6\.18/)
    expect((await run('memcrm', [`--servers=${addr}`, 'tool.txt'])).status).toBe(0)
    expect(await redis.exists('tool.txt')).toBe(0)
    await redis.set('gone', 'x')
    expect((await run('memcflush', [`--servers=${addr}`])).status).toBe(0)
    expect(await redis.dbsize()).toBe(0)
  })

  it.skipIf(!hasTool('memccapable') || memcachedBinary === null)('memccapable -a passes every ASCII test it passes against memcached', async () => {
    const real = await startMemcached()
    try {
      const results = async (port: number) => {
        const r = await run('memccapable', ['-a', '-h', '127.0.0.1', '-p', String(port)])
        return r.stdout.split('\n').filter((l) => /\[(pass|fail|skipped)\]/.test(l)).map((l) => l.replace(/\s+/g, ' ').trim())
      }
      const [ours, theirs] = [await results(server.memcachedPort!), await results(real.port)]
      expect(theirs.length).toBeGreaterThan(20)
      expect(ours).toEqual(theirs)
      expect(ours.every((l) => l.endsWith('[pass]'))).toBe(true)
    } finally {
      await real.stop()
    }
  })

  it.skipIf(!hasTool('memctouch'))('libmemcached tools: memctouch sets the expiry Redis then reports, memcexist finds keys', async () => {
    await redis.set('touched', 'v')
    expect((await run('memctouch', [`--servers=${addr}`, '--expire=500', 'touched'])).status).toBe(0)
    const ttl = await redis.ttl('touched')
    expect(ttl).toBeGreaterThan(490)
    expect(ttl).toBeLessThanOrEqual(500)
    expect((await run('memcexist', [`--servers=${addr}`, 'touched'])).status).toBe(0)
    expect((await run('memcexist', [`--servers=${addr}`, 'no-such-key'])).status).not.toBe(0)
  })

  it.skipIf(!hasPy('pymemcache'))('a client that pickles structured values with flags and reads stats back, as the teaching client did', async () => {
    const script = `import sys
from pymemcache.client.base import Client
from pymemcache import serde
c = Client(('127.0.0.1', int(sys.argv[1])), serde=serde.pickle_serde)
value = {'name': 'job', 'tags': ['a', 'b'], 'n': 3, 'nested': {'ok': True}}
c.set('pickled', value)
c.set('plain', b'bytes')
assert c.get('pickled') == value, c.get('pickled')
assert c.get('plain') == b'bytes'
stats = c.stats()
print(int(stats[b'cmd_set']) >= 2, int(stats[b'get_hits']) >= 2, int(stats[b'curr_items']) >= 2)`
    const r = await run(PY, ['-c', script, String(server.memcachedPort)])
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('True True True')
    // The pickle is the value Redis sees; the flags that mark it a pickle stay on the memcached side.
    const raw = await redis.getBuffer('pickled')
    expect(raw![0]).toBe(0x80)
    const c = await Conn.open(server.memcachedPort!)
    try {
      c.write('mg pickled f\r\n')
      expect((await c.until('\r\n')).toString('latin1')).toBe('HD f1\r\n')
    } finally {
      c.close()
    }
  })

  it('the memcached npm client: set, get, gets, getMulti, JSON values with flags, incr/decr, append, touch, del, stats', async () => {
    const m = new Memcached(addr, { retries: 0, timeout: 2000 })
    const p = <T>(f: (cb: (err: unknown, r: T) => void) => void) => new Promise<T>((resolve, reject) => f((err, r) => (err ? reject(err) : resolve(r))))
    try {
      expect(await p<boolean>((cb) => m.set('npm', 'hello', 100, cb))).toBe(true)
      expect(await p((cb) => m.get('npm', cb))).toBe('hello')
      expect(await p<{ [key: string]: unknown; cas: string }>((cb) => m.gets('npm', cb))).toMatchObject({ npm: 'hello' })
      expect(await p((cb) => m.getMulti(['npm', 'nokey'], cb))).toEqual({ npm: 'hello' })
      // An object goes as JSON, marked by a flag only memcached clients see.
      expect(await p<boolean>((cb) => m.set('npm-obj', { a: 1, b: [1, 2] }, 100, cb))).toBe(true)
      expect(await p((cb) => m.get('npm-obj', cb))).toEqual({ a: 1, b: [1, 2] })
      expect(await redis.get('npm-obj')).toBe('{"a":1,"b":[1,2]}')
      expect(await p<boolean>((cb) => m.set('npm-n', 5, 0, cb))).toBe(true)
      expect(await p((cb) => m.incr('npm-n', 3, cb))).toBe(8)
      expect(await p((cb) => m.decr('npm-n', 10, cb))).toBe(0)
      expect(await p<boolean>((cb) => m.append('npm', ' world', cb))).toBe(true)
      expect(await redis.get('npm')).toBe('hello world')
      await p<void>((cb) => m.touch('npm', 50, (err: unknown) => cb(err, undefined)))
      expect(await redis.ttl('npm')).toBeGreaterThan(40)
      expect(await p<boolean>((cb) => m.del('npm', cb))).toBe(true)
      expect(await p((cb) => m.get('npm', cb))).toBeUndefined()
      const stats = await p<{ version: string; curr_items: number }[]>((cb) => m.stats(cb as never))
      expect(stats[0].version).toBe('1.6.18')
    } finally {
      m.end()
    }
  })

  it.skipIf(!hasTool('memcslap'))('memcslap: set, get and mget load with several threads', async () => {
    for (const test of ['set', 'get', 'mget']) {
      const r = await run('memcslap', ['-s', addr, '-t', test, '-e', '2000', '-c', '2'])
      expect(r.status, r.stderr).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`Time to ${test}`))
    }
    expect(await redis.dbsize()).toBeGreaterThan(0)
  })
})
