/**
 * Commands for the chat screen that arrive while another screen may show
 * (the application menu's New chat, Import, Keyboard Shortcuts...): App
 * switches to Chat and leaves the command here; the chat screen takes it
 * once it is mounted.
 */
import type { WindowCommand } from '@shared/contract'

export type ChatCommand = Extract<WindowCommand, 'newChat' | 'import' | 'exportAll' | 'toggleSidebar' | 'help'>

const chatCommands: readonly string[] = ['newChat', 'import', 'exportAll', 'toggleSidebar', 'help'] satisfies ChatCommand[]

export function isChatCommand(command: WindowCommand): command is ChatCommand {
  return chatCommands.includes(command)
}

export class WindowCommands {
  /** The command waiting for the chat screen; a new one replaces an untaken one. */
  pending = $state.raw<ChatCommand | null>(null)

  send(command: ChatCommand): void {
    this.pending = command
  }

  take(): ChatCommand | null {
    const command = this.pending
    this.pending = null
    return command
  }
}
