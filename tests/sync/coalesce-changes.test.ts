import { describe, expect, it } from 'vitest';
import type { OutboxChange } from '../../src/store/outbox.js';
import { coalesceChanges } from '../../src/sync/coalesce-changes.js';

const E = 'Sales.Order';
const row = (seq: number, ...changes: OutboxChange[]) => ({ seq, entry: { at: '2024-01-01T00:00:00.000Z', changes } });
const ch = (op: OutboxChange['op'], members: string[], ids = ['a'], before?: Record<string, Record<string, unknown>>): OutboxChange => ({
  entity: E,
  op,
  ids,
  members,
  ...(before === undefined ? {} : { before }),
});

describe('coalesceChanges', () => {
  it.each([
    { name: 'create then update is a create of the union of members', ops: [ch('create', ['Number']), ch('update', ['Status'])], op: 'create', members: ['Number', 'Status'], replaces: false },
    { name: 'create then delete is nothing to upload', ops: [ch('create', ['Number']), ch('delete', [])], op: 'none', members: [], replaces: false },
    { name: 'update then delete is a delete', ops: [ch('update', ['Status']), ch('delete', [], ['a'], { a: { Status: 'Open' } })], op: 'delete', members: [], replaces: false },
    { name: 'two updates are one update of both members', ops: [ch('update', ['Status']), ch('update', ['Note'])], op: 'update', members: ['Status', 'Note'], replaces: false },
    { name: 'delete then create is an update replacing every member', ops: [ch('delete', []), ch('create', ['Number'])], op: 'update', members: ['Number'], replaces: true },
    { name: 'create, delete, create is a create', ops: [ch('create', ['Number']), ch('delete', []), ch('create', ['Note'])], op: 'create', members: ['Note'], replaces: false },
  ])('$name', ({ ops, op, members, replaces }) => {
    const net = coalesceChanges(ops.map((c, i) => row(i + 1, c)));
    const change = net.get(`${E}\u0000a`)!;
    expect(change.op).toBe(op);
    expect(change.members.sort()).toEqual([...members].sort());
    expect(change.replaces).toBe(replaces);
    expect(change.seqs).toEqual(ops.map((_, i) => i + 1));
  });

  it('keeps objects of one bulk row apart and remembers the content before a delete', () => {
    const net = coalesceChanges([row(1, ch('create', ['Number'], ['a', 'b'])), row(2, ch('delete', [], ['b'], { b: { Number: 2 } }))]);
    expect(net.get(`${E}\u0000a`)!.op).toBe('create');
    expect(net.get(`${E}\u0000b`)!.op).toBe('none');
    const del = coalesceChanges([row(5, ch('delete', [], ['c'], { c: { Number: 7 } }))]).get(`${E}\u0000c`)!;
    expect(del.before).toEqual({ Number: 7 });
  });
});
