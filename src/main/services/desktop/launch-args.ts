/**
 * What a launch asks for: the command line of the first or a second launch
 * (`skyport --quick-ask`, `skyport --hidden`, a `skyport://ask?q=` link on
 * Windows and Linux) and the links macOS hands over by event. Pure: the shell
 * passes argv or the URL in and acts on the answer.
 *
 * Links come from anywhere on the system (a web page can open one), so only
 * the known actions pass, the question has a length limit, and nothing here
 * can ask for a message to be sent: the question only fills the input.
 */
import { LIMITS } from '../../../shared/limits'

export const DEEP_LINK_SCHEME = 'skyport'
/** The command a person binds in the desktop's own shortcut settings when the app cannot. */
export const QUICK_ASK_COMMAND = 'skyport --quick-ask'
export const QUICK_ASK_FLAG = '--quick-ask'
/** Started at login: stay in the tray without opening the main window. */
export const HIDDEN_FLAG = '--hidden'

export type LaunchRequest =
  /** Show the quick-ask window, with a question to put in its input. */
  | { action: 'quick-ask'; question: string | null }
  /** Show the main window (a plain second launch, or a link the app does not know). */
  | { action: 'open' }
  /** Start in the tray without a window. */
  | { action: 'background' }

export interface ParsedLaunch {
  request: LaunchRequest
  /** Why part of the input was ignored, for the log; null when all of it was understood. */
  problem: string | null
}

/** C0 controls and DEL, except tab and newline, which a question may hold. */
const CONTROL_CHARACTERS = /[\x00-\x08\x0b-\x1f\x7f]/g
/** Longer than any link with an allowed question (percent-encoding triples a character; UTF-8 takes up to four bytes). */
const MAX_LINK_CHARS = LIMITS.deepLinkQuestionChars * 12 + 100

/**
 * Reads a command line. Chromium and the OS add switches of their own, and
 * the executable and app path come first, so anything not ours is ignored.
 * A link wins over `--quick-ask`: it carries the question.
 */
export function parseLaunchArgs(argv: readonly string[]): ParsedLaunch {
  const link = argv.find((arg) => arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`))
  if (link !== undefined) return parseDeepLink(link)
  if (argv.includes(QUICK_ASK_FLAG)) return { request: { action: 'quick-ask', question: null }, problem: null }
  if (argv.includes(HIDDEN_FLAG)) return { request: { action: 'background' }, problem: null }
  return { request: { action: 'open' }, problem: null }
}

/** `skyport://ask?q=…` (also `skyport:ask?q=…` and `skyport://ask/?q=…`, as some launchers write it). */
export function parseDeepLink(link: string): ParsedLaunch {
  const open = (problem: string): ParsedLaunch => ({ request: { action: 'open' }, problem })
  if (link.length > MAX_LINK_CHARS) return open(`A ${DEEP_LINK_SCHEME}: link of ${link.length} characters was ignored: too long.`)
  let url: URL
  try {
    url = new URL(link)
  } catch {
    return open(`A ${DEEP_LINK_SCHEME}: link that is not a valid address was ignored.`)
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`) return open('A link of another scheme was ignored.')
  const action = (url.host || url.pathname).replace(/^\/+|\/+$/g, '').toLowerCase()
  if (action !== 'ask') return open(`A ${DEEP_LINK_SCHEME}: link with the unknown action "${action.slice(0, 40)}" was ignored.`)

  const question = (url.searchParams.get('q') ?? '').replace(CONTROL_CHARACTERS, '').trim()
  if (question.length > LIMITS.deepLinkQuestionChars) {
    // Refused, not cut: a cut question could ask something else than was meant.
    return {
      request: { action: 'quick-ask', question: null },
      problem: `The question in a ${DEEP_LINK_SCHEME}: link was left out: ${question.length} characters, more than ${LIMITS.deepLinkQuestionChars}.`
    }
  }
  return { request: { action: 'quick-ask', question: question === '' ? null : question }, problem: null }
}
