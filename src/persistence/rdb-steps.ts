import type { ReplyWriter } from '../resp/writer.js'
import { latin1Write } from '../resp/latin1.js'
import type { HashValue } from '../store/hash.js'
import { ListValue } from '../store/list.js'
import type { SetValue } from '../store/set.js'
import type { StreamValue } from '../store/stream.js'
import { MutableString, type KeyspaceValue } from '../store/types.js'
import type { ZSet } from '../store/zset.js'
import { rewriteKey, writeCommand } from './aof-rewrite.js'
import { lzfCompress } from './rdb-strings.js'
import { listNodeEnd, RdbType, RdbWriter, writeListNode, writeStreamNode, writeStreamState, type ListLike } from './rdb-values.js'

/**
 * Big values written in steps, so that a background save can spread one over many
 * event-loop turns: a list of a million elements took some 200 ms in one go, all of
 * it a stall for every client. Each next() of a generator here writes a bounded piece
 * (a quicklist node, 128 hash entries, 16 KiB of a string) and the bytes are those
 * writeObject (rdb-values.ts) would write, save for the LZF of strings over 64 KiB
 * (compressed in pieces here, see stringSteps), so a value's image does not depend on
 * which way it went out. The value must not change between steps: before a command
 * touches the key, a background save calls detach(), and runs the rest of the steps
 * at once when that cannot copy what they still read.
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

/** Elements i >= offset of a list, copied: what a big list's steps read once detached. */
class ListTail implements ListLike {
  constructor(
    private readonly items: string[],
    private readonly offset: number,
  ) {}

  get size(): number {
    return this.offset + this.items.length
  }

  at(i: number): string {
    return this.items[i - this.offset]
  }
}

/**
 * A key's type byte, name and value in RDB form, as writeObject(w, value, key) writes
 * them, in steps. The steps read the value where it lies; detach() lets the value
 * change meanwhile by copying what they still need, where that is cheap.
 */
export class BigValue {
  readonly steps: Steps
  /** What the steps read of a list, a set's members, a byte string. */
  private list: ListLike | null = null
  private members: readonly string[] | null = null
  private bytes: Buffer | null = null
  /** The value is a JS string, which never changes. */
  private text = false
  /** The next list element (once the nodes are sized) or set member to write. */
  private next = 0
  private detached = false

  constructor(w: RdbWriter, key: string, value: KeyspaceValue) {
    this.steps = this.write(w, key, value)
  }

  /**
   * The value is about to change in place: copies what the steps still read, so they
   * can go on at the save's pace. A list's remaining elements and a set's remaining
   * members are pointers (a few ms per million), a byte string one copy, and a JS
   * string never changes. False for hashes, sorted sets and streams, whose copy would
   * cost about what writing them does: the caller finishes those at once.
   */
  detach(): boolean {
    if (this.detached) return true
    this.detached = true
    if (this.list instanceof ListValue) {
      const list = this.list
      const from = Math.min(this.next, list.size)
      this.list = new ListTail(list.slice(from, list.size - 1), from)
      return true
    }
    if (this.members !== null) {
      this.members = this.members.slice(this.next)
      this.next = 0
      return true
    }
    if (this.bytes !== null) {
      this.bytes = Buffer.from(this.bytes)
      return true
    }
    this.detached = this.text
    return this.text
  }

  private *write(w: RdbWriter, key: string, value: KeyspaceValue): Steps {
    if (typeof value === 'string') {
      this.text = true
      head(w, RdbType.String, key)
      return yield* stringSteps(w, value.length, () => value)
    }
    if (value instanceof MutableString) {
      this.bytes = value.bytes()
      head(w, RdbType.String, key)
      return yield* stringSteps(w, value.length, () => this.bytes!)
    }
    switch (value.type) {
      case 'list':
        this.list = value as ListValue
        return yield* this.listSteps(w, key)
      case 'hash':
        return yield* hashSteps(w, value as HashValue, key)
      case 'set':
        this.members = (value as SetValue).members()
        return yield* this.setSteps(w, key)
      case 'zset':
        return yield* zsetSteps(w, value as ZSet, key)
      case 'stream':
        return yield* streamSteps(w, value as StreamValue, key)
      default:
        throw new Error(`no steps for a value of type ${value.type}`)
    }
  }

  /** The quicklist's nodes are sized first: their count comes before them. */
  private *listSteps(w: RdbWriter, key: string): Steps {
    head(w, RdbType.ListQuicklist2, key)
    const n = this.list!.size
    const ends: number[] = []
    let sized = 0
    for (let at = 0; at < n;) {
      at = listNodeEnd(this.list!, at)
      ends.push(at)
      if (at - sized >= SIZING_STEP) {
        sized = at
        yield
      }
    }
    w.length(ends.length)
    for (const end of ends) {
      writeListNode(w, this.list!, this.next, end)
      this.next = end
      yield
    }
  }

  private *setSteps(w: RdbWriter, key: string): Steps {
    head(w, RdbType.Set, key)
    w.length(this.members!.length)
    let n = 0
    while (this.next < this.members!.length) {
      const m = this.members![this.next++]
      if (m.length > BIG_BYTES) yield* element(w, m)
      else w.string(m)
      if (++n % STEP === 0) yield
    }
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
  if (s.length > BIG_BYTES) yield* stringSteps(w, s.length, () => s)
  else w.string(s)
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
function* stringSteps(w: RdbWriter, n: number, source: () => string | Buffer): Steps {
  const scratch = typeof source() === 'string' ? Buffer.allocUnsafe(Math.max(LZF_STEP, COPY_STEP)) : null
  const piece = (at: number, end: number): Buffer => {
    const s = source()
    if (typeof s !== 'string') return s.subarray(at, end)
    const len = latin1Write(scratch!, 0, s.slice(at, end))
    return scratch!.subarray(0, len)
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
