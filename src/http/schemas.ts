import { Type } from '@sinclair/typebox';

/** Shapes several routes share. */

export const HistoryQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const HistoryChange = Type.Object({
  path: Type.String(),
  from: Type.Unknown(),
  to: Type.Unknown(),
  redacted: Type.Optional(Type.Boolean({ description: 'true once erasure removed the values (the change itself stays)' })),
});

export const HistoryItemSchema = Type.Object({
  version: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({ type: Type.String(), id: Type.String() }),
  action: Type.String(),
  source: Type.String(),
  requestId: Type.Union([Type.String(), Type.Null()]),
  changes: Type.Array(HistoryChange),
});

export const HistoryPageSchema = Type.Object({
  items: Type.Array(HistoryItemSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const UserIdParam = Type.String({ format: 'uuid' });
