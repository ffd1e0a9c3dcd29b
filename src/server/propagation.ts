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

export class Propagation {
  private readonly sinks: WriteSink[] = []
  active = false

  attach(sink: WriteSink): void {
    this.sinks.push(sink)
    this.active = true
  }

  detach(sink: WriteSink): void {
    const i = this.sinks.indexOf(sink)
    if (i >= 0) this.sinks.splice(i, 1)
    this.active = this.sinks.length !== 0
  }

  write(db: Database, argv: readonly string[]): void {
    for (const sink of this.sinks) sink.write(db, argv)
  }
}
