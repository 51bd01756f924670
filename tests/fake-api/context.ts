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
}

export interface ServerState {
  songs: Map<string, Song>
  songMs: number
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
