/**
 * A conversation as Markdown for people to read or share: the visible
 * thread only (one version per turn), reasoning folded away, images as links
 * to the files the app stored.
 */
import type { Attachment, Conversation, MessageRecord } from '../../../../shared/contract'

export function conversationToMarkdown(conversation: Conversation): string {
  const blocks: string[] = [`# ${oneLine(conversation.title)}`]
  const meta = [`Model: \`${oneLine(conversation.settings.model).replaceAll('`', "'")}\``, `Date: ${formatDate(conversation.createdAt)}`]
  blocks.push(meta.join(' · '))
  if (conversation.settings.systemPrompt.trim() !== '') blocks.push(details('System prompt', conversation.settings.systemPrompt))
  for (const message of conversation.messages) blocks.push(...messageBlocks(message))
  return blocks.join('\n\n') + '\n'
}

function messageBlocks(message: MessageRecord): string[] {
  const blocks = [`### ${heading(message)}`]
  if (message.reasoning.trim() !== '') blocks.push(details('Reasoning', message.reasoning))
  if (message.content.trim() !== '') blocks.push(message.content.trim())
  if (message.attachments.length > 0) blocks.push(message.attachments.map(image).join('\n'))
  if (message.status === 'incomplete') blocks.push('*(The answer was stopped before it finished.)*')
  if (message.status === 'error') blocks.push(`*(Error: ${oneLine(message.error?.message ?? 'the request failed')})*`)
  return blocks
}

function heading(message: MessageRecord): string {
  if (message.role === 'user') return 'You'
  if (message.role === 'system') return 'System'
  return message.model ? `Assistant (${oneLine(message.model)})` : 'Assistant'
}

/** A collapsed block; the blank lines let Markdown inside it render. */
function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body.trim()}\n\n</details>`
}

function image(attachment: Attachment): string {
  const alt = oneLine(attachment.name).replace(/[\\[\]]/g, (char) => `\\${char}`)
  // Spaces and brackets would end the link early.
  const url = attachment.url.replace(/[ ()<>]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
  return `![${alt}](${url})`
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** UTC, so the same conversation always exports the same text. */
function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
}
