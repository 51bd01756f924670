/**
 * The screens in the nav rail, in order. Adding a screen is one entry here
 * (plus its icon in `Icon.svelte` if it needs a new one).
 */
import type { Component } from 'svelte'
import type { IconName } from '../components/Icon.svelte'
import ChatView from '../views/chat/ChatView.svelte'
import LibraryView from '../views/library/LibraryView.svelte'
import AboutView from '../views/AboutView.svelte'
import ModelsView from '../views/ModelsView.svelte'
import SettingsView from '../views/SettingsView.svelte'
import StudioView from '../views/studio/StudioView.svelte'
import type { AppStores } from './state/stores'

export interface ViewProps {
  stores: AppStores
  /** Switches to another screen. */
  navigate: (id: string) => void
}

export interface Route {
  /** Also the nav button's test id: `nav-<id>`. */
  id: string
  label: string
  icon: IconName
  component: Component<ViewProps>
  /** Pinned to the bottom of the rail. */
  bottom?: boolean
}

export const routes: readonly Route[] = [
  { id: 'chat', label: 'Chat', icon: 'chat', component: ChatView },
  { id: 'studio', label: 'Studio', icon: 'image', component: StudioView },
  { id: 'library', label: 'Library', icon: 'library', component: LibraryView },
  { id: 'models', label: 'Models', icon: 'models', component: ModelsView },
  { id: 'settings', label: 'Settings', icon: 'settings', component: SettingsView, bottom: true },
  { id: 'about', label: 'About', icon: 'info', component: AboutView, bottom: true }
]

export const homeRoute = 'chat'
