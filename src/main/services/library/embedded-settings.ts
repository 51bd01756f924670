/**
 * What each file of the library carries about itself, so the files stay the
 * truth and a rescan rebuilds the database from them:
 * - the app's own chunk (`skyport`, iTXt, UTF-8 JSON) with everything a row
 *   holds except what a person does to it later (star, collections, trash);
 * - an A1111-style `parameters` chunk, the format other tools and image
 *   viewers read ("<prompt>\nSeed: 1, Size: 1024x1024, Model: flux, ...").
 */
import type { MediaKind, MediaSource } from '../../../shared/contract'
import { isRecord } from '../../../shared/is-record'
import type { TextChunk, TextChunkOptions } from './png-metadata'

export const APP_CHUNK_KEYWORD = 'skyport'
export const A1111_KEYWORD = 'parameters'
const FORMAT = 'skyport.media'
const FORMAT_VERSION = 1

export const MEDIA_KINDS: readonly MediaKind[] = ['image', 'speech', 'song']
export const MEDIA_SOURCES: readonly MediaSource[] = ['studio', 'chat', 'quick', 'import']

/** Ids become file names: letters, digits, `-` and `_` only. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/
/** Bounds what a hand-edited file can put into a row. */
const MAX_TEXT_CHARS = 1_048_576
const MAX_SHORT_CHARS = 1_000
const MAX_SETTINGS_CHARS = 1_048_576

export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_ID.test(value)
}

/** Everything the app's own chunk records about an item. */
export interface EmbeddedItem {
  id: string
  kind: MediaKind
  source: MediaSource
  createdAt: number
  title: string
  prompt: string
  text: string
  description: string
  model: string | null
  keywords: string
  settings: Record<string, unknown>
  sourceHash: string | null
  /** The dominant colour, so a rescan restores it without decoding the image. */
  color: string | null
  appVersion: string
}

export function appChunk(item: EmbeddedItem): TextChunk & TextChunkOptions {
  const { id, kind, source, createdAt, title, prompt, text, description, model, keywords, settings, sourceHash, color, appVersion } = item
  const record = { format: FORMAT, version: FORMAT_VERSION, id, kind, source, createdAt, title, prompt, text, description, model, keywords, settings, sourceHash, color, appVersion }
  return { keyword: APP_CHUNK_KEYWORD, text: JSON.stringify(record), encoding: 'utf8' }
}

/**
 * The app's chunk read back, checked field by field (a file may have been
 * edited by hand); null when it is not ours or not usable.
 */
export function readAppChunk(texts: readonly TextChunk[]): EmbeddedItem | null {
  const found = texts.find((chunk) => chunk.keyword === APP_CHUNK_KEYWORD)
  if (!found) return null
  let value: unknown
  try {
    value = JSON.parse(found.text)
  } catch {
    return null
  }
  if (!isRecord(value) || value.format !== FORMAT || typeof value.version !== 'number' || value.version < 1) return null
  const { id, kind, source, createdAt, settings } = value
  if (!isSafeId(id)) return null
  if (!MEDIA_KINDS.includes(kind as MediaKind) || !MEDIA_SOURCES.includes(source as MediaSource)) return null
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) return null
  const settingsRecord = isRecord(settings) && JSON.stringify(settings).length <= MAX_SETTINGS_CHARS ? settings : {}
  return {
    id,
    kind: kind as MediaKind,
    source: source as MediaSource,
    createdAt,
    title: stringField(value.title, MAX_SHORT_CHARS),
    prompt: stringField(value.prompt, MAX_TEXT_CHARS),
    text: stringField(value.text, MAX_TEXT_CHARS),
    description: stringField(value.description, MAX_TEXT_CHARS),
    model: typeof value.model === 'string' && value.model !== '' ? value.model.slice(0, MAX_SHORT_CHARS) : null,
    keywords: stringField(value.keywords, MAX_SHORT_CHARS),
    settings: settingsRecord,
    sourceHash: typeof value.sourceHash === 'string' && /^[0-9a-f]{64}$/.test(value.sourceHash) ? value.sourceHash : null,
    color: typeof value.color === 'string' && /^#[0-9a-f]{6}$/.test(value.color) ? value.color : null,
    appVersion: stringField(value.appVersion, 100)
  }
}

function stringField(value: unknown, max: number): string {
  return typeof value === 'string' ? value.slice(0, max) : ''
}

/**
 * A1111's infotext: the prompt, then one line of `Key: value` pairs. Values
 * holding a comma, colon or line break are JSON-quoted, as A1111 quotes
 * them, so its parser (and every tool copying it) reads them back whole.
 */
export function a1111Parameters(prompt: string, fields: ReadonlyArray<readonly [string, string | number | null | undefined]>): string {
  const line = fields
    .filter((field): field is readonly [string, string | number] => field[1] !== null && field[1] !== undefined && field[1] !== '')
    .map(([key, value]) => `${key}: ${quoteA1111(String(value))}`)
    .join(', ')
  return `${prompt.trim()}\n${line}`
}

function quoteA1111(value: string): string {
  return /[,:\n]/.test(value) ? JSON.stringify(value) : value
}

/** The `parameters` chunk, written as Pillow writes it for A1111: tEXt when Latin-1, else iTXt. */
export function a1111Chunk(parameters: string): TextChunk & TextChunkOptions {
  return { keyword: A1111_KEYWORD, text: parameters, encoding: 'latin1' }
}
