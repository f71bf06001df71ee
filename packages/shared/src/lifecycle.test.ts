import { describe, expect, it } from 'vitest';
import { orderedClose } from './lifecycle.js';
import { silentLogger } from './logger.js';

describe('orderedClose: a service shutdown in steps', () => {
  it('runs every step in order once, past one that throws and one that hangs, within the deadline', async () => {
    const ran: string[] = [];
    const close = orderedClose(
      silentLogger(),
      () => [
        { name: 'worker', run: async () => void ran.push('worker') },
        {
          name: 'broken',
          run: () => {
            ran.push('broken');
            throw new Error('already closed');
          },
        },
        { name: 'hung', run: () => new Promise(() => ran.push('hung')) },
        { name: 'redis', run: async () => void ran.push('redis') },
      ],
      500,
    );
    const started = Date.now();
    const first = close();
    // A second signal, or a test's stop(), gets the same shutdown: nothing runs twice.
    expect(close()).toBe(first);
    await expect(first).rejects.toThrow('shutdown steps failed: broken, hung');
    expect(ran).toEqual(['worker', 'broken', 'hung', 'redis']);
    // The hung step was given up at the deadline; the last one still ran.
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
