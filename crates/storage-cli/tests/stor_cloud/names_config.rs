//! Named stores and the names `stor ls` prints, against the cloud server: objects with odd
//! names (`%`, `#`, `?`, a space, a directory, non-ASCII, a leading `-`) uploaded, listed, and
//! each printed name given back to `cat`, `cp` and `rm`; `stor config` add, show and list with
//! secrets masked; `NAME:path` locations read literally; `--endpoint` and `--region` as URL
//! keys; a URL without a bucket listing the buckets; an unknown `NAME:` refused with exit 2.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use super::{Target, check, ok, stor};

/// The odd names, and as `stor ls` prints them below a URL (escaped where a URL needs it).
const NAMES: [(&str, &str); 4] = [
    ("100% sure.txt", "100%25 sure.txt"),
    ("a#b?c.txt", "a%23b%3Fc.txt"),
    ("sp ace/ü.txt", "sp ace/ü.txt"),
    ("-dash.txt", "-dash.txt"),
];

fn content(name: &str) -> String {
    format!("the object called {name}")
}

/// `stor args` with the config file `config`, run in `cwd`.
fn stor_in(config: &Path, cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stor"))
        .env("STOR_CONFIG", config)
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("stor runs")
}

fn ok_in(config: &Path, cwd: &Path, args: &[&str]) -> Result<String, String> {
    let out = stor_in(config, cwd, args);
    check(
        &format!("stor {}", args.first().copied().unwrap_or_default()),
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).trim(),
    )?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Every byte of `name` but letters, digits, `-_.` and `/` as `%XX`: the test's own spelling
