import type { Socket } from 'socket.io';
import { ErrorCode } from '@flightdeck/contracts';
import { TokenVerifier } from '../auth/token-verifier';

// Socket.IO namespace middleware: the token comes as `auth: { token }` (browsers cannot set
// headers on a WebSocket) or as `Authorization: Bearer`. A refused client gets connect_error
// with the message 'auth/unauthenticated'.
export const handshakeAuth =
  (verifier: TokenVerifier) =>
  (socket: Socket, next: (err?: Error) => void): void => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const token = typeof auth?.token === 'string' ? auth.token : TokenVerifier.fromHeader(socket.handshake.headers.authorization);
    const actor = verifier.verify(token);
    if (!actor) {
      const refused = new Error(ErrorCode.Unauthenticated) as Error & { data?: unknown };
      refused.data = { code: ErrorCode.Unauthenticated, message: 'a valid bearer token is required' };
      return next(refused);
    }
    socket.data.actor = actor;
    next();
  };
