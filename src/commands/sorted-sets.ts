import type { CommandSpec } from './spec.js'

export const sortedSetCommands: CommandSpec[] = []
