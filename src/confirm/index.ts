// Post-upgrade confirmation: the EKS-A controller keeps reconciling after eksctl returns.
export { judgeConfirmation, type ClusterObservation, type ConfirmTarget } from './judge.js';
export {
  confirmUpgrade,
  DEFAULT_CONFIRM_INTERVAL_MS,
  DEFAULT_CONSECUTIVE,
  DEFAULT_FAILURE_GRACE_MS,
  describePoll,
  formatDuration,
  interrupted,
  NotConfirmedError,
  type ClusterConfirmation,
  type ConfirmOptions,
  type ConfirmResult,
} from './poll.js';
