import { frameEnd } from './differential.js'
import type { RawClient } from './raw.js'

/**
 * The original mini Redis client's wire format, and a reply decoder that keeps RESP
 * types apart (`:1` vs `$1\r\n1`), for the mini dialect and structured-value tests.
 */

/** A Python-like value as the mini client knows them: str, int, list, dict, None. */
export type MiniValue = string | number | null | MiniValue[] | { [key: string]: MiniValue }

/** Encodes exactly as the original mini client: str → bulk, int → `:`, list → `*`, dict → `%`, None → `$-1`. */
export function encodeMini(v: MiniValue): string {
  if (typeof v === 'string') return `$${Buffer.byteLength(v, 'latin1')}\r\n${v}\r\n`
  if (typeof v === 'number') return `:${v}\r\n`
  if (v === null) return '$-1\r\n'
  if (Array.isArray(v)) return `*${v.length}\r\n${v.map(encodeMini).join('')}`
  const entries = Object.entries(v)
  return `%${entries.length}\r\n${entries.map(([k, x]) => encodeMini(k) + encodeMini(x)).join('')}`
}

/** A decoded reply that keeps its RESP type, so tests can tell `:1` from `$1\r\n1`. */
export type Typed =
  | { type: 'bulk'; value: string }
  | { type: 'simple'; value: string }
  | { type: 'error'; value: string }
  | { type: 'integer'; value: number }
  | { type: 'null' }
  | { type: 'array'; items: Typed[] }
  | { type: 'map'; entries: [Typed, Typed][] }

export function decodeTyped(text: string): Typed {
  const buf = Buffer.from(text, 'latin1')
  const [value, end] = decodeAt(buf, 0)
  if (end !== buf.length) throw new Error(`trailing bytes after reply: ${JSON.stringify(text)}`)
  return value
}

function decodeAt(buf: Buffer, pos: number): [Typed, number] {
  const nl = buf.indexOf('\r\n', pos, 'latin1')
  const line = buf.toString('latin1', pos + 1, nl)
  const next = nl + 2
  switch (String.fromCharCode(buf[pos])) {
    case '+': return [{ type: 'simple', value: line }, next]
    case '-': return [{ type: 'error', value: line }, next]
    case ':': return [{ type: 'integer', value: Number(line) }, next]
    case '_': return [{ type: 'null' }, next]
    case '$': {
      const n = Number(line)
      if (n < 0) return [{ type: 'null' }, next]
      return [{ type: 'bulk', value: buf.toString('latin1', next, next + n) }, next + n + 2]
    }
    case '*': {
      const n = Number(line)
      if (n < 0) return [{ type: 'null' }, next]
      const items: Typed[] = []
      let p = next
      for (let i = 0; i < n; i++) {
        const [item, after] = decodeAt(buf, p)
        items.push(item)
        p = after
      }
      return [{ type: 'array', items }, p]
    }
    case '%': {
      const n = Number(line)
      const entries: [Typed, Typed][] = []
      let p = next
      for (let i = 0; i < n; i++) {
        const [k, afterKey] = decodeAt(buf, p)
        const [v, afterValue] = decodeAt(buf, afterKey)
        entries.push([k, v])
        p = afterValue
      }
      return [{ type: 'map', entries }, p]
    }
    default:
      throw new Error(`unexpected reply ${JSON.stringify(buf.toString('latin1', pos))}`)
  }
}

/** Sends one request and returns its complete reply. */
export async function call(c: RawClient, request: string): Promise<string> {
  c.write(request)
  let got = ''
  for (let i = 0; i < 100; i++) {
    got += await c.read(1, 100)
    const buf = Buffer.from(got, 'latin1')
    if (buf.length > 0 && frameEnd(buf, 0) === buf.length) return got
  }
  throw new Error(`no complete reply to ${JSON.stringify(request)}: ${JSON.stringify(got)}`)
}

