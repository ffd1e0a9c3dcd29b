import { dumpValue } from '../persistence/dump.js'
import { MigrateLink } from '../persistence/migrate-link.js'
import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import { parseInt64 } from '../util/numbers.js'
import { isOption } from './args.js'
import { Err } from './errors.js'
import { command, type CommandSpec } from './spec.js'

/**
 * MIGRATE host port <key | ""> destination-db timeout [COPY] [REPLACE]
 * [AUTH password | AUTH2 username password] [KEYS key [key ...]]
 *
 * DUMP here, RESTORE there, then DEL here (unless COPY), as Redis does it: the keys'
 * RDB payloads go to the target in one write, after AUTH and SELECT, and the server
 * waits for the answers (migrate-link.ts), so nothing changes the keys meanwhile.
 */

/** One link per process: its worker and cached connections serve every server in it. */
let link: MigrateLink | null = null

/** A command as RESP bytes; arguments may be binary (the payloads). */
function encode(parts: (string | Buffer)[], out: Buffer[]): void {
  out.push(Buffer.from(`*${parts.length}\r\n`))
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'latin1') : p
    out.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
  }
}

/** An error line from the target, as MIGRATE reports it. */
function targetError(line: string): string {
  return `ERR Target instance replied with error: ${line.slice(1)}`
}

function migrate(c: Caller, argv: string[]): void {
  let copy = false
  let replace = false
  let username: string | null = null
  let password: string | null = null
  let keys = [argv[3]]
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j
    const o = argv[j]
    if (isOption(o, 'COPY')) copy = true
    else if (isOption(o, 'REPLACE')) replace = true
    else if (isOption(o, 'AUTH')) {
      if (more < 1) return c.out.error(Err.syntax)
      password = argv[++j]
    } else if (isOption(o, 'AUTH2')) {
      if (more < 2) return c.out.error(Err.syntax)
      username = argv[++j]
      password = argv[++j]
    } else if (isOption(o, 'KEYS')) {
      if (argv[3] !== '') return c.out.error('ERR When using MIGRATE KEYS option, the key argument must be set to the empty string')
      keys = argv.slice(j + 1)
      break
    } else {
      return c.out.error(Err.syntax)
    }
  }
  const timeoutArg = parseInt64(argv[5])
  const db = parseInt64(argv[4])
  if (timeoutArg === null || db === null) return c.out.error(Err.notInteger)
  const timeout = timeoutArg <= 0 ? 1000 : Math.min(Number(timeoutArg), 2 ** 31 - 1)
  const port = parseInt64(argv[2])

  const source = c.db
  const compress = c.server.config.get('rdbcompression') === 'yes'
  const parts: Buffer[] = []
  if (password !== null) encode(username === null ? ['AUTH', password] : ['AUTH', username, password], parts)
  encode(['SELECT', String(db)], parts)
  const moved: string[] = []
  const now = Date.now()
  for (const key of keys) {
    const v = source.getStored(key)
    if (v === undefined) continue
    let ttl = 0
    const at = source.getExpire(key)
    if (at !== undefined) {
      ttl = at - now
      // About to expire: not worth sending, as in Redis.
      if (ttl < 0) continue
      if (ttl < 1) ttl = 1
    }
    const restore: (string | Buffer)[] = ['RESTORE', key, String(Math.floor(ttl)), dumpValue(v, compress)]
    if (replace) restore.push('REPLACE')
    encode(restore, parts)
    moved.push(key)
  }
  if (moved.length === 0) return c.out.simple('NOKEY')
  if (port === null || port < 0 || port > 65535) return c.out.error('IOERR error or timeout writing to target instance')

  const before = (password !== null ? 1 : 0) + 1
  const answer = (link ??= new MigrateLink()).exchange(argv[1], Number(port), Buffer.concat(parts), before + moved.length, timeout)
  if (answer.replies === undefined) return c.out.error(answer.error ?? 'IOERR error or timeout reading to target instance')
  const replies = answer.replies
  for (let i = 0; i < before; i++) if (replies[i][0] === '-') return c.out.error(targetError(replies[i]))
  let failed: string | null = null
  for (let i = 0; i < moved.length; i++) {
    const reply = replies[before + i]
    if (reply[0] === '-') {
      // The first error is reported; keys the target took are still moved.
      failed ??= targetError(reply)
      continue
    }
    if (copy) continue
    const key = moved[i]
    if (source.delete(key)) {
      c.notify(Notify.generic, 'del', key)
      // The AOF and replicas see the keys go, as in Redis: a replayed MIGRATE would move them again.
      if (c.server.propagation.active) c.propagateAs(['DEL', key])
    }
  }
  if (failed !== null) return c.out.error(failed)
  c.out.simple('OK')
}

/** The keys: the key argument, or what follows KEYS when it is empty. */
function migrateKeys(argv: string[]): number[] {
  if (argv[3] !== '') return [3]
  for (let j = 6; j < argv.length; j++) {
    if (isOption(argv[j], 'KEYS')) return argv.slice(j + 1).map((_, i) => j + 1 + i)
    if (isOption(argv[j], 'AUTH')) j++
    else if (isOption(argv[j], 'AUTH2')) j += 2
  }
  return []
}

export const migrateCommands: CommandSpec[] = [
  command({
    name: 'migrate', arity: -6, flags: ['write', 'movablekeys'], firstKey: 3, lastKey: 3, step: 1, keys: migrateKeys,
    keySpecs: [
      { flags: ['RW', 'access', 'delete'], begin: { index: 3 }, range: [0, 1, 0] },
      { flags: ['RW', 'access', 'delete', 'incomplete'], begin: { keyword: 'KEYS', startfrom: -2 }, range: [-1, 1, 0] },
    ],
    acl: ['dangerous'], tips: ['nondeterministic_output'], group: 'generic', since: '2.6.0',
    complexity: 'This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.',
    summary: 'Atomically transfer a key from a Redis instance to another one.',
    syntax: 'host port <key | ""> destination-db timeout [COPY] [REPLACE] [[AUTH password] | [AUTH2 username password]] [KEYS key [key ...]]',
    handler: migrate,
  }),
]
