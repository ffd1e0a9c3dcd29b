export declare const HANG_MS: number

/** A command as the server describes it (see frames.mjs). */
export interface CommandEntry {
  name: string
  words: string[]
  arity: number
  flags: Set<string>
  args: unknown[] | null
  container: boolean
}

export interface FuzzStats {
  frames: number
  junkFrames: number
  batches: number
  replies: number
  errors: number
  errorKinds: Map<string, number>
  commands: Map<string, { sent: number; errors: number }>
  internalErrors: number
  internalExamples: { command: string; message: string; frame: string | null }[]
  malformed: { message: string; frames: string[] }[]
  closedByServer: number
  junkStalls: number
  validStalls: number
  failure: 'hang' | 'refused' | null
  elapsedMs: number
}

export interface FuzzOptions {
  port: number
  host?: string
  model: CommandEntry[]
  seed: number
  frames: number
  connections?: number
  batch?: number
  junkRate?: number
  onProgress?: (stats: FuzzStats) => void
  stopped?: () => boolean
}

export declare function answersPing(port: number, host?: string): Promise<boolean>
export declare function loadModel(port: number, host?: string): Promise<CommandEntry[]>
export declare function fuzz(options: FuzzOptions): Promise<FuzzStats>
