import { describe, expect, it } from 'vitest'
import { FileType, Manifest, ManifestError } from '../../src/persistence/aof-manifest.js'

describe('AOF manifest', () => {
  it("formats Redis 7.0's lines: base, then history, then incremental files", () => {
    const m = new Manifest()
    m.base = { name: 'appendonly.aof.2.base.aof', seq: 2, type: FileType.Base }
    m.history.push({ name: 'appendonly.aof.1.base.aof', seq: 1, type: FileType.History })
    m.incrs.push({ name: 'appendonly.aof.2.incr.aof', seq: 2, type: FileType.Incr }, { name: 'appendonly.aof.3.incr.aof', seq: 3, type: FileType.Incr })
    const text = m.format()
    expect(text).toBe(
      'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.base.aof seq 1 type h\n' +
        'file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n',
    )
    const back = Manifest.parse(text)
    expect(back.loadOrder.map((f) => f.name)).toEqual(['appendonly.aof.2.base.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.3.incr.aof'])
    expect([back.baseSeq, back.incrSeq]).toEqual([2, 3])
  })

  it('reads fields in any order, comments, blank lines and quoted names', () => {
    const m = Manifest.parse('# a comment\n\ntype b seq 1 file "my file.aof"\r\nfile x.incr seq 4 type i\n')
    expect(m.base).toEqual({ name: 'my file.aof', seq: 1, type: 'b' })
    expect(m.incrs).toEqual([{ name: 'x.incr', seq: 4, type: 'i' }])
    expect(Manifest.parse(m.format()).base!.name).toBe('my file.aof')
  })

  it("refuses what Redis's loader refuses, with its messages", () => {
    const cases: [string, string][] = [
      ['', 'Found an empty AOF manifest'],
      ['file a seq 1\n', 'Invalid AOF manifest file format'],
      ['file a seq x type b\n', 'Invalid AOF manifest file format'],
      ['file a seq 1 type b\nfile b seq 2 type b\n', 'Found duplicate base file information'],
      ['file a seq 2 type i\nfile b seq 1 type i\n', 'Found a non-monotonic sequence number'],
      ['file "a seq 1 type b\n', 'Invalid AOF manifest file format'],
    ]
    for (const [text, message] of cases) {
      expect(() => Manifest.parse(text)).toThrow(ManifestError)
      expect(() => Manifest.parse(text)).toThrow(message)
    }
  })
})
