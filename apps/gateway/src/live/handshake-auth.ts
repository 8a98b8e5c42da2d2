import type { Socket } from 'socket.io';
import { ErrorCode } from '@flightdeck/contracts';
import { actorOf } from '../access/caller';
import { TokenVerifier } from '../auth/token-verifier';

// Socket.IO namespace middleware: the token comes as `auth: { token }` (browsers cannot set
// headers on a WebSocket) or as `Authorization: Bearer`. A refused client gets connect_error
// with the message 'auth/unauthenticated'. What the caller may follow is checked per subscription.
export const handshakeAuth =
  (verifier: TokenVerifier) =>
  (socket: Socket, next: (err?: Error) => void): void => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const token = typeof auth?.token === 'string' ? auth.token : TokenVerifier.fromHeader(socket.handshake.headers.authorization);
    verifier.verify(token).then(
      (verified) => {
        if (!verified.ok) {
          const refused = new Error(ErrorCode.Unauthenticated) as Error & { data?: unknown };
          refused.data = { code: ErrorCode.Unauthenticated, message: `a valid bearer token is required (${verified.reason})` };
          return next(refused);
        }
        socket.data.caller = verified.caller;
        socket.data.actor = actorOf(verified.caller);
        next();
      },
      (e: Error) => next(Object.assign(new Error(ErrorCode.ServiceUnavailable), { data: { code: ErrorCode.ServiceUnavailable, message: e.message } })),
    );
  };
