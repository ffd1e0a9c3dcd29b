import { rmSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM script without type declarations
import { jitNamer, selfCosts, totalOf } from '../../scripts/bench/callgrind.mjs'

/** How bench-instructions.mjs reads callgrind's dumps and node's perf map. */

// A dump in callgrind's own shape: names compressed to "(id)" after their first use,
// in fn= and cfn= lines alike, and after each calls= line the callee's inclusive cost.
const DUMP = `# callgrind format
version: 1
positions: line
events: Ir
summary: 1000

ob=(1) /usr/bin/node
fl=(1) ???
fn=(1) main
0 100
cfn=(2) helper
calls=3 0
0 500
+2 50

fn=(2)
0 400
cfn=(3) 0x000000000d0c3040
calls=1 0
0 80

fl=(2) ???
fn=(3)
0 80
fn=(1)
* 20
`

describe('callgrind dumps (scripts/bench/callgrind.mjs)', () => {
  it('charges each function only its own instructions, following compressed names', () => {
    const costs: Map<string, number> = selfCosts(DUMP)
    expect(Object.fromEntries(costs)).toEqual({ main: 170, helper: 400, '0x000000000d0c3040': 80 })
    expect(totalOf(DUMP)).toBe(1000)
    expect(() => totalOf('events: Ir\n')).toThrow(/no total/)
  })

  it('names JIT addresses from the perf map node writes to /tmp, the latest entry for code that moved', () => {
    const pid = 999_999_000 + Math.floor(Math.random() * 999)
    const path = `/tmp/perf-${pid}.map`
    try {
      writeFileSync(path, 'd0c3000 100 JS:*old\nd0c3000 80 JS:*decode file:///x.js:1:1\nd0c4000 10 JS:*other\n')
      const name = jitNamer(pid)
      expect(name('0x000000000d0c3040')).toBe('JS:*decode file:///x.js:1:1')
      expect(name('0x000000000d0c3090')).toBe('JS:*old')
      expect(name('0x000000000d0c5000')).toBe('0x000000000d0c5000')
      expect(name('uv__read')).toBe('uv__read')
      expect(jitNamer(pid + 1)('0x000000000d0c3040')).toBe('0x000000000d0c3040')
    } finally {
      rmSync(path, { force: true })
    }
  })
})
