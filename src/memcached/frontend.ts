import type { Server } from '../server/server.js'
import type { ClientSocket } from '../server/fast-io.js'
import { ClientTable } from '../server/client-table.js'
import { MemcachedConnection } from './connection.js'
import { ItemTable } from './items.js'
import { newCounters } from './stats.js'

/**
 * The memcached front end (--memcached-port): its connections, counters and the item
 * metadata table over database 0. The Server owns the listener and admits sockets
 * here; everything memcached-specific lives in src/memcached.
 */
export class MemcachedFrontEnd {
  readonly items: ItemTable
  counters = newCounters()
  /** Not a Set, for the reason ClientTable gives. */
  readonly connections = new ClientTable<MemcachedConnection>()
  private nextId = 1
  readonly startedAt = Date.now()
  verbosity = 0
  /**
   * Date.now() as of the read being served (connection.ts): commands take their time
   * from it, so a read of many requests makes one clock call, not one per request.
   */
  now = Date.now()
  port = 0
  private flushTimer: NodeJS.Timeout | null = null

  constructor(readonly server: Server) {
    this.items = new ItemTable(server.store.db(0), server)
  }

  get itemSizeMax(): number {
    return this.server.config.int('memcached-item-size-max')
  }

  admit(socket: ClientSocket): MemcachedConnection {
    const connection = new MemcachedConnection(this, socket, this.nextId++)
    this.connections.add(connection)
    this.counters.total_connections++
    return connection
  }

  /**
   * flush_all [delay]: empties database 0 now, or after `delay` seconds (a later
   * flush_all replaces a pending one, as memcached's single flush time does).
   */
  flush(delay: number): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer)
    this.flushTimer = null
    if (delay <= 0) {
      this.items.flush()
      return
    }
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null
      if (!this.server.isClosed) this.items.flush()
    }, delay * 1000)
    this.flushTimer.unref()
  }

  resetStats(): void {
    const total = this.counters.total_connections
    this.counters = newCounters()
    this.counters.total_connections = total
  }

  close(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer)
    for (const c of this.connections) c.destroy()
  }
}
