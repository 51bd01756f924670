/** Saved system prompt + parameters (+ model) combinations. */
import type { ChatParams, Preset } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { getApi } from '../bridge'
import { asAppError } from '../errors'

export interface PresetDraft {
  name: string
  systemPrompt: string
  params: ChatParams
  model: string | null
}

export class PresetsStore {
  items = $state.raw<Preset[]>([])
  loaded = $state(false)
  loading = $state(false)
  error = $state.raw<AppError | null>(null)

  async load(): Promise<void> {
    this.loading = true
    try {
      this.items = await getApi().presets.list()
      this.loaded = true
      this.error = null
    } catch (error) {
      this.error = asAppError(error)
    } finally {
      this.loading = false
    }
  }

  /** Loads once. */
  ensure(): Promise<void> {
    return this.loaded || this.loading ? Promise.resolve() : this.load()
  }

  get(id: string): Preset | undefined {
    return this.items.find((preset) => preset.id === id)
  }

  /** Saves a new preset (or replaces one with `id`). Throws the AppError when refused. */
  async save(draft: PresetDraft, id?: string): Promise<Preset> {
    const name = draft.name.trim()
    try {
      const preset = await getApi().presets.save({ ...(id ? { id } : {}), ...draft, name })
      const index = this.items.findIndex((item) => item.id === preset.id)
      this.items = index === -1 ? [...this.items, preset] : this.items.map((item, i) => (i === index ? preset : item))
      return preset
    } catch (error) {
      throw asAppError(error)
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await getApi().presets.delete({ id })
    } catch (error) {
      throw asAppError(error)
    }
    this.items = this.items.filter((item) => item.id !== id)
  }
}
