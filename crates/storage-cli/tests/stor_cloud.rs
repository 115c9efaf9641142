//! `stor` as a process against a cloud backend's local server (the one `cargo xtask test`
//! started; its environment names it): a local tree copied up and back (`-r`) and compared
//! byte for byte, `ls`, `stat --json`, `cat --range`, a server-side copy, `mv`, `presign`,
//! `rm -r`, and `mb` / `rb`; then `cp` and `mv` into a second store holding a bucket of the same
//! name (another server, or another Azure account), which must land there and not in the
//! source's store. It fails loudly when a server is not named: nothing passes by skipping.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode, Output};

// The root of a test target looks for modules beside it, not in `stor_cloud/`.
#[path = "stor_cloud/bulk.rs"]
mod bulk;
#[path = "stor_cloud/exit_codes.rs"]
mod exit_codes;
#[path = "support/fed.rs"]
mod fed;
#[path = "stor_cloud/names_config.rs"]
mod names_config;
#[path = "stor_cloud/output.rs"]
mod output;
#[path = "stor_cloud/pipes_metadata.rs"]
mod pipes_metadata;
#[path = "stor_cloud/sync.rs"]
mod sync;

/// The store under test: its name and the URL of a fresh prefix in it (with a `?query`).
struct Target {
    service: String,
    /// `scheme://bucket/prefix/`
    base: String,
    /// `?key=value&...`
    query: String,
    /// A second bucket's URL, for mb / rb.
    other_bucket: String,
    /// The same prefix in a bucket of the same name in another store: `(base, query)`.
    peer: (String, String),
}

impl Target {
    fn url(&self, rel: &str) -> String {
        format!("{}{rel}{}", self.base, self.query)
    }

    fn peer_url(&self, rel: &str) -> String {
        format!("{}{rel}{}", self.peer.0, self.peer.1)
    }

