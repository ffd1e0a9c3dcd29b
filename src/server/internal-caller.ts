import { Caller } from './caller.js'
import type { Client } from './client.js'
import type { Server } from './server.js'

/**
 * A caller with no connection, for commands the server runs itself: a script's
 * redis.call (Redis's "lua client") and the AOF replay at start-up (its "fake
 * client"). Already authenticated, never blocks (blocking commands answer at once, as
 * in MULTI), and its replies stay in its own writer for whoever runs it to read or drop.
 */
export class InternalCaller extends Caller {
  constructor(server: Server) {
    super(server, 0, false, 4 * 1024)
    this.denyBlocking = true
    this.authenticated = true
    this.out.errorCodes = null
  }

  get connection(): Client | null {
    return null
  }

  closeAfterReply(): void {}

  destroy(): void {}
}
