export type { LockedTarget, LockOptions, LockPlan } from './lock.ts';
export { planLock } from './lock.ts';
export type { LockChange } from './lock-diff.ts';
export { describeLockChange, diffLocks } from './lock-diff.ts';
