import { INT64_MAX, INT64_MIN } from '../util/numbers.js'

/**
 * Server settings under Redis's names, as set by the CLI, a redis.conf-style file and
 * CONFIG SET. The table lists every parameter Redis 7.0 reports through CONFIG GET,
 * with Redis's defaults, kinds, ranges and aliases, so tools that read or tune them
 * (including the encoding knobs respite has no use for) see what Redis would show.
 * Where respite differs on purpose the default says so: it binds 127.0.0.1, does not
 * save, and cannot change its port or bind address while running.
 */

export type ParamKind = 'string' | 'int' | 'memory' | 'bool' | 'enum'

export interface ParamDef {
  name: string
  kind: ParamKind
  default: string
  /** For enums: the accepted values, in the order Redis lists them in errors. */
  values?: string[]
  /** Enum values accepted but not listed (respite's loglevel "nothing"). */
  hidden?: string[]
  min?: bigint
  max?: bigint
  /** Cannot be changed by CONFIG SET. */
  immutable?: boolean
  /**
   * Redis's hidden parameters: CONFIG GET and SET take them by exact name only, and
   * `CONFIG GET *` leaves them out.
   */
  unlisted?: boolean
  /**
   * A config-file line may give several arguments, joined with spaces (save, bind...);
   * other parameters take exactly one.
   */
  multiArg?: boolean
  /** Refused by CONFIG SET as Redis does while enable-protected-configs is no. */
  protected?: boolean
  aliases?: string[]
  /**
   * Set only at start-up: respite cannot re-listen (or start TLS) while running, so
   * CONFIG SET to a different value fails with this reason (Redis's own when that fails).
   */
  listener?: string
  /** Extra validation and canonical form for values with their own syntax; throws ConfigError. */
  normalize?: (value: string) => string
}

export class ConfigError extends Error {}


/** Redis's strict integer syntax: optional '-', no '+', no leading zeros, no spaces. */
function strictInt(raw: string): bigint | null {
  if (!/^-?(0|[1-9]\d*)$/.test(raw) || raw === '-0') return null
  const n = BigInt(raw)
  return n > INT64_MAX || n < INT64_MIN ? null : n
}

const MEMORY_UNITS: Record<string, bigint> = {
  '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n ** 2n, mb: 1024n ** 2n, g: 1000n ** 3n, gb: 1024n ** 3n,
}
const U64 = 1n << 64n

/**
 * Redis memory values: optional digits and an optional unit (1k = 1000, 1kb = 1024...;
 * "" and "kb" mean 0). Like Redis, digits saturate at 2^64-1 and the unit multiplies
 * modulo 2^64; range checks come after.
 */
export function parseMemoryValue(raw: string): bigint | null {
  const m = /^(\d*)([a-z]*)$/i.exec(raw)
  if (!m) return null
  const unit = MEMORY_UNITS[m[2].toLowerCase()]
  if (unit === undefined) return null
  let n = m[1] === '' ? 0n : BigInt(m[1])
  if (n >= U64) n = U64 - 1n
  return (n * unit) % U64
}

/** Redis memory units as a number (for callers outside CONFIG). */
export function parseMemory(raw: string): number {
  const n = parseMemoryValue(raw.trim())
  return n === null ? NaN : Number(n)
}

function clampHz(v: string): string {
  const n = Number(v)
  return String(n < 1 ? 1 : n > 500 ? 500 : n)
}

function activeDefrag(v: string): string {
  if (v === 'yes') {
    throw new ConfigError('Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution')
  }
  return v
}

function words(v: string): string[] {
  return v.split(' ').filter((w) => w !== '')
}

function saveParams(v: string): string {
  const w = words(v)
  if (w.length % 2 !== 0) throw new ConfigError('Invalid save parameters')
  const out: string[] = []
  for (const x of w) {
    const n = /^\d+$/.test(x) ? BigInt(x) : -1n
    if (n < 0n || n > INT64_MAX) throw new ConfigError('Invalid save parameters')
    out.push(String(n))
  }
  return out.join(' ')
}

function bindValue(v: string): string {
  if (words(v).length === 0) throw new ConfigError('Too many bind addresses specified.')
  return words(v).join(' ')
}

function hostname(v: string): string {
  if (!/^[A-Za-z0-9.-]*$/.test(v)) throw new ConfigError('Hostnames may only contain alphanumeric characters, hyphens or dots')
  return v
}

