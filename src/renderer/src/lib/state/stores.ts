import { ChatSession } from './chat.svelte'
import { ConversationsStore } from './conversations.svelte'
import { ModelsStore } from './models.svelte'
import { PresetsStore } from './presets.svelte'
import { SearchStore } from './search.svelte'
import { SettingsStore } from './settings.svelte'
import { ToastStore } from './toasts.svelte'

/** Every store a screen may use; new features add theirs here. */
export interface AppStores {
  settings: SettingsStore
  models: ModelsStore
  conversations: ConversationsStore
  chat: ChatSession
  search: SearchStore
  presets: PresetsStore
  toasts: ToastStore
}

export function createStores(): AppStores {
  const settings = new SettingsStore()
  const conversations = new ConversationsStore()
  return {
    settings,
    models: new ModelsStore(),
    conversations,
    chat: new ChatSession({ conversations, defaultModel: () => settings.settings?.defaultModels.chat ?? '' }),
    search: new SearchStore(),
    presets: new PresetsStore(),
    toasts: new ToastStore()
  }
}

/** A key that changes when the server or the key sent to it changes (for `ModelsStore.ensure`). */
export function connectionContext(settings: SettingsStore): string {
  const state = settings.state
  if (!state) return ''
  const key = state.key
  return `${state.settings.baseUrl}\n${key.set && key.appliesToBaseUrl ? (key.last4 ?? '?') : '-'}`
}
