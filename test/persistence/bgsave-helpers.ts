import type { Redis } from 'ioredis'
import { loadRdb, snapshotChunks } from '../../src/persistence/rdb-file.js'
import { RdbWriter, writeObject } from '../../src/persistence/rdb-values.js'
import type { Server } from '../../src/server/server.js'
import { connect, keyDigest } from '../helpers/digest.js'

/**
 * Helpers for the background save tests: the image a foreground save would write at
 * this instant, an RDB file as a map of its keys (so two files that order keys
 * differently compare equal), and a pipelined per-key digest fast enough for 200k keys.
 */

/**
 * The image the next background save must match: what SAVE would have written at
 * the moment it starts, taken inside the server (a timer, such as the active expiry
 * cycle, may run between a client's request and BGSAVE).
 */
export function imageAtNextSave(server: Server): { image: Buffer | null } {
  const out: { image: Buffer | null } = { image: null }
  const snapshots = server.snapshots
  const original = snapshots.backgroundSave
  snapshots.backgroundSave = function (this: typeof snapshots) {
    snapshots.backgroundSave = original
    out.image = imageNow(server)
    return original.call(this)
  }
  return out
}

/** The snapshot of the server's data right now, as SAVE would write it. */
export function imageNow(server: Server): Buffer {
  return Buffer.concat([...snapshotChunks(server.store.dbs, { compress: false, checksum: false, functions: [], usedMemory: 0 })])
}

/**
 * Every key of an RDB file as "db/key" → its expiry and its value written again in a
 * canonical form. Keys whose time has passed are kept: the image is of a moment.
 */
export function fileKeys(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>()
  loadRdb(
    buf,
    {
      databases: 16,
      add: (db, key, value, at) => {
        const w = new RdbWriter(false)
        writeObject(w, value)
        const name = `${db}/${key}`
        if (out.has(name)) throw new Error(`duplicate ${name}`)
        out.set(name, `${at ?? '-'} ${w.take().toString('hex')}`)
      },
      library: () => {},
    },
    0,
  )
  return out
}

/** Keys present on one side only or with different contents, a few of them, for a readable failure. */
export function mapDiff(a: Map<string, string>, b: Map<string, string>, limit = 10): string[] {
  const out: string[] = []
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(k) !== b.get(k)) {
      out.push(`${k}: ${a.get(k)?.slice(0, 120)} | ${b.get(k)?.slice(0, 120)}`)
      if (out.length >= limit) break
    }
  }
  return out
}

type Reply = string | number | null | Reply[]

function text(v: unknown): Reply {
  if (Buffer.isBuffer(v)) return v.toString('latin1')
  if (Array.isArray(v)) return v.map(text)
  return v as Reply
}

async function pipelined(r: Redis, commands: (string | number)[][]): Promise<Reply[]> {
  const out: Reply[] = []
  for (let i = 0; i < commands.length; i += 5000) {
    const p = r.pipeline()
    for (const c of commands.slice(i, i + 5000)) p.callBuffer(String(c[0]), ...c.slice(1).map(String))
    const res = (await p.exec()) ?? []
    for (const [err, v] of res) out.push(err ? `ERR ${err.message}` : text(v))
  }
  return out
}

/**
 * What keyDigest says of every key in databases 0..`databases`-1, pipelined: type,
 * encoding, absolute expiry and contents (streams one by one, through keyDigest).
 */
export async function fastDigest(port: number, databases = 16): Promise<Map<string, string>> {
  const r = await connect(port)
  const out = new Map<string, string>()
  try {
    for (let db = 0; db < databases; db++) {
      await r.select(db)
      const keys = ((await pipelined(r, [['KEYS', '*']]))[0] as string[]).sort()
      const meta = await pipelined(r, keys.flatMap((k) => [['TYPE', k], ['OBJECT', 'ENCODING', k], ['PEXPIRETIME', k]]))
      const reads: (string | number)[][] = []
      const streams: string[] = []
      keys.forEach((k, i) => {
        const type = meta[i * 3]
        if (type === 'string') reads.push(['GET', k])
        else if (type === 'list') reads.push(['LRANGE', k, 0, -1])
        else if (type === 'hash') reads.push(['HGETALL', k])
        else if (type === 'set') reads.push(['SMEMBERS', k])
        else if (type === 'zset') reads.push(['ZRANGE', k, 0, -1, 'WITHSCORES'])
        else {
          reads.push(['PING'])
          streams.push(k)
        }
      })
      const values = await pipelined(r, reads)
      for (let i = 0; i < keys.length; i++) {
        const type = meta[i * 3]
        let encoding = meta[i * 3 + 1]
        if (encoding === 'raw') encoding = 'embstr'
        let value = values[i]
        if (type === 'hash') {
          const all = value as string[]
          const pairs: string[] = []
          for (let j = 0; j < all.length; j += 2) pairs.push(`${all[j]}\0${all[j + 1]}`)
          value = pairs.sort()
        } else if (type === 'set') {
          value = (value as string[]).sort()
        }
        out.set(`${db}/${keys[i]}`, JSON.stringify({ type, encoding, expireAt: meta[i * 3 + 2], value }))
      }
      for (const k of streams) out.set(`${db}/${k}`, JSON.stringify(await keyDigest(r, k)))
    }
  } finally {
    r.disconnect()
  }
  return out
}

/** A small deterministic generator, so a failing run can be replayed. */
export function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}
