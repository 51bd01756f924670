/**
 * Markdown → the words a person reads, for search snippets: `**bold**`,
 * `# heading`, `[link](url)`, code fences and table pipes would otherwise show
 * as syntax in a one-line snippet. marked's lexer does the parsing (the same
 * library the window renders answers with); this only walks its tokens.
 */
import { Lexer, type Token, type Tokens } from 'marked'

/** Snippets only look at the start of a huge message; parsing stops there too. */
const MAX_CHARS = 100_000

export function markdownToPlainText(markdown: string): string {
  const out: string[] = []
  walk(Lexer.lex(markdown.length > MAX_CHARS ? markdown.slice(0, MAX_CHARS) : markdown, { gfm: true }), out)
  return out.join('').replace(/\s+/g, ' ').trim()
}

function walk(tokens: readonly Token[], out: string[]): void {
  for (const token of tokens) {
    switch (token.type) {
      case 'space':
      case 'hr':
      case 'br':
        out.push(' ')
        break
      case 'code':
        out.push(' ', (token as Tokens.Code).text, ' ')
        break
      case 'codespan':
        out.push((token as Tokens.Codespan).text)
        break
      case 'html':
        // Raw HTML in an answer: its tags are syntax, its text is not.
        out.push(token.raw.replace(/<[^>]*>/g, ' '))
        break
      case 'image':
        out.push((token as Tokens.Image).text)
        break
      case 'list':
        for (const item of (token as Tokens.List).items) {
          walk(item.tokens, out)
          out.push(' ')
        }
        break
      case 'table': {
        const table = token as Tokens.Table
        for (const cell of [...table.header, ...table.rows.flat()]) {
          walk(cell.tokens, out)
          out.push(' ')
        }
        break
      }
      default:
        if ('tokens' in token && Array.isArray(token.tokens)) walk(token.tokens, out)
        else if ('text' in token && typeof token.text === 'string') out.push(token.text)
        if (token.type === 'heading' || token.type === 'paragraph' || token.type === 'blockquote') out.push(' ')
    }
  }
}
