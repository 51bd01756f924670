/**
 * Streamed chat completions over the bridge: validates the request, runs it
 * under the stream registry (so it can be stopped), coalesces deltas into
 * one event per frame and ends with exactly one `done` or `failed` event.
 * Persistence of conversations is the chat service's job, not this one's.
 */
import type { ChatMessage, CompletionRequest, Usage } from '../../shared/contract'
import { AppError, toErrorData } from '../../shared/errors'
import type { EventSink } from '../bridge'
import { checkModel, checkParams } from './chat/validate'
import { DeltaCoalescer } from './coalescer'
import type { GatewayClient } from './gateway'
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

  start(request: CompletionRequest, sink: EventSink): { requestId: string } {
    const valid = validateRequest(request)
    const signal = this.#deps.streams.begin(valid.requestId, sink.id)
    void this.#run(valid, signal, sink)
    return { requestId: valid.requestId }
  }

  async #run(request: CompletionRequest, signal: AbortSignal, sink: EventSink): Promise<void> {
    const { requestId } = request
    const coalescer = new DeltaCoalescer((batch) => sink.send('completion.delta', { requestId, ...batch }), this.#deps.frameMs)
    let finishReason: string | null = null
    let usage: Usage | null = null
    let model: string | null = null
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
      }
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

const ROLES = new Set(['system', 'user', 'assistant'])

/** The renderer is not trusted: check the shape of everything it sends. */
function validateRequest(raw: unknown): CompletionRequest {
  const fail = (message: string): never => {
    throw new AppError('invalid_argument', message)
  }
  if (typeof raw !== 'object' || raw === null) return fail('A completion request must be an object.')
  const request = raw as Record<string, unknown>
  if (typeof request.requestId !== 'string') fail('A completion request needs a request id.')
  if (!Array.isArray(request.messages) || request.messages.length === 0) fail('A completion needs at least one message.')
  for (const message of request.messages as unknown[]) {
    const m = message as Partial<ChatMessage> | null
    if (!m || !ROLES.has(m.role as string)) fail('Each message needs a role of system, user or assistant.')
    if (typeof m?.content !== 'string' && !Array.isArray(m?.content)) fail('Each message needs text content or content parts.')
  }
  return {
    requestId: request.requestId as string,
    model: checkModel(request.model),
    messages: request.messages as ChatMessage[],
    params: checkParams(request.params),
    stream: request.stream !== false
  }
}
