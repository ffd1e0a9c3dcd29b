// Locating respite builds to benchmark: a built directory, or a git ref compiled into
// a private temp directory (so before/after comparisons run in one process).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * Resolves `spec` to a directory holding the compiled sources (cli.js, resp/...):
 * an existing directory (itself or its dist/), or else a git ref, which is exported
 * with `git archive` and compiled with tsc into a temp directory.
 */
export function resolveBuild(spec) {
  const asPath = resolve(REPO, spec)
  if (existsSync(join(asPath, 'cli.js'))) return asPath
  if (existsSync(join(asPath, 'dist', 'cli.js'))) return join(asPath, 'dist')
  if (spec === 'dist') throw new Error('dist/cli.js not found: run `npm run build` first')
  return buildRef(spec)
}

function buildRef(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'respite-baseline-'))
  const archive = execFileSync('git', ['-C', REPO, 'archive', '--format=tar', ref, 'src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'], {
    maxBuffer: 256 * 1024 * 1024,
  })
  execFileSync('tar', ['-x', '-C', dir], { input: archive })
  // Compiled output resolves its imports (yargs) from the repo's node_modules.
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'))
  writeFileSync(join(dir, 'tsconfig.bench.json'), JSON.stringify({ extends: './tsconfig.build.json', compilerOptions: { sourceMap: false, declaration: false } }))
  execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.bench.json')], { stdio: 'inherit' })
  return join(dir, 'dist')
}
