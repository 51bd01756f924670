/** Imagine, vision, Suno, text to speech and the files they link to. */
import { randomInt, randomUUID } from 'node:crypto'
import type { Ctx, Song } from './context.ts'
import { IMAGE_MODELS } from './chat.ts'
import { mp4FromMp3, renderPng, SIZES, songMp3, speechMp3 } from './encoders.ts'
import type { Size } from './encoders.ts'
import { sendError, sendJson } from './responses.ts'
import { hashInt, oneLine } from './text.ts'

// The gateway's own (non-OpenAI) endpoints answer errors as {"error": "..."}.
function badRequest(ctx: Ctx, message: string): Promise<void> {
  return sendError(ctx.reply, 400, 'string', message)
}

function notFound(ctx: Ctx, message: string): Promise<void> {
  return sendError(ctx.reply, 404, 'string', message)
}

const imageModels = new Set<string>(IMAGE_MODELS)
const sizes = new Set<string>(SIZES)

/** `/imagine` and `/imagine2` (the seed calls the second a duplicate of the first). */
export async function handleImagine(ctx: Ctx): Promise<void> {
  const q = ctx.query
  const prompt = q.get('prompt')
  if (!prompt?.trim()) return badRequest(ctx, 'Missing required parameter: prompt')
  const size = q.get('size') || '1:1'
  if (!sizes.has(size)) return badRequest(ctx, `Invalid size "${size}". Must be one of ${SIZES.join(', ')}`)
  const model = q.get('model') || 'flux'
  if (!imageModels.has(model)) return badRequest(ctx, `Invalid model "${model}". Must be one of ${IMAGE_MODELS.join(', ')}`)
  const seedText = q.get('seed')
  if (seedText !== null && seedText !== '' && !/^-?\d{1,15}$/.test(seedText)) return badRequest(ctx, `Invalid seed "${seedText}". Must be an integer`)
  // Like the real service, no seed means a new picture each time.
  const seed = seedText ? Number(seedText) : randomInt(0, 2 ** 31)
  const png = renderPng(prompt, seed, model, size as Size)
  // Generation takes a while on the real service; a client shows placeholders meanwhile.
  await ctx.reply.sleep(ctx.state.imageMs)
  await ctx.reply.send(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }, png)
}

const VISION_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gemini-pro-vision']

export async function handleVision(ctx: Ctx): Promise<void> {
  const url = ctx.query.get('url')
  if (!url) return badRequest(ctx, 'Missing required parameter: url')
  const model = ctx.query.get('model') || 'gemini-pro-vision'
  if (!VISION_MODELS.includes(model)) return badRequest(ctx, `Invalid model "${model}". Valid models: ${VISION_MODELS.join(', ')}`)
  const h = hashInt(url, model)
  const subjects = ['a red bicycle', 'a sleeping cat', 'a mountain lake', 'a city street at night', 'a bowl of fruit', 'a lighthouse']
  const moods = ['bright and calm', 'moody, with soft shadows', 'colourful and busy', 'minimal, with lots of empty space']
  const text =
    `[${model}] The image at ${url} shows ${subjects[h % subjects.length]}. ` +
    `The scene is ${moods[(h >>> 8) % moods.length]}. ` +
    'The main subject sits slightly left of centre, and the background is slightly out of focus.'
  await ctx.reply.send(200, { 'content-type': 'text/plain; charset=utf-8' }, text)
}

// ---------------------------------------------------------------------------
// Suno

const SUNO_MODELS = ['chirp-v3-5', 'chirp-v3-0', 'chirp-v2-xxl-alpha']

/** "true"/"false" as the seed documents them; JSON booleans are let through too. */
function flag(value: unknown, name: string): boolean | string {
  if (value === undefined || value === null || value === 'false' || value === false) return false
  if (value === 'true' || value === true) return true
  return `Invalid ${name}: must be "true" or "false"`
}

function titleFrom(prompt: string): string {
  const words = oneLine(prompt, 60).split(' ').slice(0, 4)
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ') || 'Untitled'
}

