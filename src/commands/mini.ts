import type { Caller } from '../server/caller.js'
import { del } from './keys.js'
import { command, type CommandSpec } from './spec.js'

/**
 * The original mini Redis's own commands, served on every port: DELETE answers as DEL
 * does, and FLUSH empties the current database and answers how many keys it removed.
 */

function flush(c: Caller): void {
  c.out.integer(c.db.clear())
}

export const miniCommands: CommandSpec[] = [
  command({
    name: 'delete', arity: -2, flags: ['write'], firstKey: 1, lastKey: -1, step: 1, group: 'generic',
    since: '0.1.0', complexity: 'O(N) where N is the number of keys that will be removed.',
    summary: 'Deletes one or more keys, as DEL (mini Redis dialect).', syntax: 'key [key ...]', handler: del,
  }),
  command({
    name: 'flush', arity: 1, flags: ['write'], group: 'server', since: '0.1.0',
    complexity: 'O(N) where N is the number of keys in the database.',
    summary: 'Removes all keys from the current database and returns how many (mini Redis dialect).',
    syntax: '', handler: flush,
  }),
]
