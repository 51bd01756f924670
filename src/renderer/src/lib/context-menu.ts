/**
 * Right-click on a message or a library image. Elements mark what they are
 * with data attributes:
 *
 *   data-context-menu="message" data-message-id="…" data-role="user|assistant"
 *   data-context-menu="image"   data-media-id="…"
 *
 * The handler finds the nearest marked element, stops the native menu, and
 * asks main to show this target's menu (`menu.popup`); main answers with the
 * command chosen and the window carries it out. Text fields and links are
 * left to the native menu, which has the spellchecker's suggestions.
 */
import type { ContextCommand, ContextTarget } from '@shared/contract'
import { getApi } from './bridge'

/** What a right-click on `element` is about; null leaves it to the native menu. */
export function contextTargetOf(element: EventTarget | null, selection = ''): ContextTarget | null {
  if (!(element instanceof Element)) return null
  if (element.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], a[href]')) return null
  const marked = element.closest<HTMLElement>('[data-context-menu]')
  if (!marked) return null
  const { contextMenu, messageId, role, mediaId } = marked.dataset
  if (contextMenu === 'message' && messageId && (role === 'user' || role === 'assistant')) {
    return { kind: 'message', messageId, role, hasSelection: selection.trim() !== '' && !!marked.textContent?.includes(selection.trim()) }
  }
  if (contextMenu === 'image' && mediaId) return { kind: 'image', mediaId }
  return null
}

/**
 * Shows the menu for a right-click on a marked element of `kind` and
 * resolves to what was chosen, or null (nothing marked, dismissed, or no
 * native menus where this runs).
 */
export async function popupContextMenu<K extends ContextTarget['kind']>(
  event: MouseEvent,
  kind: K
): Promise<{ target: Extract<ContextTarget, { kind: K }>; command: ContextCommand } | null> {
  const target = contextTargetOf(event.target, globalThis.getSelection?.()?.toString() ?? '')
  if (!target || target.kind !== kind) return null
  event.preventDefault()
  try {
    const { command } = await getApi().menu.popup(target)
    return command ? { target: target as Extract<ContextTarget, { kind: K }>, command } : null
  } catch {
    return null
  }
}

/** An image's commands, the same whichever screen shows it. */
export async function runImageCommand(command: ContextCommand, mediaId: string): Promise<void> {
  const api = getApi()
  if (command === 'copyImage') await api.library.copyImage({ id: mediaId })
  else if (command === 'saveImage') await api.library.saveCopy({ id: mediaId })
  else if (command === 'revealImage') await api.library.reveal({ id: mediaId })
}

/** A message quoted for a reply: each line behind `> `, then a blank line to write under. */
export function quoteText(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .map((line) => (line ? `> ${line}` : '>'))
      .join('\n') + '\n\n'
  )
}
