/**
 * Option lists for the capabilities the gateway documents
 * without a listing endpoint. Chat models come from `models.list` instead.
 */
import { CHAT_MODELS, IMAGE_MODELS, SONG_MODELS, VISION_MODELS, VOICES } from '@shared/catalog'
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

/**
 * Chat model families known to accept images. Neither the gateway's model
 * list nor OpenAI-compatible servers say which models can see, so this goes
 * by name; an unknown model counts as one that cannot.
 */
const SEEING_MODELS = [
  /gpt-4o/i,
  /gpt-4-turbo/i,
  /gpt-4\.1/i,
  /gpt-5/i,
  /^o[134](-|$)/i,
  /vision/i,
  /claude-3/i,
  /claude-(opus|sonnet|haiku)-4/i,
  /gemini/i,
  /llava/i,
  /pixtral/i,
  /qwen.*-vl/i,
  /llama-3\.2-(11|90)b/i
]

/** Models of `/images/vision` that are no chat models (they describe one image, nothing more). */
function isDescribeOnly(model: string): boolean {
  return (VISION_MODELS as readonly string[]).includes(model) && !(CHAT_MODELS as readonly string[]).includes(model)
}

/** True when the chat model is known to take images. */
export function canSeeImages(model: string): boolean {
  return !isDescribeOnly(model) && SEEING_MODELS.some((pattern) => pattern.test(model))
}

/** The chat model offered when the conversation's model cannot see the attached images. */
export const FALLBACK_VISION_CHAT_MODEL = 'gpt-4o'

/**
 * The default vision model when it can chat about images; otherwise gpt-4o,
 * with a line saying why the default is not offered.
 */
export function visionChatModel(defaultVision: string): { model: string; note: string | null } {
  if (defaultVision !== '' && canSeeImages(defaultVision)) return { model: defaultVision, note: null }
  const reason = isDescribeOnly(defaultVision) ? 'only describes images and cannot chat' : 'is not known to see images'
  return {
    model: FALLBACK_VISION_CHAT_MODEL,
    note: defaultVision === '' ? null : `The default vision model, ${defaultVision}, ${reason}.`
  }
}
