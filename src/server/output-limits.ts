/**
 * client-output-buffer-limit: how much output may wait for a client that does not
 * read it, per class of client, before the server gives up on it.
 *
 * A class has a hard limit (close as soon as it is reached), a soft limit (close once
 * the output has stayed at or above it for longer than soft-seconds) and 0 disables
 * either. As in Redis the soft clock is whole seconds and only moves when output is
 * added: a client that sits above the soft limit while nothing new is queued for it
 * is left alone.
 *
 * Redis keeps the first 16 KiB of a client's replies in a buffer of the connection's
 * own and only checks the limits against output queued beyond it, so a client whose
 * output fits there is never dropped, whatever the limit (`normal 1 2 3` leaves a
 * client's +OK alone). Below that much queued output, nothing is checked here either.
 */

/** Redis's per-connection reply buffer (PROTO_REPLY_CHUNK_BYTES), exempt from the limits. */
const UNCOUNTED_OUTPUT = 16 * 1024

/** Indexes of Server.outputLimits, in the order the config value lists the classes. */
export const enum ClientClass {
  Normal = 0,
  Replica = 1,
  PubSub = 2,
}

export interface OutputLimit {
  hard: number
  soft: number
  softSeconds: number
  /**
   * Queued output below which nothing can be exceeded (Infinity when both limits are
   * off), which is all the per-message check has to compare.
   */
  floor: number
}

export function defaultOutputLimits(): OutputLimit[] {
  return [0, 1, 2].map(() => ({ hard: 0, soft: 0, softSeconds: 0, floor: Infinity }))
}

/**
 * Reads the normalised config value ("normal h s secs slave h s secs pubsub h s secs",
 * see config.ts) into `limits`, in place: clients hold no copy, so a CONFIG SET
 * applies to the next byte queued for anyone.
 */
export function applyOutputLimits(value: string, limits: OutputLimit[]): void {
  const w = value.split(/\s+/).filter(Boolean)
  for (let i = 0; i + 3 < w.length; i += 4) {
    const index = w[i] === 'normal' ? ClientClass.Normal : w[i] === 'pubsub' ? ClientClass.PubSub : ClientClass.Replica
    const limit = limits[index]
    limit.hard = Number(w[i + 1])
    limit.soft = Number(w[i + 2])
    limit.softSeconds = Number(w[i + 3])
    const lowest = Math.min(limit.hard === 0 ? Infinity : limit.hard, limit.soft === 0 ? Infinity : limit.soft)
    limit.floor = Math.max(lowest, UNCOUNTED_OUTPUT + 1)
  }
}

/** What a client keeps for the soft limit: when its output first reached it (unix seconds, 0 = below). */
export interface SoftLimitState {
  softLimitSince: number
}

/**
 * Whether `used` bytes of queued output break `limit` at `nowSecs`. Updates the
 * client's soft-limit clock: starts it when the soft limit is first reached (which
 * never closes by itself), stops it when the output is back below.
 */
export function outputLimitReached(limit: OutputLimit, used: number, nowSecs: number, client: SoftLimitState): boolean {
  if (limit.soft !== 0 && used >= limit.soft) {
    if (client.softLimitSince === 0) client.softLimitSince = nowSecs
    else if (nowSecs - client.softLimitSince > limit.softSeconds) return true
  } else {
    client.softLimitSince = 0
  }
  return limit.hard !== 0 && used >= limit.hard
}
