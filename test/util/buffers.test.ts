import { describe, expect, it } from 'vitest'
import { copyBytes, copyBytesPortable, withRoom } from '../../src/util/buffers.js'

describe('copyBytes', () => {
  for (const [name, copy] of [
    ['binding', copyBytes],
    ['portable', copyBytesPortable],
  ] as const) {
    it(`copies a range between ArrayBuffers at any offsets (${name})`, () => {
      const src = Buffer.allocUnsafeSlow(4096)
      for (let i = 0; i < src.length; i++) src[i] = (i * 7 + 3) & 0xff
      // A pooled Buffer: its bytes start inside a shared ArrayBuffer.
      const dst = Buffer.alloc(3000)
      dst.fill(0xee)
      copy(dst.buffer, dst.byteOffset + 5, src.buffer, 1001, 1500)
      expect(dst.subarray(5, 1505)).toEqual(src.subarray(1001, 2501))
      expect(dst[4]).toBe(0xee)
      expect(dst[1505]).toBe(0xee)
    })
  }

  it('uses Node’s own copy here', () => {
    expect(copyBytes).not.toBe(copyBytesPortable)
  })
})

describe('withRoom', () => {
  it('keeps the buffer when it is big enough and doubles it otherwise', () => {
    const b = Buffer.from('abcdef')
    expect(withRoom(b, 6, 6)).toBe(b)
    const grown = withRoom(b, 3, 20)
    expect(grown.length).toBe(24)
    expect(grown.subarray(0, 3).toString()).toBe('abc')
  })
})
