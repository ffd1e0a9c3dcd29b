import { describe, expect, it } from 'vitest'
import { rng, runDifferential } from '../helpers/differential.js'
import { useRespiteAndRedis } from '../helpers/fixture.js'
import { missingTool } from '../helpers/servers.js'

/**
 * Seeded random sequences of every non-blocking list command, with the key-space
 * commands around them and plenty of invalid input, sent to respite and to a real
 * redis-server: every reply must match byte for byte, in RESP2 and RESP3.
 */

const skip = missingTool('redis-server')

const KEYS = ['l1', 'l2', 'l3', 'str']
const VALUES = ['a', 'b', 'c', 'a', 'b', '', 'x y', '\xff\x00\r\n', '12', '-1', 'a'.repeat(70)]
const INDEXES = [
  '0', '1', '2', '3', '5', '10', '-1', '-2', '-3', '-5', '-100', '100',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', 'x', '1.5', ' 1', '+1', '01', '-0', '',
]
const COUNTS = ['0', '1', '2', '3', '10', '-1', '-2', '9223372036854775807', '9223372036854775808', 'x', '01']
const ENDS = ['LEFT', 'RIGHT', 'left', 'Right']

function generate(seed: number, length: number): string[][] {
  const r = rng(seed)
  // Mostly list keys; 'str' holds a string for the WRONGTYPE paths.
  const key = () => (r.chance(0.85) ? r.pick(KEYS.slice(0, 3)) : 'str')
  const value = () => r.pick(VALUES)
  const values = () => Array.from({ length: 1 + r.int(6) }, value)
  const index = () => (r.chance(0.8) ? String(r.int(13) - 6) : r.pick(INDEXES))
  const count = () => (r.chance(0.6) ? String(r.int(5)) : r.pick(COUNTS))
  const end = () => (r.chance(0.97) ? r.pick(ENDS) : 'middle')
  const cmds: string[][] = [['SET', 'str', 'text']]
  while (cmds.length < length) {
    switch (r.int(27)) {
      case 0: case 1: case 2: case 24: case 25: case 26:
        cmds.push([r.pick(['LPUSH', 'RPUSH', 'lpush', 'rpush']), key(), ...values()])
        break
      case 3:
        cmds.push([r.pick(['LPUSHX', 'RPUSHX']), key(), ...values()])
        break
      case 4: case 5: {
        const cmd = [r.pick(['LPOP', 'RPOP']), key()]
        if (r.chance(0.5)) cmd.push(count())
        if (r.chance(0.03)) cmd.push('1')
        cmds.push(cmd)
        break
      }
      case 6:
        cmds.push(['LLEN', key()])
        break
      case 7: case 8:
        cmds.push(['LRANGE', key(), index(), index()])
        break
      case 9:
        cmds.push(['LINDEX', key(), index()])
        break
      case 10:
        cmds.push(['LSET', key(), index(), value()])
        break
      case 11:
        cmds.push(['LINSERT', key(), r.pick(['BEFORE', 'AFTER', 'before', 'after', 'MIDDLE']), value(), value()])
        break
      case 12:
        cmds.push(['LREM', key(), r.chance(0.8) ? String(r.int(7) - 3) : r.pick(COUNTS), value()])
        break
      case 13:
        cmds.push(['LTRIM', key(), index(), index()])
        break
      case 14: case 15: {
        const cmd = ['LPOS', key(), value()]
        const options = ['RANK', 'COUNT', 'MAXLEN']
        for (let n = r.int(4); n > 0; n--) {
          const opt = r.pick(options)
          if (opt === 'RANK') cmd.push('RANK', r.chance(0.8) ? String(r.int(7) - 3) : r.pick(INDEXES))
          else if (opt === 'COUNT') cmd.push(r.pick(['COUNT', 'count']), count())
          else cmd.push('MAXLEN', r.chance(0.8) ? String(r.int(6)) : r.pick(COUNTS))
        }
        if (r.chance(0.05)) cmd.push(r.pick(['RANK', 'FOO']))
        cmds.push(cmd)
        break
      }
      case 16: case 17:
        cmds.push(['LMOVE', key(), key(), end(), end()])
        break
      case 18:
        cmds.push(['RPOPLPUSH', key(), key()])
        break
      case 19: case 20: {
        const n = 1 + r.int(3)
        const ks = Array.from({ length: r.chance(0.9) ? n : n + r.int(3) - 1 }, key)
        const cmd = ['LMPOP', r.chance(0.95) ? String(n) : r.pick(COUNTS), ...ks, end()]
        if (r.chance(0.5)) cmd.push('COUNT', count())
        if (r.chance(0.05)) cmd.push(r.pick(['COUNT', 'FOO']))
        cmds.push(cmd)
        break
      }
      case 21:
        cmds.push([r.pick(['TYPE', 'EXISTS']), key()])
        break
      case 22:
        if (r.chance(0.5)) cmds.push(['DEL', key()])
        else if (r.chance(0.2)) cmds.push(['SET', key(), 'text'])
        else cmds.push(['EXISTS', ...KEYS])
        break
      case 23:
        // Arity errors, checked by the dispatcher with each command's own name.
        cmds.push(r.pick([['LPUSH', key()], ['LLEN'], ['LRANGE', key(), '0'], ['LINDEX', key()], ['LMOVE', key(), key(), 'LEFT'], ['LMPOP', '1', key()], ['LPOS', key()], ['RPOPLPUSH', key()]]))
        break
    }
  }
  // End with the whole state, so a silent divergence still shows.
  for (const k of KEYS) cmds.push(['TYPE', k], ['LRANGE', k, '0', '-1'])
  return cmds
}

