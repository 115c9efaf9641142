//! Installing a Debian package the tooling needs: as root directly, otherwise through sudo, and
//! after refreshing the package lists, which a fresh machine has not fetched yet.

use std::process::Command;

use crate::cargo::run_checked;

/// `apt-get update` then `apt-get install -y -q <package>`.
pub(crate) fn apt_install(package: &str) -> Result<(), String> {
    println!("xtask: installing the Debian package {package}");
    let mut update = apt_get()?;
    update.args(["update", "-q"]);
    run_checked(update)?;
    let mut install = apt_get()?;
    install.args(["install", "-y", "-q", package]);
    run_checked(install)
}

/// `apt-get`, through sudo unless this process is root. Root is judged by the effective user
/// id the kernel reports, not by `$USER`, which CI and containers often leave unset.
fn apt_get() -> Result<Command, String> {
    if is_root() {
        return Ok(Command::new("apt-get"));
    }
    let sudo_found = Command::new("sudo").arg("--version").output().is_ok();
    if !sudo_found {
        return Err("installing a Debian package needs root or sudo; neither is here".into());
    }
    let mut sudo = Command::new("sudo");
    sudo.arg("apt-get");
    Ok(sudo)
}

/// Whether the effective user id is 0, read from `/proc/self/status` (`Uid: real effective ...`).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| effective_uid(&status))
        .is_some_and(|uid| uid == 0)
}

fn effective_uid(status: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_effective_uid_is_the_second_number() {
        let status = "Name:\tcargo\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n";
        assert_eq!(effective_uid(status), Some(0));
        assert_eq!(effective_uid("Uid:\t1000\t1000\t1000\t1000\n"), Some(1000));
        assert_eq!(effective_uid("Name:\tx\n"), None);
    }
}
