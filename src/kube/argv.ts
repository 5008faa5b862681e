/** Where kubectl points and how long each request may take: every kubectl argv of the tool starts from this. */
export interface KubectlTarget {
  readonly kubeconfig: string;
  /** Every kubectl request carries a timeout: a hanging API server must not hang the run. */
  readonly requestTimeout: string;
}

export function kubectlArgv(target: KubectlTarget, args: readonly string[]): string[] {
  return ['kubectl', '--kubeconfig', target.kubeconfig, `--request-timeout=${target.requestTimeout}`, ...args];
}
