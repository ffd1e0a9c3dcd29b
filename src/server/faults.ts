import { BrokenInvariant } from '../store/invariant.js'
import type { Server } from './server.js'

/**
 * What happens to an exception that escapes a handler, the decoder, a timer or a
 * socket callback. No such exception may end the process: Redis survives anything a
 * client sends, and an uncaught exception here would drop every key. The place it came
 * from is logged with its stack (never argument values, which may be secrets or user
 * data) and the server goes on.
 *
 * The exception is a BrokenInvariant from the store: then the data cannot be trusted,
 * and going on could answer wrongly or corrupt more, so the server writes a Redis-style
 * bug report and exits with status 1.
 */
export function contain(server: Server, where: string, e: unknown): void {
  if (e instanceof BrokenInvariant) panic(server, where, e)
  server.log('warning', `Internal error in ${where}: ${stackOf(e)}`)
}

/** The one line a client is told: the kind of failure, not its details. */
export function shortReason(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 120)
  return 'unknown failure'
}

function stackOf(e: unknown): string {
  return e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e)
}

/** Never returns. */
export function panic(server: Server, where: string, e: unknown): never {
  const lines = [
    '',
    '=== RESPITE BUG REPORT START: Cut & paste starting from here ===',
    `Broken store invariant in ${where}: ${shortReason(e)}`,
    '------ STACK TRACE ------',
    stackOf(e),
    '------ INFO OUTPUT ------',
    `clients:${server.clients.size} keys:${server.store.dbs.reduce((n, db) => n + db.size, 0)} pid:${process.pid}`,
    '=== RESPITE BUG REPORT END. Make sure to include from START to END. ===',
    '',
    '       Please report the crash by opening an issue on the respite project.',
    '',
  ]
  for (const line of lines) server.log('warning', line)
  process.exit(1)
}
