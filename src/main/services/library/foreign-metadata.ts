/**
 * Settings other image tools embed in their PNGs, read so their users keep
 * their history when they import a folder:
 * - A1111 (and Forge, SD.Next…): `parameters`, the infotext (prompt, an
 *   optional "Negative prompt:" part, then a line of `Key: value` pairs);
 * - Fooocus: `parameters` as JSON (its own scheme, with `fooocus_scheme`) or
 *   as A1111 infotext with `Version: Fooocus …`;
 * - InvokeAI: `invokeai_metadata` (JSON), and `sd-metadata` of version 2;
 * - ComfyUI: `prompt` (the graph as run) or `workflow` (the editor's graph):
 *   the positive text is the text encoder reached from the sampler's positive
 *   input, the seed the sampler's (or the node feeding it), the model the
 *   checkpoint loader reached from the sampler's model input.
 * Every value comes from a file and is checked; nothing here throws.
 */
import { isRecord } from '../../../shared/is-record'
import type { TextChunk } from './png-metadata'

export type ForeignTool = 'A1111' | 'Fooocus' | 'InvokeAI' | 'ComfyUI'

export interface ForeignSettings {
  tool: ForeignTool
  prompt: string
  negativePrompt: string
  model: string | null
  /** A number when it is a safe integer; ComfyUI seeds go up to 2^64 and stay exact as text. */
  seed: number | string | null
  /** Every other setting the tool wrote, by its own names, for the details panel. */
  params: Record<string, string | number | boolean>
}

const MAX_PROMPT_CHARS = 100_000
const MAX_PARAM_CHARS = 2_000
const MAX_PARAMS = 100
/** Bounds the walk through a hostile or looping graph. */
const MAX_GRAPH_STEPS = 500

export function readForeignSettings(texts: readonly TextChunk[]): ForeignSettings | null {
  const chunk = (keyword: string): string | null => texts.find((text) => text.keyword === keyword)?.text ?? null
  const invoke = chunk('invokeai_metadata')
  if (invoke !== null) {
    const found = fromInvokeAi(invoke)
    if (found) return found
  }
  const invokeV2 = chunk('sd-metadata')
  if (invokeV2 !== null) {
    const found = fromInvokeAiV2(invokeV2)
    if (found) return found
  }
  const parameters = chunk('parameters')
  if (parameters !== null) {
    const found = fromParameters(parameters, chunk('fooocus_scheme'))
    if (found) return found
  }
  const comfyPrompt = chunk('prompt')
  if (comfyPrompt !== null) {
    const graph = parseJson(comfyPrompt)
    const found = isRecord(graph) ? fromComfyGraph(apiGraph(graph)) : null
    if (found) return found
  }
  const workflow = chunk('workflow')
  if (workflow !== null) {
    const graph = parseJson(workflow)
    const found = isRecord(graph) ? fromComfyGraph(editorGraph(graph)) : null
    if (found) return found
  }
  return null
}

// ------------------------------------------------------------------ A1111 and Fooocus

/** A1111's own pattern for one `Key: value` pair (values may be JSON-quoted). */
const PARAM_PAIR = /\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g

function fromParameters(text: string, fooocusScheme: string | null): ForeignSettings | null {
  const json = parseJson(text)
  if (isRecord(json)) return fromFooocusJson(json)
  if (fooocusScheme === 'fooocus') return null
  const parsed = parseA1111(text)
  if (parsed === null) return null
  const version = String(parsed.params['Version'] ?? '')
  const fooocus = fooocusScheme === 'a1111' || /^Fooocus\b/i.test(version)
  // Fooocus writes the prompt with its styles applied, and the typed one as "Raw prompt".
  const raw = parsed.params['Raw prompt']
  const rawNegative = parsed.params['Raw negative prompt']
  return {
    tool: fooocus ? 'Fooocus' : 'A1111',
    prompt: fooocus && typeof raw === 'string' && raw !== '' ? raw : parsed.prompt,
    negativePrompt: fooocus && typeof rawNegative === 'string' ? rawNegative : parsed.negativePrompt,
    model: textOrNull(parsed.params['Model']),
    seed: seedOf(parsed.params['Seed']),
    params: omit(parsed.params, ['Seed', 'Model', 'Raw prompt', 'Raw negative prompt'])
  }
}