function percentiles(v: string): string {
  const out: string[] = []
  for (const w of words(v)) {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(w)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters')
    const d = Number(w)
    if (d < 0 || d > 100) throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]')
    out.push(String(d))
  }
  return out.join(' ')
}

function memoryOrPercent(v: string): string {
  const percent = (n: bigint): string => {
    if (n > 100n) throw new ConfigError('percentage argument must be less or equal to 100')
    return `${n}%`
  }
  if (v.endsWith('%')) {
    const n = strictInt(v.slice(0, -1))
    if (n === null || n < 0n) throw new ConfigError('argument must be a memory or percent value')
    return percent(n)
  }
  const n = parseMemoryValue(v)
  if (n === null) throw new ConfigError('argument must be a memory or percent value')
  // Redis keeps this one signed, negative meaning a percentage: huge values read as one.
  if (n > INT64_MAX) return percent(U64 - n)
  return String(n)
}

/** unixsocketperm: octal, at most 777, shown without leading zeros. */
function octalPerm(v: string): string {
  if (!/^[0-7]+$/.test(v)) throw new ConfigError("argument couldn't be parsed as an octal number")
  const n = parseInt(v, 8)
  if (n > 0o777) throw new ConfigError('argument must be between 0 and 777 inclusive')
  return n.toString(8)
}

function fileName(what: string, kind: string): (v: string) => string {
  return (v) => {
    if (v.includes('/')) throw new ConfigError(`${what} can't be a path, just a ${kind}`)
    return v
  }
}

/** replicaof: "host port", or "no one" (stored as ""). */
function replicaOf(v: string): string {
  const w = words(v)
  if (w.length === 2 && w[0].toLowerCase() === 'no' && w[1].toLowerCase() === 'one') return ''
  if (w.length !== 2) throw new ConfigError('wrong number of arguments')
  if (!/^-?\d+$/.test(w[1]) || Number(w[1]) < 0 || Number(w[1]) > 65535) throw new ConfigError('Invalid master port')
  return `${w[0]} ${Number(w[1])}`
}

const NO_TLS = 'Unable to update TLS configuration. Check server logs.'
const TRISTATE = ['no', 'yes', 'local']

const TITLE_VARIABLES: Record<string, string> = {
  title: '', 'listen-addr': '*:6379', 'server-mode': '', port: '6379', 'tls-port': '0', unixsocket: '', 'config-file': '',
}

/** proc-title-template: known {variables} only, and something left once expanded (with an empty title). */
function procTitle(v: string): string {
  let expanded = ''
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== '{') {
      expanded += v[i]
      continue
    }
    const end = v.indexOf('}', i)
    const name = end < 0 ? null : v.slice(i + 1, end)
    if (name === null || !(name in TITLE_VARIABLES)) throw new ConfigError('template format is invalid or contains unknown variables')
    expanded += TITLE_VARIABLES[name]
    i = end
  }
  if (expanded.trim() === '') throw new ConfigError('template format is invalid or contains unknown variables')
  return v
}

function oomScoreValues(v: string): string {
  const w = words(v)
  if (w.length !== 3) throw new ConfigError('wrong number of arguments')
  for (const x of w) {
    const n = strictInt(x)
    if (n === null || n < -2000n || n > 2000n) throw new ConfigError('Invalid oom-score-adj-values')
  }
  return w.join(' ')
}

const EVENT_CLASSES = 'g$lshzxetd'

/** notify-keyspace-events, written back in Redis's canonical order ("KEA" is "AKE"). */
function keyspaceEvents(v: string): string {
  const set = new Set<string>()
  for (const ch of v) {
    if (ch === 'A') for (const c of EVENT_CLASSES) set.add(c)
    else if ('g$lshzxeKEtmdn'.includes(ch)) set.add(ch)
    else throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
  }
  let out = ''
  if ([...EVENT_CLASSES].every((c) => set.has(c))) out = 'A'
  else {
    for (const c of EVENT_CLASSES) if (set.has(c)) out += c
    if (set.has('n')) out += 'n'
  }
  for (const c of 'KEm') if (set.has(c)) out += c
  return out
}

const OUTPUT_CLASSES = ['normal', 'slave', 'pubsub'] as const

