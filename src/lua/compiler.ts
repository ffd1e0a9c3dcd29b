import luaparse from 'luaparse'
import * as R from './runtime.js'
import { LuaError, LuaTable, type LuaFunction, type LuaValue } from './value.js'

/**
 * Lua 5.1 source → one JavaScript function per chunk. Locals become `let`
 * variables with unique names (so shadowing and keywords never clash, and loop
 * bodies get fresh bindings per iteration, as Lua closures expect); globals go
 * through the environment table. Values follow value.ts: a call result is a value
 * or a LuaMulti, and only the places where Lua keeps every value (last argument,
 * last table item, return list, multiple assignment) expand it.
 */

/**
 * Loop back-edges count down a function-local counter and charge the shared
 * budget once per batch: a local decrement is nearly free where the shared
 * object's read-modify-write cost several ns per iteration of a tight loop.
 */
const LOOP_BATCH = 256
const MAX_GENERATOR_DEPTH = 6
const BACK_EDGE = `if(--C===0){C=${LOOP_BATCH};if((B.left-=${LOOP_BATCH})<=0)R.budgetExhausted()}`

type Node = any // luaparse's AST; its types are too loose to help here

interface LocalVar { js: string; depth: number }

class Scope {
  vars = new Map<string, LocalVar>()
  constructor(readonly parent: Scope | null) {}
  find(name: string): LocalVar | undefined {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      const v = s.vars.get(name)
      if (v !== undefined) return v
    }
    return undefined
  }
}

interface FuncState { depth: number; temps: number; vararg: boolean; sites: Record<number, [string, number][]>; zero?: number }

const BINOPS: Record<string, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'modv', '^': 'powv' }

class Compiler {
  private uid = 0
  private scope = new Scope(null)
  private fn: FuncState = { depth: 0, temps: 0, vararg: true, sites: {} }
  private tempNames: string[] = []

  /** Compiling a generator twin: calls go through R.callGenerator so callees may yield. */
  private gen = false

  constructor(private readonly src: string, private readonly withGenerators: boolean) {}

  compileChunk(ast: Node): string {
    const body = this.block(ast.body, false)
    return this.funcWrap('...VA', body, true)
  }

  private funcWrap(params: string, body: string, main: boolean): string {
    const temps = this.tempNames.length ? `let ${this.tempNames.join(',')};` : ''
    const sites = Object.keys(this.fn.sites).length ? `,${JSON.stringify(this.fn.sites)}` : ''
    return `function${this.gen ? '*' : ''}(${params}){if(--B.left<=0)R.budgetExhausted();let L=0,C=${LOOP_BATCH};${temps}try{${body}return NO_VALUES}catch(e){throw R.fixError(e,CHUNK,L${sites})}}`
  }

  private temp(): string {
    const t = `$${this.fn.temps++}`
    this.tempNames.push(t)
    return t
  }

  private local(name: string): string {
    const js = `${name}$${this.uid++}`
    this.scope.vars.set(name, { js, depth: this.fn.depth })
    return js
  }

  private block(stmts: Node[], newScope = true): string {
    if (newScope) this.scope = new Scope(this.scope)
    let out = ''
    for (const s of stmts) out += this.statement(s)
    if (newScope) this.scope = this.scope.parent!
    return out
  }

  private line(n: Node): string {
    return `L=${n.loc.start.line};`
  }

  /**
   * In a statement spanning several lines, each operation that can fail records
   * its own line (Lua reports the line an instruction was emitted on: where its
   * expression ends); single-line statements set L once, keeping hot code lean.
   */
  private multiLine = false

  private at(n: Node): string {
    return this.multiLine ? `,L=${n.loc.end.line}` : ''
  }

  /** The line the current statement sets L to. */
  private stmtLine = 1

  private statement(s: Node): string {
    const saved = this.multiLine
    this.multiLine = s.loc.start.line !== s.loc.end.line
    this.stmtLine = s.loc.start.line
    try {
      return this.statementBody(s)
    } finally {
      this.multiLine = saved
    }
  }

