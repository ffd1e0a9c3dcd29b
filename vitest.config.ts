import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Servers under test are real processes on real ports; run files in parallel
    // but keep it modest on a 2-core machine.
    maxWorkers: 2,
  },
})
