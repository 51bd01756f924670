import { describe, expect, it } from 'vitest'
import type { ShortcutStatus } from '../../../src/shared/contract'
import { buildTrayMenu, displayAccelerator } from '../../../src/main/services/desktop/tray-menu'

const registered: ShortcutStatus = { accelerator: 'CommandOrControl+Shift+Space', state: 'registered', message: '', fallbackCommand: 'skyport --quick-ask' }
const labels = (entries: ReturnType<typeof buildTrayMenu>): string[] => entries.map((entry) => (entry.type === 'separator' ? '---' : entry.label))

describe('tray menu', () => {
  it('has quick ask with its shortcut, the screens, settings and quit, in that order', () => {
    const menu = buildTrayMenu({ shortcut: registered, player: 'none', platform: 'win32' })
    expect(labels(menu)).toEqual(['Quick ask', 'Open Skyport', '---', 'New chat', 'Create image', 'Library', '---', 'Settings', 'Quit Skyport'])
    expect(menu[0]).toEqual({ type: 'item', action: 'quick-ask', label: 'Quick ask', accelerator: 'CommandOrControl+Shift+Space' })
    expect(menu.flatMap((entry) => (entry.type === 'item' ? [entry.action] : []))).toEqual(['quick-ask', 'open', 'new-chat', 'create-image', 'library', 'settings', 'quit'])
  })

  it('writes the shortcut into the label on Linux, whose tray menus do not show accelerators', () => {
    expect(buildTrayMenu({ shortcut: registered, player: 'none', platform: 'linux' })[0]).toMatchObject({ label: 'Quick ask (Ctrl+Shift+Space)' })
  })

  it('shows no shortcut that does not work', () => {
    const taken = buildTrayMenu({ shortcut: { ...registered, state: 'taken' }, player: 'none', platform: 'linux' })
    expect(taken[0]).toMatchObject({ label: 'Quick ask', accelerator: null })
  })

  it('offers Pause while something plays, Play while it is paused, nothing when no player is open', () => {
    expect(labels(buildTrayMenu({ shortcut: registered, player: 'playing', platform: 'darwin' }))).toEqual([
      'Quick ask', 'Open Skyport', '---', 'New chat', 'Create image', 'Library', '---', 'Pause', '---', 'Settings', 'Quit Skyport'
    ])
    expect(buildTrayMenu({ shortcut: registered, player: 'paused', platform: 'darwin' })).toContainEqual({ type: 'item', action: 'toggle-playback', label: 'Play', accelerator: null })
    expect(labels(buildTrayMenu({ shortcut: registered, player: 'none', platform: 'darwin' }))).not.toContain('Play')
  })

  it('names the keys as each OS does', () => {
    expect(displayAccelerator('CommandOrControl+Shift+Space', 'darwin')).toBe('Cmd+Shift+Space')
    expect(displayAccelerator('CmdOrCtrl+Alt+K', 'win32')).toBe('Ctrl+Alt+K')
    expect(displayAccelerator('Alt+Super+Q', 'darwin')).toBe('Option+Cmd+Q')
    expect(displayAccelerator('Meta+Space', 'linux')).toBe('Super+Space')
  })
})
