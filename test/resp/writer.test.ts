import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { formatDouble } from '../../src/resp/format.js'
import { RespDouble, RespMap, RespSet, RespSimple } from '../../src/resp/values.js'
import { ReplyWriter } from '../../src/resp/writer.js'
import { rng } from '../helpers/differential.js'
import { missingTool } from '../helpers/servers.js'

/**
 * ReplyWriter's bytes. RESP2 output is decoded with redis-parser, the parser ioredis
 * and node-redis use, as an independent oracle; it knows only RESP2, so RESP3 output
 * is checked byte for byte against the protocol spec.
 */

type Reply = Buffer | number | null | Error | Reply[]
interface ParserLike {
  execute(b: Buffer): void
}
type ParserCtor = new (o: {
  returnReply(r: Reply): void
  returnError(e: Error): void
  returnFatalError?(e: Error): void
  returnBuffers?: boolean
  stringNumbers?: boolean
}) => ParserLike
const Parser = createRequire(import.meta.url)('redis-parser') as ParserCtor

/** Every reply in `bytes`, decoded by redis-parser; throws if it finds garbage. */
function parseResp2(bytes: Buffer, stringNumbers = false): Reply[] {
  const replies: Reply[] = []
  const parser = new Parser({
    returnReply: (r) => replies.push(r),
    returnError: (e) => replies.push(e),
    returnFatalError: (e) => {
      throw e
    },
    returnBuffers: true,
    stringNumbers,
  })
  parser.execute(bytes)
  return replies
}

function write(proto: 2 | 3, f: (w: ReplyWriter) => void, size?: number): Buffer {
  const w = new ReplyWriter(size)
  w.proto = proto
  f(w)
  return Buffer.from(w.take())
}

function latin1(b: Buffer): string {
  return b.toString('latin1')
}

function b(s: string): Buffer {
  return Buffer.from(s, 'latin1')
}

describe('ReplyWriter RESP3 bytes', () => {
  const cases: [string, (w: ReplyWriter) => void, string][] = [
    ['simple', (w) => w.simple('OK'), '+OK\r\n'],
    ['error', (w) => w.error('ERR syntax error'), '-ERR syntax error\r\n'],
    ['error with newlines', (w) => w.error('ERR a\r\nb'), '-ERR a  b\r\n'],
    ['integer 0', (w) => w.integer(0), ':0\r\n'],
    ['integer -1', (w) => w.integer(-1), ':-1\r\n'],
    ['integer 2^53-1', (w) => w.integer(Number.MAX_SAFE_INTEGER), ':9007199254740991\r\n'],
    ['integer int64 max', (w) => w.integer(9223372036854775807n), ':9223372036854775807\r\n'],
    ['integer int64 min', (w) => w.integer(-9223372036854775808n), ':-9223372036854775808\r\n'],
    ['bulk', (w) => w.bulk('hello'), '$5\r\nhello\r\n'],
    ['empty bulk', (w) => w.bulk(''), '$0\r\n\r\n'],
    ['binary bulk', (w) => w.bulk('\x00\r\n\xff\xe9'), '$5\r\n\x00\r\n\xff\xe9\r\n'],
    ['bulkBuffer', (w) => w.bulkBuffer(b('\xff\x00a')), '$3\r\n\xff\x00a\r\n'],
    ['null bulk', (w) => w.nullBulk(), '_\r\n'],
    ['null array', (w) => w.nullArray(), '_\r\n'],
    ['array', (w) => { w.array(2); w.bulk('a'); w.integer(1) }, '*2\r\n$1\r\na\r\n:1\r\n'],
    ['empty array', (w) => w.array(0), '*0\r\n'],
    ['map', (w) => { w.map(1); w.bulk('k'); w.double(1.5) }, '%1\r\n$1\r\nk\r\n,1.5\r\n'],
    ['set', (w) => { w.set(2); w.bulk('a'); w.bulk('b') }, '~2\r\n$1\r\na\r\n$1\r\nb\r\n'],
    ['push', (w) => { w.push(2); w.bulk('message'); w.bulk('x') }, '>2\r\n$7\r\nmessage\r\n$1\r\nx\r\n'],
    ['double', (w) => w.double(3.5), ',3.5\r\n'],
    ['double inf', (w) => w.double(Infinity), ',inf\r\n'],
    ['double -inf', (w) => w.double(-Infinity), ',-inf\r\n'],
    ['boolean true', (w) => w.boolean(true), '#t\r\n'],
    ['boolean false', (w) => w.boolean(false), '#f\r\n'],
    ['verbatim', (w) => w.verbatim('a\r\nb'), '=8\r\ntxt:a\r\nb\r\n'],
    ['verbatim markdown', (w) => w.verbatim('# x', 'mkd'), '=7\r\nmkd:# x\r\n'],
  ]
  for (const [name, f, expected] of cases) {
    it(`writes ${name}`, () => {
      expect(latin1(write(3, f))).toBe(expected)
    })
  }

  it('writes nested structured values with their own types', () => {
    const v = new RespMap(['vx', new RespMap(['vy', 0, 'vz', [1, 2, 3]]), 's', new RespSet([new RespDouble(0.1), true, null, new RespSimple('OK')])])
    expect(latin1(write(3, (w) => w.value(v)))).toBe(
      '%2\r\n$2\r\nvx\r\n%2\r\n$2\r\nvy\r\n:0\r\n$2\r\nvz\r\n*3\r\n:1\r\n:2\r\n:3\r\n' +
      '$1\r\ns\r\n~4\r\n,0.10000000000000001\r\n#t\r\n_\r\n+OK\r\n',
    )
  })

  it('writes big numbers beyond int64 as RESP3 big numbers', () => {
    expect(latin1(write(3, (w) => w.value(123456789012345678901234567890n)))).toBe('(123456789012345678901234567890\r\n')
    expect(latin1(write(3, (w) => w.value(-9223372036854775809n)))).toBe('(-9223372036854775809\r\n')
    expect(latin1(write(3, (w) => w.value(9223372036854775807n)))).toBe(':9223372036854775807\r\n')
  })
})

