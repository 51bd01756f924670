/**
 * The screens in the nav rail, in order. Adding a screen is one entry here
 * (plus its icon in `Icon.svelte` if it needs a new one).
 *
 * The chat is the home screen and part of the initial bundle; every other
 * screen is a chunk of its own, loaded the first time it is opened.
 */
import type { Component, Snippet } from 'svelte'
import type { IconName } from '../components/Icon.svelte'
import ChatView from '../views/chat/ChatView.svelte'
import type { AppStores } from './state/stores'

export interface ViewProps {
  stores: AppStores
  /** Switches to another screen. */
  navigate: (id: string) => void
  /** The connection status pill, for a screen that draws its own header bar (see `ownHeader`). */
  status?: Snippet
}

interface RouteBase {
  /** Also the nav button's test id: `nav-<id>`. */
  id: string
  label: string
  icon: IconName
  /** Pinned to the bottom of the rail. */
  bottom?: boolean
  /** The screen's own header bar replaces the app's (one bar, not two); it shows `status`. */
  ownHeader?: boolean
  /** Called as the screen is chosen, before its chunk has loaded: starts asking for its data, so both arrive together. */
  prepare?: (stores: AppStores) => void
  /** Its chunk is fetched once the window is first idle (see prefetchRoutes), so the first opening waits for no code. */
  prefetch?: boolean
}

/** A screen in the initial bundle, or one loaded (once) the first time it opens. */
export type Route = RouteBase & ({ component: Component<ViewProps>; load?: never } | { load: () => Promise<Component<ViewProps>>; component?: never })

/** A screen loaded on demand; the promise is kept, so it loads once. */
function lazy(load: () => Promise<{ default: Component<ViewProps> }>): () => Promise<Component<ViewProps>> {
  let loading: Promise<Component<ViewProps>> | undefined
  return () => {
    // A failed load (e.g. the file could not be read) is tried again next time.
    loading ??= load().then(
      (module) => module.default,
      (error: unknown) => {
        loading = undefined
        throw error
      }
    )
    return loading
  }
}

export const routes: readonly Route[] = [
  { id: 'chat', label: 'Chat', icon: 'chat', component: ChatView, ownHeader: true },
  { id: 'studio', label: 'Studio', icon: 'image', load: lazy(() => import('../views/studio/StudioScreen.svelte')) },
  {
    id: 'library',
    label: 'Library',
    icon: 'library',
    load: lazy(() => import('../views/library/LibraryView.svelte')),
    prepare: (stores) => stores.library.open(),
    // Opened often, and its first screen is meant to show within 200 ms of the click.
    prefetch: true
  },
  { id: 'models', label: 'Models', icon: 'models', load: lazy(() => import('../views/ModelsView.svelte')) },
  { id: 'settings', label: 'Settings', icon: 'settings', load: lazy(() => import('../views/SettingsView.svelte')), bottom: true },
  { id: 'about', label: 'About', icon: 'info', load: lazy(() => import('../views/AboutView.svelte')), bottom: true }
]

export const homeRoute = 'chat'

/**
 * Fetches the chunks of the screens marked `prefetch` once the window is
 * idle (after start-up has painted); a failure is left for the screen's
 * own load to report when it is opened.
 */
export function prefetchRoutes(list: readonly Route[] = routes, whenIdle: (run: () => void) => void = idle): void {
  for (const route of list) {
    const load = route.prefetch ? route.load : undefined
    if (load) whenIdle(() => void load().catch(() => {}))
  }
}

function idle(run: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run)
}
