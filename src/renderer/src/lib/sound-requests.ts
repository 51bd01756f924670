/**
 * Small pure helpers for starting speech and songs, shared by the main
 * window and the quick-ask window. Kept apart from the stores so the quick
 * window's bundle takes only these lines (no valibot, no contract schemas).
 */
import type { SongModel, SongRequest } from '@shared/contract'
import { SONG_MODELS } from '@shared/limits'

export type SoundSource = 'studio' | 'chat' | 'quick'

export function isSongModel(value: unknown): value is SongModel {
  return typeof value === 'string' && (SONG_MODELS as readonly string[]).includes(value)
}

/** `/song <prompt>` (composer or quick window): a simple song with the default model. */
export function simpleSongRequest(prompt: string, model: string, source: SoundSource): SongRequest {
  return { mode: 'simple', prompt, title: '', instrumental: false, model: isSongModel(model) ? model : SONG_MODELS[0], source }
}

/** A title from the first words of a text. */
export function speechTitle(text: string): string {
  const words = text
    .replace(/[#*_`>[\]()!|~-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  if (words.length <= 60) return words || 'Speech'
  const cut = words.slice(0, 60)
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 60)}…`
}
