// The fault matrix, defined by applicability: every step of `cluster` (rows, in the plan's order) against
// every fault the suite can strike with (columns). A pair is either applicable (`true`: a cell must strike it,
// and the README counts it whether or not one does) or not, with the reason written here. The README's
// "N of M applicable pairs" takes M from this table and N from the cells that passed
// (scripts/guarantees.mjs); a cell whose pair is not applicable here fails the figures.
//
// A cell title is `cell [backup: ]STEP × FAULT[ (variant)| : variant]`; the column is FAULT without the variant.

/** The steps, in the order a run takes them (src/commands/cluster.ts, then src/plan/plan-upgrade.ts). */
export const STEPS = ['inventory', 'find-clusterctl', 'plan', 'lock', 'capi', 'pause-restore', 'export', 'manifest', 'etcd', 'recheck', 'renew', 'handoff', 'confirm'];

export const FAULTS = [
  'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL-then-rerun',
  'api-error (403)', 'api-5xx', 'api-hang', 'api-lost-answer',
  'disk-full',
  'image-missing', 'clusterctl-fails-half-way', 'clusterctl-fails-after-pause',
  'manifest-unreachable', 'manifest-hang',
  'eksctl-fails', 'eksctl-exits-early-not-ready',
  'ssh-refused', 'ssh-hangs', 'ssh-cut-mid-stream', 'etcd-down-on-one-member', 'etcd-down-on-all-members',
];

const SIGNALS = { SIGINT: true, SIGTERM: true, SIGHUP: true };
const API_READ = { 'api-error (403)': true, 'api-5xx': true, 'api-hang': true };
const NO_API = (why) => ({ 'api-error (403)': why, 'api-5xx': why, 'api-hang': why, 'api-lost-answer': why });
const READ_ONLY = 'the step only reads: a write whose answer is lost cannot happen here';
const NO_DISK = 'the step writes nothing to disk';
const NO_CLUSTERCTL = 'clusterctl (and its image) runs in the capi step only';
const NO_MANIFEST = 'the release manifest is fetched by find-clusterctl only';
const NO_EKSCTL_PLAN = 'eksctl runs only in the plan step (upgrade plan) and the hand-off';
const NO_EARLY_EXIT = 'only the hand-off runs `eksctl anywhere upgrade`, the command that can exit early';
const NO_SSH = 'ssh and etcd are reached by the etcd step only';
// A SIGKILL cannot be handled: what it tests is what the next run finds. Before the lock nothing is written, so
// a rerun starts from what the killed run found; from the lock on, the run leaves its lease (and, from the
// move on, a set and maybe paused clusters; in the hand-off, eksctl running on): each such step applies.
const NOTHING_LEFT = 'nothing is written before the lock: a kill here leaves nothing for the next run to find';

/** Defaults for a row: everything not applicable, each with the reason the row gives. */
function row(cells) {
  return {
    ...SIGNALS,
    'SIGKILL-then-rerun': true,
    ...NO_API('the step makes no API call'),
    'disk-full': NO_DISK,
    'image-missing': NO_CLUSTERCTL, 'clusterctl-fails-half-way': NO_CLUSTERCTL, 'clusterctl-fails-after-pause': NO_CLUSTERCTL,
    'manifest-unreachable': NO_MANIFEST, 'manifest-hang': NO_MANIFEST,
    'eksctl-fails': NO_EKSCTL_PLAN, 'eksctl-exits-early-not-ready': NO_EARLY_EXIT,
    'ssh-refused': NO_SSH, 'ssh-hangs': NO_SSH, 'ssh-cut-mid-stream': NO_SSH, 'etcd-down-on-one-member': NO_SSH, 'etcd-down-on-all-members': NO_SSH,
    ...cells,
  };
}

/** step → fault → true (applicable) or the reason it is not. */
export const APPLICABILITY = {
  inventory: row({ ...API_READ, 'api-lost-answer': READ_ONLY, 'SIGKILL-then-rerun': NOTHING_LEFT }),
  'find-clusterctl': row({
    'manifest-unreachable': true, 'manifest-hang': true, 'SIGKILL-then-rerun': NOTHING_LEFT,
    'image-missing': 'with --cli-tools-image nothing is pulled here; a missing image fails the capi step, where docker runs',
  }),
  // The fake eksctl GETs the EKS-A Cluster for `upgrade plan`.
  plan: row({ ...API_READ, 'api-lost-answer': READ_ONLY, 'eksctl-fails': true, 'SIGKILL-then-rerun': NOTHING_LEFT }),
  // The gate reads the Lease; the first action creates it; the lost answers are the create's.
  lock: row({ ...API_READ, 'api-lost-answer': true }),
  capi: row({ ...API_READ, 'api-lost-answer': true, 'disk-full': true, 'image-missing': true, 'clusterctl-fails-half-way': true, 'clusterctl-fails-after-pause': true }),
  // The re-read of pause state and the patches that put it back (after a move that failed after pausing).
  'pause-restore': row({ ...API_READ, 'api-lost-answer': true, 'disk-full': 'the pause-state restore writes to the API, not to disk' }),
  export: row({ ...API_READ, 'api-lost-answer': READ_ONLY, 'disk-full': true }),
  manifest: row({
    SIGINT: 'local writes of milliseconds, no command and no wait: no strike can be aimed inside them; the signal checks around them are the export and etcd cells',
    SIGTERM: 'local writes of milliseconds, no command and no wait: no strike can be aimed inside them; the signal checks around them are the export and etcd cells',
    SIGHUP: 'local writes of milliseconds, no command and no wait: no strike can be aimed inside them; the signal checks around them are the export and etcd cells',
    'SIGKILL-then-rerun': 'local writes of milliseconds, no command and no wait: no kill can be aimed inside them; what a kill around them leaves (a .partial set marked failed) is the export cell\'s',
    'disk-full': true,
  }),
  etcd: row({
    'disk-full': true, 'ssh-refused': true, 'ssh-hangs': true, 'ssh-cut-mid-stream': true, 'etcd-down-on-one-member': true, 'etcd-down-on-all-members': true,
    ...NO_API('the snapshot goes over ssh to the node; the Kubernetes API is not called'),
  }),
  recheck: row({ ...API_READ, 'api-lost-answer': READ_ONLY }),
  renew: row({ ...API_READ, 'api-lost-answer': true }),
  handoff: row({
    ...NO_API("eksctl makes the hand-off's API calls: an API failure there is eksctl failing (the eksctl-fails column)"),
    'eksctl-fails': true, 'eksctl-exits-early-not-ready': true,
  }),
  confirm: row({ ...API_READ, 'api-lost-answer': READ_ONLY }),
};

/** `api-hang (--move-timeout 4s)` → `api-hang`; `api-lost-answer: create answer dropped` → `api-lost-answer`. */
export function columnOf(fault) {
  const known = FAULTS.find((f) => fault === f || fault.startsWith(`${f} (`) || fault.startsWith(`${f}: `));
  return known ?? fault;
}

/** Every pair, with whether it applies and why not. */
export function pairs() {
  return STEPS.flatMap((step) => FAULTS.map((fault) => ({ step, fault, applies: APPLICABILITY[step][fault] === true, reason: APPLICABILITY[step][fault] === true ? undefined : APPLICABILITY[step][fault] })));
}
