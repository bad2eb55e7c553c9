import {
  createHooklineClient,
  type EventType,
  type HooklineClient,
  ListenerRequestsDocument,
  type ListenerRequestsSubscription,
  ReportListenerResultDocument,
  StartListenerDocument,
} from '@hookline/client';
import { EVENT_TYPE_NAMES, eventTypeFromWireName } from '../event-types/event-types.ts';
import { type CliIO, json, UsageError } from './cli-context.ts';
import { parseOptions, type RunCommand, required } from './command.ts';

type ListenerRequest = ListenerRequestsSubscription['listenerRequests'];

/** As much of the local server's answer as the attempt log keeps. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * `hookline listen --forward-to <url>`: the organization's deliveries on the developer's own
 * machine, with no open port. The server keeps a LISTENER webhook for the forward address
 * (startListener), whose deliveries come over this process's WebSocket (listenerRequests)
 * signed as for any endpoint; each is POSTed to the local server as is, and its answer is
 * reported back (reportListenerResult), which the delivery log records as the attempt's.
 */
export const run: RunCommand = async (args, { config, io }) => {
  const options = parseOptions(args, {
    'forward-to': { type: 'string' },
    'api-key': { type: 'string' },
    url: { type: 'string' },
    agent: { type: 'string', multiple: true },
    events: { type: 'string' },
    json: { type: 'boolean' },
  });
  const forwardTo = localUrl(required(options['forward-to'], '--forward-to'));
  const apiKey = options['api-key'] ?? config.apiKey;
  if (!apiKey) throw new UsageError('--api-key (or HOOKLINE_API_KEY) is required: an ADMIN key');
  const url = options.url ?? `http://${config.host}:${config.port}`;
  const api = createHooklineClient({ url, apiKey });
  try {
    const { startListener } = await api.request(StartListenerDocument, {
      input: {
        forwardTo,
        agentIds: options.agent ?? null,
        events: options.events ? parseEvents(options.events) : null,
      },
    });
    const { webhook } = startListener;
    const agents = [...new Set(webhook.subscriptions.map((s) => s.agent.name))];
    if (options.json) {
      io.out(
        JSON.stringify({ webhookId: webhook.id, signingSecret: webhook.signingSecret, forwardTo }),
      );
    } else {
      io.out(`Forwarding deliveries of webhook ${webhook.id} to ${forwardTo}`);
      io.out(`Agents: ${agents.length > 0 ? agents.join(', ') : 'none yet'}`);
      io.out(`Signing secret: ${webhook.signingSecret}`);
      io.out('Ready. Ctrl-C to stop.');
    }
    return await forwardUntilStopped(api, webhook.id, forwardTo, io, options.json === true);
  } finally {
    await api.close();
  }
};

/** Forwards until Ctrl-C (0) or until the server ends the subscription with an error (1). */
async function forwardUntilStopped(
  api: HooklineClient,
  webhookId: string,
  forwardTo: string,
  io: CliIO,
  asJson: boolean,
): Promise<number> {
  const requests = api.subscribe(ListenerRequestsDocument, { webhookId });
  const inFlight = new AbortController();
  let stopping = false;
  const stop = () => {
    stopping = true;
    inFlight.abort();
    void requests.return?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for await (const { listenerRequests } of requests) {
      void forwardOne(api, listenerRequests, forwardTo, inFlight.signal).then((line) =>
        io.out(asJson ? json(line).replace(/\n\s*/g, ' ') : describe(line)),
      );
    }
    return 0;
  } catch (error) {
    if (stopping) return 0;
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (!stopping) inFlight.abort();
  }
}

interface Forwarded {
  deliveryId: string;
  status: number | null;
  error: string | null;
  accepted: boolean;
}

/** POSTs one request exactly as signed, and reports what the local server said. */
async function forwardOne(
  api: HooklineClient,
  request: ListenerRequest,
  forwardTo: string,
  signal: AbortSignal,
): Promise<Forwarded> {
  const timeoutMs = Math.max(1, new Date(request.expiresAt).getTime() - Date.now());
  let answer: { status?: number; body?: string; error?: string };
  try {
    const response = await fetch(forwardTo, {
      method: 'POST',
      headers: request.headers as Record<string, string>,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    const body = (await response.text()).slice(0, MAX_ANSWER_BYTES);
    answer = { status: response.status, body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    answer = {
      error: `${forwardTo}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    };
  }
  if (signal.aborted) {
    return { deliveryId: request.deliveryId, status: null, error: 'stopped', accepted: false };
  }
  const { reportListenerResult } = await api.request(ReportListenerResultDocument, {
    input: { requestId: request.id, ...answer },
  });
  return {
    deliveryId: request.deliveryId,
    status: answer.status ?? null,
    error: answer.error ?? null,
    accepted: reportListenerResult.accepted,
  };
}

function describe(line: Forwarded): string {
  const result = line.error ?? String(line.status);
  const late = line.accepted ? '' : ' (too late: the attempt had timed out)';
  return `${new Date().toISOString()}  ${line.deliveryId}  -> ${result}${late}`;
}

function localUrl(value: string): string {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(
      '--forward-to must be an http(s) URL, such as http://localhost:3000/webhooks',
    );
  }
  return url.href;
}

/** `--events pre-conversation,POST_CONVERSATION`: wire names or GraphQL names. */
function parseEvents(list: string): EventType[] {
  return list.split(',').map((item) => {
    const text = item.trim();
    const name = eventTypeFromWireName(text)?.name ?? text.toUpperCase().replaceAll('-', '_');
    if (!(EVENT_TYPE_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--events: unknown event type ${text}`);
    }
    return name as EventType;
  });
}
