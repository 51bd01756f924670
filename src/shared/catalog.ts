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
