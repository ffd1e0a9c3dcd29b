import { EventEmitter } from 'node:events'
import type { Server as NetServer } from 'node:net'
import { legacyBinding } from '../util/node-binding.js'

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

/** A ShutdownWrap: completed via oncomplete once queued writes are done and the write side is shut. */
interface ShutdownRequest {
  oncomplete: ((this: ShutdownRequest, status: number) => void) | null
  socket: DirectSocket | null
}

interface StreamBinding {
  WriteWrap: new () => WriteRequest
  ShutdownWrap?: new () => ShutdownRequest
  streamBaseState: Int32Array
  kReadBytesOrError: number
  kLastWriteWasAsync: number
  kBytesWritten: number
}

function loadBinding(): StreamBinding | null {
  const b = legacyBinding('stream_wrap') as Partial<StreamBinding> | null
  if (
    b === null ||
    typeof b.WriteWrap !== 'function' ||
    !(b.streamBaseState instanceof Int32Array) ||
    typeof b.kReadBytesOrError !== 'number' ||
    typeof b.kLastWriteWasAsync !== 'number' ||
    typeof b.kBytesWritten !== 'number'
  ) {
    return null
  }
  return b as StreamBinding
}

const disabled = process.env.RESPITE_NO_FAST_IO !== undefined && process.env.RESPITE_NO_FAST_IO !== ''
const binding = disabled ? null : loadBinding()

/**
 * One request object for every socket's writes: C++ only adopts it when a write goes
 * asynchronous, and writes are issued one at a time, so until then it can be reused by
 * any handle. Saves an object per connection.
 */
let spareRequest: WriteRequest | null = null

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
  private constructor(
    private readonly b: StreamBinding,
    readonly handle: RawHandle,
  ) {}

  /**
   * Takes over reads of `socket` (which must have been created with an `onread`
   * buffer), or returns null when direct I/O is unavailable.
   */
  static attach(socket: object, reader: RawReader): FastIo | null {
    if (binding === null) return null
    const handle = (socket as unknown as { _handle: RawHandle | null })._handle
    if (handle === null || typeof handle.writeBuffer !== 'function' || !('onread' in handle)) return null
    handle[RAW_OWNER] = reader
    handle.onread = onRawRead
    return new FastIo(binding, handle)
  }

  /** Writes `data` now, or queues it behind earlier writes; see WriteResult. */
  write(data: Uint8Array, owner: RawWriter): WriteResult {
    const req = spareRequest ?? (spareRequest = new this.b.WriteWrap())
    const err = this.handle.writeBuffer(req, data)
    if (err !== 0) return WriteResult.Failed
    const state = this.b.streamBaseState
    if (state[this.b.kLastWriteWasAsync] === 0) return WriteResult.Done
    // C++ has adopted `req` for this write; the next write needs a fresh one.
    req.oncomplete = onRawWriteComplete
    req.buffer = data
    req.owner = owner
    req.bytes = data.length
    spareRequest = null
    return WriteResult.Queued
  }

  /** Stops delivering reads to the client (before the socket is destroyed). */
  detach(): void {
    delete this.handle[RAW_OWNER]
  }
}

/** Whether `socket`'s reads go through FastIo (see FastIo.attach). */
export function isAttached(socket: object): boolean {
  const handle = (socket as unknown as { _handle: RawHandle | null })._handle
  return handle !== null && handle[RAW_OWNER] !== undefined
}

/**
 * Accepting below net.Server.
 *
 * For every accepted connection net.Server's onconnection builds a net.Socket (a
 * Duplex with both stream states, listeners, a nextTick) and emits 'connection'. The
 * server would then build a second one over the same handle to get an `onread`
 * buffer; under connection churn those two wrappers cost more than the connection's
 * request. Here the listening handle's `onconnection` (the C++ TCPWrap callback, as
 * internal and as stable as stream_wrap above) hands the accepted handle straight to
 * the server, which wraps it once.
 */

