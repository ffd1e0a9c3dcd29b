import { describe, expect, it } from 'vitest'
import { rng, runDifferential } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Bitmap commands against a real redis-server, byte for byte, in RESP2 and RESP3:
 * seeded random sequences of SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO
 * mixed with GET SET APPEND SETRANGE on the same keys (replay a failure by its seed),
 * and hand-picked edge cases: argument errors in Redis's order, BITPOS with an end
 * past the string, BITFIELD's overflow modes.
 */

const skip = missingTool('redis-server')

const KEYS = ['a', 'b', 'c', 'l']
const VALUES = ['', 'foobar', '\x00', '\xff\xff', '\xff\xf0\x00', 'x'.repeat(50), '\x00\x00\x01', '1', '\x80']
const OFFSETS = ['0', '1', '7', '8', '15', '63', '100', '257', '1000', '-1', 'x', '01', '4294967296', '9223372036854775807']
const INDEXES = ['0', '1', '2', '-1', '-2', '-3', '5', '10', '100', '-100', '9223372036854775807', '-9223372036854775808', 'x']
const TYPES = ['i1', 'u1', 'i5', 'u7', 'i8', 'u8', 'i16', 'u16', 'i31', 'u32', 'i63', 'u63', 'i64', 'u64', 'i0', 'x8', 'I8']
const FIELD_OFFSETS = ['0', '1', '3', '7', '13', '64', '#0', '#1', '#3', '-1', '#-1', 'x']
const FIELD_VALUES = ['0', '1', '-1', '5', '-5', '100', '127', '128', '-129', '255', '256', '1000', '-100000',
  '9223372036854775807', '-9223372036854775808', 'x']

