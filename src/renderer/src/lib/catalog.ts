/**
 * Option lists for the capabilities the gateway documents
 * without a listing endpoint. Chat models come from `models.list` instead.
 */
import { IMAGE_MODELS, SONG_MODELS, VISION_MODELS, VOICES } from '@shared/catalog'
import type { Capability } from '@shared/contract'

/** Option lists per capability; `chat` is open (free text plus the server's list). */
export const fixedOptions: Record<Exclude<Capability, 'chat'>, readonly string[]> = {
  image: IMAGE_MODELS,
  vision: VISION_MODELS,
  song: SONG_MODELS,
  speech: VOICES
}

export const capabilityLabels: Record<Capability, string> = {
  chat: 'Chat',
  image: 'Image',
  vision: 'Vision',
  song: 'Song',
  speech: 'Speech voice'
}

// Which models can see images: one rule for main (describing a library image) and the window.
export { canSeeImages, FALLBACK_VISION_CHAT_MODEL, visionChatModel } from '@shared/catalog'
