import { Type } from '@sinclair/typebox';
import type { FieldError } from '../errors.js';

/** RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: readonly FieldError[];
  [extension: string]: unknown;
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(Type.Object({ pointer: Type.String({ description: 'JSON Pointer' }), message: Type.String() })),
    ),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(slug: string): string {
  return `urn:profile-service:problem:${slug}`;
}

export function problem(status: number, slug: string, title: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: problemType(slug), title, status, detail, ...extra };
}

/** `{ 401: ProblemRef, … }` for route schemas: every error status documented with one schema. */
export function problemResponses(...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')]));
}