function generate(seed: number, count: number): string[][] {
  const r = rng(seed)
  const cmds: string[][] = []
  const key = () => r.pick(KEYS)
  const unit = () => (r.chance(0.6) ? [] : [r.pick(['BYTE', 'BIT', 'bit', 'foo'])])
  const fieldOp = (readOnly: boolean): string[] => {
    const kind = readOnly ? r.int(10) : r.int(10)
    if (readOnly || kind < 4) return ['GET', r.pick(TYPES), r.pick(FIELD_OFFSETS)]
    if (kind < 6) return ['SET', r.pick(TYPES), r.pick(FIELD_OFFSETS), r.pick(FIELD_VALUES)]
    if (kind < 9) return ['INCRBY', r.pick(TYPES), r.pick(FIELD_OFFSETS), r.pick(FIELD_VALUES)]
    return ['OVERFLOW', r.pick(['WRAP', 'SAT', 'FAIL', 'fail', 'nope'])]
  }
  // Mostly valid types and offsets, so sequences get past the parser.
  const validField = (): string[] => {
    const signed = r.chance(0.5)
    const bits = 1 + r.int(signed ? 64 : 63)
    const op = r.int(3)
    const args = [`${signed ? 'i' : 'u'}${bits}`, r.chance(0.2) ? `#${r.int(4)}` : String(r.int(80))]
    return op === 0 ? ['GET', ...args] : [op === 1 ? 'SET' : 'INCRBY', ...args, r.pick(FIELD_VALUES.slice(0, -1))]
  }
  for (let i = 0; i < count; i++) {
    const k = key()
    switch (r.int(24)) {
      case 0: case 1: case 2:
        cmds.push(['SETBIT', k, r.chance(0.8) ? String(r.int(200)) : r.pick(OFFSETS), r.pick(['0', '1', '1', '2', 'x'])])
        break
      case 3: case 4:
        cmds.push(['GETBIT', k, r.chance(0.8) ? String(r.int(200)) : r.pick(OFFSETS)])
        break
      case 5: case 6: {
        const n = r.int(4)
        cmds.push(n === 0 ? ['BITCOUNT', k] : n === 1 ? ['BITCOUNT', k, r.pick(INDEXES)]
          : ['BITCOUNT', k, r.pick(INDEXES), r.pick(INDEXES), ...unit()])
        break
      }
      case 7: case 8: case 9: {
        const args = ['BITPOS', k, r.pick(['0', '1', '1', '0', '2', 'x'])]
        const n = r.int(5)
        if (n >= 1) args.push(r.pick(INDEXES))
        if (n >= 2) args.push(r.pick(INDEXES))
        if (n >= 3) args.push(r.pick(['BYTE', 'BIT', 'bit', 'nope']))
        if (n === 4 && r.chance(0.3)) args.push('extra')
        cmds.push(args)
        break
      }
      case 10: case 11: {
        const op = r.pick(['AND', 'OR', 'XOR', 'NOT', 'and', 'not', 'NAND'])
        const n = op.toUpperCase() === 'NOT' && r.chance(0.8) ? 1 : 1 + r.int(3)
        cmds.push(['BITOP', op, key(), ...Array.from({ length: n }, () => r.pick([...KEYS, 'missing']))])
        break
      }
      case 12: case 13: case 14: {
        const args = ['BITFIELD', k]
        const n = r.int(4)
        for (let j = 0; j < n; j++) {
          if (r.chance(0.7)) {
            if (r.chance(0.3)) args.push('OVERFLOW', r.pick(['WRAP', 'SAT', 'FAIL']))
            args.push(...validField())
          } else args.push(...fieldOp(false))
        }
        cmds.push(args)
        break
      }
      case 15: {
        const args = ['BITFIELD_RO', k]
        for (let j = r.int(3); j > 0; j--) args.push(...(r.chance(0.9) ? fieldOp(true) : fieldOp(false)))
        cmds.push(args)
        break
      }
      case 16: cmds.push(['GET', k]); break
      case 17: cmds.push(['SET', k, r.pick(VALUES)]); break
      case 18: cmds.push(['APPEND', k, r.pick(VALUES)]); break
      case 19: cmds.push(['SETRANGE', k, String(r.int(30)), r.pick(VALUES)]); break
      case 20: cmds.push(r.chance(0.5) ? ['STRLEN', k] : ['DEL', k]); break
      default: {
        // How the other commands see a value the bitmap commands wrote in place.
        const n = r.int(6)
        cmds.push(n === 0 ? ['RPUSH', 'l', 'x'] : n === 1 ? ['OBJECT', 'ENCODING', k] : n === 2 ? ['INCR', k]
          : n === 3 ? ['COPY', k, key(), 'REPLACE'] : n === 4 ? ['TYPE', k] : ['GETRANGE', k, '0', String(r.int(20))])
        break
      }
    }
  }
  return cmds
}

