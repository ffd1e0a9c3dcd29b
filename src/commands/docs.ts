/**
 * COMMAND DOCS's argument tree, derived from a spec's one-line syntax (Redis's
 * documentation notation) so that every command documents itself from one string:
 *
 *   key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]
 *
 * - lowercase words are arguments; their type comes from the name (key, integer,
 *   double, pattern, unix-time, else string);
 * - an UPPERCASE word before an argument or a group is that argument's `token`, and
 *   alone it is a pure token;
 * - `[...]` is optional, `a | b` a oneof, `<...>` or `(...)` a plain group;
 * - `x [x ...]` repeats x (`multiple`, and `multiple_token` when the repeat includes
 *   the token); a group of several arguments becomes a block named after its
 *   children joined by "_", which is also how Redis names most of its blocks.
 */

export interface ArgDoc {
  name: string
  type: 'key' | 'string' | 'integer' | 'double' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block'
  keySpecIndex?: number
  token?: string
  flags: ('optional' | 'multiple' | 'multiple_token')[]
  args?: ArgDoc[]
}

/** Syntax notation before it is given meaning: words, groups and repeats. */
type Raw =
  | { kind: 'word'; text: string }
  | { kind: 'group'; optional: boolean; alts: Raw[][] }
  | { kind: 'repeat'; items: Raw[] }

function tokenize(syntax: string): string[] {
  const out: string[] = []
  const re = /\.\.\.|[[\]()<>|]|[^\s[\]()<>|]+/g
  for (let m = re.exec(syntax); m !== null; m = re.exec(syntax)) out.push(m[0])
  return out
}

const CLOSERS: Record<string, string> = { '[': ']', '(': ')', '<': '>' }

class SyntaxParser {
  private pos = 0
  constructor(private readonly tokens: string[]) {}

  /** Alternatives up to `close` (or the end): each is a sequence of items. */
  parseAlts(close: string | null): Raw[][] {
    const alts: Raw[][] = [[]]
    while (this.pos < this.tokens.length) {
      const t = this.tokens[this.pos]
      if (t === close) {
        this.pos++
        break
      }
      this.pos++
      if (t === '|') alts.push([])
      else if (t in CLOSERS) {
        const group: Raw = { kind: 'group', optional: t === '[', alts: this.parseAlts(CLOSERS[t]) }
        pushItem(alts[alts.length - 1], group)
      } else if (t === '...') {
        alts[alts.length - 1].push({ kind: 'word', text: '...' })
      } else {
        alts[alts.length - 1].push({ kind: 'word', text: t })
      }
    }
    return alts
  }
}

/** Appends an item, folding `x [x ...]` into one repeat of x. */
function pushItem(seq: Raw[], item: Raw): void {
  if (item.kind === 'group' && item.optional && item.alts.length === 1) {
    const inner = item.alts[0]
    const last = inner[inner.length - 1]
    if (last?.kind === 'word' && last.text === '...') {
      const pattern = inner.slice(0, -1)
      const n = pattern.length
      if (n > 0 && n <= seq.length && pattern.every((p, i) => sameRaw(p, seq[seq.length - n + i]))) {
        seq.splice(seq.length - n, n, { kind: 'repeat', items: pattern })
        return
      }
      // "[x ...]" with nothing before it: x may appear any number of times.
      if (n > 0) {
        seq.push({ kind: 'group', optional: true, alts: [[{ kind: 'repeat', items: pattern }]] })
        return
      }
    }
  }
  seq.push(item)
}

function sameRaw(a: Raw, b: Raw): boolean {
  if (a.kind === 'word' && b.kind === 'word') return a.text === b.text
  return JSON.stringify(a) === JSON.stringify(b)
}

function isToken(r: Raw | undefined): boolean {
  return r !== undefined && r.kind === 'word' && /^[A-Z][A-Z0-9_-]*$/.test(r.text) && /[A-Z]/.test(r.text)
}

const INTEGER_NAMES = new Set([
  'count', 'offset', 'index', 'start', 'stop', 'end', 'db', 'numkeys', 'seconds', 'milliseconds', 'port',
  'increment', 'decrement', 'client-id', 'protover', 'ttl', 'numreplicas', 'rank', 'len', 'maxlen', 'threshold',
  'index1', 'index2', 'bit', 'numlocal', 'destination-db', 'samples', 'timeout-ms', 'frequency',
])
const DOUBLE_NAMES = new Set(['score', 'timeout', 'longitude', 'latitude', 'radius', 'width', 'height', 'weight'])

