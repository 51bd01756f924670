/**
 * The right-click menus, shown here as text since no screenshot of a native
 * menu can be taken in these tests: each template for each kind of thing
 * clicked, and the bridge call that pops up a message's or an image's menu.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAppServices, type AppServices } from '../../src/main/app-services'
import { dispatch } from '../../src/main/bridge'
import { nativeContextMenu, targetContextMenu, type ContextItem, type NativeContextParams } from '../../src/main/services/context-menus'
import { nodePowers } from '../support/node-powers'

/** A menu as the person sees it: one line per item, `---` for separators, `(off)` for greyed-out items. */
const shown = (items: ContextItem[]): string[] =>
  items.map((item) => (item.type === 'separator' ? '---' : `${item.label}${item.type === 'role' && !item.enabled ? ' (off)' : ''}`))

const params = (over: Partial<NativeContextParams> = {}): NativeContextParams => ({
  mediaType: 'none',
  srcURL: '',
  x: 10,
  y: 20,
  isEditable: false,
  selectionText: '',
  linkURL: '',
  misspelledWord: '',
  dictionarySuggestions: [],
  editFlags: { canCut: false, canCopy: false, canPaste: false, canSelectAll: false },
  ...over
})

describe('context menu templates', () => {
  it('text field: cut, copy, paste, select all, each enabled as the field allows', () => {
    const menu = nativeContextMenu(params({ isEditable: true, editFlags: { canCut: false, canCopy: false, canPaste: true, canSelectAll: true } }))
    expect(shown(menu)).toEqual(['Cut (off)', 'Copy (off)', 'Paste', '---', 'Select all'])
    expect(menu.filter((item) => item.type === 'role').map((item) => item.type === 'role' && item.role)).toEqual(['cut', 'copy', 'paste', 'selectAll'])
  })

  it('misspelt word in the composer: the spellchecker’s suggestions first, then add to dictionary', () => {
    const menu = nativeContextMenu(
      params({
        isEditable: true,
        misspelledWord: 'recieve',
        dictionarySuggestions: ['receive', 'relieve', 'reprieve', 'receiver', 'recite', 'rec eive'],
        editFlags: { canCut: true, canCopy: true, canPaste: true, canSelectAll: true }
      })
    )
    expect(shown(menu)).toEqual(['receive', 'relieve', 'reprieve', 'receiver', 'recite', 'Add to dictionary', '---', 'Cut', 'Copy', 'Paste', '---', 'Select all'])
    expect(menu[0]).toEqual({ type: 'suggestion', word: 'receive', label: 'receive' })
    expect(menu[5]).toEqual({ type: 'learn', word: 'recieve', label: 'Add to dictionary' })
    const none = nativeContextMenu(params({ isEditable: true, misspelledWord: 'qzxv' }))
    expect(shown(none).slice(0, 2)).toEqual(['No suggestions', 'Add to dictionary'])
  })

  it('link: open in the browser and copy link; never for app or script links', () => {
    expect(shown(nativeContextMenu(params({ linkURL: 'https://example.com/a' })))).toEqual(['Open link in browser', 'Copy link'])
    expect(nativeContextMenu(params({ linkURL: 'https://example.com/a' }))[1]).toEqual({ type: 'link', action: 'copyLink', url: 'https://example.com/a', label: 'Copy link' })
    expect(shown(nativeContextMenu(params({ linkURL: 'https://x.example', selectionText: 'docs' })))).toEqual(['Open link in browser', 'Copy link', '---', 'Copy'])
    expect(nativeContextMenu(params({ linkURL: 'javascript:alert(1)' }))).toEqual([])
    expect(nativeContextMenu(params({ linkURL: 'app://local/index.html' }))).toEqual([])
  })

  it('picture in a message: copy image, save image as, and show in folder for the app’s own files', () => {
    const menu = nativeContextMenu(params({ mediaType: 'image', srcURL: 'app://local/media/attachments/a1.png', x: 40, y: 50 }))
    expect(shown(menu)).toEqual(['Copy image', 'Save image as…', process.platform === 'darwin' ? 'Show in Finder' : 'Show in folder'])
    expect(menu[0]).toEqual({ type: 'image', action: 'copyImage', src: 'app://local/media/attachments/a1.png', x: 40, y: 50, label: 'Copy image' })
    // A picture that is not one of the app's files has no folder to show.
    expect(shown(nativeContextMenu(params({ mediaType: 'image', srcURL: 'data:image/png;base64,AAAA' })))).toEqual(['Copy image', 'Save image as…'])
  })

  it('selected text outside fields: copy; nothing selected and nothing special: no menu', () => {
    expect(shown(nativeContextMenu(params({ selectionText: 'some words' })))).toEqual(['Copy'])
    expect(nativeContextMenu(params({ selectionText: '   ' }))).toEqual([])
    expect(nativeContextMenu(params())).toEqual([])
  })

  it('answer: copy, copy as Markdown, quote in a reply; a selection adds copy selection', () => {
    expect(shown(targetContextMenu({ kind: 'message', messageId: 'm1', role: 'assistant', hasSelection: false }))).toEqual([
      'Copy',
      'Copy as Markdown',
      '---',
      'Quote in reply'
    ])
    expect(shown(targetContextMenu({ kind: 'message', messageId: 'm1', role: 'assistant', hasSelection: true }))).toEqual([
      'Copy selection',
      '---',
      'Copy',
      'Copy as Markdown',
      '---',
      'Quote in reply'
    ])
    expect(shown(targetContextMenu({ kind: 'message', messageId: 'm2', role: 'user', hasSelection: false }))).toEqual(['Copy', '---', 'Quote in reply'])
  })

  it('image in chat or the library: copy image, save image as, reveal', () => {
    const menu = targetContextMenu({ kind: 'image', mediaId: 'img1' })
    expect(shown(menu)).toEqual(['Copy image', 'Save image as…', '---', process.platform === 'darwin' ? 'Show in Finder' : 'Show in folder'])
    expect(menu.flatMap((item) => (item.type === 'command' ? [item.command] : []))).toEqual(['copyImage', 'saveImage', 'revealImage'])
  })
})

