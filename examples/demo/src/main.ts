// Settle demo: resolve a challenge with 1,200 participants and watch the winners get paid.
// Runs on embedded PGlite by default (persisted in .settle-data/demo); DATABASE_URL=postgres://… uses a
// Postgres server, MYSQL_URL=mysql://… a MySQL or MariaDB server.
import { performance } from 'node:perf_hooks';
import { PayoutQueue } from '@settle/core';
import { SingleBar } from 'cli-progress';
import { openDemoStore } from './demo-store';
import { seedChallenge } from './seed-challenge';

const PARTICIPANTS = 1_200;
const FEE_BPS = 500;

const demo = await openDemoStore();
const { store, label } = demo;
try {
  await store.migrate();
  console.log(`Settle demo on ${label}\n`);

  const challenge = await seedChallenge(store, PARTICIPANTS);
  console.log(`Challenge ${challenge.id}: ${PARTICIPANTS} participants, pool ${challenge.pool} (minor units)`);
  console.log('Deadline passed; an admin resolves it: side "home" won, 5% platform fee.\n');

  // Small batches so the bar has something to follow; production default is 500.
  const queue = new PayoutQueue({ store, feeBps: FEE_BPS, batchSize: 100 });
  queue.on('error', (err) => console.error('payout error:', err.message, err.context));

  const started = performance.now();
  const resolved = await queue.resolve(challenge.id, { winningSide: 'home' });
  console.log(`resolve() returned job ${resolved.jobId} in ${(performance.now() - started).toFixed(1)} ms`);
  console.log(`${resolved.entries} winners share ${resolved.pool - resolved.fee} after a fee of ${resolved.fee}\n`);

  const bar = new SingleBar({
    format: 'paying winners [{bar}] {percentage}% | {value}/{total} entries | batch {batches}',
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 250,
  });
  bar.start(resolved.entries, 0, { batches: 0 });
  let batches = 0;
  queue.on('payout.batch', () => {
    batches += 1;
  });
  queue.on('payout.progress', (p) => bar.update(p.processed + p.failed, { batches }));
  const done = new Promise<void>((resolve) => {
    queue.on('payout.completed', () => resolve());
    queue.on('payout.failed', () => resolve());
  });
  queue.start();
  await done;
  await queue.stop();
  bar.stop();

  const status = await queue.status(resolved.jobId!);
  const ledger = await store.ledgerTotal({ jobId: resolved.jobId! });
  const expected = resolved.pool - resolved.fee;
  console.log(`\njob ${status.status}: ${status.processedWinners}/${status.totalWinners} paid in ${batches} batches`);
  console.log(`ledger: ${ledger.count} rows, total ${ledger.total}; pool − fee = ${expected}`);
  if (ledger.total !== expected || ledger.count !== resolved.entries) {
    console.error('MISMATCH: the ledger does not equal pool − fee');
    process.exitCode = 1;
  } else {
    console.log('✓ every winner paid exactly once, to the last minor unit');
  }
} finally {
  await demo.close();
}
