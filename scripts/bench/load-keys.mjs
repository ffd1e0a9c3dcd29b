// Loads an exact key sequence, key:000000000000 .. key:<count-1> (redis-benchmark's
// -r key format, so `-r count` then hits only existing keys), with pipelined SETs.
// Values end with the key's number, so no two keys hold equal values (respite shares
// one string among equal short arguments, which would flatter its memory figure).
import net from 'node:net'

/** Commands per written chunk; two chunks are kept in flight. */
const BATCH = 10_000

/** One SET whose 12-digit key number (and value suffix) `fill` overwrites in place. */
function template(valueSize) {
  if (valueSize < 12) throw new Error('values must have room for a 12-digit suffix')
  const head = `*3\r\n$3\r\nSET\r\n$16\r\nkey:`
  const cmd = Buffer.from(`${head}000000000000\r\n$${valueSize}\r\n${'x'.repeat(valueSize)}\r\n`, 'latin1')
  return { cmd, digitsAt: [head.length, cmd.length - 2 - 12] }
}

function fill(buf, offset, digitsAt, n) {
  for (const at of digitsAt) {
    let p = offset + at + 11
    let m = n
    for (let i = 0; i < 12; i++) {
      buf[p--] = 0x30 + (m % 10)
      m = Math.floor(m / 10)
    }
  }
}

/**
 * Sends `count` SETs of `valueSize`-byte values to 127.0.0.1:port and resolves once
 * every reply has arrived. Rejects on an error reply.
 */
export function loadKeys(port, count, valueSize, onProgress) {
  const { cmd, digitsAt } = template(valueSize)
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    let sent = 0
    let replies = 0
    let failed = false
    const sendBatch = () => {
      const n = Math.min(BATCH, count - sent)
      if (n <= 0) return
      const buf = Buffer.allocUnsafe(n * cmd.length)
      for (let i = 0; i < n; i++) {
        cmd.copy(buf, i * cmd.length)
        fill(buf, i * cmd.length, digitsAt, sent + i)
      }
      sent += n
      socket.write(buf)
    }
    socket.on('connect', () => {
      sendBatch()
      sendBatch()
    })
    let lastReported = 0
    socket.on('data', (chunk) => {
      if (!failed && chunk.includes(0x2d /* - */) && /(^|\n)-/.test(chunk.toString('latin1'))) {
        failed = true
        socket.destroy()
        reject(new Error(`error reply while loading keys: ${chunk.toString('latin1').slice(0, 200)}`))
        return
      }
      for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) replies++
      // Keep two batches in flight.
      while (sent < count && sent - replies < 2 * BATCH) sendBatch()
      if (onProgress && replies - lastReported >= 1_000_000) {
        lastReported = replies
        onProgress(replies)
      }
      if (replies >= count) {
        socket.end()
        resolve()
      }
    })
    socket.on('error', (e) => {
      if (!failed) reject(e)
    })
  })
}