  private statementBody(s: Node): string {
    switch (s.type) {
      case 'LocalStatement': {
        const init = this.explist(s.init, s.variables.length)
        const names = s.variables.map((v: Node) => v.name)
        const js = names.map((n: string) => this.local(n))
        return this.line(s) + init.pre + js.map((j: string, i: number) => `let ${j}=${init.vals[i]};`).join('')
      }
      case 'AssignmentStatement': {
        let pre = this.line(s)
        // Targets' table and key are evaluated before the values, as in Lua.
        const targets = s.variables.map((v: Node) => {
          if (v.type === 'Identifier') return { kind: 'id', node: v }
          const o = this.temp()
          const k = this.temp()
          pre += `${o}=${this.expr(v.base)};${k}=${v.type === 'MemberExpression' ? JSON.stringify(v.identifier.name) : this.expr(v.index)};`
          return { kind: 'ix', o, k, desc: this.describe(v.base) }
        })
        const init = this.explist(s.init, targets.length)
        pre += init.pre
        let vals = init.vals
        if (targets.length > 1) {
          const ts = vals.map((v) => { const t = this.temp(); pre += `${t}=${v};`; return t })
          vals = ts
        }
        targets.forEach((t: any, i: number) => {
          if (t.kind === 'id') pre += this.assignName(t.node.name, vals[i]) + ';'
          else pre += `R.setIndex(${t.o},${t.k},${vals[i]},${JSON.stringify(t.desc)});`
        })
        return pre
      }
      case 'CallStatement':
        return this.line(s) + this.call(s.expression, false) + ';'
      case 'DoStatement':
        return `{${this.block(s.body)}}`
      case 'ReturnStatement': {
        const args = s.arguments
        if (args.length === 0) return 'return NO_VALUES;'
        if (args.length === 1) {
          const a = args[0]
          if (this.isMulti(a)) return this.line(s) + `return ${this.multiExpr(a)};`
          return this.line(s) + `return ${this.expr(a)};`
        }
        return this.line(s) + `return ${this.arrayOf(args)};`
      }
      case 'IfStatement': {
        let out = this.line(s)
        s.clauses.forEach((c: Node, i: number) => {
          if (c.type === 'ElseClause') out += `else{${this.block(c.body)}}`
          else out += `${i ? 'else ' : ''}if(${this.cond(c.condition)}){${this.block(c.body)}}`
        })
        return out
      }
      case 'WhileStatement':
        return `${this.line(s)}while(${this.cond(s.condition)}){${BACK_EDGE}${this.block(s.body)}L=${s.loc.start.line};}`
      case 'RepeatStatement': {
        this.scope = new Scope(this.scope)
        const body = this.block(s.body, false)
        const cond = this.cond(s.condition)
        this.scope = this.scope.parent!
        return `for(;;){${BACK_EDGE}${body}if(${cond})break;}`
      }
      case 'BreakStatement':
        return 'break;'
      case 'ForNumericStatement': {
        const [i, lim, st] = [this.temp(), this.temp(), this.temp()]
        let out = this.line(s)
        out += `${i}=R.forNumber(${this.expr(s.start)},'initial value');${lim}=R.forNumber(${this.expr(s.end)},'limit');`
        out += `${st}=${s.step ? `R.forNumber(${this.expr(s.step)},'step')` : '1'};`
        const stepConst = s.step === null ? 1 : s.step.type === 'NumericLiteral' ? s.step.value : null
        const test = stepConst === null ? `(${st}>0?${i}<=${lim}:${i}>=${lim})` : stepConst > 0 ? `${i}<=${lim}` : `${i}>=${lim}`
        this.scope = new Scope(this.scope)
        const v = this.local(s.variable.name)
        const body = this.block(s.body, false)
        this.scope = this.scope.parent!
        return `${out}for(;${test};${i}+=${st}){${BACK_EDGE}let ${v}=${i};${body}}`
      }
      case 'ForGenericStatement': {
        const [f, st, c, r] = [this.temp(), this.temp(), this.temp(), this.temp()]
        const init = this.explist(s.iterators, 3)
        let out = this.line(s) + init.pre + `${f}=${init.vals[0]};${st}=${init.vals[1]};${c}=${init.vals[2]};`
        this.scope = new Scope(this.scope)
        const names = s.variables.map((v: Node) => this.local(v.name))
        const body = this.block(s.body, false)
        this.scope = this.scope.parent!
        const call = this.gen ? `(yield* R.callGenerator(${f},[${st},${c}]))` : `(typeof ${f}==='function'?${f}:R.callable(${f}))(${st},${c})`
        let loop = `for(;;){${BACK_EDGE}L=${s.loc.start.line};let ${names.join(',')};`
        // ipairs steps inline: no call and no [k, v] result array per iteration.
        loop += `if(${f}===R.ipairsStep&&${st} instanceof R.LuaTable){${names[0]}=${c}+1;`
        loop += names.length > 1 ? `${names[1]}=${st}.get(${names[0]});if(${names[1]}===undefined)${names[0]}=undefined;}` : `if(${st}.get(${names[0]})===undefined)${names[0]}=undefined;}`
        loop += `else{${r}=${call};`
        if (names.length === 1) loop += `${names[0]}=Array.isArray(${r})?${r}[0]:${r};}`
        else loop += `if(Array.isArray(${r})){${names.map((n: string, k: number) => `${n}=${r}[${k}];`).join('')}}else ${names[0]}=${r};}`
        loop += `if(${names[0]}===undefined)break;${c}=${names[0]};${body}}`
        return out + loop
      }
      case 'FunctionDeclaration': {
        const id = s.identifier
        if (s.isLocal) {
          const js = this.local(id.name)
          return `let ${js};${js}=${this.func(s, false)};`
        }
        if (id.type === 'Identifier') return this.line(s) + this.assignName(id.name, this.func(s, false)) + ';'
        const isMethod = id.indexer === ':'
        return this.line(s) + `R.setIndex(${this.expr(id.base)},${JSON.stringify(id.identifier.name)},${this.func(s, isMethod)},${JSON.stringify(this.describe(id.base))});`
      }
      default:
        throw new LuaError(`unsupported statement ${s.type}`)
    }
  }

