import { EndPayload, GapPayload, LogsPayload, ServerEventSchemas } from './socket-events';

const D = '00000000-0000-4000-8000-000000000001';
const line = {
  seq: 1,
  timestamp: '2026-01-01T00:00:00.000Z',
  level: 'info',
  source: 'build',
  step: 'build',
  message: 'hi',
};

describe('socket event payloads', () => {
  it('parse what the gateway sends', () => {
    expect(LogsPayload.parse({ deploymentId: D, lines: [line], lastSeq: 1 }).lines).toHaveLength(1);
    expect(EndPayload.parse({ deploymentId: D, status: 'succeeded', lastSeq: 1 }).status).toBe('succeeded');
    expect(
      GapPayload.parse({ deploymentId: D, fromSeq: 2, toSeq: 9, reason: 'flood', message: 'm' }).toSeq,
    ).toBe(9);
  });
  it('refuse a payload that is not what its event carries', () => {
    expect(LogsPayload.safeParse({ deploymentId: D, lines: [{ ...line, seq: 0 }], lastSeq: 1 }).success).toBe(
      false,
    );
    expect(EndPayload.safeParse({ deploymentId: D, status: 'done', lastSeq: 1 }).success).toBe(false);
    expect(Object.keys(ServerEventSchemas).sort()).toEqual([
      'dropped',
      'end',
      'gap',
      'logs',
      'projectStatus',
      'status',
    ]);
  });
});
