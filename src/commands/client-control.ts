import type { Caller } from '../server/caller.js'
import { ReplyFlag } from '../server/client.js'
import { PauseMode } from '../server/pause.js'
import { Tracking, TrackingMode } from '../server/tracking.js'
import { parseInt64 } from '../util/numbers.js'
import { isOption } from './args.js'
import { Err } from './errors.js'

/**
 * CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO, PAUSE, UNPAUSE and REPLY: the
 * handlers parse and check, in Redis 7.0's order of errors; the state lives in
 * server/tracking.ts, server/pause.ts and the client's request loop.
 */

/** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP] */
export function clientTracking(c: Caller, argv: string[]): void {
  const client = c.connection!
  const on = isOption(argv[2], 'ON')
  if (!on && !isOption(argv[2], 'OFF')) return c.out.error(Err.syntax)
  const mode = new TrackingMode()
  const prefixes: string[] = []
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]
    const more = argv.length - 1 - i
    if (isOption(opt, 'REDIRECT') && more >= 1) {
      const id = parseInt64(argv[++i])
      if (id === null) return c.out.error(Err.notInteger)
      // The target must exist now; it may leave later (the redirect is then broken).
      if (!c.server.clients.has(Number(id))) return c.out.error(Err.redirectMissing)
      mode.redirect = Number(id)
    } else if (isOption(opt, 'BCAST')) {
      mode.bcast = true
    } else if (isOption(opt, 'OPTIN')) {
      mode.optin = true
    } else if (isOption(opt, 'OPTOUT')) {
      mode.optout = true
    } else if (isOption(opt, 'NOLOOP')) {
      mode.noloop = true
    } else if (isOption(opt, 'PREFIX') && more >= 1) {
      prefixes.push(argv[++i])
    } else {
      return c.out.error(Err.syntax)
    }
  }
  const tracking = c.server.tracking
  if (!on) {
    tracking.disable(client)
    return c.out.simple('OK')
  }
  if (prefixes.length !== 0 && !mode.bcast) return c.out.error(Err.prefixNeedsBcast)
  const current = client.tracking
  if (current !== null && current.bcast !== mode.bcast) return c.out.error(Err.bcastSwitch)
  if (mode.bcast && (mode.optin || mode.optout)) return c.out.error(Err.optNotWithBcast)
  if (mode.optin && mode.optout) return c.out.error(Err.optinAndOptout)
  if (current !== null && ((mode.optin && current.optout) || (mode.optout && current.optin))) {
    return c.out.error(Err.optSwitch)
  }
  const existing = current?.prefixes ?? []
  for (let i = 0; i < prefixes.length; i++) {
    const prefix = prefixes[i]
    const clash = Tracking.overlap(prefix, existing)
    if (clash !== undefined) return c.out.error(Err.prefixOverlapsExisting(prefix, clash))
    const other = Tracking.overlap(prefix, prefixes.slice(i + 1))
    if (other !== undefined) return c.out.error(Err.prefixOverlapsProvided(prefix, other))
  }
  tracking.enable(client, mode, prefixes)
  c.out.simple('OK')
}

/** CLIENT CACHING YES|NO: whether the next command's keys are tracked (OPTIN / OPTOUT). */
export function clientCaching(c: Caller, argv: string[]): void {
  const mode = c.tracking
  if (mode === null || !(mode.optin || mode.optout)) return c.out.error(Err.cachingNotTracking)
  if (isOption(argv[2], 'YES')) {
    if (!mode.optin) return c.out.error(Err.cachingYesNeedsOptin)
  } else if (isOption(argv[2], 'NO')) {
    if (!mode.optout) return c.out.error(Err.cachingNoNeedsOptout)
  } else {
    return c.out.error(Err.syntax)
  }
  mode.caching = true
  c.out.simple('OK')
}

/** -1 without tracking, 0 when messages come to the client itself. */
export function clientGetRedir(c: Caller): void {
  c.out.integer(c.tracking === null ? -1 : c.tracking.redirect)
}

export function clientTrackingInfo(c: Caller): void {
  const mode = c.tracking
  const out = c.out
  const flags: string[] = []
  if (mode === null) flags.push('off')
  else {
    flags.push('on')
    if (mode.bcast) flags.push('bcast')
    if (mode.optin) flags.push('optin')
    if (mode.optout) flags.push('optout')
    if (mode.caching) flags.push(mode.optin ? 'caching-yes' : 'caching-no')
    if (mode.noloop) flags.push('noloop')
    if (mode.brokenRedirect) flags.push('broken_redirect')
  }
  out.map(3)
  out.bulk('flags')
  out.set(flags.length)
  for (const f of flags) out.bulk(f)
  out.bulk('redirect')
  out.integer(mode === null ? -1 : mode.redirect)
  out.bulk('prefixes')
  const prefixes = mode?.prefixes ?? []
  out.array(prefixes.length)
  for (const p of prefixes) out.bulk(p)
}

const INT64_MAX = 2n ** 63n - 1n

/** CLIENT PAUSE timeout [WRITE | ALL] */
export function clientPause(c: Caller, argv: string[]): void {
  const timeout = parseInt64(argv[2])
  if (timeout === null) return c.out.error(Err.pauseTimeout)
  if (timeout < 0) return c.out.error(Err.timeoutNegative)
  let mode = PauseMode.All
  if (argv.length === 4) {
    if (isOption(argv[3], 'WRITE')) mode = PauseMode.Write
    else if (!isOption(argv[3], 'ALL')) return c.out.error(Err.pauseMode)
  } else if (argv.length > 4) {
    return c.out.error(Err.subcommandSyntax('PAUSE', 'client'))
  }
  // Redis adds the timeout to the clock unchecked: an end past int64 wraps into the
  // past, and the pause is over at once.
  if (BigInt(Date.now()) + BigInt(timeout) <= INT64_MAX) c.server.pause.pause(Number(timeout), mode)
  c.out.simple('OK')
}

export function clientUnpause(c: Caller): void {
  c.server.pause.unpause()
  c.out.simple('OK')
}

/**
 * CLIENT REPLY ON|OFF|SKIP. OFF and SKIP answer nothing; the request loop (client.ts)
 * takes back the replies of the commands they silence.
 */
export function clientReply(c: Caller, argv: string[]): void {
  const client = c.connection!
  const arg = argv[2]
  if (isOption(arg, 'ON')) {
    client.replyFlags &= ~(ReplyFlag.off | ReplyFlag.skip | ReplyFlag.skipNext)
    c.out.simple('OK')
  } else if (isOption(arg, 'OFF')) {
    client.replyFlags |= ReplyFlag.off
  } else if (isOption(arg, 'SKIP')) {
    if ((client.replyFlags & ReplyFlag.off) === 0) client.replyFlags |= ReplyFlag.skipNext
  } else {
    c.out.error(Err.syntax)
  }
}