  private assignName(name: string, value: string): string {
    const v = this.scope.find(name)
    if (v !== undefined) return `${v.js}=${value}`
    return `R.setIndex(ENV,${JSON.stringify(name)},${value})`
  }

  /**
   * A function expression. In chunks that use coroutines every function also gets
   * a generator twin (same upvalues, since both are created in the same scope)
   * that coroutine.resume runs so coroutine.yield can suspend it; other chunks
   * pay nothing. Twins nest, so very deep nesting stops getting them.
   */
  private func(f: Node, isMethod: boolean): string {
    const normal = this.funcVariant(f, isMethod, false)
    if (!this.withGenerators || this.fn.depth >= MAX_GENERATOR_DEPTH) return normal
    return `R.withGenerator(${normal},${this.funcVariant(f, isMethod, true)})`
  }

  private funcVariant(f: Node, isMethod: boolean, gen: boolean): string {
    const savedScope = this.scope
    const savedFn = this.fn
    const savedTemps = this.tempNames
    const savedGen = this.gen
    this.gen = gen
    this.scope = new Scope(this.scope)
    this.fn = { depth: savedFn.depth + 1, temps: 0, vararg: false, sites: {} }
    this.tempNames = []
    const params: string[] = []
    if (isMethod) params.push(this.local('self'))
    for (const p of f.parameters) {
      if (p.type === 'VarargLiteral') {
        this.fn.vararg = true
        params.push('...VA')
      } else params.push(this.local(p.name))
    }
    const body = this.block(f.body, false)
    const out = this.funcWrap(params.join(','), body, false)
    this.gen = savedGen
    this.scope = savedScope
    this.fn = savedFn
    this.tempNames = savedTemps
    return `(${out})`
  }

  /** A variable's description for error texts, as Lua 5.1's getobjname gives it. */
  private describe(n: Node): string {
    switch (n.type) {
      case 'Identifier': {
        const v = this.scope.find(n.name)
        if (v === undefined) return `global '${n.name}'`
        return v.depth === this.fn.depth ? `local '${n.name}'` : `upvalue '${n.name}'`
      }
      case 'MemberExpression':
        return n.indexer === ':' ? `method '${n.identifier.name}'` : `field '${n.identifier.name}'`
      case 'IndexExpression':
        return n.index.type === 'StringLiteral' ? `field '${n.index.value}'` : "field '?'"
      default:
        return ''
    }
  }

  /** Whether the expression is written inside parentheses, which cut it to one value. */
  private parenthesized(n: Node, expected: number): boolean {
    let i = n.range[0] - 1
    let count = 0
    for (; i >= 0; i--) {
      const c = this.src[i]
      if (c === '(') count++
      else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') break
    }
    return count > expected
  }

  private isMulti(n: Node, expectedParens = 0): boolean {
    if (n.type === 'VarargLiteral' || n.type === 'CallExpression' || n.type === 'StringCallExpression' || n.type === 'TableCallExpression') {
      return !this.parenthesized(n, expectedParens)
    }
    return false
  }

  /** All values of a call or `...` (a LuaResult). */
  private multiExpr(n: Node): string {
    if (n.type === 'VarargLiteral') return '(VA.length===1?VA[0]:VA)'
    return this.call(n, false)
  }

