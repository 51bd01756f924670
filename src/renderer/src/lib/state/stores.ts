import { ChatSession } from './chat.svelte'
import { ConversationsStore } from './conversations.svelte'
import { JobsStore } from './jobs.svelte'
import { LibraryStore } from './library.svelte'
import { ModelPrefs } from './model-prefs.svelte'
import { ModelsStore } from './models.svelte'
import { PresetsStore } from './presets.svelte'
import { SearchStore } from './search.svelte'
import { SettingsStore } from './settings.svelte'
import { StudioStore } from './studio.svelte'
import { ToastStore } from './toasts.svelte'
import { WindowCommands } from './window-commands.svelte'

/** Every store a screen may use; new features add theirs here. */
export interface AppStores {
  settings: SettingsStore
  models: ModelsStore
  conversations: ConversationsStore
  chat: ChatSession
  search: SearchStore
  presets: PresetsStore
  toasts: ToastStore
  jobs: JobsStore
  library: LibraryStore
  studio: StudioStore
  /** Favourite and recent models (the model picker). */
  modelPrefs: ModelPrefs,
  /** Menu commands waiting for the chat screen. */
  commands: WindowCommands
}

export function createStores(): AppStores {
  const settings = new SettingsStore()
  const conversations = new ConversationsStore()
  const jobs = new JobsStore()
  return {
    settings,
    models: new ModelsStore({ onResult: (error) => settings.noteResult(error) }),
    conversations,
    chat: new ChatSession({
      conversations,
      defaultModel: () => settings.settings?.defaultModels.chat ?? '',
      onResult: (error) => settings.noteResult(error)
    }),
    search: new SearchStore(),
    presets: new PresetsStore(),
    toasts: new ToastStore(),
    jobs,
    library: new LibraryStore(),
    studio: new StudioStore({
      jobs,
      defaultModel: () => settings.settings?.defaultModels.image ?? '',
      defaultVisionModel: () => settings.settings?.defaultModels.vision ?? ''
    }),
    modelPrefs: new ModelPrefs(),
    commands: new WindowCommands()
  }
}

/** A key that changes when the server or the key sent to it changes (for `ModelsStore.ensure`). */
export function connectionContext(settings: SettingsStore): string {
  const state = settings.state
  if (!state) return ''
  const key = state.key
  return `${state.settings.baseUrl}\n${key.set && key.appliesToBaseUrl ? (key.last4 ?? '?') : '-'}`
}
