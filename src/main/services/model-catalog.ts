/**
 * The chat model list with the documented models as its fallback when the
 * server cannot be asked.
 */
import { CHAT_MODELS } from '../../shared/catalog'
import type { ModelInfo, ModelList } from '../../shared/contract'
import { AppError, toErrorData } from '../../shared/errors'
import { compareModelIds } from './gateway'

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
