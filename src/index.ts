import { CommandTable } from './commands/table.js'
import { Config } from './server/config.js'
import { ConfigLoader } from './server/config-file.js'
import { Server } from './server/server.js'

export { Config, ConfigError } from './server/config.js'
export { ConfigFileError } from './server/config-file.js'
export { Server, REDIS_VERSION, RESPITE_VERSION } from './server/server.js'

export interface StartOptions {
  /** TCP port; 0 lets the OS choose (read it back from `server.port`). Default 6379. */
  port?: number
  /** Address to listen on. Default 127.0.0.1. */
  bind?: string
  /** Also serve the mini Redis dialect on this port (0: OS-chosen, see `miniPort`). */
  miniPort?: number
  /** Also serve memcached's text protocol over database 0 on this port (0: OS-chosen, see `memcachedPort`). */
  memcachedPort?: number
  requirepass?: string
  databases?: number
  maxclients?: number
  /**
   * Any other redis.conf directive by its Redis name, e.g. { timeout: '30' }, applied
   * in order as a config file's lines would be. An array repeats the directive, once
   * per value. For rename-command (and user) the value holds the directive's
   * arguments as written in redis.conf: { 'rename-command': ['FLUSHALL ""', 'CONFIG admin-config'] }.
   * `include` reads a config file. Unknown directives, bad values and the settings
   * respite refuses for security (TLS, ACL users) throw a ConfigError.
   */
  config?: Record<string, string | number | readonly (string | number)[]>
  /** Log level; embedded servers default to 'warning' to keep test output quiet. */
  loglevel?: 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing'
}

export interface RunningServer {
  readonly port: number
  /** The mini-dialect port, when `miniPort` was given. */
  readonly miniPort: number
  /** The memcached port, when `memcachedPort` was given. */
  readonly memcachedPort: number
  readonly host: string
  /** The underlying server, for introspection. */
  readonly server: Server
  close(): Promise<void>
}

/** Starts a server in this process, for tests of other projects or embedding. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = new Config()
  const table = new CommandTable()
  const loader = new ConfigLoader(config, { table, ownProcess: false })
  config.set('loglevel', options.loglevel ?? 'warning', true)
  for (const [name, value] of Object.entries(options.config ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) loader.loadOption(name, String(v))
  }
  if (options.port !== undefined) loader.loadOption('port', String(options.port))
  if (options.bind !== undefined) loader.loadOption('bind', options.bind)
  if (options.miniPort !== undefined) loader.loadOption('mini-port', String(options.miniPort))
  if (options.memcachedPort !== undefined) loader.loadOption('memcached-port', String(options.memcachedPort))
  if (options.requirepass !== undefined) loader.loadOption('requirepass', options.requirepass)
  if (options.databases !== undefined) loader.loadOption('databases', String(options.databases))
  if (options.maxclients !== undefined) loader.loadOption('maxclients', String(options.maxclients))
  loader.finish()
  const server = new Server(config, table)
  for (const warning of loader.warnings) server.log('warning', warning)
  // As redis-server does, listen, then load the AOF or `dir`/`dbfilename` while clients
  // get -LOADING; resolves once the data is in. A corrupt file rejects, the server closed.
  try {
    await server.listen()
  } catch (e) {
    await server.close()
    throw e
  }
  return {
    get port() {
      return server.port
    },
    get miniPort() {
      return server.miniPort
    },
    get memcachedPort() {
      return server.memcachedPort
    },
    host: config.get('bind').split(/\s+/)[0],
    server,
    close: () => server.close(),
  }
}
