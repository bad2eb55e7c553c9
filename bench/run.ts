import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_URL, createTestDatabase } from '../test/support/database.ts';
import { committedTransactions, STATS_SETTLE_MS } from './commits.ts';
import { describeMachine } from './machine.ts';
import { startBenchReceiver } from './receiver.ts';
import { renderMarkdown } from './report.ts';
import { runCallSetup } from './scenarios/call-setup.ts';
import { runCliTimings } from './scenarios/cli.ts';
import { startHooklineUnderTest } from './scenarios/hookline.ts';
import { runIsolation } from './scenarios/isolation.ts';
import { runNaive } from './scenarios/naive.ts';
import { startRawQueue } from './scenarios/pgboss.ts';
import { runScaleOut } from './scenarios/scale-out.ts';
import { runSubscribersCost } from './scenarios/subscribers-cost.ts';
import { throughput } from './scenarios/types.ts';
import { runUndici } from './scenarios/undici.ts';
import { percentile, round, summarize } from './stats.ts';

/**
 * `npm run bench [-- --quick]`: Hookline end to end (P) beside raw pg-boss (Q), raw undici (U)
 * and a naive in-memory peer (N), on this machine, in one run, interleaved so that drift and
 * noise hit all four alike. The figures that matter are the ratios.
 */
const quick = process.argv.includes('--quick');
// `--split`: P runs as an API process and a worker process (HOOKLINE_ROLE), as deployed at scale.
const split = process.argv.includes('--split');
// `--only subscribers`: only what live subscribers cost P (its figures go to the local folder).
const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : undefined;
if (only !== undefined && only !== 'subscribers') {
  throw new Error(`--only takes "subscribers", not ${JSON.stringify(only)}`);
}
const variant = [quick ? '-quick' : '', split ? '-split' : '', only ? `-${only}` : ''].join('');
const RESULTS = join(import.meta.dirname, 'results');
// Only a full run's figures are kept in git (latest.*, whose history is the runs' history); quick
// and split runs, and profiles, go to a folder git ignores.
const LOCAL_RESULTS = join(RESULTS, 'local');
// `--profile`: the Hookline process writes a V8 CPU profile (open it in Chrome's DevTools) here.
const profileDir = process.argv.includes('--profile') ? join(LOCAL_RESULTS, 'profiles') : undefined;
const settings = quick
  ? {
      rounds: 2,
      count: 300,
      concurrency: 64,
      latencySeconds: 4,
      subscribers: {
        count: 300,
        concurrency: 64,
        rounds: 1,
        oneOrgCounts: [0, 100, 1_000],
        organizations: 100,
        perOrganization: 10,
      },
      isolationSeconds: 10,
      isolationBacklog: 5_000,
      scaleOutRounds: 1,
      scaleOutEvents: 150,
      cliRuns: 3,
      callSetupSeconds: 5,
    }
  : {
      // Rounds of a few seconds each, and enough of them that the median holds when a neighbour
      // on a shared machine takes a core for a moment (single rounds vary by ±20 % here).
      rounds: 7,
      count: 3_000,
      concurrency: 64,
      latencySeconds: 15,
      // P alone, with 100 and 1,000 subscribers in its organization, then spread over 100
      // organizations with and without 10 subscribers each.
      subscribers: {
        count: 3_000,
        concurrency: 64,
        rounds: 2,
        oneOrgCounts: [0, 100, 1_000],
        organizations: 100,
        perOrganization: 10,
      },
      // 2 events a second for this long per case: enough samples for a p99 worth the name.
      isolationSeconds: 60,
      isolationBacklog: 20_000,
      // Rounds of 1 and 2 workers, alternating; each drains this many events × 20 endpoints.
      scaleOutRounds: 3,
      scaleOutEvents: 500,
      cliRuns: 7,
      // 100 call setups a second for this long, alone and beside the noisy neighbour.
      callSetupSeconds: 30,
    };
const log = (message: string) => process.stdout.write(`${message}\n`);

const database = await createTestDatabase('bench');
const receiver = await startBenchReceiver();
const machine = await describeMachine(database.url);
log(
  `bench ${quick ? '(quick) ' : ''}${split ? '(P split into api and worker) ' : ''}on ${machine.cpu} x${machine.cores}, ${machine.node}, ${machine.postgres}`,
);

const hookline = await startHooklineUnderTest(database.url, receiver.url, { profileDir, split });
const rawQueue = await startRawQueue(database.url);
let pEmitted = 0;

try {
  if (only === 'subscribers') await subscribersOnly();
  else await everything();
} finally {
  await hookline.stop().catch(() => {});
  await rawQueue.stop().catch(() => {});
  await receiver.close();
  await database.drop();
}

function summarizePercentiles(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
  };
}

