/**
 * Fixed model and voice lists for the capabilities the gateway documents
 * without a listing endpoint. Chat models come from `models.list` instead.
 */
import type { Capability } from '@shared/contract'

export const imageModels = [
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

export const visionModels = ['gpt-4o', 'gpt-4o-mini', 'gemini-pro-vision'] as const

export const songModels = ['chirp-v3-5', 'chirp-v3-0', 'chirp-v2-xxl-alpha'] as const

export const speechVoices = ['alex', 'sophia'] as const

/** Option lists per capability; `chat` is open (free text plus the server's list). */
export const fixedOptions: Record<Exclude<Capability, 'chat'>, readonly string[]> = {
  image: imageModels,
  vision: visionModels,
  song: songModels,
  speech: speechVoices
}

export const capabilityLabels: Record<Capability, string> = {
  chat: 'Chat',
  image: 'Image',
  vision: 'Vision',
  song: 'Song',
  speech: 'Speech voice'
}
