import { randomBytes } from 'node:crypto'
import os from 'node:os'
import type { CommandSpec } from '../commands/spec.js'
import { REDIS_VERSION, RESPITE_VERSION, type Server } from './server.js'
import { infoLines as memcachedInfoLines } from '../memcached/stats.js'

/**
 * The INFO text: Redis 7.0's sections and field names, so monitoring tools and
 * client libraries that parse it find what they expect. Figures Redis gets from its
 * allocator or fork machinery come from Node's process stats or are constant where
 * respite has no such thing (no RDB child, no replicas).
 */

const SECTIONS = [
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules',
  'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace',
] as const
type Section = (typeof SECTIONS)[number]

const DEFAULT_SECTIONS = new Set<Section>([
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules',
  'errorstats', 'cluster', 'keyspace',
])

/** Per-server figures INFO keeps between calls. */
interface InfoState {
  runId: string
  replId: string
  peakMemory: number
  /** Command totals seen by INFO calls, for instantaneous_ops_per_sec. */
  samples: { at: number; commands: number }[]
  /** Subtracted from live counters after CONFIG RESETSTAT. */
  errorBase: number
  hitsBase: number
  missesBase: number
  expiredBase: number
}

const states = new WeakMap<Server, InfoState>()

function state(server: Server): InfoState {
  let s = states.get(server)
  if (s === undefined) {
    s = {
      runId: randomBytes(20).toString('hex'),
      replId: randomBytes(20).toString('hex'),
      peakMemory: 0,
      samples: [],
      errorBase: 0,
      hitsBase: 0,
      missesBase: 0,
      expiredBase: 0,
    }
    states.set(server, s)
  }
  return s
}

/** Which sections `INFO [section ...]` asks for, in Redis's fixed output order. */
export function selectSections(args: readonly string[]): Section[] {
  if (args.length === 0) return SECTIONS.filter((s) => DEFAULT_SECTIONS.has(s))
  const wanted = new Set<Section>()
  for (const raw of args) {
    const a = raw.toLowerCase()
    if (a === 'all' || a === 'everything') for (const s of SECTIONS) wanted.add(s)
    else if (a === 'default') for (const s of DEFAULT_SECTIONS) wanted.add(s)
    else if ((SECTIONS as readonly string[]).includes(a)) wanted.add(a as Section)
  }
  return SECTIONS.filter((s) => wanted.has(s))
}

function totalCommands(server: Server): number {
  let n = 0
  for (const spec of server.table.commands) {
    n += spec.stats!.calls
    for (const sub of spec.subcommands ?? []) n += sub.stats!.calls
  }
  return n
}

function totalErrors(server: Server): number {
  let n = server.stats.errorReplies
  for (const c of server.clients.values()) n += c.out.errors
  return n
}

function keyspaceTotals(server: Server): { hits: number; misses: number; expired: number } {
  let hits = 0
  let misses = 0
  let expired = 0
  for (const db of server.store.dbs) {
    hits += db.hits
    misses += db.misses
    expired += db.expiredKeys
  }
  return { hits, misses, expired }
}

/** CONFIG RESETSTAT: counters restart from zero. */
export function resetStats(server: Server): void {
  const s = state(server)
  for (const spec of server.table.commands) {
    for (const x of [spec, ...(spec.subcommands ?? [])]) {
      const st = x.stats!
      st.calls = 0
      st.usec = 0
      st.rejected = 0
      st.failed = 0
    }
  }
  s.errorBase = totalErrors(server)
  const ks = keyspaceTotals(server)
  s.hitsBase = ks.hits
  s.missesBase = ks.misses
  s.expiredBase = ks.expired
  s.samples = []
  s.peakMemory = 0
  server.errorCodes.clear()
  server.stats.totalConnections = 0
  server.stats.rejectedConnections = 0
  server.stats.totalNetInput = 0
  server.stats.totalNetOutput = 0
}

/** Ops per second over the last second or so of INFO calls (Redis samples in its cron). */
function opsPerSec(s: InfoState, commands: number): number {
  const now = Date.now()
  const samples = s.samples
  while (samples.length > 0 && now - samples[0].at > 5000) samples.shift()
  let rate = 0
  for (let i = samples.length - 1; i >= 0; i--) {
    const dt = now - samples[i].at
    if (dt >= 100) {
      rate = Math.round(((commands - samples[i].commands) * 1000) / dt)
      break
    }
  }
  if (samples.length === 0 || now - samples[samples.length - 1].at >= 100) samples.push({ at: now, commands })
  return Math.max(0, rate)
}

