import { describe, expect, it } from 'vitest'
import { LuaEngine } from '../../src/lua/engine.js'
import { pack } from '../../src/lua/lib/cmsgpack.js'
import { LuaError, LuaTable, first, type LuaValue } from '../../src/lua/value.js'
import { useRedisReference } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Scripts written in the style of the job queues that run on Redis (BullMQ,
 * bee-queue, huey): options as msgpack, jobs as hashes, ids juggled between
 * lists and sorted sets, `local rcall = redis.call`, unpack of argument lists,
 * iterator-returning helpers. They are our own text, not the queues' scripts. They run through
 * the engine with a fake `redis` whose call/pcall record every command and answer
 * from a canned table, so each test pins the exact command sequence and the result.
 * The parts that need no redis API are also run with EVAL on a real redis-server.
 */

type Reply = LuaValue | ((args: LuaValue[]) => LuaValue)

interface Run {
  calls: LuaValue[][]
  result: unknown
}

/** Lua values as plain JS for assertions: tables become arrays (1..#t) or objects. */
function plain(v: LuaValue): unknown {
  if (!(v instanceof LuaTable)) return v
  const n = v.length()
  if (n > 0) return Array.from({ length: n }, (_, i) => plain(v.get(i + 1)))
  const o: Record<string, unknown> = {}
  let k: [LuaValue, LuaValue] | undefined = v.next(undefined)
  while (k) {
    o[String(k[0])] = plain(k[1])
    k = v.next(k[0])
  }
  return o
}

function arrayTable(items: LuaValue[]): LuaTable {
  const t = new LuaTable()
  items.forEach((v, i) => t.set(i + 1, v))
  return t
}

function mapTable(entries: Record<string, LuaValue>): LuaTable {
  const t = new LuaTable()
  for (const [k, v] of Object.entries(entries)) t.set(k, v)
  return t
}

/**
 * Runs `src` with KEYS/ARGV and a fake redis. `replies` maps an upper-cased
 * command name to a value or a function of the arguments; a missing entry answers
 * nil-as-false (what a nil bulk reply becomes in Lua). A reply that is an Error
 * makes redis.call raise it and redis.pcall return {err = message}.
 */
function runQueueScript(src: string, keys: string[], argv: string[], replies: Record<string, Reply | Reply[]>): Run {
  const engine = new LuaEngine()
  const calls: LuaValue[][] = []
  const queues = new Map<string, Reply[]>()
  const answer = (args: LuaValue[]): LuaValue | Error => {
    calls.push(args)
    const name = String(args[0]).toUpperCase()
    let r = replies[name]
    if (Array.isArray(r)) {
      // A list of replies answers successive calls of that command.
      if (!queues.has(name)) queues.set(name, [...r])
      r = queues.get(name)!.shift()
    }
    if (typeof r === 'function') return (r as (a: LuaValue[]) => LuaValue)(args.slice(1))
    return r === undefined ? false : (r as LuaValue | Error)
  }
  const redis = new LuaTable()
  redis.set('call', (...args: LuaValue[]) => {
    const r = answer(args)
    if (r instanceof Error) throw new LuaError(r.message)
    return r
  })
  redis.set('pcall', (...args: LuaValue[]) => {
    const r = answer(args)
    return r instanceof Error ? mapTable({ err: r.message }) : r
  })
  engine.globals.set('redis', redis)
  engine.globals.set('KEYS', arrayTable(keys))
  engine.globals.set('ARGV', arrayTable(argv))
  const result = plain(first(engine.run(src, 'user_script')))
  return { calls: calls.map((c) => c.map((v) => plain(v) as LuaValue)), result }
}

// ---------------------------------------------------------------------------

