/**
 * Speaks the gateway's endpoints (and those of any OpenAI-compatible server)
 * over the shared HttpClient: the model list, the key check and chat
 * completions. Other endpoints (images, songs, speech, ask) live with their
 * own services.
 */
import type { ChatMessage, ChatParams, KeyCheck, ModelInfo, Usage } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { HttpClient } from './http/client'
import { cleanMessage, isWebPage, REDACTED, webPageError } from './http/errors'
import { decodeChatBody, type ChatStreamEvent } from './http/sse'
import { isRecord } from '../../shared/is-record'

export type { ChatStreamEvent } from './http/sse'

export interface ChatRequest {
  model: string
  messages: ChatMessage[]
  params?: ChatParams | undefined
  /** Defaults to true. */
  stream?: boolean | undefined
}

type Json = Record<string, unknown>

const PARAM_NAMES = ['temperature', 'top_p', 'top_k', 'max_tokens'] as const

/** One model entry of any shape servers use, or null when it has no id. */
function modelOf(entry: unknown): ModelInfo | null {
  if (typeof entry === 'string') return entry.trim() ? { id: entry.trim(), ownedBy: null, created: null } : null
  if (!isRecord(entry)) return null
  // OpenAI uses `id`; Ollama-style lists use `name` or `model`.
  const id = [entry.id, entry.name, entry.model].find((v): v is string => typeof v === 'string' && v.trim() !== '')
  if (!id) return null
  const ownedBy = typeof entry.owned_by === 'string' && entry.owned_by !== '' ? entry.owned_by : null
  const created = typeof entry.created === 'number' && Number.isFinite(entry.created) ? entry.created : null
  return { id: id.trim(), ownedBy, created }
}

/** Case-insensitive, so "Nous-Hermes" sits among the n's, as a person expects. */
export function compareModelIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true })
}

/** Accepts `{data:[...]}`, `{models:[...]}` or a bare array; dedupes and sorts by id. */
export function parseModelList(json: unknown): ModelInfo[] {
  const entries = Array.isArray(json) ? json : isRecord(json) ? (json.data ?? json.models) : undefined
  if (!Array.isArray(entries)) throw new AppError('bad_response', 'The server\'s model list has an unexpected shape.')
  const byId = new Map<string, ModelInfo>()
  for (const entry of entries) {
    const model = modelOf(entry)
    if (model && !byId.has(model.id)) byId.set(model.id, model)
  }
  return [...byId.values()].sort((a, b) => compareModelIds(a.id, b.id))
}

/** The `/check` answer: `info` plus every other scalar field, never the key itself. */
export function parseKeyCheck(body: string, redact: (text: string) => string): KeyCheck {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    if (isWebPage('', body)) throw webPageError(redact(body))
    // Some deployments answer in plain text; show it as the info line.
    const text = cleanMessage(redact(body))
    return { info: text === '' ? null : text, details: {} }
  }
  if (!isRecord(json)) throw new AppError('bad_response', 'The key check answer has an unexpected shape.')
  const details: KeyCheck['details'] = {}
  let info: string | null = null
  for (const [name, value] of Object.entries(json)) {
    if (name === 'info') {
      info = value === null || value === undefined ? null : cleanMessage(redact(String(value)))
    } else if (typeof value === 'string') {
      const shown = cleanMessage(redact(value))
      // A field that is nothing but the key says nothing.
      if (shown !== REDACTED) details[name] = shown
    } else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
      details[name] = value
    }
  }
  return { info, details }
}

export class GatewayClient {
  readonly #http: HttpClient

  constructor(http: HttpClient) {
    this.#http = http
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    return parseModelList(await this.#http.json<unknown>({ path: '/v1/models', signal }))
  }

  /** Asks `/check?key=` about the key; the client adds it, under the same origin rule as the header. */
  async checkKey(signal?: AbortSignal): Promise<KeyCheck> {
    const body = await this.#http.text({ path: '/check', keyParam: 'key', signal })
    return parseKeyCheck(body, (text) => this.#http.redact(text))
  }

  /**
   * A chat completion as events. Decodes whatever the server really sent
   * (SSE or JSON), and treats an answer with no text and no usage as a
   * failure, as the gateway sends those when it fails quietly.
   */
  async *streamChat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatStreamEvent, void, undefined> {
    const stream = req.stream ?? true
    // Only fields the gateway documents: unknown ones (stream_options…) may be rejected.
    const payload: Json = { model: req.model, messages: req.messages, stream }
    for (const name of PARAM_NAMES) {
      const value = req.params?.[name]
      if (value !== undefined && value !== null) payload[name] = value
    }
    const response = await this.#http.stream({ method: 'POST', path: '/v1/chat/completions', json: payload, signal })
    let sawText = false
    let usage: Usage | null = null
    for await (const event of decodeChatBody(response.body, response.contentType, { redact: (text) => this.#http.redact(text) })) {
      if (event.type === 'delta' && (event.content !== '' || event.reasoning !== '')) sawText = true
      if (event.type === 'usage') usage = event.usage
      yield event
    }
    if (!sawText && (usage === null || usage.completionTokens === 0)) {
      throw new AppError('bad_response', 'The server returned an empty answer.')
    }
  }
}
