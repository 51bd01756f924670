/**
 * Small helpers about images and media items, shared by the studio, the
 * library and the viewer (plain functions, no reactive state).
 */
import { IMAGE_SIZES } from '@shared/catalog'
import type { ImageEndpoint, ImageSettings, ImageSize, MediaKind } from '@shared/contract'

/** Width over height of an aspect ratio such as `16:9`; 1 when it does not parse. */
export function ratioOf(size: string): number {
  const [width, height] = size.split(':').map(Number)
  return width && height && Number.isFinite(width / height) ? width / height : 1
}

export function isImageSize(value: unknown): value is ImageSize {
  return typeof value === 'string' && (IMAGE_SIZES as readonly string[]).includes(value)
}

function isEndpoint(value: unknown): value is ImageEndpoint {
  return value === 'imagine' || value === 'imagine2'
}

/** The largest seed the gateway takes (the bridge schema's bound). */
export const MAX_SEED = 2 ** 31 - 1

export function isSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SEED
}

/** A new random seed in the gateway's range. */
export function randomSeed(): number {
  return (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) >>> 1
}

/**
 * The image settings kept with an item or a job's input, as far as they are
 * there and well formed: files imported from other tools carry only some.
 */
export function imageSettingsOf(source: Record<string, unknown> | null | undefined): Partial<ImageSettings> {
  const settings: Partial<ImageSettings> = {}
  if (!source) return settings
  if (typeof source['prompt'] === 'string') settings.prompt = source['prompt']
  if (typeof source['model'] === 'string' && source['model'] !== '') settings.model = source['model']
  if (isImageSize(source['size'])) settings.size = source['size']
  if (isSeed(source['seed'])) settings.seed = source['seed']
  if (isEndpoint(source['endpoint'])) settings.endpoint = source['endpoint']
  return settings
}

/** "8 s", "1 min 5 s", "2 h 3 min": for elapsed times and countdowns. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  if (total < 60) return `${total} s`
  const minutes = Math.floor(total / 60)
  if (minutes < 60) return total % 60 === 0 ? `${minutes} min` : `${minutes} min ${total % 60} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** Seconds left, rounded up, so a countdown never shows 0 s while it still waits. */
export function secondsLeft(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

export const kindLabels: Record<MediaKind, string> = { image: 'Image', speech: 'Speech', song: 'Song' }

export function isAudioKind(kind: MediaKind): boolean {
  return kind === 'speech' || kind === 'song'
}
