import { CronTime, validateCronExpression } from 'cron';
import { ErrorCode, type ProtectionRules, type Result, err } from '@flightdeck/contracts';

// Every freeze window's cron expression and time zone must be readable before any rule is stored
// (the orchestrator evaluates them on each trigger): the first that is not is named, nothing changes.
export const refuseFreezeWindows = (protection: ProtectionRules | null | undefined): Result<never> | undefined => {
  for (const [i, w] of (protection?.freezeWindows ?? []).entries()) {
    const field = `protection.freezeWindows.${i}`;
    const parsed = validateCronExpression(w.schedule);
    if (!parsed.valid) {
      return err(ErrorCode.EnvironmentInvalidProtection, `freeze window ${i + 1}: cron expression '${w.schedule}' is not valid: ${parsed.error?.message ?? 'unreadable'}`, {
        field: `${field}.schedule`,
      });
    }
    try {
      new CronTime(w.schedule, w.timeZone).getNextDateFrom(new Date(), w.timeZone);
    } catch (e) {
      const unknownZone = /time ?zone/i.test((e as Error).message);
      return err(
        ErrorCode.EnvironmentInvalidProtection,
        unknownZone ? `freeze window ${i + 1}: time zone '${w.timeZone}' is not known` : `freeze window ${i + 1}: cron expression '${w.schedule}' never fires`,
        { field: `${field}.${unknownZone ? 'timeZone' : 'schedule'}` },
      );
    }
  }
  return undefined;
};
