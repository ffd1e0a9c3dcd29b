import os from 'node:os'
import type { MemcachedFrontEnd } from './frontend.js'

/** The version memcached clients are told (they pick protocol features by it). */
export const MEMCACHED_VERSION = '1.6.18'

/** The front end's own counters, named as memcached's `stats` names them. */
export function newCounters() {
  return {
    cmd_get: 0,
    cmd_set: 0,
    cmd_flush: 0,
    cmd_touch: 0,
    cmd_meta: 0,
    get_hits: 0,
    get_misses: 0,
    get_expired: 0,
    get_flushed: 0,
    delete_misses: 0,
    delete_hits: 0,
    incr_misses: 0,
    incr_hits: 0,
    decr_misses: 0,
    decr_hits: 0,
    cas_misses: 0,
    cas_hits: 0,
    cas_badval: 0,
    touch_hits: 0,
    touch_misses: 0,
    store_too_large: 0,
    store_no_memory: 0,
    bytes_read: 0,
    bytes_written: 0,
    total_connections: 0,
    rejected_connections: 0,
    /** Items stored through memcached since start (memcached's total_items). */
    total_items: 0,
  }
}

export type Counters = ReturnType<typeof newCounters>

/**
 * Bytes held by database 0's string values and keys: memcached's `bytes`, computed
 * on demand (stats is rare) rather than kept on every write of the shared keyspace.
 */
function keyspaceBytes(front: MemcachedFrontEnd): { items: number; bytes: number } {
  let items = 0
  let bytes = 0
  const db = front.items.db
  for (const [key, value] of db.keys.entries()) {
    items++
    bytes += key.length + (typeof value === 'string' ? value.length : 64) + 58
  }
  return { items, bytes }
}

/** `stats` with no argument: memcached's general statistics, in its order. */
export function generalStats(front: MemcachedFrontEnd): [string, string | number][] {
  const server = front.server
  const c = front.counters
  const now = Date.now()
  const usage = process.resourceUsage()
  const { items, bytes } = keyspaceBytes(front)
  const maxmemory = server.config.int('maxmemory')
  return [
    ['pid', process.pid],
    ['uptime', Math.floor((now - front.startedAt) / 1000)],
    ['time', Math.floor(now / 1000)],
    ['version', MEMCACHED_VERSION],
    ['libevent', 'node-' + process.versions.uv],
    ['pointer_size', 64],
    ['rusage_user', (usage.userCPUTime / 1e6).toFixed(6)],
    ['rusage_system', (usage.systemCPUTime / 1e6).toFixed(6)],
    ['max_connections', server.config.int('maxclients')],
    ['curr_connections', front.connections.size],
    ['total_connections', c.total_connections],
    ['rejected_connections', c.rejected_connections],
    ['connection_structures', front.connections.size],
    ['cmd_get', c.cmd_get],
    ['cmd_set', c.cmd_set],
    ['cmd_flush', c.cmd_flush],
    ['cmd_touch', c.cmd_touch],
    ['cmd_meta', c.cmd_meta],
    ['get_hits', c.get_hits],
    ['get_misses', c.get_misses],
    ['get_expired', c.get_expired],
    ['get_flushed', c.get_flushed],
    ['delete_misses', c.delete_misses],
    ['delete_hits', c.delete_hits],
    ['incr_misses', c.incr_misses],
    ['incr_hits', c.incr_hits],
    ['decr_misses', c.decr_misses],
    ['decr_hits', c.decr_hits],
    ['cas_misses', c.cas_misses],
    ['cas_hits', c.cas_hits],
    ['cas_badval', c.cas_badval],
    ['touch_hits', c.touch_hits],
    ['touch_misses', c.touch_misses],
    ['store_too_large', c.store_too_large],
    ['store_no_memory', c.store_no_memory],
    ['auth_cmds', 0],
    ['auth_errors', 0],
    ['bytes_read', c.bytes_read],
    ['bytes_written', c.bytes_written],
    ['limit_maxbytes', maxmemory > 0 ? maxmemory : 64 * 1024 * 1024],
    ['accepting_conns', 1],
    ['listen_disabled_num', 0],
    ['time_in_listen_disabled_us', 0],
    // One event loop serves every connection.
    ['threads', 1],
    ['conn_yields', 0],
    ['hash_power_level', 16],
    ['hash_bytes', 524288],
    ['hash_is_expanding', 0],
    ['expired_unfetched', 0],
    ['evicted_unfetched', 0],
    ['evicted_active', 0],
    // Shared with the Redis side: the keyspace's own figures.
    ['bytes', bytes],
    ['curr_items', items],
    ['total_items', c.total_items],
    ['expired_keys', front.items.db.expiredKeys],
    ['evictions', 0],
    ['reclaimed', 0],
    ['redis_connections', server.clients.size],
    ['redis_port', server.port],
  ]
}

