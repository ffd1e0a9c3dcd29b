/**
 * A buffer with room for `need` bytes holding the first `used` bytes of `buf`: `buf`
 * itself when it is big enough, else a copy at least twice its size, so writers that
 * append through it copy O(log n) times.
 */
export function withRoom(buf: Buffer, used: number, need: number): Buffer {
  if (need <= buf.length) return buf
  let size = buf.length * 2
  while (size < need) size *= 2
  const next = Buffer.allocUnsafe(size)
  buf.copy(next, 0, 0, used)
  return next
}
