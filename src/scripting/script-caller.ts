import { Caller } from '../server/caller.js'
import type { Client } from '../server/client.js'
import type { Server } from '../server/server.js'

/**
 * Whom a script's redis.call runs for: a caller with no connection (Redis's "lua
 * client"). One per server, reused by every script. Each command writes its reply
 * here, the script reads it back (convert.ts) and the writer is emptied.
 *
 * Blocking commands answer at once, as in MULTI. SELECT moves this caller only, so it
 * never changes the database of the client that ran the script.
 */
export class ScriptCaller extends Caller {
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
