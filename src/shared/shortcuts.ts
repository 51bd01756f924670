/**
 * Every keyboard shortcut of the app, listed once: the window's key handlers
 * match against this table, the shortcuts overlay prints it, and main's
 * application menu takes its accelerators from it, so the three never disagree.
 */

export type ShortcutId =
  | 'newChat'
  | 'search'
  | 'focusComposer'
  | 'stop'
  | 'previousConversation'
  | 'nextConversation'
  | 'toggleSidebar'
  | 'help'
  | 'goChat'
  | 'goStudio'
  | 'goLibrary'
  | 'goModels'
  | 'goSettings'
  | 'zoomIn'
  | 'zoomOut'
  | 'zoomReset'
  | 'fullScreen'

export interface KeyCombo {
  /** `KeyboardEvent.code` when the layout matters less than the physical key (brackets, slash). */
  code?: string
  /** `KeyboardEvent.key`, compared case-insensitively for letters. */
  key?: string
  /** Ctrl on Windows/Linux, Cmd on macOS. */
  mod?: boolean
  shift?: boolean
  /** The Control key itself, on macOS (Ctrl+Cmd+F). */
  control?: boolean
  /** Only while no text field has focus (single-key shortcuts). */
  notTyping?: boolean
  /** What the overlay prints for the key itself. */
  label: string
  /** Only on this platform. */
  only?: 'mac' | 'other'
}

/**
 * Who acts on the keys: `chat` the chat screen's handler, `app` the app's
 * (every screen), `menu` main's application menu alone (zoom, full screen:
 * Electron does those, the page cannot).
 */
export type ShortcutScope = 'chat' | 'app' | 'menu'

export interface Shortcut {
  id: ShortcutId
  description: string
  /** Any of these triggers it. */
  combos: KeyCombo[]
  scope: ShortcutScope
  /** Only while an answer streams in the open conversation. */
  whileStreaming?: boolean
}

const mod = (key: string, label = key.toUpperCase()): KeyCombo => ({ key, mod: true, label })

export const shortcuts: readonly Shortcut[] = [
  { id: 'newChat', description: 'New chat', combos: [mod('n')], scope: 'chat' },
  { id: 'search', description: 'Search conversations', combos: [mod('k')], scope: 'chat' },
  {
    id: 'focusComposer',
    description: 'Focus the message box',
    combos: [mod('l'), { key: '/', notTyping: true, label: '/' }],
    scope: 'chat'
  },
  { id: 'stop', description: 'Stop the answer', combos: [{ key: 'Escape', label: 'Esc' }], whileStreaming: true, scope: 'chat' },
  {
    id: 'previousConversation',
    description: 'Previous conversation',
    combos: [{ code: 'BracketLeft', mod: true, shift: true, label: '[' }],
    scope: 'chat'
  },
  {
    id: 'nextConversation',
    description: 'Next conversation',
    combos: [{ code: 'BracketRight', mod: true, shift: true, label: ']' }],
    scope: 'chat'
  },
  { id: 'toggleSidebar', description: 'Show or hide the sidebar', combos: [mod('b')], scope: 'chat' },
  {
    id: 'help',
    description: 'Show keyboard shortcuts',
    combos: [
      { code: 'Slash', mod: true, label: '/' },
      { key: '?', notTyping: true, label: '?' }
    ],
    scope: 'chat'
  },
  { id: 'goChat', description: 'Go to Chat', combos: [mod('1')], scope: 'app' },
  { id: 'goStudio', description: 'Go to Studio', combos: [mod('2')], scope: 'app' },
  { id: 'goLibrary', description: 'Go to Library', combos: [mod('3')], scope: 'app' },
  { id: 'goModels', description: 'Go to Models', combos: [mod('4')], scope: 'app' },
  { id: 'goSettings', description: 'Settings', combos: [mod(',')], scope: 'app' },
  // '=' is the unshifted '+' key on most layouts; Shift+'=' types '+'.
  { id: 'zoomIn', description: 'Zoom in', combos: [mod('=', '+'), { key: '+', mod: true, shift: true, label: '+' }], scope: 'menu' },
  { id: 'zoomOut', description: 'Zoom out', combos: [mod('-')], scope: 'menu' },
  { id: 'zoomReset', description: 'Actual size', combos: [mod('0')], scope: 'menu' },
  {
    id: 'fullScreen',
    description: 'Full screen',
    combos: [
      { key: 'F11', label: 'F11', only: 'other' },
      { key: 'f', mod: true, control: true, label: 'F', only: 'mac' }
    ],
    scope: 'menu'
  }
]

export function shortcutById(id: ShortcutId): Shortcut {
  const found = shortcuts.find((shortcut) => shortcut.id === id)
  if (!found) throw new Error(`No shortcut ${id}`)
  return found
}

/** The combos that apply on this platform. */
export function combosFor(shortcut: Shortcut, mac: boolean): KeyCombo[] {
  return shortcut.combos.filter((combo) => combo.only === undefined || combo.only === (mac ? 'mac' : 'other'))
}

/** Key names as the overlay shows them, e.g. ["Ctrl", "Shift", "["] or ["⌘", "⇧", "["]. */
export function comboKeys(combo: KeyCombo, mac: boolean): string[] {
  const keys: string[] = []
  if (combo.control) keys.push(mac ? '⌃' : 'Ctrl')
  if (combo.mod) keys.push(mac ? '⌘' : 'Ctrl')
  if (combo.shift) keys.push(mac ? '⇧' : 'Shift')
  keys.push(combo.label)
  return keys
}

/** One line, e.g. "Ctrl+Shift+[" or "⌘⇧[". */
export function comboText(combo: KeyCombo, mac: boolean): string {
  return comboKeys(combo, mac).join(mac ? '' : '+')
}

/** The primary combo of a shortcut as text, for tooltips. */
export function shortcutText(id: ShortcutId, mac: boolean): string {
  const combo = combosFor(shortcutById(id), mac)[0]
  return combo ? comboText(combo, mac) : ''
}

/** The modifier's name: "Ctrl" or "⌘". */
export function modKeyName(mac: boolean): string {
  return mac ? '⌘' : 'Ctrl'
}

const acceleratorKeys: Record<string, string> = {
  BracketLeft: '[',
  BracketRight: ']',
  Slash: '/',
  '+': 'Plus',
  Escape: 'Escape'
}

/**
 * A combo as an Electron accelerator, e.g. `CommandOrControl+Shift+[`; null
 * for single keys that only work outside text fields (a menu would take
 * them from the text fields too).
 */
export function comboAccelerator(combo: KeyCombo): string | null {
  if (combo.notTyping) return null
  const raw = combo.code ?? combo.key
  if (raw === undefined) return null
  const key = acceleratorKeys[raw] ?? (raw.length === 1 ? raw.toUpperCase() : raw)
  const parts: string[] = []
  if (combo.control) parts.push('Control')
  if (combo.mod) parts.push('CommandOrControl')
  if (combo.shift) parts.push('Shift')
  parts.push(key)
  return parts.join('+')
}

/** Every accelerator of a shortcut on this platform, the primary one first. */
export function shortcutAccelerators(id: ShortcutId, mac: boolean): string[] {
  return combosFor(shortcutById(id), mac)
    .map(comboAccelerator)
    .filter((accelerator): accelerator is string => accelerator !== null)
}
