import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

// Nest's default RPC filter turns every error into "Internal server error". Our transports decide
// what an error means (a reply of internal-error, a retry, a dead letter with the reason), so
// the original error is handed back to them untouched.
@Catch()
export class RethrowRpcErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
