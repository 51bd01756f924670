/**
 * Launch at login. macOS and Windows have a login items API (the shell adapts
 * Electron's); Linux desktops start what has a `.desktop` file in
 * `$XDG_CONFIG_HOME/autostart` (XDG Autostart specification), which this
 * module writes and removes.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { writeFileAtomic } from '../files/atomic-write'

export interface LoginItems {
  isEnabled(): Promise<boolean>
  setEnabled(enabled: boolean): Promise<void>
}

export const AUTOSTART_FILE = 'skyport.desktop'

/** `$XDG_CONFIG_HOME/autostart`, or `~/.config/autostart` when it is unset or not absolute (as the spec says). */
export function autostartDir(env: NodeJS.ProcessEnv, home: string): string {
  const configHome = env['XDG_CONFIG_HOME']
  return join(configHome && configHome.startsWith('/') ? configHome : join(home, '.config'), 'autostart')
}

/**
 * One argument of an Exec line, quoted as the Desktop Entry specification
 * asks: in double quotes when it has a reserved character, with `"`, `` ` ``,
 * `$` and `\` escaped; `%` doubled (field codes); then every backslash doubled
 * again, because the whole value is a string that unescapes `\\` once more.
 */
export function quoteExecArgument(argument: string): string {
  let quoted = argument.replace(/%/g, '%%')
  if (/[\s"'\\><~|&;$*?#()`]/.test(quoted)) quoted = `"${quoted.replace(/["`$\\]/g, (char) => `\\${char}`)}"`
  return quoted.replace(/\\/g, '\\\\')
}

export function autostartEntry(options: { name: string; command: readonly string[]; comment: string }): string {
  const line = (text: string): string => text.replace(/[\r\n]+/g, ' ')
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${line(options.name)}`,
    `Comment=${line(options.comment)}`,
    `Exec=${options.command.map(quoteExecArgument).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    ''
  ].join('\n')
}

/** The Linux login item: a `.desktop` file in the autostart folder, present or not. */
export class LinuxAutostart implements LoginItems {
  readonly #file: string
  readonly #entry: string

  /** `command` is what starts the app in the tray, e.g. `[appImagePath, '--hidden']`. */
  constructor(options: { dir: string; command: readonly string[]; name?: string }) {
    this.#file = join(options.dir, AUTOSTART_FILE)
    this.#entry = autostartEntry({ name: options.name ?? 'Skyport', command: options.command, comment: 'Start Skyport in the tray at login' })
  }

  get file(): string {
    return this.#file
  }

  /** Only our own entry counts: a file someone turned off (`Hidden=true`, or GNOME's switch) is not enabled. */
  async isEnabled(): Promise<boolean> {
    let text: string
    try {
      text = await readFile(this.#file, 'utf8')
    } catch {
      return false
    }
    return !/^Hidden\s*=\s*true\s*$/im.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/im.test(text)
  }

  async setEnabled(enabled: boolean): Promise<void> {
    if (enabled) {
      // A fresh account may have no autostart folder yet.
      await mkdir(dirname(this.#file), { recursive: true })
      await writeFileAtomic(this.#file, this.#entry)
    } else await rm(this.#file, { force: true })
  }
}