  /** A JS array expression of all values of an expression list. */
  private arrayOf(list: Node[], parensOnLast = 0): string {
    const parts = list.map((e, i) => {
      if (i === list.length - 1 && this.isMulti(e, parensOnLast)) {
        return e.type === 'VarargLiteral' ? '...VA' : `...R.allOf(${this.call(e, false)})`
      }
      return this.expr(e)
    })
    return `[${parts.join(',')}]`
  }

  /** Values of an expression list adjusted to n, with any statements needed first. */
  private explist(list: Node[], n: number): { pre: string; vals: string[] } {
    const vals: string[] = []
    let pre = ''
    for (let i = 0; i < list.length; i++) {
      const e = list[i]
      if (i === list.length - 1 && i < n - 1 && this.isMulti(e)) {
        const t = this.temp()
        pre += `${t}=R.allOf(${this.multiExpr(e)});`
        for (let k = 0; i + k < n; k++) vals.push(`${t}[${k}]`)
        return { pre, vals }
      }
      if (i < n) {
        vals.push(this.expr(e))
      } else {
        // Extra values are still evaluated for their side effects.
        pre += `${this.expr(e)};`
      }
    }
    while (vals.length < n) vals.push('undefined')
    if (list.length > n && vals.length) {
      // Keep evaluation order: values first into temps, then the extra expressions.
      const ts = vals.map((v) => { const t = this.temp(); return [t, v] })
      const extra = pre
      pre = ts.map(([t, v]) => `${t}=${v};`).join('') + extra
      return { pre, vals: ts.map(([t]) => t) }
    }
    return { pre, vals }
  }

  private cond(n: Node): string {
    if (n.type === 'BinaryExpression' && ['==', '~=', '<', '>', '<=', '>='].includes(n.operator)) return this.expr(n)
    if (n.type === 'UnaryExpression' && n.operator === 'not') return this.expr(n)
    if (n.type === 'BooleanLiteral') return String(n.value)
    return `R.isTruthy(${this.expr(n)})`
  }

  private call(n: Node, single: boolean): string {
    let args: Node[]
    if (n.type === 'StringCallExpression') args = [n.argument]
    else if (n.type === 'TableCallExpression') args = [n.arguments]
    else args = n.arguments
    const argList = (prefix: string) => {
      const arr = args.length ? this.arrayOf(args, args.length === 1 ? 1 : 0).slice(1, -1) : ''
      return prefix && arr ? `${prefix},${arr}` : prefix || arr
    }
    const base = n.base
    this.callSite(base)
    let code: string
    if (this.gen) {
      if (base.type === 'MemberExpression' && base.indexer === ':') {
        const o = this.temp()
        const name = JSON.stringify(base.identifier.name)
        code = `(${o}=${this.expr(base.base)},yield* R.callGenerator(R.indexStr(${o},${name},${JSON.stringify(this.describe(base.base))}),[${argList(o)}],${JSON.stringify(this.describe(base))}))`
      } else {
        code = `(yield* R.callGenerator(${this.expr(base)},[${argList('')}],${JSON.stringify(this.describe(base))}))`
      }
    } else if (base.type === 'MemberExpression' && base.indexer === ':') {
      const o = this.temp()
      const f = this.temp()
      const name = JSON.stringify(base.identifier.name)
      code = `(${o}=${this.expr(base.base)},${f}=R.indexStr(${o},${name},${JSON.stringify(this.describe(base.base))}),(typeof ${f}==='function'?${f}:R.callable(${f},${JSON.stringify(this.describe(base))})))(${argList(o)})`
    } else {
      const f = this.temp()
      code = `(typeof (${f}=${this.expr(base)})==='function'?${f}:R.callable(${f},${JSON.stringify(this.describe(base))}))(${argList('')})`
    }
    if (this.multiLine) code = `(L=${base.loc.end.line},${code})`
    return single ? `R.firstOf(${code})` : code
  }

  /** Records how Lua would name the callee of a call on this line (for argument errors). */
  private callSite(base: Node): void {
    const line = this.multiLine ? base.loc.end.line : this.stmtLine
    const desc = this.describe(base)
    const m = /'(.*)'$/s.exec(desc)
    const list = this.fn.sites[line] ?? (this.fn.sites[line] = [])
    list.push([m === null ? '?' : m[1], base.type === 'MemberExpression' && base.indexer === ':' ? 1 : 0])
  }

  /** Description of an operand for arithmetic/concat errors (constants and temporaries have none). */
  private operandDesc(n: Node): string {
    return this.describe(n)
  }

