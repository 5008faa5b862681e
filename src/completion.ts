/**
 * Shell completion: the scripts `completion bash|zsh|fish` print, and what the shell is offered. Every script
 * asks the CLI itself (`--get-yargs-completions`, yargs' protocol); a flag that takes a path offers nothing,
 * so the shell completes file names there.
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Flags whose value is a path: after them the shell completes files. */
export const PATH_FLAGS: ReadonlySet<string> = new Set([
  '-f', '--filename', '--kubeconfig', '--journal', '--plan-out', '--plan', '--report', '--clusterctl', '--release-manifest',
  '--ssh-key', '--ssh-known-hosts', '--dir', '--bundles-override',
]);

/** The shell of `$SHELL`, bash when it is none of the three. */
export function shellOf(env: NodeJS.ProcessEnv): Shell {
  const name = (env.SHELL ?? '').split('/').pop() ?? '';
  return (SHELLS as readonly string[]).includes(name) ? (name as Shell) : 'bash';
}

/** The words the shell sent after `--get-yargs-completions`, or undefined when this is no completion request. */
export function completionWords(args: readonly string[]): string[] | undefined {
  const at = args.indexOf('--get-yargs-completions');
  return at < 0 ? undefined : args.slice(at + 1);
}

/** True when the word being completed is the value of a path flag (`-f <TAB>`). */
export function wantsPath(words: readonly string[]): boolean {
  const previous = words[words.length - 2];
  return previous !== undefined && PATH_FLAGS.has(previous);
}

/** yargs offers every alias as a long flag too (`--f`, `--v`, `--h`, `--o`): not flags anyone types. */
export function dropLongSingleLetters(completions: readonly string[]): string[] {
  return completions.filter((c) => !/^--[^-:](:|$)/.test(c));
}

export function completionScript(shell: Shell, app: string): string {
  const fn = `_${app.replace(/[^A-Za-z0-9_]/g, '_')}_completions`;
  switch (shell) {
    case 'bash':
      return `###-begin-${app}-completions-###
# bash completion for ${app}. Install: eval "$(${app} completion bash)", or ${app} completion bash >> ~/.bashrc
${fn}()
{
    local cur_word type_list
    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    mapfile -t type_list < <(${app} --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}")
    mapfile -t COMPREPLY < <(compgen -W "$( printf '%q ' "\${type_list[@]}" )" -- "\${cur_word}")
    return 0
}
complete -o bashdefault -o default -F ${fn} ${app}
###-end-${app}-completions-###`;
    case 'zsh':
      return `#compdef ${app}
###-begin-${app}-completions-###
# zsh completion for ${app}. Install: eval "$(${app} completion zsh)", or ${app} completion zsh >> ~/.zshrc
${fn}()
{
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" ${app} --get-yargs-completions "\${words[@]:0:CURRENT}"))
  IFS=$si
  if [[ \${#reply} -gt 0 ]]; then
    _describe 'values' reply
  else
    _files
  fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${app}
fi
###-end-${app}-completions-###`;
    case 'fish':
      return `###-begin-${app}-completions-###
# fish completion for ${app}. Install: ${app} completion fish > ~/.config/fish/completions/${app}.fish
function ${fn}
    set -l words (commandline -opc) (commandline -ct)
    ${app} --get-yargs-completions $words | string replace -r '^([^:]*):(.*)$' '$1\\t$2'
end
complete -c ${app} -a '(${fn})'
###-end-${app}-completions-###`;
  }
}
