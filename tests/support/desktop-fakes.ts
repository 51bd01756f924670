/**
 * Fakes of the desktop ports (what the shell adapts from Electron's Tray,
 * globalShortcut, screen, windows, Notification and login items), recording
 * what the service asked of them.
 */
import type { QuickShow, ShellCommand } from '../../src/shared/contract'
import type { LoginItems } from '../../src/main/services/desktop/autostart'
import type { DesktopPorts, MainWindowPort, QuickWindowPort, ScreenPort, TrayPort } from '../../src/main/services/desktop/desktop-service'
import type { DisplayInfo, Point, Rect } from '../../src/main/services/desktop/placement'
import type { GlobalShortcuts } from '../../src/main/services/desktop/shortcut'
import type { TrayMenuEntry } from '../../src/main/services/desktop/tray-menu'

/** Holds accelerators like the OS: one owner each; `taken` ones belong to other apps. */
export class FakeShortcuts implements GlobalShortcuts {
  readonly held = new Map<string, () => void>()
  readonly taken = new Set<string>()
  readonly calls: string[] = []

  register(accelerator: string, onPress: () => void): boolean {
    this.calls.push(`register ${accelerator}`)
    // Electron throws on what it cannot parse as an accelerator.
    if (!/^[A-Za-z0-9]+(\+[A-Za-z0-9]+)*$/.test(accelerator)) throw new TypeError('conversion failure')
    if (this.taken.has(accelerator) || this.held.has(accelerator)) return false
    this.held.set(accelerator, onPress)
    return true
  }

  unregister(accelerator: string): void {
    this.calls.push(`unregister ${accelerator}`)
    this.held.delete(accelerator)
  }

  press(accelerator: string): void {
    const onPress = this.held.get(accelerator)
    if (!onPress) throw new Error(`${accelerator} is not registered`)
    onPress()
  }
}

export class FakeQuickWindow implements QuickWindowPort {
  visible = false
  focused = false
  bounds: Rect = { x: 0, y: 0, width: 640, height: 420 }
  readonly sent: QuickShow[] = []
  readonly placed: Rect[] = []

  isVisible(): boolean {
    return this.visible
  }
  isFocused(): boolean {
    return this.focused
  }
  getBounds(): Rect {
    return { ...this.bounds }
  }
  setBounds(bounds: Rect): void {
    this.bounds = { ...bounds }
    this.placed.push({ ...bounds })
  }
  showAndFocus(): void {
    this.visible = true
    this.focused = true
  }
  hide(): void {
    this.visible = false
    this.focused = false
  }
  send(payload: QuickShow): void {
    this.sent.push(payload)
  }
}

export class FakeMainWindow implements MainWindowPort {
  shown = 0
  readonly commands: ShellCommand[] = []
  /** The test host passes the commands on to its pages, as the shell sends them to the window. */
  onCommand: ((command: ShellCommand) => void) | null = null
  show(): void {
    this.shown++
  }
  send(command: ShellCommand): void {
    this.commands.push(command)
    this.onCommand?.(command)
  }
}

export class FakeScreen implements ScreenPort {
  all: DisplayInfo[]
  point: Point
  primary: number | null

  constructor(all: DisplayInfo[], point: Point = { x: 10, y: 10 }, primary: number | null = all[0]?.id ?? null) {
    this.all = all
    this.point = point
    this.primary = primary
  }
  displays(): DisplayInfo[] {
    return this.all
  }
  primaryId(): number | null {
    return this.primary
  }
  cursor(): Point {
    return this.point
  }
}

export class FakeTray implements TrayPort {
  menus: TrayMenuEntry[][] = []
  setMenu(entries: TrayMenuEntry[]): void {
    this.menus.push(entries)
  }
  get menu(): TrayMenuEntry[] {
    const last = this.menus.at(-1)
    if (!last) throw new Error('no menu was set')
    return last
  }
  labels(): string[] {
    return this.menu.map((entry) => (entry.type === 'separator' ? '---' : entry.label))
  }
}

export class FakeLoginItems implements LoginItems {
  enabled = false
  failWith: Error | null = null
  async isEnabled(): Promise<boolean> {
    return this.enabled
  }
  async setEnabled(enabled: boolean): Promise<void> {
    if (this.failWith) throw this.failWith
    this.enabled = enabled
  }
}

/** A display whose work area leaves a 40 px panel at the bottom. */
export function display(id: number, x: number, y: number, width: number, height: number): DisplayInfo {
  return { id, bounds: { x, y, width, height }, workArea: { x, y, width, height: height - 40 } }
}

export interface FakePorts extends DesktopPorts {
  quickWindow: FakeQuickWindow
  mainWindow: FakeMainWindow
  screen: FakeScreen
  tray: FakeTray | null
  shortcuts: FakeShortcuts | null
  loginItems: FakeLoginItems | null
  notified: Array<{ title: string; body: string }>
  quits: number
}

export function fakePorts(overrides: Partial<DesktopPorts> = {}): FakePorts {
  const notified: Array<{ title: string; body: string }> = []
  const ports = {
    platform: 'linux' as NodeJS.Platform,
    quickWindow: new FakeQuickWindow(),
    mainWindow: new FakeMainWindow(),
    screen: new FakeScreen([display(1, 0, 0, 1920, 1080)]),
    tray: new FakeTray(),
    shortcuts: new FakeShortcuts(),
    shortcutEnvironment: 'native' as const,
    loginItems: new FakeLoginItems(),
    notifier: { notify: (title: string, body: string) => void notified.push({ title, body }) },
    canPlaceWindows: true,
    quit: () => void ports.quits++,
    notified,
    quits: 0,
    ...overrides
  }
  return ports as FakePorts
}
