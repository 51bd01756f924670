/**
 * Every right-click menu, as plain data built from what was clicked:
 *
 * - Text fields, links and selected text: Chromium reports them in the
 *   `context-menu` event's params (with the spellchecker's suggestions), so
 *   `nativeContextMenu` builds from those.
 * - Messages and images: the page knows what they are, Chromium does not. The
 *   window marks them with `data-context-menu` attributes, stops the native
 *   event, and asks main with the `menu.popup` bridge method and a
 *   `ContextTarget`; `targetContextMenu` builds that menu, and the chosen
 *   command goes back to the window, which carries it out.
 *
 * Pictures in messages (attachments, and images `/image` made, which are
 * copies) come through the native params too, with their address.
 *
 * The shell (shell/context-menu.ts) turns these items into Electron menus.
 */
import type { ContextCommand, ContextTarget } from '../../shared/contract'
import { APP_ORIGIN } from './app-protocol'

/** The part of Electron's ContextMenuParams these menus read. */
export interface NativeContextParams {
  /** `image` for a picture; `srcURL` is its address and x, y where the click was. */
  mediaType: string
  srcURL: string
  x: number
  y: number
  isEditable: boolean
  selectionText: string
  linkURL: string
  misspelledWord: string
  dictionarySuggestions: string[]
  editFlags: { canCut: boolean; canCopy: boolean; canPaste: boolean; canSelectAll: boolean }
}

export type EditRole = 'cut' | 'copy' | 'paste' | 'selectAll'

export type ContextItem =
  | { type: 'separator' }
  /** Electron's own edit action on the focused field. */
  | { type: 'role'; role: EditRole; label: string; enabled: boolean }
  /** Replaces the misspelt word with this one. */
  | { type: 'suggestion'; word: string; label: string }
  /** Adds the misspelt word to the spellchecker's dictionary. */
  | { type: 'learn'; word: string; label: string }
  /** Main does it (links). */
  | { type: 'link'; action: 'copyLink' | 'openLink'; url: string; label: string }
  /** Main does it (a picture in a message: an attachment, or an image /image made). */
  | { type: 'image'; action: 'copyImage' | 'saveImage' | 'revealImage'; src: string; x: number; y: number; label: string }
  /** Goes back to the window that asked (messages and images). */
  | { type: 'command'; command: ContextCommand; label: string }

const separator: ContextItem = { type: 'separator' }

/** At most this many suggestions, as Chrome shows. */
const MAX_SUGGESTIONS = 5

/** Only web and mail links get link items; `app://` and `javascript:` ones are not offered. */
function isWebLink(url: string): boolean {
  return /^(https?|mailto):/i.test(url)
}

function isMediaFile(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/media/`)
}

function revealLabel(): string {
  return process.platform === 'darwin' ? 'Show in Finder' : 'Show in folder'
}

/** Drops leading, trailing and doubled separators (sections that came out empty). */
function tidy(items: ContextItem[]): ContextItem[] {
  const result: ContextItem[] = []
  for (const item of items) {
    if (item.type === 'separator' && (result.length === 0 || result.at(-1)?.type === 'separator')) continue
    result.push(item)
  }
  while (result.at(-1)?.type === 'separator') result.pop()
  return result
}

export function nativeContextMenu(params: NativeContextParams): ContextItem[] {
  const items: ContextItem[] = []
  if (params.isEditable && params.misspelledWord) {
    const suggestions = params.dictionarySuggestions.slice(0, MAX_SUGGESTIONS)
    if (suggestions.length === 0) items.push({ type: 'command', command: 'noSuggestions', label: 'No suggestions' })
    for (const word of suggestions) items.push({ type: 'suggestion', word, label: word })
    items.push({ type: 'learn', word: params.misspelledWord, label: 'Add to dictionary' }, separator)
  }
  if (params.linkURL && isWebLink(params.linkURL)) {
    items.push(
      { type: 'link', action: 'openLink', url: params.linkURL, label: 'Open link in browser' },
      { type: 'link', action: 'copyLink', url: params.linkURL, label: 'Copy link' },
      separator
    )
  }
  if (params.mediaType === 'image' && params.srcURL) {
    const at = { src: params.srcURL, x: params.x, y: params.y }
    items.push(
      { type: 'image', action: 'copyImage', ...at, label: 'Copy image' },
      { type: 'image', action: 'saveImage', ...at, label: 'Save image as…' },
      // Only the app's own media files are somewhere to show.
      ...(isMediaFile(params.srcURL) ? [{ type: 'image', action: 'revealImage', ...at, label: revealLabel() } as ContextItem] : []),
      separator
    )
  }
  if (params.isEditable) {
    items.push(
      { type: 'role', role: 'cut', label: 'Cut', enabled: params.editFlags.canCut },
      { type: 'role', role: 'copy', label: 'Copy', enabled: params.editFlags.canCopy },
      { type: 'role', role: 'paste', label: 'Paste', enabled: params.editFlags.canPaste },
      separator,
      { type: 'role', role: 'selectAll', label: 'Select all', enabled: params.editFlags.canSelectAll }
    )
  } else if (params.selectionText.trim()) {
    items.push({ type: 'role', role: 'copy', label: 'Copy', enabled: true })
  }
  return tidy(items)
}

export function targetContextMenu(target: ContextTarget): ContextItem[] {
  if (target.kind === 'message') {
    return tidy([
      ...(target.hasSelection ? [{ type: 'role', role: 'copy', label: 'Copy selection', enabled: true } as ContextItem, separator] : []),
      { type: 'command', command: 'copyText', label: 'Copy' },
      // A question is what was typed: there is no Markdown of it to copy apart.
      ...(target.role === 'assistant' ? [{ type: 'command', command: 'copyMarkdown', label: 'Copy as Markdown' } as ContextItem] : []),
      separator,
      { type: 'command', command: 'quote', label: 'Quote in reply' }
    ])
  }
  return [
    { type: 'command', command: 'copyImage', label: 'Copy image' },
    { type: 'command', command: 'saveImage', label: 'Save image as…' },
    separator,
    { type: 'command', command: 'revealImage', label: revealLabel() }
  ]
}

/** The commands a chosen item sends back to the window; a suggestion or a role is done in main. */
export function commandOf(item: ContextItem): ContextCommand | null {
  return item.type === 'command' && item.command !== 'noSuggestions' ? item.command : null
}