  expr(n: Node): string {
    switch (n.type) {
      case 'NilLiteral': return 'undefined'
      case 'BooleanLiteral': return String(n.value)
      case 'NumericLiteral': return this.numberConst(n.value)
      case 'StringLiteral': return JSON.stringify(n.value)
      case 'VarargLiteral': return 'VA[0]'
      case 'Identifier': {
        const v = this.scope.find(n.name)
        if (v !== undefined) return v.js
        return `R.indexStr(ENV,${JSON.stringify(n.name)})`
      }
      case 'MemberExpression':
        return `R.indexStr(${this.expr(n.base)},${JSON.stringify(n.identifier.name)},${JSON.stringify(this.describe(n.base))}${this.at(n)})`
      case 'IndexExpression':
        return `R.index(${this.expr(n.base)},${this.expr(n.index)},${JSON.stringify(this.describe(n.base))}${this.at(n)})`
      case 'CallExpression':
      case 'StringCallExpression':
      case 'TableCallExpression':
        return this.call(n, true)
      case 'FunctionDeclaration':
        return this.func(n, false)
      case 'TableConstructorExpression': return this.tableCons(n)
      case 'LogicalExpression': {
        const t = this.temp()
        const l = this.expr(n.left)
        const r = this.expr(n.right)
        return n.operator === 'and' ? `(R.isTruthy(${t}=${l})?${r}:${t})` : `(R.isTruthy(${t}=${l})?${t}:${r})`
      }
      case 'UnaryExpression': {
        const folded = constValue(n)
        if (folded !== undefined) return `(${this.numberConst(folded)})`
        if (n.operator === 'not') {
          const a = n.argument
          if (a.type === 'BinaryExpression' && ['==', '~=', '<', '>', '<=', '>='].includes(a.operator)) return `!${this.expr(a)}`
          return `!R.isTruthy(${this.expr(a)})`
        }
        if (n.operator === '-') {
          if (n.argument.type === 'NumericLiteral') return `(${this.numberConst(-n.argument.value)})`
          return `R.neg(${this.expr(n.argument)},${JSON.stringify(this.operandDesc(n.argument))}${this.at(n)})`
        }
        return `R.len(${this.expr(n.argument)},${JSON.stringify(this.operandDesc(n.argument))}${this.at(n)})`
      }
      case 'BinaryExpression': {
        const folded = constValue(n)
        if (folded !== undefined) return `(${this.numberConst(folded)})`
        const op = n.operator
        const l = this.expr(n.left)
        const r = this.expr(n.right)
        const dl = JSON.stringify(this.operandDesc(n.left))
        const dr = JSON.stringify(this.operandDesc(n.right))
        if (op in BINOPS) {
          // Literal operands compute inline, except where a NaN could come out: V8 folds
          // constants to a positive NaN, where x86 (and so Lua) computes "-nan".
          if (n.left.type === 'NumericLiteral' && n.right.type === 'NumericLiteral' && (op === '+' || op === '-' || op === '*') &&
            Number.isFinite(n.left.value) && Number.isFinite(n.right.value)) return `(${l}${op}${r})`
          return `R.${BINOPS[op]}(${l},${r},${dl},${dr}${this.at(n)})`
        }
        switch (op) {
          case '..': return `R.concat(${l},${r},${dl},${dr}${this.at(n)})`
          case '==': return this.simpleEq(n) ? `(${l}===${r})` : `R.eq(${l},${r})`
          case '~=': return this.simpleEq(n) ? `(${l}!==${r})` : `!R.eq(${l},${r})`
          case '<': return `R.lt(${l},${r}${this.at(n)})`
          case '<=': return `R.le(${l},${r}${this.at(n)})`
          // Lua evaluates a > b as b < a, after evaluating a then b.
          case '>': { const t = this.temp(); return `(${t}=${l},R.lt(${r},${t}${this.at(n)}))` }
          case '>=': { const t = this.temp(); return `(${t}=${l},R.le(${r},${t}${this.at(n)}))` }
        }
        throw new LuaError(`unsupported operator ${op}`)
      }
      default:
        throw new LuaError(`unsupported expression ${n.type}`)
    }
  }

  /**
   * A numeric constant. Lua 5.1 keeps a function's constants in a table keyed by value,
   * where 0 and -0 are one key: whichever zero the function uses first stands for both.
   */
  private numberConst(v: number): string {
    if (v === 0) {
      if (this.fn.zero === undefined) this.fn.zero = v
      return numberLiteral(this.fn.zero)
    }
    return numberLiteral(v)
  }

