import type { ReplyWriter } from '../resp/writer.js'
import { latin1Write } from '../resp/latin1.js'
import type { HashValue } from '../store/hash.js'
import type { ListValue } from '../store/list.js'
import type { SetValue } from '../store/set.js'
import type { StreamValue } from '../store/stream.js'
import { MutableString, type KeyspaceValue } from '../store/types.js'
import type { ZSet } from '../store/zset.js'
import { rewriteKey, writeCommand } from './aof-rewrite.js'
import { lzfCompress } from './rdb-strings.js'
import { listNodeEnd, RdbType, RdbWriter, writeListNode, writeStreamNode, writeStreamState } from './rdb-values.js'

/**
 * Big values written in steps, so that a background save can spread one over many
 * event-loop turns: a list of a million elements took some 200 ms in one go, all of
 * it a stall for every client. Each next() of a generator here writes a bounded piece
 * (a quicklist node, 128 hash entries, 16 KiB of a string) and the bytes are those
 * writeObject (rdb-values.ts) would write, save for the LZF of strings over 64 KiB
 * (compressed in pieces here, see stringSteps), so a value's image does not depend on
 * which way it went out. The caller must not let the value change between steps: a
 * background save runs the rest at once before a command touches the key.
 *
 * Listpack-encoded hashes and sorted sets and intsets stay whole: their size is
 * bounded by the *-max-listpack-entries settings, and the format wants each as one
 * blob. So does a stream's consumer-group state, written after its nodes.
 */

/** Elements past which a collection goes in steps, and bytes past which a string does. */
const BIG_ELEMENTS = 1024
const BIG_BYTES = 64 << 10
/** Elements (entries, members) per step. */
const STEP = 128
/** Elements a list's sizing pass looks at per step: it is cheaper than building nodes. */
const SIZING_STEP = 1024
/** A long string's bytes per LZF step, and per step when copied as they are. */
const LZF_STEP = 16 << 10
const COPY_STEP = 256 << 10
/**
 * A long string is compressed piece by piece, and given up once it has shown, after
 * this many bytes, that it saves less than 2%: an incompressible one is not kept
 * twice over in memory.
 */
const LZF_TRIAL = 1 << 20

export type Steps = Generator<void, void, void>

/** Whether writing `value` should be spread over steps. */
export function isBig(value: KeyspaceValue): boolean {
  if (typeof value === 'string' || value instanceof MutableString) return value.length > BIG_BYTES
  switch (value.type) {
    case 'list':
      return value.size > BIG_ELEMENTS
    case 'hash':
      return !(value as HashValue).isListpack && value.size > STEP
    case 'set':
      return !(value as SetValue).isIntset && value.size > BIG_ELEMENTS
    case 'zset':
      return !(value as ZSet).isListpack && value.size > STEP
    case 'stream':
      return value.size > BIG_ELEMENTS
    default:
      return false
  }
}

/** A key's type byte, name and value in RDB form, as writeObject(w, value, key) writes them. */
export function* objectSteps(w: RdbWriter, key: string, value: KeyspaceValue): Steps {
  if (typeof value === 'string' || value instanceof MutableString) {
    head(w, RdbType.String, key)
    yield* stringSteps(w, typeof value === 'string' ? value : value.bytes())
    return
  }
  switch (value.type) {
    case 'list':
      return yield* listSteps(w, value as ListValue, key)
    case 'hash':
      return yield* hashSteps(w, value as HashValue, key)
    case 'set':
      return yield* setSteps(w, value as SetValue, key)
    case 'zset':
      return yield* zsetSteps(w, value as ZSet, key)
    case 'stream':
      return yield* streamSteps(w, value as StreamValue, key)
    default:
      throw new Error(`no steps for a value of type ${value.type}`)
  }
}

/**
 * The commands that rebuild a collection in an AOF base (aof-rewrite.ts), one per
 * step: 64 elements each. (A string is one SET, as Redis writes it; a save writes it
 * whole, a copy of some 1 ms per 10 MB.)
 */
export function* commandSteps(w: RdbWriter, key: string, value: KeyspaceValue, at: number | bigint | undefined, structured: ReplyWriter): Steps {
  for (const argv of rewriteKey(key, value, at)) {
    writeCommand(w, argv, structured)
    yield
  }
}

function head(w: RdbWriter, type: RdbType, key: string): void {
  w.byte(type)
  w.string(key)
}

/** An element of a collection: a long one in steps of its own. */
function* element(w: RdbWriter, s: string): Steps {
  if (s.length > BIG_BYTES) yield* stringSteps(w, s)
  else w.string(s)
}

