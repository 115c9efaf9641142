//! Sizes for people (`ls -h`, `du -h`): IEC units as rclone and gcloud print them, and the
//! `-h` flag itself, which takes the place of clap's short help flag on those commands.

use clap::Args;

/// `-h/--human-readable`, with `--help` kept (flatten it into a command that disables clap's
/// own help flag).
#[derive(Debug, Args)]
pub(crate) struct HumanArgs {
    /// Sizes in B, KiB, MiB, GiB ... instead of bytes (`ls -h` implies -l).
    #[arg(short = 'h', long = "human-readable")]
    pub(crate) human: bool,
    /// Print help (`-h` means human-readable sizes here).
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
}

impl HumanArgs {
    /// `bytes` as this flag asks: a plain number, or a number and a unit.
    pub(crate) fn size(&self, bytes: u64) -> String {
        if self.human {
            human(bytes)
        } else {
            bytes.to_string()
        }
    }
}

/// `512 B`, `1.5 KiB`, `9.0 MiB`, `12 GiB`: one decimal below ten units, none above.
pub(crate) fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    // Precision lost past 2^53 bytes does not show in one decimal.
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// `--part-size` (and the other size flags): the size parser of URL keys, so that both take
/// the same spellings.
pub(crate) fn size_flag(text: &str) -> Result<u64, String> {
    storage::types::backend::parse_size("a size", text).map_err(|err| err.message().to_owned())
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn units_and_decimals() {
        assert_eq!(human(0), "0 B");
        assert_eq!(human(1023), "1023 B");
        assert_eq!(human(1024), "1.0 KiB");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(9 << 20), "9.0 MiB");
        assert_eq!(human(10 << 20), "10 MiB");
        assert_eq!(human(3 << 40), "3.0 TiB");
        assert_eq!(human(u64::MAX), "16 EiB");
    }
}