/** Redis's bytesToHuman: B, K, M, G... with two decimals. */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n}B`
  const units = ['K', 'M', 'G', 'T', 'P', 'E']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(2)}${units[i]}`
}

/**
 * `running` is the INFO call itself: the dispatcher counts a call before running it,
 * Redis after, so it is left out to report what Redis would.
 */
export function buildInfo(server: Server, sections: readonly Section[], running: CommandSpec | null = null): string {
  const parts: string[] = []
  if (running !== null) running.stats!.calls--
  try {
    for (const section of sections) parts.push(render(server, section))
  } finally {
    if (running !== null) running.stats!.calls++
  }
  return parts.join('\r\n')
}

function render(server: Server, section: Section): string {
  const lines = sectionLines(server, section)
  let text = `# ${SECTION_TITLES[section]}\r\n`
  for (const line of lines) text += line + '\r\n'
  return text
}

const SECTION_TITLES: Record<Section, string> = {
  server: 'Server',
  clients: 'Clients',
  memory: 'Memory',
  persistence: 'Persistence',
  stats: 'Stats',
  replication: 'Replication',
  cpu: 'CPU',
  modules: 'Modules',
  commandstats: 'Commandstats',
  errorstats: 'Errorstats',
  latencystats: 'Latencystats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
}

/** The script cache and function libraries, without starting the Lua state for INFO. */
function scriptMemory(server: Server): { evalBytes: number; cached: number; functions: number; libraries: number; functionBytes: number } {
  const scripting = server.scriptingIfStarted
  const functions = scripting?.functionsIfLoaded
  return {
    evalBytes: scripting?.cachedBytes ?? 0,
    cached: scripting?.size ?? 0,
    functions: functions?.functionCount ?? 0,
    libraries: functions?.libraryCount ?? 0,
    // Code plus Redis's order of overhead per library and per function.
    functionBytes: functions === undefined ? 0 : functions.codeBytes + 200 * functions.libraryCount + 100 * functions.functionCount,
  }
}

