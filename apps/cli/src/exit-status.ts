/**
 * Exit statuses of the CLI besides those of the error codes (packages/shared/src/errors.ts:
 * 1 failure, 2 invalid configuration or arguments, 3 Redis or another service unavailable).
 */
export const exitStatus = {
  ok: 0,
  /** `run` and `check-config`: the report was written and delivered, but some hosts could not be collected. */
  someHostsFailed: 4,
} as const;