export async function handleSunoCreate(ctx: Ctx): Promise<void> {
  let body: unknown
  try {
    body = JSON.parse(ctx.body.toString('utf8'))
  } catch {
    return badRequest(ctx, 'Invalid JSON body')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return badRequest(ctx, 'Body must be a JSON object')
  const b = body as Record<string, unknown>
  const model = b.model ?? 'chirp-v3-5'
  if (typeof model !== 'string' || !SUNO_MODELS.includes(model)) return badRequest(ctx, `Invalid model. Must be one of ${SUNO_MODELS.join(', ')}`)
  const custom = flag(b.custom, 'custom')
  if (typeof custom === 'string') return badRequest(ctx, custom)
  const instrumental = flag(b.instrumental, 'instrumental')
  if (typeof instrumental === 'string') return badRequest(ctx, instrumental)
  // Limits as documented: 200 characters, or with custom 3000 for chirp-v3-5 and 1250 for the others.
  const max = custom ? (model === 'chirp-v3-5' ? 3000 : 1250) : 200
  const prompt = b.prompt
  if (typeof prompt !== 'string' || prompt.length === 0) return badRequest(ctx, 'Missing required parameter: prompt (1 to 200 characters)')
  if (prompt.length > max) return badRequest(ctx, `Prompt is too long: ${prompt.length} characters, the limit is ${max}`)
  const style = b.style
  if (style !== undefined && (typeof style !== 'string' || style.length === 0 || style.length > 120)) {
    return badRequest(ctx, 'Invalid style: must be between 1 and 120 characters')
  }
  if (custom && style === undefined) return badRequest(ctx, 'Missing required parameter: style (required when custom is "true")')
  const now = Date.now()
  const title = titleFrom(prompt)
  const clips = [1, 2].map((take) => {
    const song: Song = {
      id: randomUUID(),
      createdAt: now,
      prompt,
      style: typeof style === 'string' ? style : '',
      model,
      instrumental,
      title: `${title} (take ${take})`,
      fails: prompt.includes('[fail]'),
      stuck: prompt.includes('[stuck]')
    }
    ctx.state.songs.set(song.id, song)
    return song.id
  })
  await sendJson(ctx.reply, 200, { status: 'success', clips })
}

function finished(ctx: Ctx, song: Song): boolean {
  return Date.now() - song.createdAt >= ctx.state.songMs
}

function streaming(ctx: Ctx, song: Song): boolean {
  return Date.now() - song.createdAt >= ctx.state.songStreamMs
}

/**
 * A clip as Suno's public clients see it: `generating` with no audio, then
 * `generating` with `audio_url` pointing at a live stream, then `finished`
 * with the MP3, cover and video. Files live on the media origin.
 */
export async function handleSunoGet(ctx: Ctx): Promise<void> {
  const id = ctx.params[0] ?? ''
  const song = ctx.state.songs.get(id)
  if (!song) return notFound(ctx, 'Song not found')
  const common = { id: song.id, title: song.title, model: song.model }
  if (song.fails && streaming(ctx, song)) {
    await sendJson(ctx.reply, 200, { status: 'error', error_message: 'Song generation failed: the prompt was refused by the content filter.', image_url: null, audio_url: '', video_url: '', ...common })
    return
  }
  if (song.stuck || !finished(ctx, song)) {
    // Mixed null and "" on purpose: clients must treat both as "not yet".
    const audio = !song.stuck && streaming(ctx, song) ? `${ctx.state.mediaBaseUrl}/stream/${song.id}.mp3` : ''
    await sendJson(ctx.reply, 200, { status: 'generating', image_url: null, audio_url: audio, video_url: '', ...common })
    return
  }
  const base = `${ctx.state.mediaBaseUrl}/files/${song.id}`
  await sendJson(ctx.reply, 200, {
    status: 'finished',
    image_url: `${base}.png`,
    audio_url: `${base}.mp3`,
    video_url: `${base}.mp4`,
    ...common
  })
}

interface SongFiles {
  mp3: Buffer
  png: Buffer
  mp4: Buffer
}

// Encoding takes a few hundred ms, so each song is made once.
const songFiles = new WeakMap<Song, SongFiles>()

function filesFor(song: Song): SongFiles {
  let files = songFiles.get(song)
  if (!files) {
    const key = `${song.id}\n${song.prompt}\n${song.style}\n${song.model}`
    const audio = songMp3(key, song.title)
    files = { mp3: audio.file, png: renderPng(song.prompt, hashInt(song.id), 'flux', '1:1'), mp4: mp4FromMp3(audio.frames) }
    songFiles.set(song, files)
  }
  return files
}

const fileTypes = { mp3: 'audio/mpeg', png: 'image/png', mp4: 'video/mp4' } as const

/**
 * `/files/<uuid>.<mp3|png|mp4>` on the media origin: the downloads a finished
 * song links to, with `Range: bytes=N-` answered 206 as a CDN does.
 */
export async function handleFile(ctx: Ctx): Promise<void> {
  const [id = '', ext = ''] = ctx.params
  const song = ctx.state.songs.get(id)
  if (!song || !finished(ctx, song) || !(ext in fileTypes)) return notFound(ctx, 'File not found')
  const type = ext as keyof typeof fileTypes
  const body = filesFor(song)[type]
  const headers = { 'content-type': fileTypes[type], 'cache-control': 'public, max-age=86400', 'accept-ranges': 'bytes' }
  const range = /^bytes=(\d+)-$/.exec(String(ctx.req.headers.range ?? ''))
  if (range) {
    const start = Number(range[1])
    if (start >= body.length) return ctx.reply.send(416, { 'content-range': `bytes */${body.length}` }, '')
    await ctx.reply.send(206, { ...headers, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }, body.subarray(start))
    return
  }
  await ctx.reply.send(200, headers, body)
}

/** `/stream/<uuid>.mp3` on the media origin: the clip's audio as a live stream (chunked, no length), paced. */
export async function handleStream(ctx: Ctx): Promise<void> {
  const id = ctx.params[0] ?? ''
  const song = ctx.state.songs.get(id)
  if (!song || !streaming(ctx, song)) return notFound(ctx, 'Stream not found')
  const { mp3 } = filesFor(song)
  if (!(await ctx.reply.head(200, { 'content-type': 'audio/mpeg', 'cache-control': 'no-store' }))) return
  const chunk = 8 * 1024
  for (let at = 0; at < mp3.length; at += chunk) {
    if (!(await ctx.reply.write(mp3.subarray(at, at + chunk)))) return
    await ctx.reply.sleep(ctx.delayMs)
  }
  await ctx.reply.end()
}

// ---------------------------------------------------------------------------
// Text to speech

const VOICES = ['alex', 'sophia'] as const
/** Characters one text-to-speech request takes. */
export const SPEECH_TEXT_LIMIT = 1000
const speechCache = new Map<string, Buffer>()

export async function handleSpeech(ctx: Ctx): Promise<void> {
  const text = ctx.query.get('text')
  if (!text?.trim()) return badRequest(ctx, 'Missing required parameter: text')
  // The seed always passes a voice; without one the first voice is used.
  const voice = ctx.query.get('voice') || 'alex'
  if (voice !== 'alex' && voice !== 'sophia') return badRequest(ctx, `Invalid voice "${voice}". Available voices: ${VOICES.join(', ')}`)
  // The gateway's per-message limit, in its own words.
  if (text.length > SPEECH_TEXT_LIMIT) return badRequest(ctx, `One message exceeds the ${SPEECH_TEXT_LIMIT}chars per message limit`)
  const key = `${voice}\n${text}`
  let mp3 = speechCache.get(key)
  if (!mp3) {
    mp3 = speechMp3(text, voice)
    if (speechCache.size >= 64) speechCache.delete(speechCache.keys().next().value ?? '')
    speechCache.set(key, mp3)
  }
  await ctx.reply.send(200, { 'content-type': 'audio/mpeg' }, mp3)
}
