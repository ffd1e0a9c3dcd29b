/**
 * Every literal error text in one place. These strings are part of the protocol:
 * clients and tests compare them whole, so they match Redis 7.0 to the byte.
 */
export const Err = {
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  syntax: 'ERR syntax error',
  noSuchKey: 'ERR no such key',
  overflow: 'ERR increment or decrement would overflow',
  dbIndex: 'ERR DB index is out of range',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  sameObject: 'ERR source and destination objects are the same',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  offsetRange: 'ERR offset is out of range',
  indexRange: 'ERR index out of range',
  maxClients: 'ERR max number of clients reached',
  nan: 'ERR resulting score is not a number (NaN)',
  structuredArg: 'ERR structured values are only accepted as values by GET, SET, MGET and MSET',
  wrongArgs: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  unknownSubcommand: (sub: string, container: string) =>
    `ERR unknown subcommand '${truncate(sub, 128)}'. Try ${container.toUpperCase()} HELP.`,
  unknownCommand(argv: string[]): string {
    let args = ''
    for (let i = 1; i < argv.length && args.length < 128; i++) {
      args += `'${truncate(argv[i], 128 - args.length)}' `
    }
    return `ERR unknown command '${truncate(argv[0], 128)}', with args beginning with: ${args}`
  },
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
} as const

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s
}
