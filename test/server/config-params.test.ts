import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { elements, ReplyConnection } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * CONFIG SET and CONFIG GET of every parameter redis-server 7.0.15 has, against a real
 * one: each name `CONFIG GET *` lists, plus the hidden ones only an exact name
 * reaches. For each, a spread of values (its own, wrong types, bounds, units, empty)
 * must get the same reply, and the same value back from CONFIG GET.
 */

const skip = missingTool('redis-server')
/** Redis's hidden parameters: left out of `CONFIG GET *`, answered by exact name. */
const HIDDEN = ['key-load-delay', 'loading-process-events-interval-bytes', 'lua-enable-deprecated-api', 'rdb-key-save-delay', 'use-exit-on-panic', 'watchdog-period']
/** Values tried on every parameter. */
const PROBES = ['abc!', '-1', '0', '1', '99999999999', '-9999999999999999999', 'yes', 'no', 'YES', '', '1k', '1kb', '100%', 'local', '5 5 5', 'normal 1 2 3']
/** Listening settings: respite cannot change them while running, so only their own value is tried. */
const LISTENERS = new Set(['port', 'bind'])

function bulk(frame: string): string | null {
  const m = /^\$(-?\d+)\r\n/.exec(frame)
  if (!m) throw new Error(`not a bulk: ${JSON.stringify(frame)}`)
  return Number(m[1]) < 0 ? null : frame.slice(m[0].length, m[0].length + Number(m[1]))
}

function pairs(reply: string): string[] {
  return elements(reply).items.map((i) => bulk(i)!)
}

describe.skipIf(skip !== null)(`CONFIG SET and GET of every redis-server parameter (${skip ?? 'redis-server 7.0.15'})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'respite-params-'))
  // Both write whatever appendonly yes (or, for Redis, a save) would write into the scratch directory.
  const servers = useRespiteAndRedis({ config: { dir } }, ['--dir', dir])
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('has every name, hidden ones by exact name only', async () => {
    const [ours, theirs] = await Promise.all([servers.respite.port, servers.redis.port].map(async (port) => {
      const c = await ReplyConnection.open(port)
      const all = pairs(await c.call(['CONFIG', 'GET', '*'])).filter((_, i) => i % 2 === 0)
      const hidden: (string | null)[] = []
      for (const n of HIDDEN) hidden.push(pairs(await c.call(['CONFIG', 'GET', n.toUpperCase()]))[0] ?? null)
      const pattern = pairs(await c.call(['CONFIG', 'GET', '*-delay']))
      c.close()
      // respite's own parameters (the mini dialect, the memcached front end) are not Redis's.
      return { all: all.filter((n) => n !== 'mini-port' && !n.startsWith('memcached-')).sort(), hidden, pattern }
    }))
    expect(ours.all).toEqual(theirs.all)
    // Exact names answer under the name given.
    expect(theirs.hidden).toEqual(HIDDEN.map((n) => n.toUpperCase()))
    expect(ours.hidden).toEqual(theirs.hidden)
    for (const n of HIDDEN) expect(theirs.all).not.toContain(n)
    expect(ours.pattern).toEqual(theirs.pattern)
  })

  it('answers the same to the same values, and reads back the same', async () => {
    const redis = await ReplyConnection.open(servers.redis.port)
    const respite = await ReplyConnection.open(servers.respite.port)
    try {
      const names = pairs(await redis.call(['CONFIG', 'GET', '*'])).filter((_, i) => i % 2 === 0)
      const mismatches: string[] = []
      for (const name of [...names, ...HIDDEN]) {
        const theirs = bulk(elements(await redis.call(['CONFIG', 'GET', name])).items[1])!
        const ours = bulk(elements(await respite.call(['CONFIG', 'GET', name])).items[1])!
        // Each server is set to its own value first (respite's port, dir and loglevel differ on purpose).
        const probes = LISTENERS.has(name) ? [null] : [null, theirs, ...PROBES]
        for (const probe of probes) {
          const [a, b] = [await redis.call(['CONFIG', 'SET', name, probe ?? theirs]), await respite.call(['CONFIG', 'SET', name, probe ?? ours])]
          const shown = `CONFIG SET ${name} ${JSON.stringify(probe ?? '(own value)')}`
          if (a !== b) mismatches.push(`${shown}: redis ${JSON.stringify(a)}, respite ${JSON.stringify(b)}`)
          else if (probe !== null && a === '+OK\r\n') {
            const [ga, gb] = [await redis.call(['CONFIG', 'GET', name]), await respite.call(['CONFIG', 'GET', name])]
            if (ga !== gb) mismatches.push(`${shown} then CONFIG GET: redis ${JSON.stringify(ga)}, respite ${JSON.stringify(gb)}`)
          }
          await redis.call(['CONFIG', 'SET', name, theirs])
          await respite.call(['CONFIG', 'SET', name, ours])
        }
      }
      expect(mismatches).toEqual([])
    } finally {
      // requirepass was among the names: both are back to none, but be sure.
      await redis.call(['CONFIG', 'SET', 'requirepass', ''])
      redis.close()
      respite.close()
    }
  }, 60_000)
})
