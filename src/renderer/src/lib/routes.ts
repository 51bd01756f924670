/**
 * The screens in the nav rail, in order. Adding a screen is one entry here
 * (plus its icon in `Icon.svelte` if it needs a new one).
 */
import type { Component, Snippet } from 'svelte'
import type { IconName } from '../components/Icon.svelte'
import ChatView from '../views/chat/ChatView.svelte'
import LibraryView from '../views/library/LibraryView.svelte'
import AboutView from '../views/AboutView.svelte'
import ModelsView from '../views/ModelsView.svelte'
import SettingsView from '../views/SettingsView.svelte'
import StudioScreen from '../views/studio/StudioScreen.svelte'
import type { AppStores } from './state/stores'

export interface ViewProps {
  stores: AppStores
  /** Switches to another screen. */
  navigate: (id: string) => void
  /** The connection status pill, for a screen that draws its own header bar (see `ownHeader`). */
  status?: Snippet
}

export interface Route {
  /** Also the nav button's test id: `nav-<id>`. */
  id: string
  label: string
  icon: IconName
  component: Component<ViewProps>
  /** Pinned to the bottom of the rail. */
  bottom?: boolean
  /** The screen's own header bar replaces the app's (one bar, not two); it shows `status`. */
  ownHeader?: boolean
}

export const routes: readonly Route[] = [
  { id: 'chat', label: 'Chat', icon: 'chat', component: ChatView, ownHeader: true },
  { id: 'studio', label: 'Studio', icon: 'image', component: StudioScreen },
  { id: 'library', label: 'Library', icon: 'library', component: LibraryView },
  { id: 'models', label: 'Models', icon: 'models', component: ModelsView },
  { id: 'settings', label: 'Settings', icon: 'settings', component: SettingsView, bottom: true },
  { id: 'about', label: 'About', icon: 'info', component: AboutView, bottom: true }
]

export const homeRoute = 'chat'
