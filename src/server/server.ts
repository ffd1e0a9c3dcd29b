import { appendFileSync } from 'node:fs'
import net from 'node:net'
import { getSystemErrorName } from 'node:util'
import { CommandTable } from '../commands/table.js'
import { Err } from '../commands/errors.js'
import type { Argv } from '../resp/values.js'
import { hashLimits } from '../store/hash.js'
import { streamLimits } from '../store/stream.js'
import { setLimits } from '../store/set.js'
import { Store } from '../store/store.js'
import { zsetLimits } from '../store/zset.js'
import { BlockingManager } from './blocking.js'
import { ClientTable } from './client-table.js'
import { Client } from './client.js'
import { Config } from './config.js'
import { dispatch } from './dispatcher.js'
import { contain } from './faults.js'
import { DirectSocket, directSockets, isAttached, setInheritedOptions, takeOverAccept, type AcceptedHandle } from './fast-io.js'
import { LatencyMonitor } from './latency.js'
import { IdleCollector } from './idle-gc.js'
import { LoadAborted, Loading } from '../persistence/loading.js'
import { MemoryGuard } from './memory.js'
import { applyOutputLimits, defaultOutputLimits } from './output-limits.js'
import { KeyspaceEvents } from './notify.js'
import { Propagation } from './propagation.js'
import { Scripting, type Run } from '../scripting/scripting.js'
import type { Listening } from './busy.js'
import { ClientPause } from './pause.js'
import { KeySignals } from './signals.js'
import { Tracking } from './tracking.js'
import { Watches } from './watch.js'
import { WriteBatch } from './write-batch.js'
import { PubSub } from '../pubsub/pubsub.js'
import type { BackgroundSave } from '../persistence/background-save.js'
import { Snapshots } from '../persistence/snapshots.js'
import { AppendOnlyFile } from '../persistence/aof.js'
import { MemcachedFrontEnd } from '../memcached/frontend.js'

/** The Redis version whose behaviour respite matches; clients pick features by it. */
export const REDIS_VERSION = '7.0.15'
export const RESPITE_VERSION = '0.1.0'

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning'
const LEVELS: Record<string, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 }

export interface ServerStats {
  startTime: number
  totalConnections: number
  rejectedConnections: number
  /** Error replies of clients that have gone; live clients count their own. */
  errorReplies: number
  totalNetInput: number
  totalNetOutput: number
}

/**
 * One shared read buffer: reads are delivered one socket at a time, synchronously.
 * 256 KiB rather than 64: a request cut by the end of a read is copied once more
 * (decoder.release and refill), and with 16 KiB values at -P 16 one in four was, for
 * 18% more CPU per SET. Reads of small requests return what arrived, whatever the size.
 */
const READ_BUFFER_SIZE = 256 * 1024
/** What flushEach writes to each connection before the rest of anyone's output. */
const FIRST_WRITE = 64 * 1024

/**
 * Listening sockets, the client registry, periodic housekeeping (active expiry,
 * idle timeouts) and shutdown. Requests go from Client through dispatch() into the
 * command table.
 */
