import { Controller, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode, RotateSecretKeyReport, RotateSecretKeyRequest, rotateSecretKey } from '@flightdeck/contracts';
import { AdminOnly } from '../auth/auth.decorators';
import { ApiBus } from '../http/api-bus';
import { ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

@Controller('system')
export class KeyRotationController {
  constructor(private readonly api: ApiBus) {}

  // One pass (about ten seconds of batches at most); `npm run rotate-key` calls it until done.
  @Post('rotate-key')
  @HttpCode(200)
  @AdminOnly()
  @ApiRoute({
    summary:
      "Re-encrypt stored sensitive values under environment-manager's current key (FLIGHTDECK_SECRET_KEY), in batches, while everything keeps running; call again until `remaining` is 0, then the previous keys can be removed",
    adminOnly: true,
    body: { name: 'RotateSecretKeyRequest', schema: RotateSecretKeyRequest },
    responses: [{ status: 200, description: 'what this pass did and what is left', name: 'RotateSecretKeyReport', schema: RotateSecretKeyReport }],
    errors: [ErrorCode.SecretUndecryptable],
  })
  rotate(@ValidBody(RotateSecretKeyRequest) body: z.infer<typeof RotateSecretKeyRequest>) {
    return this.api.call(rotateSecretKey, body);
  }
}