/// of a name in a URL, independent of stor's.
fn escaped(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let hex = text.get(at + 1..at + 3).map(|h| u8::from_str_radix(h, 16));
        match (bytes[at], hex) {
            (b'%', Some(Ok(byte))) => {
                out.push(byte);
                at += 3;
            }
            (byte, _) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `key=value` pairs of a `?query`, as written.
fn pairs(query: &str) -> Vec<(&str, &str)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .collect()
}

/// `query` without the keys `drop`, and with `extra` added.
fn query_with(query: &str, drop: &[&str], extra: &[(&str, &str)]) -> String {
    let kept: Vec<String> = pairs(query)
        .into_iter()
        .filter(|(key, _)| !drop.contains(key))
        .chain(extra.iter().copied())
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    format!("?{}", kept.join("&"))
}

/// The values of `query`'s secret keys (decoded and as written), and the S3 secret key.
fn secrets(query: &str) -> Vec<String> {
    let secret = [
        "key",
        "secret",
        "token",
        "sig",
        "credential",
        "sas",
        "connection",
    ];
    let mut values: Vec<String> = pairs(query)
        .into_iter()
        .filter(|(key, _)| secret.iter().any(|s| key.contains(s)))
        .flat_map(|(_, value)| [value.to_owned(), decoded(value)])
        .collect();
    values.extend(std::env::var("RS_STORAGE_S3_SECRET_KEY"));
    values.push("UseDevelopmentStorage".to_owned());
    // Short values (S3's access key `test`) would be found in any text.
    values.retain(|value| value.len() >= 6);
    values
}

fn sorted(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

pub(super) fn run(t: &Target, dir: &Path) -> Result<usize, String> {
    let work = &dir.join("names-config");
    let (up, down) = (work.join("up"), work.join("down"));
    fs::create_dir_all(up.join("sp ace")).unwrap();
    fs::create_dir_all(&down).unwrap();
    let config = &work.join("conf/stor.toml");
    let scheme = t.base.split("://").next().unwrap_or_default();
    let bucket_url = t.base.split("/stor-").next().unwrap_or_default();
    let bucket = bucket_url.split("://").nth(1).unwrap_or_default();
    // The run's prefix inside the bucket: `stor-RUN/`.
    let prefix = &t.base[bucket_url.len() + 1..];
    let at = |name: &str| t.url(&format!("names/{name}"));
    let mut checks = 0;

    for (name, _) in NAMES {
        let local = up.join(name);
        fs::write(&local, content(name)).unwrap();
        ok(&["cp", &local.display().to_string(), &at(&escaped(name))])?;
    }
    let expected_printed = sorted(&NAMES.map(|(_, p)| p).join("\n"));
    let expected_raw = sorted(&NAMES.map(|(n, _)| n).join("\n"));

    let listed = ok(&["ls", "-r", &at("")])?;
    check(
        "ls of a URL prints odd names escaped where a URL needs it",
        sorted(&listed) == expected_printed,
        &listed,
    )?;
    checks += 1;

    let json = ok(&["ls", "-r", "--json", &at("")])?;
    let raw: Vec<String> = json
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|entry| entry["path"].as_str().map(str::to_owned))
        .collect();
    let mut raw_sorted = raw.clone();
    raw_sorted.sort();
    check(
        "ls --json carries the raw names",
        raw_sorted == expected_raw,
        &json,
    )?;
    checks += 1;

    for (name, printed) in NAMES {
        let read = ok(&["cat", &at(printed)])?;
        check(
            &format!("cat of the listed URL and the printed name {printed:?}"),
            read == content(name),
            &read,
        )?;
    }
    checks += 1;

    let down_dir = format!("{}/", down.display());
    for (name, printed) in NAMES {
        ok(&["cp", &at(printed), &down_dir])?;
        let base = name.rsplit('/').next().unwrap_or(name);
        let local = down.join(base);
        let there = fs::read_to_string(&local).unwrap_or_default();
        check(
            &format!("cp of the printed name {printed:?} to a local directory"),
            there == content(name),
            &there,
        )?;
        let back = t.url(&format!("back/{printed}"));
        ok(&["cp", &local.display().to_string(), &back])?;
        let read = ok(&["cat", &back])?;
        check(
            &format!("cp back up to the printed name {printed:?}"),
            read == content(name),
            &read,
        )?;
    }
    checks += 1;

    // `--` ends the flags: a local file whose name starts with `-`.
    let dashed = ok_in(config, &down, &["cat", "--", "-dash.txt"])?;
    check(
        "stor cat -- -dash.txt reads the local file",
        dashed == content("-dash.txt"),
        &dashed,
    )?;
    checks += 1;

    // A named store for the bucket, the URL's keys moved into the config file.
    let store_url = format!("{bucket_url}{}", t.query);
    ok_in(config, work, &["config", "add", "cloud", &store_url])?;
    let again = stor_in(config, work, &["config", "add", "cloud", &store_url]);
    check(
        "config add refuses an existing name (exit 6)",
        again.status.code() == Some(6),
        String::from_utf8_lossy(&again.stderr),
    )?;
    ok_in(
        config,
        work,
        &["config", "add", "--force", "cloud", &store_url],
    )?;
    checks += 1;

    let shown = ok_in(config, work, &["config", "show", "cloud"])?;
    let shown_json = ok_in(config, work, &["--json", "config", "show", "cloud"])?;
    let file = fs::read_to_string(config).unwrap_or_default();
    let leaked = secrets(&t.query)
        .iter()
        .filter(|s| shown.contains(s.as_str()) || shown_json.contains(s.as_str()))
        .count();
    check(
        "config show masks every secret",
        leaked == 0 && shown.contains("***") && shown_json.contains("***"),
        format!("{leaked} secret(s) shown: {shown}"),
    )?;
    check(
        "the config file holds the store",
        file.contains("[cloud]") && file.contains(&format!("url = \"{bucket_url}\"")),
        "the file does not hold the store",
    )?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(config).map_or(0, |m| m.permissions().mode() & 0o777);
        check(
            "the config file is the owner's only",
            mode == 0o600,
            format!("{mode:o}"),
        )?;
    }
    checks += 1;

    let listed = ok_in(config, work, &["config", "list"])?;
    let bare_ls = ok_in(config, work, &["ls"])?;
    let leaked = secrets(&t.query)
        .iter()
        .any(|s| listed.contains(s.as_str()));
    check(
        "config list and ls without a location list the store, masked",
        listed.starts_with("cloud") && bare_ls == listed && !leaked,
        &listed,
    )?;
    checks += 1;

    let named = ok_in(
        config,
        work,
        &["ls", "-r", &format!("cloud:{prefix}names/")],
    )?;
    check(
        "ls NAME:prefix/ prints the names literally",
        sorted(&named) == expected_raw,
        &named,
    )?;
    checks += 1;

    let read = ok_in(
        config,
        work,
        &["cat", &format!("cloud:{prefix}names/100% sure.txt")],
    )?;
    let copied = down.join("from-named.txt");
    ok_in(
        config,
        work,
        &[
            "cp",
            &format!("cloud:{prefix}names/a#b?c.txt"),
            &copied.display().to_string(),
        ],
    )?;
    check(
        "cat and cp of NAME:path with literal odd bytes",
        read == content("100% sure.txt")
            && fs::read_to_string(&copied).unwrap_or_default() == content("a#b?c.txt"),
        &read,
    )?;
    checks += 1;

    // --endpoint: the server's endpoint as a flag, for a URL without one, and over a wrong one.
    let endpoint = pairs(&t.query)
        .into_iter()
        .find(|(key, _)| *key == "endpoint")
        .map(|(_, value)| decoded(value))
        .ok_or("the target's query has no endpoint")?;
    let object = format!("{}names/{}", t.base, escaped("100% sure.txt"));
    let without = format!("{object}{}", query_with(&t.query, &["endpoint"], &[]));
    let read = ok(&["--endpoint", &endpoint, "cat", &without])?;
    check(
        "--endpoint for a URL without one",
        read == content("100% sure.txt"),
        &read,
    )?;
    let wrong = format!(
        "{object}{}",
        query_with(
            &t.query,
            &["endpoint"],
            &[("endpoint", "http%3A%2F%2F127.0.0.1%3A9")]
        )
    );
    let read = ok(&["cat", "--endpoint", &endpoint, &wrong])?;
    check(
        "--endpoint wins over the URL's endpoint",
        read == content("100% sure.txt"),
        &read,
    )?;
    checks += 1;

    // --endpoint on a named store without one.
    let no_endpoint = format!("{bucket_url}{}", query_with(&t.query, &["endpoint"], &[]));
    ok_in(config, work, &["config", "add", "noep", &no_endpoint])?;
    let read = ok_in(
        config,
        work,
        &[
            "--endpoint",
            &endpoint,
            "cat",
            &format!("noep:{prefix}names/sp ace/ü.txt"),
        ],
    )?;
    check(
        "--endpoint on a named store",
        read == content("sp ace/ü.txt"),
        &read,
    )?;
    checks += 1;

    // --region: S3's key; the other clouds have none, and leave it alone.
    if scheme == "s3" {
        let without = format!("{object}{}", query_with(&t.query, &["region"], &[]));
        let read = ok(&["--region", "us-east-1", "cat", &without])?;
        check(
            "--region for a URL without one",
            read == content("100% sure.txt"),
            &read,
        )?;
    } else {
        let out = stor(&["--region", "us-east-1", "cat", &t.url("names/-dash.txt")]);
        check(
            &format!("--region on {scheme} is left alone"),
            out.status.success() && out.stdout == content("-dash.txt").as_bytes(),
            String::from_utf8_lossy(&out.stderr),
        )?;
    }
    checks += 1;

    // A URL without a bucket lists the account's buckets; so does a named account.
    let buckets = ok(&["ls", &format!("{scheme}://{}", t.query)])?;
    check(
        "ls of a URL without a bucket lists the buckets",
        buckets.lines().any(|line| line == format!("{bucket}/")),
        &buckets,
    )?;
    ok_in(
        config,
        work,
        &["config", "add", "acct", &format!("{scheme}://{}", t.query)],
    )?;
    let named_buckets = ok_in(config, work, &["ls", "acct:"])?;
    let in_bucket = ok_in(
        config,
        work,
        &["ls", "-r", &format!("acct:{bucket}/{prefix}names/")],
    )?;
    check(
        "a named account lists its buckets, and takes the bucket from the path",
        named_buckets
            .lines()
            .any(|line| line == format!("{bucket}/"))
            && sorted(&in_bucket) == expected_raw,
        format!("{named_buckets} / {in_bucket}"),
    )?;
    checks += 1;

    let unknown = stor_in(config, work, &["cat", "nosuch:x"]);
    let err = String::from_utf8_lossy(&unknown.stderr);
    check(
        "an unknown NAME: is a usage error naming the config file",
        unknown.status.code() == Some(2)
            && err.contains(&config.display().to_string())
            && err.contains("./nosuch:x"),
        &err,
    )?;
    checks += 1;

    for (_, printed) in NAMES {
        ok(&["rm", &at(printed)])?;
        ok(&["rm", &t.url(&format!("back/{printed}"))])?;
    }
    let left = ok(&["ls", "-r", &at("")])?;
    let back_left = ok(&["ls", "-r", &t.url("back/")])?;
    check(
        "rm of each printed name removes it",
        left.trim().is_empty() && back_left.trim().is_empty(),
        format!("{left}{back_left}"),
    )?;
    checks += 1;

    ok_in(config, work, &["config", "remove", "cloud"])?;
    let gone = stor_in(config, work, &["ls", &format!("cloud:{prefix}")]);
    let listed = ok_in(config, work, &["config", "list"])?;
    check(
        "config remove forgets the store",
        gone.status.code() == Some(2) && !listed.contains("cloud"),
        &listed,
    )?;
    checks += 1;
    Ok(checks)
}