/** A1111's parse_generation_parameters: the last line holds the pairs when it has at least three. */
export function parseA1111(text: string): { prompt: string; negativePrompt: string; params: Record<string, string> } | null {
  const lines = text.replace(/\r\n?/g, '\n').trim().split('\n')
  let last = lines.pop() ?? ''
  if ([...last.matchAll(PARAM_PAIR)].length < 3) {
    lines.push(last)
    last = ''
  }
  let prompt = ''
  let negative = ''
  let inNegative = false
  for (const rawLine of lines) {
    let line = rawLine.trim()
    if (line.startsWith('Negative prompt:')) {
      inNegative = true
      line = line.slice('Negative prompt:'.length).trim()
    }
    if (inNegative) negative += (negative === '' ? '' : '\n') + line
    else prompt += (prompt === '' ? '' : '\n') + line
  }
  const params: Record<string, string> = {}
  let count = 0
  for (const match of last.matchAll(PARAM_PAIR)) {
    const key = (match[1] ?? '').trim()
    let value = (match[2] ?? '').trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      const unquoted = parseJson(value)
      value = typeof unquoted === 'string' ? unquoted : value.slice(1, -1)
    }
    if (key !== '' && count++ < MAX_PARAMS && !Object.hasOwn(params, key)) params[key] = value.slice(0, MAX_PARAM_CHARS)
  }
  if (prompt === '' && Object.keys(params).length === 0) return null
  return { prompt: prompt.slice(0, MAX_PROMPT_CHARS), negativePrompt: negative.slice(0, MAX_PROMPT_CHARS), params }
}

function fromFooocusJson(json: Record<string, unknown>): ForeignSettings | null {
  const prompt = textOrNull(json.prompt)
  if (prompt === null && textOrNull(json.base_model) === null) return null
  return {
    tool: 'Fooocus',
    prompt: (prompt ?? '').slice(0, MAX_PROMPT_CHARS),
    negativePrompt: (textOrNull(json.negative_prompt) ?? '').slice(0, MAX_PROMPT_CHARS),
    model: textOrNull(json.base_model),
    seed: seedOf(json.seed),
    params: scalars(omit(json, ['prompt', 'negative_prompt', 'base_model', 'seed', 'full_prompt', 'full_negative_prompt']))
  }
}

// ------------------------------------------------------------------ InvokeAI

function fromInvokeAi(text: string): ForeignSettings | null {
  const json = parseJson(text)
  if (!isRecord(json)) return null
  const prompt = textOrNull(json.positive_prompt)
  const model = isRecord(json.model) ? (textOrNull(json.model.name) ?? textOrNull(json.model.model_name)) : textOrNull(json.model)
  if (prompt === null && model === null) return null
  return {
    tool: 'InvokeAI',
    prompt: (prompt ?? '').slice(0, MAX_PROMPT_CHARS),
    negativePrompt: (textOrNull(json.negative_prompt) ?? '').slice(0, MAX_PROMPT_CHARS),
    model,
    seed: seedOf(json.seed),
    params: scalars(omit(json, ['positive_prompt', 'negative_prompt', 'model', 'seed']))
  }
}

/** InvokeAI 2.x: `{"model_weights": …, "image": {"prompt": [{"prompt": …}] | "…", "seed": …}}`. */
function fromInvokeAiV2(text: string): ForeignSettings | null {
  const json = parseJson(text)
  if (!isRecord(json) || !isRecord(json.image)) return null
  const image = json.image
  const prompt = Array.isArray(image.prompt)
    ? image.prompt
        .map((part) => (isRecord(part) ? textOrNull(part.prompt) : null))
        .filter((part): part is string => part !== null)
        .join(' ')
    : (textOrNull(image.prompt) ?? '')
  if (prompt === '') return null
  return {
    tool: 'InvokeAI',
    prompt: prompt.slice(0, MAX_PROMPT_CHARS),
    negativePrompt: '',
    model: textOrNull(json.model_weights),
    seed: seedOf(image.seed),
    params: scalars(omit(image, ['prompt', 'seed']))
  }
}

// ------------------------------------------------------------------ ComfyUI

/** A node's inputs by name: a value, or a link to another node's output. */
interface GraphNode {
  type: string
  inputs: Record<string, unknown>
}
type Graph = Map<string, GraphNode>
type Link = readonly [string, number]

/** `prompt`: `{"3": {"class_type": "KSampler", "inputs": {"seed": 1, "positive": ["6", 0]}}}`. */
function apiGraph(json: Record<string, unknown>): Graph {
  const graph: Graph = new Map()
  for (const [id, node] of Object.entries(json)) {
    if (isRecord(node) && typeof node.class_type === 'string' && isRecord(node.inputs)) graph.set(id, { type: node.class_type, inputs: node.inputs })
  }
  return graph
}

/**
 * Widget values of the editor's graph are a list by position; these are the
 * positions of the core nodes the search reads. Other nodes keep their links.
 */
