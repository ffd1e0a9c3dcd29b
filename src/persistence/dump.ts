import type { KeyspaceValue, StoredValue } from '../store/types.js'
import { crc64 } from '../util/crc64.js'
import { RdbFormatError } from './packed.js'
import { bytes, RDB_VERSION, RdbWriter, readObject, writeObject } from './rdb-values.js'

/**
 * DUMP payloads (DUMP/RESTORE and FUNCTION DUMP/RESTORE): an RDB body, then the RDB
 * version in 2 bytes and a CRC-64 of everything before the checksum, both
 * little-endian.
 */

export const DUMP_VERSION_ERROR = 'ERR DUMP payload version or checksum are wrong'

/** Appends the version and checksum footer to a payload body. */
export function withFooter(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length + 10)
  body.copy(out, 0)
  out.writeUInt16LE(RDB_VERSION, body.length)
  out.writeBigUInt64LE(crc64(out.subarray(0, body.length + 2)), body.length + 2)
  return out
}

/**
 * Where the payload's body ends (its footer starts), or null when the footer is
 * missing, from a newer RDB version, or its checksum is wrong: Redis's verifyDumpPayload.
 */
export function verifyFooter(payload: Buffer): number | null {
  if (payload.length < 10) return null
  const footer = payload.length - 10
  if (payload.readUInt16LE(footer) > RDB_VERSION) return null
  if (payload.readBigUInt64LE(footer + 2) !== crc64(payload.subarray(0, footer + 2))) return null
  return footer
}

/** DUMP key: the value in RDB form, with the footer. */
export function dumpValue(value: KeyspaceValue, compress: boolean): Buffer {
  const w = new RdbWriter(compress)
  writeObject(w, value)
  return withFooter(w.take())
}

/**
 * The value a RESTORE payload holds; throws the error reply's text. The value is
 * built completely before it is returned, so a bad payload leaves nothing behind.
 */
export function restoreValue(payload: Buffer): StoredValue {
  const end = verifyFooter(payload)
  if (end === null) throw new Error(DUMP_VERSION_ERROR)
  const r = { buf: payload.subarray(0, end), pos: 0 }
  try {
    const type = bytes(r, 1)[0]
    const value = readObject(r, type)
    // Like Redis, bytes left over after the value are ignored.
    return value
  } catch (e) {
    if (e instanceof RdbFormatError) throw new Error('ERR Bad data format')
    throw e
  }
}
