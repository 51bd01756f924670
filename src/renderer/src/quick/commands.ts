/**
 * The quick window's commands: `/image <prompt>`, `/say <text>`,
 * `/song <prompt>` start the studio's jobs; anything else is a question.
 */
export type QuickCommand = { kind: 'image' | 'say' | 'song'; text: string }

export function parseCommand(input: string): QuickCommand | null {
  const match = /^\s*\/(image|say|song)(?:\s+([\s\S]*))?$/i.exec(input)
  if (!match) return null
  return { kind: (match[1] as string).toLowerCase() as QuickCommand['kind'], text: (match[2] ?? '').trim() }
}
