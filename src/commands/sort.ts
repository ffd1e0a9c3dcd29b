import type { CommandSpec } from './spec.js'

export const sortCommands: CommandSpec[] = []
