import type { CommandSpec } from '../src/commands/spec.js'

export declare const START: string
export declare const END: string
export declare function renderCommandsTable(commands: readonly CommandSpec[]): string
export declare function replaceCommandsSection(readme: string, table: string): string
