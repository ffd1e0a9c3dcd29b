/**
 * Splits an inline (telnet-style) command line into arguments with Redis's quoting
 * rules: double quotes understand \n \r \t \b \a \\ \" and \xHH; single quotes only
 * \'; a closing quote must be followed by white space or the end of the line.
 *
 * Hand-written because no library implements these exact rules, and because the
 * input is latin1 bytes, not text.
 *
 * Returns null when the quotes are unbalanced.
 */
export function splitInlineArgs(line: string): string[] | null {
  const args: string[] = []
  const n = line.length
  let i = 0
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++
    if (i >= n) return args
    let current = ''
    let inDouble = false
    let inSingle = false
    let done = false
    while (!done) {
      if (inDouble) {
        if (i >= n) return null
        const c = line.charCodeAt(i)
        if (c === 0x5c /* \ */ && i + 3 < n && line.charCodeAt(i + 1) === 0x78 /* x */ &&
          isHex(line.charCodeAt(i + 2)) && isHex(line.charCodeAt(i + 3))) {
          current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16))
          i += 3
        } else if (c === 0x5c && i + 1 < n) {
          i++
          const e = line[i]
          current += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e
        } else if (c === 0x22 /* " */) {
          // A closing quote must be followed by a space or nothing.
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null
          done = true
        } else {
          current += line[i]
        }
      } else if (inSingle) {
        if (i >= n) return null
        const c = line.charCodeAt(i)
        if (c === 0x5c && i + 1 < n && line.charCodeAt(i + 1) === 0x27 /* ' */) {
          i++
          current += "'"
        } else if (c === 0x27) {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null
          done = true
        } else {
          current += line[i]
        }
      } else {
        if (i >= n) break
        const c = line.charCodeAt(i)
        if (endsWord(c)) {
          done = true
        } else if (c === 0x22) {
          inDouble = true
        } else if (c === 0x27) {
          inSingle = true
        } else {
          current += line[i]
        }
      }
      if (i < n) i++
    }
    args.push(current)
  }
}

/** C isspace() in the "C" locale: space, \t, \n, \v, \f, \r. */
export function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d)
}

/**
 * An unquoted word ends only at space, tab, CR or LF: Redis keeps \v and \f inside a
 * word even though it skips them between words.
 */
export function endsWord(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
}