const ADD_JOB = `
local rcall = redis.call
local opts = cmsgpack.unpack(ARGV[2])
local jobId = ARGV[1]
if jobId == "" then
  jobId = rcall("INCR", KEYS[1]) .. ""
end
local jobKey = KEYS[2] .. ":" .. jobId
if rcall("EXISTS", jobKey) == 1 then
  return {-1, jobId}
end

local fields = {"name", opts["name"] or "default", "data", ARGV[3], "ts", ARGV[4]}
if opts.priority and opts.priority > 0 then
  fields[#fields + 1] = "priority"
  fields[#fields + 1] = opts.priority
end
if opts.tags then
  fields[#fields + 1] = "tags"
  fields[#fields + 1] = cjson.encode(opts.tags)
end
rcall("HSET", jobKey, unpack(fields))

local delay = tonumber(opts.delay) or 0
local target
if delay > 0 then
  -- timestamp in the high bits, a little of the id in the low ones
  local score = (tonumber(ARGV[4]) + delay) * 0x1000 + bit.band(tonumber(jobId) or 0, 0xfff)
  rcall("ZADD", KEYS[4], score, jobId)
  target = "delayed"
elseif opts.priority then
  rcall("ZADD", KEYS[5], opts.priority, jobId)
  target = "prioritized"
else
  rcall(opts.lifo and "RPUSH" or "LPUSH", KEYS[3], jobId)
  target = "wait"
end
rcall("XADD", KEYS[6], "MAXLEN", "~", 1000, "*", "event", "added",
      "jobId", jobId, "target", string.format("%s/%d", target, #KEYS))
return jobId
`

const ADD_KEYS = ['q:id', 'q', 'q:wait', 'q:delayed', 'q:prio', 'q:events']

