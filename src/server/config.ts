/**
 * Server settings under Redis's names, as set by the CLI, a redis.conf-style file and
 * CONFIG SET. Each parameter knows its default, how to validate a new value, and
 * whether it can change at run time. Redis's encoding-tuning knobs are accepted and
 * reported back even though respite has no such encodings, because tools set them.
 */

export type ParamKind = 'string' | 'int' | 'memory' | 'bool' | 'enum'

export interface ParamDef {
  name: string
  kind: ParamKind
  default: string
  /** For enums: the accepted values. */
  values?: string[]
  min?: number
  max?: number
  /** Cannot be changed by CONFIG SET. */
  immutable?: boolean
  aliases?: string[]
}

const MB = 1024 * 1024

const defs: ParamDef[] = [
  { name: 'port', kind: 'int', default: '6379', min: 0, max: 65535, immutable: true },
  { name: 'bind', kind: 'string', default: '127.0.0.1', immutable: true },
  { name: 'mini-port', kind: 'int', default: '-1', min: -1, max: 65535, immutable: true },
  { name: 'maxclients', kind: 'int', default: '10000', min: 1, max: 1_000_000 },
  { name: 'timeout', kind: 'int', default: '0', min: 0, max: 2_147_483_647 },
  { name: 'databases', kind: 'int', default: '16', min: 1, max: 1_000_000, immutable: true },
  { name: 'requirepass', kind: 'string', default: '' },
  { name: 'save', kind: 'string', default: '' },
  { name: 'appendonly', kind: 'bool', default: 'no' },
  { name: 'appendfsync', kind: 'enum', default: 'everysec', values: ['always', 'everysec', 'no'] },
  { name: 'dir', kind: 'string', default: process.cwd() },
  { name: 'dbfilename', kind: 'string', default: 'dump.rdb' },
  { name: 'maxmemory', kind: 'memory', default: '0' },
  {
    name: 'maxmemory-policy',
    kind: 'enum',
    default: 'noeviction',
    values: ['volatile-lru', 'allkeys-lru', 'volatile-lfu', 'allkeys-lfu', 'volatile-random', 'allkeys-random', 'volatile-ttl', 'noeviction'],
  },
  { name: 'maxmemory-samples', kind: 'int', default: '5', min: 1, max: 64 },
  { name: 'proto-max-bulk-len', kind: 'memory', default: String(512 * MB), min: 1024 * 1024, max: Number.MAX_SAFE_INTEGER },
  { name: 'client-query-buffer-limit', kind: 'memory', default: String(1024 * MB), min: 1024 * 1024, max: Number.MAX_SAFE_INTEGER },
  { name: 'loglevel', kind: 'enum', default: 'notice', values: ['debug', 'verbose', 'notice', 'warning', 'nothing'] },
  { name: 'logfile', kind: 'string', default: '', immutable: true },
  { name: 'daemonize', kind: 'bool', default: 'no', immutable: true },
  { name: 'protected-mode', kind: 'bool', default: 'yes' },
  { name: 'tcp-backlog', kind: 'int', default: '511', immutable: true },
  { name: 'tcp-keepalive', kind: 'int', default: '300', min: 0 },
  { name: 'hz', kind: 'int', default: '10', min: 1, max: 500 },
  { name: 'lazyfree-lazy-user-del', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-user-flush', kind: 'bool', default: 'no' },
  { name: 'notify-keyspace-events', kind: 'string', default: '' },
  { name: 'slowlog-log-slower-than', kind: 'int', default: '10000', min: -1 },
  { name: 'slowlog-max-len', kind: 'int', default: '128', min: 0 },
  { name: 'latency-tracking', kind: 'bool', default: 'yes' },
  { name: 'lua-time-limit', kind: 'int', default: '5000', aliases: ['busy-reply-threshold'] },
  { name: 'client-output-buffer-limit', kind: 'string', default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60' },
  { name: 'list-max-listpack-size', kind: 'int', default: '-2', aliases: ['list-max-ziplist-size'] },
  { name: 'list-compress-depth', kind: 'int', default: '0', min: 0 },
  { name: 'hash-max-listpack-entries', kind: 'int', default: '128', min: 0, aliases: ['hash-max-ziplist-entries'] },
  { name: 'hash-max-listpack-value', kind: 'int', default: '64', min: 0, aliases: ['hash-max-ziplist-value'] },
  { name: 'set-max-intset-entries', kind: 'int', default: '512', min: 0 },
  { name: 'zset-max-listpack-entries', kind: 'int', default: '128', min: 0, aliases: ['zset-max-ziplist-entries'] },
  { name: 'zset-max-listpack-value', kind: 'int', default: '64', min: 0, aliases: ['zset-max-ziplist-value'] },
  { name: 'stream-node-max-bytes', kind: 'memory', default: '4096' },
  { name: 'stream-node-max-entries', kind: 'int', default: '100' },
  { name: 'activerehashing', kind: 'bool', default: 'yes' },
  { name: 'active-expire-effort', kind: 'int', default: '1', min: 1, max: 10 },
  { name: 'replica-read-only', kind: 'bool', default: 'yes', aliases: ['slave-read-only'] },
  { name: 'cluster-enabled', kind: 'bool', default: 'no', immutable: true },
]

export class ConfigError extends Error {}

export class Config {
  static readonly defs: readonly ParamDef[] = defs
  private readonly byName = new Map<string, ParamDef>()
  private readonly values = new Map<string, string>()
  /** Called after a successful set, so the server can apply live changes. */
  onChange: ((name: string, value: string) => void) | null = null

  constructor() {
    for (const d of defs) {
      this.byName.set(d.name, d)
      for (const a of d.aliases ?? []) this.byName.set(a, d)
      this.values.set(d.name, d.default)
    }
  }

  def(name: string): ParamDef | undefined {
    return this.byName.get(name.toLowerCase())
  }

  get(name: string): string {
    const d = this.def(name)
    if (d === undefined) throw new ConfigError(`unknown parameter ${name}`)
    return this.values.get(d.name)!
  }

  int(name: string): number {
    return Number(this.get(name))
  }

  /** Canonical names and values, for CONFIG GET (aliases are listed under their own name). */
  *entries(): IterableIterator<[string, string]> {
    for (const d of defs) {
      yield [d.name, this.values.get(d.name)!]
      for (const a of d.aliases ?? []) yield [a, this.values.get(d.name)!]
    }
  }

  /**
   * Validates and stores a value. `startup` allows immutable parameters (CLI and config
   * file). Throws ConfigError with the reason Redis would give.
   */
  set(name: string, raw: string, startup = false): void {
    const d = this.def(name)
    if (d === undefined) throw new ConfigError(`Unknown option or number of arguments for CONFIG SET - '${name}'`)
    if (d.immutable && !startup) throw new ConfigError(`can't set immutable config`)
    const value = this.normalize(d, raw)
    this.values.set(d.name, value)
    this.onChange?.(d.name, value)
  }

  private normalize(d: ParamDef, raw: string): string {
    switch (d.kind) {
      case 'bool': {
        const v = raw.toLowerCase()
        if (v !== 'yes' && v !== 'no') throw new ConfigError(`argument must be 'yes' or 'no'`)
        return v
      }
      case 'enum': {
        const v = raw.toLowerCase()
        if (!d.values!.includes(v)) throw new ConfigError(`argument(s) must be one of the following: ${d.values!.join(', ')}`)
        return v
      }
      case 'int':
      case 'memory': {
        const n = d.kind === 'memory' ? parseMemory(raw) : /^-?\d+$/.test(raw) ? Number(raw) : NaN
        if (!Number.isFinite(n)) throw new ConfigError(d.kind === 'memory' ? 'argument must be a memory value' : 'argument couldn\'t be parsed into an integer')
        if ((d.min !== undefined && n < d.min) || (d.max !== undefined && n > d.max)) {
          throw new ConfigError(`argument must be between ${d.min ?? Number.MIN_SAFE_INTEGER} and ${d.max ?? Number.MAX_SAFE_INTEGER} inclusive`)
        }
        return String(n)
      }
      default:
        return raw
    }
  }
}

/** Redis memory units: 1k = 1000, 1kb = 1024, and so on. */
export function parseMemory(raw: string): number {
  const m = /^(-?\d+)(k|kb|m|mb|g|gb)?$/i.exec(raw.trim())
  if (!m) return NaN
  const n = Number(m[1])
  const unit = (m[2] ?? '').toLowerCase()
  const mult: Record<string, number> = { '': 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 }
  return n * mult[unit]
}

/**
 * Parses redis.conf text: one directive per line, `#` comments, arguments split with
 * the same quoting rules as inline commands.
 */
export function parseConfigFile(text: string, split: (line: string) => string[] | null): [string, string][] {
  const out: [string, string][] = []
  for (const [i, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const args = split(line)
    if (args === null || args.length === 0) throw new ConfigError(`line ${i + 1}: unbalanced quotes`)
    out.push([args[0].toLowerCase(), args.slice(1).join(' ')])
  }
  return out
}