describe('ReplyWriter RESP2 through redis-parser', () => {
  it('degrades RESP3 types the way Redis 7 does', () => {
    const bytes = write(2, (w) => {
      w.simple('OK')
      w.error('ERR bad')
      w.integer(-42)
      w.bulk('\xe9\x00')
      w.nullBulk()
      w.nullArray()
      w.map(2)
      w.bulk('a'); w.integer(1); w.bulk('b'); w.integer(2)
      w.set(1)
      w.bulk('m')
      w.push(2)
      w.bulk('message'); w.bulk('hi')
      w.double(0.1)
      w.double(-Infinity)
      w.boolean(true)
      w.boolean(false)
      w.verbatim('line1\r\nline2')
    })
    expect(latin1(bytes).startsWith('+OK\r\n-ERR bad\r\n:-42\r\n$2\r\n\xe9\x00\r\n$-1\r\n*-1\r\n*4\r\n')).toBe(true)
    const replies = parseResp2(bytes)
    expect(replies.length).toBe(14)
    expect(replies[0]).toEqual(b('OK'))
    expect((replies[1] as Error).message).toBe('ERR bad')
    expect(replies[2]).toBe(-42)
    expect(replies[3]).toEqual(b('\xe9\x00'))
    expect(replies[4]).toBeNull()
    expect(replies[5]).toBeNull()
    expect(replies[6]).toEqual([b('a'), 1, b('b'), 2])
    expect(replies[7]).toEqual([b('m')])
    expect(replies[8]).toEqual([b('message'), b('hi')])
    expect(replies[9]).toEqual(b('0.10000000000000001'))
    expect(replies[10]).toEqual(b('-inf'))
    expect(replies[11]).toBe(1)
    expect(replies[12]).toBe(0)
    expect(replies[13]).toEqual(b('line1\r\nline2'))
  })

  it('writes int64 extremes and big numbers that clients can read', () => {
    const bytes = write(2, (w) => {
      w.integer(9223372036854775807n)
      w.integer(-9223372036854775808n)
      w.value(123456789012345678901234567890n)
    })
    expect(parseResp2(bytes, true)).toEqual(['9223372036854775807', '-9223372036854775808', b('123456789012345678901234567890')])
  })

  it('writes nested structured values, maps flattened to arrays', () => {
    const v = new RespMap(['vx', new RespMap(['vy', 0, 'vz', [1, 2, 3]]), 'n', null, 'd', new RespDouble(2.5), 't', true])
    const replies = parseResp2(write(2, (w) => w.value(v)))
    expect(replies).toEqual([[b('vx'), [b('vy'), 0, b('vz'), [1, 2, 3]], b('n'), null, b('d'), b('2.5'), b('t'), 1]])
  })

  it('grows its buffer across many replies and large bulks', () => {
    const r = rng(5)
    const expected: (number | string)[] = []
    const bytes = write(2, (w) => {
      for (let i = 0; i < 5000; i++) {
        if (r.chance(0.5)) {
          const n = r.int(2_000_000_000) - 1_000_000_000
          w.integer(n)
          expected.push(n)
        } else {
          const s = String.fromCharCode(r.int(256)).repeat(r.chance(0.01) ? 100_000 : r.int(40))
          w.bulk(s)
          expected.push(s)
        }
      }
    }, 64)
    // Compared as strings: deep equality on thousands of Buffers is slow.
    const parsed = parseResp2(bytes).map((x) => (Buffer.isBuffer(x) ? latin1(x) : x))
    expect(parsed.length).toBe(expected.length)
    for (let i = 0; i < expected.length; i++) if (parsed[i] !== expected[i]) expect(parsed[i], `reply ${i}`).toBe(expected[i])
  })

  it('rolls back to a mark with truncate and counts errors', () => {
    const w = new ReplyWriter()
    w.simple('OK')
    const mark = w.length
    w.array(3)
    w.bulk('partial')
    w.truncate(mark)
    w.error('ERR x')
    w.error('WRONGTYPE y')
    expect(latin1(Buffer.from(w.take()))).toBe('+OK\r\n-ERR x\r\n-WRONGTYPE y\r\n')
    expect(w.errors).toBe(2)
    w.reuse()
    expect(w.length).toBe(0)
    w.integer(7)
    expect(latin1(Buffer.from(w.take()))).toBe(':7\r\n')
  })
})

