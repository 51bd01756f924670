import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { autostartDir, autostartEntry, LinuxAutostart, quoteExecArgument } from '../../../src/main/services/desktop/autostart'

const temp = (): string => mkdtempSync(join(tmpdir(), 'skyport-autostart-'))

describe('Linux launch at login', () => {
  it('lives in $XDG_CONFIG_HOME/autostart, or ~/.config/autostart when that is unset or relative', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/cfg' }, '/home/ana')).toBe('/cfg/autostart')
    expect(autostartDir({}, '/home/ana')).toBe('/home/ana/.config/autostart')
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative/cfg' }, '/home/ana')).toBe('/home/ana/.config/autostart')
  })

  it('writes a desktop entry that starts the app in the tray, creating the folder, and removes it again', async () => {
    const dir = join(temp(), 'config', 'autostart')
    const items = new LinuxAutostart({ dir, command: ['/opt/Skyport/Skyport.AppImage', '--hidden'] })
    expect(await items.isEnabled()).toBe(false)
    await items.setEnabled(true)
    expect(await items.isEnabled()).toBe(true)
    expect(readFileSync(join(dir, 'skyport.desktop'), 'utf8')).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Name=Skyport',
        'Comment=Start Skyport in the tray at login',
        'Exec=/opt/Skyport/Skyport.AppImage --hidden',
        'Terminal=false',
        'X-GNOME-Autostart-enabled=true',
        ''
      ].join('\n')
    )
    // Turning it on again rewrites the same file; turning it off twice is no error.
    await items.setEnabled(true)
    await items.setEnabled(false)
    expect(existsSync(join(dir, 'skyport.desktop'))).toBe(false)
    await items.setEnabled(false)
    expect(await items.isEnabled()).toBe(false)
  })

  it('counts an entry the desktop turned off as off', async () => {
    const dir = temp()
    const items = new LinuxAutostart({ dir, command: ['/usr/bin/skyport', '--hidden'] })
    await items.setEnabled(true)
    writeFileSync(items.file, readFileSync(items.file, 'utf8').replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'))
    expect(await items.isEnabled()).toBe(false)
    writeFileSync(items.file, autostartEntry({ name: 'Skyport', command: ['skyport'], comment: 'x' }) + 'Hidden=true\n')
    expect(await items.isEnabled()).toBe(false)
  })

  it('quotes paths with spaces, quotes, dollars, backslashes and percent signs as the Desktop Entry spec asks', () => {
    expect(quoteExecArgument('/usr/bin/skyport')).toBe('/usr/bin/skyport')
    expect(quoteExecArgument('/home/ana/My Apps/Skyport.AppImage')).toBe('"/home/ana/My Apps/Skyport.AppImage"')
    expect(quoteExecArgument('/opt/100%/sky')).toBe('/opt/100%%/sky')
    // `"` and `$` get a backslash inside the quotes; each backslash is then doubled for the string value.
    expect(quoteExecArgument('/a/"b"/$HOME')).toBe('"/a/\\\\"b\\\\"/\\\\$HOME"')
    expect(quoteExecArgument('/a\\b')).toBe('"/a\\\\\\\\b"')
  })
})