/** An accepted TCPWrap, as the server and DirectSocket drive it. */
export interface AcceptedHandle extends RawHandle {
  readonly fd: number
  /** Bytes libuv holds in its write queue, not yet taken by the kernel. */
  readonly writeQueueSize: number
  setNoDelay(enable: boolean): number
  /** `delay` in seconds. */
  setKeepAlive(enable: boolean, delay: number): number
  readStart(): number
  readStop(): number
  useUserBuffer(buffer: Uint8Array): void
  getpeername(out: Partial<AddressInfo>): number
  getsockname(out: Partial<AddressInfo>): number
  shutdown(req: ShutdownRequest): number
  close(callback?: (this: AcceptedHandle) => void): void
  [DIRECT_SOCKET]?: DirectSocket
}

interface AddressInfo {
  address: string
  family: string
  port: number
}

/**
 * What a client uses of its connection: a net.Socket, or a DirectSocket where direct
 * I/O is available.
 */
export interface ClientSocket {
  readonly remoteAddress?: string
  readonly remotePort?: number
  readonly localAddress?: string
  readonly localPort?: number
  /** Bytes written but not yet taken by the kernel. */
  readonly writableLength: number
  pause(): unknown
  resume(): unknown
  write(data: Uint8Array | string): boolean
  /** Closes once everything written so far is sent. */
  destroySoon(): void
  destroy(): unknown
  once(event: 'drain', listener: () => void): unknown
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: 'close' | 'error', listener: (...args: any[]) => void): unknown
}

const DIRECT_SOCKET = Symbol('respite.socket')

/** Whether accepted handles can be served by a DirectSocket (else a net.Socket). */
export const directSockets = binding !== null && typeof binding.ShutdownWrap === 'function'

/**
 * A connection without net.Socket: the accepted handle, reading into the server's
 * shared buffer through FastIo from the start, with the few socket calls a client
 * makes (pause/resume reading, write, close) done on the handle. Building and tearing
 * down a net.Socket (a Duplex with both stream states, its destroy machinery and
 * listeners) costs more than a short-lived connection's request; this is an
 * EventEmitter with a handle. It emits only 'close' (false), once the handle is closed.
 */
export class DirectSocket extends EventEmitter implements ClientSocket, RawWriter {
  /** Named as in net.Socket: CLIENT LIST reads the descriptor from it. Null once closed. */
  _handle: AcceptedHandle | null
  destroyed = false
  private reading = false
  private peer: Partial<AddressInfo> | null = null
  private local: Partial<AddressInfo> | null = null

  /** Starts reading at once; reads go to the handle's RAW_OWNER (FastIo.attach). */
  constructor(handle: AcceptedHandle, readBuffer: Uint8Array) {
    super()
    this._handle = handle
    handle[DIRECT_SOCKET] = this
    handle.useUserBuffer(readBuffer)
    handle.onread = onRawRead
    this.resume()
  }

  get remoteAddress(): string | undefined {
    return this.peerInfo().address
  }

  get remotePort(): number | undefined {
    return this.peerInfo().port
  }

  get localAddress(): string | undefined {
    return this.localInfo().address
  }

  get localPort(): number | undefined {
    return this.localInfo().port
  }

  get writableLength(): number {
    return this._handle?.writeQueueSize ?? 0
  }

  pause(): this {
    const handle = this._handle
    if (handle !== null && this.reading) {
      this.reading = false
      handle.readStop()
    }
    return this
  }

  resume(): this {
    const handle = this._handle
    if (handle !== null && !this.reading) {
      this.reading = true
      if (handle.readStart() !== 0) this.destroy()
    }
    return this
  }

  /** Writes now or queues behind earlier writes; a failed write closes the connection. */
  write(data: Uint8Array | string): boolean {
    const handle = this._handle
    if (handle === null) return false
    const b = binding!
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    const req = new b.WriteWrap()
    if (handle.writeBuffer(req, bytes) !== 0) {
      this.destroy()
      return false
    }
    if (b.streamBaseState[b.kLastWriteWasAsync] !== 0) {
      req.oncomplete = onRawWriteComplete
      req.buffer = bytes
      req.owner = this
      req.bytes = bytes.length
    }
    return true
  }

