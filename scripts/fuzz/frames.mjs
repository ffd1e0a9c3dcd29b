/**
 * Request frames for fuzzing a Redis-compatible server: valid frames that run every
 * command of the server's own table (read from COMMAND and COMMAND DOCS, so the same
 * generator drives respite and redis-server) with random argument shapes, and junk
 * frames (bit flips, truncations, bad lengths, stray type bytes, structured values,
 * broken inline quoting) that must never take the server down.
 *
 * Everything is drawn from one seeded PRNG: a seed replays the same frames.
 */
import { rng } from '../prng.mjs'

/**
 * Commands that would stop the run or leave the connection unusable for reasons that
 * are not bugs: they end the process, block it, turn it into a replica or make it stop
 * replying. Matched on the full name ('client|kill') or the command ('cluster').
 */
const DENIED = new Set([
  'shutdown', 'debug', 'monitor', 'sync', 'psync', 'replicaof', 'slaveof', 'replconf', 'failover', 'cluster',
  'migrate', 'wait', 'waitaof', 'module', 'client|kill', 'client|pause', 'client|reply',
  'acl|setuser', 'acl|deluser', 'acl|load', 'acl|save', 'config|rewrite',
  // Persistence: redis-server would fork and write files on every call.
  'save', 'bgsave', 'bgrewriteaof',
  // Slow by design (drawing, self-tests), so they only measure the machine.
  'lolwut', 'pfselftest',
])

/**
 * Relative weights; the default is 1. QUIT drops the rest of its batch, the
 * introspection commands without arguments answer with the whole table, and a RESP2
 * subscription refuses the rest of its batch (until the batch's closing RESET).
 */
const WEIGHTS = {
  quit: 0.05, command: 0.2, 'command|docs': 0.3, 'command|info': 0.3, 'command|list': 0.3,
  subscribe: 0.1, psubscribe: 0.1, ssubscribe: 0.1,
}

/**
 * CONFIG SET only touches parameters that change behaviour worth fuzzing (encodings,
 * slowlog, notifications) and never the listener, the limits, auth or files.
 */
const CONFIG_VALUES = {
  'hash-max-listpack-entries': ['0', '1', '2', '128', '512'],
  'hash-max-ziplist-entries': ['0', '1', '128'],
  'hash-max-listpack-value': ['0', '1', '4', '64'],
  'list-max-listpack-size': ['-5', '-2', '-1', '0', '1', '2', '128'],
  'list-max-ziplist-size': ['-2', '1', '4'],
  'list-compress-depth': ['0', '1', '2'],
  'set-max-intset-entries': ['0', '1', '2', '512'],
  'set-max-listpack-entries': ['0', '1', '128'],
  'zset-max-listpack-entries': ['0', '1', '2', '128'],
  'zset-max-ziplist-entries': ['0', '1', '128'],
  'zset-max-listpack-value': ['0', '1', '4', '64'],
  'slowlog-log-slower-than': ['-1', '0', '10000'],
  'slowlog-max-len': ['0', '1', '16', '128'],
  'latency-monitor-threshold': ['0', '1', '100'],
  'notify-keyspace-events': ['', 'KEA', 'AKE', 'x', 'Kg$lshzxetmdn'],
  'hz': ['0', '1', '10', '500', '501'],
  'lazyfree-lazy-user-del': ['yes', 'no', 'maybe'],
  'lazyfree-lazy-user-flush': ['yes', 'no'],
  'maxmemory-policy': ['noeviction', 'allkeys-lru', 'volatile-ttl', 'allkeys-random', 'bogus'],
  'maxmemory-samples': ['0', '1', '5', '64'],
  'active-expire-effort': ['0', '1', '10', '11'],
  'lfu-log-factor': ['0', '10', '-1'],
  'lfu-decay-time': ['0', '1'],
  'latency-tracking': ['yes', 'no'],
  'latency-tracking-info-percentiles': ['50 99', '', '99.9', '101', 'abc'],
  'activerehashing': ['yes', 'no'],
}
const CONFIG_NAMES = Object.keys(CONFIG_VALUES)

