import type { CommandSpec } from './spec.js'
import {
  zdiffSpec, zdiffstoreSpec, zinterSpec, zintercardSpec, zinterstoreSpec, zunionSpec, zunionstoreSpec,
} from './sorted-sets/algebra.js'
import {
  zaddSpec, zcardSpec, zincrbySpec, zmscoreSpec, zrandmemberSpec, zrankSpec, zremSpec, zrevrankSpec, zscanSpec, zscoreSpec,
} from './sorted-sets/members.js'
import {
  bzmpopSpec, bzpopmaxSpec, bzpopminSpec, zmpopSpec, zpopmaxSpec, zpopminSpec,
} from './sorted-sets/pops.js'
import {
  zcountSpec, zlexcountSpec, zrangeSpec, zrangebylexSpec, zrangebyscoreSpec, zrangestoreSpec, zremrangebylexSpec,
  zremrangebyrankSpec, zremrangebyscoreSpec, zrevrangeSpec, zrevrangebylexSpec, zrevrangebyscoreSpec,
} from './sorted-sets/ranges.js'

/**
 * Sorted-set commands. A sorted set is a ZSet (store/zset.ts); one left empty is
 * deleted with its key. Ranges are worked out as rank intervals: a score or lex bound
 * becomes "how many members lie before it" (one O(log n) descent), and a range is
 * then walked from its first rank with a cursor.
 *
 * Lookups follow Redis: reading commands count keyspace hits and misses, writing
 * ones do not. Every write that can create a sorted set signals the key, so clients
 * blocked in BZPOPMIN/BZPOPMAX/BZMPOP are served before the next command runs.
 *
 * The commands live by theme under sorted-sets/: members.ts (single members,
 * ZRANDMEMBER, ZSCAN), ranges.ts, pops.ts (blocking ones too) and algebra.ts; shared.ts
 * holds the range parsing and replies they share.
 */

/** In the order COMMAND and the README have always listed them. */
export const sortedSetCommands: CommandSpec[] = [
  zaddSpec,
  zincrbySpec,
  zremSpec,
  zscoreSpec,
  zmscoreSpec,
  zcardSpec,
  zcountSpec,
  zlexcountSpec,
  zrangeSpec,
  zrangestoreSpec,
  zrevrangeSpec,
  zrangebyscoreSpec,
  zrevrangebyscoreSpec,
  zrangebylexSpec,
  zrevrangebylexSpec,
  zrankSpec,
  zrevrankSpec,
  zremrangebyscoreSpec,
  zremrangebyrankSpec,
  zremrangebylexSpec,
  zpopminSpec,
  zpopmaxSpec,
  zmpopSpec,
  bzpopminSpec,
  bzpopmaxSpec,
  bzmpopSpec,
  zunionSpec,
  zinterSpec,
  zdiffSpec,
  zunionstoreSpec,
  zinterstoreSpec,
  zdiffstoreSpec,
  zintercardSpec,
  zrandmemberSpec,
  zscanSpec,
]
