/**
 * The model list the renderer shows: asked from the server once and kept,
 * asked again on refresh or when the base URL or key changes.
 */
import type { ModelList } from '../../shared/contract'
import type { GatewayClient } from './gateway'
import { listModelsWithFallback } from './model-catalog'

export class ModelsService {
  #cached: ModelList | null = null
  readonly #gateway: GatewayClient

  constructor(gateway: GatewayClient) {
    this.#gateway = gateway
  }

  async list(options: { refresh?: boolean } = {}): Promise<ModelList> {
    if (this.#cached && !options.refresh) return this.#cached
    const list = await listModelsWithFallback(this.#gateway)
    // A fallback is not cached: the next look should ask the server again.
    this.#cached = list.source === 'server' ? list : null
    return list
  }

  invalidate(): void {
    this.#cached = null
  }
}
