import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { CommandTable } from '../commands/table.js'
import { splitInlineArgs } from '../resp/inline.js'
import { globMatch } from '../store/glob.js'
import { Config, ConfigError } from './config.js'

/**
 * Loading redis.conf files, command-line directives and embedded `config` maps into a
 * Config, with Redis 7.0's directive semantics: `include` (with wildcards), repeated
 * `save` lines that add up, `dir` moving the working directory later relative paths
 * resolve from, `rename-command`, and the directives that are no parameter (`user`,
 * `loadmodule`, `sentinel`, the deprecated ones Redis 7 skips).
 *
 * Every directive Redis 7.0.15 accepts is accepted. Those respite has no use for are
 * kept for CONFIG GET and, when set to anything but their default, reported by
 * `warnings` so the server can log them. The ones whose omission would weaken security
 * (TLS, ACL users and files, protected mode on a public address, modules) make start-up
 * fail with a reason instead.
 */

/** Where a directive came from, for error reports. */
export interface Origin {
  /** The directive as written: "port 6379". */
  text: string
  /** "the configuration file /etc/redis.conf", "the command line", "the config option". */
  source: string
  /** 1-based line in a file; 0 elsewhere. */
  line: number
}

/** A start-up configuration error, reported as Redis reports one. */
export class ConfigFileError extends ConfigError {
  constructor(
    readonly reason: string,
    readonly origin?: Origin,
  ) {
    super(origin === undefined ? reason : `${reason} (${describe(origin)}: '${origin.text}')`)
  }

  /** Redis's layout: where, the line itself, why. */
  report(header: string): string {
    const lines = [header]
    if (this.origin !== undefined) {
      lines.push(`Reading ${describe(this.origin)}`, `>>> '${this.origin.text}'`)
    }
    lines.push(this.reason)
    return `${lines.join('\n')}\n`
  }
}

/** A config file (the main one or an included one) that cannot be read. */
export class ConfigOpenError extends ConfigError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Fatal error, can't open config file '${path}': ${reason}`)
  }
}

function describe(o: Origin): string {
  return o.line > 0 ? `${o.source}, at line ${o.line}` : o.source
}

const BAD_DIRECTIVE = 'Bad directive or wrong number of arguments'
/** Redis 7.0 skips these old names in config files (they have no effect there either). */
const DEPRECATED = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands'])
const MAX_INCLUDE_DEPTH = 32

/** strerror(3)'s text for the errors a config path can hit. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  switch (code) {
    case 'ENOENT': return 'No such file or directory'
    case 'EACCES': return 'Permission denied'
    case 'EPERM': return 'Operation not permitted'
    case 'EISDIR': return 'Is a directory'
    case 'ENOTDIR': return 'Not a directory'
    case 'EROFS': return 'Read-only file system'
    case 'ELOOP': return 'Too many levels of symbolic links'
    default: return (e as Error).message
  }
}

/** One directive line of a config text: its arguments, the text as written, its line number. */
export interface ConfigLine {
  args: string[]
  text: string
  line: number
}

/**
 * Splits redis.conf text into directives: one per line, blank lines and `#` comments
 * skipped, arguments split with Redis's quoting rules. The directive name is
 * lower-cased. Unbalanced quotes are an error, as in Redis.
 */
export function parseConfigText(text: string, source = 'the configuration file'): ConfigLine[] {
  const out: ConfigLine[] = []
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const origin = { text: line, source, line: i + 1 }
    const args = splitInlineArgs(line)
    if (args === null) throw new ConfigFileError('Unbalanced quotes in configuration line', origin)
    if (args.length === 0) continue
    args[0] = args[0].toLowerCase()
    out.push({ args, text: line, line: i + 1 })
  }
  return out
}