function sectionLines(server: Server, section: Section): string[] {
  const s = state(server)
  const config = server.config
  const now = Date.now()
  switch (section) {
    case 'server': {
      const uptime = Math.floor((now - server.stats.startTime) / 1000)
      const hz = config.int('hz')
      return [
        `redis_version:${REDIS_VERSION}`,
        `respite_version:${RESPITE_VERSION}`,
        'redis_git_sha1:00000000',
        'redis_git_dirty:0',
        'redis_build_id:0',
        'redis_mode:standalone',
        `os:${os.type()} ${os.release()} ${os.machine?.() ?? process.arch}`,
        'arch_bits:64',
        'monotonic_clock:POSIX clock_gettime',
        'multiplexing_api:epoll',
        'atomicvar_api:c11-builtin',
        'gcc_version:0.0.0',
        `node_version:${process.versions.node}`,
        `process_id:${process.pid}`,
        'process_supervised:no',
        `run_id:${s.runId}`,
        `tcp_port:${server.port}`,
        `server_time_usec:${Math.floor((performance.timeOrigin + performance.now()) * 1000)}`,
        `uptime_in_seconds:${uptime}`,
        `uptime_in_days:${Math.floor(uptime / 86400)}`,
        `hz:${hz}`,
        `configured_hz:${hz}`,
        `lru_clock:${Math.floor(now / 1000) & 0xffffff}`,
        `executable:${process.argv[1] ?? process.execPath}`,
        'config_file:',
        'io_threads_active:0',
      ]
    }
    case 'clients': {
      let maxIn = 0
      let maxOut = 0
      for (const c of server.clients.values()) {
        maxIn = Math.max(maxIn, c.decoder.buffered)
        maxOut = Math.max(maxOut, c.out.pos)
      }
      return [
        `connected_clients:${server.clients.size}`,
        'cluster_connections:0',
        `maxclients:${config.get('maxclients')}`,
        `client_recent_max_input_buffer:${maxIn}`,
        `client_recent_max_output_buffer:${maxOut}`,
        // Clients held by CLIENT PAUSE count as blocked, as in Redis 7.0.
        `blocked_clients:${server.blocking.count + server.pause.count}`,
        `tracking_clients:${server.tracking.clients}`,
        `clients_in_timeout_table:${server.blocking.count}`,
      ]
    }
    case 'memory': {
      const mem = process.memoryUsage()
      const used = Math.round(server.memory.sample())
      s.peakMemory = Math.max(s.peakMemory, used)
      const maxmemory = config.int('maxmemory')
      const total = os.totalmem()
      const scripting = server.scriptingIfStarted
      const vmEval = scripting?.compiledBytes ?? 0
      const scripts = scriptMemory(server)
      return [
        `used_memory:${used}`,
        `used_memory_human:${humanBytes(used)}`,
        `used_memory_rss:${mem.rss}`,
        `used_memory_rss_human:${humanBytes(mem.rss)}`,
        `used_memory_peak:${s.peakMemory}`,
        `used_memory_peak_human:${humanBytes(s.peakMemory)}`,
        `used_memory_peak_perc:${((used * 100) / s.peakMemory).toFixed(2)}%`,
        `used_memory_overhead:${mem.heapTotal - mem.heapUsed}`,
        `used_memory_startup:0`,
        `used_memory_dataset:${mem.heapUsed}`,
        `used_memory_dataset_perc:${((mem.heapUsed * 100) / Math.max(1, used)).toFixed(2)}%`,
        `allocator_allocated:${mem.heapUsed}`,
        `allocator_active:${mem.heapTotal}`,
        `allocator_resident:${mem.rss}`,
        `total_system_memory:${total}`,
        `total_system_memory_human:${humanBytes(total)}`,
        `used_memory_lua:${vmEval}`,
        `used_memory_vm_eval:${vmEval}`,
        `used_memory_lua_human:${humanBytes(vmEval)}`,
        `used_memory_scripts_eval:${scripts.evalBytes}`,
        `number_of_cached_scripts:${scripts.cached}`,
        `number_of_functions:${scripts.functions}`,
        `number_of_libraries:${scripts.libraries}`,
        'used_memory_vm_functions:0',
        `used_memory_vm_total:${vmEval}`,
        `used_memory_vm_total_human:${humanBytes(vmEval)}`,
        `used_memory_functions:${scripts.functionBytes}`,
        `used_memory_scripts:${scripts.evalBytes + scripts.functionBytes}`,
        `used_memory_scripts_human:${humanBytes(scripts.evalBytes + scripts.functionBytes)}`,
        `maxmemory:${maxmemory}`,
        `maxmemory_human:${humanBytes(maxmemory)}`,
        `maxmemory_policy:${config.get('maxmemory-policy')}`,
        `allocator_frag_ratio:${(mem.heapTotal / Math.max(1, mem.heapUsed)).toFixed(2)}`,
        `allocator_frag_bytes:${mem.heapTotal - mem.heapUsed}`,
        `allocator_rss_ratio:${(mem.rss / Math.max(1, mem.heapTotal)).toFixed(2)}`,
        `allocator_rss_bytes:${mem.rss - mem.heapTotal}`,
        'rss_overhead_ratio:1.00',
        'rss_overhead_bytes:0',
        `mem_fragmentation_ratio:${(mem.rss / Math.max(1, used)).toFixed(2)}`,
        `mem_fragmentation_bytes:${mem.rss - used}`,
        'mem_not_counted_for_evict:0',
        'mem_replication_backlog:0',
        'mem_total_replication_buffers:0',
        'mem_clients_slaves:0',
        'mem_clients_normal:0',
        'mem_cluster_links:0',
        'mem_aof_buffer:0',
        'mem_allocator:libc',
        'active_defrag_running:0',
        'lazyfree_pending_objects:0',
        'lazyfreed_objects:0',
      ]
    }
    case 'persistence': {
      const snap = server.snapshots
      // The one background job (a BGSAVE or an AOF rewrite), as Redis has one child.
      const job = snap.background ?? server.aof?.rewriteSave ?? null
      const bg = snap.background
      return [
        `loading:${server.loading === null ? 0 : 1}`,
        'async_loading:0',
        `current_cow_peak:${job === null ? 0 : job.cowBytes}`,
        `current_cow_size:${job === null ? 0 : job.cowBytes}`,
        'current_cow_size_age:0',
        'current_fork_perc:0.00',
        `current_save_keys_processed:${job === null ? 0 : job.keysWritten}`,
        `current_save_keys_total:${job === null ? 0 : job.keysTotal}`,
        `rdb_changes_since_last_save:${snap.changesSinceSave}`,
        `rdb_bgsave_in_progress:${bg === null ? 0 : 1}`,
        `rdb_last_save_time:${snap.lastSave}`,
        `rdb_last_bgsave_status:${snap.lastBgsaveOk ? 'ok' : 'err'}`,
        `rdb_last_bgsave_time_sec:${snap.lastBgsaveSeconds}`,
        `rdb_current_bgsave_time_sec:${bg === null ? -1 : Math.floor(Date.now() / 1000) - Math.floor(snap.backgroundStarted / 1000)}`,
        `rdb_saves:${snap.saves}`,
        `rdb_last_cow_size:${snap.lastCowBytes}`,
        `rdb_last_load_keys_expired:${snap.loadExpiredKeys}`,
        `rdb_last_load_keys_loaded:${snap.loadedKeys}`,
        ...aofFields(server),
        ...(server.loading === null ? [] : server.loading.info()),
      ]
    }
    case 'stats': {
      const commands = totalCommands(server)
      const ks = keyspaceTotals(server)
      const st = server.stats
      return [
        `total_connections_received:${st.totalConnections}`,
        `total_commands_processed:${commands}`,
        `instantaneous_ops_per_sec:${opsPerSec(s, commands)}`,
        `total_net_input_bytes:${st.totalNetInput}`,
        `total_net_output_bytes:${st.totalNetOutput}`,
        'total_net_repl_input_bytes:0',
        'total_net_repl_output_bytes:0',
        'instantaneous_input_kbps:0.00',
        'instantaneous_output_kbps:0.00',
        'instantaneous_input_repl_kbps:0.00',
        'instantaneous_output_repl_kbps:0.00',
        `rejected_connections:${st.rejectedConnections}`,
        'sync_full:0',
        'sync_partial_ok:0',
        'sync_partial_err:0',
        `expired_keys:${ks.expired - s.expiredBase}`,
        'expired_stale_perc:0.00',
        'expired_time_cap_reached_count:0',
        'expire_cycle_cpu_milliseconds:0',
        'evicted_keys:0',
        'evicted_clients:0',
        'total_eviction_exceeded_time:0',
        'current_eviction_exceeded_time:0',
        `keyspace_hits:${ks.hits - s.hitsBase}`,
        `keyspace_misses:${ks.misses - s.missesBase}`,
        'pubsub_channels:0',
        'pubsub_patterns:0',
        'pubsubshard_channels:0',
        'latest_fork_usec:0',
        'total_forks:0',
        'migrate_cached_sockets:0',
        'slave_expires_tracked_keys:0',
        'active_defrag_hits:0',
        'active_defrag_misses:0',
        'active_defrag_key_hits:0',
        'active_defrag_key_misses:0',
        'total_active_defrag_time:0',
        'current_active_defrag_time:0',
        `tracking_total_keys:${server.tracking.totalKeys}`,
        `tracking_total_items:${server.tracking.items}`,
        `tracking_total_prefixes:${server.tracking.totalPrefixes}`,
        'unexpected_error_replies:0',
        `total_error_replies:${totalErrors(server) - s.errorBase}`,
        'dump_payload_sanitizations:0',
        `total_reads_processed:${commands}`,
        `total_writes_processed:${commands}`,
        'io_threaded_reads_processed:0',
        'io_threaded_writes_processed:0',
        'reply_buffer_shrinks:0',
        'reply_buffer_expands:0',
        // The memcached front end's own counters, when it is on (memcached/stats.ts).
        ...(server.memcached === null ? [] : memcachedInfoLines(server.memcached)),
      ]
    }
    case 'replication':
      return [
        'role:master',
        'connected_slaves:0',
        'master_failover_state:no-failover',
        `master_replid:${s.replId}`,
        'master_replid2:0000000000000000000000000000000000000000',
        'master_repl_offset:0',
        'second_repl_offset:-1',
        'repl_backlog_active:0',
        'repl_backlog_size:1048576',
        'repl_backlog_first_byte_offset:0',
        'repl_backlog_histlen:0',
      ]
    case 'cpu': {
      const cpu = process.cpuUsage()
      const sys = (cpu.system / 1e6).toFixed(6)
      const user = (cpu.user / 1e6).toFixed(6)
      return [
        `used_cpu_sys:${sys}`,
        `used_cpu_user:${user}`,
        'used_cpu_sys_children:0.000000',
        'used_cpu_user_children:0.000000',
        `used_cpu_sys_main_thread:${sys}`,
        `used_cpu_user_main_thread:${user}`,
      ]
    }
    case 'commandstats': {
      const lines: string[] = []
      for (const spec of server.table.commands) {
        for (const x of [spec, ...(spec.subcommands ?? [])]) {
          const st = x.stats!
          if (st.calls === 0 && st.rejected === 0 && st.failed === 0) continue
          const perCall = st.calls === 0 ? 0 : st.usec / st.calls
          lines.push(`cmdstat_${x.fullName}:calls=${st.calls},usec=${Math.round(st.usec)},usec_per_call=${perCall.toFixed(2)},rejected_calls=${st.rejected},failed_calls=${st.failed}`)
        }
      }
      return lines
    }
    case 'keyspace': {
      const lines: string[] = []
      for (const db of server.store.dbs) {
        if (db.size === 0) continue
        lines.push(`db${db.index}:keys=${db.size},expires=${db.expires.size},avg_ttl=${averageTtl(db.expires.entries(), now)}`)
      }
      return lines
    }
    case 'cluster':
      return ['cluster_enabled:0']
    case 'errorstats':
      return [...server.errorCodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([code, n]) => `errorstat_${code}:count=${n}`)
    case 'modules':
    case 'latencystats':
      return []
  }
}

