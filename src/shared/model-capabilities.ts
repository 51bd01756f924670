/**
 * What a model can do, for the badges of the model picker and the Models
 * page. The gateway's documented lists (catalog.ts) say it for the models
 * they name; any other id is guessed from its name, since neither the
 * gateway's `/v1/models` nor OpenAI-compatible servers say it.
 */
import { canSeeImages, CHAT_MODELS, IMAGE_MODELS, SONG_MODELS, VISION_MODELS } from './catalog'

export const CAPABILITY_BADGES = ['chat', 'vision', 'image', 'speech', 'song', 'reasoning'] as const
export type CapabilityBadge = (typeof CAPABILITY_BADGES)[number]

const listed = (list: readonly string[], id: string): boolean => list.includes(id)

const IMAGE_NAMES = [/flux/i, /stable-diffusion|sdxl|\bsd-?[0-9]/i, /dall-?e/i, /imagen/i, /midjourney/i, /playground-v/i, /kandinsky/i, /(^|[-_/])image([-_]|$)/i, /any-dark/i]
const SONG_NAMES = [/chirp/i, /suno/i, /udio/i, /song/i, /music/i]
const SPEECH_NAMES = [/tts/i, /speech/i, /voice/i, /elevenlabs/i]
const REASONING_NAMES = [/^o[1345](-|$)/i, /-r1\b|^r1\b|deepseek-r/i, /reason/i, /think/i, /qwq/i, /magistral/i]

export function modelCapabilities(id: string): CapabilityBadge[] {
  const badges = new Set<CapabilityBadge>()
  const documentedChat = listed(CHAT_MODELS, id)
  const image = listed(IMAGE_MODELS, id) || (!documentedChat && IMAGE_NAMES.some((pattern) => pattern.test(id)))
  const song = listed(SONG_MODELS, id) || (!documentedChat && SONG_NAMES.some((pattern) => pattern.test(id)))
  const speech = !documentedChat && SPEECH_NAMES.some((pattern) => pattern.test(id))
  if (image) badges.add('image')
  if (song) badges.add('song')
  if (speech) badges.add('speech')
  // A model of /images/vision alone describes an image and cannot chat.
  const describeOnly = listed(VISION_MODELS, id) && !documentedChat
  // Everything else a chat server lists is a chat model.
  if (documentedChat || (!image && !song && !speech && !describeOnly)) badges.add('chat')
  if (canSeeImages(id) || listed(VISION_MODELS, id)) badges.add('vision')
  if (badges.has('chat') && REASONING_NAMES.some((pattern) => pattern.test(id))) badges.add('reasoning')
  return CAPABILITY_BADGES.filter((badge) => badges.has(badge))
}

/** True when a model makes images and does not chat: a chat sent to it fails. */
export function isImageOnly(id: string): boolean {
  const badges = modelCapabilities(id)
  return badges.includes('image') && !badges.includes('chat')
}
