//! `stor`'s exit codes against the server, one real case for each (7: bulk.rs has its producer;
//! exit.rs's unit tests cover its mapping), and `ls -h`, `cat --range -N` and `du`.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::{Target, check, encoded, env, ok, stor};

/// Runs `stor` and returns its exit code (`None`: killed by a signal).
fn code(args: &[&str]) -> (Option<i32>, String) {
    let out = stor(args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    )
}

fn expect(what: &str, args: &[&str], want: i32) -> Result<usize, String> {
    let (got, err) = code(args);
    check(
        &format!("{what}: exit {want}"),
        got == Some(want),
        format!("exit {got:?}: {err}"),
    )?;
    Ok(1)
}

/// The query with the endpoint `from` replaced by `to` (both raw).
fn with_endpoint(query: &str, from: &str, to: &str) -> String {
    query.replace(&encoded(from), &encoded(to))
}

/// The service's endpoint, as the environment names it.
fn endpoint(t: &Target) -> Option<String> {
    let name = match t.base.split(':').next() {
        Some("s3") => "RS_STORAGE_S3_ENDPOINT",
        Some("azblob") => "RS_STORAGE_AZBLOB_ENDPOINT",
        _ => "RS_STORAGE_GCS_ENDPOINT",
    };
    env(name)
}

/// The same store reached with credentials the server refuses.
fn bad_credentials(t: &Target, dir: &Path) -> Result<String, String> {
    let need = |n: &str| env(n).ok_or(format!("{n} is not set"));
    if let Some(secret) = env("RS_STORAGE_S3_SECRET_KEY") {
        return Ok(t.query.replace(
            &format!("secret-access-key={secret}"),
            "secret-access-key=not-the-secret",
        ));
    }
    if t.base.starts_with("azblob:") {
        // The emulator's own account, with a key of the right shape that is not its key.
        let wrong_key = format!("{}==", "A".repeat(86));
        return Ok(format!(
            "?account-name=devstoreaccount1&account-key={}&endpoint={}",
            encoded(&wrong_key),
            encoded(&need("RS_STORAGE_AZBLOB_ENDPOINT")?)
        ));
    }
    // GCS: the same key file under another account's name; the server accepts tokens issued by
    // its own account only.
    let file = need("RS_STORAGE_GCS_CREDENTIALS")?;
    let key = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let mut json: serde_json::Value = serde_json::from_str(&key).map_err(|e| e.to_string())?;
    json["client_email"] = "stranger@elsewhere.iam.gserviceaccount.com".into();
    let other = dir.join("stranger.json");
    std::fs::write(&other, json.to_string()).map_err(|e| e.to_string())?;
    Ok(t.query
        .replace(&encoded(&file), &encoded(&other.display().to_string())))
}

/// The same store behind a port nobody listens on, with retries off so that the failure
/// comes at once.
fn unreachable(t: &Target) -> Result<String, String> {
    let endpoint = endpoint(t).ok_or("the endpoint is not set")?;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let host_port = endpoint
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .ok_or("the endpoint has no host")?;
    let moved = endpoint.replace(host_port, &format!("127.0.0.1:{closed}"));
    let retries = if t.base.starts_with("s3:") {
        "&max-attempts=1"
    } else {
        "&max-retries=0"
    };
    Ok(format!(
        "{}{retries}",
        with_endpoint(&t.query, &endpoint, &moved)
    ))
}

/// `stor cat` of a large object into a pipe nobody reads, then `kill -SIGNAL` once output
/// has begun (so the handler is in place; then the pipe fills and stor waits): its output.
pub(super) fn cat_then_signal(url: &str, signal: &str) -> Result<Output, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stor"))
        .args(["cat", url])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut first = [0u8; 1];
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    stdout.read_exact(&mut first).map_err(|e| e.to_string())?;
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status();
    check(
        &format!("kill -{signal} runs"),
        matches!(sent, Ok(s) if s.success()),
        format!("{sent:?}"),
    )?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    drop(stdout);
    Ok(out)
}

/// Ctrl-C: exit 130.
fn interrupted(url: &str) -> Result<usize, String> {
    let out = cat_then_signal(url, "INT")?;
    let err = String::from_utf8_lossy(&out.stderr);
    check(
        "Ctrl-C: exit 130 and one line",
        out.status.code() == Some(130) && err.trim() == "stor: interrupted",
        format!("exit {:?}: {err}", out.status.code()),
    )?;
    Ok(1)
}

