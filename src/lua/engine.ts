import { compile as compileChunk } from './compiler.js'
import { budget, stringMeta } from './runtime.js'
import { LuaTable, type LuaFunction, type LuaResult, type LuaValue } from './value.js'
import { openBase } from './lib/base.js'
import { createBit } from './lib/bit.js'
import { createCjson } from './lib/cjson.js'
import { createCmsgpack } from './lib/cmsgpack.js'
import { openCoroutine } from './lib/coroutine.js'
import { createMath } from './lib/math.js'
import { createStringLibrary } from './lib/string.js'
import { createStruct } from './lib/struct.js'
import { createTable } from './lib/table.js'

export { LuaAbort } from './runtime.js'

/**
 * A Lua 5.1 state for a host: globals with the libraries scripts expect (base,
 * coroutine, string, table, math, and the cjson, cmsgpack, struct and bit modules
 * that Redis bundles), a way to plug in more, and the instruction budget. It knows
 * nothing about Redis: the scripting layer adds `redis` and the sandbox rules.
 */
export class LuaEngine {
  readonly globals = new LuaTable()

  constructor() {
    openBase(this.globals)
    openCoroutine(this.globals)
    this.registerLibrary('string', createStringLibrary())
    this.registerLibrary('table', createTable())
    this.registerLibrary('math', createMath())
    this.registerLibrary('cjson', createCjson())
    this.registerLibrary('cmsgpack', createCmsgpack())
    this.registerLibrary('struct', createStruct())
    this.registerLibrary('bit', createBit())
  }

  /** Makes `table` the global `name`; "string" also becomes strings' __index. */
  registerLibrary(name: string, table: LuaTable): void {
    this.globals.set(name, table)
    if (name === 'string') {
      const mt = new LuaTable()
      mt.set('__index', table)
      stringMeta.table = mt
    }
  }

  /** Compiles a chunk; `chunkname` is the name errors show ("user_script"). Syntax errors throw a LuaError. */
  compile(source: string, chunkname: string): LuaFunction {
    return compileChunk(source, chunkname, this.globals)
  }

  run(source: string, chunkname: string, ...args: LuaValue[]): LuaResult {
    return this.compile(source, chunkname)(...args)
  }

  /**
   * Calls `hook` every `every` budget units (loop iterations and function
   * entries). The hook may throw (a LuaAbort cannot be caught by pcall) or return
   * to continue. The budget is shared by every engine in the process, as only
   * one script runs at a time.
   */
  setBudgetHook(every: number, hook: () => void): void {
    budget.left = every
    budget.hook = () => {
      budget.left = every
      hook()
    }
  }
}
