/**
 * The model lists documented by the gateway (seed documentation), used when
 * the server cannot be asked, and for endpoints that have no list endpoint
 * of their own (images, vision, songs, voices).
 */
import type { ModelInfo, ModelList } from '../../shared/contract'
import { AppError, toErrorData } from '../../shared/errors'
import { compareModelIds } from './gateway'

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

/** The documented chat models as a model list, sorted like the server's. */
export function fallbackChatModels(): ModelInfo[] {
  return [...CHAT_MODELS].sort(compareModelIds).map((id) => ({ id, ownedBy: null, created: null }))
}

/**
 * The server's model list, or the documented one with the reason when the
 * server cannot give one. A stop by the person is not a reason to fall back.
 */
export async function listModelsWithFallback(
  gateway: { listModels(signal?: AbortSignal): Promise<ModelInfo[]> },
  signal?: AbortSignal
): Promise<ModelList> {
  try {
    const models = await gateway.listModels(signal)
    if (models.length > 0) return { models, source: 'server', error: null }
    return {
      models: fallbackChatModels(),
      source: 'fallback',
      error: { code: 'bad_response', message: 'The server listed no models.' }
    }
  } catch (error) {
    if (signal?.aborted || (error instanceof AppError && error.code === 'aborted')) throw error
    return { models: fallbackChatModels(), source: 'fallback', error: toErrorData(error) }
  }
}