  private simpleEq(n: Node): boolean {
    const lit = (x: Node) => ['NilLiteral', 'BooleanLiteral', 'NumericLiteral', 'StringLiteral'].includes(x.type)
    return lit(n.left) || lit(n.right)
  }

  private tableCons(n: Node): string {
    const items: Node[] = []
    const keyed: string[] = []
    for (const f of n.fields) {
      if (f.type === 'TableValue') items.push(f.value)
      else if (f.type === 'TableKeyString') keyed.push(JSON.stringify(f.key.name), this.expr(f.value))
      else keyed.push(this.expr(f.key), this.expr(f.value))
    }
    const last = n.fields[n.fields.length - 1]
    const lastPositional = last !== undefined && last.type === 'TableValue'
    let arr: string
    if (items.length && !lastPositional) {
      arr = `[${items.map((e) => this.expr(e)).join(',')}]`
    } else {
      arr = this.arrayOf(items)
    }
    return `R.table(${arr},${keyed.length ? `[${keyed.join(',')}]` : 'null'})`
  }
}

/**
 * The value of arithmetic on numeric constants, which Lua 5.1's code generator folds
 * (constfolding): not a division or modulo by zero, nor a NaN. Folded operands never
 * become constants of the function (which matters for the zero they stand for).
 */
function constValue(n: Node): number | undefined {
  if (n.type === 'NumericLiteral') return n.value
  if (n.type === 'UnaryExpression' && n.operator === '-') {
    const v = constValue(n.argument)
    return v === undefined ? undefined : -v
  }
  if (n.type !== 'BinaryExpression' || !(n.operator in BINOPS)) return undefined
  const a = constValue(n.left)
  if (a === undefined) return undefined
  const b = constValue(n.right)
  if (b === undefined) return undefined
  let r: number
  switch (n.operator) {
    case '+': r = a + b; break
    case '-': r = a - b; break
    case '*': r = a * b; break
    case '/': if (b === 0) return undefined; r = a / b; break
    case '%': if (b === 0) return undefined; r = R.mod(a, b); break
    default: r = R.pow(a, b)
  }
  return r === r ? r : undefined
}

function numberLiteral(v: number): string {
  if (v === Infinity) return 'Infinity'
  if (Object.is(v, -0)) return '-0'
  return String(v)
}

/** luaO_chunkid: how a chunk name shows in messages. */
export function chunkId(source: string): string {
  if (source.startsWith('=') || source.startsWith('@')) return source.slice(1)
  let len = source.search(/[\n\r]/)
  if (len < 0) len = source.length
  const max = 60 - 17
  if (len > max) len = max
  return len < source.length ? `[string "${source.slice(0, len)}..."]` : `[string "${source}"]`
}

const SYNTAX = /^\[(\d+):(\d+)\] (.*)$/s

/** Parses and translates; throws a LuaError with Lua 5.1's syntax-error text. */
function translate(source: string, chunk: string): string {
  let ast: Node
  try {
    ast = luaparse.parse(source, { luaVersion: '5.1', locations: true, ranges: true, encodingMode: 'pseudo-latin1', comments: false, scope: false } as any)
  } catch (e) {
    const m = e instanceof Error ? SYNTAX.exec(e.message) : null
    if (m === null) throw new LuaError(`${chunk}: ${e instanceof Error ? e.message : String(e)}`)
    const index = (e as { index?: number }).index ?? source.length
    const malformed = malformedNumber(source, index)
    if (malformed !== null) throw new LuaError(`${chunk}:${malformed.line}: malformed number near '${malformed.text}'`)
    let text = luaSyntaxMessage(m[3], source, index)
    const stray = /^unexpected symbol near '(.*)'$/s.exec(text)
    if (stray !== null && endsChunk(source, index, stray[1])) text = `'<eof>' expected near '${stray[1]}'`
    const closing = /^'(end|until|\}|\)|\])' expected near (.*)$/s.exec(text)
    if (closing !== null) {
      const opener = innermostOpener(source, (e as { index?: number }).index ?? source.length)
      if (opener !== null && opener.line !== Number(m[1])) {
        text = `'${closing[1]}' expected (to close '${opener.what}' at line ${opener.line}) near ${closing[2]}`
      }
    }
    throw new LuaError(`${chunk}:${m[1]}: ${text}`)
  }
  const c = new Compiler(source, source.includes('coroutine'))
  return c.compileChunk(ast)
}

