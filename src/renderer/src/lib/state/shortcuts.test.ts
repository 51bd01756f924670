import { describe, expect, it } from 'vitest'
import { comboText, isMacPlatform, isTypingTarget, matchShortcut, shortcuts, shortcutText, visibleShortcuts } from './shortcuts'

type Key = Partial<Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>>

function press(key: Key, context: { typing?: boolean; streaming?: boolean; mac?: boolean } = {}): string | null {
  const event = { key: '', code: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...key }
  return matchShortcut(event, { typing: context.typing ?? false, streaming: context.streaming ?? false, mac: context.mac ?? false })
}

describe('shortcuts', () => {
  it('matches Ctrl on Windows/Linux and Cmd on macOS', () => {
    expect(press({ key: 'n', ctrlKey: true })).toBe('newChat')
    expect(press({ key: 'N', ctrlKey: true })).toBe('newChat')
    expect(press({ key: 'n', metaKey: true })).toBeNull()
    expect(press({ key: 'n', metaKey: true }, { mac: true })).toBe('newChat')
    expect(press({ key: 'n', ctrlKey: true }, { mac: true })).toBeNull()
    expect(press({ key: 'k', ctrlKey: true })).toBe('search')
    expect(press({ key: 'l', ctrlKey: true })).toBe('focusComposer')
    expect(press({ key: 'n', ctrlKey: true, altKey: true })).toBeNull()
  })

  it('uses the physical bracket keys for previous/next conversation', () => {
    // Shift turns [ into { on a US layout: the code still says BracketLeft.
    expect(press({ key: '{', code: 'BracketLeft', ctrlKey: true, shiftKey: true })).toBe('previousConversation')
    expect(press({ key: '}', code: 'BracketRight', ctrlKey: true, shiftKey: true })).toBe('nextConversation')
    expect(press({ key: '[', code: 'BracketLeft', ctrlKey: true })).toBeNull()
  })

  it('single keys work only when not typing', () => {
    expect(press({ key: '/', code: 'Slash' })).toBe('focusComposer')
    expect(press({ key: '/', code: 'Slash' }, { typing: true })).toBeNull()
    expect(press({ key: '?', code: 'Slash', shiftKey: true })).toBe('help')
    expect(press({ key: '?', code: 'Slash', shiftKey: true }, { typing: true })).toBeNull()
    expect(press({ key: '/', code: 'Slash', ctrlKey: true }, { typing: true })).toBe('help')
  })

  it('Escape stops only while streaming', () => {
    expect(press({ key: 'Escape' })).toBeNull()
    expect(press({ key: 'Escape' }, { streaming: true, typing: true })).toBe('stop')
  })

  it('prints platform-aware key names', () => {
    const previous = shortcuts.find((s) => s.id === 'previousConversation')!.combos[0]!
    expect(comboText(previous, false)).toBe('Ctrl+Shift+[')
    expect(comboText(previous, true)).toBe('⌘⇧[')
    expect(shortcutText('newChat', false)).toBe('Ctrl+N')
    expect(isMacPlatform({ platform: 'MacIntel', userAgent: '' })).toBe(true)
    expect(isMacPlatform({ platform: 'Win32', userAgent: '' })).toBe(false)
    expect(isMacPlatform({ platform: '', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)' })).toBe(true)
  })

  it('knows where keys type text', () => {
    const input = document.createElement('input')
    const checkbox = document.createElement('input')
    checkbox.type = 'checkbox'
    expect(isTypingTarget(input)).toBe(true)
    expect(isTypingTarget(document.createElement('textarea'))).toBe(true)
    expect(isTypingTarget(checkbox)).toBe(false)
    expect(isTypingTarget(document.createElement('button'))).toBe(false)
    expect(isTypingTarget(null)).toBe(false)
  })
})

describe('shortcuts shared with the application menu', () => {
  it('matches app-wide keys only for the app handler, and chat keys only for the chat screen', () => {
    const event = { key: '2', code: 'Digit2', ctrlKey: true, metaKey: false, shiftKey: false, altKey: false }
    expect(matchShortcut(event, { typing: true, streaming: false, mac: false, scope: 'app' })).toBe('goStudio')
    expect(matchShortcut(event, { typing: true, streaming: false, mac: false, scope: 'chat' })).toBeNull()
    const newChat = { ...event, key: 'n', code: 'KeyN' }
    expect(matchShortcut(newChat, { typing: false, streaming: false, mac: false, scope: 'app' })).toBeNull()
    // Zoom is the menu's alone: neither page handler takes it.
    const zoom = { ...event, key: '=', code: 'Equal' }
    expect(matchShortcut(zoom, { typing: false, streaming: false, mac: false, scope: 'app' })).toBeNull()
    expect(matchShortcut(zoom, { typing: false, streaming: false, mac: false, scope: 'chat' })).toBeNull()
  })

  it('lists each platform its own full-screen keys', () => {
    const fullScreen = (mac: boolean) => visibleShortcuts(mac).find((s) => s.id === 'fullScreen')!.combos.map((c) => comboText(c, mac))
    expect(fullScreen(false)).toEqual(['F11'])
    expect(fullScreen(true)).toEqual(['⌃⌘F'])
  })
})