describe.skipIf(skip !== null)('differential: list commands (LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP)', () => {
  const servers = useRespiteAndRedis()

  for (const proto of [2, 3] as const) {
    it(`matches redis-server on seeded random sequences (RESP${proto})`, async () => {
      for (const seed of [11, 12, 13, 14]) {
        const cmds = generate(seed * proto, 700)
        const mismatch = await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto })
        expect(mismatch, `seed ${seed * proto}`).toBeNull()
      }
    })
  }

  it('matches redis-server on hand-picked edge cases (RESP2 and RESP3)', async () => {
    const cmds: string[][] = [
      ['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'c', 'a'],
      ['SET', 's', 'v'],
      ['LPOP', 'l', '0'], ['LPOP', 'nokey', '0'], ['RPOP', 'nokey', '1'], ['LPOP', 'nokey'],
      ['LPOP', 's', '0'], ['LPOP', 'l', '-1'], ['LPOP', 'l', 'x'], ['LPOP', 'l', '1', '2'],
      ['LPOS', 'l', 'a', 'RANK', '0'], ['LPOS', 'nokey', 'a', 'RANK', '0'], ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1'],
      ['LPOS', 'l', 'a', 'COUNT', '0', 'MAXLEN', '1'], ['LPOS', 'l', 'a', 'COUNT', '-1'], ['LPOS', 'l', 'a', 'MAXLEN', 'x'],
      ['LPOS', 's', 'a', 'RANK', 'x'], ['LPOS', 'nokey', 'a', 'COUNT', '1'], ['LPOS', 'l', 'zz'],
      ['LINSERT', 'l', 'BEFORE', 'zz', 'x'], ['LINSERT', 'nokey', 'MIDDLE', 'a', 'x'], ['LINSERT', 'nokey', 'BEFORE', 'a', 'x'],
      ['LRANGE', 'l', '0', '9223372036854775807'], ['LRANGE', 'nokey', 'x', '1'], ['LRANGE', 's', '0', '1'],
      ['LINDEX', 'nokey', 'x'], ['LINDEX', 'l', 'x'], ['LSET', 'nokey', 'x', 'v'], ['LSET', 'l', '100', 'v'],
      ['LMOVE', 'nokey', 's', 'LEFT', 'RIGHT'], ['LMOVE', 'l', 's', 'LEFT', 'RIGHT'], ['LMOVE', 'l', 'l', 'RIGHT', 'LEFT'],
      ['LMPOP', '0', 'l', 'LEFT'], ['LMPOP', '9223372036854775807', 'l', 'LEFT'], ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '0'],
      ['LMPOP', '2', 'nokey', 's', 'LEFT'], ['LMPOP', '2', 'nokey', 'l', 'RIGHT', 'COUNT', '100'], ['LMPOP', '1', 'l', 'LEFT'],
      ['LREM', 's', '0', 'a'], ['LTRIM', 's', '0', '1'], ['LTRIM', 'nokey', 'x', '1'],
      ['RPUSH', 'big', ...Array.from({ length: 300 }, (_, i) => String(i % 7))],
      ['LREM', 'big', '-5', '3'], ['LREM', 'big', '5', '4'], ['LREM', 'big', '0', '0'],
      ['LTRIM', 'big', '10', '-10'], ['LRANGE', 'big', '0', '-1'], ['LPOS', 'big', '6', 'RANK', '-3', 'COUNT', '4'],
      ['LINSERT', 'big', 'AFTER', '5', 'five'], ['LRANGE', 'big', '-20', '-1'], ['LLEN', 'big'],
      ['LPOP', 'big', '1000'], ['EXISTS', 'big'], ['TYPE', 'big'],
    ]
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds)).toBeNull()
    expect(await runDifferential(servers.respite.port, servers.redis.port, cmds, { proto: 3 })).toBeNull()
  })
})
