/**
 * Streamed chat completions over the bridge: runs a request under the
 * stream registry (so it can be stopped), coalesces deltas into
 * one event per frame and ends with exactly one `done` or `failed` event.
 * Persistence of conversations is the chat service's job, not this one's.
 */
import type { CompletionRequest, Usage } from '../../shared/contract'
import { AppError, toErrorData } from '../../shared/errors'
import type { EventSink } from '../bridge'
import { DeltaCoalescer } from './coalescer'
import type { GatewayClient } from './gateway'
import { ENDED_EARLY_MESSAGE } from './http/sse'
import type { StreamRegistry } from './streams'

export interface CompletionServiceDeps {
  gateway: Pick<GatewayClient, 'streamChat'>
  streams: StreamRegistry
  /** Coalescing window; one delta event per window at most. */
  frameMs?: number
}

export class CompletionService {
  readonly #deps: CompletionServiceDeps

  constructor(deps: CompletionServiceDeps) {
    this.#deps = deps
  }

  /** `request` was checked by the bridge schema (see the contract's `completion.start`). */
  start(request: CompletionRequest, sink: EventSink): { requestId: string } {
    const signal = this.#deps.streams.begin(request.requestId, sink.id)
    void this.#run(request, signal, sink)
    return { requestId: request.requestId }
  }

  async #run(request: CompletionRequest, signal: AbortSignal, sink: EventSink): Promise<void> {
    const { requestId } = request
    const coalescer = new DeltaCoalescer((batch) => sink.send('completion.delta', { requestId, ...batch }), this.#deps.frameMs)
    let finishReason: string | null = null
    let usage: Usage | null = null
    let model: string | null = null
    let serverEnded = false
    try {
      const events = this.#deps.gateway.streamChat(
        { model: request.model, messages: request.messages, params: request.params, stream: request.stream ?? true },
        signal
      )
      for await (const event of events) {
        if (event.type === 'delta') coalescer.push(event.content, event.reasoning)
        else if (event.type === 'finish') finishReason = event.reason
        else if (event.type === 'usage') usage = event.usage
        else if (event.type === 'model') model = event.model
        else if (event.type === 'done') serverEnded = true
      }
      // What arrived is kept (the deltas were sent), but the answer must not look finished.
      if (!serverEnded && finishReason === null) throw new AppError('network', ENDED_EARLY_MESSAGE)
      coalescer.flush()
      sink.send('completion.done', { requestId, finishReason, usage, model })
    } catch (error) {
      // What arrived before the failure still reaches the renderer.
      coalescer.flush()
      const data = signal.aborted ? { code: 'aborted' as const, message: 'Stopped.' } : toErrorData(error)
      sink.send('completion.failed', { requestId, error: data })
    } finally {
      this.#deps.streams.end(requestId)
    }
  }
}
