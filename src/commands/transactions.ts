import type { Caller } from '../server/caller.js'
import { discardTransaction, execTransaction, Transaction } from '../server/transaction.js'
import { Err } from './errors.js'
import { command, type CommandSpec } from './spec.js'

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH. Queueing happens in the dispatcher, which
 * runs these five (and QUIT and RESET) at once even inside MULTI; running the queue is
 * server/transaction.ts, the watched keys server/watch.ts.
 */

function multi(c: Caller): void {
  // Not an error that dooms the transaction: the open one stays as it was.
  if (c.multi !== null) return c.out.error(Err.multiNested)
  c.multi = new Transaction()
  c.out.simple('OK')
}

function exec(c: Caller): void {
  if (c.multi === null) return c.out.error(Err.execWithoutMulti)
  const errorsBefore = c.out.errors
  const outcome = execTransaction(c)
  // call() counts EXEC as failed when any reply it wrote was an error; Redis counts
  // only EXEC's own (EXECABORT), not those of the commands it ran, so take back the
  // one call() is about to add.
  if (outcome === 'ran' && c.out.errors !== errorsBefore) execSpec.stats!.failed--
}

function discard(c: Caller): void {
  if (c.multi === null) return c.out.error(Err.discardWithoutMulti)
  discardTransaction(c)
  c.out.simple('OK')
}

/** WATCH key [key ...] */
function watch(c: Caller, argv: string[]): void {
  if (c.multi !== null) return c.out.error(Err.watchInMulti)
  // Already doomed: the next EXEC fails whatever these keys do.
  if (!c.watchDirty) {
    const watches = c.server.watches
    for (let i = 1; i < argv.length; i++) watches.watch(c, argv[i])
  }
  c.out.simple('OK')
}

function unwatch(c: Caller): void {
  c.server.watches.unwatchAll(c)
  c.watchDirty = false
  c.out.simple('OK')
}

const FLAGS = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const

const execSpec: CommandSpec = command({
  name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], group: 'transactions', since: '1.2.0',
  complexity: 'Depends on commands in the transaction', summary: 'Execute all commands issued after MULTI',
  syntax: '', handler: exec,
})

export const transactionCommands: CommandSpec[] = [
  command({
    name: 'multi', arity: 1, flags: [...FLAGS], group: 'transactions', since: '1.2.0', complexity: 'O(1)',
    summary: 'Mark the start of a transaction block', syntax: '', handler: multi,
  }),
  execSpec,
  command({
    name: 'discard', arity: 1, flags: [...FLAGS], group: 'transactions', since: '2.0.0',
    complexity: 'O(N), when N is the number of queued commands', summary: 'Discard all commands issued after MULTI',
    syntax: '', handler: discard,
  }),
  command({
    name: 'watch', arity: -2, flags: [...FLAGS], group: 'transactions', since: '2.2.0', complexity: 'O(1) for every key.',
    summary: 'Watch the given keys to determine execution of the MULTI/EXEC block', syntax: 'key [key ...]',
    firstKey: 1, lastKey: -1, step: 1, keyFlags: ['RO'], handler: watch,
  }),
  command({
    name: 'unwatch', arity: 1, flags: [...FLAGS], group: 'transactions', since: '2.2.0', complexity: 'O(1)',
    summary: 'Forget about all watched keys', syntax: '', handler: unwatch,
  }),
]