const WIDGET_NAMES: Record<string, readonly string[]> = {
  CLIPTextEncode: ['text'],
  CLIPTextEncodeSDXL: ['width', 'height', 'crop_w', 'crop_h', 'target_width', 'target_height', 'text_g', 'text_l'],
  CLIPTextEncodeFlux: ['clip_l', 't5xxl', 'guidance'],
  KSampler: ['seed', 'control_after_generate', 'steps', 'cfg', 'sampler_name', 'scheduler', 'denoise'],
  KSamplerAdvanced: ['add_noise', 'noise_seed', 'control_after_generate', 'steps', 'cfg', 'sampler_name', 'scheduler', 'start_at_step', 'end_at_step', 'return_with_leftover_noise'],
  RandomNoise: ['noise_seed', 'control_after_generate'],
  CheckpointLoaderSimple: ['ckpt_name'],
  UNETLoader: ['unet_name', 'weight_dtype'],
  PrimitiveNode: ['value', 'control_after_generate'],
  EmptyLatentImage: ['width', 'height', 'batch_size']
}

/** `workflow`: `{"nodes": [{"id": 3, "type": "KSampler", "inputs": [{"name": "positive", "link": 4}], "widgets_values": […]}], "links": [[4, 6, 0, 3, 1, "CONDITIONING"]]}`. */
function editorGraph(json: Record<string, unknown>): Graph {
  const graph: Graph = new Map()
  const links = new Map<number, Link>()
  if (Array.isArray(json.links)) {
    for (const link of json.links) {
      // [id, from node, from slot, to node, to slot, type]
      if (Array.isArray(link) && typeof link[0] === 'number' && (typeof link[1] === 'number' || typeof link[1] === 'string')) {
        links.set(link[0], [String(link[1]), typeof link[2] === 'number' ? link[2] : 0])
      }
    }
  }
  if (!Array.isArray(json.nodes)) return graph
  for (const node of json.nodes) {
    if (!isRecord(node) || typeof node.type !== 'string' || (typeof node.id !== 'number' && typeof node.id !== 'string')) continue
    const inputs: Record<string, unknown> = {}
    const widgets = node.widgets_values
    if (Array.isArray(widgets)) {
      const names = WIDGET_NAMES[node.type] ?? []
      names.forEach((name, index) => {
        if (index < widgets.length) inputs[name] = widgets[index]
      })
    } else if (isRecord(widgets)) {
      Object.assign(inputs, widgets)
    }
    if (Array.isArray(node.inputs)) {
      for (const input of node.inputs) {
        if (!isRecord(input) || typeof input.name !== 'string' || typeof input.link !== 'number') continue
        const link = links.get(input.link)
        if (link) inputs[input.name] = link
      }
    }
    graph.set(String(node.id), { type: node.type, inputs })
  }
  return graph
}

function isLink(value: unknown): value is Link {
  return Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'number'
}

function linked(graph: Graph, value: unknown): GraphNode | null {
  return isLink(value) ? (graph.get(String(value[0])) ?? null) : null
}

const SAMPLER = /KSampler|SamplerCustom/i
const TEXT_INPUTS = ['text', 'text_g', 't5xxl', 'clip_l', 'text_l', 'prompt', 'positive', 'string', 'value', 'text_positive']
/** Inputs that carry the positive conditioning towards a sampler (never `negative`). */
const CONDITIONING_INPUTS = ['positive', 'guider', 'conditioning', 'conditioning_1', 'conditioning_2', 'conditioning_to', 'conditioning_from', 'base_positive']

function fromComfyGraph(graph: Graph): ForeignSettings | null {
  // The first sampler by node id: the base pass when a workflow refines in a second one.
  const samplers = [...graph.entries()].filter(([, node]) => SAMPLER.test(node.type)).sort(([a], [b]) => compareIds(a, b))
  const sampler = samplers[0]?.[1]
  if (!sampler) return null
  const prompt = positiveText(graph, sampler)
  const negative = textReachedFrom(graph, sampler.inputs.negative)
  const model = modelName(graph, sampler)
  const seed = samplerSeed(graph, sampler)
  if (prompt === null && model === null && seed === null) return null
  const params: Record<string, string | number | boolean> = { sampler: sampler.type }
  for (const key of ['steps', 'cfg', 'sampler_name', 'scheduler', 'denoise']) {
    const value = sampler.inputs[key]
    if (typeof value === 'string' || typeof value === 'number') params[key] = value
  }
  return { tool: 'ComfyUI', prompt: (prompt ?? '').slice(0, MAX_PROMPT_CHARS), negativePrompt: (negative ?? '').slice(0, MAX_PROMPT_CHARS), model, seed, params }
}

