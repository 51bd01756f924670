/**
 * The window's side of the shared shortcut table (src/shared/shortcuts.ts):
 * matching key presses and knowing where keys type text.
 */
import * as shared from '@shared/shortcuts'
import { combosFor, shortcuts, type KeyCombo, type Shortcut, type ShortcutId } from '@shared/shortcuts'

export { shortcuts, type KeyCombo, type Shortcut, type ShortcutId }

/** True on macOS (and iPadOS), where the modifier is Cmd. */
export function isMacPlatform(nav: Pick<Navigator, 'platform' | 'userAgent'> | undefined = globalThis.navigator): boolean {
  if (!nav) return false
  return /mac|iphone|ipad|ipod/i.test(nav.platform || nav.userAgent || '')
}

/** Key names as the overlay shows them on this machine. */
export const comboKeys = (combo: KeyCombo, mac = isMacPlatform()): string[] => shared.comboKeys(combo, mac)
export const comboText = (combo: KeyCombo, mac = isMacPlatform()): string => shared.comboText(combo, mac)
export const shortcutText = (id: ShortcutId, mac = isMacPlatform()): string => shared.shortcutText(id, mac)
export const modKeyName = (mac = isMacPlatform()): string => shared.modKeyName(mac)

/** The shortcuts the overlay lists here, each with this platform's combos. */
export function visibleShortcuts(mac = isMacPlatform()): Array<Shortcut & { combos: KeyCombo[] }> {
  return shortcuts.map((shortcut) => ({ ...shortcut, combos: combosFor(shortcut, mac) })).filter((shortcut) => shortcut.combos.length > 0)
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
  if (combo.key !== undefined && combo.key.length === 1 && !/[a-z0-9]/i.test(combo.key)) {
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
  /** Which handler asks: the chat screen's or the app's (every screen). */
  scope?: 'chat' | 'app'
}

/** The shortcut this key press means, or null. */
export function matchShortcut(event: KeyLike, context: ShortcutContext): ShortcutId | null {
  const mac = context.mac ?? isMacPlatform()
  const scope = context.scope ?? 'chat'
  for (const shortcut of shortcuts) {
    if (shortcut.scope !== scope) continue
    if (shortcut.whileStreaming && !context.streaming) continue
    if (combosFor(shortcut, mac).some((combo) => matches(combo, event, context.typing, mac))) return shortcut.id
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
