//! Installing a Debian package the tooling needs (with sudo unless running as root).

use std::process::Command;

use crate::cargo::run_checked;

/// `apt-get install -y -q <package>`.
pub(crate) fn apt_install(package: &str) -> Result<(), String> {
    println!("xtask: installing the Debian package {package}");
    let mut cmd = if std::env::var("USER").as_deref() == Ok("root") {
        Command::new("apt-get")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg("apt-get");
        sudo
    };
    cmd.args(["install", "-y", "-q", package]);
    run_checked(cmd)
}