    /// The peer's bucket itself (made by the test where the server does not hold it).
    fn peer_bucket(&self) -> String {
        let bucket = self.peer.0.split("/stor-").next().unwrap_or_default();
        format!("{bucket}{}", self.peer.1)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn target(run: &str) -> Result<Target, String> {
    if let Some(service) = env("RS_STORAGE_S3_SERVICE") {
        let need = |n: &str| env(n).ok_or(format!("{n} is not set"));
        let query = format!(
            "?endpoint={}&force-path-style=true&region=us-east-1&access-key={}&secret-access-key={}",
            encoded(&need("RS_STORAGE_S3_ENDPOINT")?),
            need("RS_STORAGE_S3_ACCESS_KEY")?,
            need("RS_STORAGE_S3_SECRET_KEY")?
        );
        let bucket = need("RS_STORAGE_S3_BUCKET")?;
        // The second server differs in its endpoint only: same bucket, keys and region.
        let peer_query = query.replace(
            &encoded(&need("RS_STORAGE_S3_ENDPOINT")?),
            &encoded(&need("RS_STORAGE_S3_PEER_ENDPOINT")?),
        );
        return Ok(Target {
            service,
            base: format!("s3://{bucket}/stor-{run}/"),
            other_bucket: format!("s3://stor-{run}{query}"),
            peer: (format!("s3://{bucket}/stor-{run}/"), peer_query),
            query,
        });
    }
    if let Some(service) = env("RS_STORAGE_AZBLOB_SERVICE") {
        let need = |n: &str| env(n).ok_or(format!("{n} is not set"));
        let query = format!(
            "?connection-string=UseDevelopmentStorage%3Dtrue&endpoint={}",
            encoded(&need("RS_STORAGE_AZBLOB_ENDPOINT")?)
        );
        let container = need("RS_STORAGE_AZBLOB_CONTAINER")?;
        // Another account of the same Azurite, with a container of the same name.
        let peer_query = format!(
            "?account-name={}&account-key={}&endpoint={}",
            need("RS_STORAGE_AZBLOB_PEER_ACCOUNT")?,
            encoded(&need("RS_STORAGE_AZBLOB_PEER_KEY")?),
            encoded(&need("RS_STORAGE_AZBLOB_PEER_ENDPOINT")?)
        );
        return Ok(Target {
            service,
            base: format!("azblob://{container}/stor-{run}/"),
            other_bucket: format!("azblob://stor-{run}{query}"),
            peer: (format!("azblob://{container}/stor-{run}/"), peer_query),
            query,
        });
    }
    if let Some(service) = env("RS_STORAGE_GCS_SERVICE") {
        let need = |n: &str| env(n).ok_or(format!("{n} is not set"));
        let query = format!(
            "?endpoint={}&credentials-file={}&project-id=test-project",
            encoded(&need("RS_STORAGE_GCS_ENDPOINT")?),
            encoded(&need("RS_STORAGE_GCS_CREDENTIALS")?)
        );
        let bucket = need("RS_STORAGE_GCS_BUCKET")?;
        // A second server holding the same bucket, reached with the same credentials.
        let peer_query = query.replace(
            &encoded(&need("RS_STORAGE_GCS_ENDPOINT")?),
            &encoded(&need("RS_STORAGE_GCS_PEER_ENDPOINT")?),
        );
        return Ok(Target {
            service,
            base: format!("gcs://{bucket}/stor-{run}/"),
            other_bucket: format!("gcs://stor-{run}{query}"),
            peer: (format!("gcs://{bucket}/stor-{run}/"), peer_query),
            query,
        });
    }
    Err(
        "no cloud server is named (RS_STORAGE_S3_SERVICE, RS_STORAGE_AZBLOB_SERVICE or \
         RS_STORAGE_GCS_SERVICE): run it through `cargo xtask test`"
            .into(),
    )
}

fn stor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stor"))
        .args(args)
        .output()
        .expect("stor runs")
}

fn ok(args: &[&str]) -> Result<String, String> {
    let out = stor(args);
    if !out.status.success() {
        return Err(format!(
            "stor {} failed: {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn check(what: &str, holds: bool, detail: impl std::fmt::Display) -> Result<(), String> {
    match holds {
        true => Ok(()),
        false => Err(format!("{what}: {detail}")),
    }
}

/// A tree with an empty file, small ones, a nested one and one of several parts.
fn make_tree(dir: &Path) {
    fs::create_dir_all(dir.join("sub/deeper")).unwrap();
    fs::write(dir.join("a.txt"), "alpha").unwrap();
    fs::write(dir.join("empty"), "").unwrap();
    fs::write(dir.join("sub/b.txt"), "bravo!").unwrap();
    let big: Vec<u8> = (0..(9u32 << 20)).map(|i| (i % 251) as u8).collect();
    fs::write(dir.join("sub/deeper/big.bin"), big).unwrap();
}

fn same_tree(a: &Path, b: &Path) -> Result<(), String> {
    for rel in ["a.txt", "empty", "sub/b.txt", "sub/deeper/big.bin"] {
        let (x, y) = (fs::read(a.join(rel)), fs::read(b.join(rel)));
        let same = matches!((&x, &y), (Ok(x), Ok(y)) if x == y);
        check(
            &format!("{rel} after the round trip"),
            same,
            "differs or is missing",
        )?;
    }
    Ok(())
}

fn run(t: &Target, dir: &Path) -> Result<usize, String> {
    let up = dir.join("up");
    let down = dir.join("down");
    make_tree(&up);
    let local = |p: &Path| format!("{}/", p.display());
    let mut checks = 0;
    // The bucket the server was started with, or the one the conformance suite made; with
    // this suite alone (`--suite stor-cli`) Azurite has none yet.
    let bucket = format!(
        "{}{}",
        t.base.split("/stor-").next().unwrap_or_default(),
        t.query
    );
    if !stor(&["ls", &bucket]).status.success() {
        ok(&["mb", &bucket])?;
    }

    ok(&[
        "cp",
        "-r",
        "--part-size",
        "5MiB",
        &local(&up),
        &t.url("tree/"),
    ])?;
    let listed = ok(&["ls", "-r", &t.url("tree/")])?;
    let mut names: Vec<&str> = listed.lines().collect();
    names.sort();
    let expected = ["a.txt", "empty", "sub/b.txt", "sub/deeper/big.bin"];
    check("ls -r after cp -r", names == expected, format!("{names:?}"))?;
    checks += 1;

    let top = ok(&["ls", "--json", &t.url("tree/")])?;
    check(
        "ls --json",
        top.lines().count() == 3 && top.contains("\"mode\":\"dir\""),
        &top,
    )?;
    checks += 1;

    let stat = ok(&["stat", "--json", &t.url("tree/sub/deeper/big.bin")])?;
    check(
        "stat --json size",
        stat.contains(&format!("\"size\":{}", 9u32 << 20)),
        &stat,
    )?;
    checks += 1;

    let head = ok(&["cat", "--range", "1-3", &t.url("tree/a.txt")])?;
    check("cat --range 1-3", head == "lph", &head)?;
    checks += 1;

    ok(&["cp", "-r", &t.url("tree/"), &local(&down)])?;
    same_tree(&up, &down)?;
    checks += 1;

    // Within one store: a server-side copy, then a move.
    ok(&["cp", &t.url("tree/a.txt"), &t.url("copied/a.txt")])?;
    ok(&["mv", &t.url("copied/a.txt"), &t.url("moved/a.txt")])?;
    let moved = ok(&["cat", &t.url("moved/a.txt")])?;
    check("content after cp and mv", moved == "alpha", &moved)?;
    let gone = stor(&["stat", &t.url("copied/a.txt")]);
    check(
        "mv removes its source",
        !gone.status.success(),
        "the source is still there",
    )?;
    checks += 1;

    let signed = ok(&["presign", "--expires", "10m", &t.url("tree/a.txt")])?;
    check("presign prints a URL", signed.starts_with("http"), &signed)?;
    checks += 1;

    ok(&["rm", "-r", &t.url("")])?;
    let left = ok(&["ls", "-r", &t.url("")])?;
    check("rm -r leaves nothing", left.trim().is_empty(), &left)?;
    checks += 1;

    ok(&["mb", &t.other_bucket])?;
    ok(&["rb", &t.other_bucket])?;
    checks += 1;

    checks += between_two_stores(t, &up)?;
    checks += exit_codes::run(t, dir)?;
    checks += pipes_metadata::run(t, dir)?;
    checks += output::run(t, dir)?;
    checks += names_config::run(t, dir)?;
    checks += sync::run(t, dir)?;
    checks += bulk::run(t, dir)?;

    // One line of error naming the URL, without its secrets.
    let missing = stor(&["cat", &t.url("no/such/object")]);
    let err = String::from_utf8_lossy(&missing.stderr);
    let s3_secret = std::env::var("RS_STORAGE_S3_SECRET_KEY").unwrap_or_default();
    let peer_key = std::env::var("RS_STORAGE_AZBLOB_PEER_KEY").unwrap_or_default();
    let secret_shown = [s3_secret.as_str(), peer_key.as_str(), "Eby8vdM02"]
        .iter()
        .any(|s| !s.is_empty() && err.contains(s));
    check(
        "an error is one masked line",
        !missing.status.success() && err.trim().lines().count() == 1 && !secret_shown,
        &err,
    )?;
    checks += 1;
    Ok(checks)
}

/// Whether `url` names an object (`stat` finds it).
fn exists(url: &str) -> bool {
    stor(&["stat", url]).status.success()
}

/// `cp` and `mv`, of one object and of a tree, from the store under test into another store
/// holding a bucket of the same name: each lands in the destination's store, never in the
/// source's; `cp` leaves the source, `mv` removes it. A server-side copy on the source's
/// client would put the object into the source's own bucket and still exit 0.
fn between_two_stores(t: &Target, up: &Path) -> Result<usize, String> {
    if stor(&["ls", &t.peer_bucket()]).status.success() {
        // The server holds the bucket already (the GCS test server is started with it).
    } else {
        ok(&["mb", &t.peer_bucket()])?;
    }
    let local = format!("{}/", up.display());
    ok(&["cp", "-r", &local, &t.url("from/")])?;
    let mut checks = 0;

    ok(&["cp", &t.url("from/a.txt"), &t.peer_url("copied/a.txt")])?;
    let there = ok(&["cat", &t.peer_url("copied/a.txt")])?;
    check(
        "cp to the other store lands there",
        there == "alpha",
        &there,
    )?;
    check(
        "cp to the other store leaves the source's store alone",
        exists(&t.url("from/a.txt")) && !exists(&t.url("copied/a.txt")),
        "the source is gone, or the copy went into the source's store",
    )?;
    checks += 1;

    ok(&["mv", &t.url("from/sub/b.txt"), &t.peer_url("moved/b.txt")])?;
    let there = ok(&["cat", &t.peer_url("moved/b.txt")])?;
    check(
        "mv to the other store lands there",
        there == "bravo!",
        &there,
    )?;
    check(
        "mv to the other store removes the source and nothing else appears there",
        !exists(&t.url("from/sub/b.txt")) && !exists(&t.url("moved/b.txt")),
        "the source is still there, or the object went into the source's store",
    )?;
    checks += 1;

    // The same path on both sides: only the store tells source and destination apart.
    ok(&["cp", "-r", &t.url("from/"), &t.peer_url("from/")])?;
    let listed = ok(&["ls", "-r", &t.peer_url("from/")])?;
    let mut names: Vec<&str> = listed.lines().collect();
    names.sort();
    let expected = ["a.txt", "empty", "sub/deeper/big.bin"];
    check(
        "cp -r to the other store",
        names == expected,
        format!("{names:?}"),
    )?;
    let still = ok(&["ls", "-r", &t.url("from/")])?;
    check(
        "cp -r to the other store leaves the source",
        still.lines().count() == 3,
        &still,
    )?;
    checks += 1;

    ok(&["rm", "-r", &t.peer_url("from/")])?;
    ok(&["mv", "-r", &t.url("from/"), &t.peer_url("from/")])?;
    let listed = ok(&["ls", "-r", &t.peer_url("from/")])?;
    let mut names: Vec<&str> = listed.lines().collect();
    names.sort();
    check(
        "mv -r to the other store",
        names == expected,
        format!("{names:?}"),
    )?;
    let big = ok(&["stat", "--json", &t.peer_url("from/sub/deeper/big.bin")])?;
    check(
        "mv -r moved the multi-part object whole",
        big.contains(&format!("\"size\":{}", 9u32 << 20)),
        &big,
    )?;
    let left = ok(&["ls", "-r", &t.url("from/")])?;
    check("mv -r removes the source", left.trim().is_empty(), &left)?;
    checks += 1;

    ok(&["rm", "-r", &t.url("")])?;
    ok(&["rm", "-r", &t.peer_url("")])?;
    Ok(checks)
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--list") {
        println!("stor_cloud: test");
        return ExitCode::SUCCESS;
    }
    let run_id = format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
    );
    let target = match target(&run_id) {
        Ok(target) => target,
        Err(err) => {
            eprintln!("FAIL {err}");
            return ExitCode::FAILURE;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    match run(&target, dir.path()) {
        Ok(checks) => {
            println!("stor-cli {}: {checks} passed, 0 failed", target.service);
            ExitCode::SUCCESS
        }
        Err(err) => {
            println!("FAIL {err}");
            println!("stor-cli {}: failed", target.service);
            ExitCode::FAILURE
        }
    }
}
