/**
 * The time expiry is tested against. As in Redis 7.0, time stands still while a
 * command runs: a key cannot expire halfway through one, so GETEX ... PX 1 never sees
 * the key it just set expire before it replies. For a script or a transaction the
 * moment is the start of the whole thing, so the script sees one consistent keyspace
 * however long it runs. Process-wide, since one command runs at a time.
 *
 * 0: no command is running (the clock itself); FIRST_USE: a command is running and
 * the time is taken at its first expiry check, so commands that test no expiry never
 * read the clock; otherwise the frozen time.
 */
const FIRST_USE = -1
let frozen = 0

export function expiryNow(): number {
  if (frozen > 0) return frozen
  const now = Date.now()
  if (frozen === FIRST_USE) frozen = now
  return now
}

/** A command starts: time stands still from its first expiry check, unless it already does. Returns what to restore. */
export function holdExpiry(): number {
  const previous = frozen
  if (previous === 0) frozen = FIRST_USE
  return previous
}

/** A script or EXEC starts: time stands still from now, unless an outer one already holds it. */
export function freezeExpiry(): number {
  const previous = frozen
  if (previous <= 0) frozen = Date.now()
  return previous
}

export function thawExpiry(previous: number): void {
  frozen = previous
}
