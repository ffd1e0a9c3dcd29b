import { describe, expect, it } from 'vitest'
import { useRespite } from '../helpers/fixture.js'
import type { Run } from '../../src/scripting/scripting.js'

/**
 * Redis 7.0 functions on respite through ioredis: libraries, their separate
 * environments, FCALL/FCALL_RO flags, DUMP/RESTORE round trips, STATS/KILL and INFO.
 * Exact reply bytes against redis-server are in functions-differential.test.ts.
 */

const { respite, r3, r2, exact } = await useRespite()

const RF = 'redis.register_function'
const lib = (name: string, body: string) => `#!lua name=${name}\n${body}`

async function flushFunctions(): Promise<void> {
  await r3.call('FUNCTION', 'FLUSH')
}

describe('FUNCTION LOAD and FCALL end to end (ioredis)', () => {
  it('FUNCTION LOAD returns the library name and FCALL passes keys and args as parameters', async () => {
    await flushFunctions()
    expect(await r3.call('FUNCTION', 'LOAD', lib('mylib', `
      ${RF}('myset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)
      ${RF}{function_name='myget', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads a key'}
    `))).toBe('mylib')
    expect(await r3.fcall('myset', 1, 'k', 'hello')).toBe('OK')
    expect(await r2.fcall('myget', 1, 'k')).toBe('hello')
    expect(await r3.call('FCALL_RO', 'myget', '1', 'k')).toBe('hello')
    await expect(r3.call('FCALL_RO', 'myset', '1', 'k', 'v')).rejects.toThrow('ERR Can not execute a script with write flag using *_ro command.')
    await expect(r3.fcall('nosuch', 0)).rejects.toThrow('ERR Function not found')
  })

  it('FUNCTION LIST shows flags and description; WITHCODE adds the code (RESP2 and RESP3)', async () => {
    await flushFunctions()
    const code = lib('listed', `${RF}{function_name='f', callback=function() return 1 end, flags={'allow-oom', 'no-writes'}, description='d'}`)
    await r3.call('FUNCTION', 'LOAD', code)
    const entry = ['library_name', 'listed', 'engine', 'LUA', 'functions', [['name', 'f', 'description', 'd', 'flags', ['no-writes', 'allow-oom']]]]
    expect(await r2.call('FUNCTION', 'LIST')).toEqual([entry])
    expect(await r2.call('FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'LIST*')).toEqual([[...entry, 'library_code', code]])
    expect(await r2.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'other')).toEqual([])
    const fields = '$12\r\nlibrary_name\r\n$6\r\nlisted\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n'
    await exact([['FUNCTION', 'LIST']], `*1\r\n%3\r\n${fields}%3\r\n$4\r\nname\r\n$1\r\nf\r\n$11\r\ndescription\r\n$1\r\nd\r\n` +
      '$5\r\nflags\r\n~2\r\n+no-writes\r\n+allow-oom\r\n', true)
    await exact([['FUNCTION', 'LIST']], `*1\r\n*6\r\n${fields}*6\r\n$4\r\nname\r\n$1\r\nf\r\n$11\r\ndescription\r\n$1\r\nd\r\n` +
      '$5\r\nflags\r\n*2\r\n+no-writes\r\n+allow-oom\r\n')
  })

  it('FUNCTION DELETE and FUNCTION FLUSH remove libraries; SCRIPT FLUSH does not', async () => {
    await flushFunctions()
    await r3.call('FUNCTION', 'LOAD', lib('a', `${RF}('fa', function() return 'a' end)`))
    await r3.call('FUNCTION', 'LOAD', lib('b', `${RF}('fb', function() return 'b' end)`))
    await r3.call('SCRIPT', 'FLUSH')
    expect(await r3.fcall('fa', 0)).toBe('a')
    expect(await r3.call('FUNCTION', 'DELETE', 'a')).toBe('OK')
    await expect(r3.fcall('fa', 0)).rejects.toThrow('ERR Function not found')
    await expect(r3.call('FUNCTION', 'DELETE', 'a')).rejects.toThrow('ERR Library not found')
    expect(await r3.call('FUNCTION', 'FLUSH', 'SYNC')).toBe('OK')
    await expect(r3.fcall('fb', 0)).rejects.toThrow('ERR Function not found')
  })

  it('FUNCTION LOAD REPLACE swaps a library atomically and keeps the old one when the new code fails', async () => {
    await flushFunctions()
    await r3.call('FUNCTION', 'LOAD', lib('v', `${RF}('ver', function() return 1 end)`))
    await expect(r3.call('FUNCTION', 'LOAD', lib('v', `${RF}('ver', function() return 2 end)`))).rejects.toThrow("ERR Library 'v' already exists")
    await expect(r3.call('FUNCTION', 'LOAD', 'REPLACE', lib('v', 'error("nope")'))).rejects.toThrow('ERR Error registering functions')
    expect(await r3.fcall('ver', 0)).toBe(1)
    expect(await r3.call('FUNCTION', 'LOAD', 'REPLACE', lib('v', `${RF}('ver2', function() return 2 end)`))).toBe('v')
    await expect(r3.fcall('ver', 0)).rejects.toThrow('ERR Function not found')
    expect(await r3.fcall('ver2', 0)).toBe(2)
  })
})

describe('FUNCTION LOAD environments', () => {
  it('each library keeps its own upvalues, and no library can set a global', async () => {
    await flushFunctions()
    const counter = (name: string) => lib(name, `local n = 0\n${RF}('${name}_inc', function() n = n + 1 return n end)`)
    await r3.call('FUNCTION', 'LOAD', counter('c1'))
    await r3.call('FUNCTION', 'LOAD', counter('c2'))
    expect(await r3.fcall('c1_inc', 0)).toBe(1)
    expect(await r3.fcall('c1_inc', 0)).toBe(2)
    expect(await r3.fcall('c2_inc', 0)).toBe(1)
    await expect(r3.call('FUNCTION', 'LOAD', lib('g', `shared = 1\n${RF}('g', function() return 1 end)`)))
      .rejects.toThrow('ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table')
    await r3.call('FUNCTION', 'LOAD', lib('g', `${RF}('setg', function() shared = 1 end)`))
    await expect(r3.fcall('setg', 0)).rejects.toThrow('ERR user_function:2: Attempt to modify a readonly table script: setg, on @user_function:2.')
  })

  it('the load-time API has only register_function, log and the version; redis.call comes at run time', async () => {
    await flushFunctions()
    await expect(r3.call('FUNCTION', 'LOAD', lib('x', "redis.call('ping')")))
      .rejects.toThrow("ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'")
    await expect(r3.call('FUNCTION', 'LOAD', lib('x', 'local s = string')))
      .rejects.toThrow("nonexistent global variable 'string'")
    await r3.call('FUNCTION', 'LOAD', lib('x', `local v = redis.REDIS_VERSION\n${RF}('v', function() return {v, redis.call('ping')['ok'], type(KEYS)} end)`))
    await expect(r3.fcall('v', 0)).rejects.toThrow("nonexistent global variable 'KEYS'")
  })

  it('loadstring in a function compiles against the function globals, where EVAL\'s KEYS never show', async () => {
    await flushFunctions()
    expect(await r3.eval('return KEYS[1]', 1, 'leak')).toBe('leak')
    await r3.call('FUNCTION', 'LOAD', lib('ls', `${RF}('ls', function() return loadstring('return redis.call("ping")')() end)
${RF}('lk', function() return loadstring('return KEYS')() end)`))
    expect(await r3.fcall('ls', 0)).toBe('PONG')
    await expect(r3.fcall('lk', 0)).rejects.toThrow("Script attempted to access nonexistent global variable 'KEYS'")
  })

  it('a library that loops at load is stopped after 500 ms and the server goes on', async () => {
    const started = Date.now()
    await expect(r3.call('FUNCTION', 'LOAD', lib('loop', 'while true do end')))
      .rejects.toThrow('ERR Error registering functions: ERR FUNCTION LOAD timeout')
    expect(Date.now() - started).toBeGreaterThanOrEqual(450)
    expect(await r3.eval('local n = 0 for i = 1, 100000 do n = n + 1 end return n', 0)).toBe(100000)
  })
})

describe('FUNCTION DUMP and FUNCTION RESTORE', () => {
  it('a payload restores with FLUSH, APPEND and REPLACE, and a corrupted one is refused', async () => {
    await flushFunctions()
    await r3.call('FUNCTION', 'LOAD', lib('d1', `${RF}('d1f', function() return 'd1' end)`))
    await r3.call('FUNCTION', 'LOAD', lib('d2', `${RF}('d2f', function() return 'd2' end)`))
    const dump = (await r3.callBuffer('FUNCTION', 'DUMP')) as Buffer
    expect(dump[0]).toBe(0xf5)
    await expect(r3.call('FUNCTION', 'RESTORE', dump)).rejects.toThrow(/ERR Library d[12] already exists/)
    expect(await r3.call('FUNCTION', 'RESTORE', dump, 'REPLACE')).toBe('OK')
    await r3.call('FUNCTION', 'DELETE', 'd1')
    expect(await r3.call('FUNCTION', 'RESTORE', dump, 'FLUSH')).toBe('OK')
    expect(await r3.fcall('d1f', 0)).toBe('d1')
    await r3.call('FUNCTION', 'FLUSH')
    expect(await r3.call('FUNCTION', 'RESTORE', dump, 'APPEND')).toBe('OK')
    expect(await r3.fcall('d2f', 0)).toBe('d2')
    const bad = Buffer.from(dump)
    bad[5] ^= 1
    await expect(r3.call('FUNCTION', 'RESTORE', bad)).rejects.toThrow('ERR DUMP payload version or checksum are wrong')
    await expect(r3.call('FUNCTION', 'RESTORE', dump, 'MERGE'))
      .rejects.toThrow('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.')
  })
})

describe('FUNCTION STATS, FUNCTION KILL and INFO', () => {
  it('FUNCTION STATS counts libraries and functions', async () => {
    await flushFunctions()
    await r3.call('FUNCTION', 'LOAD', lib('s', `${RF}('s1', function() end) ${RF}('s2', function() end)`))
    expect(await r2.call('FUNCTION', 'STATS')).toEqual(['running_script', null, 'engines', ['LUA', ['libraries_count', 1, 'functions_count', 2]]])
  })

  it('FUNCTION KILL answers NOTBUSY when no function runs, and kills a running function that has not written', async () => {
    await expect(r3.call('FUNCTION', 'KILL')).rejects.toThrow('NOTBUSY No scripts in execution right now.')
    const scripting = respite.server.scripting
    const functions = scripting.functions
    const run: Run = {
      client: scripting.caller, kind: 'function', label: 'script: f', readOnly: false, allowOom: false,
      startedAt: Date.now(), dirtyAtStart: respite.server.dirty, killed: false, busy: false,
    }
    // A function is busy as far as the commands that may run meanwhile can tell.
    scripting.running = run
    functions.current = { name: 'f', argv: ['FCALL', 'f', '0'], startedAt: Date.now() - 5 }
    try {
      const stats = (await r2.call('FUNCTION', 'STATS')) as unknown[]
      expect(stats[0]).toBe('running_script')
      const current = stats[1] as unknown[]
      expect(current.slice(0, 5)).toEqual(['name', 'f', 'command', ['FCALL', 'f', '0'], 'duration_ms'])
      expect(current[5]).toBeGreaterThanOrEqual(5)
      await expect(r3.call('SCRIPT', 'KILL')).rejects.toThrow('BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.')
      expect(run.killed).toBe(false)
      expect(await r3.call('FUNCTION', 'KILL')).toBe('OK')
      expect(run.killed).toBe(true)
    } finally {
      scripting.running = null
      functions.current = null
    }
  })

  it('while an EVAL runs, FUNCTION KILL and FUNCTION STATS answer BUSY naming SCRIPT KILL', async () => {
    const scripting = respite.server.scripting
    const run: Run = {
      client: scripting.caller, kind: 'script', label: 'script: x', readOnly: false, allowOom: false,
      startedAt: Date.now(), dirtyAtStart: respite.server.dirty, killed: false, busy: false,
    }
    scripting.running = run
    try {
      const busy = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.'
      await expect(r3.call('FUNCTION', 'KILL')).rejects.toThrow(busy)
      await expect(r3.call('FUNCTION', 'STATS')).rejects.toThrow(busy)
      expect(run.killed).toBe(false)
      respite.server.dirty++
      await expect(r3.call('FUNCTION', 'KILL')).rejects.toThrow('UNKILLABLE Sorry the script already executed write commands')
    } finally {
      scripting.running = null
    }
  })

  it('INFO memory reports the functions (number_of_functions, number_of_libraries, used_memory_functions) as Redis 7.0 does', async () => {
    await flushFunctions()
    const read = async (name: string) => {
      const text = (await r3.info('memory')).replace(/\r/g, '')
      const m = new RegExp(`(?:^|\\n)${name}:(\\d+)`).exec(text)
      return m === null ? null : Number(m[1])
    }
    expect(await read('number_of_functions')).toBe(0)
    await r3.call('FUNCTION', 'LOAD', lib('m', `${RF}('m1', function() end) ${RF}('m2', function() end)`))
    expect(await read('number_of_functions')).toBe(2)
    expect(await read('used_memory_functions')).toBeGreaterThan(0)
    expect(await read('used_memory_vm_functions')).not.toBeNull()
    expect(await read('number_of_libraries')).toBe(1)
  })

  it('FUNCTION HELP lists the subcommands', async () => {
    const help = (await r3.call('FUNCTION', 'HELP')) as string[]
    expect(help[0]).toBe('FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:')
    expect(help).toContain('RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]')
  })
})
