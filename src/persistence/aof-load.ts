import { readFileSync, truncateSync } from 'node:fs'
import type { CommandSpec } from '../commands/spec.js'
import { ProtocolError, RequestDecoder } from '../resp/decoder.js'
import type { Argv } from '../resp/values.js'
import { InternalCaller } from '../server/internal-caller.js'
import { invoke } from '../server/dispatcher.js'
import type { LoadSteps } from './loading.js'
import type { Server } from '../server/server.js'
import { SnapshotLoad } from './snapshots.js'

/** Start-up cannot go on: the message is Redis's, logged before the server exits. */
export class AofLoadError extends Error {}

export const enum LoadStatus {
  Ok,
  /** The file ended inside a command and was cut back to the last complete one. */
  Truncated,
  Empty,
}

/** Commands replayed between two looks at the clock. */
const COMMANDS_PER_CLOCK_CHECK = 256

/**
 * Replays one AOF file (base or incremental, command form) into the keyspace, in
 * steps (loading.ts). Commands between MULTI and EXEC are held and run at EXEC, so a
 * transaction the file cuts off is dropped whole. A file that ends mid-command is cut
 * back to its last complete command when aof-load-truncated allows and it is the last
 * file; anything else that is not a command stops start-up, as Redis does.
 */
export class AofFileLoad implements LoadSteps {
  /** How the file ended, once step() returned true. */
  status = LoadStatus.Ok
  private readonly buf: Buffer
  /** The RDB image a base file may start with, while it is being read. */
  private preamble: SnapshotLoad | null = null
  private readonly caller: InternalCaller
  private readonly limits: { maxBulkLen: number; queryBufferLimit: number }
  private decoder: RequestDecoder
  private validUpTo = 0
  private multi: { spec: CommandSpec; argv: string[] }[] | null = null
  private beforeMulti = 0
  private done = false

  constructor(
    private readonly server: Server,
    private readonly path: string,
    private readonly name: string,
    private readonly isLast: boolean,
  ) {
    try {
      this.buf = readFileSync(path)
    } catch (e) {
      throw new AofLoadError(`Unrecoverable error reading the append only file ${name}: ${(e as Error).message}`)
    }
    this.caller = new InternalCaller(server)
    this.limits = { maxBulkLen: server.config.int('proto-max-bulk-len'), queryBufferLimit: Number.MAX_SAFE_INTEGER }
    this.decoder = new RequestDecoder(this.limits)
    const buf = this.buf
    if (buf.length === 0) {
      this.status = LoadStatus.Empty
      this.done = true
      return
    }
    // With aof-use-rdb-preamble yes the base is an RDB image (`.base.rdb`), and a Redis 6
    // AOF may start with one before its commands.
    if (buf.subarray(0, 5).toString('latin1') === 'REDIS') {
      server.log('notice', 'Reading RDB base file on AOF loading...')
      try {
        this.preamble = new SnapshotLoad(server, buf, name, false)
      } catch (e) {
        throw new AofLoadError((e as Error).message)
      }
    } else {
      this.decoder.feed(buf, buf.length)
    }
  }

  get pos(): number {
    if (this.preamble !== null) return this.preamble.pos
    return this.buf.length - this.decoder.buffered
  }

  get usedMem(): number {
    return this.preamble?.usedMem ?? 0
  }

  /** The file's size as read. */
  get length(): number {
    return this.buf.length
  }

  step(deadline: number): boolean {
    if (this.done) return true
    const preamble = this.preamble
    if (preamble !== null) {
      try {
        if (!preamble.step(deadline)) return false
      } catch (e) {
        throw new AofLoadError((e as Error).message)
      }
      this.preamble = null
      const origin = preamble.result.length
      if (origin >= this.buf.length) return (this.done = true)
      this.server.log('notice', 'Reading the remaining AOF tail...')
      this.decoder.feed(this.buf.subarray(origin), this.buf.length - origin)
      this.validUpTo = origin
    }
    const status = this.replay(deadline)
    if (status === null) return false
    this.status = status
    return (this.done = true)
  }

