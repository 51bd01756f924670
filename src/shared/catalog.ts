/**
 * The model lists the gateway documents (see its API documentation): the
 * offline fallback for chat, and the only lists for endpoints that have no
 * listing endpoint of their own (images, vision, songs, voices). Main and
 * the renderer both read them from here.
 */

export const CHAT_MODELS = [
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
  'gpt-4-turbo'
] as const

/** Models of `/imagine` and `/imagine2`. */
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
export const IMAGE_SIZES = ['1:1', '16:9', '9:16', '21:9', '9:21', '1:2', '2:1'] as const

/** Models of `/images/vision`; the server's default is `gemini-pro-vision`. */
export const VISION_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gemini-pro-vision'] as const
export const DEFAULT_VISION_MODEL = 'gemini-pro-vision'

/** Models of `/suno`; the server's default is `chirp-v3-5`. */
export const SONG_MODELS = ['chirp-v2-xxl-alpha', 'chirp-v3-5', 'chirp-v3-0'] as const
export const DEFAULT_SONG_MODEL = 'chirp-v3-5'

/** Voices of `/get-audio`. */
export const VOICES = ['alex', 'sophia'] as const

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
