import { MAX_ARG_LENGTH } from '../resp/decoder.js'

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
  subscribedContext: (name: string) =>
    `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  sameObject: 'ERR source and destination objects are the same',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  offsetRange: 'ERR offset is out of range',
  indexRange: 'ERR index out of range',
  maxClients: 'ERR max number of clients reached',
  nan: 'ERR resulting score is not a number (NaN)',
  argTooLong: `ERR argument exceeds the longest string respite can hold (${MAX_ARG_LENGTH} bytes)`,
  busy: (kind: 'script' | 'function') =>
    `BUSY Redis is busy running a script. You can only call ${kind === 'script' ? 'SCRIPT' : 'FUNCTION'} KILL or SHUTDOWN NOSAVE.`,
  loading: 'LOADING Redis is loading the dataset in memory',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  misconf: "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.",
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
  // Connection, server and introspection commands (HELLO, AUTH, CLIENT, CONFIG, COMMAND, INFO).
  noProto: 'NOPROTO unsupported protocol version',
  protoVersion: 'ERR Protocol version is not an integer or out of range',
  helloOption: (opt: string) => `ERR Syntax error in HELLO option '${opt}'`,
  helloNoAuth: 'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
  authNoPassword: 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  clientName: 'ERR Client names cannot contain spaces, newlines or special characters.',
  noSuchClient: 'ERR No such client',
  unknownClientType: (t: string) => `ERR Unknown client type '${t}'`,
  invalidClientId: 'ERR Invalid client ID',
  clientIdPositive: 'ERR client-id should be greater than 0',
  noSuchUser: (u: string) => `ERR No such user '${u}'`,
  unblockReason: 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR',
  subcommandSyntax: (sub: string, container: string) =>
    `ERR unknown subcommand or wrong number of arguments for '${sub}'. Try ${container.toUpperCase()} HELP.`,
  // String and key-space commands.
  decrementOverflow: 'ERR decrement would overflow',
  nanOrInfinity: 'ERR increment would produce NaN or Infinity',
  expireNxConflict: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  expireGtLtConflict: 'ERR GT and LT options at the same time are not compatible',
  unsupportedOption: (opt: string) => `ERR Unsupported option ${opt}`,
  invalidCursor: 'ERR invalid cursor',
  notInt32: 'ERR value is out of range, value must between -2147483648 and 2147483647',
  invalidFirstDb: 'ERR invalid first DB index',
  invalidSecondDb: 'ERR invalid second DB index',
  lfuNotSelected: 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  lfuSelected: 'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  // Hash, set and SORT commands.
  hashNotInteger: 'ERR hash value is not an integer',
  hashNotFloat: 'ERR hash value is not a float',
  valueNanOrInfinity: 'ERR value is NaN or Infinity',
  outOfRange: 'ERR value is out of range',
  mustBePositive: 'ERR value is out of range, must be positive',
  sampleCountRange: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  numkeysPositive: 'ERR numkeys should be greater than 0',
  numkeysTooMany: "ERR Number of keys can't be greater than number of args",
  limitNegative: "ERR LIMIT can't be negative",
  sortNotDouble: "ERR One or more scores can't be converted into double",
  // Lists and blocking pops.
  timeoutNotFloat: 'ERR timeout is not a float or out of range',
  timeoutNegative: 'ERR timeout is negative',
  countPositive: 'ERR count should be greater than 0',
  rankZero: "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  lposCountNegative: "ERR COUNT can't be negative",
  lposMaxlenNegative: "ERR MAXLEN can't be negative",
  // Sorted sets.
  zsetRangeNotFloat: 'ERR min or max is not a float',
  zsetRangeNotString: 'ERR min or max not valid string range item',
  zaddNxXx: 'ERR XX and NX options at the same time are not compatible',
  zaddGtLtNx: 'ERR GT, LT, and/or NX options at the same time are not compatible',
  zaddIncrPair: 'ERR INCR option supports a single increment-element pair',
  zrangeLimit: 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
  zrangeWithScoresLex: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
  weightNotFloat: 'ERR weight value is not a float',
  atLeastOneKey: (cmd: string) => `ERR at least 1 input key is needed for '${cmd}' command`,
  // CLIENT TRACKING, CACHING, PAUSE.
  redirectMissing: 'ERR The client ID you want redirect to does not exist',
  prefixNeedsBcast: 'ERR PREFIX option requires BCAST mode to be enabled',
  bcastSwitch: "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
  optNotWithBcast: 'ERR OPTIN and OPTOUT are not compatible with BCAST',
  optinAndOptout: "ERR You can't specify both OPTIN mode and OPTOUT mode",
  optSwitch: "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
  prefixOverlapsExisting: (prefix: string, other: string) =>
    `ERR Prefix '${prefix}' overlaps with an existing prefix '${other}'. Prefixes for a single client must not overlap.`,
  prefixOverlapsProvided: (prefix: string, other: string) =>
    `ERR Prefix '${prefix}' overlaps with another provided prefix '${other}'. Prefixes for a single client must not overlap.`,
  cachingNotTracking: 'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
  cachingYesNeedsOptin: 'ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.',
  cachingNoNeedsOptout: 'ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.',
  pauseTimeout: 'ERR timeout is not an integer or out of range',
  pauseMode: 'ERR CLIENT PAUSE mode must be WRITE or ALL',
  // Transactions.
  multiNested: 'ERR MULTI calls can not be nested',
  execWithoutMulti: 'ERR EXEC without MULTI',
  discardWithoutMulti: 'ERR DISCARD without MULTI',
  watchInMulti: 'ERR WATCH inside MULTI is not allowed',
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  /** EXEC itself refused by the generic checks: the reason follows without its ERR prefix. */
  execRefused: (reason: string) => `EXECABORT Transaction discarded because of: ${reason.startsWith('ERR ') ? reason.slice(4) : reason}`,
  notInMulti: 'ERR Command not allowed inside a transaction',
} as const

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s
}
