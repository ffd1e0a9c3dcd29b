import type { RespValue } from '../resp/values.js'

/**
 * A collection value (list, hash, set, zset). Each lives in its own module under
 * src/store/ and reports its Redis type name and a plausible OBJECT ENCODING.
 */
export interface Collection {
  readonly type: 'list' | 'hash' | 'set' | 'zset' | 'stream'
  /** Number of elements; an empty collection deletes its key. */
  readonly size: number
  encoding(): string
  /** A deep copy, for COPY. */
  clone(): Collection
}

/**
 * A value stored as sent in any RESP type (the mini Redis extension). String
 * commands refuse it with WRONGTYPE; GET returns it with its original type.
 */
export class Structured {
  readonly type = 'structured'
  constructor(readonly value: RespValue) {}
}

/** Strings are latin1 JS strings: one char per byte, binary safe, cheap for V8. */
export type StoredValue = string | Structured | Collection

export function typeName(v: StoredValue): string {
  return typeof v === 'string' ? 'string' : v.type
}
