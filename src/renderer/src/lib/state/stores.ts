import { ModelsStore } from './models.svelte'
import { SettingsStore } from './settings.svelte'

/** Every store a screen may use; new features add theirs here. */
export interface AppStores {
  settings: SettingsStore
  models: ModelsStore
}

export function createStores(): AppStores {
  return { settings: new SettingsStore(), models: new ModelsStore() }
}

/** A key that changes when the server or the key changes (for `ModelsStore.ensure`). */
export function connectionContext(settings: SettingsStore): string {
  const state = settings.state
  if (!state) return ''
  return `${state.settings.baseUrl}\n${state.key.set ? (state.key.last4 ?? '?') : '-'}`
}
