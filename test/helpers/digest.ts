import { Redis } from 'ioredis'

/**
 * A per-key digest of a whole server, to compare what two servers hold (respite and
 * redis-server after loading each other's RDB files or DUMP payloads): each key's
 * type, OBJECT ENCODING, absolute expiry time and full contents, collections in a
 * canonical order, streams with their counters, groups, pending entries and consumers.
 */

type Reply = string | number | null | Reply[]

function text(v: unknown): Reply {
  if (Buffer.isBuffer(v)) return v.toString('latin1')
  if (Array.isArray(v)) return v.map(text)
  return v as Reply
}

export async function connect(port: number): Promise<Redis> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
  r.on('error', () => {})
  await r.connect()
  return r
}

export async function cmd(r: Redis, ...args: (string | number | Buffer)[]): Promise<Reply> {
  return text(await r.callBuffer(String(args[0]), ...args.slice(1).map((a) => (typeof a === 'number' ? String(a) : a))))
}

/** Fields of a flat [name, value, ...] reply as an object. */
function fields(reply: Reply): Record<string, Reply> {
  const out: Record<string, Reply> = {}
  const a = reply as Reply[]
  for (let i = 0; i + 1 < a.length; i += 2) out[a[i] as string] = a[i + 1]
  return out
}

async function streamDigest(r: Redis, key: string): Promise<unknown> {
  const entries = await cmd(r, 'XRANGE', key, '-', '+')
  const full = fields(await cmd(r, 'XINFO', 'STREAM', key, 'FULL', 'COUNT', 0))
  const groups = ((full.groups ?? []) as Reply[]).map((g) => {
    const gf = fields(g)
    return {
      name: gf.name,
      lastId: gf['last-delivered-id'],
      entriesRead: gf['entries-read'],
      lag: gf.lag,
      pel: gf.pel,
      consumers: ((gf.consumers ?? []) as Reply[]).map((c) => {
        const cf = fields(c)
        return { name: cf.name, seen: cf['seen-time'], pel: cf.pel }
      }),
    }
  })
  return {
    entries,
    length: full.length,
    // The listpack nodes, as the snapshot kept them.
    radixKeys: full['radix-tree-keys'],
    radixNodes: full['radix-tree-nodes'],
    lastId: full['last-generated-id'],
    maxDeleted: full['max-deleted-entry-id'],
    added: full['entries-added'],
    first: full['recorded-first-entry-id'],
    groups,
  }
}

export async function keyDigest(r: Redis, key: string): Promise<unknown> {
  const type = await cmd(r, 'TYPE', key)
  let encoding = await cmd(r, 'OBJECT', 'ENCODING', key)
  // raw or embstr follows a string's history (APPEND, PFADD...), which no snapshot keeps.
  if (encoding === 'raw') encoding = 'embstr'
  const expireAt = await cmd(r, 'PEXPIRETIME', key)
  let value: unknown
  switch (type) {
    case 'string':
      value = await cmd(r, 'GET', key)
      break
    case 'list':
      value = await cmd(r, 'LRANGE', key, 0, -1)
      break
    case 'hash': {
      const all = (await cmd(r, 'HGETALL', key)) as string[]
      const pairs: string[] = []
      for (let i = 0; i < all.length; i += 2) pairs.push(`${all[i]}\0${all[i + 1]}`)
      value = pairs.sort()
      break
    }
    case 'set':
      value = ((await cmd(r, 'SMEMBERS', key)) as string[]).sort()
      break
    case 'zset':
      value = await cmd(r, 'ZRANGE', key, 0, -1, 'WITHSCORES')
      break
    case 'stream':
      value = await streamDigest(r, key)
      break
    default:
      value = null
  }
  return { type, encoding, expireAt, value }
}

/** Every key of databases 0..`databases`-1, as "db/key" → digest JSON. */
export async function serverDigest(port: number, databases = 16): Promise<Map<string, string>> {
  const r = await connect(port)
  const out = new Map<string, string>()
  try {
    for (let db = 0; db < databases; db++) {
      await cmd(r, 'SELECT', db)
      const keys = ((await cmd(r, 'KEYS', '*')) as string[]).sort()
      for (const key of keys) out.set(`${db}/${key}`, JSON.stringify(await keyDigest(r, key)))
    }
  } finally {
    r.disconnect()
  }
  return out
}

/** Keys whose digests differ, with both sides, for a readable failure. */
export function digestDiff(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = []
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(k) !== b.get(k)) out.push(`${k}:\n  ${a.get(k)?.slice(0, 400)}\n  ${b.get(k)?.slice(0, 400)}`)
  }
  return out
}
