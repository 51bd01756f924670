/**
 * Markdown (a chat answer, say) → text a voice can read. marked's lexer gives
 * the structure, so nothing here guesses at markdown with regexes:
 * - code blocks are skipped, and a short phrase says one was;
 * - links and images keep their words (an image its alt text), never a URL;
 * - tables are read row by row as "header: cell" pairs, and a long one is
 *   only announced;
 * - math ($…$, $$…$$, \(…\), \[…\]: a lexer extension, as the chat's KaTeX
 *   rendering reads it) is skipped with a phrase, since a voice reading LaTeX
 *   source helps no one;
 * - headings, list items and quotes become sentences of their own.
 */
import { Marked, type TokenizerExtension, type Token, type Tokens } from 'marked'

export const CODE_PHRASE = 'A code block is skipped here.'
export const MATH_PHRASE = 'A formula is skipped here.'
export const TABLE_PHRASE = 'A table is skipped here.'
/** Tables with more cells than this are announced, not read. */
const MAX_TABLE_CELLS = 40

const DISPLAY_MATH = /^(?:\$\$[\s\S]+?\$\$|\\\[[\s\S]+?\\\])/
/** `$x$` needs no space inside its dollars and no digit or letter right after, so "$5 and $6" stays money. */
const INLINE_MATH = /^(?:\$\$[\s\S]+?\$\$|\\\([\s\S]+?\\\)|\\\[[\s\S]+?\\\]|\$(?!\s)[^$\n]+?(?<!\s)\$(?![\w$]))/

const mathBlock: TokenizerExtension = {
  name: 'math',
  level: 'block',
  start: (src) => /\$\$|\\\[/.exec(src)?.index,
  tokenizer: (src) => {
    const match = DISPLAY_MATH.exec(src)
    return match ? { type: 'math', raw: match[0] } : undefined
  }
}

const mathInline: TokenizerExtension = {
  name: 'math',
  level: 'inline',
  start: (src) => /\$|\\[([]/.exec(src)?.index,
  tokenizer: (src) => {
    const match = INLINE_MATH.exec(src)
    return match ? { type: 'math', raw: match[0] } : undefined
  }
}

const parser = new Marked({ gfm: true, extensions: [mathBlock, mathInline] })

/** Plain text of a markdown document, in paragraphs separated by blank lines. */
export function speakableText(markdown: string): string {
  const tokens = parser.lexer(markdown)
  return blocks(tokens)
    .map((paragraph) => paragraph.replace(/[ \t]+/g, ' ').replace(/ *\n */g, ' ').trim())
    .filter((paragraph) => paragraph !== '')
    .join('\n\n')
}

function blocks(tokens: readonly Token[]): string[] {
  const out: string[] = []
  for (const token of tokens) {
    switch (token.type) {
      case 'space':
      case 'hr':
      case 'def':
        break
      case 'code':
        out.push(CODE_PHRASE)
        break
      case 'math':
        out.push(MATH_PHRASE)
        break
      case 'heading':
        out.push(sentence(inline((token as Tokens.Heading).tokens)))
        break
      case 'paragraph':
        out.push(inline((token as Tokens.Paragraph).tokens))
        break
      case 'blockquote':
        out.push(...blocks((token as Tokens.Blockquote).tokens))
        break
      case 'list':
        for (const item of (token as Tokens.List).items) out.push(sentence(blocks(item.tokens).join(' ')))
        break
      case 'table':
        out.push(table(token as Tokens.Table))
        break
      case 'html':
        break
      case 'text': {
        const text = token as Tokens.Text
        out.push(text.tokens ? inline(text.tokens) : text.text)
        break
      }
      default:
        if ('tokens' in token && Array.isArray(token.tokens)) out.push(inline(token.tokens as Token[]))
        else if ('text' in token && typeof token.text === 'string') out.push(token.text)
    }
  }
  return out
}

function inline(tokens: readonly Token[]): string {
  let out = ''
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
      case 'escape': {
        const text = token as Tokens.Text
        out += text.tokens && text.tokens.length > 0 ? inline(text.tokens) : decodeEntities(text.text)
        break
      }
      case 'math':
        out += ` ${MATH_PHRASE} `
        break
      case 'codespan':
        out += decodeEntities((token as Tokens.Codespan).text)
        break
      case 'link':
        out += inline((token as Tokens.Link).tokens)
        break
      case 'image':
        out += (token as Tokens.Image).text
        break
      case 'strong':
      case 'em':
      case 'del':
        out += inline((token as Tokens.Strong).tokens)
        break
      case 'br':
        out += '\n'
        break
      case 'html':
        break
      default:
        if ('tokens' in token && Array.isArray(token.tokens)) out += inline(token.tokens as Token[])
        else if ('text' in token && typeof token.text === 'string') out += token.text
    }
  }
  return out
}

function table(token: Tokens.Table): string {
  if ((token.rows.length + 1) * token.header.length > MAX_TABLE_CELLS) return TABLE_PHRASE
  const headers = token.header.map((cell) => inline(cell.tokens).trim())
  const rows = token.rows.map((row) =>
    sentence(
      row
        .map((cell, index) => {
          const value = inline(cell.tokens).trim()
          const header = headers[index] ?? ''
          return header !== '' && value !== '' ? `${header}: ${value}` : value
        })
        .filter((part) => part !== '')
        .join(', ')
    )
  )
  return rows.join(' ')
}

/** Ends a line with a full stop when it has no closing punctuation, so the voice pauses. */
function sentence(text: string): string {
  const trimmed = text.trim()
  if (trimmed === '') return ''
  return /[.!?:;…]["')\]]*$/.test(trimmed) ? trimmed : `${trimmed}.`
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" }

/** marked escapes these in text tokens; a voice needs the characters. */
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
}
