import type { Caller } from '../server/caller.js'
import { globMatch } from '../store/glob.js'
import type { Collection } from '../store/types.js'
import { isOption } from './args.js'
import { parseInt64, parseScanCursor } from '../util/numbers.js'
import { Err } from './errors.js'
import type { TypedLookups } from './lookup.js'

/**
 * What SCAN, HSCAN, SSCAN and ZSCAN share: the cursor, the options and the reply.
 * The iteration itself is store/cursors.ts's scanStep.
 */

/** COMMAND DOCS complexity of HSCAN, SSCAN and ZSCAN, Redis's text to the letter (".." included). */
export const COLLECTION_SCAN_COMPLEXITY = 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..'

export interface ScanOptions {
  count: number
  /** Null when there is no MATCH, or it is "*". */
  pattern: string | null
  /** SCAN's TYPE, in lower case; null when not given. */
  type: string | null
}

/** A cursor argument, or null after replying "invalid cursor". */
export function cursorArg(c: Caller, s: string): number | null {
  const cursor = parseScanCursor(s)
  if (cursor === null) c.out.error(Err.invalidCursor)
  return cursor
}

/**
 * [MATCH pattern] [COUNT count] from argv[start] on, and [TYPE type] for SCAN
 * (`withType`); null after an error reply.
 */
export function scanOptions(c: Caller, argv: string[], start: number, withType: boolean): ScanOptions | null {
  const options: ScanOptions = { count: 10, pattern: null, type: null }
  for (let i = start; i < argv.length; i += 2) {
    const opt = argv[i]
    const hasValue = i + 1 < argv.length
    if (hasValue && isOption(opt, 'COUNT')) {
      const n = parseInt64(argv[i + 1])
      if (n === null) {
        c.out.error(Err.notInteger)
        return null
      }
      if (n < 1) {
        c.out.error(Err.syntax)
        return null
      }
      options.count = Number(n)
    } else if (hasValue && isOption(opt, 'MATCH')) {
      const p = argv[i + 1]
      options.pattern = p === '*' ? null : p
    } else if (hasValue && withType && isOption(opt, 'TYPE')) {
      options.type = argv[i + 1].toLowerCase()
    } else {
      c.out.error(Err.syntax)
      return null
    }
  }
  return options
}

export interface CollectionScan<T> {
  value: T
  cursor: number
  options: ScanOptions
}

/**
 * HSCAN, SSCAN and ZSCAN's `key cursor [MATCH pattern] [COUNT count]`, checked in
 * Redis's order: the cursor, then the key (a missing one gets the empty scan reply
 * whatever the options), then the options. Null once it has replied.
 */
export function collectionScanArgs<T extends Collection>(c: Caller, argv: string[],
  forRead: TypedLookups<T>['forRead']): CollectionScan<T> | null {
  const cursor = cursorArg(c, argv[2])
  if (cursor === null) return null
  const value = forRead(c, argv[1])
  if (value === null) return null
  if (value === undefined) {
    replyScan(c, 0, [])
    return null
  }
  const options = scanOptions(c, argv, 3, false)
  if (options === null) return null
  return { value, cursor, options }
}

/** scanStep's filter for a MATCH pattern: none for "everything". */
export function matcher(pattern: string | null): ((item: string) => boolean) | undefined {
  return pattern === null ? undefined : (item) => globMatch(pattern, item)
}

/** The SCAN-family reply: the next cursor, then the items found. */
export function replyScan(c: Caller, cursor: number, items: readonly string[]): void {
  const out = c.out
  out.array(2)
  out.bulk(String(cursor))
  out.array(items.length)
  for (let i = 0; i < items.length; i++) out.bulk(items[i])
}
