import { parseTimeout } from '../server/blocking.js'
import type { Client } from '../server/client.js'
import type { Collection } from '../store/types.js'
import type { CollectionClass } from './lookup.js'
import type { CommandSpec } from './spec.js'

/**
 * What the blocking pops of lists (BLPOP, BLMOVE, BLMPOP...) and sorted sets
 * (BZPOPMIN, BZMPOP...) share. A command that finds nothing to serve parks its client
 * on its keys; when one of them is fed, the handler runs again with c.retrying set
 * and serves from that key alone (Redis 7.0 serves a waiter from the key that became
 * ready, even if another of its keys also holds data by then), or keeps waiting if
 * the key holds nothing it can pop after all.
 */

/** A blocking command's timeout argument in ms (0 = forever). */
export function timeoutArg(c: Client, arg: string): number | null {
  const t = parseTimeout(arg)
  if (typeof t === 'string') {
    c.out.error(t)
    return null
  }
  return t
}

/**
 * Nothing to serve: parks the client on `keys` until one is fed or `timeout` ms pass,
 * when it gets a null array. Where blocking is denied (MULTI, scripts) that null array
 * is the answer at once.
 */
export function waitOnKeys(c: Client, spec: CommandSpec, argv: string[], keys: string[], timeout: number): void {
  if (c.denyBlocking) return c.out.nullArray()
  c.block(spec, argv, keys, timeout, replyNullArray)
}

function replyNullArray(c: Client): void {
  c.out.nullArray()
}

/**
 * During a re-run: the signalled key and its value when that is a non-empty `type`;
 * otherwise the client goes back to waiting and the result is null.
 */
export function readyValue<T extends Collection>(c: Client, type: CollectionClass<T>): { key: string; value: T } | null {
  const state = c.blocked!
  const key = state.readyKey!
  const v = c.db.get(key)
  if (v instanceof type && v.size > 0) return { key, value: v }
  c.block(state.spec, state.argv, state.keys, 0, state.onTimeout)
  return null
}
