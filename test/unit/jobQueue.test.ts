import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobQueue } from '../../src/extension/jobQueue';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('jobs started together run one after the other, in the order started, and all finish', async () => {
  const queue = new JobQueue();
  const events: string[] = [];
  const job = (id: string, ms: number) => async () => {
    events.push(`${id} start`);
    await delay(ms);
    events.push(`${id} end`);
    return id.toUpperCase();
  };
  const queuedBehind: string[] = [];
  const results = await Promise.all([
    queue.exclusive({ id: 'a', title: 'A' }, job('a', 30)),
    queue.exclusive({ id: 'b', title: 'B' }, job('b', 5), (behind, position) => queuedBehind.push(`b behind ${behind.id} at ${position}`)),
    queue.exclusive({ id: 'c', title: 'C' }, job('c', 5), (behind, position) => queuedBehind.push(`c behind ${behind.id} at ${position}`)),
  ]);
  assert.deepEqual(events, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  assert.deepEqual(results, [{ ran: true, value: 'A' }, { ran: true, value: 'B' }, { ran: true, value: 'C' }]);
  assert.deepEqual(queuedBehind, ['b behind a at 1', 'c behind a at 2']);
  assert.equal(queue.running, undefined);
  assert.deepEqual(queue.queued, []);
});

test('a job cancelled while it waits never runs, and the ones behind it still do', async () => {
  const queue = new JobQueue();
  const ran: string[] = [];
  const first = queue.exclusive({ id: 'a', title: 'A' }, async () => {
    await delay(20);
    ran.push('a');
  });
  const second = queue.exclusive({ id: 'b', title: 'B' }, async () => {
    ran.push('b');
  });
  const third = queue.exclusive({ id: 'c', title: 'C' }, async () => {
    ran.push('c');
  });
  assert.deepEqual(queue.queued.map((j) => j.id), ['b', 'c']);
  assert.equal(queue.cancel('b'), true);
  assert.equal(queue.cancel('a'), false, 'the running job is not the queue\'s to cancel');
  assert.deepEqual(await second, { ran: false });
  await Promise.all([first, third]);
  assert.deepEqual(ran, ['a', 'c']);
});

test('a job that throws frees the queue for the next one and its error reaches its caller', async () => {
  const queue = new JobQueue();
  const failing = queue.exclusive({ id: 'a', title: 'A' }, async () => {
    await delay(5);
    throw new Error('disk full');
  });
  const next = queue.exclusive({ id: 'b', title: 'B' }, async () => 'ran');
  await assert.rejects(failing, /disk full/);
  assert.deepEqual(await next, { ran: true, value: 'ran' });
});

test('cancelAll drops every waiting job and reports each change', async () => {
  const queue = new JobQueue();
  let changes = 0;
  queue.onChange(() => changes++);
  let release!: () => void;
  const first = queue.exclusive({ id: 'a', title: 'A' }, () => new Promise<void>((resolve) => (release = resolve)));
  const waiting = [queue.exclusive({ id: 'b', title: 'B' }, async () => 'b'), queue.exclusive({ id: 'c', title: 'C' }, async () => 'c')];
  queue.cancelAll();
  assert.deepEqual(await Promise.all(waiting), [{ ran: false }, { ran: false }]);
  assert.equal(queue.running?.id, 'a');
  release();
  await first;
  assert.equal(queue.running, undefined);
  assert.ok(changes >= 5, `expected a change per start, wait, drop and finish, saw ${changes}`);
});
