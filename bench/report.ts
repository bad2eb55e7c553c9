import type { CallSetupResults } from './scenarios/call-setup.ts';
import type { CliResults } from './scenarios/cli.ts';
import type { IsolationResults, LatencyFigures } from './scenarios/isolation.ts';
import type { ScaleOutResults } from './scenarios/scale-out.ts';
import type { SubscribersCost } from './scenarios/subscribers-cost.ts';

interface Figures {
  machine: string;
  quick: boolean;
  split: boolean;
  finishedAt: string;
  throughput: Record<string, { median: number; min: number; max: number }>;
  ratios: { pOverQ: number; pOverU: number; pOverN: number };
  latencyMs: {
    p50: number;
    p95: number;
    p99: number;
    rate: number;
    samples: number;
    acknowledged: { p50: number; p95: number; p99: number };
  };
  subscribers: SubscribersCost;
  commitsPerDelivery: number;
  ledger: { emitted: number; received: number; duplicates: number; balanced: boolean };
  isolation: IsolationResults;
  scaleOut: ScaleOutResults;
  cli: CliResults;
  callSetup: CallSetupResults;
  targets: Record<string, { target: string; met: boolean }>;
}

const NAMES: Record<string, string> = {
  P: 'P: Hookline end to end (GraphQL in, signed POST out, logged, 10 subscribers)',
  Q: 'Q: raw pg-boss (send, then work with a no-op handler)',
  U: 'U: raw undici (signed POSTs, same client settings)',
  N: 'N: naive in-memory queue (same signing and sending)',
};

const pct = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v * 1000) / 10} %`);
const mark = (met: boolean) => (met ? 'met' : 'missed');

export function renderMarkdown(f: Figures): string {
  const lines = [
    `# Hookline benchmark${f.quick ? ' (quick run)' : ''}${f.split ? ' (P as an API and a worker process)' : ''}`,
    '',
    `Machine: ${f.machine}. Finished ${f.finishedAt}.`,
    '',
    '| scenario | deliveries/s (median) | min | max |',
    '| --- | ---: | ---: | ---: |',
    ...Object.entries(f.throughput).map(
      ([k, t]) => `| ${NAMES[k]} | ${t.median} | ${t.min} | ${t.max} |`,
    ),
    '',
    '| figure | value | target |',
    '| --- | ---: | --- |',
    `| P/Q | ${f.ratios.pOverQ} | >= 0.8: ${mark(f.targets.pOverQ!.met)} |`,
    `| P/U | ${f.ratios.pOverU} | |`,
    `| P/N | ${f.ratios.pOverN} | |`,
    `| latency p50 at ${f.latencyMs.rate}/s (half of P) | ${f.latencyMs.p50} ms | <= 10 ms: ${mark(f.targets.latencyP50!.met)} |`,
    `| latency p95 | ${f.latencyMs.p95} ms | |`,
    `| latency p99 | ${f.latencyMs.p99} ms | <= 50 ms: ${mark(f.targets.latencyP99!.met)} |`,
    `| of which until emitEvent answered: p50, p99 | ${f.latencyMs.acknowledged.p50} ms, ${f.latencyMs.acknowledged.p99} ms | |`,
    ...Object.entries(f.subscribers.throughputBySubscribers).map(
      ([n, tps]) => `| P with ${subscribersCase(n)} | ${tps} deliveries/s | |`,
    ),
    `| cost of 100 subscribers in one organization | ${pct(f.subscribers.oneOrg100Cost)} | <= 10 %: ${mark(f.targets.subscribers100!.met)} |`,
    `| cost of 1,000 subscribers in one organization | ${pct(f.subscribers.oneOrg1000Cost)} | <= 50 %: ${mark(f.targets.subscribers1000!.met)} |`,
    `| cost of 1,000 subscribers over 100 organizations | ${pct(f.subscribers.hundredOrgs1000Cost)} | <= 10 %: ${mark(f.targets.subscribersHundredOrgs!.met)} |`,
    `| PostgreSQL commits per delivery | ${f.commitsPerDelivery} | <= 3: ${mark(f.targets.commitsPerDelivery!.met)} |`,
    `| ledger | ${f.ledger.received} of ${f.ledger.emitted} received, ${f.ledger.duplicates} duplicates | ${f.ledger.balanced ? 'balanced' : 'VOID'} |`,
    '',
    ...isolationTable(f.isolation, f.targets),
    `Scale-out: one API process and 1 or 2 worker processes (default concurrency) drain ${f.scaleOut.settings.deliveriesPerRound} deliveries to ${f.scaleOut.settings.endpoints} endpoints answering in ${f.scaleOut.settings.answerMs} ms (median of ${f.scaleOut.settings.rounds} rounds each).`,
    '',
    '| workers | deliveries/s |',
    '| --- | ---: |',
    `| 1 | ${f.scaleOut.oneWorkerPerSecond} |`,
    `| 2 | ${f.scaleOut.twoWorkersPerSecond} |`,
    `| ratio | ${f.scaleOut.ratio} (target >= 1.8: ${mark(f.targets.scaleOutRatio!.met)}) |`,
    '',
    `CLI beside a running embedded server: \`hookline create-org\` answers in ${f.cli.commandMs.p50} ms (median of ${f.cli.runs}; slowest ${f.cli.commandMs.max} ms; target < 2 s: ${mark(f.targets.cliCommand!.met)}).`,
    '',
    ...callSetupTable(f.callSetup, f.targets),
  ];
  return lines.join('\n');
}

