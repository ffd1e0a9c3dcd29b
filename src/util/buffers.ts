import { legacyBinding } from './node-binding.js'

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

type CopyArrayBuffer = (dst: ArrayBufferLike, dstOffset: number, src: ArrayBufferLike, srcOffset: number, n: number) => void

/**
 * Node's own memcpy between ArrayBuffers (the one its web streams use), reached through
 * process.binding as fast-io.ts reaches stream_wrap. Buffer#copy from an offset makes a
 * Uint8Array view for every call: a 1 KiB GET's copy cost 64-110 ns that way against
 * 38 ns here. It checks no bounds: callers make room first.
 */
function loadCopy(): CopyArrayBuffer | null {
  const f = legacyBinding('buffer')?.copyArrayBuffer
  return typeof f === 'function' ? (f as CopyArrayBuffer) : null
}

/** copyBytes where Node's binding is missing. */
export function copyBytesPortable(dst: ArrayBufferLike, dstOffset: number, src: ArrayBufferLike, srcOffset: number, n: number): void {
  new Uint8Array(dst, dstOffset, n).set(new Uint8Array(src, srcOffset, n))
}

/** Copies n bytes between ArrayBuffers, at byte offsets that the caller has checked. */
export const copyBytes: CopyArrayBuffer = loadCopy() ?? copyBytesPortable
