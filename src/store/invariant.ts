/**
 * A broken store invariant: the data structures disagree with themselves (a sorted
 * set's tree and dict out of step, a list's ring indexes out of range). Unlike any
 * other exception in a command, which the dispatcher answers with an error while the
 * server goes on, this one means the keyspace can no longer be trusted, so the server
 * writes a bug report and exits (see server/faults.ts) as Redis does on a failed
 * assertion.
 */
export class BrokenInvariant extends Error {
  override name = 'BrokenInvariant'
}

export function invariant(ok: boolean, what: string): asserts ok {
  if (!ok) throw new BrokenInvariant(what)
}
