//! Runs every example that applies to one backend against its local server, the way
//! `cargo xtask test` calls it: `cargo test -p storage-examples --test run_examples -- SERVICE`
//! with the server's `RS_STORAGE_*` environment. Prints `examples SERVICE: N passed, M failed`.
//! A missing server or variable fails loudly: nothing passes by skipping.

use std::process::{Command, ExitCode};

/// The well-known key of Azurite's development account (public, not a secret).
const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// One example run: its name, its arguments and extra environment.
struct Run {
    example: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
}

impl Run {
    fn new(example: &'static str, args: Vec<String>) -> Self {
        Run {
            example,
            args,
            env: Vec::new(),
        }
    }
}

fn main() -> ExitCode {
    let Some(service) = std::env::args().nth(1) else {
        eprintln!("FAIL usage: run_examples SERVICE (fs, s3-seaweedfs, azblob, gcs)");
        return ExitCode::FAILURE;
    };
    let runs = match runs_for(&service) {
        Ok(runs) => runs,
        Err(err) => {
            eprintln!("FAIL {service}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut passed = 0;
    let mut failed = 0;
    for run in &runs {
        match execute(run) {
            Ok(()) => {
                println!("ok   {}", run.example);
                passed += 1;
            }
            Err(err) => {
                println!("FAIL {}: {err}", run.example);
                failed += 1;
            }
        }
    }
    println!("examples {service}: {passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn var(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set (cargo xtask test sets it)"))
}

/// The examples that apply to `service`, with their URLs built from the server's environment.
fn runs_for(service: &str) -> Result<Vec<Run>, String> {
    match service {
        "fs" => Ok(vec![
            Run::new("quickstart", Vec::new()),
            Run::new("list_prefix", Vec::new()),
            Run::new("metrics", Vec::new()),
            Run::new("tikv_shape", Vec::new()),
        ]),
        "s3-seaweedfs" | "s3-moto" => {
            let endpoint = var("RS_STORAGE_S3_ENDPOINT")?;
            let bucket = var("RS_STORAGE_S3_BUCKET")?;
            let access = var("RS_STORAGE_S3_ACCESS_KEY")?;
            let secret = var("RS_STORAGE_S3_SECRET_KEY")?;
            let kms_key = var("STORAGE_CONFORMANCE_KMS_KEY")?;
            let url = format!(
                "s3://{bucket}/examples?endpoint={endpoint}&region=us-east-1&force-path-style=true\
                 &access-key={access}&secret-access-key={secret}"
            );
            let mut migrate = Run::new("migrate_from_aws_sdk", vec![bucket]);
            migrate.env = vec![
                ("AWS_ENDPOINT_URL", endpoint),
                ("AWS_ACCESS_KEY_ID", access),
                ("AWS_SECRET_ACCESS_KEY", secret),
                ("AWS_REGION", "us-east-1".to_owned()),
            ];
            Ok(vec![
                Run::new("quickstart", vec![url.clone()]),
                migrate,
                Run::new("backup_writer", vec![url.clone(), kms_key]),
                Run::new("customer_key", vec![url.clone()]),
                Run::new("list_prefix", vec![url.clone()]),
                Run::new("tikv_shape", vec![url.clone()]),
                Run::new("metrics", vec![url]),
            ])
        }
        "azblob" => {
            let endpoint = var("RS_STORAGE_AZBLOB_ENDPOINT")?;
            let container = var("RS_STORAGE_AZBLOB_CONTAINER")?;
            let url = format!(
                "azblob://{container}/examples?endpoint={endpoint}&account-name=devstoreaccount1\
                 &account-key={}",
                AZURITE_KEY
                    .replace('+', "%2B")
                    .replace('/', "%2F")
                    .replace('=', "%3D")
            );
            // Azurite has no customer-provided keys and no encryption scopes: the encryption
            // examples run on S3 and GCS.
            Ok(vec![
                Run::new("quickstart", vec![url.clone()]),
                Run::new("list_prefix", vec![url.clone()]),
                Run::new("tikv_shape", vec![url.clone()]),
                Run::new("metrics", vec![url]),
            ])
        }
        "gcs" => {
            let endpoint = var("RS_STORAGE_GCS_ENDPOINT")?;
            let bucket = var("RS_STORAGE_GCS_BUCKET")?;
            let credentials = var("RS_STORAGE_GCS_CREDENTIALS")?;
            let kms_key = var("STORAGE_CONFORMANCE_KMS_KEY")?;
            let url = format!(
                "gcs://{bucket}/examples?endpoint={endpoint}&project-id=test-project\
                 &credentials-file={credentials}"
            );
            Ok(vec![
                Run::new("quickstart", vec![url.clone()]),
                Run::new("backup_writer", vec![url.clone(), kms_key]),
                Run::new("customer_key", vec![url.clone()]),
                Run::new("list_prefix", vec![url.clone()]),
                Run::new("tikv_shape", vec![url.clone()]),
                Run::new("metrics", vec![url]),
            ])
        }
        other => Err(format!("no examples for `{other}`")),
    }
}

/// Runs the example's binary, which cargo built for this test.
fn execute(run: &Run) -> Result<(), String> {
    let binary = binary(run.example)?;
    let output = Command::new(&binary)
        .args(&run.args)
        .envs(run.env.iter().map(|(k, v)| (*k, v)))
        .output()
        .map_err(|e| format!("cannot run {binary}: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    let done = format!("{}: ok", run.example);
    if output.status.success() && stdout.lines().any(|line| line == done) {
        Ok(())
    } else {
        Err(format!(
            "{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Where cargo put an example's binary.
fn binary(example: &str) -> Result<&'static str, String> {
    Ok(match example {
        "quickstart" => env!("CARGO_BIN_EXE_quickstart"),
        "migrate_from_aws_sdk" => env!("CARGO_BIN_EXE_migrate_from_aws_sdk"),
        "backup_writer" => env!("CARGO_BIN_EXE_backup_writer"),
        "customer_key" => env!("CARGO_BIN_EXE_customer_key"),
        "list_prefix" => env!("CARGO_BIN_EXE_list_prefix"),
        "metrics" => env!("CARGO_BIN_EXE_metrics"),
        "tikv_shape" => env!("CARGO_BIN_EXE_tikv_shape"),
        other => return Err(format!("no example `{other}`")),
    })
}