/** `--only subscribers`: P warmed up, then only the subscribers' cost. */
async function subscribersOnly() {
  await hookline.run(receiver, 'warm_p', 200, settings.concurrency);
  const { results: subscribers } = await runSubscribersCost(
    hookline,
    receiver,
    settings.subscribers,
    log,
  );
  const results = {
    machine: `${machine.cpu} x${machine.cores}, ${machine.memoryGiB} GiB, ${machine.os}, ${machine.node}, ${machine.postgres}`,
    quick,
    finishedAt: new Date().toISOString(),
    settings: settings.subscribers,
    subscribers,
  };
  const name = `${results.finishedAt.replace(/[:.]/g, '-')}${variant}`;
  mkdirSync(LOCAL_RESULTS, { recursive: true });
  writeFileSync(join(LOCAL_RESULTS, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  log(`results: ${join(LOCAL_RESULTS, name)}.json`);
  log(JSON.stringify(subscribers, null, 2));
}

async function everything() {
  // Ten live subscribers watch P throughout, as an operator's dashboard would.
  const watchers = await hookline.attachSubscribers(10);

  log('warming up');
  await hookline.run(receiver, 'warm_p', 200, settings.concurrency);
  pEmitted += 200;
  await rawQueue.run('warm_q', 200, settings.concurrency);
  await runUndici(receiver, 'warm_u', 200, settings.concurrency);
  await runNaive(receiver, 'warm_n', 200, settings.concurrency);

  const samples: Record<'P' | 'Q' | 'U' | 'N', number[]> = { P: [], Q: [], U: [], N: [] };
  const scenarios = {
    P: (tag: string) => hookline.run(receiver, tag, settings.count, settings.concurrency),
    Q: (tag: string) => rawQueue.run(tag, settings.count, settings.concurrency),
    U: (tag: string) => runUndici(receiver, tag, settings.count, settings.concurrency),
    N: (tag: string) => runNaive(receiver, tag, settings.count, settings.concurrency),
  };
  for (let r = 0; r < settings.rounds; r++) {
    const order = (['P', 'Q', 'U', 'N'] as const).map((_, i, all) => all[(i + r) % all.length]!);
    for (const name of order) {
      const result = await scenarios[name](`${name.toLowerCase()}_${r}`);
      if (name === 'P') pEmitted += result.count;
      samples[name].push(throughput(result));
      log(
        `round ${r + 1}/${settings.rounds} ${name}: ${Math.round(throughput(result))} deliveries/s`,
      );
    }
  }
  await rawQueue.stop();

  // Commits per delivery: a P-only window, read once the statistics have settled.
  log('measuring commits per delivery');
  await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
  const commitsBefore = await committedTransactions(ADMIN_URL, database.name);
  await hookline.run(receiver, 'commits', settings.count, settings.concurrency);
  pEmitted += settings.count;
  await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
  const commitsAfter = await committedTransactions(ADMIN_URL, database.name);
  const commitsPerDelivery = (commitsAfter - commitsBefore) / settings.count;

  // Latency: open loop at half of P's capacity, timed from each event's scheduled moment.
  const pSummary = summarize(samples.P);
  const rate = pSummary.median / 2;
  log(`measuring latency at ${Math.round(rate)} events/s (open loop)`);
  const scheduled = new Map<string, number>();
  const latencies: number[] = [];
  // When emitEvent answered, from the same scheduled moment: the part of the latency that is
  // the ingest (the rest is the wake-up, the worker's fetch and the request out).
  const acknowledged: number[] = [];
  const previous = receiver.onArrival;
  receiver.onArrival = (_id, callId, at) => {
    const due = callId ? scheduled.get(callId) : undefined;
    if (due !== undefined) latencies.push(at - due);
  };
  const total = Math.round(rate * settings.latencySeconds);
  const start = performance.now() + 50;
  const inFlight: Promise<void>[] = [];
  // Sleeps until the next event is due, then sends every event that is due: no busy wait, which
  // would take a core's worth of time from the machine under test. A timer that fires late makes
  // the events late, and that lateness counts against Hookline (the latency is from `due`).
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const callId = `lat_${i}`;
    scheduled.set(callId, due);
    inFlight.push(
      hookline.emit(callId).then(() => {
        acknowledged.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(inFlight);
  pEmitted += total;
  const deadline = performance.now() + 30_000;
  while (latencies.length < total && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 5));
  receiver.onArrival = previous;
  const latencyMs = {
    ...summarizePercentiles(latencies),
    rate: Math.round(rate),
    samples: latencies.length,
    acknowledged: summarizePercentiles(acknowledged),
  };
  log(`latency p50 ${latencyMs.p50} ms, p95 ${latencyMs.p95} ms, p99 ${latencyMs.p99} ms`);
  log(
    `emitEvent answered: p50 ${latencyMs.acknowledged.p50} ms, p99 ${latencyMs.acknowledged.p99} ms`,
  );
  await watchers.detach();

  // The cost of live subscribers on P's throughput.
  const subscribersCost = await runSubscribersCost(hookline, receiver, settings.subscribers, log);
  pEmitted += subscribersCost.emitted;
  const subscribers = subscribersCost.results;

  // The ledger: every event emitted through P reached the receiver, duplicates counted.
  let received = 0;
  let duplicates = 0;
  for (const [id, n] of receiver.arrivals) {
    if (!id.startsWith('dlv_')) continue;
    received++;
    duplicates += n - 1;
  }
  const ledger = { emitted: pEmitted, received, duplicates, balanced: received === pEmitted };
  // The noisy neighbour runs on Hookline processes of its own: this one would only add load.
  await hookline.stop();
  const isolation = await runIsolation(() => createTestDatabase('bench_isolation'), {
    seconds: settings.isolationSeconds,
    queued: 2_000,
    backlog: settings.isolationBacklog,
    log,
  });
  const isolationRatios = [isolation.hang, isolation.error500, isolation.backlog, isolation.fanOut];
  log('timing the CLI beside a running embedded server');
  const cli = await runCliTimings(settings.cliRuns);
  const scaleOut = await runScaleOut(() => createTestDatabase('bench_scale_out'), {
    rounds: settings.scaleOutRounds,
    events: settings.scaleOutEvents,
    log,
  });
  const callSetup = await runCallSetup(() => createTestDatabase('bench_call_setup'), {
    seconds: settings.callSetupSeconds,
    log,
  });

  const medians = {
    P: pSummary,
    Q: summarize(samples.Q),
    U: summarize(samples.U),
    N: summarize(samples.N),
  };
  const ratios = {
    pOverQ: round(medians.P.median / medians.Q.median, 3),
    pOverU: round(medians.P.median / medians.U.median, 3),
    pOverN: round(medians.P.median / medians.N.median, 3),
  };
  const results = {
    machine: `${machine.cpu} x${machine.cores}, ${machine.memoryGiB} GiB, ${machine.os}, ${machine.node}, ${machine.postgres}`,
    machineDetail: machine,
    quick,
    split,
    finishedAt: new Date().toISOString(),
    settings,
    throughput: Object.fromEntries(
      Object.entries(medians).map(([k, s]) => [
        k,
        { median: round(s.median, 1), min: round(s.min, 1), max: round(s.max, 1) },
      ]),
    ),
    ratios,
    latencyMs,
    subscribers,
    commitsPerDelivery: round(commitsPerDelivery, 3),
    ledger,
    isolation,
    scaleOut,
    cli,
    callSetup,
    targets: {
      pOverQ: { target: '>= 0.8', met: ratios.pOverQ >= 0.8 },
      latencyP50: { target: '<= 10 ms', met: latencyMs.p50 <= 10 },
      latencyP99: { target: '<= 50 ms', met: latencyMs.p99 <= 50 },
      subscribers100: { target: '<= 10 %', met: (subscribers.oneOrg100Cost ?? 1) <= 0.1 },
      subscribers1000: { target: '<= 50 %', met: (subscribers.oneOrg1000Cost ?? 1) <= 0.5 },
      subscribersHundredOrgs: {
        target: '<= 10 %',
        met: (subscribers.hundredOrgs1000Cost ?? 1) <= 0.1,
      },
      commitsPerDelivery: { target: '<= 3', met: commitsPerDelivery <= 3 },
      isolationRatio: {
        target: 'every ratio <= 2',
        met: isolationRatios.every((c) => c.ratioP99 <= 2),
      },
      scaleOutRatio: { target: '>= 1.8', met: scaleOut.ratio >= 1.8 },
      cliCommand: { target: '< 2 s', met: cli.commandMs.p50 < 2_000 },
      isolationP99: {
        target: "B's p99 <= 1 s in every case",
        met: [isolation.baseline, ...isolationRatios].every((c) => c.p99Ms <= 1_000),
      },
      callSetupOverhead: {
        target: 'overhead p99 <= 10 ms at 100 setups/s',
        met: callSetup.overheadMs.p99 <= 10,
      },
      callSetupHanging: {
        target: 'a hanging responder: answered within the deadline + 50 ms',
        met: callSetup.hanging.answerMsP99 <= callSetup.hanging.deadlineMs + 50,
      },
      callSetupNoisy: {
        target: 'overhead p99 <= 10 ms beside the noisy neighbour',
        met: callSetup.underNoisyNeighbour.overheadMsP99 <= 10,
      },
    },
  };

  const markdown = renderMarkdown(results);
  const [folder, name] = variant
    ? [LOCAL_RESULTS, `${results.finishedAt.replace(/[:.]/g, '-')}${variant}`]
    : [RESULTS, 'latest'];
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(folder, `${name}.md`), markdown);
  log(`results: ${join(folder, name)}.json and .md`);
  log(markdown);
  if (!ledger.balanced) {
    log(`VOID: the ledger does not balance (${received} received of ${pEmitted} emitted)`);
    process.exitCode = 1;
  }
}
