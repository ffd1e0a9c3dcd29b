import type { Socket } from 'node:net'

/**
 * Direct reads and writes on a socket's libuv handle, below net.Socket's stream layer.
 *
 * Per request at low pipelining, Node's stream machinery costs more than the command:
 * onStreamRead's bookkeeping on every read, and on every write a Writable pass, a new
 * WriteWrap and a nextTick for the write callback. Here a read goes straight from the
 * handle to the client, and a write is one `handle.writeBuffer` with a request object
 * that is reused as long as writes complete synchronously (the C++ side only adopts it
 * when the kernel could not take everything at once).
 *
 * This relies on Node's stream_wrap binding (reachable through process.binding, stable
 * from Node 12 to 24). When it is missing or shaped differently, `fastIo` is null and
 * clients use the regular socket API.
 */

/** The C++ stream handle under a net.Socket (TCPWrap), as far as we use it. */
export interface RawHandle {
  onread: (this: RawHandle, arrayBuffer: ArrayBuffer | undefined) => void
  writeBuffer(req: WriteRequest, data: Uint8Array): number
  /** Where the owning client is kept, so one shared onread serves every socket. */
  [RAW_OWNER]?: RawReader
}

/** A WriteWrap: adopted by C++ for an asynchronous write, then completed via oncomplete. */
export interface WriteRequest {
  oncomplete: ((this: WriteRequest, status: number) => void) | null
  /** Keeps the bytes alive while the kernel has not taken them. */
  buffer: Uint8Array | null
  owner: RawWriter | null
  bytes: number
}

export interface RawReader {
  /** nread > 0: bytes in the read buffer; 0: nothing; < 0: EOF or an error (libuv code). */
  onRawRead(nread: number): void
}

export interface RawWriter {
  onRawWriteDone(bytes: number, status: number): void
}

const RAW_OWNER = Symbol('respite.owner')

interface StreamBinding {
  WriteWrap: new () => WriteRequest
  streamBaseState: Int32Array
  kReadBytesOrError: number
  kLastWriteWasAsync: number
  kBytesWritten: number
}

function loadBinding(): StreamBinding | null {
  try {
    const legacy = (process as unknown as { binding?: (name: string) => unknown }).binding
    if (typeof legacy !== 'function') return null
    const b = legacy('stream_wrap') as Partial<StreamBinding>
    if (
      typeof b.WriteWrap !== 'function' ||
      !(b.streamBaseState instanceof Int32Array) ||
      typeof b.kReadBytesOrError !== 'number' ||
      typeof b.kLastWriteWasAsync !== 'number' ||
      typeof b.kBytesWritten !== 'number'
    ) {
      return null
    }
    return b as StreamBinding
  } catch {
    return null
  }
}

const binding = process.env.RESPITE_NO_FAST_IO ? null : loadBinding()

/** Shared by every socket: the handle is `this`, its client hangs off RAW_OWNER. */
function onRawRead(this: RawHandle): void {
  const owner = this[RAW_OWNER]
  if (owner !== undefined) owner.onRawRead(binding!.streamBaseState[binding!.kReadBytesOrError])
}

function onRawWriteComplete(this: WriteRequest, status: number): void {
  const owner = this.owner
  const bytes = this.bytes
  this.owner = null
  this.buffer = null
  if (owner !== null) owner.onRawWriteDone(bytes, status)
}

/** Write outcomes of `FastIo.write`. */
export const enum WriteResult {
  /** The kernel took every byte: the buffer may be reused. */
  Done = 0,
  /** Queued in libuv: the buffer must not be touched until onRawWriteDone. */
  Queued = 1,
  /** The write failed (the connection is gone). */
  Failed = 2,
}

export class FastIo {
  private spare: WriteRequest

  private constructor(
    private readonly b: StreamBinding,
    readonly handle: RawHandle,
  ) {
    this.spare = new b.WriteWrap()
  }

  /**
   * Takes over reads of `socket` (which must have been created with an `onread`
   * buffer), or returns null when direct I/O is unavailable.
   */
  static attach(socket: Socket, reader: RawReader): FastIo | null {
    if (binding === null) return null
    const handle = (socket as unknown as { _handle: RawHandle | null })._handle
    if (handle === null || typeof handle.writeBuffer !== 'function' || !('onread' in handle)) return null
    handle[RAW_OWNER] = reader
    handle.onread = onRawRead
    return new FastIo(binding, handle)
  }

  /** Writes `data` now, or queues it behind earlier writes; see WriteResult. */
  write(data: Uint8Array, owner: RawWriter): WriteResult {
    const req = this.spare
    const err = this.handle.writeBuffer(req, data)
    if (err !== 0) return WriteResult.Failed
    const state = this.b.streamBaseState
    if (state[this.b.kLastWriteWasAsync] === 0) return WriteResult.Done
    // C++ has adopted `req` for this write; the next write needs a fresh one.
    req.oncomplete = onRawWriteComplete
    req.buffer = data
    req.owner = owner
    req.bytes = data.length
    this.spare = new this.b.WriteWrap()
    return WriteResult.Queued
  }

  /** Stops delivering reads to the client (before the socket is destroyed). */
  detach(): void {
    delete this.handle[RAW_OWNER]
  }
}
