/**
 * The desktop service with the OS replaced by fakes of its ports: the tray
 * menu and its actions, the shortcut through setting changes, launches and
 * second instances, launch at login, the quick-ask window's show, hide and
 * position, and closing to the tray. Settings are the real service on a real file.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { DesktopStatus } from '../../../src/shared/contract'
import { LinuxAutostart } from '../../../src/main/services/desktop/autostart'
import { BLUR_SETTLE_MS, DesktopService, FALSE_BLUR_GRACE_MS, TRAY_NOTICE, type DesktopPorts } from '../../../src/main/services/desktop/desktop-service'
import { parseDeepLink, parseLaunchArgs } from '../../../src/main/services/desktop/launch-args'
import { SettingsService } from '../../../src/main/services/settings'
import { openConfSettingsStore } from '../../support/node-powers'
import { display, fakePorts, FakeScreen, type FakePorts } from '../../support/desktop-fakes'

interface Setup {
  service: DesktopService
  settings: SettingsService
  ports: FakePorts
  statuses: DesktopStatus[]
  warnings: string[]
  clock: { now: number }
  timers: Array<{ run: () => void; ms: number }>
}

async function setup(overrides: Partial<DesktopPorts> = {}, dir = mkdtempSync(join(tmpdir(), 'skyport-desktop-'))): Promise<Setup> {
  const settings = new SettingsService({ openStore: () => openConfSettingsStore(dir), filePath: join(dir, 'settings.json') })
  const statuses: DesktopStatus[] = []
  const warnings: string[] = []
  const clock = { now: 1_000_000 }
  const timers: Setup['timers'] = []
  const service = new DesktopService({
    settings,
    logger: { error: (message) => warnings.push(message), warn: (message) => warnings.push(message), info: () => {} },
    onStatus: (status) => statuses.push(status),
    now: () => clock.now,
    setTimer: (run, ms) => void timers.push({ run, ms })
  })
  const ports = fakePorts(overrides)
  await service.attach(ports)
  return { service, settings, ports, statuses, warnings, clock, timers }
}

const parseLaunch = (argv: string[]) => parseLaunchArgs(argv).request
const parseLink = (url: string) => parseDeepLink(url).request

const runTimers = (timers: Setup['timers']): void => {
  for (const timer of timers.splice(0)) timer.run()
}

describe('tray', () => {
  it('fills the menu at start and runs each entry', async () => {
    const { service, ports } = await setup()
    expect(ports.tray!.labels()).toEqual(['Quick ask (Ctrl+Shift+Space)', 'Open Skyport', '---', 'New chat', 'Create image', 'Library', '---', 'Settings', 'Quit Skyport'])

    service.trayAction('new-chat')
    service.trayAction('create-image')
    service.trayAction('library')
    service.trayAction('settings')
    expect(ports.mainWindow.commands).toEqual([{ command: 'new-chat' }, { command: 'create-image' }, { command: 'library' }, { command: 'settings' }])
    expect(ports.mainWindow.shown).toBe(4)

    service.trayAction('open')
    expect(ports.mainWindow.shown).toBe(5)
    service.trayAction('quick-ask')
    expect(ports.quickWindow.visible).toBe(true)
    expect(ports.quickWindow.sent).toEqual([{ question: null }])
    service.trayAction('quit')
    expect(ports.quits).toBe(1)
  })

  it('adds Play or Pause while the renderer reports a player, and toggles it without raising the window', async () => {
    const { service, ports } = await setup()
    service.setPlayerState('playing')
    expect(ports.tray!.labels()).toContain('Pause')
    service.trayAction('toggle-playback')
    expect(ports.mainWindow.commands).toEqual([{ command: 'toggle-playback' }])
    expect(ports.mainWindow.shown).toBe(0)
    service.setPlayerState('paused')
    expect(ports.tray!.labels()).toContain('Play')
    service.setPlayerState('none')
    expect(ports.tray!.labels()).not.toContain('Play')
  })
})

describe('global shortcut', () => {
  it('is registered at start, toggles quick ask, and moves when the setting changes', async () => {
    const { service, settings, ports, statuses } = await setup()
    expect(service.status().shortcut.state).toBe('registered')
    ports.shortcuts!.press('CommandOrControl+Shift+Space')
    expect(ports.quickWindow.visible).toBe(true)
    ports.shortcuts!.press('CommandOrControl+Shift+Space')
    expect(ports.quickWindow.visible).toBe(false)

    settings.update({ quickAskShortcut: 'Alt+Space' })
    expect([...ports.shortcuts!.held.keys()]).toEqual(['Alt+Space'])
    expect(statuses.at(-1)?.shortcut).toMatchObject({ accelerator: 'Alt+Space', state: 'registered' })
    expect(ports.tray!.menu[0]).toMatchObject({ label: 'Quick ask (Alt+Space)', accelerator: 'Alt+Space' })
  })

  it('reports a taken shortcut, with the command, and registers again when asked', async () => {
    const { service, settings, ports, statuses, warnings } = await setup()
    ports.shortcuts!.taken.add('Alt+Space')
    settings.update({ quickAskShortcut: 'Alt+Space' })
    expect(statuses.at(-1)?.shortcut).toMatchObject({ state: 'taken', fallbackCommand: 'skyport --quick-ask' })
    expect(warnings.at(-1)).toMatch(/Alt\+Space is already used by another app/)
    // The menu does not promise a shortcut that does nothing.
    expect(ports.tray!.menu[0]).toMatchObject({ label: 'Quick ask', accelerator: null })

    ports.shortcuts!.taken.delete('Alt+Space')
    expect(service.retryShortcut().shortcut.state).toBe('registered')
    expect(ports.tray!.menu[0]).toMatchObject({ accelerator: 'Alt+Space' })
  })

  it('says so on Wayland without the portal, and the command still opens quick ask', async () => {
    const { service, ports } = await setup({ shortcutEnvironment: 'none' })
    expect(service.status().shortcut.state).toBe('unsupported')
    expect(ports.shortcuts!.calls).toEqual([])
    service.handleLaunch(parseLaunch(['/usr/bin/skyport', '--quick-ask']))
    expect(ports.quickWindow.visible).toBe(true)
  })

  it('is given back on dispose and no longer follows the settings', async () => {
    const { service, settings, ports } = await setup()
    service.dispose()
    expect(ports.shortcuts!.held.size).toBe(0)
    settings.update({ quickAskShortcut: 'Alt+Space' })
    expect(ports.shortcuts!.held.size).toBe(0)
  })

  it('is reported unsupported before the shell attaches (a host without an OS)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skyport-desktop-'))
    const settings = new SettingsService({ openStore: () => openConfSettingsStore(dir), filePath: join(dir, 'settings.json') })
    const service = new DesktopService({ settings, logger: { error() {}, warn() {}, info() {} } })
    expect(service.status().shortcut.state).toBe('unsupported')
    // Window actions have nothing to act on and do nothing.
    service.showQuickAsk('hi')
    service.openInMain('c1')
    service.openLibrary()
    service.hideQuickAsk()
  })
})

describe('launches and second instances', () => {
  it('opens quick ask with the question of a skyport://ask link, never sending it', async () => {
    const { service, ports } = await setup()
    const request = parseLaunch(['C:\\Skyport\\Skyport.exe', '--allow-file-access-from-files', 'skyport://ask?q=Why%20is%20the%20sky%20blue%3F&send=1'])
    service.handleLaunch(request)
    expect(ports.quickWindow.visible).toBe(true)
    expect(ports.quickWindow.sent).toEqual([{ question: 'Why is the sky blue?' }])
    expect(ports.mainWindow.commands).toEqual([])
  })

  it('focuses the main window for a plain second launch or an unknown link', async () => {
    const { service, ports } = await setup()
    service.handleLaunch(parseLaunch(['/usr/bin/skyport']))
    service.handleLaunch(parseLink('skyport://settings?baseUrl=http://evil.example'))
    expect(ports.mainWindow.shown).toBe(2)
    expect(ports.quickWindow.visible).toBe(false)
  })

  it('starts in the tray when launched at login, only when there is a tray', async () => {
    const { service, ports } = await setup()
    service.handleLaunch(parseLaunch(['/usr/bin/skyport', '--hidden']))
    expect(ports.mainWindow.shown).toBe(0)
    expect(service.canStartInTray()).toBe(true)
    expect((await setup({ tray: null })).service.canStartInTray()).toBe(false)
  })
})

describe('launch at login', () => {
  it('follows the setting through the login items, and reports a failure', async () => {
    const { service, settings, ports, statuses } = await setup()
    expect(ports.loginItems!.enabled).toBe(false)
    settings.update({ desktop: { launchAtLogin: true } })
    await service.settled()
    expect(ports.loginItems!.enabled).toBe(true)
    expect(statuses.at(-1)?.launchAtLogin).toEqual({ enabled: true, error: null })

    ports.loginItems!.failWith = new Error('permission denied')
    settings.update({ desktop: { launchAtLogin: false } })
    await service.settled()
    expect(service.status().launchAtLogin).toEqual({ enabled: true, error: 'Launch at login could not be turned off: permission denied' })
    // Another setting changing does not try again behind the person's back.
    ports.loginItems!.failWith = null
    settings.update({ theme: 'dark' })
    await service.settled()
    expect(ports.loginItems!.enabled).toBe(true)
  })

  it('writes and removes the Linux autostart file, and sets it at start from a saved setting', async () => {
    const home = mkdtempSync(join(tmpdir(), 'skyport-home-'))
    const loginItems = new LinuxAutostart({ dir: join(home, '.config', 'autostart'), command: ['/usr/bin/skyport', '--hidden'] })
    const dir = mkdtempSync(join(tmpdir(), 'skyport-desktop-'))
    new SettingsService({ openStore: () => openConfSettingsStore(dir), filePath: join(dir, 'settings.json') }).update({ desktop: { launchAtLogin: true } })

    const { service, settings } = await setup({ loginItems }, dir)
    expect(await loginItems.isEnabled()).toBe(true)
    expect(service.status().launchAtLogin).toEqual({ enabled: true, error: null })
    settings.update({ desktop: { launchAtLogin: false } })
    await service.settled()
    expect(await loginItems.isEnabled()).toBe(false)
  })

  it('says it is unavailable where there are no login items', async () => {
    const { service, settings } = await setup({ loginItems: null })
    settings.update({ desktop: { launchAtLogin: true } })
    await service.settled()
    expect(service.status().launchAtLogin).toEqual({ enabled: false, error: 'Launch at login is not available on this system.' })
  })
})

describe('the quick-ask window', () => {
  it('shows on the display under the cursor, and hides', async () => {
    const screen = new FakeScreen([display(1, 0, 0, 1920, 1080), display(2, 1920, 0, 2560, 1440)], { x: 3000, y: 700 })
    const { service, ports } = await setup({ screen })
    service.showQuickAsk()
    expect(ports.quickWindow.bounds).toEqual({ x: 1920 + 960, y: Math.round((1400 - 420) / 4), width: 640, height: 420 })
    expect(ports.quickWindow.focused).toBe(true)

    service.hideQuickAsk()
    expect(ports.quickWindow.visible).toBe(false)
    screen.point = { x: 100, y: 100 }
    service.showQuickAsk()
    expect(ports.quickWindow.bounds).toMatchObject({ x: 640, y: Math.round((1040 - 420) / 4) })
  })

  it('comes back to the cursor display when its display is unplugged while it shows', async () => {
    const screen = new FakeScreen([display(1, 0, 0, 1920, 1080), display(2, 1920, 0, 2560, 1440)], { x: 3000, y: 700 })
    const { service, ports } = await setup({ screen })
    service.showQuickAsk()
    screen.all = [display(1, 0, 0, 1920, 1080)]
    screen.point = { x: 1919, y: 500 }
    service.displaysChanged()
    expect(ports.quickWindow.bounds).toMatchObject({ x: 640 })
    // Still on a display: a change elsewhere does not move it.
    const placed = ports.quickWindow.placed.length
    service.displaysChanged()
    expect(ports.quickWindow.placed).toHaveLength(placed)
  })

  it('is not placed where the OS places windows itself (Wayland)', async () => {
    const { service, ports } = await setup({ canPlaceWindows: false })
    service.showQuickAsk('hello')
    expect(ports.quickWindow.placed).toEqual([])
    expect(ports.quickWindow.visible).toBe(true)
    expect(ports.quickWindow.sent).toEqual([{ question: 'hello' }])
  })

  it('hides on blur only when the setting says so, ignoring the false blur macOS sends right after showing', async () => {
    const { service, settings, ports, clock, timers } = await setup()
    service.showQuickAsk()
    ports.quickWindow.focused = false
    clock.now += FALSE_BLUR_GRACE_MS + 1
    service.quickAskBlurred()
    runTimers(timers)
    expect(ports.quickWindow.visible).toBe(true)

    settings.update({ desktop: { quickAskHidesOnBlur: true } })
    service.showQuickAsk()
    // The false blur: at once after showing, and the window has the focus again.
    clock.now += 20
    service.quickAskBlurred()
    expect(timers).toEqual([])
    expect(ports.quickWindow.visible).toBe(true)

    // Later, a blur followed by the focus coming back (a second false blur) is not acted on either.
    clock.now += FALSE_BLUR_GRACE_MS
    service.quickAskBlurred()
    expect(timers.map((timer) => timer.ms)).toEqual([BLUR_SETTLE_MS])
    runTimers(timers)
    expect(ports.quickWindow.visible).toBe(true)

    // A real blur: the focus went elsewhere and stayed there.
    service.quickAskBlurred()
    ports.quickWindow.focused = false
    runTimers(timers)
    expect(ports.quickWindow.visible).toBe(false)
  })

  it('opens its conversation in the main window and hides', async () => {
    const { service, ports } = await setup()
    service.showQuickAsk()
    service.openInMain('conv-1')
    expect(ports.quickWindow.visible).toBe(false)
    expect(ports.mainWindow.shown).toBe(1)
    expect(ports.mainWindow.commands).toEqual([{ command: 'open-conversation', conversationId: 'conv-1' }])
  })

  it('opens the library in the main window and hides (after /say or /song)', async () => {
    const { service, ports } = await setup()
    service.showQuickAsk()
    service.openLibrary()
    expect(ports.quickWindow.visible).toBe(false)
    expect(ports.mainWindow.shown).toBe(1)
    expect(ports.mainWindow.commands).toEqual([{ command: 'library' }])
  })
})

describe('closing the main window', () => {
  it('keeps the app in the tray, with a notification the first time only', async () => {
    const { service, settings, ports } = await setup({ platform: 'linux' })
    expect(service.mainWindowClosing()).toBe('hide')
    expect(service.mainWindowClosing()).toBe('hide')
    expect(ports.notified).toEqual([TRAY_NOTICE])
    expect(settings.get().desktop.trayNoticeShown).toBe(true)
  })

  it('closes when the setting is off, when there is no tray, and once quitting', async () => {
    const off = await setup()
    off.settings.update({ desktop: { closeToTray: false } })
    expect(off.service.mainWindowClosing()).toBe('close')
    expect((await setup({ tray: null })).service.mainWindowClosing()).toBe('close')
    const quitting = await setup()
    quitting.service.beginQuit()
    expect(quitting.service.mainWindowClosing()).toBe('close')
    expect(quitting.ports.notified).toEqual([])
  })
})
