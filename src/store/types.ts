import type { RespValue } from '../resp/values.js'

/**
 * A collection value (list, hash, set, zset). Each lives in its own module under
 * src/store/ and reports its Redis type name and a plausible OBJECT ENCODING.
 */
export interface Collection {
  readonly type: 'list' | 'hash' | 'set' | 'zset' | 'stream'
  /** Number of elements; an empty collection deletes its key. */
  readonly size: number
  encoding(): string
  /** A deep copy, for COPY. */
  clone(): Collection
}

/**
 * A value stored as sent in any RESP type (the mini Redis extension). String
 * commands refuse it with WRONGTYPE; GET returns it with its original type.
 */
export class Structured {
  readonly type = 'structured'
  constructor(readonly value: RespValue) {}
}

/**
 * A string value kept as mutable bytes, made by the commands that write a few bits of
 * a string in place (SETBIT, BITFIELD, BITOP's result), and by Keys.set (keys.ts) for any
 * string of BYTES_THRESHOLD bytes or more (see ofText). A JS string is immutable, so
 * each such write on one copied the whole value, and it cannot pass 2^29 - 24 bytes,
 * while SETBIT may grow a string to 512 MB as in Redis.
 *
 * Only the bitmap commands and GET/STRLEN see it: Database.get answers every other
 * command with text(), a latin1 string made once per change. Bytes of `buf` past
 * `length` are always zero, so growing needs no clearing and reads past the end see
 * zeros. Redis's object for it is a raw string.
 */
export class MutableString {
  readonly type = 'string'
  private cached: string | null = null

  constructor(
    public buf: Buffer,
    public length: number,
  ) {}

  /**
   * A value long enough to live as bytes rather than a JS string. Such a string is
   * allocated in V8's young generation and, once stored, copied by the scavenger
   * twice before it settles; the bytes of a Buffer live outside the JS heap, and a SET
   * over one of these overwrites it in place (`assign`), allocating nothing.
   */
  static ofText(s: string | Uint8Array): MutableString {
    const buf = Buffer.allocUnsafeSlow(s.length)
    copyInto(buf, s)
    return new MutableString(buf, s.length)
  }

  /**
   * Takes `s` (latin1 text, or bytes as the decoder left them) as the new contents in
   * the same bytes when they fit without holding more than twice what `s` needs;
   * false (and unchanged) otherwise.
   */
  assign(s: string | Uint8Array): boolean {
    const buf = this.buf
    const n = s.length
    if (n > buf.length || buf.length > 2 * n) return false
    copyInto(buf, s)
    // Bytes past `length` stay zero (see above).
    if (n < this.length) buf.fill(0, n, this.length)
    this.length = n
    this.cached = null
    return true
  }

  static from(s: string, room: number): MutableString {
    const buf = Buffer.alloc(Math.max(s.length, room))
    buf.latin1Write(s, 0)
    return new MutableString(buf, s.length)
  }

  encoding(): string {
    return 'raw'
  }

  /** As a latin1 string (throws past V8's longest string, 2^29 - 24 chars). */
  text(): string {
    return (this.cached ??= this.buf.latin1Slice(0, this.length))
  }

  /** The bytes, without a copy. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length)
  }

  /** Byte i, as String#charCodeAt gives it, so read-only bitmap code takes either. */
  charCodeAt(i: number): number {
    return this.buf[i]
  }

  /**
   * Grows to at least `n` bytes, the new ones zero. Room doubles up to 1 MB and then
   * grows by 1 MB at a time, as Redis's sdsMakeRoomFor does, so a bitmap set bit by
   * bit from its low end is copied O(log n) times.
   */
  grow(n: number): void {
    if (n <= this.length) return
    const buf = this.buf
    if (n > buf.length) {
      const room = n < 1024 * 1024 ? n * 2 : n + 1024 * 1024
      const next = Buffer.alloc(room)
      buf.copy(next, 0, 0, this.length)
      this.buf = next
    }
    this.length = n
    this.cached = null
  }

  setByte(i: number, b: number): void {
    this.buf[i] = b
    this.cached = null
  }

  /** After writing to `buf` directly. */
  changed(): void {
    this.cached = null
  }

  clone(): MutableString {
    return new MutableString(Buffer.from(this.bytes()), this.length)
  }
}

/** Writes latin1 text or bytes at the start of `buf`. */
function copyInto(buf: Buffer, s: string | Uint8Array): void {
  if (typeof s === 'string') buf.latin1Write(s, 0)
  else buf.set(s)
}

/**
 * Strings at least this long are stored as MutableString bytes (Keys.set); shorter
 * ones go into SmallStrings slots (small-strings.ts). Each MutableString is a Buffer
 * of its own, and V8 collects those in proportion to the external memory they add:
 * when 10k keys went from 1 KiB values to 16 KiB ones, new Buffers brought on full
 * collections of 7-13 ms and SET's p99 went to 4.8 ms, against 1.1-1.3 ms once the
 * Buffers existed. In slots, a value that changes size takes a slot off a free list.
 * 32 KiB is where Redis too starts treating an argument as big (PROTO_MBULK_BIG_ARG).
 */
export const BYTES_THRESHOLD = 32 * 1024

/**
 * What commands see of a value. Strings are latin1 JS strings: one char per byte,
 * binary safe, cheap for V8.
 */
export type StoredValue = string | Structured | Collection

/** What the keyspace holds: a string may also be a MutableString. */
export type KeyspaceValue = StoredValue | MutableString

export function typeName(v: KeyspaceValue): string {
  return typeof v === 'string' ? 'string' : v.type
}