export function settingsStats(front: MemcachedFrontEnd): [string, string | number][] {
  const config = front.server.config
  const maxmemory = config.int('maxmemory')
  return [
    ['maxbytes', maxmemory > 0 ? maxmemory : 64 * 1024 * 1024],
    ['maxconns', config.int('maxclients')],
    ['tcpport', front.port],
    ['udpport', 0],
    ['inter', config.get('bind').split(/\s+/)[0] ?? 'NULL'],
    ['verbosity', front.verbosity],
    ['oldest', 0],
    ['evictions', 'off'],
    ['domain_socket', 'NULL'],
    ['umask', 700],
    ['shutdown_command', 'no'],
    ['growth_factor', '1.25'],
    ['chunk_size', 48],
    ['num_threads', 1],
    ['num_threads_per_udp', 1],
    ['stat_key_prefix', ':'],
    ['detail_enabled', 'no'],
    ['reqs_per_event', 20],
    ['cas_enabled', 'yes'],
    ['tcp_backlog', config.int('tcp-backlog')],
    ['binding_protocol', 'ascii'],
    ['auth_enabled_sasl', 'no'],
    ['auth_enabled_ascii', 'no'],
    ['item_size_max', front.itemSizeMax],
    ['maxconns_fast', 'yes'],
    ['hashpower_init', 0],
    ['slab_reassign', 'no'],
    ['slab_automove', 0],
    ['slab_chunk_max', front.itemSizeMax / 2],
    ['lru_crawler', 'no'],
    ['flush_enabled', 'yes'],
    ['dump_enabled', 'no'],
    ['hash_algorithm', 'siphash'],
    ['lru_maintainer_thread', 'no'],
    ['temp_lru', 'no'],
    ['idle_timeout', config.int('timeout')],
    ['track_sizes', 'no'],
    ['hostname', os.hostname()],
  ]
}

/**
 * `stats items` / `stats slabs`: there are no slab classes here, so everything is
 * reported as one class (1), with the keyspace's item count; enough for tools that
 * list classes to find the items (memcached-tool, memcstat).
 */
export function itemsStats(front: MemcachedFrontEnd): [string, string | number][] {
  const { items, bytes } = keyspaceBytes(front)
  if (items === 0) return []
  return [
    ['items:1:number', items],
    ['items:1:number_hot', 0],
    ['items:1:number_warm', 0],
    ['items:1:number_cold', items],
    ['items:1:age', 0],
    ['items:1:mem_requested', bytes],
    ['items:1:evicted', 0],
    ['items:1:evicted_nonzero', 0],
    ['items:1:outofmemory', 0],
    ['items:1:reclaimed', 0],
  ]
}

export function slabsStats(front: MemcachedFrontEnd): [string, string | number][] {
  const { items, bytes } = keyspaceBytes(front)
  const out: [string, string | number][] = []
  if (items > 0) {
    out.push(['1:chunk_size', front.itemSizeMax], ['1:chunks_per_page', 1], ['1:total_pages', items], ['1:total_chunks', items])
    out.push(['1:used_chunks', items], ['1:free_chunks', 0], ['1:mem_requested', bytes], ['1:get_hits', front.counters.get_hits])
    out.push(['1:cmd_set', front.counters.cmd_set], ['1:delete_hits', front.counters.delete_hits])
  }
  out.push(['active_slabs', items > 0 ? 1 : 0], ['total_malloced', bytes])
  return out
}

/** The figures INFO shows for the memcached side (appended to its Stats section). */
export function infoLines(front: MemcachedFrontEnd): string[] {
  const c = front.counters
  return [
    `memcached_port:${front.port}`,
    `memcached_connected_clients:${front.connections.size}`,
    `memcached_total_connections:${c.total_connections}`,
    `memcached_rejected_connections:${c.rejected_connections}`,
    `memcached_cmd_get:${c.cmd_get}`,
    `memcached_cmd_set:${c.cmd_set}`,
    `memcached_cmd_touch:${c.cmd_touch}`,
    `memcached_cmd_meta:${c.cmd_meta}`,
    `memcached_cmd_flush:${c.cmd_flush}`,
    `memcached_get_hits:${c.get_hits}`,
    `memcached_get_misses:${c.get_misses}`,
    `memcached_bytes_read:${c.bytes_read}`,
    `memcached_bytes_written:${c.bytes_written}`,
  ]
}
