//! A throwaway certificate authority and a server certificate for 127.0.0.1, made with the
//! `openssl` command, for local servers that must speak HTTPS.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cargo::run_checked;

/// Writes `ca.pem`, `server.pem` and `server.key` into `dir`; returns their paths.
pub(crate) fn make_certificates(dir: &Path) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    let ca_key = dir.join("ca.key");
    let ca = dir.join("ca.pem");
    let csr = dir.join("server.csr");
    let key = dir.join("server.key");
    let cert = dir.join("server.pem");
    let ext = dir.join("server.ext");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| format!("cannot write {}: {e}", ext.display()))?;
    let mut make_ca = openssl();
    make_ca
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=rs-storage test CA"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign"])
        .arg("-keyout")
        .arg(&ca_key)
        .arg("-out")
        .arg(&ca);
    run_checked(make_ca)?;
    let mut request = openssl();
    request
        .args([
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&csr);
    run_checked(request)?;
    let mut sign = openssl();
    sign.args(["x509", "-req", "-days", "2", "-CAcreateserial"])
        .arg("-in")
        .arg(&csr)
        .arg("-CA")
        .arg(&ca)
        .arg("-CAkey")
        .arg(&ca_key)
        .arg("-out")
        .arg(&cert)
        .arg("-extfile")
        .arg(&ext);
    run_checked(sign)?;
    Ok((ca, cert, key))
}

fn openssl() -> Command {
    let mut cmd = Command::new("openssl");
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}