describe('formatDouble (%.17g as Redis 7.0 prints doubles)', () => {
  it('formats the documented examples', () => {
    expect(formatDouble(3.5)).toBe('3.5')
    expect(formatDouble(1e20)).toBe('1e+20')
    expect(formatDouble(0.1)).toBe('0.10000000000000001')
    expect(formatDouble(Infinity)).toBe('inf')
    expect(formatDouble(-Infinity)).toBe('-inf')
    expect(formatDouble(-0)).toBe('-0')
    expect(formatDouble(0)).toBe('0')
    expect(formatDouble(100)).toBe('100')
    expect(formatDouble(1e16)).toBe('10000000000000000')
    expect(formatDouble(1e17)).toBe('1e+17')
    expect(formatDouble(1e-5)).toBe('1.0000000000000001e-05')
    expect(formatDouble(5e-324)).toBe('4.9406564584124654e-324')
    expect(formatDouble(1.7976931348623157e308)).toBe('1.7976931348623157e+308')
    // Exact ties round to even, as printf does.
    expect(formatDouble(1634230000000000.25)).toBe('1634230000000000.2')
    expect(formatDouble(1634230000000000.75)).toBe('1634230000000000.8')
    expect(formatDouble(-1234567890123456.25)).toBe('-1234567890123456.2')
  })

  it.skipIf(missingTool('python3') !== null)('matches C printf("%.17g") on random doubles', () => {
    const r = rng(17)
    const values: number[] = []
    const view = new DataView(new ArrayBuffer(8))
    for (let i = 0; i < 3000; i++) {
      const kind = r.int(3)
      if (kind === 2) {
        // Large values with a few fraction bits land exactly halfway between two
        // 17-digit decimals, where printf rounds to even and JavaScript does not.
        values.push((r.int(2 ** 26) * 2 ** 27 + r.int(2 ** 27)) / 2 ** r.int(8))
      } else if (kind === 1) {
        // Random bit patterns cover subnormals and every exponent.
        view.setUint32(0, r.int(2 ** 32))
        view.setUint32(4, r.int(2 ** 32))
        const d = view.getFloat64(0)
        if (Number.isFinite(d)) values.push(d)
      } else {
        // Short decimals and integers, the values users actually store.
        const digits = r.int(1_000_000) * (r.chance(0.5) ? 1 : -1)
        values.push(digits / 10 ** r.int(8) * 10 ** (r.int(30) - 10))
      }
    }
    const script = 'import sys\nfor line in sys.stdin:\n    print("%.17g" % float.fromhex(line.strip()))\n'
    const input = values.map((d) => hex(d)).join('\n') + '\n'
    const res = spawnSync('python3', ['-c', script], { input, encoding: 'latin1' })
    expect(res.status).toBe(0)
    const expected = res.stdout.trim().split('\n')
    expect(expected.length).toBe(values.length)
    for (let i = 0; i < values.length; i++) {
      expect(formatDouble(values[i]), hex(values[i])).toBe(expected[i])
    }
  })
})

/** A double in C99 hex-float form, exact, for handing to Python. */
function hex(d: number): string {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, d)
  const hi = view.getUint32(0)
  const lo = view.getUint32(4)
  const sign = hi >>> 31 ? '-' : ''
  const exp = (hi >>> 20) & 0x7ff
  const mantissa = ((hi & 0xfffff).toString(16).padStart(5, '0') + lo.toString(16).padStart(8, '0'))
  if (exp === 0) return `${sign}0x0.${mantissa}p-1022`
  return `${sign}0x1.${mantissa}p${exp - 1023}`
}