/**
 * A cursor over Lua source for the error-path scanners below (luaparse does not say
 * enough about where it failed): it steps over what holds no tokens for them, with
 * the line count kept.
 */
class SourceCursor {
  i = 0
  line = 1
  constructor(readonly src: string) {}

  /** The level of a long bracket opening at `at` ("[[" or "[=*["), or -1. */
  private longBracket(at: number): number {
    let j = at + 1
    while (this.src[j] === '=') j++
    return this.src[j] === '[' ? j - at - 1 : -1
  }

  private skipLong(at: number, level: number): void {
    const close = ']' + '='.repeat(level) + ']'
    const k = this.src.indexOf(close, at)
    const stop = k < 0 ? this.src.length : k + close.length
    for (let x = at; x < stop; x++) if (this.src[x] === '\n') this.line++
    this.i = stop
  }

  /** Steps over a newline, comment, quoted string or long string at the cursor; false if there is none. */
  skipTrivia(): boolean {
    const src = this.src
    const i = this.i
    const c = src[i]
    if (c === '\n') {
      this.line++
      this.i++
      return true
    }
    if (c === '-' && src[i + 1] === '-') {
      const level = src[i + 2] === '[' ? this.longBracket(i + 2) : -1
      if (level >= 0) {
        this.skipLong(i + 2, level)
      } else {
        let j = i
        while (j < src.length && src[j] !== '\n') j++
        this.i = j
      }
      return true
    }
    if (c === '"' || c === "'") {
      let j = i + 1
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1
      this.i = j + 1
      return true
    }
    if (c === '[') {
      const level = this.longBracket(i)
      if (level >= 0) {
        this.skipLong(i, level)
        return true
      }
    }
    return false
  }
}

/**
 * The first numeral before `end` that Lua's lexer would refuse: it reads digits and
 * dots, an exponent with its sign, then any letters, digits and underscores, and the
 * whole must convert ("3..4", "0x1g", "1.2.3"). luaparse stops earlier and blames
 * the next token instead.
 */
function malformedNumber(src: string, end: number): { text: string; line: number } | null {
  const cur = new SourceCursor(src)
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'
  while (cur.i < src.length && cur.i <= end) {
    if (cur.skipTrivia()) continue
    let i = cur.i
    const c = src[i]
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /\w/.test(src[i])) i++
    } else if (isDigit(c) || (c === '.' && isDigit(src[i + 1]))) {
      const start = i
      while (isDigit(src[i]) || src[i] === '.') i++
      if (src[i] === 'e' || src[i] === 'E') {
        i++
        if (src[i] === '+' || src[i] === '-') i++
      }
      while (i < src.length && /\w/.test(src[i])) i++
      const text = src.slice(start, i)
      if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && !/^0[xX][0-9a-fA-F]+$/.test(text)) return { text, line: cur.line }
    } else {
      i++
    }
    cur.i = i
  }
  return null
}

/** The significant character before `index` (spaces skipped), or '' at the start. */
function previousChar(src: string, index: number): string {
  let i = index - 1
  while (i >= 0 && /\s/.test(src[i])) i--
  return i < 0 ? '' : src[i]
}

/** luaparse's wording → Lua 5.1's, for the messages that differ. */
function luaSyntaxMessage(msg: string, source: string, index: number): string {
  // "\300": Lua names the string read so far, from its opening quote.
  if (/^decimal escape too large/.test(msg)) {
    let b = index - 1
    while (b > 0 && source[b] !== '\\') b--
    let q = b - 1
    while (q >= 0 && !((source[q] === '"' || source[q] === "'") && source[q - 1] !== '\\')) q--
    return `escape sequence too large near '${source.slice(Math.max(q, 0), b)}'`
  }
  // After "(", "{" or a separator Lua wants an expression (or a field) first.
  const close = /^'([)}])' expected near (.*)$/s.exec(msg)
  if (close !== null) {
    const prev = previousChar(source, index)
    if (prev === '(' || prev === ',' || (close[1] === '}' && (prev === '{' || prev === ';'))) return `unexpected symbol near ${close[2]}`
  }
  // A statement that is only a parenthesised expression cannot be assigned to.
  const stray = /^unexpected symbol near (.*)$/s.exec(msg)
  if (stray !== null && previousChar(source, index) === ')' && parenthesisedStatement(source, index)) return `syntax error near ${stray[1]}`
  const expr = /^<expression> expected near (.*)$/s.exec(msg)
  if (expr !== null) return `unexpected symbol near ${expr[1]}`
  const name = /^<name> expected near (.*)$/s.exec(msg)
  if (name !== null) return `'<name>' expected near ${name[1]}`
  const unexpected = /^unexpected (?:symbol|keyword|identifier|number|string|boolean) '(.*)' near '.*'$/s.exec(msg)
  if (unexpected !== null) return `unexpected symbol near '${unexpected[1]}'`
  const long = /^(unfinished long (?:string|comment)) \(starting at line \d+\)(.*)$/s.exec(msg)
  if (long !== null) return long[1] + long[2]
  const str = /^unfinished string near '(.*)'$/s.exec(msg)
  if (str !== null && source.endsWith(str[1])) return "unfinished string near '<eof>'"
  return msg
}

