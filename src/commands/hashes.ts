import type { CommandSpec } from './spec.js'

export const hashCommands: CommandSpec[] = []