/** Estimated from a sample of volatile keys, as Redis estimates it during expiry. */
function averageTtl(entries: IterableIterator<[string, number]>, now: number): number {
  let sum = 0
  let n = 0
  for (const [, at] of entries) {
    if (at > now) {
      sum += at - now
      n++
    }
    if (n >= 64) break
  }
  return n === 0 ? 0 : Math.round(sum / n)
}

/** INFO persistence's AOF lines, Redis 7.0's: the sizes and buffers only while appendonly is on. */
function aofFields(server: Server): string[] {
  const aof = server.aof
  const on = aof !== null && aof.enabled
  const lines = [
    `aof_enabled:${on ? 1 : 0}`,
    `aof_rewrite_in_progress:${aof?.rewriteInProgress === true ? 1 : 0}`,
    `aof_rewrite_scheduled:${aof?.rewriteScheduled === true ? 1 : 0}`,
    `aof_last_rewrite_time_sec:${aof?.lastRewriteSeconds ?? -1}`,
    `aof_current_rewrite_time_sec:${aof?.rewriteInProgress === true ? Math.floor(Date.now() / 1000) - Math.floor(aof.rewriteStarted / 1000) : -1}`,
    `aof_last_bgrewrite_status:${aof === null || aof.lastRewriteOk ? 'ok' : 'err'}`,
    `aof_rewrites:${aof?.rewrites ?? 0}`,
    `aof_rewrites_consecutive_failures:${aof?.rewriteFailures ?? 0}`,
    `aof_last_write_status:${aof === null || aof.lastWriteOk ? 'ok' : 'err'}`,
    `aof_last_cow_size:${aof?.lastCowBytes ?? 0}`,
    'module_fork_in_progress:0',
    'module_fork_last_cow_size:0',
  ]
  // While the AOF loads, Redis shows its sizes already, though logging is not on yet.
  if (on || (aof !== null && server.loading !== null)) {
    lines.push(
      `aof_current_size:${aof.currentSize}`,
      `aof_base_size:${aof.baseSize}`,
      `aof_pending_rewrite:${aof.rewriteScheduled ? 1 : 0}`,
      `aof_buffer_length:${aof.bufferLength}`,
      `aof_pending_bio_fsync:${aof.pendingFsync ? 1 : 0}`,
      `aof_delayed_fsync:${aof.delayedFsyncs}`,
    )
  }
  return lines
}
