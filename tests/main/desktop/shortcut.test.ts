import { describe, expect, it } from 'vitest'
import type { ShortcutStatus } from '../../../src/shared/contract'
import { ShortcutRegistrar, type ShortcutEnvironment } from '../../../src/main/services/desktop/shortcut'
import { FakeShortcuts } from '../../support/desktop-fakes'

function registrar(environment: ShortcutEnvironment = 'native', shortcuts: FakeShortcuts | null = new FakeShortcuts()) {
  const presses: number[] = []
  const statuses: ShortcutStatus[] = []
  const it = new ShortcutRegistrar({ shortcuts, environment, platform: 'win32', onPress: () => presses.push(1), onStatus: (status) => statuses.push(status) })
  return { it, shortcuts, presses, statuses }
}

describe('the quick-ask shortcut', () => {
  it('registers, and pressing it runs quick ask', () => {
    const { it: shortcut, shortcuts, presses } = registrar()
    expect(shortcut.apply('CommandOrControl+Shift+Space')).toEqual({
      accelerator: 'CommandOrControl+Shift+Space',
      state: 'registered',
      message: 'Press Ctrl+Shift+Space anywhere to open quick ask.',
      fallbackCommand: 'skyport --quick-ask'
    })
    shortcuts!.press('CommandOrControl+Shift+Space')
    expect(presses).toHaveLength(1)
  })

  it('says plainly when another app holds it and offers the command, then registers when that app lets go', () => {
    const { it: shortcut, shortcuts, statuses } = registrar()
    shortcuts!.taken.add('Alt+Space')
    const taken = shortcut.apply('Alt+Space')
    expect(taken.state).toBe('taken')
    expect(taken.message).toBe("Alt+Space is already used by another app, so it does nothing here. Choose another shortcut, or bind the command skyport --quick-ask in your desktop's keyboard settings.")
    shortcuts!.taken.delete('Alt+Space')
    expect(shortcut.retry().state).toBe('registered')
    expect(statuses.map((status) => status.state)).toEqual(['taken', 'registered'])
    expect(shortcuts!.held.has('Alt+Space')).toBe(true)
  })

  it('moves to a new shortcut when the setting changes, giving the old one back', () => {
    const { it: shortcut, shortcuts } = registrar()
    shortcut.apply('Alt+Space')
    shortcut.apply('Control+Alt+K')
    expect([...shortcuts!.held.keys()]).toEqual(['Control+Alt+K'])
    // The same accelerator again (another setting changed) touches nothing.
    const calls = shortcuts!.calls.length
    shortcut.apply('Control+Alt+K')
    expect(shortcuts!.calls).toHaveLength(calls)
  })

  it('keeps nothing registered after a change to a taken shortcut, and says so', () => {
    const { it: shortcut, shortcuts } = registrar()
    shortcut.apply('Alt+Space')
    shortcuts!.taken.add('Alt+Q')
    expect(shortcut.apply('Alt+Q').state).toBe('taken')
    expect(shortcuts!.held.size).toBe(0)
  })

  it('calls an accelerator the OS cannot parse invalid', () => {
    const { it: shortcut } = registrar()
    const status = shortcut.apply('Ctrl+Shift+Spaceship!')
    expect(status.state).toBe('invalid')
    expect(status.message).toMatch(/^"Ctrl\+Shift\+Spaceship!" is not a shortcut this system can register/)
  })

  it('does not pretend on a desktop without global shortcuts', () => {
    const { it: shortcut, shortcuts } = registrar('none')
    const status = shortcut.apply('Alt+Space')
    expect(status.state).toBe('unsupported')
    expect(status.message).toMatch(/does not let apps register global shortcuts \(as on Wayland\).*skyport --quick-ask/)
    expect(shortcuts!.calls).toEqual([])
    expect(registrar('native', null).it.apply('Alt+Space').state).toBe('unsupported')
  })

  it('warns through the portal that the desktop may still not deliver the key', () => {
    const status = registrar('portal').it.apply('Alt+Space')
    expect(status.state).toBe('registered')
    expect(status.message).toMatch(/global shortcuts portal.*if pressing it does nothing, bind the command skyport --quick-ask/)
  })

  it('gives the shortcut back on dispose', () => {
    const { it: shortcut, shortcuts } = registrar()
    shortcut.apply('Alt+Space')
    shortcut.dispose()
    expect(shortcuts!.held.size).toBe(0)
  })
})
