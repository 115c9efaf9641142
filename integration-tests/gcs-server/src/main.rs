//! The `gcs-test-server` binary: parses the command line, starts the server and prints the one
//! line that tells a supervisor (xtask, a test harness) it is ready.

use anyhow::{Context as _, bail};
use gcs_test_server::{ServerConfig, start};
use std::io::Write as _;

const USAGE: &str = "usage: gcs-test-server --port N [--host 127.0.0.1] [--bucket NAME]... \
[--service-account-file PATH] [--allow-anonymous] [--rewrite-step BYTES] [--verbose]";

fn parse_args(mut args: impl Iterator<Item = String>) -> anyhow::Result<ServerConfig> {
    let mut config = ServerConfig::default();
    let mut port = None;
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .with_context(|| format!("{name} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--port" => port = Some(value("--port")?.parse().context("--port: not a port")?),
            "--host" => config.host = value("--host")?,
            "--bucket" => config.buckets.push(value("--bucket")?),
            "--service-account-file" => {
                config.service_account_file = Some(value("--service-account-file")?.into());
            }
            "--rewrite-step" => {
                config.rewrite_step = value("--rewrite-step")?
                    .parse()
                    .context("--rewrite-step: not a byte count")?;
            }
            "--allow-anonymous" => config.allow_anonymous = true,
            "--verbose" => config.verbose = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    config.port = port.with_context(|| format!("--port is required\n{USAGE}"))?;
    Ok(config)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = parse_args(std::env::args().skip(1))?;
    let server = start(config).await?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "gcs-test-server listening on {}", server.url)?;
    stdout.flush()?;
    // Serve until interrupted; the server itself runs in a background task.
    tokio::signal::ctrl_c().await?;
    Ok(())
}
