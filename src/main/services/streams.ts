/**
 * Running streams by request id. Main keeps one AbortController per stream
 * so the renderer can stop any of them, and so closing a window stops the
 * streams it started.
 */
import { AppError } from '../../shared/errors'

interface RunningStream {
  controller: AbortController
  owner: number
}

export class StreamRegistry {
  #running = new Map<string, RunningStream>()

  /** Registers a new stream and returns the signal its work must honour. */
  begin(requestId: string, owner: number): AbortSignal {
    if (typeof requestId !== 'string' || !/^[\w-]{1,100}$/.test(requestId)) {
      throw new AppError('invalid_argument', 'A stream needs a request id of letters, digits, - or _.')
    }
    if (this.#running.has(requestId)) throw new AppError('invalid_argument', `Request ${requestId} is already running.`)
    const controller = new AbortController()
    this.#running.set(requestId, { controller, owner })
    return controller.signal
  }

  end(requestId: string): void {
    this.#running.delete(requestId)
  }

  /** Returns false when nothing with that id is running (already finished, say). */
  abort(requestId: string): boolean {
    const stream = this.#running.get(requestId)
    if (!stream) return false
    stream.controller.abort()
    this.#running.delete(requestId)
    return true
  }

  /** Stops every stream a window started, e.g. when it closes. */
  abortOwnedBy(owner: number): number {
    let count = 0
    for (const [id, stream] of this.#running) {
      if (stream.owner === owner) {
        stream.controller.abort()
        this.#running.delete(id)
        count++
      }
    }
    return count
  }

  abortAll(): void {
    for (const stream of this.#running.values()) stream.controller.abort()
    this.#running.clear()
  }

  get size(): number {
    return this.#running.size
  }
}
