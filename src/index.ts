import { Config } from './server/config.js'
import { Server } from './server/server.js'

export { Config } from './server/config.js'
export { Server, REDIS_VERSION, RESPITE_VERSION } from './server/server.js'

export interface StartOptions {
  /** TCP port; 0 lets the OS choose (read it back from `server.port`). Default 6379. */
  port?: number
  /** Address to listen on. Default 127.0.0.1. */
  bind?: string
  /** Also serve the mini Redis dialect on this port (0: OS-chosen, see `miniPort`). */
  miniPort?: number
  requirepass?: string
  databases?: number
  maxclients?: number
  /** Any other redis.conf directive by its Redis name, e.g. { timeout: '30' }. */
  config?: Record<string, string | number>
  /** Log level; embedded servers default to 'warning' to keep test output quiet. */
  loglevel?: 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing'
}

export interface RunningServer {
  readonly port: number
  /** The mini-dialect port, when `miniPort` was given. */
  readonly miniPort: number
  readonly host: string
  /** The underlying server, for introspection. */
  readonly server: Server
  close(): Promise<void>
}

/** Starts a server in this process, for tests of other projects or embedding. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = new Config()
  config.set('loglevel', options.loglevel ?? 'warning', true)
  for (const [name, value] of Object.entries(options.config ?? {})) config.set(name, String(value), true)
  if (options.port !== undefined) config.set('port', String(options.port), true)
  if (options.bind !== undefined) config.set('bind', options.bind, true)
  if (options.miniPort !== undefined) config.set('mini-port', String(options.miniPort), true)
  if (options.requirepass !== undefined) config.set('requirepass', options.requirepass, true)
  if (options.databases !== undefined) config.set('databases', String(options.databases), true)
  if (options.maxclients !== undefined) config.set('maxclients', String(options.maxclients), true)
  const server = new Server(config)
  await server.listen()
  return {
    get port() {
      return server.port
    },
    get miniPort() {
      return server.miniPort
    },
    host: config.get('bind').split(/\s+/)[0],
    server,
    close: () => server.close(),
  }
}