/** "100" is 100 subscribers in P's organization; "100x10" is P spread over 100 organizations with 10 each. */
function subscribersCase(name: string): string {
  const [organizations, each] = name.split('x');
  if (each === undefined) return `${name} subscribers`;
  return `its load spread over ${organizations} organizations, ${each} subscribers each`;
}

function isolationTable(i: IsolationResults, targets: Figures['targets']): string[] {
  const row = (name: string, c: LatencyFigures & { ratioP99?: number }, extra = '') =>
    `| ${name} | ${c.p50Ms} | ${c.p95Ms} | ${c.p99Ms} | ${c.ratioP99 ?? ''} | ${c.acknowledgedP50Ms} | ${extra} |`;
  return [
    `Noisy neighbour: organization B's healthy endpoint, ${i.settings.ratePerSecond} events/s for ${i.settings.seconds} s per case, event-to-receipt latency in ms (each case on a fresh Hookline, default settings, retry schedule 5,10,20).`,
    '',
    '| case | B p50 | B p95 | B p99 | p99 / alone | emitEvent answered p50 | |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    row('(a) B alone', i.baseline),
    row(`(b) A's endpoint hangs, ${i.settings.queued} queued`, i.hang),
    row(`(c) A's endpoint answers 500 after 2 s, ${i.settings.queued} queued`, i.error500),
    row(
      `(d) A has ${i.settings.backlog} deliveries queued to 10 endpoints answering in 200 ms`,
      i.backlog,
      `A drained ${i.backlog.drainPerSecond}/s meanwhile`,
    ),
    row("(e) B's events also go to a dead endpoint of B's", i.fanOut),
    '',
    `Every ratio <= 2: ${mark(targets.isolationRatio!.met)}. B's p99 <= 1 s in every case: ${mark(targets.isolationP99!.met)}.`,
    '',
  ];
}

function callSetupTable(c: CallSetupResults, targets: Figures['targets']): string[] {
  return [
    `Call setups: ${c.ratePerSecond} requestCallSetup a second against a responder answering in 20 ms; overhead = the answer's time as the caller sees it less the responder's own time (a fresh Hookline, default settings).`,
    '',
    '| figure | value | target |',
    '| --- | ---: | --- |',
    `| overhead p50 | ${c.overheadMs.p50} ms | |`,
    `| overhead p99 | ${c.overheadMs.p99} ms | <= 10 ms: ${mark(targets.callSetupOverhead!.met)} |`,
    `| a hanging responder, deadline ${c.hanging.deadlineMs} ms: answered p99 | ${c.hanging.answerMsP99} ms | <= ${c.hanging.deadlineMs + 50} ms: ${mark(targets.callSetupHanging!.met)} |`,
    `| overhead p99 while another organization's endpoint hangs with 2,000 queued | ${c.underNoisyNeighbour.overheadMsP99} ms | <= 10 ms: ${mark(targets.callSetupNoisy!.met)} |`,
    '',
  ];
}
