import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { currentCorrelationId, runWithCorrelation } from '@flightdeck/messaging';
import { CORRELATION_HEADER } from '@flightdeck/runtime';

const VALID_ID = /^[A-Za-z0-9._:-]{1,100}$/;

// Each request runs under the caller's x-correlation-id (a new one if it sent none or an odd one),
// echoed in the response, so the bus requests it makes carry it to the services that answer.
export const correlationMiddleware = (req: Request, res: Response, next: NextFunction) => {
  const given = req.headers[CORRELATION_HEADER];
  const id = typeof given === 'string' && VALID_ID.test(given) ? given : randomUUID();
  req.headers[CORRELATION_HEADER] = id;
  res.setHeader(CORRELATION_HEADER, id);
  if (currentCorrelationId() === id) return next();
  runWithCorrelation(id, next);
};
