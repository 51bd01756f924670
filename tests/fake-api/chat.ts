/** `/chat/completions`, `/models` and `/ask`: the text endpoints. */
import { randomBytes } from 'node:crypto'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Ctx } from './context.ts'
import { AD_FOOTER, RATELIMIT_NOTICE } from './faults.ts'
import { sendError, sendJson, sse, sseHeaders } from './responses.ts'
import { composeAnswer, composeReasoning, countWords, cutWords, hashInt, oneLine, splitPieces, wantedWords } from './text.ts'

/**
 * The seed's LLM list, plus the model its own example uses and one reasoning
 * model. Written out here rather than imported from the app's catalog: the
 * fake plays the server, and should not agree with the app by construction.
 */
export const LLM_MODELS = [
  'openchat-3.5-0106',
  'deepseek-coder-6.7b-base',
  'deepseek-coder-6.7b-instruct',
  'deepseek-math-7b-instruct',
  'Nous-Hermes-2-Mixtral-8x7B-DPO',
  'hermes-2-pro-mistral-7b',
  'openhermes-2.5-mistral-7b',
  'lfm-40b-moe',
  'discolm-german-7b-v1',
  'falcon-7b-instruct',
  'llama-2-7b-chat-int8',
  'llama-2-7b-chat-fp16',
  'neural-chat-7b-v3-1',
  'phi-2',
  'sqlcoder-7b-2',
  'tinyllama-1.1b-chat',
  'zephyr-7b-beta',
  'any-uncensored',
  'llama-3.1-70b-chat',
  'llama-3.1-8b-chat',
  'llama-3.1-70b-turbo',
  'llama-3.1-8b-turbo',
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4-turbo',
  'claude-3-opus',
  'deepseek-r1'
] as const

export const IMAGE_MODELS = [
  'flux',
  'flux-realism',
  'flux-4o',
  'flux-pixel',
  'flux-3d',
  'flux-anime',
  'flux-disney',
  'any-dark',
  'stable-diffusion-xl-lightning',
  'stable-diffusion-xl-base'
] as const

const llm = new Set<string>(LLM_MODELS)
const imageModels = new Set<string>(IMAGE_MODELS)

function ownedBy(id: string): string {
  const rules: [RegExp, string][] = [
    [/^gpt/, 'openai'],
    [/^claude/, 'anthropic'],
    [/^deepseek/, 'deepseek'],
    [/llama/, 'meta'],
    [/^(flux|any-dark)/, 'black-forest-labs'],
    [/^stable-diffusion/, 'stability-ai'],
    [/hermes/i, 'nousresearch'],
    [/mistral|zephyr/, 'mistral'],
    [/^phi/, 'microsoft']
  ]
  return rules.find(([re]) => re.test(id))?.[1] ?? 'airforce'
}

export async function handleModels(ctx: Ctx): Promise<void> {
  const data = [...LLM_MODELS, ...IMAGE_MODELS].map((id, i) => ({
    id,
    object: 'model',
    created: 1686935002 + i * 86_400,
    owned_by: ownedBy(id)
  }))
  await sendJson(ctx.reply, 200, { object: 'list', data })
}

/** `/imagine/models`, linked from the seed: a bare array of ids. */
export async function handleImageModels(ctx: Ctx): Promise<void> {
  await sendJson(ctx.reply, 200, [...IMAGE_MODELS])
}

export function isReasoner(model: string): boolean {
  return /reasoner|r1/i.test(model)
}

interface ChatMessage {
  role: string
  content: unknown
}

/** Text and image count of an OpenAI message content (string, parts array or null). */
function readContent(content: unknown): { text: string; images: number } {
  if (typeof content === 'string') return { text: content, images: 0 }
  if (!Array.isArray(content)) return { text: '', images: 0 }
  const texts: string[] = []
  let images = 0
  for (const part of content as unknown[]) {
    if (typeof part !== 'object' || part === null) continue
    const p = part as { type?: unknown; text?: unknown }
    if (p.type === 'text' && typeof p.text === 'string') texts.push(p.text)
    else if (p.type === 'image_url') images += 1
  }
  return { text: texts.join('\n'), images }
}