  onRawWriteDone(_bytes: number, status: number): void {
    if (status < 0) this.destroy()
  }

  /** Closes once libuv has written everything queued (uv_shutdown), whoever wrote it. */
  destroySoon(): void {
    const handle = this._handle
    if (handle === null) return
    const req = new binding!.ShutdownWrap!()
    req.oncomplete = onShutdownDone
    req.socket = this
    if (handle.shutdown(req) !== 0) this.destroy()
  }

  destroy(): this {
    if (this.destroyed) return this
    this.destroyed = true
    this.reading = false
    const handle = this._handle
    this._handle = null
    // Queued writes fail with ECANCELED; the handle's close callback emits 'close'.
    if (handle !== null) handle.close(onHandleClose)
    return this
  }

  setNoDelay(enable = true): this {
    this._handle?.setNoDelay(enable)
    return this
  }

  setKeepAlive(enable = false, initialDelayMs = 0): this {
    this._handle?.setKeepAlive(enable, Math.floor(initialDelayMs / 1000))
    return this
  }

  private peerInfo(): Partial<AddressInfo> {
    if (this.peer !== null) return this.peer
    const out: Partial<AddressInfo> = {}
    if (this._handle === null || this._handle.getpeername(out) !== 0) return out
    return (this.peer = out)
  }

  private localInfo(): Partial<AddressInfo> {
    if (this.local !== null) return this.local
    const out: Partial<AddressInfo> = {}
    if (this._handle === null || this._handle.getsockname(out) !== 0) return out
    return (this.local = out)
  }
}

/** A handle's close callback (`this` is the handle). */
function onHandleClose(this: AcceptedHandle): void {
  const socket = this[DIRECT_SOCKET]
  this[DIRECT_SOCKET] = undefined
  this[RAW_OWNER] = undefined
  socket?.emit('close', false)
}

function onShutdownDone(this: ShutdownRequest): void {
  const socket = this.socket
  this.socket = null
  socket?.destroy()
}

interface ListenHandle {
  onconnection: ((status: number, handle: AcceptedHandle | undefined) => void) | null
  setNoDelay?: (enable: boolean) => number
  setKeepAlive?: (enable: boolean, delay: number) => number
}

function listenHandle(listener: NetServer): ListenHandle | null {
  const handle = (listener as unknown as { _handle?: ListenHandle | null })._handle
  return handle !== null && handle !== undefined && typeof handle.onconnection === 'function' ? handle : null
}

/**
 * Routes `listener`'s accepted handles to `onAccept` (status < 0: accept failed, a
 * libuv error code) instead of net.Server's 'connection' event. Returns false, leaving
 * net.Server's path in place, when direct I/O is disabled or the handle is not shaped
 * as expected.
 */
export function takeOverAccept(listener: NetServer, onAccept: (status: number, handle: AcceptedHandle | undefined) => void): boolean {
  if (disabled) return false
  const handle = listenHandle(listener)
  if (handle === null) return false
  handle.onconnection = onAccept
  return true
}

/**
 * Linux copies a listening socket's TCP_NODELAY and keepalive settings (SO_KEEPALIVE,
 * TCP_KEEPIDLE/INTVL/CNT) to each socket it accepts (the accepted sock is cloned from
 * the listener's). Setting them once on the listener saves every accept its own
 * setsockopt calls.
 */
const INHERITS_OPTIONS = process.platform === 'linux'

/**
 * Sets TCP_NODELAY and keepalive (`keepAliveSecs` > 0, else off) on the listening
 * socket, for accepted sockets to inherit. Returns false when accepted sockets must be
 * set one by one instead (not Linux, or the calls failed).
 */
export function setInheritedOptions(listener: NetServer, keepAliveSecs: number): boolean {
  if (!INHERITS_OPTIONS || disabled) return false
  const handle = listenHandle(listener)
  if (handle === null || typeof handle.setNoDelay !== 'function' || typeof handle.setKeepAlive !== 'function') return false
  if (handle.setNoDelay(true) !== 0) return false
  return handle.setKeepAlive(keepAliveSecs > 0, keepAliveSecs) === 0
}
