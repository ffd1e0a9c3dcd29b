/**
 * Write commands whose handlers still change a collection in place without telling
 * the store (`c.db.modified(key)`), so WATCH, which hangs off the store's signals, does
 * not see those changes yet. Another branch is adding the call to every handler; once
 * it is merged this set must be emptied:
 * - test/differential/transactions.test.ts checks every name here still misses its
 *   signal, so it fails, naming the command, as soon as a handler is fixed;
 * - its seeded random transactions leave these commands out until then.
 */
export const AWAITING_SIGNAL: ReadonlySet<string> = new Set([
  'LPOP', 'RPOP', 'LSET', 'LINSERT', 'LREM', 'LTRIM', 'LMPOP',
  'HSET', 'HMSET', 'HSETNX', 'HDEL', 'HINCRBY', 'HINCRBYFLOAT',
  'SADD', 'SREM', 'SMOVE',
  'ZREM', 'ZPOPMIN', 'ZPOPMAX', 'ZMPOP', 'ZREMRANGEBYSCORE', 'ZREMRANGEBYRANK', 'ZREMRANGEBYLEX',
])
