import type { Argv, CommandModule } from 'yargs';
import { out, outJson } from '../io.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';

interface Args extends OutputArgs {
  shell: 'bash' | 'zsh';
}

/**
 * Both scripts ask the CLI itself for the words (yargs' `--get-yargs-completions` protocol,
 * enabled in main.ts), so they stay right as commands and flags change.
 */
function script(shell: Args['shell']): string {
  switch (shell) {
    case 'bash':
      return `###-begin-modelseal-completions-###
_modelseal_completions() {
  local words
  words=$(modelseal --get-yargs-completions "\${COMP_WORDS[@]:0:$((COMP_CWORD + 1))}" 2>/dev/null)
  COMPREPLY=($(compgen -W "\${words}" -- "\${COMP_WORDS[COMP_CWORD]}"))
  [ \${#COMPREPLY[@]} -eq 0 ] && compopt -o default 2>/dev/null
  return 0
}
complete -o bashdefault -o default -F _modelseal_completions modelseal
###-end-modelseal-completions-###`;
    case 'zsh':
      return `#compdef modelseal
###-begin-modelseal-completions-###
_modelseal() {
  local -a words_out
  words_out=("\${(@f)$(modelseal --get-yargs-completions "\${words[@]:0:$CURRENT}" 2>/dev/null)}")
  _describe 'modelseal' words_out
}
compdef _modelseal modelseal
###-end-modelseal-completions-###`;
    default:
      return shell satisfies never;
  }
}

export const completionCommand: CommandModule<object, Args> = {
  command: 'completion [shell]',
  describe: 'print a shell completion script (bash or zsh)',
  builder: (y: Argv) =>
    withOutput(y).positional('shell', {
      choices: ['bash', 'zsh'] as const,
      default: 'bash' as const,
      describe: 'the shell to complete in',
    }) as Argv<Args>,
  handler: (argv) => {
    const text = script(argv.shell);
    if (argv.output === 'json') outJson({ ok: true, shell: argv.shell, script: text });
    else out(text);
  },
};