/** Keys that exist, with their type, after the setup frames; plus names the fuzz creates. */
const TYPED_KEYS = ['fz:str', 'fz:int', 'fz:flt', 'fz:list', 'fz:hash', 'fz:set', 'fz:iset', 'fz:zset', 'fz:struct']
const KEYS = [...TYPED_KEYS, 'fz:k0', 'fz:k1', 'fz:k2', 'fz:k3', 'fz:none', '{fz}a', '{fz}b', '']

const MEMBERS = ['a', 'b', 'c', '1', '2', '3', 'f1', 'f2', 'v1', 'm', 'n', '-1', '1.5', '']
const LEX_BOUNDS = ['-', '+', '[a', '(a', '[', '(', 'a', '[z', '(1']
const PATTERNS = ['*', 'fz:*', 'fz:?', '*a*', '[a-', '[^a]*', '\\', 'a\\', 'fz:[sz]*', '#', 'nosort', 'fz:*->f1', 'fz:*->', '*->f1']
const CONFIG_PATTERNS = ['*', 'max*', 'hz', 'save', 'port', 'nonexistent', '*max-*-entries', 'list-*', 'appendonly']
const INFO_SECTIONS = ['server', 'clients', 'memory', 'stats', 'keyspace', 'commandstats', 'errorstats', 'all', 'everything', 'default', 'bogus', 'CPU', 'latencystats']
const TYPES = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'none', 'bogus', 'STRING']
const ENCODINGS = ['i8', 'u8', 'i64', 'u63', 'u64', 'i65', 'u0', 'i1', 'x8', '', '#1', 'u16']

/** Integers anywhere: typical values, then the edges of every width Redis parses into. */
const SMALL_INTS = ['0', '1', '2', '3', '5', '10', '-1', '-2', '-10', '100']
const EDGE_INTS = [
  '2147483647', '2147483648', '-2147483648', '-2147483649', '4294967296',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809',
  '18446744073709551616', '99999999999', '1.5', 'abc', '', '+1', '01', ' 1', '1 ', '1e3', '0x10', '-0', 'nan', 'inf',
]
/**
 * Offsets and counts: never between 100,000 and 2^32, where SETRANGE, SETBIT and
 * BITFIELD would allocate up to 512 MB and SRANDMEMBER with a negative count would
 * answer with that many elements. Past 2^32 or ±2^63 they are refused, which is the
 * interesting part. Not -2^63+1 either: as a SRANDMEMBER, HRANDFIELD or ZRANDMEMBER
 * count redis-server answers it until it runs out of memory (respite refuses it; its
 * unit tests say so).
 */
const SAFE_EDGE_INTS = ['4294967296', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809', '99999', '-99999', '1.5', 'abc', '', '+1', '01', '1e3', '-0']
const DOUBLES = ['0', '1', '-1', '1.5', '-2.5', '0.1', '1e3', '2', '3', 'inf', '-inf', '+inf', '(1', '(-inf', '(3', '-0']
const ODD_DOUBLES = ['1e308', '1e309', '-1e309', 'nan', '-nan', '[1', '1e', '.5', '5.', '0x1p3', ' 1', '', 'abc', '3.0000000000000000001', '((1', '(']
/** Blocking timeouts stay short so a pop on an empty key does not stall its connection. */
const BLOCK_TIMEOUTS = ['0.001', '0.002', '0.01', '1e-3', '0.0001']
const ODD_TIMEOUTS = ['-1', '-0.5', 'abc', '', 'inf', '1e300', 'nan']

const TYPE_BYTES = ['*', '$', '%', '~', '_', '#', ',', '(', '=', '>', '|', '+', '-', ':', '!']

/** A command as the server describes it: the words that name it, its arity, flags and documented arguments. */
function entry(info, docs) {
  const name = info[0].toLowerCase()
  return {
    name,
    words: name.split('|').map((w) => w.toUpperCase()),
    arity: Number(info[1]),
    flags: new Set((info[2] ?? []).map(String)),
    args: docs?.arguments ?? null,
    container: Array.isArray(info[9]) && info[9].length > 0,
  }
}

/** A flat [k, v, k, v] reply (a RESP2 map) as an object, with nested docs decoded. */
function docMap(flat) {
  const o = {}
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const k = String(flat[i])
    const v = flat[i + 1]
    if (k === 'arguments') o.arguments = v.map(docMap)
    else if (k === 'subcommands') o.subcommands = docsByName(v)
    else o[k] = v
  }
  if (o.flags !== undefined) o.flags = new Set(o.flags.map(String))
  else o.flags = new Set()
  return o
}