export class Server {
  readonly config: Config
  readonly store: Store
  readonly table: CommandTable
  readonly blocking = new BlockingManager(this)
  /** When each read's replies are written (write-batch.ts). */
  readonly writes = new WriteBatch(this)
  readonly clients = new ClientTable<Client>()
  readonly stats: ServerStats = {
    startTime: Date.now(),
    totalConnections: 0,
    rejectedConnections: 0,
    errorReplies: 0,
    totalNetInput: 0,
    totalNetOutput: 0,
  }
  /** Changes to the data so far: one per modified key, flush or swap (signals.ts). */
  dirty = 0
  /** RDB snapshots: SAVE, save points, the start-up load (persistence/snapshots.ts). */
  readonly snapshots = new Snapshots(this)
  /** Off after DEBUG SET-ACTIVE-EXPIRE 0: keys then expire only when looked up. */
  activeExpire = true
  /**
   * The background save to tell of keys about to change (dispatcher.ts invoke), or
   * null: with no save running, the command path pays this one check.
   */
  saving: BackgroundSave | null = null
  readonly pubsub = new PubSub()
  readonly events = new KeyspaceEvents(this.pubsub)
  /** LATENCY's spikes; its threshold is read by every command (dispatcher call()). */
  readonly latency = new LatencyMonitor()
  readonly propagation = new Propagation()
  /**
   * The append-only file (persistence/aof.ts) once appendonly was on or a rewrite was
   * asked for; null until then. `enabled` tells whether writes are being logged.
   */
  aof: AppendOnlyFile | null = null
  /** Set once start-up loading is done: from then on CONFIG SET appendonly acts at once. */
  private started = false
  /**
   * The start-up load in progress (loading.ts), or null: meanwhile the dispatcher
   * refuses commands not flagged `loading`, and housekeeping does no expiry, saves or
   * AOF work.
   */
  loading: Loading | null = null
  private scriptingState: Scripting | null = null
  /**
   * The script running past busy-reply-threshold (busy.ts), or null: other clients'
   * commands get -BUSY unless flagged allow_busy.
   */
  busy: Run | null = null
  /** CLIENT TRACKING (tracking.ts) and CLIENT PAUSE (pause.ts). */
  readonly tracking = new Tracking(this)
  readonly pause = new ClientPause(this)
  /** WATCHed keys and their watchers (watch.ts). */
  readonly watches = new Watches()
  /** Clients with out-of-band output (pub/sub messages) waiting for flushQueued. */
  private toFlush: Flushable[] = []
  /** client-output-buffer-limit by client class (output-limits.ts), updated in place. */
  readonly outputLimits = defaultOutputLimits()
  /** used_memory and the maxmemory ceiling (memory.ts). */
  readonly memory: MemoryGuard
  /** INFO errorstats: error replies by their first word ("ERR", "WRONGTYPE"). */
  readonly errorCodes = new Map<string, number>()
  /** Set by SHUTDOWN or a signal; the CLI exits when it resolves. */
  onShutdown: (() => void) | null = null
  port = 0
  miniPort = 0
  /** The memcached text-protocol front end over database 0 (--memcached-port), or null. */
  memcached: MemcachedFrontEnd | null = null
  memcachedPort = 0
  private memcachedListener: net.Server | null = null
  private listeners: net.Server[] = []
  private readonly miniListeners = new Set<net.Server>()
  /**
   * tcp-keepalive as set on each listening socket whose accepted sockets inherit it
   * with TCP_NODELAY (fast-io.ts setInheritedOptions); listeners not here set both on
   * every accepted socket.
   */
  private readonly inheritedKeepAlive = new Map<net.Server, number>()
  private nextClientId = 1
  private cron: NodeJS.Timeout | null = null
  /** Every socket reads into this one buffer; a client copies what it keeps (decoder.release). */
  readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_SIZE)
  /** The options every accepted handle is wrapped with; `handle` is set per accept. */
  private readonly socketOptions: WrapOptions = {
    handle: null,
    readable: true,
    writable: true,
    // onSocketRead serves reads where fast-io.ts cannot take over the handle.
    onread: { buffer: this.readBuffer, callback: onSocketRead },
  }
  /**
   * Date.now() as of the last housekeeping tick or accept: a coarse clock for idle
   * times, so a read does not pay for a clock call.
   */
  clock = Date.now()
  private closed = false
  private readonly idleCollector = new IdleCollector()

  /** The Lua state and script cache, made on first use: most servers never run a script. */
  get scripting(): Scripting {
    return (this.scriptingState ??= new Scripting(this))
  }

  /** The scripting state if a script ever ran, for INFO, which must not make one. */
  get scriptingIfStarted(): Scripting | null {
    return this.scriptingState
  }

  constructor(config: Config, table = new CommandTable()) {
    this.config = config
    this.store = new Store(config.int('databases'))
    this.store.observe(new KeySignals(this))
    this.table = table
    this.memory = new MemoryGuard(this)
    for (const [name] of config.entries()) this.applySetting(name)
    config.onChange = (name) => this.applySetting(name)
  }

  /**
   * Settings read outside the config object. The encoding limits only decide what
   * OBJECT ENCODING reports; they are module-wide, so embedded servers in one process
   * share the last value set.
   */
  private applySetting(name: string): void {
    const config = this.config
    switch (name) {
      case 'hash-max-listpack-entries': hashLimits.maxListpackEntries = config.int(name); break
      case 'hash-max-listpack-value': hashLimits.maxListpackValue = config.int(name); break
      case 'stream-node-max-entries': streamLimits.maxEntries = config.int(name); break
      case 'stream-node-max-bytes': streamLimits.maxBytes = config.int(name); break
      case 'set-max-intset-entries': setLimits.maxIntsetEntries = config.int(name); break
      case 'zset-max-listpack-entries': zsetLimits.maxListpackEntries = config.int(name); break
      case 'zset-max-listpack-value': zsetLimits.maxListpackValue = config.int(name); break
      case 'maxmemory': this.applyMaxmemory(); break
      // The given value: its canonical form drops "n" next to "A", as Redis's does.
      case 'notify-keyspace-events': this.events.configure(config.asGiven(name)); break
      case 'client-output-buffer-limit': applyOutputLimits(config.get(name), this.outputLimits); break
      case 'hz': if (this.cron !== null && !this.closed) this.startHousekeeping(); break
      case 'appendfsync': this.aof?.configure(); break
      case 'appendonly': if (this.started) this.setAppendOnly(config.get(name) === 'yes'); break
      case 'latency-monitor-threshold': this.latency.configure(config.int(name)); break
    }
  }

  /** The AOF, made on first use (appendonly yes, BGREWRITEAOF). */
  appendOnlyFile(): AppendOnlyFile {
    return (this.aof ??= new AppendOnlyFile(this))
  }

  /**
   * CONFIG SET appendonly: on starts with a rewrite of the current data, as in Redis;
   * off syncs and closes the file.
   */
  private setAppendOnly(on: boolean): void {
    if (on) this.appendOnlyFile().enable()
    else this.aof?.disable()
  }

  /**
   * Start-up persistence, with the listeners open already, as Redis 7.0 loads: with
   * appendonly yes, the AOF directory (AofLoadError when it cannot be), appended to
   * from then on; otherwise `dir`/`dbfilename` when it exists (an Error for a corrupt
   * file). Resolves once the data is all in; clients connected meanwhile get -LOADING.
   */
  async loadData(): Promise<void> {
    if (this.started || this.loading !== null) return
    const aofAtStart = this.config.get('appendonly') === 'yes'
    const loading = (this.loading = new Loading(() => this.closed))
    // Keys appearing as the file is read are not events: nobody asked for them yet.
    this.events.suspend()
    try {
      if (aofAtStart) await this.appendOnlyFile().start(loading)
      else await this.snapshots.loadInSteps(loading)
    } catch (e) {
      if (e instanceof LoadAborted) return
      throw e
    } finally {
      this.loading = null
      this.events.resume()
    }
    this.started = true
    // CONFIG SET appendonly during the load waited for it, as the setting acts on the data.
    if ((this.config.get('appendonly') === 'yes') !== aofAtStart) this.setAppendOnly(!aofAtStart)
  }

  private applyMaxmemory(): void {
    const asked = this.config.int('maxmemory')
    this.memory.setMaxmemory(asked)
    if (asked > 0 && this.memory.clamped) {
      this.log('warning', `maxmemory ${asked} is more than this process can hold; writes are refused past ${Math.floor(this.memory.limit)} bytes instead (start respite-server, not an embedding process, to size the heap for it)`)
    }
  }

  private startHousekeeping(): void {
    if (this.cron !== null) clearInterval(this.cron)
    this.cron = setInterval(() => this.housekeeping(), Math.max(1, Math.floor(1000 / this.config.int('hz'))))
    this.cron.unref()
  }

  dispatch(client: Client, argv: Argv): void {
    if (this.tracking.active) this.tracking.run(client, this.table, argv)
    else dispatch(this.table, client, argv)
  }

  /**
   * Sends a client's out-of-band output once the current batch of work is done (a
   * microtask: after the read, timer or command that produced it), so that many
   * messages to one subscriber from one batch go out in one write.
   */
  flushSoon(client: Flushable): void {
    if (client.flushQueued) return
    client.flushQueued = true
    if (this.toFlush.push(client) === 1) queueMicrotask(this.flushQueued)
  }

  private readonly flushQueued = (): void => {
    const clients = this.toFlush
    this.toFlush = []
    this.flushEach(clients)
  }

  /**
   * Sends the queued output of each connection (flushSoon, WriteBatch), one fault not
   * stopping the rest. With several, each gets its first FIRST_WRITE bytes before any
   * gets the rest, as Redis writes at most 64 KiB per client per event: a pipelined
   * batch of big replies otherwise reached the last client only after every other
   * client's whole batch (16 KiB GETs at -P 16 from 50 clients: p99 twice Redis's).
   */
  flushEach(clients: readonly Flushable[]): void {
    let rest: Flushable[] | null = null
    const several = clients.length > 1
    for (const client of clients) {
      client.flushQueued = false
      if (this.flushOne(client, several)) (rest ??= []).push(client)
    }
    if (rest !== null) for (const client of rest) this.flushOne(client, false)
  }

  /** flush(), or with `head` just the first FIRST_WRITE bytes when there are more (then true). */
  private flushOne(client: Flushable, head: boolean): boolean {
    try {
      if (head && client.flushHead !== undefined && client.flushHead(FIRST_WRITE)) return true
      client.flush()
    } catch (e) {
      contain(this, `flushing client id=${client.id ?? 'memcached'}`, e)
    }
    return false
  }

  /** Opens the listeners, then loads the data (loadData) while serving them. */
  async listen(): Promise<void> {
    await this.openListeners()
    await this.loadData()
    await this.openMemcached()
  }

  /**
   * The Redis port (and the mini dialect's) and housekeeping. The memcached port opens
   * only after the load (loadData): its protocol has no way to say "loading".
   */
  async openListeners(): Promise<void> {
    const host = this.bindHost()
    this.port = await this.listenOn(this.config.int('port'), host, false)
    // -1 (the default) disables the mini listener; 0 asks the OS for a port.
    const miniPort = this.config.int('mini-port')
    if (miniPort >= 0) {
      this.miniPort = await this.listenOn(miniPort, host, true)
    }
    this.startHousekeeping()
  }

  /** The memcached front end (src/memcached), -1 for off, once the data is loaded. */
  async openMemcached(): Promise<void> {
    const memcachedPort = this.config.int('memcached-port')
    if (memcachedPort < 0 || this.memcached !== null || this.closed) return
    this.memcached = new MemcachedFrontEnd(this)
    this.memcachedPort = this.memcached.port = await this.listenOn(memcachedPort, this.bindHost(), false, true)
  }

  /** The address every listener binds: the first of `bind`, undefined for all (`*`). */
  private bindHost(): string | undefined {
    const first = this.config.get('bind').split(/\s+/).filter(Boolean)[0]
    return first === '*' ? undefined : first
  }

  private listenOn(port: number, host: string | undefined, mini: boolean, memcached = false): Promise<number> {
    const listener = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => this.accept(socket, mini, memcached))
    this.listeners.push(listener)
    if (mini) this.miniListeners.add(listener)
    if (memcached) this.memcachedListener = listener
    return new Promise((resolve, reject) => {
      listener.once('error', reject)
      listener.listen({ port, host, backlog: this.config.int('tcp-backlog') }, () => {
        listener.off('error', reject)
        // Accepted handles come straight to acceptHandle, wrapped once (fast-io.ts);
        // otherwise through net.Server's 'connection' event to accept().
        if (takeOverAccept(listener, (status, handle) => this.acceptHandle(listener, status, handle, mini))) {
          const keepAlive = this.config.int('tcp-keepalive')
          if (setInheritedOptions(listener, keepAlive)) this.inheritedKeepAlive.set(listener, keepAlive)
        }
        resolve((listener.address() as net.AddressInfo).port)
      })
    })
  }

  /**
   * A connection accepted on `listener`'s handle (see takeOverAccept), served by a
   * DirectSocket (no net.Socket at all), or else wrapped in the one net.Socket the
   * client keeps, with an `onread` buffer so data lands in the shared read buffer with
   * no Readable-stream layer and no Buffer per read. Also the way in for connections
   * the busy-script acceptor took while a script held the event loop (busy.ts).
   */
  acceptHandle(listener: net.Server, status: number, handle: AcceptedHandle | undefined, mini: boolean): void {
    if (status < 0 || handle === undefined) {
      // EMFILE and the like: the connection is dropped (libuv closes it), the server goes on.
      this.log('warning', `Accepting client connection: ${status < 0 ? getSystemErrorName(status) : 'no handle'}`)
      return
    }
    if (this.closed) {
      handle.close()
      return
    }
    // TCP_NODELAY and keepalive come from the listening socket when Linux lets them be
    // inherited; after CONFIG SET tcp-keepalive, this listener sets each socket instead,
    // as connections already queued in the backlog carry the old value.
    const keepAlive = this.config.int('tcp-keepalive')
    const inherited = this.inheritedKeepAlive.get(listener)
    if (inherited !== keepAlive) {
      if (inherited !== undefined) this.inheritedKeepAlive.delete(listener)
      handle.setNoDelay(true)
      handle.setKeepAlive(keepAlive > 0, keepAlive)
    }
    if (directSockets) {
      this.admit(new DirectSocket(handle, this.readBuffer), mini, listener === this.memcachedListener)
      return
    }
    const options = this.socketOptions
    options.handle = handle
    const socket = new net.Socket(options)
    options.handle = null
    this.admit(socket, mini, listener === this.memcachedListener)
  }

  /** The listening sockets' descriptors, for the busy-script acceptor (busy.ts). */
  listening(): Listening[] {
    const out: Listening[] = []
    for (const listener of this.listeners) {
      const fd = (listener as unknown as { _handle?: { fd?: number } | null })._handle?.fd
      if (typeof fd === 'number' && fd >= 0) out.push({ listener, fd, mini: this.miniListeners.has(listener) })
    }
    return out
  }

  get isClosed(): boolean {
    return this.closed
  }

  /**
   * The 'connection' path, where the listening handle could not be taken over: re-wraps
   * the accepted handle in a Socket with `onread` (see acceptHandle).
   */
  private accept(accepted: net.Socket, mini: boolean, memcached: boolean): void {
    if (this.closed) {
      accepted.destroy()
      return
    }
    // Internal but stable across Node 18-24: a Socket constructed over an existing
    // handle. The first Socket is dropped without closing the handle.
    const holder = accepted as unknown as { _handle: unknown; _server: unknown }
    const handle = holder._handle
    holder._handle = null
    const socket = new net.Socket({ ...this.socketOptions, handle } as WrapOptions)
    // Keep the listener's connection count balanced, so close() completes.
    ;(socket as unknown as { _server: unknown })._server = holder._server
    socket.setNoDelay(true)
    const keepAlive = this.config.int('tcp-keepalive')
    if (keepAlive > 0) socket.setKeepAlive(true, keepAlive * 1000)
    this.admit(socket, mini, memcached)
  }

  /** Registers a client on a freshly wrapped socket, or refuses it past maxclients. */
  private admit(socket: net.Socket | DirectSocket, mini: boolean, memcached = false): void {
    // Shared listeners, not closures: the socket finds its client through CLIENT_OF.
    socket.on('error', ignoreSocketError)
    // maxclients counts both protocols' connections: they share the process's descriptors.
    const memcachedClients = this.memcached === null ? 0 : this.memcached.connections.size
    if (this.clients.size + memcachedClients >= this.config.int('maxclients')) {
      if (memcached) {
        this.memcached!.counters.rejected_connections++
        socket.write('ERROR Too many open connections\r\n')
      } else {
        this.stats.rejectedConnections++
        socket.write(`-${Err.maxClients}\r\n`)
      }
      // Like Redis: send the error and close, without waiting for the peer to hang up.
      socket.destroySoon()
      return
    }
    this.clock = Date.now()
    if (memcached) {
      const connection = this.memcached!.admit(socket)
      ;(socket as Tagged)[CLIENT_OF] = connection
      socket.on('close', onSocketClose)
      if (!isAttached(socket)) socket.resume()
      return
    }
    const client = new Client(this, socket, this.nextClientId++, mini)
    ;(socket as Tagged)[CLIENT_OF] = client
    this.clients.add(client)
    this.stats.totalConnections++
    socket.on('close', onSocketClose)
    // Direct reads (fast-io.ts) need no flowing stream; the stream path does. A
    // DirectSocket is reading already.
    if (!isAttached(socket)) socket.resume()
  }

  removeClient(client: Client): void {
    if (this.clients.delete(client.id)) this.stats.errorReplies += client.out.errors
  }

  /** Runs `hz` times a second: active expiry within a time budget, idle timeouts. */
  private housekeeping(): void {
    try {
      this.clock = Date.now()
      // While loading, the data is not the server's yet: nothing expires, is saved or
      // rewritten, and the server is not idle.
      if (this.loading === null) {
        this.idleCollector.tick(this.stats.totalNetInput, this.clock, 1000 / this.config.int('hz'))
        this.memory.sample()
        // Redis spends up to 25% of each cycle on expiry; 1000/hz ms * 0.25.
        if (this.activeExpire) {
          const started = this.latency.threshold > 0 ? performance.now() : 0
          this.store.expireCycle(Math.max(1, 250 / this.config.int('hz')))
          if (started > 0) this.latency.add('expire-cycle', performance.now() - started)
        }
        this.snapshots.checkSavePoints()
        if (this.aof !== null) this.aof.tick(this.clock)
      }
      const timeout = this.config.int('timeout')
      if (timeout > 0) {
        const limit = Date.now() - timeout * 1000
        for (const c of this.clients.values()) {
          if (c.blocked === null && c.lastInteraction < limit) c.destroy()
        }
        if (this.memcached !== null) for (const c of this.memcached.connections) if (c.lastInteraction < limit) c.destroy()
      }
    } catch (e) {
      contain(this, 'housekeeping', e)
    }
  }

  log(level: LogLevel, message: string): void {
    if (LEVELS[level] < LEVELS[this.config.get('loglevel')]) return
    const d = new Date()
    const stamp = `${d.getUTCDate().toString().padStart(2, '0')} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 23)}`
    const mark = level === 'warning' ? '#' : level === 'notice' ? '*' : level === 'verbose' ? '-' : '.'
    const line = `${process.pid}:M ${stamp} ${mark} ${message}\n`
    const file = this.config.get('logfile')
    if (file === '') process.stdout.write(line)
    else appendFileSync(file, line)
  }

  /** Stops listening and drops every client. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.cron !== null) clearInterval(this.cron)
    this.snapshots.abortBackground('Background saving aborted: the server is closing')
    const done = this.listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve())))
    for (const c of this.clients.values()) c.destroy()
    this.aof?.close()
    this.memcached?.close()
    this.latency.close()
    await Promise.all(done)
  }

  /**
   * SHUTDOWN and signals: save when asked to (`save` true), or by default when save
   * points are configured, as Redis does; then close, and let the embedding process
   * decide what next. False, with the server still running, when the save failed.
   */
  shutdown(save?: boolean): boolean {
    this.log('warning', 'User requested shutdown...')
    // As Redis kills its child: the final save, when there is one, is done in the
    // foreground below, and an image of an earlier moment must not land after it.
    this.snapshots.abortBackground('There is a child saving an .rdb. Killing it!')
    // A save during the start-up load would write what is only part of the file, as
    // Redis 7.0 knows: it never saves then, SHUTDOWN SAVE or not.
    if (this.loading === null && (save ?? this.snapshots.savePoints().length > 0)) {
      this.log('notice', 'Saving the final RDB snapshot before exiting.')
      if (!this.snapshots.save()) {
        this.log('warning', 'Error trying to save the DB, can\'t exit.')
        return false
      }
    }
    void this.close().then(() => {
      this.log('warning', 'Redis is now ready to exit, bye bye...')
      this.onShutdown?.()
    })
    return true
  }
}

