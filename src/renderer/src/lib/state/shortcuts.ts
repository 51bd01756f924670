/**
 * The chat screen's keyboard shortcuts, listed once: the key handler matches
 * against this table and the help overlay prints it.
 */

export type ShortcutId = 'newChat' | 'search' | 'focusComposer' | 'stop' | 'previousConversation' | 'nextConversation' | 'help' | 'toggleSidebar'

export interface KeyCombo {
  /** `KeyboardEvent.code` when the layout matters less than the physical key (brackets, slash). */
  code?: string
  /** `KeyboardEvent.key`, compared case-insensitively for letters. */
  key?: string
  /** Ctrl on Windows/Linux, Cmd on macOS. */
  mod?: boolean
  shift?: boolean
  /** Only while no text field has focus (single-key shortcuts). */
  notTyping?: boolean
  /** What the help overlay prints for the key itself. */
  label: string
}

export interface Shortcut {
  id: ShortcutId
  description: string
  /** Any of these triggers it. */
  combos: KeyCombo[]
  /** Only while an answer streams in the open conversation. */
  whileStreaming?: boolean
}

export const shortcuts: readonly Shortcut[] = [
  { id: 'newChat', description: 'New chat', combos: [{ key: 'n', mod: true, label: 'N' }] },
  { id: 'search', description: 'Search conversations', combos: [{ key: 'k', mod: true, label: 'K' }] },
  {
    id: 'focusComposer',
    description: 'Focus the message box',
    combos: [
      { key: 'l', mod: true, label: 'L' },
      { key: '/', notTyping: true, label: '/' }
    ]
  },
  { id: 'toggleSidebar', description: 'Show or hide the conversation list', combos: [{ key: 'b', mod: true, label: 'B' }] },
  { id: 'stop', description: 'Stop the answer', combos: [{ key: 'Escape', label: 'Esc' }], whileStreaming: true },
  {
    id: 'previousConversation',
    description: 'Previous conversation',
    combos: [{ code: 'BracketLeft', mod: true, shift: true, label: '[' }]
  },
  {
    id: 'nextConversation',
    description: 'Next conversation',
    combos: [{ code: 'BracketRight', mod: true, shift: true, label: ']' }]
  },
  {
    id: 'help',
    description: 'Show keyboard shortcuts',
    combos: [
      { code: 'Slash', mod: true, label: '/' },
      { key: '?', notTyping: true, label: '?' }
    ]
  }
]

/** True on macOS (and iPadOS), where the modifier is Cmd. */
export function isMacPlatform(nav: Pick<Navigator, 'platform' | 'userAgent'> | undefined = globalThis.navigator): boolean {
  if (!nav) return false
  return /mac|iphone|ipad|ipod/i.test(nav.platform || nav.userAgent || '')
}

/** Key names as the help overlay shows them, e.g. ["Ctrl", "Shift", "["] or ["⌘", "⇧", "["]. */
export function comboKeys(combo: KeyCombo, mac = isMacPlatform()): string[] {
  const keys: string[] = []
  if (combo.mod) keys.push(mac ? '⌘' : 'Ctrl')
  if (combo.shift) keys.push(mac ? '⇧' : 'Shift')
  keys.push(combo.label)
  return keys
}

/** One line, e.g. "Ctrl+Shift+[" or "⌘⇧[". */
export function comboText(combo: KeyCombo, mac = isMacPlatform()): string {
  return comboKeys(combo, mac).join(mac ? '' : '+')
}

/** The primary combo of a shortcut as text, for tooltips. */
export function shortcutText(id: ShortcutId, mac = isMacPlatform()): string {
  const combo = shortcuts.find((s) => s.id === id)?.combos[0]
  return combo ? comboText(combo, mac) : ''
}

/** The modifier's name: "Ctrl" or "⌘". */
export function modKeyName(mac = isMacPlatform()): string {
  return mac ? '⌘' : 'Ctrl'
}

type KeyLike = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>

/** Whether the platform's modifier (Cmd on macOS, Ctrl elsewhere) is held. */
export function hasMod(event: Pick<KeyboardEvent, 'ctrlKey' | 'metaKey'>, mac = isMacPlatform()): boolean {
  return mac ? event.metaKey : event.ctrlKey
}

function matches(combo: KeyCombo, event: KeyLike, typing: boolean, mac: boolean): boolean {
  if (combo.notTyping && typing) return false
  if (event.altKey) return false
  const mod = hasMod(event, mac)
  // The other modifier (Ctrl on macOS, Meta elsewhere) never takes part.
  const other = mac ? event.ctrlKey : event.metaKey
  if (other || mod !== !!combo.mod) return false
  // '?' needs Shift on most layouts: accept whatever Shift state produced the character.
  if (combo.key !== undefined && combo.key.length === 1 && !/[a-z]/i.test(combo.key)) {
    if (combo.shift && !event.shiftKey) return false
  } else if (event.shiftKey !== !!combo.shift) {
    return false
  }
  if (combo.code !== undefined) return event.code === combo.code
  if (combo.key !== undefined) return event.key.toLowerCase() === combo.key.toLowerCase()
  return false
}

export interface ShortcutContext {
  /** Focus is in a text field (input, textarea, contenteditable). */
  typing: boolean
  /** An answer streams in the open conversation. */
  streaming: boolean
  mac?: boolean
}

/** The shortcut this key press means, or null. */
export function matchShortcut(event: KeyLike, context: ShortcutContext): ShortcutId | null {
  const mac = context.mac ?? isMacPlatform()
  for (const shortcut of shortcuts) {
    if (shortcut.whileStreaming && !context.streaming) continue
    if (shortcut.combos.some((combo) => matches(combo, event, context.typing, mac))) return shortcut.id
  }
  return null
}

/** True when `target` is a place where keys type text. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  if (target instanceof HTMLTextAreaElement) return !target.readOnly
  if (target instanceof HTMLSelectElement) return true
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file', 'image'].includes(target.type)
  }
  return false
}