function docsByName(flat) {
  const m = new Map()
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(String(flat[i]).toLowerCase(), docMap(flat[i + 1]))
  return m
}

/**
 * The command model from a server's RESP2 replies to COMMAND and COMMAND DOCS:
 * every command and subcommand, minus the ones that would stop the fuzz.
 */
export function commandModel(commandReply, docsReply) {
  const docs = docsByName(docsReply)
  const model = []
  for (const info of commandReply) {
    const top = entry(info, docs.get(String(info[0]).toLowerCase()))
    model.push(top)
    for (const sub of top.container ? info[9] : []) {
      model.push(entry(sub, docs.get(top.name)?.subcommands?.get(String(sub[0]).toLowerCase())))
    }
  }
  return model.filter((e) => !DENIED.has(e.name) && !DENIED.has(e.name.split('|')[0]))
}

/** The model limited to commands another server also has, so both get the same frames. */
export function commonModel(model, otherModel) {
  const names = new Set(otherModel.map((e) => e.name))
  return model.filter((e) => names.has(e.name))
}

/** A RESP multibulk of bulk strings. */
export function encode(args) {
  let s = `*${args.length}\r\n`
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`
  return s
}

/** One request frame: the bytes, what made it, and its arguments when it has any. */
function frame(bytes, kind, args = null, command = null) {
  return { bytes: Buffer.from(bytes, 'latin1'), kind, args, command }
}

/**
 * A frame source over `model` seeded with `seed`. Frames are latin1: user data is
 * bytes, and every byte value appears.
 */
export function createFrames(model, seed) {
  const r = rng(seed)
  const runnable = model.filter((e) => !e.container || e.args !== null)
  const cumulative = []
  let total = 0
  for (const e of runnable) {
    total += WEIGHTS[e.name] ?? 1
    cumulative.push(total)
  }
  const names = runnable.map((e) => e.name)
  let sweep = r.int(runnable.length)
  const tokens = [...new Set(runnable.flatMap((e) => collectTokens(e.args ?? [])))]

  function pickCommand() {
    const x = r.next() * total
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid] > x) hi = mid
      else lo = mid + 1
    }
    return runnable[lo]
  }

  function randomBytes(n) {
    let s = ''
    for (let i = 0; i < n; i++) s += String.fromCharCode(r.int(256))
    return s
  }

  const timeout = () => (r.chance(0.8) ? r.pick(BLOCK_TIMEOUTS) : r.pick(ODD_TIMEOUTS))
  const double = () => (r.chance(0.75) ? r.pick(DOUBLES) : r.pick(ODD_DOUBLES))

  function key() {
    return r.chance(0.9) ? r.pick(KEYS) : r.chance(0.5) ? `fz:${r.int(100)}` : randomBytes(1 + r.int(8))
  }

  function int(name, cmd) {
    if (cmd.flags.has('blocking') && /timeout|milliseconds/.test(name)) return timeout()
    if (/^(index|db|destination-db)$/.test(name) && r.chance(0.8)) return String(r.int(18) - 1)
    if (name === 'protover') return r.pick(['2', '3', '1', '4', '-1', 'x'])
    const safe = /offset|count|len|samples|numkeys|rank|maxlen|bits|limit/.test(name) || /^(setrange|setbit|bitfield|bitfield_ro|getbit)$/.test(cmd.name)
    if (r.chance(0.75)) return r.chance(0.8) ? r.pick(SMALL_INTS) : String(r.int(2000) - 1000)
    return r.pick(safe ? SAFE_EDGE_INTS : EDGE_INTS)
  }

  function string(name, cmd) {
    if (cmd.flags.has('blocking') && name === 'timeout') return timeout()
    if (name === 'parameter') return r.chance(0.8) ? r.pick(CONFIG_PATTERNS) : r.pick(CONFIG_NAMES)
    if (name === 'section') return r.pick(INFO_SECTIONS)
    if (name === 'type') return r.pick(TYPES)
    if (name === 'encoding') return r.pick(ENCODINGS)
    if (/^command(-name)?$/.test(name)) return r.chance(0.9) ? r.pick(names).split('|')[0] : randomBytes(r.int(6))
    if (/min|max/.test(name) && r.chance(0.85)) return r.pick(LEX_BOUNDS)
    if (name === 'cursor') return r.chance(0.7) ? '0' : int('', cmd)
    return value()
  }

  /** A value: a member the typed keys hold, a number, a keyword, or random bytes up to a few KB. */
  function value() {
    const x = r.next()
    if (x < 0.45) return r.pick(MEMBERS)
    if (x < 0.6) return r.pick(SMALL_INTS)
    if (x < 0.68) return r.chance(0.5) ? double() : r.pick(ODD_DOUBLES)
    if (x < 0.76) return r.pick(EDGE_INTS)
    if (x < 0.84) return r.pick(tokens)
    if (x < 0.88) return r.pick(KEYS)
    if (x < 0.99) return randomBytes(r.int(16))
    return r.chance(0.5) ? 'x'.repeat(r.int(4096)) : randomBytes(r.int(2048))
  }

  function tokenCase(t) {
    const x = r.next()
    if (x < 0.7) return t
    if (x < 0.9) return t.toLowerCase()
    return [...t].map((c) => (r.chance(0.5) ? c.toLowerCase() : c.toUpperCase())).join('')
  }

  /** Appends one documented argument (and its token) to `out`, with random repetitions and omissions. */
  function argument(a, cmd, out, required = false) {
    if (a.flags.has('optional') && !required && r.chance(0.45)) return
    const multiple = a.flags.has('multiple')
    // Repeated options (SORT's GET) stay few: SORT key GET # GET # STORE key doubles
    // the list each time, and a few hundred GETs would grow it past any memory bound.
    const many = multiple && !a.flags.has('multiple_token') && r.chance(0.02)
    const reps = !multiple ? 1 : many ? 50 + r.int(250) : 1 + r.int(a.flags.has('multiple_token') ? 2 : 3)
    for (let rep = 0; rep < reps; rep++) {
      if (a.token !== undefined && (rep === 0 || a.flags.has('multiple_token'))) out.push(tokenCase(String(a.token)))
      switch (a.type) {
        case 'pure-token':
          break
        case 'oneof':
          argument(r.pick(a.arguments), cmd, out, r.chance(0.8))
          break
        case 'block':
          for (const child of a.arguments) argument(child, cmd, out)
          break
        case 'key':
          out.push(key())
          break
        case 'integer':
        case 'unix-time':
          out.push(int(String(a.name), cmd))
          break
        case 'double':
          out.push(cmd.flags.has('blocking') && a.name === 'timeout' ? timeout() : double())
          break
        case 'pattern':
          out.push(r.pick(PATTERNS))
          break
        default:
          out.push(string(String(a.name), cmd))
      }
    }
  }

  function configSet() {
    const out = ['CONFIG', 'SET']
    const pairs = 1 + r.int(r.chance(0.9) ? 1 : 3)
    for (let i = 0; i < pairs; i++) {
      const name = r.chance(0.95) ? r.pick(CONFIG_NAMES) : r.pick(['fz-nonexistent', 'HZ', 'Maxmemory-Samples'])
      out.push(name, r.chance(0.85) && CONFIG_VALUES[name] ? r.pick(CONFIG_VALUES[name]) : int('', { name: 'config|set', flags: new Set() }))
    }
    return out
  }

  /** Arguments that follow the command's documentation. */
  function documented(cmd) {
    if (cmd.name === 'config|set') return configSet()
    // Key extraction for another command's full frame: movable keys are where it goes wrong.
    if (/^command\|getkeys/.test(cmd.name) && r.chance(0.8)) return [...cmd.words, ...documented(pickCommand())]
    const out = [...cmd.words]
    if (cmd.args !== null) {
      for (const a of cmd.args) argument(a, cmd, out)
    } else {
      const wanted = cmd.arity > 0 ? cmd.arity : -cmd.arity + r.int(3)
      while (out.length < wanted) out.push(out.length === cmd.words.length ? key() : value())
    }
    return out
  }

  /** Argument shapes the documentation does not allow: missing, repeated, moved and foreign arguments. */
  function reshape(args, cmd) {
    const first = cmd.words.length
    const out = args.slice()
    const n = 1 + r.int(2)
    for (let i = 0; i < n; i++) {
      const at = first + r.int(Math.max(1, out.length - first))
      switch (r.int(7)) {
        case 0:
          if (out.length > first) out.splice(at, 1)
          break
        case 1:
          if (out.length > first) out.splice(at, 0, out[at])
          break
        case 2:
          out.push(r.chance(0.5) ? r.pick(tokens) : value())
          break
        case 3:
          if (out.length > first) out[at] = r.chance(0.5) ? r.pick(tokens) : value()
          break
        case 4:
          out.length = first + r.int(out.length - first + 1)
          break
        case 5: {
          const b = first + r.int(Math.max(1, out.length - first))
          if (at < out.length && b < out.length) [out[at], out[b]] = [out[b], out[at]]
          break
        }
        default:
          if (cmd.words.length > 1) out[1] = r.chance(0.5) ? value() : out[1].toLowerCase()
          else out[0] = tokenCase(out[0])
      }
    }
    return out
  }

  /** Any RESP3 value, nested up to `depth`, as the bytes of a request element. */
  function nested(depth) {
    const leaf = depth <= 0 || r.chance(0.4)
    const kind = leaf ? r.int(12) : 12 + r.int(5)
    switch (kind) {
      case 0: return `:${r.pick(SMALL_INTS.concat(['9223372036854775807', '-9223372036854775808']))}\r\n`
      case 1: return `,${r.pick(['1.5', 'inf', '-inf', 'nan', '0', '1e308', 'x'])}\r\n`
      case 2: return `#${r.pick(['t', 'f', 'x', ''])}\r\n`
      case 3: return '_\r\n'
      case 4: return `(${r.pick(['12345678901234567890', '-1', '0', '1x'])}\r\n`
      case 5: return '$-1\r\n'
      case 6: return '*-1\r\n'
      case 7: { const v = value(); return `$${v.length}\r\n${v}\r\n` }
      case 8: return `+${r.pick(['OK', 'a', ''])}\r\n`
      case 9: return `-ERR ${r.pick(['x', ''])}\r\n`
      case 10: return `=7\r\ntxt:abc\r\n`
      case 11: return `!3\r\nerr\r\n`
      default: {
        const type = r.pick(['*', '%', '~', '>', '|'])
        const n = r.int(4)
        let s = `${type}${n}\r\n`
        const count = type === '%' || type === '|' ? n * 2 : n
        for (let i = 0; i < count; i++) s += nested(depth - 1)
        // An attribute is followed by the value it describes.
        if (type === '|') s += nested(depth - 1)
        return s
      }
    }
  }

  /** A structured value in place of argument `at` of a command's documented arguments. */
  function structuredAt(args, at) {
    let s = `*${args.length}\r\n`
    for (let i = 0; i < args.length; i++) s += i === at ? nested(3) : `$${args[i].length}\r\n${args[i]}\r\n`
    return s
  }

  /** The arguments as an inline command line, with Redis's quoting chosen at random. */
  function inline(args) {
    const words = args.map((a) => {
      if (a !== '' && /^[\x21-\x7e]+$/.test(a) && !/["'\\]/.test(a) && r.chance(0.7)) return a
      if (!/['\\\r\n\t\x00]/.test(a) && /^[\x20-\x7e]*$/.test(a) && r.chance(0.3)) return `'${a}'`
      let q = '"'
      for (const c of a) {
        const code = c.charCodeAt(0)
        if (c === '"' || c === '\\') q += `\\${c}`
        else if (c === '\n') q += '\\n'
        else if (c === '\r') q += '\\r'
        else if (c === '\t') q += '\\t'
        else if (code < 0x20 || code > 0x7e) q += `\\x${code.toString(16).padStart(2, '0')}`
        else q += c
      }
      return `${q}"`
    })
    const gap = () => (r.chance(0.9) ? ' ' : r.pick(['  ', '\t', ' \t ']))
    return words.join(gap()) + (r.chance(0.8) ? '\r\n' : '\n')
  }

  /** The same line with its quoting broken. */
  function brokenInline(args) {
    const line = inline(args).replace(/\r?\n$/, '')
    switch (r.int(6)) {
      case 0: return `${line} "unterminated\r\n`
      case 1: return `${line} 'unterminated\r\n`
      case 2: return `${line} "closed"glued\r\n`
      case 3: return `${line} 'a\\'b\r\n`
      case 4: return `${line} "\\x4"\r\n`
      default: {
        const at = r.int(line.length + 1)
        return `${line.slice(0, at)}${r.pick(['"', "'"])}${line.slice(at)}\r\n`
      }
    }
  }

  const validShapes = () => {
    const cmd = pickCommand()
    let args = documented(cmd)
    let kind = 'documented'
    // Reshaped blocking commands could block for their original timeout's worth.
    if (!cmd.flags.has('blocking') && r.chance(0.2)) {
      args = reshape(args, cmd)
      kind = 'reshaped'
    } else if (!cmd.flags.has('blocking') && r.chance(0.03)) {
      args = [...cmd.words]
      for (let n = r.int(7); n > 0; n--) args.push(r.chance(0.5) ? key() : value())
      kind = 'random-arity'
    } else if (r.chance(0.005)) {
      args = [r.pick(['fz-unknown', 'GETT', '', '\x00', 'get\r']), ...args.slice(1)]
      kind = 'unknown'
    }
    return { args, kind, command: cmd.name }
  }

  return {
    /** Frames that give every typed key its type again (they count as frames too). */
    setup() {
      return [
        encode(['DEL', ...TYPED_KEYS.filter((k) => k !== 'fz:struct')]),
        encode(['SET', 'fz:str', 'hello']),
        encode(['SET', 'fz:int', '42']),
        encode(['SET', 'fz:flt', '3.5']),
        encode(['RPUSH', 'fz:list', 'a', 'b', 'c', '1', '2', '3']),
        encode(['HSET', 'fz:hash', 'f1', 'v1', 'f2', '2', 'f3', '3.5']),
        encode(['SADD', 'fz:set', 'a', 'b', 'c']),
        encode(['SADD', 'fz:iset', '1', '2', '3']),
        encode(['ZADD', 'fz:zset', '1', 'a', '2', 'b', '3', 'c', '-inf', 'm', 'inf', 'n']),
      ].map((s) => frame(s, 'setup'))
    },

    /** A frame that is well formed on the wire and runs a command, RESP or inline. */
    valid() {
      const { args, kind, command } = validShapes()
      if (r.chance(0.1) && args.length > 0) return frame(inline(args), `inline-${kind}`, args, command)
      return frame(encode(args), kind, args, command)
    },

    /**
     * A frame the server must survive but may refuse, close the connection on, or
     * wait on for bytes that never come.
     */
    junk() {
      const { args } = validShapes()
      const bytes = encode(args)
      switch (r.int(12)) {
        case 0: {
          const b = Buffer.from(bytes, 'latin1')
          for (let n = 1 + r.int(3); n > 0; n--) b[r.int(b.length)] ^= 1 << r.int(8)
          return frame(b.toString('latin1'), 'bit-flip')
        }
        case 1:
          return frame(bytes.slice(0, r.int(bytes.length)), 'truncated')
        case 2: {
          const headers = [...bytes.matchAll(/[*$](-?\d+)\r\n/g)]
          const h = r.pick(headers)
          const bad = r.pick(['-5', '-2', '-1', '99999999999', '2147483648', '2147483647', '536870912', '536870913',
            '9223372036854775807', '9223372036854775808', '-9223372036854775808', '', 'x', '+5', ' 5', '05', '1.5', '-0', '0x10'])
          const at = h.index + 1
          return frame(bytes.slice(0, at) + bad + bytes.slice(at + h[1].length), 'bad-length')
        }
        case 3: {
          const at = r.int(bytes.length + 1)
          const t = r.pick(TYPE_BYTES)
          return frame(r.chance(0.5) ? bytes.slice(0, at) + t + bytes.slice(at) : bytes.slice(0, at) + t + bytes.slice(at + 1), 'type-byte')
        }
        case 4: {
          // A sweep: command after command, one argument position further each round.
          const cmd = runnable[sweep % runnable.length]
          const round = Math.floor(sweep++ / runnable.length)
          const swept = documented(cmd)
          return frame(structuredAt(swept, swept.length > 1 ? 1 + (round % (swept.length - 1)) : 0), 'structured')
        }
        case 5:
          return frame(structuredAt(args, r.chance(0.1) ? 0 : 1 + r.int(Math.max(1, args.length - 1))), 'structured')
        case 6:
          // SET with a structured value: accepted by respite, so later frames meet the kind of key it makes.
          return frame(structuredAt(['SET', 'fz:struct', 'x'], 2), 'structured-set')
        case 7:
          return frame(brokenInline(args), 'broken-inline')
        case 8:
          return frame(randomBytes(1 + r.int(64)), 'random-bytes')
        case 9: {
          const crlfs = [...bytes.matchAll(/\r\n/g)]
          const at = r.pick(crlfs).index
          return frame(bytes.slice(0, at) + r.pick(['\n', '\r', '', '\r\r\n', '\n\r']) + bytes.slice(at + 2), 'bad-crlf')
        }
        case 10:
          return frame(r.pick(['*0\r\n', '*-1\r\n', '*1\r\n$0\r\n\r\n', '*1\r\n$-1\r\n', '*1\r\n_\r\n', '\r\n', ' \r\n', '*\r\n', '$\r\n',
            '*1\r\n*1\r\n$4\r\nPING\r\n', `*${1100 + r.int(100)}\r\n` + '$1\r\na\r\n'.repeat(r.int(1200))]), 'edge')
        default:
          // A line past PROTO_INLINE_MAX_SIZE (64 KiB) without a newline, or a header as long.
          if (r.chance(0.1)) return frame((r.chance(0.5) ? '' : '*') + 'A'.repeat(65 * 1024 + r.int(2048)), 'long-line')
          return frame(brokenInline(args), 'broken-inline')
      }
    },
  }
}

function collectTokens(args) {
  const out = []
  for (const a of args) {
    if (a.token !== undefined) out.push(String(a.token))
    if (a.arguments) out.push(...collectTokens(a.arguments))
  }
  return out
}
