/**
 * Renders a small sample once while the app is idle after start. The first
 * render on a fresh page pays for compiling the markdown, math and
 * highlighting code and building their tables (measured: a 13,600-character
 * answer took 137 ms cold and 57 ms warm); doing it early moves that cost
 * off the moment a person opens a conversation.
 */
import { renderMarkdown } from './render'

const SAMPLE = [
  '## Warm-up',
  'Text with **bold**, `code`, a [link](https://example.org) and math $e^{i\\pi} + 1 = 0$.',
  '$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$',
  '| a | b |\n| - | - |\n| 1 | 2 |',
  '- [x] done\n- [ ] todo',
  '```ts\nconst answer: number = 42\nfunction greet(name: string) { return `hi ${name}` }\n```',
  '```python\ndef greet(name):\n    return f"hi {name}"\n```',
  '```bash\necho "hello" | grep h\n```'
].join('\n\n')

export function warmUpMarkdown(): void {
  renderMarkdown(SAMPLE)
}

/** Schedules the warm-up for when the window is idle (or after 2 s at the latest). */
export function warmUpMarkdownWhenIdle(): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => warmUpMarkdown(), { timeout: 2_000 })
  else setTimeout(warmUpMarkdown, 500)
}
