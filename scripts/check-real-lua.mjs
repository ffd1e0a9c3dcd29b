// Checks that third-party Redis Lua scripts parse and compile with our engine:
//   npm run build && node scripts/check-real-lua.mjs DIR...
// The scripts themselves stay outside this repository (their licences are not
// ours): fetch them into a scratch directory (BullMQ's src/commands, bee-queue's
// lib/lua, the Lua strings of huey's storage.py) and point this at it.
//
// Every *.lua file under each DIR is compiled on its own. A file with BullMQ's
// `--- @include "path"` directives is also compiled with them expanded the way
// BullMQ's loader does: each include inlined once, at its first mention,
// recursively, the path resolved against the including file's directory, then
// against the root's includes/ directory. A missing include is reported, not fatal.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs'
import { join, dirname, relative } from 'node:path'
import { LuaEngine } from '../dist/lua/engine.js'

const includeRe = /^[ \t]*---[ \t]*@include[ \t]+["']([^"']+)["'][ \t]*$/gm

function walk(dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...walk(p))
    else if (name.endsWith('.lua')) out.push(p)
  }
  return out
}

function resolveInclude(from, root, name) {
  const file = name.endsWith('.lua') ? name : `${name}.lua`
  for (const base of [dirname(from), join(root, 'includes'), root]) {
    const p = join(base, file)
    if (existsSync(p)) return p
  }
  return null
}

function expand(path, root, seen, missing) {
  return readFileSync(path, 'latin1').replace(includeRe, (_, name) => {
    const p = resolveInclude(path, root, name)
    if (!p) {
      missing.add(name)
      return ''
    }
    if (seen.has(p)) return ''
    seen.add(p)
    return expand(p, root, seen, missing)
  })
}

function tryCompile(source) {
  try {
    new LuaEngine().compile(source, 'user_script')
    return null
  } catch (e) {
    return e && e.message ? e.message : String(e)
  }
}

let files = 0
let failures = 0
for (const root of process.argv.slice(2)) {
  for (const path of walk(root)) {
    files++
    const name = relative(root, path)
    const alone = tryCompile(readFileSync(path, 'latin1'))
    if (alone) {
      failures++
      console.log(`FAIL ${root}: ${name}: ${alone}`)
    }
    if (includeRe.test(readFileSync(path, 'latin1'))) {
      includeRe.lastIndex = 0
      const missing = new Set()
      const expanded = tryCompile(expand(path, root, new Set([path]), missing))
      if (expanded) {
        failures++
        console.log(`FAIL ${root}: ${name} (includes expanded): ${expanded}`)
      }
      if (missing.size) console.log(`note ${root}: ${name}: includes not fetched: ${[...missing].join(', ')}`)
    }
    includeRe.lastIndex = 0
  }
}
console.log(`${files} files checked, ${failures} failures`)
process.exit(failures ? 1 : 0)
