import { LuaError, LuaTable, type LuaFunction, type LuaResult, type LuaThreadLike, type LuaValue } from '../value.js'
import { LuaAbort, callable, settleError } from '../runtime.js'
import { argError, checkTable } from './aux.js'

/**
 * Coroutines, first cut: compiled code runs on the JS stack, so a body runs to
 * completion on its first resume and coroutine.yield raises Lua's own error for
 * a yield it cannot perform ("attempt to yield across metamethod/C-call
 * boundary"). create/resume/status/wrap/running behave as in Lua for bodies that
 * do not yield. Suspending needs a generator-compiled variant of functions.
 */
export class LuaThread implements LuaThreadLike {
  readonly isLuaThread = true
  status: 'suspended' | 'running' | 'normal' | 'dead' = 'suspended'
  constructor(readonly fn: LuaFunction) {}
}

let current: LuaThread | null = null

function resume(co: LuaValue, ...args: LuaValue[]): LuaResult {
  if (!(co instanceof LuaThread)) return argError('resume', 1, 'coroutine expected')
  if (co.status === 'dead') return [false, 'cannot resume dead coroutine']
  if (co.status !== 'suspended') return [false, 'cannot resume non-suspended coroutine']
  const prev = current
  if (prev !== null) prev.status = 'normal'
  current = co
  co.status = 'running'
  try {
    const r = co.fn(...args)
    return Array.isArray(r) ? [true, ...r] : [true, r]
  } catch (e) {
    if (e instanceof LuaAbort) throw e
    return [false, settleError(e)]
  } finally {
    co.status = 'dead'
    current = prev
    if (prev !== null) prev.status = 'running'
  }
}

export function openCoroutine(g: LuaTable): LuaTable {
  const lib = new LuaTable()
  const fns: Record<string, LuaFunction> = {
    create: (f) => {
      if (typeof f !== 'function') argError('create', 1, 'Lua function expected')
      return new LuaThread(f as LuaFunction)
    },
    resume,
    yield: () => {
      throw new LuaError('attempt to yield across metamethod/C-call boundary')
    },
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
        if (r[0] === false) throw new LuaError(r[1])
        return r.length === 2 ? r[1] : r.slice(1)
      }
    },
  }
  for (const [name, f] of Object.entries(fns)) lib.set(name, f)
  g.set('coroutine', lib)
  void checkTable
  void callable
  return lib
}
