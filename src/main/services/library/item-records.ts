/**
 * How an item's description is built: from the settings of a new image,
 * from another tool's settings found in an imported file, and from the
 * app's own chunk read back by a rescan. One place, so a saved file and the
 * row a rescan makes of it always agree.
 */
import type { ImageSettings, MediaSource } from '../../../shared/contract'
import { a1111Parameters, type EmbeddedItem } from './embedded-settings'
import type { ForeignSettings } from './foreign-metadata'
import type { MediaRecord } from './store'

const TITLE_CHARS = 80

/** A short line for a card: the prompt's (or text's) start on one line. */
export function titleOf(...candidates: string[]): string {
  for (const candidate of candidates) {
    const line = candidate.replace(/\s+/g, ' ').trim()
    if (line !== '') return line.length <= TITLE_CHARS ? line : `${line.slice(0, TITLE_CHARS - 1).trimEnd()}…`
  }
  return ''
}

export interface ItemBasics {
  id: string
  source: MediaSource
  createdAt: number
  sourceHash: string | null
  color: string | null
  appVersion: string
}

/** A generated image: its settings are exactly what "Reuse" restores. */
export function generatedImage(settings: ImageSettings, basics: ItemBasics): EmbeddedItem {
  const { prompt, model, size, seed, endpoint } = settings
  return {
    ...basics,
    kind: 'image',
    title: titleOf(prompt),
    prompt,
    text: '',
    description: '',
    model,
    keywords: [String(seed), endpoint].join(' '),
    settings: { prompt, model, size, seed, endpoint }
  }
}

/** The infotext other tools read for a generated image. */
export function generatedParameters(settings: ImageSettings, width: number, height: number, appVersion: string): string {
  return a1111Parameters(settings.prompt, [
    ['Seed', settings.seed],
    ['Size', `${width}x${height}`],
    ['Model', settings.model],
    ['Aspect ratio', settings.size],
    ['Endpoint', settings.endpoint],
    ['Version', `Skyport ${appVersion}`]
  ])
}

/** An imported image, with what its tool recorded (or nothing but its name). */
export function importedImage(foreign: ForeignSettings | null, fileName: string, basics: ItemBasics): EmbeddedItem {
  const prompt = foreign?.prompt ?? ''
  const settings: Record<string, unknown> = { fileName }
  if (foreign) {
    settings.tool = foreign.tool
    settings.prompt = foreign.prompt
    if (foreign.negativePrompt !== '') settings.negativePrompt = foreign.negativePrompt
    if (foreign.model !== null) settings.model = foreign.model
    if (foreign.seed !== null) settings.seed = foreign.seed
    if (Object.keys(foreign.params).length > 0) settings.params = foreign.params
  }
  return {
    ...basics,
    kind: 'image',
    title: titleOf(prompt, fileName),
    prompt,
    text: '',
    description: '',
    model: foreign?.model ?? null,
    keywords: [foreign?.tool, foreign?.seed].filter((word) => word !== undefined && word !== null).join(' '),
    settings
  }
}

export interface FileFacts {
  path: string
  mime: string
  bytes: number
  mtimeMs: number
  width: number | null
  height: number | null
  durationMs: number | null
  /** Audio: the card's and the player's waveform (shared/peaks.ts); absent for images. */
  peaks?: string | null
  waveform?: string | null
}

export function toRecord(item: EmbeddedItem, file: FileFacts, hasThumbs: boolean): MediaRecord {
  return {
    id: item.id,
    kind: item.kind,
    path: file.path,
    mime: file.mime,
    bytes: file.bytes,
    mtimeMs: file.mtimeMs,
    width: file.width,
    height: file.height,
    durationMs: file.durationMs,
    peaks: file.peaks ?? null,
    waveform: file.waveform ?? null,
    title: item.title,
    prompt: item.prompt,
    text: item.text,
    description: item.description,
    model: item.model,
    keywords: item.keywords,
    settings: item.settings,
    source: item.source,
    createdAt: item.createdAt,
    color: item.color,
    hasThumbs,
    sourceHash: item.sourceHash
  }
}

/** The app's chunk for a row as it stands (when the library rewrites a file, e.g. to add a description). */
export function fromRecord(record: MediaRecord, appVersion: string): EmbeddedItem {
  const { id, kind, source, createdAt, title, prompt, text, description, model, keywords, settings, sourceHash, color } = record
  return { id, kind, source, createdAt, title, prompt, text, description, model, keywords, settings, sourceHash, color, appVersion }
}
