import { describe, expect, it } from 'vitest'
import { replyEntryHead, replyEntryId } from '../../../src/commands/streams/shared.js'
import { ReplyWriter } from '../../../src/resp/writer.js'
import { formatId, idKey, makeId } from '../../../src/store/stream.js'

/** What replyEntryHead must write: the same bytes as the writer's own calls. */
function expected(id: bigint, n: number): string {
  const out = new ReplyWriter()
  out.array(2)
  out.bulk(formatId(id))
  out.array(n)
  return out.take().toString('latin1')
}

function written(e: { id: bigint; text?: string; key?: number }, n: number): string {
  const out = new ReplyWriter()
  replyEntryHead(out, e, n)
  return out.take().toString('latin1')
}

describe('replyEntryHead', () => {
  it('writes an id from its number key as the writer writes its text, one ms after another', () => {
    const ids: bigint[] = []
    for (const ms of [0n, 1n, 9n, 10n, 1765080000000n, 1765080000001n, 999999999n, 0x80000000000n - 1n]) {
      for (const seq of [0n, 9n, 10n, 99n, 100n, 999n, 1000n, 1023n]) ids.push(makeId(ms, seq))
    }
    for (const id of ids) {
      const key = idKey(id)
      expect(typeof key).toBe('number')
      for (const n of [0, 2, 10, 9999]) expect(written({ id, key: key as number }, n)).toBe(expected(id, n))
    }
  })

  it('writes an id alone as a bulk string (XADD), from its key or else its text', () => {
    for (const id of [makeId(0n, 0n), makeId(1765080000000n, 1023n), makeId(12345n, 7n)]) {
      const out = new ReplyWriter()
      replyEntryId(out, { id, key: idKey(id) as number })
      replyEntryId(out, { id, text: formatId(id) })
      replyEntryId(out, { id })
      expect(out.take().toString('latin1')).toBe(`$${formatId(id).length}\r\n${formatId(id)}\r\n`.repeat(3))
    }
  })

  it('writes ids without a key from their text or bigint, and long field lists through the writer', () => {
    const big = makeId(1n << 60n, 5000n)
    expect(written({ id: big }, 4)).toBe(expected(big, 4))
    expect(written({ id: makeId(7n, 2000n), text: '7-2000' }, 2)).toBe(expected(makeId(7n, 2000n), 2))
    const id = makeId(1765080000000n, 3n)
    expect(written({ id, key: idKey(id) as number }, 123456)).toBe(expected(id, 123456))
  })
})