  /** Runs commands until the file's end (how it ended) or the deadline (null). */
  private replay(deadline: number): LoadStatus | null {
    const { buf, caller, server, name } = this
    const table = server.table
    // Locals in the loop, kept in the fields only across a pause.
    let decoder = this.decoder
    let multi = this.multi
    let beforeMulti = this.beforeMulti
    let validUpTo = this.validUpTo
    let untilClockCheck = COMMANDS_PER_CLOCK_CHECK
    for (;;) {
      const pos = buf.length - decoder.buffered
      if (pos >= buf.length) break
      if (--untilClockCheck === 0) {
        untilClockCheck = COMMANDS_PER_CLOCK_CHECK
        if (performance.now() >= deadline) {
          this.multi = multi
          this.beforeMulti = beforeMulti
          this.validUpTo = validUpTo
          return null
        }
      }
      const first = buf[pos]
      if (first === 0x23) {
        // An annotation line (aof-timestamp-enabled writes "#TS:..."): skipped.
        const eol = buf.indexOf(0x0a, pos)
        if (eol === -1) return this.truncated(multi !== null ? beforeMulti : validUpTo, multi !== null)
        const origin = eol + 1
        decoder = this.decoder = new RequestDecoder(this.limits)
        decoder.feed(buf.subarray(origin), buf.length - origin)
        validUpTo = origin
        continue
      }
      if (first !== 0x2a) throw formatError(name)
      let argv: Argv | undefined
      try {
        argv = decoder.next()
      } catch (e) {
        if (e instanceof ProtocolError) throw formatError(name)
        throw e
      }
      if (argv === undefined) return this.truncated(multi !== null ? beforeMulti : validUpTo, multi !== null)
      if (decoder.oversized || typeof argv[0] !== 'string') throw formatError(name)
      const commandName = (argv[0] as string).toLowerCase()
      const end = buf.length - decoder.buffered
      if (commandName === 'multi') {
        multi = []
        beforeMulti = pos
      } else if (commandName === 'exec') {
        if (multi !== null) for (const queued of multi) run(caller, queued.spec, queued.argv)
        multi = null
      } else {
        const spec = lookup(table, argv as string[])
        if (spec === undefined) throw new AofLoadError(`Unknown command '${argv[0] as string}' reading the append only file ${name}`)
        if (multi !== null) multi.push({ spec, argv: argv as string[] })
        else run(caller, spec, argv as string[])
      }
      validUpTo = end
    }
    if (multi !== null) return this.truncated(beforeMulti, true)
    return LoadStatus.Ok
  }

  private truncated(validUpTo: number, inMulti: boolean): LoadStatus {
    return truncated(this.server, this.path, this.name, this.isLast, validUpTo, inMulti)
  }
}

/** An AOF file replayed in one go (AofFileLoad, without pauses). */
export function loadAofFile(server: Server, path: string, name: string, isLast: boolean): LoadStatus {
  const load = new AofFileLoad(server, path, name, isLast)
  load.step(Infinity)
  return load.status
}

function run(caller: InternalCaller, spec: CommandSpec, argv: string[]): void {
  invoke(spec, caller, argv)
  caller.out.reuse()
}

function lookup(table: Server['table'], argv: string[]): CommandSpec | undefined {
  const spec = table.lookup(argv[0])
  if (spec === undefined || spec.subcommands === undefined || argv.length < 2) return spec
  return table.lookupSub(spec, argv[1]) ?? spec
}

function formatError(name: string): AofLoadError {
  return new AofLoadError(
    `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
  )
}

/** The file ends inside a command (or a transaction): Redis's aof-load-truncated handling and messages. */
function truncated(server: Server, path: string, name: string, isLast: boolean, validUpTo: number, inMulti: boolean): LoadStatus {
  if (!server.config.get('aof-load-truncated').startsWith('y')) {
    throw new AofLoadError(
      `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
    )
  }
  if (!isLast) throw new AofLoadError('Fatal error: the truncated file is not the last file')
  if (inMulti) server.log('warning', `Revert incomplete MULTI/EXEC transaction in AOF file ${name}`)
  server.log('warning', `!!! Warning: short read while loading the AOF file ${name}!!!`)
  server.log('warning', `!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`)
  try {
    truncateSync(path, validUpTo)
  } catch (e) {
    throw new AofLoadError(`Error truncating the AOF file ${name}: ${(e as Error).message}`)
  }
  server.log('warning', `AOF ${name} loaded anyway because aof-load-truncated is enabled`)
  return LoadStatus.Truncated
}
