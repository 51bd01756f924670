/**
 * What the main window does when the tray menu or the quick-ask window asks
 * for a screen (main's `shell.command` event).
 */
import type { ShellCommand } from '@shared/contract'
import type { ChatSession } from './state/chat.svelte'
import type { ConversationsStore } from './state/conversations.svelte'

export interface ShellCommandTargets {
  navigate: (id: string) => void
  chat: Pick<ChatSession, 'newChat' | 'open'>
  conversations: Pick<ConversationsStore, 'load'>
  /** Plays or pauses what the player holds (the tray's Play/Pause). */
  togglePlayback: () => void
}

export async function runShellCommand(command: ShellCommand, targets: ShellCommandTargets): Promise<void> {
  switch (command.command) {
    case 'new-chat':
      targets.navigate('chat')
      await targets.chat.newChat()
      return
    case 'create-image':
      return targets.navigate('studio')
    case 'library':
      return targets.navigate('library')
    case 'settings':
      return targets.navigate('settings')
    case 'toggle-playback':
      return targets.togglePlayback()
    case 'open-conversation':
      targets.navigate('chat')
      // A quick ask is a conversation the list has not seen yet.
      await targets.conversations.load()
      await targets.chat.open(command.conversationId)
      return
  }
}
