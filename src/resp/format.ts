/**
 * Number formatting exactly as Redis 7.0 prints it. Clients compare these strings
 * (ZSCORE, INCRBYFLOAT), so JavaScript's shortest round-trip form is not enough.
 */

/** C's printf("%.17g"), which Redis uses for doubles in replies (3.5, 1e+20, inf). */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf'
  if (d === -Infinity) return '-inf'
  if (Number.isNaN(d)) return 'nan'
  if (d === 0) return Object.is(d, -0) ? '-0' : '0'
  const exp = d.toExponential(16)
  const e = exp.indexOf('e')
  const exponent = Number(exp.slice(e + 1))
  if (exponent < -4 || exponent >= 17) {
    const mantissa = trimZeros(exp.slice(0, e))
    const sign = exponent < 0 ? '-' : '+'
    const digits = String(Math.abs(exponent))
    return `${mantissa}e${sign}${digits.length < 2 ? '0' + digits : digits}`
  }
  return trimZeros(d.toFixed(16 - exponent))
}

function trimZeros(s: string): string {
  if (s.indexOf('.') < 0) return s
  let end = s.length
  while (s.charCodeAt(end - 1) === 0x30) end--
  if (s.charCodeAt(end - 1) === 0x2e) end--
  return s.slice(0, end)
}

/**
 * INCRBYFLOAT's form: Redis prints a long double with "%.17Lf" and trims trailing
 * zeros, so results are fixed-point, never exponential (1e20 → 100000000000000000000).
 * Using a double here, results can differ from Redis in the last digits; see README.
 */
export function formatLongDouble(d: number): string {
  if (d === 0) return '0'
  if (Math.abs(d) >= 1e21) {
    // toFixed switches to exponential above 1e21; BigInt prints the exact integer.
    return BigInt(d).toString()
  }
  // 17 significant digits, then fixed-point, avoids showing binary noise past double precision.
  const precise = Number(d.toPrecision(17))
  const fixed = precise.toFixed(Math.max(0, Math.min(17, 16 - Math.floor(Math.log10(Math.abs(precise))))))
  return trimZeros(fixed)
}
