import { afterEach, describe, expect, it, vi } from 'vitest'
import { expiryNow, freezeExpiry, holdExpiry, thawExpiry } from '../../src/store/clock.js'

/** The expiry clock: standing still within a command, a script or EXEC, as in Redis 7.0. */
describe('expiry clock', () => {
  afterEach(() => vi.restoreAllMocks())

  it('runs outside commands, and stands still within one from its first expiry check', () => {
    let t = 1000
    vi.spyOn(Date, 'now').mockImplementation(() => t)
    expect(expiryNow()).toBe(1000)
    t = 1001
    expect(expiryNow()).toBe(1001)
    const held = holdExpiry()
    t = 1002
    expect(expiryNow()).toBe(1002)
    t = 1050
    expect(expiryNow()).toBe(1002)
    thawExpiry(held)
    expect(expiryNow()).toBe(1050)
  })

  it('stands still from the start of a script or EXEC, and nested ones keep the outer moment', () => {
    let t = 2000
    vi.spyOn(Date, 'now').mockImplementation(() => t)
    const command = holdExpiry()
    const script = freezeExpiry()
    t = 2100
    expect(expiryNow()).toBe(2000)
    const inner = holdExpiry()
    const nested = freezeExpiry()
    t = 2200
    expect(expiryNow()).toBe(2000)
    thawExpiry(nested)
    thawExpiry(inner)
    thawExpiry(script)
    thawExpiry(command)
    expect(expiryNow()).toBe(2200)
  })
})
