export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  pick<T>(xs: readonly T[]): T
  chance(p: number): boolean
}

export declare function rng(seed: number): Rng
