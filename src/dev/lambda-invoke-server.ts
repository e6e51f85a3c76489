import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { type DevLogger, silentLogger } from './logger.js';
import { httpUrl } from '../net.js';

/**
 * A function the server can invoke. `any` on purpose: handlers typed with a
 * concrete event (e.g. `PostConfirmationTriggerEvent`) must be assignable.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LocalFunction = (event: any, context: Context) => unknown;

export interface LambdaInvokeServerOptions {
  host: string;
  /** 0 picks a free port; the real one is in the returned `url`. */
  port: number;
  functions: Readonly<Record<string, LocalFunction>>;
  logger?: DevLogger;
  /** Like a Lambda function timeout. Default 30 s (Cognito itself gives a trigger 5 s). */
  timeoutMs?: number;
  /** Request and response payload cap; default 6 MB, Lambda's synchronous-invoke limit. */
  maxPayloadBytes?: number;
}

export interface LambdaInvokeServer {
  url: string;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const FUNCTION_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_PAYLOAD = 6 * 1024 * 1024;
const CLOSE_GRACE_MS = 2_000;

/**
 * Just enough of the AWS Lambda Invoke API (`POST
 * /2015-03-31/functions/{name}/invocations`) for cognito-local's aws-sdk v2
 * client to call in-process handlers. Status codes, headers and error bodies
 * follow real Lambda: a throwing handler is a 200 with
 * `X-Amz-Function-Error: Unhandled`, not an HTTP error.
 *
 * Event bodies carry personal data and are never logged.
 */
export async function startLambdaInvokeServer(options: LambdaInvokeServerOptions): Promise<LambdaInvokeServer> {
  const logger = options.logger ?? silentLogger;
  const settings: HandlerSettings = {
    functions: options.functions,
    logger,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxPayloadBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD,
  };

  const server = createServer((req, res) => {
    handle(req, res, settings).catch((err: unknown) => {
      logger.error({ err }, 'lambda invoke server: unexpected failure');
      if (!res.headersSent) sendError(res, 500, 'ServiceException', 'Internal error');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = httpUrl(options.host, port);
  logger.info({ url, functions: Object.keys(options.functions) }, 'lambda invoke server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        server.close((err) => {
          clearTimeout(force);
          if (err) reject(err);
          else resolve();
        });
        // Idle keep-alive sockets would otherwise hold close() open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

interface HandlerSettings {
  functions: Readonly<Record<string, LocalFunction>>;
  logger: DevLogger;
  timeoutMs: number;
  maxPayloadBytes: number;
}

async function handle(req: IncomingMessage, res: ServerResponse, settings: HandlerSettings): Promise<void> {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const match = INVOKE_PATH.exec(pathname);
  if (!match?.[1]) {
    sendError(res, 404, 'UnknownOperationException', 'Only Invoke is implemented');
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    sendError(res, 405, 'MethodNotAllowedException', 'Invoke requires POST');
    return;
  }

  let requested: string;
  try {
    requested = decodeURIComponent(match[1]);
  } catch {
    sendError(res, 400, 'InvalidParameterValueException', 'The function name is not correctly encoded');
    return;
  }
  const name = resolveFunctionName(requested, settings.functions);
  if (name === null) {
    sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${requested}`);
    return;
  }

  const invocationType = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (!['RequestResponse', 'Event', 'DryRun'].includes(invocationType)) {
    sendError(res, 400, 'InvalidParameterValueException', `Unsupported invocation type: ${invocationType}`);
    return;
  }

  const body = await readBody(req, settings.maxPayloadBytes);
  if (body === null) {
    sendError(res, 413, 'RequestTooLargeException', `Request must be smaller than ${settings.maxPayloadBytes} bytes`);
    return;
  }
  let event: unknown;
  try {
    event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    return;
  }

  if (invocationType === 'DryRun') {
    res.writeHead(204).end();
    return;
  }

  const requestId = randomUUID();
  const fn = settings.functions[name] as LocalFunction;
  if (invocationType === 'Event') {
    res.writeHead(202, { 'x-amzn-RequestId': requestId }).end();
    await invoke(fn, name, event, requestId, settings);
    return;
  }

  const outcome = await invoke(fn, name, event, requestId, settings);
  let payload = outcome.ok ? serialise(outcome.value) : null;
  let failure = outcome.ok ? null : outcome.error;
  if (outcome.ok && payload === null) {
    failure = { errorType: 'Runtime.MarshalError', errorMessage: 'Unable to marshal response: not JSON-serialisable' };
  } else if (payload !== null && Buffer.byteLength(payload) > settings.maxPayloadBytes) {
    payload = null;
    failure = {
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: `Response payload size exceeded maximum allowed payload size (${settings.maxPayloadBytes} bytes).`,
    };
  }

  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-RequestId': requestId,
  };
  if (failure !== null) {
    headers['X-Amz-Function-Error'] = 'Unhandled';
    payload = JSON.stringify(failure);
  }
  res.writeHead(200, headers).end(payload);
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: FunctionError };

interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

async function invoke(
  fn: LocalFunction,
  name: string,
  event: unknown,
  requestId: string,
  settings: HandlerSettings,
): Promise<Outcome> {
  const started = performance.now();
  const deadline = Date.now() + settings.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      const seconds = (settings.timeoutMs / 1000).toFixed(2);
      resolve({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${seconds} seconds` } });
    }, settings.timeoutMs);
  });
  const run = (async (): Promise<Outcome> => {
    try {
      return { ok: true, value: await fn(event, lambdaContext(name, requestId, deadline, settings.timeoutMs)) };
    } catch (err) {
      return { ok: false, error: toFunctionError(err) };
    }
  })();

  const outcome = await Promise.race([run, timeout]);
  clearTimeout(timer);
  const durationMs = Math.round(performance.now() - started);
  if (outcome.ok) {
    settings.logger.info({ fn: name, requestId, durationMs }, 'lambda invoked');
  } else {
    // The handler's own error, never the event.
    settings.logger.error(
      { fn: name, requestId, durationMs, errorType: outcome.error.errorType, errorMessage: outcome.error.errorMessage },
      'lambda invocation failed',
    );
  }
  return outcome;
}

function toFunctionError(err: unknown): FunctionError {
  if (err instanceof Error) {
    const trace = err.stack?.split('\n');
    return { errorType: err.name, errorMessage: err.message, ...(trace ? { trace } : {}) };
  }
  return { errorType: 'Error', errorMessage: String(err) };
}

/** Exact name first; then the function part of an ARN or of `name:qualifier`. */
function resolveFunctionName(requested: string, functions: Readonly<Record<string, LocalFunction>>): string | null {
  const candidates = [requested, FUNCTION_ARN.exec(requested)?.[1], requested.split(':')[0]];
  for (const candidate of candidates) {
    if (candidate !== undefined && Object.hasOwn(functions, candidate) && typeof functions[candidate] === 'function') {
      return candidate;
    }
  }
  return null;
}

function lambdaContext(name: string, requestId: string, deadline: number, timeoutMs: number): Context {
  const unsupported = (): never => {
    throw new Error('The local Lambda invoke server does not support the legacy context callbacks');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '128',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/${timeoutMs}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Returns null when the body exceeds `limit`. The excess is read and dropped
 * rather than cut off, so the client still gets to read the 413.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.once('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function serialise(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return null;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** AWS REST-JSON error: the type in `x-amzn-ErrorType` (what SDKs read first) and in the body. */
function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ Type: 'User', Message: message, message, __type: type });
  res.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type, Connection: 'close' }).end(body);
}