/** The quicklist's nodes are sized first: their count comes before them. */
function* listSteps(w: RdbWriter, list: ListValue, key: string): Steps {
  head(w, RdbType.ListQuicklist2, key)
  const n = list.size
  const ends: number[] = []
  let sized = 0
  for (let at = 0; at < n;) {
    at = listNodeEnd(list, at)
    ends.push(at)
    if (at - sized >= SIZING_STEP) {
      sized = at
      yield
    }
  }
  w.length(ends.length)
  let from = 0
  for (const end of ends) {
    writeListNode(w, list, from, end)
    from = end
    yield
  }
}

function* hashSteps(w: RdbWriter, hash: HashValue, key: string): Steps {
  head(w, RdbType.Hash, key)
  w.length(hash.size)
  let n = 0
  for (const [f, v] of hash.entries()) {
    if (f.length > BIG_BYTES || v.length > BIG_BYTES) {
      yield* element(w, f)
      yield* element(w, v)
    } else {
      w.string(f)
      w.string(v)
    }
    if (++n % STEP === 0) yield
  }
}

function* setSteps(w: RdbWriter, set: SetValue, key: string): Steps {
  head(w, RdbType.Set, key)
  const members = set.members()
  w.length(members.length)
  for (let i = 0; i < members.length; i++) {
    const m = members[i]
    if (m.length > BIG_BYTES) yield* element(w, m)
    else w.string(m)
    if ((i + 1) % STEP === 0) yield
  }
}

/** Highest score first, as writeObject writes a skiplist. */
function* zsetSteps(w: RdbWriter, z: ZSet, key: string): Steps {
  head(w, RdbType.Zset2, key)
  w.length(z.size)
  let n = 0
  for (const [m, s] of z.entries(0, true)) {
    if (m.length > BIG_BYTES) yield* element(w, m)
    else w.string(m)
    w.binaryDouble(s)
    if (++n % STEP === 0) yield
  }
}

/** A node (some 100 entries) per step; decoded one at a time, as savedNodes gives them. */
function* streamSteps(w: RdbWriter, s: StreamValue, key: string): Steps {
  head(w, RdbType.StreamListpacks2, key)
  w.length(s.savedNodeCount)
  for (const node of s.savedNodes()) {
    writeStreamNode(w, node)
    yield
  }
  writeStreamState(w, s)
}

/**
 * A long RDB string. Compressed, it is LZF over 16 KiB pieces one after another: an
 * LZF stream's back references only reach into what it has produced, so separately
 * compressed pieces make one valid stream, which Redis decompresses as a whole. The
 * compressed length comes first, so the pieces are kept until the end.
 */
function* stringSteps(w: RdbWriter, s: string | Buffer): Steps {
  const n = s.length
  const scratch = typeof s === 'string' ? Buffer.allocUnsafe(Math.max(LZF_STEP, COPY_STEP)) : null
  const piece = (at: number, end: number): Buffer => {
    if (scratch === null) return (s as Buffer).subarray(at, end)
    const len = latin1Write(scratch, 0, (s as string).slice(at, end))
    return scratch.subarray(0, len)
  }
  if (w.compress) {
    const packed = new RdbWriter(false)
    let at = 0
    while (at < n && !(at >= LZF_TRIAL && packed.pos > at * 0.98)) {
      const end = Math.min(n, at + LZF_STEP)
      const bytes = piece(at, end)
      const lzf = lzfCompress(bytes, bytes.length - 1)
      if (lzf !== null) packed.raw(lzf)
      else literals(packed, bytes)
      at = end
      yield
    }
    if (at === n && packed.pos < n - 4) {
      w.byte(0xc3)
      w.length(packed.pos)
      w.length(n)
      for (let p = 0; p < packed.pos; p += COPY_STEP) {
        w.raw(packed.buf.subarray(p, Math.min(packed.pos, p + COPY_STEP)))
        yield
      }
      return
    }
  }
  w.length(n)
  for (let at = 0; at < n; at += COPY_STEP) {
    w.raw(piece(at, Math.min(n, at + COPY_STEP)))
    yield
  }
}

/** Bytes LZF could not shorten, as literal runs (of at most 32 bytes each). */
function literals(out: RdbWriter, bytes: Buffer): void {
  for (let i = 0; i < bytes.length; i += 32) {
    const k = Math.min(32, bytes.length - i)
    out.byte(k - 1)
    out.raw(bytes.subarray(i, i + k))
  }
}
