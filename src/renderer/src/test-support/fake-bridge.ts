/**
 * An in-memory bridge for component tests: `window.api` is built with the
 * real `buildBridgeApi` over this transport, so components go through the
 * same envelope and AppError decoding as in the app.
 *
 *   const bridge = installFakeBridge()
 *   bridge.respond('key.check', { info: 'Premium key', details: {} })
 *   bridge.fail('models.list', { code: 'network', message: 'ECONNREFUSED' })
 *   bridge.emit('settings.changed', state)
 *   bridge.callsOf('settings.update') // → [{ theme: 'dark' }]
 */
import { buildBridgeApi, type BridgeTransport } from '@shared/bridge'
import { IMAGE_MODELS } from '@shared/catalog'
import type {
  ArgsOf,
  Envelope,
  EventName,
  MethodName,
  ModelList,
  PayloadOf,
  ResultOf,
  Settings,
  SettingsPatch,
  SettingsState
} from '@shared/contract'
import type { BridgeErrorData } from '@shared/errors'
import { toColumns } from '@shared/library-columns'
import { resetApiForTests } from '../lib/bridge'

type Handler<M extends MethodName> = (args: ArgsOf<M>) => Envelope<ResultOf<M>> | Promise<Envelope<ResultOf<M>>>

export interface RecordedCall {
  method: MethodName
  args: unknown
}

export const defaultSettings: Settings = {
  baseUrl: 'https://api.airforce',
  timeouts: { connectMs: 10_000, headersMs: 60_000, idleMs: 30_000 },
  proxy: { mode: 'none', url: '' },
  theme: 'system',
  defaultModels: { chat: 'gpt-4o-mini', image: 'flux', vision: 'gpt-4o', song: 'chirp-v3-5', speech: 'alex' },
  quickAskShortcut: 'CommandOrControl+Shift+Space',
  chat: { enterSends: true, showAdFooters: false },
  jobs: { concurrency: 1 },
  sound: { downloadVideo: false },
  appearance: { zoomLevel: 0, messageFontSize: 14 },
  spellcheck: { enabled: true, languages: [] },
  updates: { autoCheck: true },
  desktop: { closeToTray: true, launchAtLogin: false, quickAskHidesOnBlur: false, trayNoticeShown: false }
}

/** A set key belongs to the base URL's server unless the overrides say otherwise. */
export function makeSettingsState(overrides: {
  settings?: Partial<Settings>
  key?: Partial<SettingsState['key']>
  notice?: string | null
} = {}): SettingsState {
  const settings = { ...structuredClone(defaultSettings), ...overrides.settings }
  const set = overrides.key?.set ?? false
  return {
    settings,
    key: {
      set,
      last4: null,
      protection: 'os',
      sessionOnly: false,
      origin: set ? new URL(settings.baseUrl).origin : null,
      appliesToBaseUrl: set,
      ...overrides.key
    },
    notice: overrides.notice ?? null
  }
}

export const serverModels: ModelList = {
  models: [
    { id: 'gpt-4o-mini', ownedBy: 'openai', created: null },
    { id: 'claude-3-haiku', ownedBy: 'anthropic', created: null },
    { id: 'llama-3.1-70b-chat', ownedBy: 'meta', created: null }
  ],
  source: 'server',
  error: null
}

export class FakeBridge implements BridgeTransport {
  readonly calls: RecordedCall[] = []
  /** The settings state the default `settings.*` handlers read and write. */
  state: SettingsState

  #handlers = new Map<MethodName, Handler<MethodName>>()
  #listeners = new Map<EventName, Set<(payload: unknown) => void>>()