function completionId(): string {
  return `chatcmpl-${randomBytes(12).toString('base64url')}`
}

const fingerprint = 'fp_44709d6fcb'

type ChatRequest = {
  model: string
  messages: ChatMessage[]
  stream: boolean
  maxTokens: number | undefined
}

/** Validates like OpenAI does; returns an error message for a 400 instead of a request. */
function parseChatRequest(raw: string): ChatRequest | { status: number; message: string; param: string | null } {
  let body: unknown
  try {
    body = JSON.parse(raw)
  } catch {
    return { status: 400, message: 'We could not parse the JSON body of your request. Expected valid JSON.', param: null }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { status: 400, message: 'The request body must be a JSON object.', param: null }
  }
  const b = body as Record<string, unknown>
  if (typeof b.model !== 'string' || b.model === '') return { status: 400, message: 'You must provide a model parameter.', param: 'model' }
  if (!Array.isArray(b.messages)) return { status: 400, message: "Missing required parameter: 'messages'.", param: 'messages' }
  if (b.messages.length === 0) {
    return {
      status: 400,
      message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: 'messages'
    }
  }
  for (const [i, m] of (b.messages as unknown[]).entries()) {
    if (typeof m !== 'object' || m === null || typeof (m as { role?: unknown }).role !== 'string') {
      return { status: 400, message: `Invalid 'messages[${i}]': expected an object with a string 'role'.`, param: `messages[${i}]` }
    }
  }
  const limit = b.max_tokens ?? b.max_completion_tokens
  if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    return { status: 400, message: "Invalid 'max_tokens': expected an integer >= 1.", param: 'max_tokens' }
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') {
    return { status: 400, message: "Invalid 'stream': expected a boolean.", param: 'stream' }
  }
  return {
    model: b.model,
    messages: b.messages as ChatMessage[],
    stream: b.stream === true,
    maxTokens: typeof limit === 'number' ? limit : undefined
  }
}

interface Answer {
  content: string
  reasoning: string
  finishReason: 'stop' | 'length'
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
}

function buildAnswer(ctx: Ctx, req: ChatRequest): Answer {
  const zero = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
  const fault = ctx.fault
  if (fault?.kind === 'ratelimit-notice') return { content: RATELIMIT_NOTICE[fault.variant], reasoning: '', finishReason: 'stop', usage: zero }
  if (fault?.kind === 'empty-answer') return { content: '', reasoning: '', finishReason: 'stop', usage: zero }

  let promptTokens = 0
  for (const m of req.messages) promptTokens += countWords(readContent(m.content).text)
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user') ?? req.messages[req.messages.length - 1]
  const { text, images } = readContent(lastUser?.content)
  let content = composeAnswer(text, { images, model: req.model })
  let finishReason: Answer['finishReason'] = 'stop'
  if (req.maxTokens !== undefined && countWords(content) > req.maxTokens) {
    content = cutWords(content, req.maxTokens)
    finishReason = 'length'
  }
  if (fault?.kind === 'ad-footer') content += AD_FOOTER[fault.variant ?? 'proxies']
  const reasoning = isReasoner(req.model) ? composeReasoning(text) : ''
  const completion = countWords(content) + countWords(reasoning)
  return {
    content,
    reasoning,
    finishReason,
    usage: { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion }
  }
}

export async function handleChat(ctx: Ctx): Promise<void> {
  const req = parseChatRequest(ctx.body.toString('utf8'))
  if ('status' in req) {
    await sendError(ctx.reply, req.status, 'openai', req.message, { code: null, param: req.param })
    return
  }
  if (imageModels.has(req.model)) {
    await sendError(ctx.reply, 400, 'openai', `The model \`${req.model}\` is an image model; use /v1/imagine.`, { code: 'model_not_supported' })
    return
  }
  if (!llm.has(req.model)) {
    await sendError(ctx.reply, 404, 'openai', `The model \`${req.model}\` does not exist or you do not have access to it.`, {
      code: 'model_not_found'
    })
    return
  }
  const answer = buildAnswer(ctx, req)
  if (req.stream) await streamChat(ctx, req.model, answer)
  else await sendJson(ctx.reply, 200, completionJson(req.model, answer))
}

