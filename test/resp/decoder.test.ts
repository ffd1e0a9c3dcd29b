import { describe, expect, it } from 'vitest'
import { ProtocolError, QueryBufferLimitError, RequestDecoder, type DecoderLimits } from '../../src/resp/decoder.js'
import { splitInlineArgs } from '../../src/resp/inline.js'
import { RespDouble, RespMap, RespSet, RespSimple, type Argv } from '../../src/resp/values.js'
import { rng } from '../helpers/differential.js'

/**
 * The request decoder, fed the way the server feeds it: every read lands in one shared
 * buffer that is overwritten by the next read, so anything the decoder keeps must be
 * copied out in release().
 */

const LIMITS: DecoderLimits = { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 }

interface Outcome {
  requests: Argv[]
  /** Whether each request was flagged as carrying structured values. */
  structured: boolean[]
  error: string | null
}

/** Feeds `chunks` through one reused read buffer, as Server/Client do. */
function decodeChunks(chunks: Buffer[], limits: DecoderLimits = LIMITS, authenticated = true): Outcome {
  const decoder = new RequestDecoder(limits)
  decoder.authenticated = authenticated
  const shared = Buffer.alloc(Math.max(64 * 1024, ...chunks.map((c) => c.length)))
  const out: Outcome = { requests: [], structured: [], error: null }
  try {
    for (const chunk of chunks) {
      chunk.copy(shared)
      decoder.feed(shared, chunk.length)
      for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) {
        out.requests.push(argv)
        out.structured.push(decoder.structured)
      }
      decoder.release()
      // The next read overwrites the shared buffer; stale references would see this.
      shared.fill(0x58)
    }
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e
    out.error = e.message
  }
  return out
}

function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1')
}

/** Every way of cutting `data` in two, plus one byte at a time. */
function splits(data: Buffer): Buffer[][] {
  const out: Buffer[][] = [[data]]
  for (let i = 1; i < data.length; i++) out.push([data.subarray(0, i), data.subarray(i)])
  const single: Buffer[] = []
  for (let i = 0; i < data.length; i++) single.push(data.subarray(i, i + 1))
  out.push(single)
  return out
}

/** Three cuts at every pair of positions would be quadratic; random cuts cover the rest. */
function randomSplits(data: Buffer, seed: number, count: number): Buffer[][] {
  const r = rng(seed)
  const out: Buffer[][] = []
  for (let n = 0; n < count; n++) {
    const pieces: Buffer[] = []
    let pos = 0
    while (pos < data.length) {
      const len = 1 + r.int(Math.min(data.length - pos, r.chance(0.5) ? 3 : 40))
      pieces.push(data.subarray(pos, pos + len))
      pos += len
    }
    out.push(pieces)
  }
  return out
}

interface Frame {
  name: string
  wire: string
  expected: Argv[]
  structured?: boolean[]
  error?: string
}

