export interface CrashResult {
  /** Keys whose writes were acknowledged, and the writes themselves. */
  acked: number
  writes: number
  /** Acknowledged writes missing after the restart. */
  lost: string[]
  /** redis-check-aof's exit status on the directory after the restart. */
  check: number | null
}

export function crashTrial(options?: { fsync?: 'always' | 'everysec' | 'no'; writers?: number; random?: () => number }): Promise<CrashResult>
