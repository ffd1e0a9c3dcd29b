import type { CommandSpec } from '../commands/spec.js'
import type { Database } from '../store/database.js'
import type { HashValue } from '../store/hash.js'
import type { Caller } from './caller.js'

/**
 * Where applied writes leave the server: the append-only file now, replicas later.
 * The dispatcher hands over each write command that changed the data (the store's
 * change counter moved while it ran), once it has run, in the database it ran in.
 *
 * What a sink receives must replay to the same data anywhere, later, so commands whose
 * outcome depends on when or how they ran go out in the form Redis 7.0 propagates
 * (checked against redis-server's own AOF):
 * - a command that said how (Caller.propagateAs: SPOP's SREMs, a blocking pop as the
 *   pop it became, XADD with the id it chose) goes out that way;
 * - else the rewrites below, which need only the arguments and the data the command
 *   left: relative expiries as absolute PEXPIREAT / SET ... PXAT, INCRBYFLOAT as SET;
 * - else the command as sent.
 * Keys removed by expiry go out as DEL (KeySignals), at the moment they expire.
 */
export interface WriteSink {
  write(db: Database, argv: readonly string[]): void
}

const MULTI = ['MULTI']
const EXEC = ['EXEC']

export class Propagation {
  private readonly sinks: WriteSink[] = []
  active = false
  private depth = 0
  private opened = false
  /** A unit's first write, until a second one opens MULTI (see begin). */
  private heldDb: Database | null = null
  private heldArgv: readonly string[] | null = null

  attach(sink: WriteSink): void {
    this.sinks.push(sink)
    this.active = true
  }

  detach(sink: WriteSink): void {
    const i = this.sinks.indexOf(sink)
    if (i >= 0) this.sinks.splice(i, 1)
    this.active = this.sinks.length !== 0
  }

  /**
   * EXEC and scripts: the writes until end() reach the sinks between MULTI and EXEC,
   * so a replica or the AOF applies them atomically too. As in Redis 7.0, a unit that
   * wrote once sends that write alone (it is atomic by itself), and one that wrote
   * nothing sends nothing: the first write waits for a second before MULTI goes out.
   */
  begin(): void {
    this.depth++
  }

  end(db: Database): void {
    if (--this.depth !== 0) return
    if (this.opened) {
      this.opened = false
      this.emit(db, EXEC)
    } else if (this.heldArgv !== null) {
      const argv = this.heldArgv
      this.heldArgv = null
      this.emit(this.heldDb!, argv)
    }
    this.heldDb = null
  }

  /**
   * A write command has run for `caller` in `db` and changed the data: it goes to the
   * sinks in its replayable form. Several commands (SPOP with a count) are one
   * transaction, as Redis wraps what one command propagates.
   */
  command(spec: CommandSpec, caller: Caller, db: Database, argv: string[]): void {
    const told = caller.propagated
    if (told !== null) {
      caller.propagated = null
      if (told.length === 1) return this.write(db, told[0])
      this.begin()
      for (const each of told) this.write(db, each)
      this.end(db)
      return
    }
    const rewrite = REWRITES.get(spec.fullName!)
    this.write(db, rewrite === undefined ? argv : rewrite(db, argv))
  }

  /** A key removed because its time passed (lazily or by the active cycle): Redis propagates DEL. */
  expired(db: Database, key: string): void {
    this.write(db, ['DEL', key])
  }

  write(db: Database, argv: readonly string[]): void {
    if (this.depth > 0 && !this.opened) {
      if (this.heldArgv === null) {
        this.heldDb = db
        this.heldArgv = argv
        return
      }
      this.opened = true
      this.emit(this.heldDb!, MULTI)
      this.emit(this.heldDb!, this.heldArgv)
      this.heldArgv = null
    }
    this.emit(db, argv)
  }

  private emit(db: Database, argv: readonly string[]): void {
    for (const sink of this.sinks) sink.write(db, argv)
  }
}

type Rewrite = (db: Database, argv: string[]) => readonly string[]

/**
 * A key's expiry as the command left it: PEXPIREAT at the absolute time, PERSIST when
 * it has none, DEL when the command removed the key (a time already past). Read from
 * the keyspace directly: a lookup could expire the key and propagate a DEL of its own.
 */
function expiryOf(db: Database, key: string): readonly string[] {
  if (!db.keys.has(key)) return ['DEL', key]
  const at = db.expireAt(key)
  return at === undefined ? ['PERSIST', key] : ['PEXPIREAT', key, String(at)]
}

/** SET key value PXAT <absolute>: SETEX, PSETEX and SET with a relative or seconds expiry. */
function setWithExpiry(db: Database, key: string, value: string): readonly string[] {
  const at = db.expireAt(key)
  if (!db.keys.has(key)) return ['DEL', key]
  return at === undefined ? ['SET', key, value] : ['SET', key, value, 'PXAT', String(at)]
}

function isExpiryOption(a: string): boolean {
  if (a.length !== 2 && a.length !== 4) return false
  const u = a.toUpperCase()
  return u === 'EX' || u === 'PX' || u === 'EXAT'
}

const expire: Rewrite = (db, argv) => expiryOf(db, argv[1])

const REWRITES = new Map<string, Rewrite>([
  ['expire', expire],
  ['pexpire', expire],
  ['expireat', expire],
  ['pexpireat', expire],
  ['getex', expire],
  ['setex', (db, argv) => setWithExpiry(db, argv[1], argv[3])],
  ['psetex', (db, argv) => setWithExpiry(db, argv[1], argv[3])],
  [
    'set',
    (db, argv) => {
      // The common SET key value needs no look at its options.
      for (let i = 3; i < argv.length; i++) if (isExpiryOption(argv[i])) return setWithExpiry(db, argv[1], argv[2])
      return argv
    },
  ],
  // The result, not the increment: float formatting must not differ on replay.
  ['incrbyfloat', (db, argv) => ['SET', argv[1], db.keys.get(argv[1]) as string, 'KEEPTTL']],
  [
    'hincrbyfloat',
    (db, argv) => {
      const hash = db.keys.get(argv[1]) as HashValue
      return ['HSET', argv[1], argv[2], hash.get(argv[2])!]
    },
  ],
  [
    // A relative TTL becomes absolute (ABSTTL), as Redis 7.0 propagates RESTORE.
    'restore',
    (db, argv) => {
      if (argv[2] === '0' || argv.some((a, i) => i > 3 && a.toUpperCase() === 'ABSTTL')) return argv
      const at = db.expireAt(argv[1])
      if (at === undefined) return argv
      const out = argv.slice()
      out[2] = String(at)
      out.push('ABSTTL')
      return out
    },
  ],
])