describe('menu.popup', () => {
  let services: AppServices | null = null
  afterEach(async () => {
    await services?.close()
    services = null
  })

  it('shows the target’s menu over the calling window and answers with the command chosen', async () => {
    const popups: Array<{ labels: string[]; contentsId: number }> = []
    const powers = {
      ...nodePowers({ userDataDir: mkdtempSync(join(tmpdir(), 'skyport-menus-')) }),
      showContextMenu: async (items: ContextItem[], contentsId: number) => {
        popups.push({ labels: shown(items), contentsId })
        return 'quote' as const
      }
    }
    services = await createAppServices(powers)
    const sink = { id: 7, send: () => {} }
    const result = await dispatch(services.handlers, 'menu.popup', { kind: 'message', messageId: 'm1', role: 'assistant', hasSelection: false }, { sink }, { redact: (text) => text })
    expect(result).toEqual({ ok: true, result: { command: 'quote' } })
    expect(popups).toEqual([{ labels: ['Copy', 'Copy as Markdown', '---', 'Quote in reply'], contentsId: 7 }])

    const bad = await dispatch(services.handlers, 'menu.popup', { kind: 'file', path: '/etc/passwd' }, { sink }, { redact: (text) => text })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
    expect(popups).toHaveLength(1)
  })

  it('says where menus exist when the host has none', async () => {
    services = await createAppServices(nodePowers({ userDataDir: mkdtempSync(join(tmpdir(), 'skyport-menus-')) }))
    const result = await dispatch(services.handlers, 'menu.popup', { kind: 'image', mediaId: 'a' }, { sink: { id: 1, send: () => {} } }, { redact: (text) => text })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: expect.stringContaining('app window') } })
  })
})