/** Classes given are replaced; the others keep their limits, as in Redis. */
function outputBufferLimits(current: string): (v: string) => string {
  return (v) => {
    const w = words(v)
    if (w.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.')
    const limits = new Map<string, string[]>()
    const cur = words(current)
    for (let i = 0; i + 3 < cur.length; i += 4) limits.set(cur[i], cur.slice(i + 1, i + 4))
    for (let i = 0; i < w.length; i += 4) {
      let cls = w[i].toLowerCase()
      if (cls === 'replica') cls = 'slave'
      if (!(OUTPUT_CLASSES as readonly string[]).includes(cls)) {
        throw new ConfigError('Invalid client class specified in buffer limit configuration.')
      }
      const hard = parseMemoryValue(w[i + 1])
      const soft = parseMemoryValue(w[i + 2])
      const secs = /^\d+$/.test(w[i + 3]) ? BigInt(w[i + 3]) : null
      if (hard === null || soft === null || secs === null) {
        throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.')
      }
      limits.set(cls, [String(hard), String(soft), String(secs)])
    }
    return OUTPUT_CLASSES.map((c) => `${c} ${(limits.get(c) ?? ['0', '0', '0']).join(' ')}`).join(' ')
  }
}

const defs: ParamDef[] = [
  { name: 'acl-pubsub-default', kind: 'enum', default: 'resetchannels', values: ['allchannels', 'resetchannels'] },
  { name: 'aclfile', kind: 'string', default: '', immutable: true },
  { name: 'acllog-max-len', kind: 'int', default: '128', min: 0n, max: 9223372036854775807n },
  { name: 'active-defrag-cycle-max', kind: 'int', default: '25', min: 1n, max: 99n },
  { name: 'active-defrag-cycle-min', kind: 'int', default: '1', min: 1n, max: 99n },
  { name: 'active-defrag-ignore-bytes', kind: 'memory', default: '104857600', min: 1n },
  { name: 'active-defrag-max-scan-fields', kind: 'int', default: '1000', min: 1n, max: 9223372036854775807n },
  { name: 'active-defrag-threshold-lower', kind: 'int', default: '10', min: 0n, max: 1000n },
  { name: 'active-defrag-threshold-upper', kind: 'int', default: '100', min: 0n, max: 1000n },
  { name: 'active-expire-effort', kind: 'int', default: '1', min: 1n, max: 10n },
  { name: 'activedefrag', kind: 'bool', default: 'no', normalize: activeDefrag },
  { name: 'activerehashing', kind: 'bool', default: 'yes' },
  { name: 'always-show-logo', kind: 'bool', default: 'no', immutable: true },
  { name: 'aof-disable-auto-gc', kind: 'bool', default: 'no' },
  { name: 'aof-load-truncated', kind: 'bool', default: 'yes' },
  { name: 'aof-rewrite-incremental-fsync', kind: 'bool', default: 'yes' },
  { name: 'aof-timestamp-enabled', kind: 'bool', default: 'no' },
  { name: 'aof-use-rdb-preamble', kind: 'bool', default: 'yes' },
  { name: 'aof_rewrite_cpulist', kind: 'string', default: '', immutable: true },
  { name: 'appenddirname', kind: 'string', default: 'appendonlydir', immutable: true, normalize: fileName('appenddirname', 'dirname') },
  { name: 'appendfilename', kind: 'string', default: 'appendonly.aof', immutable: true, normalize: fileName('appendfilename', 'filename') },
  { name: 'appendfsync', kind: 'enum', default: 'everysec', values: ['everysec', 'always', 'no'] },
  { name: 'appendonly', kind: 'bool', default: 'no' },
  { name: 'auto-aof-rewrite-min-size', kind: 'memory', default: '67108864' },
  { name: 'auto-aof-rewrite-percentage', kind: 'int', default: '100', min: 0n, max: 2147483647n },
  { name: 'bgsave_cpulist', kind: 'string', default: '', immutable: true },
  { name: 'bind', kind: 'string', default: '127.0.0.1', normalize: bindValue, multiArg: true, listener: 'Failed to bind to specified addresses.' },
  { name: 'bind-source-addr', kind: 'string', default: '' },
  { name: 'bio_cpulist', kind: 'string', default: '', immutable: true },
  { name: 'busy-reply-threshold', kind: 'int', default: '5000', min: 0n, max: 9223372036854775807n, aliases: ['lua-time-limit'] },
  { name: 'client-output-buffer-limit', kind: 'string', default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', multiArg: true /* see Config.normalize */ },
  { name: 'client-query-buffer-limit', kind: 'memory', default: '1073741824', min: 1048576n },
  { name: 'cluster-allow-pubsubshard-when-down', kind: 'bool', default: 'yes' },
  { name: 'cluster-allow-reads-when-down', kind: 'bool', default: 'no' },
  { name: 'cluster-allow-replica-migration', kind: 'bool', default: 'yes' },
  { name: 'cluster-announce-bus-port', kind: 'int', default: '0', min: 0n, max: 65535n },
  { name: 'cluster-announce-hostname', kind: 'string', default: '', normalize: hostname },
  { name: 'cluster-announce-ip', kind: 'string', default: '' },
  { name: 'cluster-announce-port', kind: 'int', default: '0', min: 0n, max: 65535n },
  { name: 'cluster-announce-tls-port', kind: 'int', default: '0', min: 0n, max: 65535n },
  { name: 'cluster-config-file', kind: 'string', default: 'nodes.conf', immutable: true },
  { name: 'cluster-enabled', kind: 'bool', default: 'no', immutable: true },
  { name: 'cluster-link-sendbuf-limit', kind: 'memory', default: '0', max: U64 - 1n },
  { name: 'cluster-migration-barrier', kind: 'int', default: '1', min: 0n, max: 2147483647n },
  { name: 'cluster-node-timeout', kind: 'int', default: '15000', min: 0n, max: 9223372036854775807n },
  { name: 'cluster-port', kind: 'int', default: '0', min: 0n, max: 65535n, immutable: true },
  { name: 'cluster-preferred-endpoint-type', kind: 'enum', default: 'ip', values: ['ip', 'hostname', 'unknown-endpoint'] },
  { name: 'cluster-replica-no-failover', kind: 'bool', default: 'no', aliases: ['cluster-slave-no-failover'] },
  { name: 'cluster-replica-validity-factor', kind: 'int', default: '10', min: 0n, max: 2147483647n, aliases: ['cluster-slave-validity-factor'] },
  { name: 'cluster-require-full-coverage', kind: 'bool', default: 'yes' },
  { name: 'crash-log-enabled', kind: 'bool', default: 'yes' },
  { name: 'crash-memcheck-enabled', kind: 'bool', default: 'yes' },
  { name: 'daemonize', kind: 'bool', default: 'no', immutable: true },
  { name: 'databases', kind: 'int', default: '16', min: 1n, max: 2147483647n, immutable: true },
  { name: 'dbfilename', kind: 'string', default: 'dump.rdb', protected: true },
  { name: 'dir', kind: 'string', default: process.cwd(), protected: true },
  { name: 'disable-thp', kind: 'bool', default: 'yes', immutable: true },
  { name: 'dynamic-hz', kind: 'bool', default: 'yes' },
  { name: 'enable-debug-command', kind: 'enum', default: 'no', values: TRISTATE, immutable: true },
  { name: 'enable-module-command', kind: 'enum', default: 'no', values: TRISTATE, immutable: true },
  { name: 'enable-protected-configs', kind: 'enum', default: 'no', values: TRISTATE, immutable: true },
  { name: 'hash-max-listpack-entries', kind: 'int', default: '512', min: 0n, max: 9223372036854775807n, aliases: ['hash-max-ziplist-entries'] },
  { name: 'hash-max-listpack-value', kind: 'memory', default: '64', aliases: ['hash-max-ziplist-value'] },
  { name: 'hll-sparse-max-bytes', kind: 'memory', default: '3000' },
  { name: 'hz', kind: 'int', default: '10', min: 0n, max: 2147483647n, normalize: clampHz },
  { name: 'ignore-warnings', kind: 'string', default: '' },
  { name: 'io-threads', kind: 'int', default: '1', min: 1n, max: 128n, immutable: true },
  { name: 'io-threads-do-reads', kind: 'bool', default: 'no', immutable: true },
  { name: 'jemalloc-bg-thread', kind: 'bool', default: 'yes' },
  { name: 'latency-monitor-threshold', kind: 'int', default: '0', min: 0n, max: 9223372036854775807n },
  { name: 'latency-tracking', kind: 'bool', default: 'yes' },
  { name: 'latency-tracking-info-percentiles', kind: 'string', default: '50 99 99.9', normalize: percentiles, multiArg: true },
  { name: 'lazyfree-lazy-eviction', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-expire', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-server-del', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-user-del', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-user-flush', kind: 'bool', default: 'no' },
  { name: 'lfu-decay-time', kind: 'int', default: '1', min: 0n, max: 2147483647n },
  { name: 'lfu-log-factor', kind: 'int', default: '10', min: 0n, max: 2147483647n },
  { name: 'list-compress-depth', kind: 'int', default: '0', min: 0n, max: 2147483647n },
  { name: 'list-max-listpack-size', kind: 'int', default: '-2', min: -2147483648n, max: 2147483647n, aliases: ['list-max-ziplist-size'] },
  { name: 'logfile', kind: 'string', default: '', immutable: true },
  { name: 'loglevel', kind: 'enum', default: 'notice', values: ['debug', 'verbose', 'notice', 'warning'], hidden: ['nothing'] },
  { name: 'masterauth', kind: 'string', default: '' },
  { name: 'masteruser', kind: 'string', default: '' },
  { name: 'mini-port', kind: 'int', default: '-1', min: -1n, max: 65535n, immutable: true },
  // The memcached text-protocol front end (src/memcached): its port (-1: off) and
  // memcached's -I, the largest item a set may store.
  { name: 'memcached-port', kind: 'int', default: '-1', min: -1n, max: 65535n, immutable: true },
  { name: 'memcached-item-size-max', kind: 'memory', default: '1048576', min: 1024n, max: 1073741824n },
  { name: 'maxclients', kind: 'int', default: '10000', min: 1n, max: 4294967295n },
  { name: 'maxmemory', kind: 'memory', default: '0', max: U64 - 1n },
  { name: 'maxmemory-clients', kind: 'string', default: '0', normalize: memoryOrPercent },
  { name: 'maxmemory-eviction-tenacity', kind: 'int', default: '10', min: 0n, max: 100n },
  { name: 'maxmemory-policy', kind: 'enum', default: 'noeviction', values: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'] },
  { name: 'maxmemory-samples', kind: 'int', default: '5', min: 1n, max: 2147483647n },
  { name: 'min-replicas-max-lag', kind: 'int', default: '10', min: 0n, max: 2147483647n, aliases: ['min-slaves-max-lag'] },
  { name: 'min-replicas-to-write', kind: 'int', default: '0', min: 0n, max: 2147483647n, aliases: ['min-slaves-to-write'] },
  { name: 'no-appendfsync-on-rewrite', kind: 'bool', default: 'no' },
  { name: 'notify-keyspace-events', kind: 'string', default: '', normalize: keyspaceEvents },
  { name: 'oom-score-adj', kind: 'enum', default: 'no', values: ['no', 'yes', 'relative', 'absolute'] },
  { name: 'oom-score-adj-values', kind: 'string', default: '0 200 800', normalize: oomScoreValues, multiArg: true },
  { name: 'pidfile', kind: 'string', default: '', immutable: true },
  { name: 'port', kind: 'int', default: '6379', min: 0n, max: 65535n, listener: 'Unable to listen on this port' },
  { name: 'proc-title-template', kind: 'string', default: '{title} {listen-addr} {server-mode}', normalize: procTitle },
  { name: 'propagation-error-behavior', kind: 'enum', default: 'ignore', values: ['ignore', 'panic', 'panic-on-replicas'] },
  { name: 'protected-mode', kind: 'bool', default: 'yes' },
  { name: 'proto-max-bulk-len', kind: 'memory', default: '536870912', min: 1048576n },
  { name: 'rdb-del-sync-files', kind: 'bool', default: 'no' },
  { name: 'rdb-save-incremental-fsync', kind: 'bool', default: 'yes' },
  { name: 'rdbchecksum', kind: 'bool', default: 'yes', immutable: true },
  { name: 'rdbcompression', kind: 'bool', default: 'yes' },
  { name: 'repl-backlog-size', kind: 'memory', default: '1048576', min: 1n, normalize: (v) => (BigInt(v) < 16384n ? '16384' : v) },
  { name: 'repl-backlog-ttl', kind: 'int', default: '3600', min: 0n, max: 9223372036854775807n },
  { name: 'repl-disable-tcp-nodelay', kind: 'bool', default: 'no' },
  { name: 'repl-diskless-load', kind: 'enum', default: 'disabled', values: ['disabled', 'on-empty-db', 'swapdb'] },
  { name: 'repl-diskless-sync', kind: 'bool', default: 'yes' },
  { name: 'repl-diskless-sync-delay', kind: 'int', default: '5', min: 0n, max: 2147483647n },
  { name: 'repl-diskless-sync-max-replicas', kind: 'int', default: '0', min: 0n, max: 2147483647n },
  { name: 'repl-ping-replica-period', kind: 'int', default: '10', min: 1n, max: 2147483647n, aliases: ['repl-ping-slave-period'] },
  { name: 'repl-timeout', kind: 'int', default: '60', min: 1n, max: 2147483647n },
  { name: 'replica-announce-ip', kind: 'string', default: '', aliases: ['slave-announce-ip'] },
  { name: 'replica-announce-port', kind: 'int', default: '0', min: 0n, max: 65535n, aliases: ['slave-announce-port'] },
  { name: 'replica-announced', kind: 'bool', default: 'yes' },
  { name: 'replica-ignore-disk-write-errors', kind: 'bool', default: 'no' },
  { name: 'replica-ignore-maxmemory', kind: 'bool', default: 'yes', aliases: ['slave-ignore-maxmemory'] },
  { name: 'replica-lazy-flush', kind: 'bool', default: 'no', aliases: ['slave-lazy-flush'] },
  { name: 'replica-priority', kind: 'int', default: '100', min: 0n, max: 2147483647n, aliases: ['slave-priority'] },
  { name: 'replica-read-only', kind: 'bool', default: 'yes', aliases: ['slave-read-only'] },
  { name: 'replica-serve-stale-data', kind: 'bool', default: 'yes', aliases: ['slave-serve-stale-data'] },
  { name: 'replicaof', kind: 'string', default: '', immutable: true, aliases: ['slaveof'], normalize: replicaOf, multiArg: true },
  { name: 'requirepass', kind: 'string', default: '' },
  { name: 'sanitize-dump-payload', kind: 'enum', default: 'no', values: ['no', 'yes', 'clients'] },
  { name: 'save', kind: 'string', default: '', normalize: saveParams, multiArg: true },
  { name: 'server_cpulist', kind: 'string', default: '', immutable: true },
  { name: 'set-max-intset-entries', kind: 'int', default: '512', min: 0n, max: 9223372036854775807n },
  { name: 'set-proc-title', kind: 'bool', default: 'yes', immutable: true },
  { name: 'shutdown-on-sigint', kind: 'enum', default: 'default', values: ['default', 'save', 'nosave', 'now', 'force'] },
  { name: 'shutdown-on-sigterm', kind: 'enum', default: 'default', values: ['default', 'save', 'nosave', 'now', 'force'] },
  { name: 'shutdown-timeout', kind: 'int', default: '10', min: 0n, max: 2147483647n },
  { name: 'slowlog-log-slower-than', kind: 'int', default: '10000', min: -1n, max: 9223372036854775807n },
  { name: 'slowlog-max-len', kind: 'int', default: '128', min: 0n, max: 9223372036854775807n },
  { name: 'socket-mark-id', kind: 'int', default: '0', min: 0n, max: 4294967295n, immutable: true },
  { name: 'stop-writes-on-bgsave-error', kind: 'bool', default: 'yes' },
  { name: 'stream-node-max-bytes', kind: 'memory', default: '4096' },
  { name: 'stream-node-max-entries', kind: 'int', default: '100', min: 0n, max: 9223372036854775807n },
  { name: 'supervised', kind: 'enum', default: 'no', values: ['upstart', 'systemd', 'auto', 'no'], immutable: true },
  { name: 'syslog-enabled', kind: 'bool', default: 'no', immutable: true },
  { name: 'syslog-facility', kind: 'enum', default: 'local0', values: ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], immutable: true },
  { name: 'syslog-ident', kind: 'string', default: 'redis', immutable: true },
  { name: 'tcp-backlog', kind: 'int', default: '511', min: 0n, max: 2147483647n, immutable: true },
  { name: 'tcp-keepalive', kind: 'int', default: '300', min: 0n, max: 2147483647n },
  { name: 'timeout', kind: 'int', default: '0', min: 0n, max: 2147483647n },
  { name: 'tls-auth-clients', kind: 'enum', default: 'yes', values: ['no', 'yes', 'optional'] },
  { name: 'tls-ca-cert-dir', kind: 'string', default: '' },
  { name: 'tls-ca-cert-file', kind: 'string', default: '' },
  { name: 'tls-cert-file', kind: 'string', default: '' },
  { name: 'tls-ciphers', kind: 'string', default: '' },
  { name: 'tls-ciphersuites', kind: 'string', default: '' },
  { name: 'tls-client-cert-file', kind: 'string', default: '' },
  { name: 'tls-client-key-file', kind: 'string', default: '' },
  { name: 'tls-client-key-file-pass', kind: 'string', default: '' },
  { name: 'tls-cluster', kind: 'bool', default: 'no', listener: NO_TLS },
  { name: 'tls-dh-params-file', kind: 'string', default: '' },
  { name: 'tls-key-file', kind: 'string', default: '' },
  { name: 'tls-key-file-pass', kind: 'string', default: '' },
  { name: 'tls-port', kind: 'int', default: '0', min: 0n, max: 65535n, listener: NO_TLS },
  { name: 'tls-prefer-server-ciphers', kind: 'bool', default: 'no' },
  { name: 'tls-protocols', kind: 'string', default: '' },
  { name: 'tls-replication', kind: 'bool', default: 'no', listener: NO_TLS },
  { name: 'tls-session-cache-size', kind: 'int', default: '20480', min: 0n, max: 2147483647n },
  { name: 'tls-session-cache-timeout', kind: 'int', default: '300', min: 0n, max: 2147483647n },
  { name: 'tls-session-caching', kind: 'bool', default: 'yes' },
  { name: 'tracking-table-max-keys', kind: 'int', default: '1000000', min: 0n, max: 9223372036854775807n },
  { name: 'unixsocket', kind: 'string', default: '', immutable: true },
  { name: 'unixsocketperm', kind: 'string', default: '0', immutable: true, normalize: octalPerm },
  { name: 'zset-max-listpack-entries', kind: 'int', default: '128', min: 0n, max: 9223372036854775807n, aliases: ['zset-max-ziplist-entries'] },
  { name: 'zset-max-listpack-value', kind: 'memory', default: '64', aliases: ['zset-max-ziplist-value'] },
  // Redis's hidden parameters (testing and debugging knobs), by exact name only.
  { name: 'key-load-delay', kind: 'int', default: '0', min: -2147483648n, max: 2147483647n, unlisted: true },
  { name: 'loading-process-events-interval-bytes', kind: 'int', default: '2097152', min: 1024n, max: 2147483647n, unlisted: true },
  { name: 'lua-enable-deprecated-api', kind: 'bool', default: 'no', immutable: true, unlisted: true },
  { name: 'rdb-key-save-delay', kind: 'int', default: '0', min: -2147483648n, max: 2147483647n, unlisted: true },
  { name: 'use-exit-on-panic', kind: 'bool', default: 'no', unlisted: true },
  // The software watchdog runs at 200 ms at the least.
  { name: 'watchdog-period', kind: 'int', default: '0', min: 0n, max: 2147483647n, unlisted: true, normalize: (v) => (v !== '0' && Number(v) < 200 ? '200' : v) },
]

export class Config {
  static readonly defs: readonly ParamDef[] = defs
  private readonly byName = new Map<string, ParamDef>()
  private readonly values = new Map<string, string>()
  /**
   * Values as last given, where the canonical form loses something the server still
   * uses: Redis writes notify-keyspace-events "AKEn" back as "AKE", yet sends "new".
   */
  private readonly given = new Map<string, string>()
  /** Called after each successful change, so the server can apply it live. */
  onChange: ((name: string, value: string) => void) | null = null

  constructor() {
    for (const d of defs) {
      this.byName.set(d.name, d)
      for (const a of d.aliases ?? []) this.byName.set(a, d)
      this.values.set(d.name, d.default)
    }
  }

  def(name: string): ParamDef | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase())
  }

  get(name: string): string {
    const d = this.def(name)
    if (d === undefined) throw new ConfigError(`unknown parameter ${name}`)
    return this.values.get(d.name)!
  }

  int(name: string): number {
    return Number(this.get(name))
  }

  /** The value as last set, before normalising (see `given`); the default until then. */
  asGiven(name: string): string {
    const d = this.def(name)
    if (d === undefined) throw new ConfigError(`unknown parameter ${name}`)
    return this.given.get(d.name) ?? this.values.get(d.name)!
  }

  /** Every name `CONFIG GET *` reports, aliases included, with its value (hidden ones left out). */
  *entries(): IterableIterator<[string, string]> {
    for (const d of defs) {
      if (d.unlisted) continue
      yield [d.name, this.values.get(d.name)!]
      for (const a of d.aliases ?? []) yield [a, this.values.get(d.name)!]
    }
  }

  /**
   * Validates and stores one value. `startup` allows immutable parameters (CLI and
   * config file). Throws ConfigError with the reason Redis would give.
   */
  set(name: string, raw: string, startup = false): void {
    const d = this.def(name)
    if (d === undefined) throw new ConfigError(`Unknown option or number of arguments for CONFIG SET - '${name}'`)
    if (!startup && d.immutable) throw new ConfigError(`can't set immutable config`)
    if (!startup && d.protected) throw new ConfigError(`can't set protected config`)
    const value = this.normalize(d, raw)
    this.values.set(d.name, value)
    this.given.set(d.name, raw)
    this.onChange?.(d.name, value)
  }

  /**
   * CONFIG SET's all-or-nothing update of several parameters. Names are checked
   * first, then values; a ConfigSetError names the argument at fault (as sent).
   */
  setMany(pairs: readonly [string, string][]): void {
    // Redis tells entries apart by the name given, so an alias and its target may both appear.
    const seen = new Set<string>()
    const targets: ParamDef[] = []
    for (const [name] of pairs) {
      const d = this.def(name)
      if (d === undefined) throw new ConfigError(`Unknown option or number of arguments for CONFIG SET - '${name}'`)
      if (d.immutable) throw new ConfigSetError(name, `can't set immutable config`)
      if (d.protected) throw new ConfigSetError(name, `can't set protected config`)
      const key = name.toLowerCase()
      if (seen.has(key)) throw new ConfigSetError(name, 'duplicate parameter')
      seen.add(key)
      targets.push(d)
    }
    const staged = new Map<ParamDef, string>()
    const raw = new Map<ParamDef, string>()
    for (let i = 0; i < pairs.length; i++) {
      const d = targets[i]
      try {
        const value = this.normalize(d, pairs[i][1], staged.get(d))
        if (d.listener !== undefined && value !== this.values.get(d.name)) throw new ConfigError(d.listener)
        staged.set(d, value)
        raw.set(d, pairs[i][1])
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigSetError(pairs[i][0], e.message)
        throw e
      }
    }
    for (const [d, value] of staged) {
      this.values.set(d.name, value)
      this.given.set(d.name, raw.get(d)!)
      this.onChange?.(d.name, value)
    }
  }

  private normalize(d: ParamDef, raw: string, pending?: string): string {
    switch (d.kind) {
      case 'bool': {
        const v = raw.toLowerCase()
        if (v !== 'yes' && v !== 'no') throw new ConfigError(`argument must be 'yes' or 'no'`)
        return d.normalize ? d.normalize(v) : v
      }
      case 'enum': {
        const v = raw.toLowerCase()
        if (!d.values!.includes(v) && !d.hidden?.includes(v)) {
          throw new ConfigError(`argument(s) must be one of the following: ${d.values!.join(', ')}`)
        }
        return v
      }
      case 'int':
      case 'memory': {
        const n = d.kind === 'memory' ? parseMemoryValue(raw) : strictInt(raw)
        if (n === null) throw new ConfigError(d.kind === 'memory' ? 'argument must be a memory value' : `argument couldn't be parsed into an integer`)
        const min = d.min ?? 0n
        const max = d.max ?? INT64_MAX
        if (n < min || n > max) throw new ConfigError(`argument must be between ${min} and ${max} inclusive`)
        return d.normalize ? d.normalize(String(n)) : String(n)
      }
      default:
        if (d.name === 'client-output-buffer-limit') return outputBufferLimits(pending ?? this.values.get(d.name)!)(raw)
        return d.normalize ? d.normalize(raw) : raw
    }
  }
}

/** A CONFIG SET failure tied to one argument: "CONFIG SET failed (possibly related to argument 'x') - why". */
export class ConfigSetError extends ConfigError {
  constructor(
    readonly argument: string,
    readonly reason: string,
  ) {
    super(`CONFIG SET failed (possibly related to argument '${argument}') - ${reason}`)
  }
}
