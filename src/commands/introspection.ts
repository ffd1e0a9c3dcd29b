import type { CommandSpec } from './spec.js'

export const introspectionCommands: CommandSpec[] = []
