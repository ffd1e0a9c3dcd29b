import { describe, expect, it } from 'vitest'
import { CommandTable } from '../../src/commands/table.js'

describe('CommandTable.lookup', () => {
  it('finds names in either case, and its memory of the last name follows rename-command', () => {
    const table = new CommandTable()
    expect(table.lookup('GET')?.name).toBe('get')
    expect(table.lookup('GET')?.name).toBe('get')
    expect(table.lookup('gEt')?.name).toBe('get')
    expect(table.lookup('nosuchcommand')).toBeUndefined()
    expect(table.lookup('nosuchcommand')).toBeUndefined()
    // The last name looked up is GET: a rename must not leave it answering.
    expect(table.lookup('GET')?.name).toBe('get')
    table.rename('get', 'fetch')
    expect(table.lookup('GET')).toBeUndefined()
    expect(table.lookup('FETCH')?.fullName).toBe('get')
    expect(table.lookup('FETCH')?.name).toBe('fetch')
    table.rename('fetch', '')
    expect(table.lookup('FETCH')).toBeUndefined()
  })
})