  constructor(state: SettingsState = makeSettingsState()) {
    this.state = state
    this.reply('settings.get', () => ok(this.state))
    this.reply('settings.update', (patch) => {
      this.state = applyPatch(this.state, patch)
      return ok(this.state)
    })
    this.reply('models.list', () => ok(structuredClone(serverModels)))
    // Screens that start with the app ask these at once; an empty library and no jobs by default.
    this.reply('jobs.list', () => ok([]))
    this.reply('jobs.queues', () => ok([]))
    this.reply('images.models', () => ok({ models: [...IMAGE_MODELS], source: 'fallback' }))
    this.reply('library.query', () => ok(toColumns({ cards: [], total: 0, models: [] })))
    this.reply('library.collections', () => ok([]))
    // The app reports its player's state for the tray at every change.
    this.reply('shell.playerState', () => ok(undefined))
    this.reply('menu.setRoute', () => ok(undefined))
    this.reply('update.state', () => ok({ status: 'idle', checkedAt: null }))
    // A host without global shortcuts, as in the browser test host.
    this.reply('shell.status', () =>
      ok({
        shortcut: { accelerator: this.state.settings.quickAskShortcut, state: 'unsupported', message: 'This desktop does not let apps register global shortcuts.', fallbackCommand: 'skyport --quick-ask' },
        launchAtLogin: { enabled: false, error: null }
      })
    )
  }

  /** Answers `method` with whatever `handler` returns (an envelope). */
  reply<M extends MethodName>(method: M, handler: Handler<M>): this {
    this.#handlers.set(method, handler as unknown as Handler<MethodName>)
    return this
  }

  /** Answers `method` with `{ ok: true, result }`, or a result computed from the arguments. */
  respond<M extends MethodName>(method: M, result: ResultOf<M> | ((args: ArgsOf<M>) => ResultOf<M>)): this {
    return this.reply(method, (args) =>
      ok(typeof result === 'function' ? (result as (args: ArgsOf<M>) => ResultOf<M>)(args) : result)
    )
  }

  /** Answers `method` with `{ ok: false, error }`. */
  fail(method: MethodName, error: BridgeErrorData): this {
    return this.reply(method, () => ({ ok: false, error }))
  }

  /** Answers `method` only when the returned `release()` is called (for busy states). */
  hold<M extends MethodName>(method: M, result: ResultOf<M>): () => void {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    this.reply(method, async () => {
      await gate
      return ok(result)
    })
    return release
  }

  emit<E extends EventName>(event: E, payload: PayloadOf<E>): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(payload)
  }

  listenerCount(event: EventName): number {
    return this.#listeners.get(event)?.size ?? 0
  }

  /** The arguments of every call to `method`, in order. */
  callsOf<M extends MethodName>(method: M): ArgsOf<M>[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args as ArgsOf<M>)
  }

  async invoke(method: MethodName, args: unknown): Promise<Envelope<unknown>> {
    this.calls.push({ method, args: args === undefined ? undefined : structuredClone(args) })
    await Promise.resolve()
    const handler = this.#handlers.get(method)
    if (!handler) return { ok: false, error: { code: 'internal', message: `The fake bridge has no answer for ${method}` } }
    return handler(args as never)
  }

  subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
    let set = this.#listeners.get(event)
    if (!set) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(listener)
    return () => set.delete(listener)
  }
}

function ok<R>(result: R): Envelope<R> {
  return { ok: true, result: structuredClone(result) }
}

function applyPatch(state: SettingsState, patch: SettingsPatch): SettingsState {
  const s = state.settings
  return {
    ...state,
    settings: {
      ...s,
      ...(patch.baseUrl !== undefined ? { baseUrl: patch.baseUrl } : {}),
      ...(patch.theme !== undefined ? { theme: patch.theme } : {}),
      ...(patch.quickAskShortcut !== undefined ? { quickAskShortcut: patch.quickAskShortcut } : {}),
      timeouts: { ...s.timeouts, ...patch.timeouts },
      proxy: { ...s.proxy, ...patch.proxy },
      defaultModels: { ...s.defaultModels, ...patch.defaultModels },
      chat: { ...s.chat, ...patch.chat },
      jobs: { ...s.jobs, ...patch.jobs },
      sound: { ...s.sound, ...patch.sound },
      appearance: { ...s.appearance, ...patch.appearance },
      spellcheck: { ...s.spellcheck, ...patch.spellcheck },
      updates: { ...s.updates, ...patch.updates },
      desktop: { ...s.desktop, ...patch.desktop }
    }
  }
}

/** Builds `window.api` over a new fake and forgets the cached bridge. */
export function installFakeBridge(state?: SettingsState): FakeBridge {
  const bridge = new FakeBridge(state)
  window.api = buildBridgeApi(bridge)
  resetApiForTests()
  return bridge
}
