/**
 * Redis 7.0's multi-part AOF manifest: which files make up the AOF, in order. One line
 * per file, `file <name> seq <n> type <b|h|i>`: the base (b, at most one), history
 * files a rewrite replaced and that wait to be deleted (h), and the incremental files
 * appended to since the base (i), oldest first. redis-server and redis-check-aof read
 * this exact format, so a respite AOF directory is theirs to load and the reverse.
 */

export const enum FileType {
  Base = 'b',
  History = 'h',
  Incr = 'i',
}

export interface AofFile {
  name: string
  seq: number
  type: FileType
}

export class ManifestError extends Error {}

export class Manifest {
  base: AofFile | null = null
  incrs: AofFile[] = []
  history: AofFile[] = []

  /** Sequence numbers of the newest base and incr file (0: none yet), from which new names follow. */
  get baseSeq(): number {
    return this.base?.seq ?? 0
  }

  get incrSeq(): number {
    return this.incrs.length === 0 ? 0 : this.incrs[this.incrs.length - 1].seq
  }

  /** The files to load, in order: the base then each incremental file. */
  get loadOrder(): AofFile[] {
    return this.base === null ? [...this.incrs] : [this.base, ...this.incrs]
  }

  /** Base first, then history, then incrs: the order Redis writes them. */
  format(): string {
    let out = ''
    for (const f of [...(this.base === null ? [] : [this.base]), ...this.history, ...this.incrs]) {
      out += `file ${quoteName(f.name)} seq ${f.seq} type ${f.type}\n`
    }
    return out
  }

  /**
   * Parses a manifest as Redis's loader does: `#` lines and blank lines are skipped,
   * each line is key/value pairs in any order, and the incremental files must come
   * in increasing sequence. Messages are Redis's.
   */
  static parse(text: string): Manifest {
    const m = new Manifest()
    if (text.length === 0) throw new ManifestError('Found an empty AOF manifest')
    for (const raw of text.split('\n')) {
      const line = raw.replace(/\r$/, '')
      if (line.trim() === '' || line.startsWith('#')) continue
      const words = splitArgs(line)
      if (words === null || words.length % 2 !== 0) throw new ManifestError('Invalid AOF manifest file format')
      const fields = new Map<string, string>()
      for (let i = 0; i < words.length; i += 2) fields.set(words[i], words[i + 1])
      const name = fields.get('file')
      const seq = fields.get('seq')
      const type = fields.get('type')
      if (name === undefined || seq === undefined || type === undefined || !/^\d+$/.test(seq)) {
        throw new ManifestError('Invalid AOF manifest file format')
      }
      const file: AofFile = { name, seq: Number(seq), type: type as FileType }
      if (type === FileType.Base) {
        if (m.base !== null) throw new ManifestError('Found duplicate base file information')
        m.base = file
      } else if (type === FileType.History) {
        m.history.push(file)
      } else if (type === FileType.Incr) {
        if (file.seq <= m.incrSeq) throw new ManifestError('Found a non-monotonic sequence number')
        m.incrs.push(file)
      } else {
        throw new ManifestError('Unknown AOF file type')
      }
    }
    return m
  }
}

/** Names with spaces or quotes are written quoted, as Redis's sdscatrepr does. */
function quoteName(name: string): string {
  if (/^[\x21-\x7e]+$/.test(name) && !name.includes('"') && !name.includes("'") && !name.includes('\\')) return name
  let out = '"'
  for (const ch of name) {
    const code = ch.charCodeAt(0)
    if (ch === '"' || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20 || code > 0x7e) out += '\\x' + code.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + '"'
}

/** Splits a manifest line into words, honouring "double" and 'single' quotes (sdssplitargs). */
function splitArgs(line: string): string[] | null {
  const words: string[] = []
  let i = 0
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++
    if (i >= line.length) break
    let word = ''
    const quote = line[i] === '"' || line[i] === "'" ? line[i++] : ''
    if (quote === '') {
      while (i < line.length && !/\s/.test(line[i])) word += line[i++]
    } else {
      for (;;) {
        if (i >= line.length) return null
        const ch = line[i++]
        if (ch === quote) break
        if (ch === '\\' && quote === '"' && i < line.length) {
          const next = line[i++]
          if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i, i + 2))) {
            word += String.fromCharCode(parseInt(line.slice(i, i + 2), 16))
            i += 2
          } else {
            word += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next
          }
        } else {
          word += ch
        }
      }
      if (i < line.length && !/\s/.test(line[i])) return null
    }
    words.push(word)
  }
  return words
}