function completionJson(model: string, a: Answer): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: a.content }
  if (a.reasoning) message.reasoning_content = a.reasoning
  return {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: fingerprint,
    choices: [{ index: 0, message, logprobs: null, finish_reason: a.finishReason }],
    usage: a.usage
  }
}

function chunkMaker(model: string): (delta: Record<string, unknown>, finish?: string | null) => string {
  const id = completionId()
  const created = Math.floor(Date.now() / 1000)
  return (delta, finish = null) =>
    sse({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: fingerprint,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }]
    })
}

/** Two ordinary content chunks, for the `stream-error` fault. */
export function chatPrelude(model: string): string[] {
  const chunk = chunkMaker(model)
  return [chunk({ role: 'assistant', content: 'The answer' }), chunk({ content: ' starts here' })]
}

/** Writes events with the request's delay between them; false once the client is gone. */
async function writeEvents(ctx: Ctx, events: Iterable<string>): Promise<boolean> {
  let n = 0
  for (const event of events) {
    if (n > 0) {
      if (ctx.delayMs > 0) await ctx.reply.sleep(ctx.delayMs)
      // with no delay, still let other connections run now and then
      else if (n % 64 === 0) await yieldToLoop()
    }
    if (!(await ctx.reply.write(event))) return false
    n += 1
  }
  return true
}

async function streamChat(ctx: Ctx, model: string, a: Answer): Promise<void> {
  const chunk = chunkMaker(model)
  const usageChunk = sse({
    id: completionId(),
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: fingerprint,
    choices: [],
    usage: a.usage
  })
  function* events(): Generator<string> {
    yield chunk({ role: 'assistant', content: '' })
    for (const piece of splitPieces(a.reasoning)) yield chunk({ reasoning_content: piece })
    for (const piece of splitPieces(a.content)) yield chunk({ content: piece })
    yield chunk({}, a.finishReason)
    yield usageChunk
    yield sse('[DONE]')
  }
  if (!(await ctx.reply.head(200, sseHeaders))) return
  if (await writeEvents(ctx, events())) await ctx.reply.end()
}

// ---------------------------------------------------------------------------
// GlobalAsk: `data: {"message","url"}` events

function sourcesFor(prompt: string): string[] {
  const slug = oneLine(prompt, 60).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'answer'
  const h = hashInt(prompt).toString(16).padStart(8, '0')
  return [`https://example.org/wiki/${slug}`, `https://example.com/news/${h}`, `https://example.net/answers/${slug}`]
}

/** Two ordinary GlobalAsk events, for the `stream-error` fault. */
export function askPrelude(): string[] {
  return [sse({ message: 'Searching the web', url: '' }), sse({ message: ' for an answer', url: 'https://example.org/' })]
}

export async function handleAsk(ctx: Ctx): Promise<void> {
  const prompt = ctx.query.get('prompt')
  if (!prompt) {
    await sendError(ctx.reply, 400, 'string', 'Missing required query parameter: prompt')
    return
  }
  const fault = ctx.fault
  const messages: { message: string; url: string }[] = []
  if (fault?.kind === 'ratelimit-notice') {
    messages.push({ message: RATELIMIT_NOTICE[fault.variant], url: '' })
  } else if (fault?.kind === 'empty-answer') {
    messages.push({ message: '', url: '' })
  } else {
    const text =
      `Here is what I found about “${oneLine(prompt, 120)}”. ` +
      (wantedWords(prompt) === undefined ? composeAnswer(prompt).split('\n\n').slice(1).join('\n\n') : composeAnswer(prompt))
    const sources = sourcesFor(prompt)
    // Fragments of about five words, each with the source it "came from".
    const parts = text.match(/(?:\S+\s*){1,5}/g) ?? [text]
    parts.forEach((message, i) => messages.push({ message, url: sources[Math.floor(i / 4) % sources.length] ?? '' }))
    if (fault?.kind === 'ad-footer') messages.push({ message: AD_FOOTER[fault.variant ?? 'proxies'], url: '' })
  }
  if (!(await ctx.reply.head(200, sseHeaders))) return
  if (await writeEvents(ctx, messages.map((m) => sse(m)))) await ctx.reply.end()
}
