// The server's HTTP API (crates/nnlab-serve/API.md), one function per endpoint.
// Every failure becomes an Error whose message is what the learner should read.

async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Error('Cannot reach the nnlab server. Is `nnlab serve` still running?');
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    // The server explains every 4xx as {"error": "..."}; anything else gets a plain description.
    const said = data && typeof data.error === 'string' ? data.error : text.trim().slice(0, 200);
    throw new Error(said || `The server answered ${response.status} to ${method} ${path}.`);
  }
  return data;
}

const session = (id) => `/api/sessions/${encodeURIComponent(id)}`;

export const api = {
  /** The choices, limits and presets the page offers. */
  options: () => call('GET', '/api/options'),
  /** A new session (paused at epoch 0) from a config, with own data as CSV text if given. */
  create: (config, csv) => call('POST', '/api/sessions', csv ? { config, csv } : { config }),
  remove: (id) => call('DELETE', session(id)),
  /** play, pause, step ({epochs}) or reset: answers {state, epoch}. */
  control: (id, action, body) => call('POST', `${session(id)}/${action}`, body),
  /** A new learning rate from the next epoch on. */
  lr: (id, lr) => call('POST', `${session(id)}/lr`, { lr }),
  /** One neuron's numbers in the next full-batch step (layer 0: the first after the inputs). */
  backprop: (id, layer, unit) => call('GET', `${session(id)}/backprop?layer=${layer}&unit=${unit}`),
  /** The output map every `stride` epochs since epoch 0: {stride, frames: [{epoch, map}]}. */
  timeline: (id) => call('GET', `${session(id)}/timeline`),
  eventsUrl: (id) => `${session(id)}/events`,
  fileUrl: (id, name) => `${session(id)}/files/${name}`,
};
