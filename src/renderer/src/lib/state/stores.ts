import { ChatSession } from './chat.svelte'
import { ConversationsStore } from './conversations.svelte'
import { JobsStore } from './jobs.svelte'
import { LibraryStore } from './library.svelte'
import { ModelPrefs } from './model-prefs.svelte'
import { ModelsStore } from './models.svelte'
import { PlayerStore } from './player.svelte'
import { PresetsStore } from './presets.svelte'
import { SearchStore } from './search.svelte'
import { SettingsStore } from './settings.svelte'
import { SongStore } from './song.svelte'
import { SpeechStore } from './speech.svelte'
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
  /** The one audio player, shared by every screen. */
  player: PlayerStore
  speech: SpeechStore
  songs: SongStore
  /** Favourite and recent models (the model picker). */
  modelPrefs: ModelPrefs,
  /** Menu commands waiting for the chat screen. */
  commands: WindowCommands
}

export function createStores(): AppStores {
  const settings = new SettingsStore()
  const conversations = new ConversationsStore()
  const jobs = new JobsStore()
  const library = new LibraryStore()
  const player = new PlayerStore({ lookup: (id) => library.fetch(id) })
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
    library,
    studio: new StudioStore({
      jobs,
      defaultModel: () => settings.settings?.defaultModels.image ?? '',
      defaultVisionModel: () => settings.settings?.defaultModels.vision ?? ''
    }),
    player,
    speech: new SpeechStore({ jobs, player, defaultVoice: () => settings.settings?.defaultModels.speech ?? '' }),
    songs: new SongStore({ jobs, player, defaultModel: () => settings.settings?.defaultModels.song ?? '' }),
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
