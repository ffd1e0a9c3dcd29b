import { LuaError, LuaTable, type LuaFunction, type LuaResult, type LuaThreadLike, type LuaValue } from '../value.js'
import { LuaAbort, allOf, errorNoPosition, generatorOf, settleError, withGenerator, type LuaGenerator } from '../runtime.js'
import { argError } from './aux.js'

/**
 * Coroutines on generators: in chunks that mention coroutines, every compiled
 * function has a generator twin (compiler.ts), and resume drives the body's twin.
 * A yield is a generator yield that travels up through the twins' `yield*` calls.
 * Host functions (pcall included) and metamethods run as plain calls, so
 * yielding across them fails with Lua 5.1's own message, as in PUC Lua.
 */
export class LuaThread implements LuaThreadLike {
  readonly isLuaThread = true
  status: 'suspended' | 'running' | 'normal' | 'dead' = 'suspended'
  it: LuaGenerator | null = null
  constructor(readonly fn: LuaFunction) {}
}

let current: LuaThread | null = null

function resume(co: LuaValue, ...args: LuaValue[]): LuaResult {
  if (!(co instanceof LuaThread)) return argError('resume', 1, 'coroutine expected')
  if (co.status !== 'suspended') return [false, `cannot resume ${co.status} coroutine`]
  const prev = current
  if (prev !== null) prev.status = 'normal'
  current = co
  co.status = 'running'
  try {
    let step: IteratorResult<LuaValue[], LuaResult>
    if (co.it === null) {
      const twin = generatorOf(co.fn)
      if (twin === undefined) {
        // A host function or one compiled without twins: it cannot yield.
        const r = co.fn(...args)
        co.status = 'dead'
        return [true, ...allOf(r)]
      }
      co.it = twin(...args)
      step = co.it.next(args)
    } else {
      step = co.it.next(args)
    }
    if (step.done) {
      co.status = 'dead'
      return [true, ...allOf(step.value)]
    }
    co.status = 'suspended'
    return [true, ...step.value]
  } catch (e) {
    co.status = 'dead'
    if (e instanceof LuaAbort) throw e
    return [false, settleError(e)]
  } finally {
    current = prev
    if (prev !== null) prev.status = 'running'
  }
}

/**
 * coroutine.yield reached as a plain call: nothing can be suspended from here.
 * Outside coroutines Redis's scripts are themselves called from C, so the text
 * is the same; lua_yield raises it without a position.
 */
function yieldPlain(): LuaResult {
  throw errorNoPosition('attempt to yield across metamethod/C-call boundary')
}

withGenerator(yieldPlain, function* (...args: LuaValue[]): LuaGenerator {
  const back = yield args
  return back.length === 1 ? back[0] : back
})

export function openCoroutine(g: LuaTable): LuaTable {
  const lib = new LuaTable()
  const fns: Record<string, LuaFunction> = {
    create: (f) => {
      if (typeof f !== 'function') argError('create', 1, 'Lua function expected')
      return new LuaThread(f as LuaFunction)
    },
    resume,
    yield: yieldPlain,
    status: (co) => {
      if (!(co instanceof LuaThread)) return argError('status', 1, 'coroutine expected')
      return co.status
    },
    running: () => current ?? undefined,
    wrap: (f) => {
      if (typeof f !== 'function') argError('wrap', 1, 'Lua function expected')
      const co = new LuaThread(f as LuaFunction)
      return (...args: LuaValue[]) => {
        const r = resume(co, ...args) as LuaValue[]
        // auxwrap re-raises the error; a string gets the caller's position again.
        if (r[0] === false) throw new LuaError(r[1])
        return r.length === 2 ? r[1] : r.slice(1)
      }
    },
  }
  for (const [name, f] of Object.entries(fns)) lib.set(name, f)
  g.set('coroutine', lib)
  return lib
}