pub(super) fn run(t: &Target, dir: &Path) -> Result<usize, String> {
    let mut checks = 0;
    let small = dir.join("alpha.txt");
    std::fs::write(&small, "alpha").map_err(|e| e.to_string())?;
    let kib = dir.join("kib.bin");
    std::fs::write(&kib, vec![7u8; 1536]).map_err(|e| e.to_string())?;
    let big = dir.join("big.bin");
    std::fs::write(&big, vec![1u8; 4 << 20]).map_err(|e| e.to_string())?;
    let local = |p: &Path| p.display().to_string();
    ok(&["cp", &local(&small), &t.url("exit/a.txt")])?;
    ok(&["cp", &local(&kib), &t.url("exit/sub/kib.bin")])?;
    ok(&["cp", &local(&big), &t.url("exit/big.bin")])?;

    // 3: not found.
    checks += expect(
        "stat of a missing object",
        &["stat", &t.url("exit/nothing")],
        3,
    )?;
    checks += expect("rm of a missing object", &["rm", &t.url("exit/nothing")], 3)?;
    checks += expect(
        "cat of a missing object",
        &["cat", &t.url("exit/nothing")],
        3,
    )?;

    // 4: credentials the server refuses.
    let bad = bad_credentials(t, dir)?;
    let object = format!("{}exit/a.txt{bad}", t.base);
    checks += expect("stat with a bad credential", &["stat", &object], 4)?;

    // 5: a temporary failure (nobody listening).
    let gone = unreachable(t)?;
    let object = format!("{}exit/a.txt{gone}", t.base);
    checks += expect("stat of an unreachable server", &["stat", &object], 5)?;

    // 6: conflicts. The bucket under test exists already; a bucket with an object is not
    // removed.
    let bucket = t.base.split("/stor-").next().unwrap_or_default();
    checks += expect(
        "mb of an existing bucket",
        &["mb", &format!("{bucket}{}", t.query)],
        6,
    )?;
    let (other, other_query) = t
        .other_bucket
        .split_once('?')
        .ok_or("the other bucket has no query")?;
    ok(&["mb", &t.other_bucket])?;
    ok(&[
        "cp",
        &local(&small),
        &format!("{other}/keep.txt?{other_query}"),
    ])?;
    checks += expect(
        "rb of a bucket that is not empty",
        &["rb", &t.other_bucket],
        6,
    )?;
    let kept = ok(&["cat", &format!("{other}/keep.txt?{other_query}")])?;
    check("rb refused leaves the object", kept == "alpha", &kept)?;
    ok(&["rm", &format!("{other}/keep.txt?{other_query}")])?;
    ok(&["rb", &t.other_bucket])?;

    // 2: usage, ours and clap's.
    checks += expect("an unknown scheme", &["stat", "nosuch://bucket/x"], 2)?;
    checks += expect(
        "cp of a directory without -r",
        &["cp", &t.url("exit/"), &local(&dir.join("down/"))],
        2,
    )?;
    checks += expect(
        "a backwards range",
        &["cat", "--range", "3-1", &t.url("exit/a.txt")],
        2,
    )?;
    checks += expect("an unknown flag", &["stat", "--no-such-flag", "x"], 2)?;

    // 1: anything else; a range past the end is not the command line's fault.
    checks += expect(
        "a range past the end",
        &["cat", "--range", "100-", &t.url("exit/a.txt")],
        1,
    )?;

    // 130: Ctrl-C.
    checks += interrupted(&t.url("exit/big.bin"))?;

    // cat --range -N: the last N bytes; more than the object holds is all of it.
    let tail = ok(&["cat", "--range", "-3", &t.url("exit/a.txt")])?;
    check("cat --range -3", tail == "pha", &tail)?;
    checks += 1;
    let all = ok(&["cat", "--range=-100", &t.url("exit/a.txt")])?;
    check("cat --range=-100 of 5 bytes", all == "alpha", &all)?;
    checks += 1;

    // ls -h: human sizes, with or without -l; --help still works.
    let long = ok(&["ls", "-l", "-h", &t.url("exit/sub/")])?;
    check(
        "ls -l -h",
        long.contains("1.5 KiB") && long.contains("kib.bin"),
        &long,
    )?;
    checks += 1;
    let short = ok(&["ls", "-h", &t.url("exit/")])?;
    check(
        "ls -h alone is long with human sizes",
        short.contains("4.0 MiB") && short.contains("5 B") && short.contains("DIR"),
        &short,
    )?;
    checks += 1;
    let help = ok(&["ls", "--help"])?;
    check("ls --help", help.contains("--human-readable"), &help)?;
    checks += 1;

    // du: bytes and objects below a prefix.
    let total = 5 + 1536 + (4u64 << 20);
    let du = ok(&["du", &t.url("exit/")])?;
    check("du", du.starts_with(&format!("{total}  3 objects  ")), &du)?;
    checks += 1;
    let du = ok(&["du", "--json", &t.url("exit/sub/")])?;
    let json: serde_json::Value = serde_json::from_str(&du).map_err(|e| format!("{e}: {du}"))?;
    check(
        "du --json",
        json["bytes"] == 1536 && json["objects"] == 1,
        &du,
    )?;
    checks += 1;
    let du = ok(&["du", "-h", &t.url("exit/")])?;
    check("du -h", du.starts_with("4.0 MiB  3 objects"), &du)?;
    checks += 1;
    let du = ok(&["du", &t.url("exit/a.txt")])?;
    check("du of one object", du.starts_with("5  1 object  "), &du)?;
    checks += 1;

    ok(&["rm", "-r", &t.url("exit/")])?;
    Ok(checks)
}
