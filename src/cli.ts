#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { splitInlineArgs } from './resp/inline.js'
import { Config, ConfigError, parseConfigFile } from './server/config.js'
import { relaunchWithHeap } from './server/heap.js'
import { REDIS_VERSION, RESPITE_VERSION, Server } from './server/server.js'

/** respite-server [redis.conf-style file] [--port] [--bind] ... */
async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('respite-server')
    .command('$0 [config-file]', 'Start a Redis-compatible server', (y) =>
      y.positional('config-file', { type: 'string', describe: 'a redis.conf-style file (Redis directive names)' }))
    // Like redis-server, any directive may be given as --name value; values stay
    // strings ("0123" is a password, not a number) and names keep their dashes.
    .parserConfiguration({ 'camel-case-expansion': false, 'parse-numbers': false, 'parse-positional-numbers': false })
    .option('port', { type: 'string', describe: 'TCP port (0: any free port; default 6379)' })
    .option('bind', { type: 'string', describe: 'address to listen on (default 127.0.0.1)' })
    .option('maxclients', { type: 'string', describe: 'maximum connected clients (default 10000)' })
    .option('requirepass', { type: 'string', describe: 'password clients must AUTH with' })
    .option('databases', { type: 'string', describe: 'number of databases (default 16)' })
    .option('mini-port', { type: 'string', describe: 'also serve the mini Redis dialect on this port' })
    .option('timeout', { type: 'string', describe: 'close clients idle for this many seconds (0: never)' })
    .option('loglevel', { type: 'string', choices: ['debug', 'verbose', 'notice', 'warning', 'nothing'] })
    .option('logfile', { type: 'string', describe: 'log to this file instead of standard output' })
    .epilog('Any other redis.conf directive is accepted as --<directive> <value>.')
    .version(RESPITE_VERSION)
    .help()
    .parse()

  const config = new Config()
  try {
    const file = argv['config-file']
    if (file !== undefined) {
      for (const [name, value] of parseConfigFile(readFileSync(String(file), 'latin1'), splitInlineArgs)) {
        config.set(name, value, true)
      }
    }
    if (argv._.length > 0) throw new ConfigError(`unexpected argument '${argv._[0]}'`)
    for (const [name, value] of Object.entries(argv)) {
      if (name === '_' || name === '$0' || name === 'config-file' || value === undefined) continue
      config.set(name, Array.isArray(value) ? value.join(' ') : String(value), true)
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`*** FATAL CONFIG FILE ERROR ***\n${e.message}\n`)
      process.exit(1)
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`Fatal error, can't open config file '${argv['config-file']}': No such file or directory\n`)
      process.exit(1)
    }
    throw e
  }

  if (relaunchWithHeap(config.int('maxmemory'))) return
  const server = new Server(config)
  server.log('notice', 'oO0OoO0OoO0Oo respite is starting oO0OoO0OoO0Oo')
  server.log('notice', `respite version=${RESPITE_VERSION}, redis_version=${REDIS_VERSION}, bits=64, pid=${process.pid}, just started`)
  try {
    await server.listen()
  } catch (e) {
    server.log('warning', `Failed listening on port ${config.get('port')} (tcp): ${(e as Error).message}`)
    process.exit(1)
  }
  server.log('notice', `Running mode=standalone, port=${server.port}.`)
  if (server.miniPort) server.log('notice', `Mini Redis dialect on port ${server.miniPort}.`)
  server.log('notice', 'Server initialized')
  server.log('notice', 'Ready to accept connections')

  server.onShutdown = () => process.exit(0)
  // A terminal's Ctrl-C reaches both this process and the parent that relays it
  // (heap.ts), so a second signal must not cut the shutdown short.
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    server.log('warning', `Received ${signal} scheduling shutdown...`)
    server.shutdown()
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

void main()
