/**
 * The job runner's one timer. However many jobs wait (polls, rate-limit
 * pauses, progress to send), there is a single pending timeout, set for the
 * earliest of them; asking again for the same time costs nothing.
 */

/** setTimeout and clearTimeout, injectable so tests can count and drive them. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
}

/** Longer waits wake early and set the timer again (Node's timers stop at about 24.8 days). */
const MAX_DELAY_MS = 60 * 60 * 1000

export class WakeTimer {
  readonly #timers: Timers
  readonly #now: () => number
  readonly #onWake: () => void
  #handle: unknown = null
  #due: number | null = null

  constructor(timers: Timers, now: () => number, onWake: () => void) {
    this.#timers = timers
    this.#now = now
    this.#onWake = onWake
  }

  /** When the timer fires next (ms since the epoch), or null. */
  get due(): number | null {
    return this.#due
  }

  /** Wakes at `due` (ms since the epoch) instead of whatever was set; null: not at all. */
  set(due: number | null): void {
    if (due === this.#due) return
    this.stop()
    if (due === null) return
    this.#due = due
    const delay = Math.min(Math.max(due - this.#now(), 0), MAX_DELAY_MS)
    const handle = this.#timers.setTimeout(() => {
      if (this.#handle !== handle) return
      this.#handle = null
      this.#due = null
      this.#onWake()
    }, delay)
    // A pending wake alone must not keep the process alive (tests, a host shutting down).
    ;(handle as { unref?: () => void } | null)?.unref?.()
    this.#handle = handle
  }

  stop(): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle)
    this.#handle = null
    this.#due = null
  }
}