function typeOf(name: string): ArgDoc['type'] {
  if (name === 'key' || name === 'destination' || name === 'source' || name === 'newkey' || (/key$/.test(name) && name !== 'numkeys')) {
    return 'key'
  }
  if (INTEGER_NAMES.has(name)) return 'integer'
  if (DOUBLE_NAMES.has(name)) return 'double'
  if (name === 'pattern' || name.endsWith('-pattern')) return 'pattern'
  if (name.startsWith('unix-time')) return 'unix-time'
  return 'string'
}

const FLAG_ORDER = ['optional', 'multiple', 'multiple_token']

/** Flags are kept in the order Redis lists them. */
function addFlag(doc: ArgDoc, flag: ArgDoc['flags'][number]): ArgDoc {
  if (!doc.flags.includes(flag)) {
    doc.flags.push(flag)
    doc.flags.sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b))
  }
  return doc
}

/** One sequence of items as arguments: tokens attach to what follows them. */
function convertSeq(items: Raw[]): ArgDoc[] {
  const out: ArgDoc[] = []
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    const next = items[i + 1]
    if (isToken(item) && next !== undefined && !isToken(next) && !(next.kind === 'group' && next.optional)) {
      const doc = convertItem(next)
      doc.token = (item as { text: string }).text
      out.push(doc)
      i++
      continue
    }
    out.push(convertItem(item))
  }
  return out
}

function convertItem(item: Raw): ArgDoc {
  if (item.kind === 'word') {
    // MIGRATE's `<key | "">`: the empty string as a token of its own.
    if (item.text === '""') return { name: 'empty_string', type: 'pure-token', token: '', flags: [] }
    if (isToken(item)) return { name: item.text.toLowerCase(), type: 'pure-token', token: item.text, flags: [] }
    return { name: item.text, type: typeOf(item.text), flags: [] }
  }
  if (item.kind === 'repeat') {
    const docs = convertSeq(item.items)
    const doc = docs.length === 1 ? docs[0] : block(docs)
    addFlag(doc, 'multiple')
    if (docs.length === 1 && isToken(item.items[0]) && item.items.length > 1) addFlag(doc, 'multiple_token')
    return doc
  }
  const doc = convertAlts(item.alts)
  if (item.optional) addFlag(doc, 'optional')
  return doc
}

function block(args: ArgDoc[], token?: string): ArgDoc {
  const doc: ArgDoc = { name: args.map((a) => a.name).join('_'), type: 'block', flags: [], args }
  if (token !== undefined) doc.token = token
  return doc
}

function convertAlts(alts: Raw[][]): ArgDoc {
  // "TYPE NORMAL | MASTER | PUBSUB": the token applies to the whole choice.
  if (alts.length > 1 && alts[0].length === 2 && isToken(alts[0][0]) && isToken(alts[0][1]) &&
    alts.slice(1).every((a) => a.length === 1 && isToken(a[0]))) {
    const choice = convertAlts([[alts[0][1]], ...alts.slice(1)])
    choice.token = (alts[0][0] as { text: string }).text
    return choice
  }
  if (alts.length > 1) {
    const args = alts.map((a) => single(a))
    return { name: args.map((a) => a.name).join('_'), type: 'oneof', flags: [], args }
  }
  return single(alts[0])
}

/** A sequence that must be one argument: itself, or a block (with a leading token). */
function single(items: Raw[]): ArgDoc {
  if (items.length > 2 && isToken(items[0]) && !items.slice(1).some(isToken)) {
    return block(convertSeq(items.slice(1)), (items[0] as { text: string }).text)
  }
  const docs = convertSeq(items)
  return docs.length === 1 ? docs[0] : block(docs)
}

const cache = new Map<string, ArgDoc[]>()

/** The argument tree for a syntax line ('' gives no arguments). */
export function parseSyntax(syntax: string): ArgDoc[] {
  let docs = cache.get(syntax)
  if (docs === undefined) {
    const parser = new SyntaxParser(tokenize(syntax))
    const alts = parser.parseAlts(null)
    docs = alts.length === 1 ? convertSeq(alts[0]) : [convertAlts(alts)]
    for (const d of docs) numberDocKeys(d)
    cache.set(syntax, docs)
  }
  return docs
}

function numberDocKeys(d: ArgDoc): void {
  // One key spec covers the command's key range, so every key argument points at it.
  if (d.type === 'key') d.keySpecIndex = 0
  for (const a of d.args ?? []) numberDocKeys(a)
}

/**
 * The argv position of a top-level argument named `name` when every argument before
 * it is a plain required one (so its position is fixed), else 0. Used to describe
 * numkeys-style key specs.
 */
export function fixedPosition(syntax: string, name: string): number {
  const docs = parseSyntax(syntax)
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]
    if (d.name === name && d.token === undefined) return i + 1
    if (d.flags.length > 0 || d.type === 'block' || d.type === 'oneof' || d.token !== undefined) return 0
  }
  return 0
}
