/**
 * Batches stream deltas into one message per frame (~16 ms). Servers send
 * 50-200 tokens a second; one bridge message per token makes the renderer
 * re-render that often, so text is collected and flushed on a timer.
 */
export interface DeltaBatch {
  content: string
  reasoning: string
}

export class DeltaCoalescer {
  #content = ''
  #reasoning = ''
  #timer: ReturnType<typeof setTimeout> | null = null
  readonly #flushTo: (batch: DeltaBatch) => void
  readonly #intervalMs: number

  constructor(flushTo: (batch: DeltaBatch) => void, intervalMs = 16) {
    this.#flushTo = flushTo
    this.#intervalMs = intervalMs
  }

  push(content: string, reasoning: string): void {
    this.#content += content
    this.#reasoning += reasoning
    if (this.#timer === null && (this.#content !== '' || this.#reasoning !== '')) {
      this.#timer = setTimeout(() => this.flush(), this.#intervalMs)
    }
  }

  /** Sends what is pending now; call before a stream's final event. */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    if (this.#content === '' && this.#reasoning === '') return
    const batch = { content: this.#content, reasoning: this.#reasoning }
    this.#content = ''
    this.#reasoning = ''
    this.#flushTo(batch)
  }

  /** Drops pending text without sending it. */
  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#content = ''
    this.#reasoning = ''
  }
}
