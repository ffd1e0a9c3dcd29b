import type { Flushable, Server } from './server.js'

/** Reads between two probes for several sockets served in one turn. */
const PROBE_EVERY = 64
/** Turns in a row that served one socket before batching stops. */
const LONE_TURNS = 64

/**
 * When a read's replies are written.
 *
 * While several sockets are served per event-loop turn, a read's replies wait until
 * every socket that polled readable has been served (setImmediate runs after libuv's
 * poll phase), as Redis writes in beforeSleep. Written right after each read instead,
 * a reply often reaches a peer that went back to sleep after the previous one, and on
 * loopback each such write pays for waking it: XADD at -P 16 from 50 clients spent 22%
 * of its samples in sock_def_readable's wake-up, and batching cut its system time by
 * half.
 *
 * With one busy socket at a time there is nothing to batch, and the setImmediate
 * would cost every request of a single client about 10% more CPU. So the server
 * writes at once until a probe (one setImmediate every PROBE_EVERY reads) sees two
 * reads in one turn, and goes back after LONE_TURNS turns that each served one socket.
 */
export class WriteBatch {
  private batching = false
  private waiting: Flushable[] = []
  private probeArmed = false
  private readsSinceProbe = 0
  private untilProbe = PROBE_EVERY
  private loneTurns = 0

  constructor(private readonly server: Server) {}

  /** A read has been served: its replies go out now or after the poll phase. */
  served(client: Flushable): void {
    // A busy script serves clients from inside its own turn (busy.ts): no batch can end.
    if (this.batching && this.server.busy === null) {
      if (client.flushQueued) return
      client.flushQueued = true
      if (this.waiting.push(client) === 1) setImmediate(this.flushWaiting)
      return
    }
    client.flush()
    if (this.probeArmed) {
      this.readsSinceProbe++
    } else if (--this.untilProbe === 0) {
      this.probeArmed = true
      this.readsSinceProbe = 1
      setImmediate(this.probe)
    }
  }

  private readonly probe = (): void => {
    this.probeArmed = false
    this.untilProbe = PROBE_EVERY
    if (this.readsSinceProbe > 1) {
      this.batching = true
      this.loneTurns = 0
    }
  }

  private readonly flushWaiting = (): void => {
    const clients = this.waiting
    this.waiting = []
    if (clients.length > 1) this.loneTurns = 0
    else if (++this.loneTurns >= LONE_TURNS) this.batching = false
    this.server.flushEach(clients)
  }
}