describe.skipIf(skip !== null)('differential: bitmap commands (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO)', () => {
  const servers = useRespiteAndRedis()

  for (const proto of [2, 3] as const) {
    it(`matches redis-server on seeded random sequences (RESP${proto})`, async () => {
      for (const seed of [21, 22, 23, 24, 25]) {
        const cmds = generate(seed * proto, 800)
        const mismatch = await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto })
        expect(mismatch, `seed ${seed * proto}`).toBeNull()
      }
    })
  }

  // COMMAND DOCS is left out: its argument trees come from the syntax line (docs.ts), and
  // their internal names differ from Redis's.
  it('COMMAND INFO and GETKEYSANDFLAGS describe the bitmap commands as Redis does (BITOP: two key specs)', async () => {
    const cmds: string[][] = []
    for (const name of ['setbit', 'getbit', 'bitcount', 'bitpos', 'bitop', 'bitfield', 'bitfield_ro']) cmds.push(['COMMAND', 'INFO', name])
    cmds.push(['COMMAND', 'GETKEYSANDFLAGS', 'BITOP', 'AND', 'dest', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'SETBIT', 'k', '1', '1'])
    for (const proto of [2, 3] as const) {
      expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto }), `RESP${proto}`).toBeNull()
    }
  })

  it('matches redis-server on hand-picked edge cases (RESP2 and RESP3)', async () => {
    const cmds: string[][] = [
      ['SET', 'k', 'foobar'], ['SET', 'ff', '\xff\xff'], ['SET', 'e', ''], ['RPUSH', 'l', 'x'],
      // Argument errors, in the order Redis checks them.
      ['SETBIT', 'l', 'x', '1'], ['SETBIT', 'l', '0', '2'], ['SETBIT', 'l', '0', '1'], ['SETBIT', 'k', '-1', '1'],
      ['SETBIT', 'k', '4294967296', '1'], ['SETBIT', 'k', '+1', '1'], ['SETBIT', 'k', ' 1', '1'], ['GETBIT', 'l', 'x'],
      ['GETBIT', 'l', '0'], ['GETBIT', 'k', '4294967295'], ['GETBIT', 'nokey', '1'],
      ['BITCOUNT', 'nokey', 'a', 'b'], ['BITCOUNT', 'nokey', '0'], ['BITCOUNT', 'l', 'a', 'b'], ['BITCOUNT', 'k', '0'],
      ['BITCOUNT', 'k', 'a', '1', 'foo'], ['BITCOUNT', 'k', '0', 'a', 'foo'], ['BITCOUNT', 'k', '0', '1', 'foo'],
      ['BITCOUNT', 'k', '0', '1', 'bit', 'x'], ['BITCOUNT', 'k', '5', '30', 'BIT'], ['BITCOUNT', 'k', '-5', '-2', 'bit'],
      ['BITCOUNT', 'k', '3', '2'], ['BITCOUNT', 'k', '-1', '-3'], ['BITCOUNT', 'k', '-1', '-3', 'foo'], ['BITCOUNT', 'k', '-3', '-1', 'foo'], ['BITCOUNT', 'e'], ['BITCOUNT', 'e', '0', '-1', 'BIT'],
      ['BITPOS', 'l', '2'], ['BITPOS', 'l', 'x'], ['BITPOS', 'l', '1'], ['BITPOS', 'nokey', '0'], ['BITPOS', 'nokey', '1'],
      ['BITPOS', 'nokey', '1', 'a'], ['BITPOS', 'k', '1', 'a', '1', 'foo'], ['BITPOS', 'k', '1', '0', 'a', 'foo'],
      ['BITPOS', 'k', '1', '0', 'a', 'BIT'], ['BITPOS', 'k', '0', '1', '2', 'BIT', 'x'], ['BITPOS', 'e', '0'], ['BITPOS', 'e', '1'],
      // An end past the string, or none: clear bits past the end count only without one.
      ['BITPOS', 'ff', '0'], ['BITPOS', 'ff', '0', '0'], ['BITPOS', 'ff', '0', '1'], ['BITPOS', 'ff', '0', '0', '-1'],
      ['BITPOS', 'ff', '0', '0', '100'], ['BITPOS', 'ff', '0', '0', '100', 'BIT'], ['BITPOS', 'ff', '0', '3', '9', 'BIT'],
      ['BITPOS', 'ff', '1', '3', '9', 'BIT'], ['BITPOS', 'ff', '1', '5'], ['BITPOS', 'k', '0', '3', '12', 'bit'],
      ['BITPOS', 'k', '1', '-3', '-1'], ['BITPOS', 'k', '1', '17', '17', 'BIT'], ['BITPOS', 'k', '0', '17', '17', 'BIT'],
      // BITOP
      ['BITOP', 'foo', 'd', 'k'], ['BITOP', 'NOT', 'd', 'k', 'ff'], ['BITOP', 'NOT', 'd', 'k'], ['GET', 'd'],
      ['BITOP', 'AND', 'd', 'k', 'nokey'], ['GET', 'd'], ['BITOP', 'or', 'd', 'ff', 'k'], ['GET', 'd'],
      ['BITOP', 'XOR', 'd', 'k', 'ff', 'k'], ['GET', 'd'], ['BITOP', 'AND', 'd', 'k', 'l'], ['BITOP', 'AND', 'l', 'k'],
      ['EXPIRE', 'd', '1000'], ['BITOP', 'OR', 'd', 'nokey', 'nokey2'], ['EXISTS', 'd'], ['BITOP', 'NOT', 'd', 'e'], ['EXISTS', 'd'],
      ['SET', 'd', 'x'], ['EXPIRE', 'd', '1000'], ['BITOP', 'NOT', 'd', 'ff'], ['TTL', 'd'], ['OBJECT', 'ENCODING', 'd'],
      // BITFIELD parsing
      ['BITFIELD', 'k'], ['BITFIELD_RO', 'k'], ['BITFIELD', 'k', 'GET', 'u64', '0'], ['BITFIELD', 'k', 'GET', 'i65', '0'],
      ['BITFIELD', 'k', 'GET', 'I8', '0'], ['BITFIELD', 'k', 'GET', 'i08', '0'], ['BITFIELD', 'k', 'GET', 'i8', '08'],
      ['BITFIELD', 'k', 'GET', 'i8', '#x'], ['BITFIELD', 'k', 'GET', 'i8', '#-1'], ['BITFIELD', 'k', 'GET', 'i8', '#2305843009213693952'],
      ['BITFIELD', 'k', 'GET', 'u8', '4294967296'], ['BITFIELD', 'k', 'GET', 'u8', '4294967289'],
      ['BITFIELD', 'k', 'OVERFLOW', 'foo'], ['BITFIELD', 'k', 'OVERFLOW'], ['BITFIELD', 'k', 'SET', 'i8', '0', 'x'],
      ['BITFIELD', 'k', 'INCRBY', 'i8', '0'], ['BITFIELD', 'k', 'foo'], ['BITFIELD', 'l', 'foo'], ['BITFIELD', 'l', 'GET', 'i8', '0'],
      ['BITFIELD_RO', 'k', 'SET', 'i8', '0', '1'], ['BITFIELD_RO', 'k', 'OVERFLOW', 'WRAP', 'GET', 'i8', '0'],
      ['BITFIELD_RO', 'k', 'INCRBY', 'x', '0', '1'], ['BITFIELD', 'k', 'get', 'i8', '0', 'OVERFLOW', 'fail'],
      // Overflow modes
      ['BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0'],
      ['BITFIELD', 'k', 'OVERFLOW', 'WRAP', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0'],
      ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0'],
      ['BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '300', 'SET', 'i8', '0', '-200', 'GET', 'i8', '0', 'SET', 'i8', '0', '200'],
      ['BITFIELD', 'k', 'OVERFLOW', 'WRAP', 'SET', 'i8', '0', '200', 'GET', 'i8', '0'],
      ['BITFIELD', 'nk', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '10'], ['GET', 'nk'],
      ['BITFIELD', 'k', 'OVERFLOW', 'WRAP', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '9223372036854775807'],
      ['BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'u63', '3', '9223372036854775807', 'INCRBY', 'u63', '0', '1', 'INCRBY', 'i5', '3', '-100'],
      ['BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-1'],
      ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '-9223372036854775808', 'INCRBY', 'u1', '7', '1', 'INCRBY', 'u1', '7', '1'],
      ['BITFIELD', 'k', 'INCRBY', 'u4', '#2', '17', 'OVERFLOW', 'SAT', 'INCRBY', 'u4', '#2', '17', 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', '#2', '1'],
      ['BITFIELD', 'k', 'SET', 'i64', '#1', '-9223372036854775808', 'GET', 'u63', '64', 'GET', 'i64', '64', 'GET', 'u1', '64'],
      ['GET', 'k'], ['STRLEN', 'k'], ['OBJECT', 'ENCODING', 'k'], ['BITFIELD', 'e', 'GET', 'u8', '0'], ['EXISTS', 'e2'],
      ['BITFIELD', 'e2', 'GET', 'u8', '0'], ['EXISTS', 'e2'],
      ['SETBIT', 'n', '7', '1'], ['GET', 'n'], ['OBJECT', 'ENCODING', 'n'], ['SETBIT', 'n', '7', '1'], ['SETBIT', 'n', '6', '0'],
      ['APPEND', 'n', 'x'], ['GETBIT', 'n', '9'], ['SETBIT', 'n', '1000', '1'], ['STRLEN', 'n'], ['BITCOUNT', 'n'],
    ]
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds)).toBeNull()
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto: 3 })).toBeNull()
  })
})
