/**
 * The time expiry is tested against. Normally the current time; while a script or a
 * transaction runs, the moment it started, as Redis 7.0 does: a key alive when the
 * script began stays alive until it ends, so the script sees one consistent keyspace
 * however long it runs. Process-wide, since only one script or EXEC runs at a time.
 */
let frozen = 0

export function expiryNow(): number {
  return frozen !== 0 ? frozen : Date.now()
}

/** Freezes expiry at now, unless an outer script or EXEC already did; returns what to restore. */
export function freezeExpiry(): number {
  const previous = frozen
  if (previous === 0) frozen = Date.now()
  return previous
}

export function thawExpiry(previous: number): void {
  frozen = previous
}
