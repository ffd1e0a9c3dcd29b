import type { Caller } from '../server/caller.js'
import { Notify } from '../server/notify.js'
import type { Collection } from '../store/types.js'
import { Err } from './errors.js'

/**
 * Typed key lookups for the collection commands: look up the key, check its type,
 * reply WRONGTYPE for another one. Each returns the value, undefined for a missing
 * key, or null once it has replied WRONGTYPE (the handler then just returns).
 *
 * As in Redis, reading commands look up with lookupKeyRead, which counts keyspace
 * hits and misses, and writing ones with lookupKeyWrite, which does not.
 */

/** A collection class (ListValue, HashValue, SetValue, ZSet). */
export type CollectionClass<T extends Collection> = new () => T

export interface TypedLookups<T extends Collection> {
  /** The value at `key` for a reading command. */
  forRead(c: Caller, key: string): T | undefined | null
  /** The value at `key` for a writing command. */
  forWrite(c: Caller, key: string): T | undefined | null
  /** The value at `key` for a writing command, created empty when missing. */
  orCreate(c: Caller, key: string): T | null
}

/**
 * The lookups of one collection type. Each family makes its own set once, so that
 * every `instanceof` below only ever sees one class: in a shared function taking the
 * class as an argument it goes megamorphic, which measurably slows the writing
 * commands (LPUSH, SADD, HSET, ZADD...). For the same reason the three do not call
 * one another.
 */
export function typedLookups<T extends Collection>(type: CollectionClass<T>): TypedLookups<T> {
  return {
    forRead(c, key) {
      const v = c.db.lookupRead(key)
      if (v === undefined || v instanceof type) return v
      c.out.error(Err.wrongType)
      return null
    },
    forWrite(c, key) {
      const v = c.db.get(key)
      if (v === undefined || v instanceof type) return v
      c.out.error(Err.wrongType)
      return null
    },
    orCreate(c, key) {
      const v = c.db.get(key)
      if (v instanceof type) return v
      if (v !== undefined) {
        c.out.error(Err.wrongType)
        return null
      }
      const created = new type()
      c.db.set(key, created)
      return created
    },
  }
}

/**
 * After a command removed members from a collection in place: signals the change,
 * sends the command's keyspace event (class `type`, name `event`) and, when nothing
 * is left, deletes the key with the "del" event Redis sends after the command's own.
 */
export function afterRemoval(c: Caller, key: string, value: Collection, type: number, event: string): void {
  if (value.size === 0) {
    c.db.delete(key)
    c.notify(type, event, key)
    c.notify(Notify.generic, 'del', key)
  } else {
    c.db.modified(key)
    c.notify(type, event, key)
  }
}