/** An accepted socket and the client it belongs to (unset for a refused connection). */
const CLIENT_OF = Symbol('respite.client')
type Tagged = { [CLIENT_OF]?: Connection }

/** What a socket's reads and close are delivered to: a Redis Client or a memcached connection. */
interface Connection {
  onRawRead(nread: number): void
  onClose(): void
}

/** A connection whose replies Server.flushSoon and WriteBatch send later. */
export interface Flushable {
  flushQueued: boolean
  readonly id?: number
  flush(): void
  /** Sends the first `limit` bytes of its output if it has more; true when it did (Client.flushHead). */
  flushHead?(limit: number): boolean
}

/** A Socket over an existing handle, reading into a given buffer (Node's `onread`). */
type WrapOptions = net.SocketConstructorOpts & {
  handle: unknown
  onread: { buffer: Uint8Array; callback: (this: Tagged, nread: number, buf: Uint8Array) => boolean }
}

/** net's onread callback (`this` is the socket), where fast-io.ts is not in use. */
function onSocketRead(this: Tagged, nread: number): boolean {
  this[CLIENT_OF]?.onRawRead(nread)
  return true
}

function onSocketClose(this: Tagged): void {
  this[CLIENT_OF]?.onClose()
}

/** A connection error ends in 'close', which is all the server acts on. */
function ignoreSocketError(): void {}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