describe('queue-style scripts with a fake redis', () => {
  it('adds a job with a generated id to the wait list', () => {
    const opts = pack(mapTable({ name: 'email', tags: arrayTable(['a', 'b']) }))
    const run = runQueueScript(ADD_JOB, ADD_KEYS, ['', opts, '{"to":"x"}', '1700000000000'], { INCR: 7, EXISTS: 0, HSET: 4, LPUSH: 1, XADD: '1-0' })
    expect(run.calls).toEqual([
      ['INCR', 'q:id'],
      ['EXISTS', 'q:7'],
      ['HSET', 'q:7', 'name', 'email', 'data', '{"to":"x"}', 'ts', '1700000000000', 'tags', '["a","b"]'],
      ['LPUSH', 'q:wait', '7'],
      ['XADD', 'q:events', 'MAXLEN', '~', 1000, '*', 'event', 'added', 'jobId', '7', 'target', 'wait/6'],
    ])
    expect(run.result).toBe('7')
  })

  it('puts a delayed job in the zset with a packed score, and lifo jobs at the tail', () => {
    const delayed = runQueueScript(ADD_JOB, ADD_KEYS, ['12', pack(mapTable({ delay: 500 })), 'd', '1000'], {})
    expect(delayed.calls.map((c) => c[0])).toEqual(['EXISTS', 'HSET', 'ZADD', 'XADD'])
    expect(delayed.calls[2]).toEqual(['ZADD', 'q:delayed', 1500 * 0x1000 + 12, '12'])
    const lifo = runQueueScript(ADD_JOB, ADD_KEYS, ['x1', pack(mapTable({ lifo: true, priority: 0 })), 'd', '5'], {})
    expect(lifo.calls[1]).toEqual(['HSET', 'q:x1', 'name', 'default', 'data', 'd', 'ts', '5'])
    // priority 0 is truthy in Lua: it goes to the prioritized set, not the list
    expect(lifo.calls[2]).toEqual(['ZADD', 'q:prio', 0, 'x1'])
    const prio = runQueueScript(ADD_JOB, ADD_KEYS, ['9', pack(mapTable({ priority: 3 })), 'd', '5'], {})
    expect(prio.calls[1]).toEqual(['HSET', 'q:9', 'name', 'default', 'data', 'd', 'ts', '5', 'priority', 3])
  })

  it('reports a duplicate id without writing', () => {
    const run = runQueueScript(ADD_JOB, ADD_KEYS, ['dup', pack(mapTable({})), 'd', '1'], { EXISTS: 1 })
    expect(run.calls).toEqual([['EXISTS', 'q:dup']])
    expect(run.result).toEqual([-1, 'dup'])
  })

  const MOVE_TO_ACTIVE = `
local rcall = redis.call
local waitKey, activeKey, prioKey, delayedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local opts = cmsgpack.unpack(ARGV[3])
local now = tonumber(ARGV[2])

local function promoteDue()
  local due = rcall("ZRANGEBYSCORE", delayedKey, 0, (now + 1) * 0x1000 - 1, "LIMIT", 0, 1000)
  if #due > 0 then
    rcall("ZREM", delayedKey, unpack(due))
    for _, id in ipairs(due) do
      rcall("LPUSH", waitKey, id)
    end
  end
  return #due
end

local promoted = promoteDue()
local jobId = rcall("RPOPLPUSH", waitKey, activeKey)
if jobId and string.sub(jobId, 1, 2) == "0:" then
  -- a marker, not a job
  rcall("LREM", activeKey, 1, jobId)
  jobId = rcall("RPOPLPUSH", waitKey, activeKey)
end
if not jobId then
  local popped = rcall("ZPOPMIN", prioKey)
  if #popped > 0 then
    jobId = popped[1]
    rcall("LPUSH", activeKey, jobId)
  end
end
if not jobId then
  local head = rcall("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
  local nextTs = head[2] and math.floor(tonumber(head[2]) / 0x1000) or 0
  return {false, promoted, nextTs}
end

local jobKey = ARGV[1] .. jobId
if opts.token ~= "0" then
  rcall("SET", jobKey .. ":lock", opts.token, "PX", opts.lockDuration)
end
rcall("HINCRBY", jobKey, "ats", 1)
local raw = rcall("HGETALL", jobKey)
local job = {}
for i = 1, #raw, 2 do
  job[raw[i]] = raw[i + 1]
end
local data = cjson.decode(job.data)
return {jobId, promoted, job.name, data.n * 2, #data.list}
`
  const MTA_KEYS = ['q:wait', 'q:active', 'q:prio', 'q:delayed']
  const mtaOpts = pack(mapTable({ token: 'tok-1', lockDuration: 30000 }))

  it('promotes due delayed jobs, skips a marker and locks the job it takes', () => {
    const run = runQueueScript(MOVE_TO_ACTIVE, MTA_KEYS, ['q:', '2000', mtaOpts], {
      ZRANGEBYSCORE: arrayTable(['4', '5']),
      ZREM: 2,
      LPUSH: 1,
      RPOPLPUSH: ['0:marker', '4'],
      LREM: 1,
      SET: mapTable({ ok: 'OK' }),
      HINCRBY: 1,
      HGETALL: arrayTable(['name', 'resize', 'data', '{"n":21,"list":[1,2,3]}']),
    })
    expect(run.calls).toEqual([
      ['ZRANGEBYSCORE', 'q:delayed', 0, 2001 * 0x1000 - 1, 'LIMIT', 0, 1000],
      ['ZREM', 'q:delayed', '4', '5'],
      ['LPUSH', 'q:wait', '4'],
      ['LPUSH', 'q:wait', '5'],
      ['RPOPLPUSH', 'q:wait', 'q:active'],
      ['LREM', 'q:active', 1, '0:marker'],
      ['RPOPLPUSH', 'q:wait', 'q:active'],
      ['SET', 'q:4:lock', 'tok-1', 'PX', 30000],
      ['HINCRBY', 'q:4', 'ats', 1],
      ['HGETALL', 'q:4'],
    ])
    expect(run.result).toEqual(['4', 2, 'resize', 42, 3])
  })

  it('falls back to the prioritized set, then to the next delayed timestamp', () => {
    const fromPrio = runQueueScript(MOVE_TO_ACTIVE, MTA_KEYS, ['q:', '10', pack(mapTable({ token: '0' }))], {
      ZRANGEBYSCORE: new LuaTable(),
      ZPOPMIN: arrayTable(['p1', '3']),
      HGETALL: arrayTable(['data', '{"n":0.5,"list":{}}', 'name', 'p']),
    })
    expect(fromPrio.calls.map((c) => c[0])).toEqual(['ZRANGEBYSCORE', 'RPOPLPUSH', 'ZPOPMIN', 'LPUSH', 'HINCRBY', 'HGETALL'])
    expect(fromPrio.result).toEqual(['p1', 0, 'p', 1, 0])

    const idle = runQueueScript(MOVE_TO_ACTIVE, MTA_KEYS, ['q:', '10', mtaOpts], {
      ZRANGEBYSCORE: new LuaTable(),
      ZPOPMIN: new LuaTable(),
      ZRANGE: arrayTable(['7', String(123456 * 0x1000 + 99)]),
    })
    expect(idle.calls.at(-1)).toEqual(['ZRANGE', 'q:delayed', 0, 0, 'WITHSCORES'])
    expect(idle.result).toEqual([false, 0, 123456])
  })

  const STALLED = `
local rcall = redis.call
local maxBatch = tonumber(ARGV[1])

local function batches(n, size)
  local i = 0
  return function()
    local from = i * size + 1
    i = i + 1
    if from <= n then
      return from, math.min(from + size - 1, n)
    end
  end
end

if not rcall("SET", KEYS[1], "1", "PX", 5000, "NX") then
  return {}
end

local stalling, stalled, failed = rcall("SMEMBERS", KEYS[2]), {}, {}
if next(stalling) ~= nil then
  for _, id in ipairs(stalling) do
    if rcall("LREM", KEYS[4], 1, id) > 0 then
      local n = rcall("HINCRBY", ARGV[2] .. id, "stc", 1)
      if n > 1 then
        table.insert(failed, id)
      else
        stalled[#stalled + 1] = id
      end
    end
  end
  for from, to in batches(#stalled, maxBatch) do
    rcall("RPUSH", KEYS[3], unpack(stalled, from, to))
  end
  rcall("DEL", KEYS[2])
end

local active = rcall("LRANGE", KEYS[4], 0, -1)
for from, to in batches(#active, maxBatch) do
  rcall("SADD", KEYS[2], unpack(active, from, to))
end

local res = redis.pcall("ZADD", KEYS[5], "not-a-number", "x")
local note = type(res) == "table" and res.err or "no error"
return {stalled, failed, note, select("#", unpack(active))}
`

  it('moves stalled jobs back in batches, counts repeat offenders and catches an error reply', () => {
    const run = runQueueScript(STALLED, ['q:check', 'q:stalled', 'q:wait', 'q:active', 'q:failed'], ['2', 'q:'], {
      SET: mapTable({ ok: 'OK' }),
      SMEMBERS: arrayTable(['a', 'b', 'c', 'd', 'e']),
      LREM: [1, 1, 0, 1, 1],
      HINCRBY: [1, 2, 1, 1],
      LRANGE: arrayTable(['f', 'g', 'h']),
      ZADD: new Error('ERR value is not a valid float'),
    })
    expect(run.calls).toEqual([
      ['SET', 'q:check', '1', 'PX', 5000, 'NX'],
      ['SMEMBERS', 'q:stalled'],
      ['LREM', 'q:active', 1, 'a'],
      ['HINCRBY', 'q:a', 'stc', 1],
      ['LREM', 'q:active', 1, 'b'],
      ['HINCRBY', 'q:b', 'stc', 1],
      ['LREM', 'q:active', 1, 'c'],
      ['LREM', 'q:active', 1, 'd'],
      ['HINCRBY', 'q:d', 'stc', 1],
      ['LREM', 'q:active', 1, 'e'],
      ['HINCRBY', 'q:e', 'stc', 1],
      ['RPUSH', 'q:wait', 'a', 'd'],
      ['RPUSH', 'q:wait', 'e'],
      ['DEL', 'q:stalled'],
      ['LRANGE', 'q:active', 0, -1],
      ['SADD', 'q:stalled', 'f', 'g'],
      ['SADD', 'q:stalled', 'h'],
      ['ZADD', 'q:failed', 'not-a-number', 'x'],
    ])
    expect(run.result).toEqual([['a', 'd', 'e'], ['b'], 'ERR value is not a valid float', 3])
  })

  it('stops at once when the check key is already set, and a failed redis.call raises', () => {
    const blocked = runQueueScript(STALLED, ['k1', 'k2', 'k3', 'k4', 'k5'], ['2', 'q:'], {})
    expect(blocked.calls).toEqual([['SET', 'k1', '1', 'PX', 5000, 'NX']])
    expect(blocked.result).toEqual({})
    expect(() => runQueueScript('return redis.call("INCR", KEYS[1])', ['k'], [], { INCR: new Error('ERR not an integer') })).toThrow(
      /not an integer/,
    )
  })

  it('raises recurring delayed jobs the way a scheduler does (gmatch iterator called at once)', () => {
    const src = `
local now = tonumber(ARGV[1])
local due = redis.call("ZRANGEBYSCORE", KEYS[1], 0, ARGV[1])
for _, member in ipairs(due) do
  if string.sub(member, 1, 2) == "r:" then
    local every = string.gmatch(member, ":(%d+):")()
    local nextTime = every + tonumber(redis.call("ZSCORE", KEYS[1], member))
    while nextTime < now do nextTime = nextTime + every end
    redis.call("ZADD", KEYS[1], nextTime, member)
    redis.call("PUBLISH", string.sub(KEYS[1], 1, -8) .. "soonest", nextTime)
  end
end
redis.call("LPUSH", KEYS[2], unpack(due))
return #due`
    const run = runQueueScript(src, ['bq:delayed', 'bq:wait'], ['1000'], {
      ZRANGEBYSCORE: arrayTable(['j1', 'r:300:tick']),
      ZSCORE: '250',
    })
    expect(run.calls).toEqual([
      ['ZRANGEBYSCORE', 'bq:delayed', 0, '1000'],
      ['ZSCORE', 'bq:delayed', 'r:300:tick'],
      ['ZADD', 'bq:delayed', 1150, 'r:300:tick'],
      ['PUBLISH', 'bq:soonest', 1150],
      ['LPUSH', 'bq:wait', 'j1', 'r:300:tick'],
    ])
    expect(run.result).toBe(2)
  })
})

