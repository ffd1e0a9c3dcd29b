import { Err } from '../commands/errors.js'
import type { CommandSpec } from '../commands/spec.js'
import type { CommandTable } from '../commands/table.js'
import type { Argv } from '../resp/values.js'
import type { Client } from './client.js'

/**
 * The generic checks every command gets, in Redis's order: unknown command (or
 * subcommand), arity, then authentication. Handlers never repeat them.
 */
export function dispatch(table: CommandTable, client: Client, request: Argv): void {
  const name = request[0]
  if (typeof name !== 'string') {
    client.out.error(Err.structuredArg)
    return
  }
  let spec = table.lookup(name)
  const argv = request as string[]
  const out = client.out
  if (spec === undefined) {
    reject(client, Err.unknownCommand(argv.map(printable)))
    return
  }
  if (spec.subcommands !== undefined && argv.length >= 2) {
    const sub = table.lookupSub(spec, argv[1])
    if (sub === undefined) {
      reject(client, Err.unknownSubcommand(printable(argv[1]), spec.name))
      return
    }
    spec = sub
  }
  const arity = spec.arity
  if (arity > 0 ? argv.length !== arity : argv.length < -arity) {
    spec.stats!.rejected++
    reject(client, Err.wrongArgs(spec.fullName!))
    return
  }
  if (!client.authenticated && !spec.noAuth) {
    spec.stats!.rejected++
    reject(client, Err.noAuth)
    return
  }
  if (client.decoder.structured && !spec.acceptsStructured) {
    spec.stats!.rejected++
    reject(client, Err.structuredArg)
    return
  }
  const errorsBefore = out.errors
  spec.stats!.calls++
  client.lastCommand = spec
  spec.handler!(client, argv)
  if (out.errors !== errorsBefore) spec.stats!.failed++
}

function reject(client: Client, message: string): void {
  client.out.error(message)
}

/** Error texts quote arguments; structured values are shown by their kind. */
function printable(v: unknown): string {
  return typeof v === 'string' ? v : Array.isArray(v) ? '(array)' : String(v)
}

export type { CommandSpec }