/** A directive written back as a config line, quoting arguments that need it. */
export function directiveText(args: readonly string[]): string {
  return args.map((a, i) => (i > 0 && (a === '' || /[\s"'\\]|[^\x20-\x7e]/.test(a)) ? quote(a) : a)).join(' ')
}

function quote(s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.charCodeAt(0)
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (c < 0x20 || c > 0x7e) out += `\\x${c.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return `${out}"`
}

/** What `respite-server` was given: a config file (or standard input) and directives. */
export interface CommandLine {
  configFile: string | null
  stdin: boolean
  directives: string[][]
}

/**
 * redis-server's command line: an optional config file first (anything not starting
 * with "-"), "-" for a config on standard input, then `--name [arg ...]` directives
 * whose arguments run up to the next `--option`. A name given alone takes the next
 * argument even if it starts with "--" (`--requirepass --secret`), except that a bare
 * `--save` before another option or at the end means `save ""`. "--port 6380" as one
 * argument is a name with its value.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const result: CommandLine = { configFile: null, stdin: false, directives: [] }
  let i = 0
  if (argv.length > 0 && !argv[0].startsWith('-')) {
    result.configFile = argv[0]
    i = 1
  }
  let current: string[] | null = null
  for (; i < argv.length; i++) {
    const a = argv[i]
    if (a === '-' && (i === 0 || i === argv.length - 1)) {
      result.stdin = true
      continue
    }
    if (a.startsWith('--') && (current === null || current.length > 1)) {
      const parts = splitInlineArgs(a.slice(2)) ?? [a.slice(2)]
      if (parts.length === 0) throw new ConfigFileError(BAD_DIRECTIVE, { text: a, source: 'the command line', line: 0 })
      parts[0] = parts[0].toLowerCase()
      current = parts
      result.directives.push(current)
      const next = argv[i + 1]
      if (parts.length === 1 && parts[0] === 'save' && (next === undefined || next.startsWith('--'))) current.push('')
      continue
    }
    if (current === null) throw new ConfigFileError(`unexpected argument '${a}'`, { text: a, source: 'the command line', line: 0 })
    current.push(a)
  }
  return result
}

export interface LoaderOptions {
  /** The table rename-command edits. */
  table: CommandTable
  /**
   * The process is respite-server's own: `dir` moves the directory later relative
   * paths resolve from (the CLI then changes to it, as Redis does), and the pid file
   * and process title are looked after. Embedded servers leave the host process alone.
   */
  ownProcess: boolean
}

interface UserLine {
  rules: string[]
  origin: Origin
}

/** Applies directives to a Config in order, then checks the result as a whole (finish). */
export class ConfigLoader {
  /** Warnings for the server to log once it exists: directives respite does not act on. */
  readonly warnings: string[] = []
  /** The working directory as Redis would have it by now (`dir` moves it in the CLI). */
  cwd = process.cwd()
  /** The main config file, absolute, for the {config-file} title variable. */
  configFile = ''
  private saveLoaded = false
  private depth = 0
  private readonly users = new Map<string, UserLine>()
  /** The directive that last set each parameter, for reports about the final values. */
  private readonly setBy = new Map<string, Origin>()

  constructor(
    readonly config: Config,
    readonly options: LoaderOptions,
  ) {}

  /** Reads a config file; a missing or unreadable one is a ConfigOpenError. */
  loadFile(path: string): void {
    const abs = resolve(this.cwd, path)
    if (this.depth === 0 && this.configFile === '') this.configFile = abs
    let text: string
    try {
      text = readFileSync(abs, 'latin1')
    } catch (e) {
      throw new ConfigOpenError(path, errnoText(e))
    }
    this.loadText(text, `the configuration file ${abs}`)
  }

  /** Applies every directive of a config text, in order. */
  loadText(text: string, source: string): void {
    if (++this.depth > MAX_INCLUDE_DEPTH) {
      throw new ConfigFileError(`include nesting deeper than ${MAX_INCLUDE_DEPTH} (does a file include itself?)`)
    }
    try {
      for (const { args, text: line, line: n } of parseConfigText(text, source)) this.apply(args, { text: line, source, line: n })
    } finally {
      this.depth--
    }
  }

  /** The directives of the command line, after the file. */
  loadCommandLine(directives: readonly string[][]): void {
    for (const args of directives) this.apply(args, { text: directiveText(args), source: 'the command line', line: 0 })
  }

  /**
   * One entry of an embedded server's `config` map. The value is the directive's
   * argument; for rename-command, user, loadmodule and sentinel it is their arguments
   * written as in redis.conf ('CONFIG ""'), split with the same quoting rules.
   */
  loadOption(name: string, value: string): void {
    const lower = name.toLowerCase()
    const origin = { text: `${lower} ${value}`, source: 'the config option', line: 0 }
    let rest: string[] | null = [value]
    if (lower === 'rename-command' || lower === 'user' || lower === 'loadmodule' || lower === 'sentinel') {
      rest = splitInlineArgs(value)
      if (rest === null) throw new ConfigFileError('Unbalanced quotes in configuration line', origin)
    }
    this.apply([lower, ...rest], origin)
  }

  /** One directive: args[0] is its (lower-case) name. Throws ConfigFileError. */
  apply(args: readonly string[], origin: Origin): void {
    const name = args[0].toLowerCase()
    const rest = args.slice(1)
    const fail = (reason: string): never => {
      throw new ConfigFileError(reason, origin)
    }
    switch (name) {
      case 'include':
        if (rest.length !== 1) fail(BAD_DIRECTIVE)
        return this.include(rest[0])
      case 'rename-command':
        if (rest.length !== 2) fail(BAD_DIRECTIVE)
        try {
          this.options.table.rename(rest[0], rest[1])
        } catch (e) {
          fail((e as Error).message)
        }
        return
      case 'user': {
        if (rest.length < 1) fail(BAD_DIRECTIVE)
        if (this.users.has(rest[0])) {
          fail(`Error in user declaration '${rest[0]}': Duplicate user found. A user can only be defined once in config files`)
        }
        this.users.set(rest[0], { rules: rest.slice(1), origin })
        return
      }
      case 'loadmodule':
        if (rest.length < 1) fail(BAD_DIRECTIVE)
        return fail(`respite cannot load Redis modules, so it will not start without ${rest[0]}: the module's commands would be missing, and any command filtering or authentication it does would silently not happen. Remove the loadmodule line to run without it.`)
      case 'sentinel':
        return fail('sentinel directive while not in sentinel mode')
    }
    if (DEPRECATED.has(name)) return
    const def = this.config.def(name)
    if (def === undefined || rest.length === 0 && name !== 'save') fail(BAD_DIRECTIVE)
    if (!def!.multiArg && rest.length !== 1) fail('wrong number of arguments')
    let value = rest.join(' ')
    if (def!.name === 'save') value = this.saveValue(rest)
    else if (def!.name === 'dir') value = this.dir(value, fail)
    try {
      this.config.set(def!.name, value, true)
    } catch (e) {
      if (e instanceof ConfigError) fail(e.message)
      throw e
    }
    this.setBy.set(def!.name, origin)
  }

  /**
   * Repeated save lines add up; the first one in the configuration replaces the
   * default, and `save ""` empties the list.
   */
  private saveValue(rest: string[]): string {
    if (rest.length === 1 && rest[0] === '') {
      this.saveLoaded = true
      return ''
    }
    const added = rest.join(' ')
    const value = this.saveLoaded ? `${this.config.get('save')} ${added}`.trim() : added
    this.saveLoaded = true
    return value
  }

  /** `dir` must name a directory; the value is kept absolute, as CONFIG GET dir shows it. */
  private dir(value: string, fail: (reason: string) => never): string {
    const abs = resolve(this.cwd, value)
    try {
      if (!statSync(abs).isDirectory()) fail('Not a directory')
    } catch (e) {
      if (e instanceof ConfigFileError) throw e
      fail(errnoText(e))
    }
    if (this.options.ownProcess) this.cwd = abs
    return abs
  }

  /** `include path`: a file, or every file a wildcard pattern matches (none is fine), in order. */
  private include(path: string): void {
    if (!/[*?[]/.test(path)) return this.loadFile(path)
    for (const file of globFiles(resolve(this.cwd, path))) this.loadFile(file)
  }

  /**
   * Checks what the directives add up to, once all are in: the security refusals, the
   * `user default` line, that the log file opens. Then collects the warnings.
   */
  finish(): void {
    const config = this.config
    const at = (name: string) => this.setBy.get(name)
    const refuse = (name: string, reason: string): never => {
      throw new ConfigFileError(reason, at(name))
    }
    if (config.get('aclfile') !== '') {
      refuse('aclfile', 'respite has no ACL users, so it cannot enforce an ACL file: starting without it would let every client in as the default user with all permissions. Remove aclfile (requirepass sets the one password respite checks).')
    }
    if (config.get('tls-port') !== '0') {
      refuse('tls-port', `respite has no TLS, so it cannot serve TLS on port ${config.get('tls-port')}; clients would have to talk to it in plain text. Use a TLS proxy in front of respite's plain port instead, and remove tls-port (or set it to 0).`)
    }
    for (const name of ['tls-replication', 'tls-cluster']) {
      if (config.get(name) === 'yes') refuse(name, `respite has no TLS, so it cannot honour '${name} yes'. Remove it (or set it to no).`)
    }
    for (const [user, { rules, origin }] of this.users) {
      const fail = (reason: string): never => {
        throw new ConfigFileError(reason, origin)
      }
      if (user !== 'default') {
        fail(`respite has no ACL users, so it cannot create user '${user}'. Only 'user default' is accepted, and only with rules that let it run every command on every key ('on nopass ~* +@all', or one '>password' in place of nopass).`)
      }
      const outcome = defaultUserRules(rules)
      if (typeof outcome !== 'object') fail(`respite has no ACL rules to restrict the default user with: ${outcome}. Only 'on nopass ~* +@all' (or one '>password' in place of nopass) is accepted.`)
      // As in Redis, the user line is applied after every other directive, requirepass included.
      config.set('requirepass', (outcome as { password: string }).password, true)
    }
    const bind = config.get('bind').split(' ').filter(Boolean)
    if (config.get('protected-mode') === 'yes' && config.get('requirepass') === '' && !isLoopback(bind[0] ?? '')) {
      const why = `respite has no protected mode: with bind ${bind[0]} and no password, Redis would refuse clients from other hosts, but respite would serve them. Set a password (requirepass), bind to a loopback address, or set protected-mode no to serve other hosts without a password.`
      throw new ConfigFileError(why, at('bind') ?? at('protected-mode'))
    }
    const logfile = config.get('logfile')
    if (logfile !== '') {
      try {
        appendFileSync(resolve(this.options.ownProcess ? this.cwd : process.cwd(), logfile), '')
      } catch (e) {
        refuse('logfile', `Can't open the log file: ${errnoText(e)}`)
      }
    }
    this.warnings.push(...unsupported(config, this.options.ownProcess))
  }
}

/** The files a wildcard path matches, sorted; components starting with "." need a "." in the pattern. */
export function globFiles(pattern: string): string[] {
  let paths = ['/']
  for (const part of pattern.split('/')) {
    if (part === '') continue
    const next: string[] = []
    for (const base of paths) {
      if (!/[*?[]/.test(part)) {
        next.push(join(base, part))
        continue
      }
      let names: string[]
      try {
        names = readdirSync(base)
      } catch {
        continue
      }
      for (const name of names) {
        if (name.startsWith('.') && !part.startsWith('.')) continue
        if (globMatch(part, name)) next.push(join(base, name))
      }
    }
    paths = next
  }
  return paths
    .filter((p) => {
      try {
        return statSync(p).isFile()
      } catch {
        return false
      }
    })
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

function isLoopback(address: string): boolean {
  const a = address.startsWith('-') ? address.slice(1) : address
  return /^127\./.test(a) || a === '::1' || a === 'localhost' || /^::ffff:127\./i.test(a)
}

/**
 * What the rules of `user default ...` leave the default user able to do, when that
 * is something respite can do too: every command on every key, with no password or
 * with one. Otherwise the reason it is not. Redis resets the user before applying
 * the rules. Channel rules do not matter: respite has no Pub/Sub.
 */
export function defaultUserRules(rules: readonly string[]): { password: string } | string {
  let on = false
  let nopass = false
  let passwords: string[] = []
  let hashes = 0
  let keys: 'none' | 'some' | 'all' = 'none'
  let commands: 'none' | 'some' | 'all' = 'none'
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]
    const r = rule.toLowerCase()
    if (r.startsWith('(')) {
      // A selector only adds permissions; what matters is the user's own.
      while (i < rules.length && !rules[i].endsWith(')')) i++
      continue
    }
    if (r === 'on') on = true
    else if (r === 'off') on = false
    else if (r === 'nopass') {
      nopass = true
      passwords = []
      hashes = 0
    } else if (r === 'resetpass') {
      nopass = false
      passwords = []
      hashes = 0
    } else if (rule.startsWith('>')) {
      if (!passwords.includes(rule.slice(1))) passwords.push(rule.slice(1))
      nopass = false
    } else if (rule.startsWith('<')) passwords = passwords.filter((p) => p !== rule.slice(1))
    else if (rule.startsWith('#')) {
      hashes++
      nopass = false
    } else if (rule.startsWith('!')) return `respite cannot remove a password by its hash ('${rule}')`
    else if (r === '~*' || r === 'allkeys' || r === '%rw~*' || r === '%wr~*') keys = 'all'
    else if (r === 'resetkeys') keys = 'none'
    else if (r.startsWith('~') || r.startsWith('%')) keys = keys === 'all' ? 'all' : 'some'
    else if (r === '+@all' || r === 'allcommands') commands = 'all'
    else if (r === '-@all' || r === 'nocommands') commands = 'none'
    else if (r.startsWith('+')) commands = commands === 'all' ? 'all' : 'some'
    else if (r.startsWith('-')) commands = commands === 'none' ? 'none' : 'some'
    else if (r === 'reset') {
      on = nopass = false
      passwords = []
      hashes = 0
      keys = commands = 'none'
    } else if (r === '&*' || r === 'allchannels' || r === 'resetchannels' || r.startsWith('&')) continue
    else if (r === 'sanitize-payload' || r === 'skip-sanitize-payload' || r === 'clearselectors') continue
    else return `'${rule}' is not an ACL rule respite knows`
  }
  if (!on) return 'the user would be off, so no client could use it'
  if (commands !== 'all') return 'the user would not be allowed every command'
  if (keys !== 'all') return 'the user would not be allowed every key'
  if (hashes > 0) return 'respite checks a plain-text password only (">password"), not a hash'
  if (nopass) return { password: '' }
  if (passwords.length === 0) return 'the user would have no password and no nopass, so no client could log in'
  if (passwords.length > 1) return 'respite checks one password, not several'
  return { password: passwords[0] }
}

// --- Directives respite keeps but does not act on -----------------------------------

const REPLICATION = 'respite has no replication'
const TUNING = "it tunes Redis's own memory layout and background work, which respite does not share"

/** Why a parameter has no effect on respite, for those that have none. */
const NO_EFFECT: Record<string, string> = {}
function noEffect(reason: string, names: string[]): void {
  for (const n of names) NO_EFFECT[n] = reason
}
noEffect('respite syncs a snapshot once, when it is complete', ['rdb-save-incremental-fsync'])
noEffect('respite keeps the RDB file after a transfer, having no replicas', ['rdb-del-sync-files'])
noEffect('respite always checks DUMP payloads and RDB files in full', ['sanitize-dump-payload'])
noEffect("it tunes Redis's loading loop, which respite does not share", [
  'key-load-delay', 'loading-process-events-interval-bytes',
])
noEffect('respite rewrites the AOF synchronously, with no child process or background work to tune', [
  'aof-rewrite-incremental-fsync', 'aof-disable-auto-gc', 'no-appendfsync-on-rewrite',
])
noEffect('respite writes no timestamp annotations to the AOF', ['aof-timestamp-enabled'])
noEffect(REPLICATION, [
  'replicaof', 'masterauth', 'masteruser', 'repl-backlog-size', 'repl-backlog-ttl', 'repl-disable-tcp-nodelay',
  'repl-diskless-load', 'repl-diskless-sync', 'repl-diskless-sync-delay', 'repl-diskless-sync-max-replicas',
  'repl-ping-replica-period', 'repl-timeout', 'replica-announce-ip', 'replica-announce-port', 'replica-announced',
  'replica-ignore-disk-write-errors', 'replica-ignore-maxmemory', 'replica-lazy-flush', 'replica-priority',
  'replica-read-only', 'replica-serve-stale-data', 'min-replicas-max-lag', 'min-replicas-to-write',
  'propagation-error-behavior', 'bind-source-addr',
])
noEffect(TUNING, [
  'activerehashing', 'activedefrag', 'active-defrag-cycle-max', 'active-defrag-cycle-min', 'active-defrag-ignore-bytes',
  'active-defrag-max-scan-fields', 'active-defrag-threshold-lower', 'active-defrag-threshold-upper', 'active-expire-effort',
  'lazyfree-lazy-eviction', 'lazyfree-lazy-expire', 'lazyfree-lazy-server-del', 'lazyfree-lazy-user-del',
  'lazyfree-lazy-user-flush', 'jemalloc-bg-thread', 'dynamic-hz', 'list-max-listpack-size', 'list-compress-depth',
  'stream-node-max-bytes', 'stream-node-max-entries', 'hll-sparse-max-bytes', 'disable-thp',
])
noEffect('respite has no ACL users', ['acl-pubsub-default', 'acllog-max-len'])
noEffect('respite has no scripting', ['lua-enable-deprecated-api'])
noEffect('respite evicts no keys: past maxmemory it refuses writes, as under noeviction', [
  'maxmemory-policy', 'maxmemory-samples', 'maxmemory-eviction-tenacity', 'lfu-log-factor', 'lfu-decay-time',
])
noEffect('respite evicts no clients', ['maxmemory-clients'])
noEffect('respite keeps no slow log', ['slowlog-log-slower-than', 'slowlog-max-len'])
noEffect('respite keeps no per-command latency histograms', ['latency-tracking', 'latency-tracking-info-percentiles'])
noEffect('respite treats SIGINT and SIGTERM as the default setting does (saving only when save points are set), without a timeout', [
  'shutdown-on-sigint', 'shutdown-on-sigterm', 'shutdown-timeout',
])
noEffect('respite cannot daemonize; it stays in the foreground', ['daemonize'])
noEffect('respite does not notify a supervisor (use a plain service type, not notify)', ['supervised'])
noEffect('respite does not log to syslog', ['syslog-enabled', 'syslog-ident', 'syslog-facility'])
noEffect('respite leaves its OOM score alone', ['oom-score-adj', 'oom-score-adj-values'])
noEffect('respite does not pin itself to CPUs', ['server_cpulist', 'bio_cpulist', 'aof_rewrite_cpulist', 'bgsave_cpulist'])
noEffect('respite serves clients from one thread', ['io-threads', 'io-threads-do-reads'])
noEffect('respite listens on TCP only', ['unixsocket', 'unixsocketperm'])
noEffect('respite does not mark its sockets', ['socket-mark-id'])
noEffect('respite shows no logo', ['always-show-logo'])
noEffect('respite writes no crash report and has no watchdog', ['crash-log-enabled', 'crash-memcheck-enabled', 'use-exit-on-panic', 'watchdog-period'])
noEffect('respite has no MODULE command', ['enable-module-command'])
noEffect('respite never lets CONFIG SET change protected configs', ['enable-protected-configs'])
noEffect('respite checks the system for nothing to warn about', ['ignore-warnings'])
noEffect('respite has no cluster mode', [
  'cluster-enabled', 'cluster-config-file', 'cluster-port', 'cluster-node-timeout', 'cluster-announce-ip',
  'cluster-announce-port', 'cluster-announce-tls-port', 'cluster-announce-bus-port', 'cluster-announce-hostname',
  'cluster-preferred-endpoint-type', 'cluster-require-full-coverage', 'cluster-replica-no-failover',
  'cluster-replica-validity-factor', 'cluster-migration-barrier', 'cluster-allow-replica-migration',
  'cluster-allow-reads-when-down', 'cluster-allow-pubsubshard-when-down', 'cluster-link-sendbuf-limit',
])
noEffect('respite has no TLS (and refuses to start where TLS would be on)', [
  'tls-cert-file', 'tls-key-file', 'tls-key-file-pass', 'tls-client-cert-file', 'tls-client-key-file',
  'tls-client-key-file-pass', 'tls-dh-params-file', 'tls-ca-cert-file', 'tls-ca-cert-dir', 'tls-auth-clients',
  'tls-protocols', 'tls-ciphers', 'tls-ciphersuites', 'tls-prefer-server-ciphers', 'tls-session-caching',
  'tls-session-cache-size', 'tls-session-cache-timeout',
])

/**
 * The parameters respite acts on, or checks at start-up (the TLS switches, aclfile,
 * protected-mode), so never warns about. pidfile, dir and the process title are the
 * CLI's; an embedded server leaves the host process alone and warns about a pid file.
 */
export const ACTED_ON = new Set([
  'port', 'bind', 'protected-mode', 'timeout', 'tcp-keepalive', 'tcp-backlog', 'maxclients', 'requirepass', 'databases',
  'loglevel', 'logfile', 'hz', 'maxmemory', 'proto-max-bulk-len', 'client-query-buffer-limit',
  'hash-max-listpack-entries', 'hash-max-listpack-value', 'set-max-intset-entries', 'zset-max-listpack-entries',
  'zset-max-listpack-value', 'mini-port', 'memcached-port', 'memcached-item-size-max', 'dir', 'pidfile', 'set-proc-title', 'proc-title-template', 'client-output-buffer-limit',
  'tls-port', 'tls-replication', 'tls-cluster', 'aclfile', 'tracking-table-max-keys', 'notify-keyspace-events',
  'busy-reply-threshold', 'latency-monitor-threshold',
  // RDB snapshots (persistence/snapshots.ts).
  'save', 'dbfilename', 'rdbcompression', 'rdbchecksum', 'stop-writes-on-bgsave-error', 'rdb-key-save-delay',
  // The append-only file (persistence/aof.ts).
  'appendonly', 'appendfsync', 'appendfilename', 'appenddirname', 'auto-aof-rewrite-percentage',
  'auto-aof-rewrite-min-size', 'aof-load-truncated', 'aof-use-rdb-preamble',
  'enable-debug-command',
])

/** Why each parameter has no effect, for the tests' check that every one is accounted for. */
export const NO_EFFECT_REASONS: Readonly<Record<string, string>> = NO_EFFECT

/** Warnings for the final configuration: each parameter set to what respite cannot do. */
export function unsupported(config: Config, ownProcess: boolean): string[] {
  const out: string[] = []
  const say = (name: string, value: string, why: string) => {
    out.push(`'${directiveText([name, value])}' has no effect: ${why}.`)
  }
  for (const def of Config.defs) {
    const value = config.get(def.name)
    if (value === def.default) continue
    const why = NO_EFFECT[def.name]
    if (why !== undefined) say(def.name, value, why)
  }
  if (!ownProcess && config.get('pidfile') !== '') say('pidfile', config.get('pidfile'), 'an embedded server writes no pid file')
  const bind = config.get('bind').split(' ').filter(Boolean)
  if (bind.length > 1) {
    out.push(`'bind ${bind.join(' ')}': respite listens on the first address only (${bind[0]}); ${bind.slice(1).join(' ')} ignored.`)
  }
  return out
}

/** The title Redis would give the process: the template's {variables} filled in, trimmed. */
export function expandProcTitle(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z-]+)\}/g, (m, name: string) => vars[name] ?? m).trim()
}
