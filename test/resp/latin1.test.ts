import { describe, expect, it } from 'vitest'
import { RequestDecoder } from '../../src/resp/decoder.js'
import { cachedLatin1, latin1Slice, latin1Write, viewOf } from '../../src/resp/latin1.js'
import { rng } from '../helpers/differential.js'

function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1')
}

describe('latin1 fast paths (hot-path codec)', () => {
  it('latin1Slice builds every length and every byte value exactly', () => {
    const all = Buffer.alloc(256)
    for (let i = 0; i < 256; i++) all[i] = i
    for (let start = 0; start < 256; start += 7) {
      for (let n = 0; n <= 40 && start + n <= 256; n++) {
        expect(latin1Slice(all, start, n)).toBe(all.latin1Slice(start, start + n))
      }
    }
  })

  it('latin1Write writes short and long strings byte for byte', () => {
    for (const s of ['', 'OK', '\x00\xff\x80abc', 'x'.repeat(32), 'y'.repeat(33), '\xe9'.repeat(100)]) {
      const buf = Buffer.alloc(s.length + 4, 0xaa)
      expect(latin1Write(buf, 2, s)).toBe(s.length)
      expect(buf.latin1Slice(2, 2 + s.length)).toBe(s)
      expect(buf[0]).toBe(0xaa)
      expect(buf[s.length + 2]).toBe(0xaa)
    }
  })

  it('cachedLatin1 never answers a string that differs from the bytes', () => {
    const r = rng(42)
    // Few distinct prefixes and lengths, so slots collide and near-misses are common.
    const alphabet = [0x61, 0x62, 0x00, 0xff, 0x80, 0x0d, 0x0a, 0x3a]
    for (let round = 0; round < 20000; round++) {
      const n = 1 + r.int(32)
      const buf = Buffer.alloc(n + 8)
      const at = r.int(8)
      for (let i = 0; i < n; i++) buf[at + i] = r.pick(alphabet)
      const s = cachedLatin1(buf, viewOf(buf), at, n)
      expect(s).toBe(buf.latin1Slice(at, at + n))
    }
  })

  it('cachedLatin1 returns the same string object for a repeated argument', () => {
    const a = bytes('xxcounter:__rand_int__')
    const b = bytes('yyyycounter:__rand_int__')
    const first = cachedLatin1(a, viewOf(a), 2, 20)
    expect(cachedLatin1(b, viewOf(b), 4, 20)).toBe(first)
    expect(first).toBe('counter:__rand_int__')
  })

  it('the decoder answers exact arguments through the cache, across split reads', () => {
    const r = rng(7)
    const decoder = new RequestDecoder({ maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 })
    const keys = ['key:000000000001', 'key:000000000002', 'key:000000000012', 'k\xe9y', 'counter:__rand_int__', 'x'.repeat(32), 'x'.repeat(31) + 'y']
    const sent: string[][] = []
    let wire = ''
    for (let i = 0; i < 3000; i++) {
      const argv = ['SET', r.pick(keys), r.chance(0.5) ? 'xxx' : String(r.int(1000))]
      sent.push(argv)
      wire += `*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')
    }
    const data = bytes(wire)
    // The caller's read buffer is reused between reads, as the server's is.
    const shared = Buffer.alloc(4096)
    const got: string[][] = []
    for (let pos = 0; pos < data.length; ) {
      const n = Math.min(data.length - pos, 1 + r.int(300))
      data.copy(shared, 0, pos, pos + n)
      shared.fill(0x7e, n)
      decoder.feed(shared, n)
      for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) got.push(argv as string[])
      decoder.release()
      pos += n
    }
    expect(got).toEqual(sent)
  })
})
