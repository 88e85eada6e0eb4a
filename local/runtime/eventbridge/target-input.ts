/**
 * What a rule target receives: the whole event, a constant `Input`, the part of the event an `InputPath`
 * selects, or an `InputTransformer` rendering. Hand-written: the rendering rules (a placeholder inside
 * quotes takes the raw text, outside quotes a JSON value; reserved `aws.events.*` variables) are
 * EventBridge's own and no library reproduces them.
 */

export interface InputTransformer {
  readonly inputPathsMap?: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

export interface TargetInputSettings {
  /** A constant JSON text sent instead of the event (`Input` in CloudFormation). */
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
}

export interface TargetInputContext {
  readonly ruleName: string;
  readonly ruleArn: string;
  /** ISO 8601 time the bus received the event. */
  readonly ingestionTime: string;
}

/** The text EventBridge hands to the target, always a string, as the target services receive it. */
export function renderTargetInput(
  settings: TargetInputSettings,
  event: Readonly<Record<string, unknown>>,
  context: TargetInputContext,
): string {
  if (settings.input !== undefined) return settings.input;
  if (settings.inputPath !== undefined) return JSON.stringify(selectJsonPath(event, settings.inputPath) ?? null);
  if (settings.inputTransformer !== undefined) return renderInputTemplate(settings.inputTransformer, event, context);
  return JSON.stringify(event);
}

/**
 * The JSON path subset EventBridge supports: `$`, dot notation (names may contain dashes), `[n]` indices.
 * Returns `undefined` when the path leads nowhere.
 */
export function selectJsonPath(document: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`Unsupported JSON path ${path}: it must start with $`);
  const steps = path.slice(1).match(/\.[^.[\]]+|\[\d+\]/g) ?? [];
  let current: unknown = document;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = step.startsWith('[') ? Number(step.slice(1, -1)) : step.slice(1);
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function renderInputTemplate(
  transformer: InputTransformer,
  event: Readonly<Record<string, unknown>>,
  context: TargetInputContext,
): string {
  const variables = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.inputPathsMap ?? {})) {
    const value = selectJsonPath(event, path);
    // The guide: "a variable that matches a JSON path that doesn't exist in the event isn't created".
    if (value !== undefined) variables.set(name, value);
  }
  // Reserved variables, set last so that they cannot be overwritten.
  variables.set('aws.events.rule-arn', context.ruleArn);
  variables.set('aws.events.rule-name', context.ruleName);
  variables.set('aws.events.event.ingestion-time', context.ingestionTime);
  variables.set('aws.events.event', withoutDetail(event));
  variables.set('aws.events.event.json', event);

  let rendered = '';
  let insideString = false;
  const template = transformer.inputTemplate;
  for (let index = 0; index < template.length; index += 1) {
    const character = template[index] ?? '';
    if (character === '\\') {
      rendered += character + (template[index + 1] ?? '');
      index += 1;
      continue;
    }
    if (character === '"') insideString = !insideString;
    if (character === '<') {
      const close = template.indexOf('>', index);
      const name = close === -1 ? '' : template.slice(index + 1, close);
      if (/^[\w.\-]+$/.test(name)) {
        rendered += renderPlaceholder(variables.get(name), insideString);
        index = close;
        continue;
      }
    }
    rendered += character;
  }
  return rendered;
}

/**
 * Inside quotes the value goes in as raw text (EventBridge does not escape it); outside quotes it is
 * a JSON value, so a string variable arrives quoted. An absent variable renders as nothing inside a
 * string and as `null` outside, keeping a JSON template valid.
 */
function renderPlaceholder(value: unknown, insideString: boolean): string {
  if (insideString) {
    if (value === undefined) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  return JSON.stringify(value ?? null);
}

/** `<aws.events.event>` is the envelope without `detail`; `<aws.events.event.json>` is the whole event. */
function withoutDetail(event: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { detail: _detail, ...envelope } = event;
  return envelope;
}
