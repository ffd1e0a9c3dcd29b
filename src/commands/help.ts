import type { Caller } from '../server/caller.js'

/**
 * The `<CONTAINER> HELP` reply as Redis builds it: a header line, the given lines,
 * then the HELP entry every container lists last, all as simple strings.
 */
export function replyHelp(c: Caller, container: string, lines: readonly string[]): void {
  const out = c.out
  out.array(lines.length + 3)
  out.simple(`${container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`)
  for (const line of lines) out.simple(line)
  out.simple('HELP')
  out.simple('    Prints this help.')
}
