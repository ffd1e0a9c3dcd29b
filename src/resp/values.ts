/**
 * Values that travel in RESP frames other than plain bulk strings.
 *
 * Redis clients only ever send arrays of bulk strings, so on the hot path a request
 * is a `string[]` (latin1: one char per byte, binary safe). The original mini Redis
 * client also sends integers, nulls, nested arrays and maps as values; those are
 * decoded into the shapes below so that GET can hand them back with the type they
 * arrived with.
 */

/** A RESP3 map `%`: keys and values alternate, in the order they were sent. */
export class RespMap {
  constructor(readonly entries: RespValue[]) {}
}

/** A RESP3 set `~`. */
export class RespSet {
  constructor(readonly items: RespValue[]) {}
}

/** A RESP3 double `,`, kept apart from integers so it round-trips as a double. */
export class RespDouble {
  constructor(readonly value: number) {}
}

/** A simple-string `+` value nested inside a structured value. */
export class RespSimple {
  constructor(readonly value: string) {}
}

/**
 * string: bulk string (latin1); number/bigint: integer `:` or big number `(`;
 * null: `_` or `$-1`; boolean: `#`; arrays, maps, sets and doubles as above.
 */
export type RespValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | RespValue[]
  | RespMap
  | RespSet
  | RespDouble
  | RespSimple

/**
 * One command as decoded: the name first. Anything but a string is a structured value,
 * or, for a decoder with `bytesFrom` set, a long bulk string still as bytes.
 */
export type Argv = (RespValue | Buffer)[]
