// The ops console: polls /_local/state every second and renders it. Plain DOM, no framework: the page
// has to work offline from the runtime alone. Every value is inserted as text, never as HTML.

const POLL_MS = 1000;

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'onclick') node.onclick = value;
    else if (value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
  return node;
}

function row(...cells) {
  return element('tr', {}, ...cells.map((cell) => element('td', {}, cell)));
}

function emptyRow(columns, text) {
  return element('tr', {}, element('td', { colspan: columns, class: 'empty' }, text));
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

function node(title, ...lines) {
  return element('div', { class: 'node' }, element('b', {}, title), ...lines.map((line) => element('div', { class: 'mono count' }, line)));
}

// Schedules are UTC, as on AWS: the next run is shown in UTC too.
function scheduleLine(schedule) {
  if (schedule.state === 'DISABLED') return `${schedule.expression} · disabled`;
  return `${schedule.expression} · next ${schedule.nextRun ? `${schedule.nextRun.slice(0, 16).replace('T', ' ')} UTC` : '—'}`;
}

function renderFlows(flows) {
  const container = document.getElementById('flows');
  container.replaceChildren(
    ...(flows.length === 0 ? [element('div', { class: 'empty' }, 'no rules in the template')] : []),
    ...flows.flatMap((flow) =>
      flow.targets.map((target) =>
        element(
          'div',
          { class: 'flow', 'data-rule': flow.rule },
          node(`rule ${flow.rule}`, flow.schedule ? scheduleLine(flow.schedule) : flow.detailTypes.join(', ') || '(any)', `delivered ${flow.delivered}`, flow.failed ? `failed ${flow.failed}` : ''),
          element('span', { class: 'arrow' }, '→'),
          target.queue
            ? node(`queue ${target.queue.name}`, `visible ${target.queue.visible} · in flight ${target.queue.inFlight}`, target.deadLetterQueue ? `DLQ ${target.deadLetterQueue.visible + target.deadLetterQueue.inFlight}` : '')
            : node(`${target.kind} target`, target.arn),
          element('span', { class: 'arrow' }, '→'),
          target.consumer
            ? node(`λ ${target.consumer.functionName}`, `invocations ${target.consumer.invocations} · errors ${target.consumer.errors}`, `running ${target.consumer.running} · avg ${target.consumer.averageMs} ms`)
            : node('(no consumer)'),
          element('span', { class: 'arrow' }, '→'),
          node('writes to', ...(target.consumer?.downstream ?? ['—'])),
        ),
      ),
    ),
  );
}

function renderQueues(queues) {
  document.getElementById('queues').replaceChildren(
    ...queues.map((queue) => {
      const depth = queue.visible + queue.inFlight + queue.delayed;
      const redrive = queue.isDeadLetterQueue
        ? element('button', { 'data-redrive': queue.name, disabled: !queue.redrivesTo || depth === 0, title: queue.redrivesTo ? `move messages back to ${queue.redrivesTo}` : 'no source queue', onclick: () => redriveQueue(queue.name) }, 'Redrive')
        : '';
      return element(
        'tr',
        { 'data-queue': queue.name },
        element('td', { class: 'mono' }, queue.name, queue.isDeadLetterQueue ? ' (DLQ)' : ''),
        element('td', { class: queue.isDeadLetterQueue && queue.visible > 0 ? 'count bad' : 'count', 'data-depth': queue.visible }, queue.visible),
        element('td', { class: 'count' }, queue.inFlight),
        element('td', { class: 'count' }, queue.delayed),
        element('td', {}, redrive),
      );
    }),
  );
}

function renderDeadLetters(deadLetters) {
  document.getElementById('dead-letters').replaceChildren(
    ...(deadLetters.length === 0
      ? [emptyRow(6, 'no dead letters')]
      : deadLetters.map((message) =>
          element(
            'tr',
            { 'data-message-id': message.messageId },
            element('td', { class: 'mono' }, message.queue),
            element('td', {}, message.detailType ?? ''),
            element('td', { class: 'bad' }, message.errorType),
            element('td', { class: 'failure-reason' }, message.failureReason),
            element('td', { class: 'mono' }, message.correlationId ?? ''),
            element('td', {}, time(message.sentAt)),
          ),
        )),
  );
}

function renderEvents(events) {
  document.getElementById('events').replaceChildren(
    ...(events.length === 0
      ? [emptyRow(5, 'no events yet')]
      : events.map((event) => row(time(event.receivedAt), event.detailType, event.subject ?? '', event.correlationId ?? '', event.matchedRules.join(', ') || '(no rule matched)'))),
  );
}

/** Which executions' states are unfolded, kept across the page's refreshes. */
const openExecutions = new Set();

function stateRows(execution) {
  return execution.states.map((state) =>
    element('tr', { 'data-state': state.name },
      element('td', {}, state.name), element('td', {}, state.type),
      element('td', { class: state.status === 'FAILED' ? 'bad' : state.status === 'SUCCEEDED' ? 'ok' : '' }, state.status + (state.retries ? ` (${state.retries} retries)` : '')),
      element('td', { class: 'mono' }, state.input), element('td', { class: 'mono' }, state.output ?? ''),
      element('td', {}, state.error ? `${state.error}: ${state.cause}` : '')));
}

function renderExecutions(executions) {
  document.getElementById('executions').replaceChildren(
    ...(executions.length === 0
      ? [emptyRow(6, 'no saga executions')]
      : executions.flatMap((execution) => {
          const open = openExecutions.has(execution.executionArn);
          const toggle = element('button', { class: 'plain', 'data-states': execution.name, onclick: () => { open ? openExecutions.delete(execution.executionArn) : openExecutions.add(execution.executionArn); refresh(); } }, open ? 'hide states' : `states (${execution.states.length})`);
          const redrive = element('button', { 'data-redrive-execution': execution.name, disabled: !execution.redrivable, title: 'continue from the state that failed', onclick: () => redriveExecution(execution.executionArn) }, 'Redrive');
          const summary = element('tr', { 'data-execution': execution.name }, element('td', {}, execution.stateMachine), element('td', { class: 'mono' }, execution.name),
            element('td', { class: execution.status === 'FAILED' ? 'bad' : execution.status === 'SUCCEEDED' ? 'ok' : '' }, execution.status + (execution.redriveCount ? ` (redriven ${execution.redriveCount}×)` : '')),
            element('td', {}, time(execution.startedAt)), element('td', {}, execution.error ? `${execution.error}: ${execution.cause ?? ''}` : ''), element('td', {}, toggle, ' ', redrive));
          if (!open) return [summary];
          const states = element('table', { class: 'states' }, element('thead', {}, row('state', 'type', 'status', 'input', 'output', 'error')), element('tbody', {}, ...stateRows(execution)));
          return [summary, element('tr', {}, element('td', { colspan: '6' }, states))];
        })),
  );
}

async function redriveExecution(executionArn) {
  const response = await fetch('/_local/executions/redrive', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ executionArn }) });
  const result = await response.json();
  if (!response.ok) alert(result.message);
  await refresh();
}

function render(state) {
  document.getElementById('stack').textContent = `${state.stack.name} · ${state.stack.region} · data in ${state.stack.dataDir}`;
  document.getElementById('odoo').textContent = `Odoo ${state.stack.odoo.url} (${state.stack.odoo.database})`;
  document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  renderFlows(state.flows);
  renderQueues(state.queues);
  renderDeadLetters(state.deadLetters);
  renderEvents(state.recentEvents);
  renderExecutions(state.executions);
  document.getElementById('webhooks').replaceChildren(...state.webhooks.map((hook) => row(hook.method, element('code', {}, hook.url), `→ λ ${hook.functionName}`)));
}

async function redriveQueue(queue) {
  const response = await fetch('/_local/redrive', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ queue }) });
  const result = await response.json();
  if (!response.ok) alert(result.message);
  await refresh();
}

async function refresh() {
  try {
    const response = await fetch('/_local/state', { cache: 'no-store' });
    render(await response.json());
  } catch (error) {
    document.getElementById('updated').textContent = `runtime unreachable (${error.message})`;
  }
}

refresh();
setInterval(refresh, POLL_MS);