/** Whether the text before `index` ends a statement of the form `( ... )`. */
function parenthesisedStatement(src: string, index: number): boolean {
  let i = index - 1
  while (i >= 0 && /\s/.test(src[i])) i--
  let depth = 0
  for (; i >= 0; i--) {
    if (src[i] === ')') depth++
    else if (src[i] === '(' && --depth === 0) break
  }
  if (i < 0) return false
  const before = src.slice(0, i).trimEnd()
  return before === '' || before.endsWith(';') || /(?:^|[^\w])(?:do|then|else|end|repeat)$/.test(before)
}

/**
 * Whether the chunk is complete before `index` and Lua would rather say it
 * expected the end of the chunk: a `return` must be last, and a stray
 * block-closing keyword cannot start a statement.
 */
function endsChunk(source: string, index: number, token: string): boolean {
  let body: Node[]
  try {
    body = (luaparse.parse(source.slice(0, index), { luaVersion: '5.1', encodingMode: 'pseudo-latin1' } as any) as Node).body
  } catch {
    return false
  }
  const last = body[body.length - 1]
  return (last !== undefined && last.type === 'ReturnStatement' && last.arguments.length > 0) || ['end', 'until', 'else', 'elseif'].includes(token)
}

/**
 * The innermost block or bracket still open at `end`, for Lua's "(to close 'X'
 * at line N)". A small scanner: luaparse does not say which block it was in.
 */
function innermostOpener(src: string, end: number): { what: string; line: number } | null {
  const stack: { what: string; line: number }[] = []
  const cur = new SourceCursor(src)
  let loopAwaitsDo = 0
  while (cur.i < end && cur.i < src.length) {
    if (cur.skipTrivia()) continue
    const i = cur.i
    const c = src[i]
    const line = cur.line
    if (/[A-Za-z_]/.test(c)) {
      let j = i
      while (j < src.length && /\w/.test(src[j])) j++
      const word = src.slice(i, j)
      cur.i = j
      if (word === 'function' || word === 'if' || word === 'repeat') stack.push({ what: word, line })
      else if (word === 'for' || word === 'while') { stack.push({ what: word, line }); loopAwaitsDo++ }
      else if (word === 'do') {
        if (loopAwaitsDo > 0) loopAwaitsDo--
        else stack.push({ what: 'do', line })
      } else if (word === 'end' || word === 'until') stack.pop()
      continue
    }
    if (c === '{' || c === '(' || c === '[') stack.push({ what: c, line })
    else if (c === '}' || c === ')' || c === ']') stack.pop()
    cur.i = i + 1
  }
  return stack.length ? stack[stack.length - 1] : null
}

type Factory = (r: typeof R, b: R.Budget, env: LuaTable, chunk: string, noValues: unknown) => LuaFunction

const cache = new Map<string, Factory>()
const CACHE_MAX = 1000

/**
 * Compiles `source` to a Lua function whose globals live in `env`. `chunk` is the
 * name used in messages (already in its displayed form, e.g. "user_script").
 * The translation is cached by source text.
 */
export function compile(source: string, chunk: string, env: LuaTable): LuaFunction {
  let factory = cache.get(source)
  if (factory === undefined) {
    const body = translate(source, chunk)
    try {
      factory = new Function('R', 'B', 'ENV', 'CHUNK', 'NO_VALUES', `return ${body}`) as Factory
    } catch (e) {
      // A translation bug must reach the host as a script error, never as a crash.
      throw new LuaError(`${chunk}: internal compiler error: ${e instanceof Error ? e.message : String(e)}`)
    }
    if (cache.size >= CACHE_MAX) cache.clear()
    cache.set(source, factory)
  }
  return factory(R, R.budget, env, chunk, R.NO_VALUES)
}

/** The generated JavaScript, for tests and debugging. */
export function translateForDebug(source: string): string {
  return translate(source, 'debug')
}
