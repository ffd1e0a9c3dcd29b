/**
 * One of Node's internal bindings through process.binding (stream_wrap, buffer), or
 * null where this Node has no process.binding or refuses the name. Callers check the
 * members they use and fall back to public APIs without them.
 */
export function legacyBinding(name: string): Record<string, unknown> | null {
  try {
    const legacy = (process as unknown as { binding?: (name: string) => unknown }).binding
    if (typeof legacy !== 'function') return null
    const b = legacy(name)
    return typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : null
  } catch {
    return null
  }
}
