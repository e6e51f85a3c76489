import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaInvokeServer, startLambdaInvokeServer } from '../../../src/dev/lambda-invoke-server.js';

const PERSONAL = 'alice.private@example.com';

describe('local Lambda invoke server', () => {
  let server: LambdaInvokeServer;
  const logLines: string[] = [];
  const received: unknown[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    server = await startLambdaInvokeServer({
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'debug' }, sink),
      timeoutMs: 300,
      maxPayloadBytes: 1024,
      functions: {
        echo: async (event: { n: number }, context) => {
          received.push(event);
          return { ...event, doubled: event.n * 2, fn: context.functionName };
        },
        boom: async () => {
          throw new TypeError(`cannot handle ${PERSONAL}`);
        },
        nothing: async () => undefined,
        slow: () => new Promise((resolve) => setTimeout(resolve, 2_000, 'late')),
        huge: async () => 'x'.repeat(2048),
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const invoke = (name: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, {
      method: 'POST',
      body,
      headers: { 'X-Amz-Invocation-Type': 'RequestResponse', ...headers },
    });

  it('listens on a real port when asked for port 0', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
  });

  it('round-trips the event through the function and returns its JSON result', async () => {
    const res = await invoke('echo', JSON.stringify({ n: 21, email: PERSONAL }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ n: 21, email: PERSONAL, doubled: 42, fn: 'echo' });
    expect(received).toContainEqual({ n: 21, email: PERSONAL });
  });

  it('accepts a function ARN and a qualified name', async () => {
    const byArn = await invoke('arn:aws:lambda:local:000000000000:function:echo', '{"n":1}');
    const qualified = await invoke('echo:$LATEST', '{"n":2}');
    expect(await byArn.json()).toMatchObject({ doubled: 2 });
    expect(await qualified.json()).toMatchObject({ doubled: 4 });
  });

  it('answers null for a function that returns nothing', async () => {
    const res = await invoke('nothing', '{}');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('null');
  });

  it('reports a throwing function as 200 with X-Amz-Function-Error: Unhandled', async () => {
    const res = await invoke('boom', '{}');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.errorType).toBe('TypeError');
    expect(body.errorMessage).toBe(`cannot handle ${PERSONAL}`);
  });

  it('reports a function that outlives its timeout as Sandbox.Timedout', async () => {
    const res = await invoke('slow', '{}');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await res.json()).toMatchObject({ errorType: 'Sandbox.Timedout' });
  });

  it('reports a result over the payload cap as a function error', async () => {
    const res = await invoke('huge', '{}');
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await res.json()).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
  });

  it('answers 404 ResourceNotFoundException for an unknown function', async () => {
    for (const name of ['missing', 'constructor', '__proto__']) {
      const res = await invoke(name, '{}');
      expect(res.status).toBe(404);
      expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
      expect(await res.json()).toMatchObject({ __type: 'ResourceNotFoundException', Type: 'User' });
    }
  });

  it('rejects a body over the cap with 413 and a non-JSON body with 400', async () => {
    const big = await invoke('echo', JSON.stringify({ n: 1, pad: 'y'.repeat(4096) }));
    expect(big.status).toBe(413);
    expect(big.headers.get('x-amzn-errortype')).toBe('RequestTooLargeException');
    const bad = await invoke('echo', '{not json');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
  });

  it('answers other operations with 404 and other methods with 405', async () => {
    const other = await fetch(`${server.url}/2015-03-31/functions/echo`, { method: 'GET' });
    expect(other.status).toBe(404);
    const get = await fetch(`${server.url}/2015-03-31/functions/echo/invocations`);
    expect(get.status).toBe(405);
  });

  it('supports the Event and DryRun invocation types', async () => {
    const dry = await invoke('echo', '{"n":5}', { 'X-Amz-Invocation-Type': 'DryRun' });
    expect(dry.status).toBe(204);
    const before = received.length;
    const event = await invoke('echo', '{"n":6}', { 'X-Amz-Invocation-Type': 'Event' });
    expect(event.status).toBe(202);
    await expect.poll(() => received.length).toBe(before + 1);
  });

  it('logs invocations and failures but never the event', () => {
    const all = logLines.join('');
    expect(all).toContain('"fn":"echo"');
    expect(all).toContain('"errorType":"TypeError"');
    expect(all).not.toContain('"n":21');
    // The only place the address may appear is the handler's own error message.
    const withoutErrors = logLines.filter((l) => !l.includes('lambda invocation failed')).join('');
    expect(withoutErrors).not.toContain(PERSONAL);
  });
});