const frames: Frame[] = [
  { name: 'multibulk', wire: '*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n', expected: [['GET', 'key']] },
  { name: 'empty bulk', wire: '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n', expected: [['ECHO', '']] },
  { name: 'binary bulk', wire: '*2\r\n$4\r\nECHO\r\n$6\r\n\r\n\x00\xff\x80\xe9\r\n', expected: [['ECHO', '\r\n\x00\xff\x80\xe9']] },
  { name: 'long bulk', wire: `*2\r\n$4\r\nECHO\r\n$40\r\n${'x'.repeat(40)}\r\n`, expected: [['ECHO', 'x'.repeat(40)]] },
  { name: 'inline', wire: 'SET k "a b"\r\n', expected: [['SET', 'k', 'a b']] },
  { name: 'inline with bare LF', wire: 'PING\n', expected: [['PING']] },
  { name: 'empty lines and *0 are skipped', wire: '\r\n\n  \r\n*0\r\n*-1\r\nPING\r\n', expected: [['PING']] },
  {
    name: 'pipeline of multibulk and inline',
    wire: '*1\r\n$4\r\nPING\r\nECHO hi\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$4\r\nPING\r\n',
    expected: [['PING'], ['ECHO', 'hi'], ['SET', 'k', 'v'], ['PING']],
  },
  {
    name: 'structured integers and big numbers',
    wire: '*4\r\n$4\r\nMSET\r\n$1\r\na\r\n:-42\r\n(123456789012345678901234567890\r\n',
    expected: [['MSET', 'a', -42, 123456789012345678901234567890n]],
    structured: [true],
  },
  {
    name: 'structured doubles, booleans, nulls and simple strings',
    wire: '*8\r\n$3\r\nSET\r\n,3.5\r\n,inf\r\n,-inf\r\n#t\r\n#f\r\n_\r\n+OK\r\n',
    expected: [['SET', new RespDouble(3.5), new RespDouble(Infinity), new RespDouble(-Infinity), true, false, null, new RespSimple('OK')]],
    structured: [true],
  },
  {
    name: 'null bulk (mini client None)',
    wire: '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$-1\r\n',
    expected: [['SET', 'k', null]],
    structured: [true],
  },
  {
    name: 'nested arrays, maps and sets',
    wire: '*3\r\n$3\r\nSET\r\n$2\r\nkx\r\n%2\r\n$2\r\nvx\r\n%2\r\n$2\r\nvy\r\n:0\r\n$2\r\nvz\r\n*3\r\n:1\r\n:2\r\n:3\r\n$1\r\ns\r\n~2\r\n$1\r\na\r\n*-1\r\n',
    expected: [['SET', 'kx', new RespMap(['vx', new RespMap(['vy', 0, 'vz', [1, 2, 3]]), 's', new RespSet(['a', null])])]],
    structured: [true],
  },
  {
    name: 'a plain request after a structured one is not flagged',
    wire: '*2\r\n$3\r\nGET\r\n:1\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n',
    expected: [['GET', 1], ['GET', 'k']],
    structured: [true, false],
  },
  { name: 'negative bulk length', wire: 'PING\r\n*1\r\n$-5\r\n', expected: [['PING']], error: 'Protocol error: invalid bulk length' },
  { name: 'bulk length not a number', wire: '*1\r\n$abc\r\n', expected: [], error: 'Protocol error: invalid bulk length' },
  { name: 'bulk length with a plus', wire: '*1\r\n$+1\r\n', expected: [], error: 'Protocol error: invalid bulk length' },
  { name: 'bulk length with leading zero', wire: '*1\r\n$01\r\n', expected: [], error: 'Protocol error: invalid bulk length' },
  { name: 'empty bulk length', wire: '*1\r\n$\r\n', expected: [], error: 'Protocol error: invalid bulk length' },
  { name: 'multibulk length not a number', wire: '*abc\r\n', expected: [], error: 'Protocol error: invalid multibulk length' },
  { name: 'multibulk length with a plus', wire: '*+1\r\n', expected: [], error: 'Protocol error: invalid multibulk length' },
  { name: 'multibulk length beyond INT_MAX', wire: '*2147483648\r\n', expected: [], error: 'Protocol error: invalid multibulk length' },
  { name: 'multibulk length beyond int64', wire: '*99999999999999999999\r\n', expected: [], error: 'Protocol error: invalid multibulk length' },
  { name: 'element without a type', wire: '*1\r\n$4\r\nPING\r\n*1\r\nx\r\n', expected: [['PING']], error: "Protocol error: expected '$', got 'x'" },
  // Whole in one read these start on the decoder's one-pass path, which must give up
  // and leave them to the general one at the byte where they stop being ordinary.
  { name: 'multibulk length with leading zero', wire: '*02\r\n$1\r\na\r\n$1\r\nb\r\n', expected: [], error: 'Protocol error: invalid multibulk length' },
  { name: 'second bulk length with leading zero', wire: '*2\r\n$3\r\nGET\r\n$03\r\nkey\r\n', expected: [], error: 'Protocol error: invalid bulk length' },
  { name: 'bulk header CR followed by another byte than LF (skipped, as Redis does)', wire: '*1\r\n$4\rxPING\r\n', expected: [['PING']] },
  { name: 'multibulk of 65 elements', wire: `*65\r\n${'$1\r\nx\r\n'.repeat(65)}`, expected: [Array(65).fill('x')] },
  { name: 'unbalanced quotes', wire: 'PING\r\nSET k "abc\r\n', expected: [['PING']], error: 'Protocol error: unbalanced quotes in request' },
  { name: 'closing quote followed by a letter', wire: "SET k 'a'b\r\n", expected: [], error: 'Protocol error: unbalanced quotes in request' },
]