function compareIds(a: string, b: string): number {
  const numeric = Number(a) - Number(b)
  return Number.isNaN(numeric) ? a.localeCompare(b) : numeric
}

function positiveText(graph: Graph, sampler: GraphNode): string | null {
  for (const name of ['positive', 'guider', 'conditioning']) {
    const found = textReachedFrom(graph, sampler.inputs[name])
    if (found !== null) return found
  }
  return null
}

/** Breadth first from a link: the first node holding text is the prompt's encoder. */
function textReachedFrom(graph: Graph, start: unknown): string | null {
  const queue: GraphNode[] = []
  const first = linked(graph, start)
  if (first) queue.push(first)
  const seen = new Set<GraphNode>()
  for (let steps = 0; queue.length > 0 && steps < MAX_GRAPH_STEPS; steps++) {
    const node = queue.shift()!
    if (seen.has(node)) continue
    seen.add(node)
    const text = ownText(graph, node)
    if (text !== null) return text
    for (const name of CONDITIONING_INPUTS) {
      const next = linked(graph, node.inputs[name])
      if (next) queue.push(next)
    }
  }
  return null
}

/** A text input as a value, or fed by a text node (a primitive, a string node) one link away. */
function ownText(graph: Graph, node: GraphNode): string | null {
  if (!/TextEncode|Prompt|String|Text|Primitive/i.test(node.type)) return null
  for (const name of TEXT_INPUTS) {
    const value = node.inputs[name]
    if (typeof value === 'string' && value.trim() !== '') return value
    const source = linked(graph, value)
    if (source) {
      for (const inner of TEXT_INPUTS) {
        const text = source.inputs[inner]
        if (typeof text === 'string' && text.trim() !== '') return text
      }
    }
  }
  return null
}

function samplerSeed(graph: Graph, sampler: GraphNode): number | string | null {
  for (const name of ['seed', 'noise_seed']) {
    const value = sampler.inputs[name]
    const direct = seedOf(value)
    if (direct !== null) return direct
    const source = linked(graph, value)
    if (source) {
      for (const inner of ['seed', 'noise_seed', 'value', 'int', 'number']) {
        const found = seedOf(source.inputs[inner])
        if (found !== null) return found
      }
    }
  }
  // SamplerCustomAdvanced takes its seed from a noise node.
  const noise = linked(graph, sampler.inputs.noise)
  return noise ? seedOf(noise.inputs.noise_seed ?? noise.inputs.seed) : null
}

function modelName(graph: Graph, sampler: GraphNode): string | null {
  let node = linked(graph, sampler.inputs.model)
  // Follow the model through LoRA loaders and patches to its loader.
  for (let steps = 0; node && steps < MAX_GRAPH_STEPS; steps++) {
    const name = loaderName(node)
    if (name !== null) return name
    node = linked(graph, node.inputs.model)
  }
  for (const candidate of graph.values()) {
    if (/Checkpoint|UNETLoader/i.test(candidate.type)) {
      const name = loaderName(candidate)
      if (name !== null) return name
    }
  }
  return null
}

function loaderName(node: GraphNode): string | null {
  const file = textOrNull(node.inputs.ckpt_name) ?? textOrNull(node.inputs.unet_name) ?? textOrNull(node.inputs.model_name)
  // "SDXL/juggernaut.safetensors" → "juggernaut", as A1111 names models.
  return file === null ? null : (file.split(/[\\/]/).pop() ?? file).replace(/\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i, '')
}

// ------------------------------------------------------------------ helpers

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, MAX_PARAM_CHARS) : null
}

function seedOf(value: unknown): number | string | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return Number.isSafeInteger(value) ? value : null
  if (typeof value === 'string' && /^\d{1,20}$/.test(value.trim())) {
    const number = Number(value.trim())
    return Number.isSafeInteger(number) ? number : value.trim()
  }
  return null
}

function omit<T>(record: Record<string, T>, keys: readonly string[]): Record<string, T> {
  const out: Record<string, T> = {}
  for (const [key, value] of Object.entries(record)) if (!keys.includes(key)) out[key] = value
  return out
}

/** The scalar settings, each cut short; nested values (LoRA lists, graphs) as compact JSON. */
function scalars(record: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(record).slice(0, MAX_PARAMS)) {
    if (typeof value === 'string') out[key] = value.slice(0, MAX_PARAM_CHARS)
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value
    else if (value !== null && value !== undefined) out[key] = JSON.stringify(value).slice(0, MAX_PARAM_CHARS)
  }
  return out
}