// ---------------------------------------------------------------------------

/**
 * The computation these scripts do between redis calls, with no redis API: each
 * snippet returns a string, compared with what EVAL gives on redis-server 7.0.
 */
const PURE: string[] = [
  // scores: timestamp * 0x1000 + counter, priority * 2^32 + counter
  `return tostring((1700000000000 + 1) * 0x1000 + bit.band(77, 0xfff))`,
  `return string.format("%.0f", 5 * 0x100000000 + bit.band(4294967297, 0xffffffff))`,
  `return tostring(math.floor(6963200004096123 / 0x1000))`,
  // ids and keys
  `local id = 41 + 1 return "bull:q:" .. id .. ":" .. (id .. "")`,
  `return string.format("%s:%d:%05.1f", "job", 3.0, 2.25)`,
  `return string.match("bull:queue:1234", ".*:(.*)") .. "|" .. string.sub("bull:queue:1234", 0, 11)`,
  `return string.gmatch("r:60000:job-id", ":([0-9]+):")()`,
  `return tostring(tonumber("0x10")) .. tostring(tonumber(" 12 ")) .. tostring(tonumber("1e3")) .. tostring(tonumber("12a"))`,
  // msgpack options in, json out
  `local o = cmsgpack.unpack(cmsgpack.pack({attempts = 3, backoff = {type = "fixed", delay = 100}, lifo = false}))
   return o.attempts .. o.backoff.type .. o.backoff.delay .. tostring(o.lifo)`,
  `return cjson.encode({1, 2, {3, "x"}, {}})`,
  `return cjson.encode({id = "7"})`,
  `local t = cjson.decode('{"a":[1,2.5,null],"b":{"c":true}}') return tostring(#t.a) .. tostring(t.a[2]) .. tostring(t.a[3] == cjson.null) .. tostring(t.b.c)`,
  // argument lists
  `local t = {"a", "b", "c", "d", "e"} return table.concat({unpack(t, 2, 4)}, ",") .. select("#", unpack(t, 4, 8))`,
  `local function batches(n, size) local i = 0 return function() local from = i * size + 1 i = i + 1 if from <= n then return from, math.min(from + size - 1, n) end end end
   local out = {} for a, b in batches(10, 4) do out[#out + 1] = a .. "-" .. b end return table.concat(out, " ")`,
  `local raw = {"name", "n", "data", "d", "ats", "2"} local h = {} for i = 1, #raw, 2 do h[raw[i]] = raw[i + 1] end return h.name .. h.data .. (h.ats + 1)`,
  `local t = {} t[#t + 1] = "x" table.insert(t, "y") table.insert(t, 1, "w") return table.concat(t) .. #t .. tostring(next({}) == nil)`,
  `local opts = {limiter = {max = "5"}} return tostring(tonumber(opts["limiter"] and opts["limiter"]["max"])) .. tostring(tonumber(nil and 1))`,
  `return tostring(1e15) .. " " .. tostring(2^53) .. " " .. tostring(0.1) .. " " .. tostring(-0.0) .. " " .. tostring(1e309)`,
  `local x, y = math.modf(-3.75) return x .. " " .. y .. " " .. (7 % -3) .. " " .. (-7 % 3) .. " " .. math.pow(10, 3)`,
  `local s = 0 for i = 10, 1, -3 do s = s + i end local r = 0 repeat r = r + 1 until r * r > 50 return s .. "," .. r`,
]

const skip = missingTool('redis-server')

describe.skipIf(skip !== null)('queue-style computation against Redis 7.0 EVAL', () => {
  const reference = useRedisReference()

  it('gives the same text for every snippet', async () => {
    const expected: string[] = []
    for (const src of PURE) expected.push(String(await reference.client.eval(src, 0)))
    const actual = PURE.map((src) => String(first(new LuaEngine().run(src, 'user_script'))))
    expect(actual).toEqual(expected)
  })
})
