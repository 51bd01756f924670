/**
 * The gateway's GlobalAsk: one question, answered with a web search, as
 * text plus the pages it came from. `/v1/ask?prompt=` over the shared
 * HttpClient (timeouts, proxy, retries before the first byte, readable
 * errors), decoded by `decodeAskBody`.
 */
import type { HttpClient } from '../http/client'
import { AskText, decodeAskBody } from './decode'

/** New answer text and the page it came from (null: same page as before, or none). */
export interface AskDelta {
  text: string
  url: string | null
}

export class GlobalAsk {
  readonly #http: HttpClient

  constructor(http: HttpClient) {
    this.#http = http
  }

  /** The answer as it arrives; `message` may be pieces or the whole text so far (see AskText). */
  async *ask(prompt: string, signal?: AbortSignal): AsyncGenerator<AskDelta, void, undefined> {
    const response = await this.#http.stream({ path: '/v1/ask', query: { prompt }, headers: { accept: 'text/event-stream' }, signal })
    const text = new AskText()
    for await (const fragment of decodeAskBody(response.body, response.contentType, { redact: (value) => this.#http.redact(value) })) {
      const added = text.push(fragment.message)
      if (added !== '' || fragment.url !== null) yield { text: added, url: fragment.url }
    }
  }
}
