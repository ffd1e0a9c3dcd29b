import type { Database } from '../store/database.js'

/**
 * Where applied writes leave the server: the seam the append-only file and replicas
 * will hang off (a later issue). The dispatcher hands over each command that changed
 * the data (the store's change counter moved while it ran), once it has run, in the
 * database it ran in. Commands whose effect must be replayed in another form (EXPIRE
 * as PEXPIREAT, SPOP as SREM, a blocking pop as its non-blocking form, an expired key
 * as DEL) will be rewritten here when the first sink arrives, as Redis does.
 *
 * Nothing consumes writes yet, so `active` is false and the dispatcher skips the call.
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
   * so a replica or the AOF applies them atomically too. Nothing is sent when nothing
   * was written.
   */
  begin(): void {
    this.depth++
  }

  end(db: Database): void {
    if (--this.depth === 0 && this.opened) {
      this.opened = false
      this.emit(db, EXEC)
    }
  }

  write(db: Database, argv: readonly string[]): void {
    if (this.depth > 0 && !this.opened) {
      this.opened = true
      this.emit(db, MULTI)
    }
    this.emit(db, argv)
  }

  private emit(db: Database, argv: readonly string[]): void {
    for (const sink of this.sinks) sink.write(db, argv)
  }
}
