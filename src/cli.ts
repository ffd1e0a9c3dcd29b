#!/usr/bin/env node
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { CommandTable } from './commands/table.js'
import { Config, ConfigError } from './server/config.js'
import { ConfigFileError, ConfigLoader, ConfigOpenError, errnoText, expandProcTitle, parseCommandLine } from './server/config-file.js'
import { relaunchWithHeap } from './server/heap.js'
import { REDIS_VERSION, RESPITE_VERSION, Server } from './server/server.js'
import { AofLoadError } from './persistence/aof.js'

/** The config read from standard input, handed to a heap-sized child (heap.ts), which cannot read it again. */
const STDIN_CONFIG = 'RESPITE_STDIN_CONFIG'

/** --help and --version, described with yargs; every other argument is a redis-server directive. */
async function helpOrVersion(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('respite-server')
    .command('$0 [config-file]', 'Start a Redis-compatible server', (y) =>
      y.positional('config-file', { type: 'string', describe: 'a redis.conf-style file (Redis directive names; - reads standard input)' }))
    .parserConfiguration({ 'camel-case-expansion': false, 'parse-numbers': false, 'parse-positional-numbers': false })
    .option('port', { type: 'string', describe: 'TCP port (0: any free port; default 6379)' })
    .option('bind', { type: 'string', describe: 'address to listen on (default 127.0.0.1)' })
    .option('maxclients', { type: 'string', describe: 'maximum connected clients (default 10000)' })
    .option('requirepass', { type: 'string', describe: 'password clients must AUTH with' })
    .option('databases', { type: 'string', describe: 'number of databases (default 16)' })
    .option('mini-port', { type: 'string', describe: 'also serve the mini Redis dialect on this port' })
    .option('memcached-port', { type: 'string', describe: "also serve memcached's text protocol over database 0 on this port" })
    .option('timeout', { type: 'string', describe: 'close clients idle for this many seconds (0: never)' })
    .option('loglevel', { type: 'string', choices: ['debug', 'verbose', 'notice', 'warning', 'nothing'] })
    .option('logfile', { type: 'string', describe: 'log to this file instead of standard output' })
    .option('include', { type: 'string', describe: 'read another config file at this point' })
    .option('rename-command', { type: 'string', describe: 'rename-command <name> <new-name> (or "" to disable it)' })
    .epilog('Any other redis.conf directive is accepted as --<directive> <value ...>, as by redis-server.')
    .version(RESPITE_VERSION)
    .help()
    .parse()
}

function fatal(text: string): never {
  process.stderr.write(text)
  process.exit(1)
}

/** respite-server [redis.conf-style file | -] [--directive value ...] */
async function main(): Promise<void> {
  const args = hideBin(process.argv)
  if (args.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-v')) return helpOrVersion()

  const config = new Config()
  const table = new CommandTable()
  const loader = new ConfigLoader(config, { table, ownProcess: true })
  try {
    const line = parseCommandLine(args)
    if (line.configFile !== null) loader.loadFile(line.configFile)
    if (line.stdin) {
      const text = process.env[STDIN_CONFIG] ?? readFileSync(0, 'latin1')
      process.env[STDIN_CONFIG] = text
      loader.loadText(text, 'the configuration from standard input')
    }
    loader.loadCommandLine(line.directives)
    loader.finish()
  } catch (e) {
    if (e instanceof ConfigOpenError) fatal(`${e.message}\n`)
    if (e instanceof ConfigFileError) fatal(e.report(`*** FATAL CONFIG FILE ERROR (respite ${RESPITE_VERSION}) ***`))
    if (e instanceof ConfigError) fatal(`*** FATAL CONFIG FILE ERROR (respite ${RESPITE_VERSION}) ***\n${e.message}\n`)
    throw e
  }

  if (relaunchWithHeap(config.int('maxmemory'))) return
  // As Redis does, the server runs in `dir` (relative log and pid files are found there).
  if (loader.cwd !== process.cwd()) {
    try {
      process.chdir(loader.cwd)
    } catch (e) {
      fatal(`Can't chdir to '${loader.cwd}': ${errnoText(e)}\n`)
    }
  }
  const server = new Server(config, table)
  server.log('notice', 'oO0OoO0OoO0Oo respite is starting oO0OoO0OoO0Oo')
  server.log('notice', `respite version=${RESPITE_VERSION}, redis_version=${REDIS_VERSION}, bits=64, pid=${process.pid}, just started`)
  for (const warning of loader.warnings) server.log('warning', warning)
  server.onShutdown = () => process.exit(0)
  // A terminal's Ctrl-C reaches both this process and the parent that relays it
  // (heap.ts), so a second signal must not cut the shutdown short.
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    server.log('warning', `Received ${signal} scheduling shutdown...`)
    // A failed final save keeps the server running, as in Redis; a later signal may retry.
    if (!server.shutdown()) stopping = false
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))

  // As Redis 7.0 does, the port opens first and the data loads while clients get
  // -LOADING (and SHUTDOWN or a signal may end the load).
  try {
    await server.openListeners()
  } catch (e) {
    server.log('warning', `Failed listening on port ${config.get('port')} (tcp): ${(e as Error).message}`)
    process.exit(1)
  }
  server.log('notice', `Running mode=standalone, port=${server.port}.`)
  if (server.miniPort) server.log('notice', `Mini Redis dialect on port ${server.miniPort}.`)
  writePidFile(server)
  setTitle(server, loader.configFile)
  server.log('notice', 'Server initialized')
  try {
    await server.loadData()
  } catch (e) {
    // A corrupt or unreadable AOF or RDB file: Redis's messages, and no start.
    server.log('warning', (e as Error).message)
    if (!(e instanceof AofLoadError)) server.log('warning', 'Fatal error loading the DB, check server logs. Exiting.')
    process.exit(1)
  }
  if (server.isClosed) return
  try {
    await server.openMemcached()
  } catch (e) {
    server.log('warning', `Failed listening on port ${config.get('memcached-port')} (tcp): ${(e as Error).message}`)
    process.exit(1)
  }
  if (server.memcached !== null) server.log('notice', `memcached text protocol on port ${server.memcachedPort}.`)
  server.log('notice', 'Ready to accept connections')
}

/** pidfile: written once listening, removed at exit; failing to write it is only a warning, as in Redis. */
function writePidFile(server: Server): void {
  const pidfile = server.config.get('pidfile')
  if (pidfile === '') return
  const path = resolve(pidfile)
  try {
    writeFileSync(path, `${process.pid}\n`)
  } catch (e) {
    server.log('warning', `Failed to write PID file: ${errnoText(e)}`)
    return
  }
  process.on('exit', () => rmSync(path, { force: true }))
}

/** set-proc-title: the process shows proc-title-template, as a Redis process does. */
function setTitle(server: Server, configFile: string): void {
  const config = server.config
  if (config.get('set-proc-title') !== 'yes') return
  const bind = config.get('bind').split(' ').filter(Boolean)[0] ?? '*'
  process.title = expandProcTitle(config.get('proc-title-template'), {
    title: process.argv[1] ?? 'respite-server',
    'listen-addr': `${bind}:${server.port}`,
    'server-mode': '',
    port: String(server.port),
    'tls-port': '0',
    unixsocket: '',
    'config-file': configFile,
  })
}

void main()
