//! `stor cp` through pipes and with upload metadata: 20 MiB piped into `stor cp - URL` and read
//! back, `stor cp URL -` to standard output, `--expected-size` right and wrong (a wrong one
//! fails and stores nothing), content types guessed from names, `--content-type`,
//! `--cache-control`, `--content-encoding` and `--metadata` read back by `stat --json`, and
//! `--checksum-algorithm` on a local file.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::fed::stor_fed;
use super::{Target, check, exists, ok, stor};

/// The size of the piped stream: more than two parts of every backend's default part size.
const PIPED: usize = 20 << 20;

/// Bytes that differ from part to part, so that a part sent twice or out of order shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i % 251) ^ (i >> 20)) as u8).collect()
}

fn fed_ok(args: &[&str], input: Vec<u8>) -> Result<(), String> {
    let out = stor_fed(args, input);
    check(
        &format!("stor {}", args.join(" ")),
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).trim(),
    )
}

/// `"name":"value"` in a `stat --json` line.
fn field(name: &str, value: &str) -> String {
    format!("\"{name}\":\"{value}\"")
}

pub(super) fn run(t: &Target, dir: &Path) -> Result<usize, String> {
    let dir = &dir.join("pipes");
    fs::create_dir_all(dir).unwrap();
    let data = pattern(PIPED);
    let mut checks = 0;

    let piped = t.url("pipes/piped.bin");
    fed_ok(&["cp", "-", &piped], data.clone())?;
    let back = dir.join("piped.bin");
    ok(&["cp", &piped, &back.display().to_string()])?;
    check(
        "20 MiB piped into stor cp - URL reads back identical",
        fs::read(&back).ok().as_deref() == Some(&data[..]),
        "differs",
    )?;
    checks += 1;

    let out = stor(&["cp", &piped, "-"]);
    check(
        "stor cp URL - writes the object to standard output",
        out.status.success() && out.stdout == data,
        format!(
            "{} bytes, {}",
            out.stdout.len(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    )?;
    checks += 1;

    let sized = t.url("pipes/sized.bin");
    fed_ok(
        &["cp", "--expected-size", "20MiB", "-", &sized],
        data.clone(),
    )?;
    let out = stor(&["cp", &sized, "-"]);
    check(
        "--expected-size of the stream's size",
        out.status.success() && out.stdout == data,
        format!("{} bytes read back", out.stdout.len()),
    )?;
    checks += 1;

    // A stream shorter than declared (past one part), then one longer (within one part).
    for (declared, name) in [("21MiB", "short.bin"), ("1MiB", "long.bin")] {
        let url = t.url(&format!("pipes/{name}"));
        let input = if name == "long.bin" {
            pattern(2 << 20)
        } else {
            data.clone()
        };
        let out = stor_fed(&["cp", "--expected-size", declared, "-", &url], input);
        check(
            &format!("--expected-size {declared} of another size fails and stores nothing"),
            !out.status.success() && !exists(&url),
            format!(
                "exit {:?}, object there: {}",
                out.status.code(),
                exists(&url)
            ),
        )?;
        checks += 1;
    }

    let out = stor_fed(&["mv", "-", &t.url("pipes/moved.bin")], b"x".to_vec());
    check(
        "stor mv - is a usage error",
        !out.status.success() && !exists(&t.url("pipes/moved.bin")),
        String::from_utf8_lossy(&out.stderr).trim(),
    )?;
    checks += 1;

    for (name, expected) in [("x.json", "application/json"), ("x.html", "text/html")] {
        let local = dir.join(name);
        fs::write(&local, "{}").unwrap();
        let url = t.url(&format!("pipes/{name}"));
        ok(&["cp", &local.display().to_string(), &url])?;
        let stat = ok(&["stat", "--json", &url])?;
        check(
            &format!("content type guessed for {name}"),
            stat.contains(&field("content_type", expected)),
            &stat,
        )?;
        checks += 1;
    }
    let url = t.url("pipes/stdin.html");
    fed_ok(&["cp", "-", &url], b"<p>".to_vec())?;
    let stat = ok(&["stat", "--json", &url])?;
    check(
        "content type guessed for standard input from the destination's name",
        stat.contains(&field("content_type", "text/html")),
        &stat,
    )?;
    checks += 1;

    let local = dir.join("flags.json");
    fs::write(&local, "flags").unwrap();
    let url = t.url("pipes/flags.json");
    ok(&[
        "cp",
        "--content-type",
        "text/x-stor",
        "--cache-control",
        "max-age=60",
        "--content-encoding",
        "gzip",
        "--metadata",
        "owner=stor",
        "--metadata",
        "purpose=a=b",
        &local.display().to_string(),
        &url,
    ])?;
    let stat = ok(&["stat", "--json", &url])?;
    let wanted = [
        field("content_type", "text/x-stor"),
        field("cache_control", "max-age=60"),
        field("content_encoding", "gzip"),
        field("owner", "stor"),
        field("purpose", "a=b"),
    ];
    check(
        "--content-type --cache-control --content-encoding --metadata read back by stat --json",
        wanted.iter().all(|w| stat.contains(w)),
        &stat,
    )?;
    checks += 1;

    let local = dir.join("summed.bin");
    fs::write(&local, pattern(6 << 20)).unwrap();
    for algorithm in ["md5", "crc32c"] {
        let url = t.url(&format!("pipes/summed-{algorithm}.bin"));
        ok(&[
            "cp",
            "--checksum-algorithm",
            algorithm,
            &local.display().to_string(),
            &url,
        ])?;
        let stat = ok(&["stat", "--json", &url])?;
        check(
            &format!("--checksum-algorithm {algorithm} on a local file"),
            stat.contains(&format!("\"size\":{}", 6 << 20)),
            &stat,
        )?;
        checks += 1;
    }
    let out = stor_fed(
        &["cp", "--checksum-algorithm", "md5", "-", &t.url("pipes/x")],
        b"x".to_vec(),
    );
    check(
        "--checksum-algorithm with standard input is a usage error",
        !out.status.success() && !exists(&t.url("pipes/x")),
        String::from_utf8_lossy(&out.stderr).trim(),
    )?;
    checks += 1;

    ok(&["rm", "-r", &t.url("pipes/")])?;
    Ok(checks)
}
