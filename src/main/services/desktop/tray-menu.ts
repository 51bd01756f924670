/**
 * The tray menu's contents, from the app's state. The shell turns the entries
 * into an Electron Menu; what is in it, and in what order, is decided here.
 * The entries never depend on how the icon was clicked: clicks on Linux tray
 * icons are unreliable, so everything is always in the menu.
 */
import type { PlayerState, ShortcutStatus } from '../../../shared/contract'

export type TrayAction = 'quick-ask' | 'open' | 'new-chat' | 'create-image' | 'library' | 'toggle-playback' | 'settings' | 'quit'

export type TrayMenuEntry =
  | {
      type: 'item'
      action: TrayAction
      label: string
      /** Shown beside the label (never registered by the menu: the global shortcut is). */
      accelerator: string | null
    }
  | { type: 'separator' }

export interface TrayMenuState {
  shortcut: ShortcutStatus
  player: PlayerState
  platform: NodeJS.Platform
}

export function buildTrayMenu(state: TrayMenuState): TrayMenuEntry[] {
  const item = (action: TrayAction, label: string, accelerator: string | null = null): TrayMenuEntry => ({ type: 'item', action, label, accelerator })
  const separator: TrayMenuEntry = { type: 'separator' }
  // Only a shortcut that works is shown; a taken one would promise what does not happen.
  const shortcut = state.shortcut.state === 'registered' ? state.shortcut.accelerator : null
  // Linux tray menus (AppIndicator) do not show accelerators, so the label carries it.
  const quickAskLabel = shortcut && state.platform === 'linux' ? `Quick ask (${displayAccelerator(shortcut, state.platform)})` : 'Quick ask'
  const entries: TrayMenuEntry[] = [
    item('quick-ask', quickAskLabel, shortcut),
    item('open', 'Open Skyport'),
    separator,
    item('new-chat', 'New chat'),
    item('create-image', 'Create image'),
    item('library', 'Library')
  ]
  if (state.player !== 'none') entries.push(separator, item('toggle-playback', state.player === 'playing' ? 'Pause' : 'Play'))
  entries.push(separator, item('settings', 'Settings'), item('quit', 'Quit Skyport'))
  return entries
}

const MODIFIER_NAMES: Record<string, { mac: string; other: string }> = {
  commandorcontrol: { mac: 'Cmd', other: 'Ctrl' },
  cmdorctrl: { mac: 'Cmd', other: 'Ctrl' },
  command: { mac: 'Cmd', other: 'Cmd' },
  cmd: { mac: 'Cmd', other: 'Cmd' },
  control: { mac: 'Ctrl', other: 'Ctrl' },
  ctrl: { mac: 'Ctrl', other: 'Ctrl' },
  alt: { mac: 'Option', other: 'Alt' },
  option: { mac: 'Option', other: 'Alt' },
  altgr: { mac: 'AltGr', other: 'AltGr' },
  shift: { mac: 'Shift', other: 'Shift' },
  super: { mac: 'Cmd', other: 'Super' },
  meta: { mac: 'Cmd', other: 'Super' }
}

/** An Electron accelerator as people read it on this OS: `CommandOrControl+Shift+Space` is `Ctrl+Shift+Space` off macOS. */
export function displayAccelerator(accelerator: string, platform: NodeJS.Platform): string {
  return accelerator
    .split('+')
    .map((part) => {
      const names = MODIFIER_NAMES[part.toLowerCase()]
      if (!names) return part
      return platform === 'darwin' ? names.mac : names.other
    })
    .join('+')
}