describe('RequestDecoder', () => {
  for (const frame of frames) {
    it(`decodes ${frame.name} split at every byte boundary`, () => {
      const data = bytes(frame.wire)
      for (const chunks of [...splits(data), ...randomSplits(data, frame.wire.length, 20)]) {
        const outcome = decodeChunks(chunks)
        const where = `cut into ${chunks.map((c) => c.length).join('+')}`
        expect(outcome.requests, where).toStrictEqual(frame.expected)
        expect(outcome.error, where).toBe(frame.error ?? null)
        if (frame.structured) expect(outcome.structured, where).toEqual(frame.structured)
      }
    })
  }

  it('decodes a long pipeline of every frame kind cut at random', () => {
    const good = frames.filter((f) => f.error === undefined)
    const r = rng(42)
    let wire = ''
    const expected: Argv[] = []
    for (let i = 0; i < 300; i++) {
      const f = r.pick(good)
      wire += f.wire
      expected.push(...f.expected)
    }
    const data = bytes(wire)
    for (const chunks of randomSplits(data, 99, 30)) {
      const outcome = decodeChunks(chunks)
      expect(outcome.error).toBeNull()
      expect(outcome.requests).toStrictEqual(expected)
    }
  })

  it('decodes damaged requests whole in one read exactly as one byte at a time', () => {
    // One byte at a time never reaches the one-pass path (wholeRequest), so this checks
    // that path against the general one on requests near the edges of what it accepts.
    const r = rng(7)
    const pieces = ['0', '1', '9', '\r', '\n', '$', '*', '-', ':', 'x', '65', '100000']
    const base = ['*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n', '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$40\r\n' + 'v'.repeat(40) + '\r\n', '*1\r\n$0\r\n\r\n']
    for (let round = 0; round < 2000; round++) {
      let wire = r.pick(base) + r.pick(base)
      for (let m = 1 + r.int(3); m > 0; m--) {
        const at = r.int(wire.length)
        wire = wire.slice(0, at) + r.pick(pieces) + wire.slice(at + (r.chance(0.5) ? 1 : 0))
      }
      const data = bytes(wire)
      const whole = decodeChunks([data])
      const byByte = decodeChunks(splits(data).at(-1)!)
      expect(whole, JSON.stringify(wire)).toStrictEqual(byByte)
    }
  })

  it('decodes a bulk with a six-digit length whole or cut', () => {
    const value = 'y'.repeat(123456)
    const data = bytes(`*2\r\n$4\r\nECHO\r\n$123456\r\n${value}\r\n*1\r\n$4\r\nPING\r\n`)
    for (const chunks of [[data], ...randomSplits(data, 5, 3)]) {
      expect(decodeChunks(chunks).requests).toStrictEqual([['ECHO', value], ['PING']])
    }
  })

  it('assembles a large bulk that arrives in many reads', () => {
    const value = Buffer.alloc(3 * 1024 * 1024)
    for (let i = 0; i < value.length; i++) value[i] = (i * 31 + 7) & 0xff
    const data = Buffer.concat([bytes(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${value.length}\r\n`), value, bytes('\r\n*1\r\n$4\r\nPING\r\n')])
    // 64 KiB reads, like the server's read buffer, and odd sizes that cut every header.
    for (const size of [65536, 1000, 65537]) {
      const chunks: Buffer[] = []
      for (let p = 0; p < data.length; p += size) chunks.push(data.subarray(p, p + size))
      const outcome = decodeChunks(chunks)
      expect(outcome.error).toBeNull()
      expect(outcome.requests.length).toBe(2)
      const argv = outcome.requests[0] as string[]
      expect(argv.slice(0, 2)).toEqual(['SET', 'big'])
      expect(argv[2].length).toBe(value.length)
      expect(Buffer.from(argv[2], 'latin1').equals(value)).toBe(true)
      expect(outcome.requests[1]).toEqual(['PING'])
    }
  })

  it('keeps every byte when decoding stops mid-read, as for a client that blocks, with a request cut short before', () => {
    const r = rng(7)
    const value = 'v'.repeat(5000)
    let wire = ''
    const expected: Argv[] = []
    for (let i = 0; i < 200; i++) {
      const argv = ['SET', `k${i}`, i % 3 === 0 ? value : `x${i}`]
      wire += `*3\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`
      expected.push(argv)
    }
    const data = bytes(wire)
    for (let round = 0; round < 10; round++) {
      const decoder = new RequestDecoder(LIMITS)
      const shared = Buffer.alloc(64 * 1024)
      const got: Argv[] = []
      for (let p = 0; p < data.length; ) {
        const n = Math.min(data.length - p, 1 + r.int(9000))
        data.copy(shared, 0, p, p + n)
        p += n
        decoder.feed(shared, n)
        // Sometimes take only a request or two, leaving the rest of the read undecoded.
        const take = r.int(3) === 0 ? 1 + r.int(2) : Infinity
        for (let i = 0; i < take; i++) {
          const argv = decoder.next()
          if (argv === undefined) break
          got.push(argv)
        }
        decoder.release()
        shared.fill(0x58)
      }
      for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) got.push(argv)
      expect(got).toStrictEqual(expected)
      expect(decoder.buffered).toBe(0)
    }
  })

  it('hands bulks of bytesFrom bytes or more over as views of the buffer, and flags the request', () => {
    const decoder = new RequestDecoder(LIMITS)
    decoder.bytesFrom = 100
    const long = 'L'.repeat(100)
    const data = bytes(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\n${long}\r\n*2\r\n$4\r\nECHO\r\n$99\r\n${'s'.repeat(99)}\r\n`)
    decoder.feed(data, data.length)
    const first = decoder.next()!
    expect(decoder.bytes).toBe(true)
    expect(first.slice(0, 2)).toEqual(['SET', 'k'])
    expect(Buffer.isBuffer(first[2]) && (first[2] as Buffer).buffer === data.buffer).toBe(true)
    expect((first[2] as Buffer).latin1Slice(0, 100)).toBe(long)
    expect(decoder.next()).toEqual(['ECHO', 's'.repeat(99)])
    expect(decoder.bytes).toBe(false)
  })

  it('splits inline lines without quotes as splitInlineArgs does, short words from the cache and long ones alike', () => {
    const r = rng(11)
    const spaces = [' ', '\t', '\v', '\f', '\r', '  ']
    // Any byte but white space, quotes and '*' (which starts a multibulk); high bytes included.
    const alphabet = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b)).filter((ch) => ch !== '*' && (!/[\s"'\x0b]/.test(ch) || ch > '\x7f'))
    for (let round = 0; round < 300; round++) {
      let line = r.int(2) === 0 ? ' ' : ''
      const words = 1 + r.int(6)
      for (let w = 0; w < words; w++) {
        const n = 1 + (r.int(4) === 0 ? 30 + r.int(40) : r.int(8))
        for (let k = 0; k < n; k++) line += alphabet[r.int(alphabet.length)]
        line += r.pick(spaces)
      }
      const outcome = decodeChunks([bytes(`${line}\n${line}\r\n`)])
      const expected = splitInlineArgs(line.replace(/\r$/, ''))!
      expect(outcome.requests, JSON.stringify(line)).toStrictEqual([expected, expected].filter((a) => a.length > 0))
    }
  })

  it('reports how many bytes are buffered and drops them once decoded', () => {
    const decoder = new RequestDecoder(LIMITS)
    const shared = Buffer.alloc(1024)
    const part = bytes('*2\r\n$4\r\nECHO\r\n$5\r\nhel')
    part.copy(shared)
    decoder.feed(shared, part.length)
    expect(decoder.next()).toBeUndefined()
    decoder.release()
    expect(decoder.buffered).toBeGreaterThan(0)
    const rest = bytes('lo\r\n')
    rest.copy(shared)
    decoder.feed(shared, rest.length)
    expect(decoder.next()).toEqual(['ECHO', 'hello'])
    expect(decoder.next()).toBeUndefined()
    decoder.release()
    expect(decoder.buffered).toBe(0)
  })
})

describe('RequestDecoder limits', () => {
  const small: DecoderLimits = { maxBulkLen: 1024 * 1024, queryBufferLimit: 1024 * 1024 }

  function inChunks(data: Buffer, size = 16 * 1024): Buffer[] {
    const chunks: Buffer[] = []
    for (let p = 0; p < data.length; p += size) chunks.push(data.subarray(p, p + size))
    return chunks
  }

  it('refuses a bulk longer than proto-max-bulk-len', () => {
    expect(decodeChunks([bytes('*1\r\n$1048577\r\n')], small).error).toBe('Protocol error: invalid bulk length')
    expect(decodeChunks([bytes('*1\r\n$1048576\r\n')], small).error).toBeNull()
  })

  it('refuses an inline request of more than 64 KiB without a newline', () => {
    const line = Buffer.alloc(64 * 1024 + 1, 'a')
    expect(decodeChunks(inChunks(line)).error).toBe('Protocol error: too big inline request')
    // Exactly 64 KiB is still waiting for its newline.
    expect(decodeChunks(inChunks(line.subarray(0, 64 * 1024))).error).toBeNull()
    const ok = Buffer.concat([bytes('ECHO '), Buffer.alloc(64 * 1024 - 5, 'a'), bytes('\r\n')])
    expect(decodeChunks(inChunks(ok)).requests[0]).toEqual(['ECHO', 'a'.repeat(64 * 1024 - 5)])
  })

  it('refuses a multibulk or bulk count string longer than 64 KiB', () => {
    const mbulk = Buffer.concat([bytes('*1'), Buffer.alloc(70 * 1024, '1')])
    expect(decodeChunks(inChunks(mbulk)).error).toBe('Protocol error: too big mbulk count string')
    const bulk = Buffer.concat([bytes('*1\r\n$1'), Buffer.alloc(70 * 1024, '1')])
    expect(decodeChunks(inChunks(bulk)).error).toBe('Protocol error: too big bulk count string')
  })

  it('allows only small requests before AUTH', () => {
    expect(decodeChunks([bytes('*11\r\n')], LIMITS, false).error).toBe('Protocol error: unauthenticated multibulk length')
    expect(decodeChunks([bytes('*10\r\n')], LIMITS, false).error).toBeNull()
    expect(decodeChunks([bytes('*2\r\n$4\r\nAUTH\r\n$16385\r\n')], LIMITS, false).error).toBe('Protocol error: unauthenticated bulk length')
    // Malformed lengths are reported as such even before AUTH.
    expect(decodeChunks([bytes('*2147483648\r\n')], LIMITS, false).error).toBe('Protocol error: invalid multibulk length')
    expect(decodeChunks([bytes('*1\r\n$-2\r\n')], LIMITS, false).error).toBe('Protocol error: invalid bulk length')
    expect(decodeChunks([bytes('*2\r\n$4\r\nAUTH\r\n$16384\r\n')], LIMITS, false).error).toBeNull()
    // Once authenticated the same request is fine.
    expect(decodeChunks([bytes('*11\r\n')], LIMITS, true).error).toBeNull()
  })

  it('throws QueryBufferLimitError when a client buffers past client-query-buffer-limit', () => {
    const data = Buffer.concat([bytes('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048576\r\n'), Buffer.alloc(1024 * 1024, 'v'), bytes('\r\n')])
    expect(() => decodeChunks(inChunks(data), small)).toThrow(QueryBufferLimitError)
    // Below the limit the same shape decodes.
    const fits = Buffer.concat([bytes('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$900000\r\n'), Buffer.alloc(900000, 'v'), bytes('\r\n')])
    expect(decodeChunks(inChunks(fits), small).requests.length).toBe(1)
  })
})
