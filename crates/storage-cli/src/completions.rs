//! `stor completions SHELL`: the completion script clap_complete writes for a shell.

use std::io::Write;

use anyhow::{Context, Result};
use clap::Args;
use clap_complete::Shell;

/// `stor completions SHELL`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum, ignore_case = true)]
    pub(crate) shell: Shell,
}

/// `stor completions`: the script on standard output.
pub(crate) fn completions(args: CompletionsArgs, stor: clap::Command) -> Result<()> {
    let script = script(args.shell, stor);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&script).and_then(|()| stdout.flush()) {
        // `stor completions bash | head` has what it wanted.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("standard output"),
    }
}

/// The script for `shell`, built in memory: clap_complete panics when its writer fails, and a
/// closed standard output is no reason to panic.
fn script(shell: Shell, mut command: clap::Command) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "stor", &mut script);
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command shaped like stor's: a subcommand with a flag. (stor's own script is checked
    /// through the binary in tests/cli.rs.)
    fn command() -> clap::Command {
        clap::Command::new("stor").subcommand(
            clap::Command::new("sync").arg(clap::Arg::new("delete").long("delete").num_args(0)),
        )
    }

    #[test]
    fn every_shell_gets_a_script_with_the_subcommands_and_flags() {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::PowerShell,
            Shell::Elvish,
        ] {
            let text = String::from_utf8(script(shell, command())).unwrap_or_default();
            assert!(text.contains("stor") && text.contains("sync"), "{shell}");
            assert!(text.contains("delete"), "{shell}: flags are completed too");
        }
    }
}
