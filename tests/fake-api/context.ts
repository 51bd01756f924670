/** What every endpoint handler receives; kept apart so handlers and the server do not import each other. */
import type { IncomingMessage } from 'node:http'
import type { Fault } from './faults.ts'
import type { Reply } from './faults-runtime.ts'

export interface Song {
  id: string
  createdAt: number
  prompt: string
  style: string
  model: string
  instrumental: boolean
  title: string
  /** `[fail]` in the prompt: the clip ends with status "error" once it would stream. */
  fails: boolean
  /** `[stuck]` in the prompt: the clip stays "generating" without audio for ever. */
  stuck: boolean
}

export interface ServerState {
  songs: Map<string, Song>
  songMs: number
  /** When a generating clip gets its stream `audio_url` (ms after it was made). */
  songStreamMs: number
  /** The origin the song files and streams are served from: another port, so another origin than the API. */
  mediaBaseUrl: string
  /** How long one image takes to generate. */
  imageMs: number
  /** Delay between streamed chunks unless the request sends `x-fake-delay-ms`. */
  chunkDelayMs: number
  validKeys: ReadonlySet<string> | undefined
  /** Bearer keys seen per day, for `/check`'s `requests_today`. */
  keyUse: Map<string, number>
}

export interface Ctx {
  req: IncomingMessage
  /** Without the optional `/v1` prefix. */
  path: string
  query: URLSearchParams
  body: Buffer
  reply: Reply
  /** A response fault the handler itself must render (ratelimit notice, ad footer, empty answer). */
  fault: Fault | undefined
  /** Absolute origin of this server as the client reached it, for URLs in answers. */
  baseUrl: string
  state: ServerState
  /** Per-chunk delay for streamed answers. */
  delayMs: number
  /** Path parameters captured by the route. */
  params: string[]
}
