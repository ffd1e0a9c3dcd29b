import { InternalCaller } from '../server/internal-caller.js'

/**
 * Whom a script's redis.call runs for: a caller with no connection (Redis's "lua
 * client"). One per server, reused by every script. Each command writes its reply
 * here, the script reads it back (convert.ts) and the writer is emptied.
 *
 * Blocking commands answer at once, as in MULTI. SELECT moves this caller only, so it
 * never changes the database of the client that ran the script.
 */
export class ScriptCaller extends InternalCaller {}
