//! What the environment alone makes of a GCS store, each case in a child process of this
//! test with a cleared environment (variables cannot be changed safely inside a running test
//! process):
//!
//! - nothing at all: `build()` is `Unauthenticated` within seconds, naming the ways to give
//!   credentials (no request waits on a metadata server that is not there);
//! - `STORAGE_EMULATOR_HOST=127.0.0.1:PORT`: requests go to that address, unsigned, as with
//!   Google's client libraries.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use storage_gcs::GcsBuilder;
use storage_types::{ErrorKind, StorageExt};

/// How long `build()` may take with no credentials anywhere (the metadata probe is ~1 s at
/// most).
const NO_CREDENTIALS_BOUND: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        println!("no_credentials: test\nemulator_host: test");
        return ExitCode::SUCCESS;
    }
    let outcome = match args.iter().find_map(|a| a.strip_prefix("--child=")) {
        Some("no-credentials") => child_no_credentials(),
        Some("emulator") => child_emulator(),
        Some(other) => Err(format!("unknown child {other}")),
        None => parent(),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("FAIL {why}");
            ExitCode::FAILURE
        }
    }
}

fn parent() -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let home = std::env::temp_dir().join(format!("gcs-env-test-{}", std::process::id()));
    std::fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    let child = |name: &str, env: &[(&str, String)]| {
        let mut cmd = Command::new(&exe);
        cmd.arg(format!("--child={name}"))
            .env_clear()
            // An empty home: no gcloud file to find.
            .env("HOME", &home)
            .envs(env.iter().map(|(k, v)| (*k, v)));
        let output = cmd
            .output()
            .map_err(|e| format!("cannot run {exe:?}: {e}"))?;
        print!("{}", String::from_utf8_lossy(&output.stdout));
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        match output.status.success() {
            true => Ok(()),
            false => Err(format!("the {name} case failed")),
        }
    };
    let mut failures = Vec::new();
    if let Err(why) = child("no-credentials", &[]) {
        failures.push(why);
    }
    let emulator = emulator_case(|port| {
        child(
            "emulator",
            &[("STORAGE_EMULATOR_HOST", format!("127.0.0.1:{port}"))],
        )
    });
    if let Err(why) = emulator {
        failures.push(why);
    }
    let _ = std::fs::remove_dir_all(&home);
    println!(
        "environment: {} passed, {} failed",
        2 - failures.len(),
        failures.len()
    );
    match failures.is_empty() {
        true => Ok(()),
        false => Err(failures.join("; ")),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn child_no_credentials() -> Result<(), String> {
    let started = Instant::now();
    let built = runtime()?.block_on(async {
        tokio::time::timeout(NO_CREDENTIALS_BOUND, GcsBuilder::new("b").build()).await
    });
    let elapsed = started.elapsed();
    let err = match built {
        Err(_) => return Err(format!("build() took over {NO_CREDENTIALS_BOUND:?}")),
        Ok(Ok(_)) => return Err("build() succeeded with no credentials anywhere".to_owned()),
        Ok(Err(err)) => err,
    };
    let text = err.to_string();
    if err.kind() != ErrorKind::Unauthenticated {
        return Err(format!(
            "{:?} instead of Unauthenticated: {text}",
            err.kind()
        ));
    }
    for way in [
        "credentials-file",
        "credentials-base64",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "anonymous=true",
        "STORAGE_EMULATOR_HOST",
    ] {
        if !text.contains(way) {
            return Err(format!("the error does not name {way}: {text}"));
        }
    }
    if text.contains('\n') {
        return Err(format!("the error is not one line: {text}"));
    }
    println!("ok   no_credentials ({elapsed:?}): {text}");
    Ok(())
}

/// Accepts the child's first request on a loopback port, answers 400, and checks where it
/// went and that it was unsigned.
fn emulator_case(run_child: impl FnOnce(u16) -> Result<(), String>) -> Result<(), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let server = std::thread::spawn(move || -> Result<String, String> {
        let (mut stream, _) = listener.accept().map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        let mut head = Vec::new();
        let mut buffer = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let read = stream.read(&mut buffer).map_err(|e| e.to_string())?;
            if read == 0 {
                break;
            }
            head.extend_from_slice(&buffer[..read]);
        }
        let reply = "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
        let _ = stream.write_all(reply.as_bytes());
        Ok(String::from_utf8_lossy(&head).into_owned())
    });
    run_child(port)?;
    let head = server
        .join()
        .map_err(|_| "the listener panicked".to_owned())??;
    let request_line = head.lines().next().unwrap_or_default();
    if !request_line.contains("/upload/storage/v1/b/emu-bucket/o") {
        return Err(format!("the write went to {request_line:?}"));
    }
    if head.to_ascii_lowercase().contains("\nauthorization:") {
        return Err("the request to the emulator was signed".to_owned());
    }
    println!("ok   emulator_host: {request_line}");
    Ok(())
}

fn child_emulator() -> Result<(), String> {
    runtime()?.block_on(async {
        let store = GcsBuilder::new("emu-bucket")
            .max_retries(0)
            .timeout(Duration::from_secs(10))
            .build()
            .await
            .map_err(|e| format!("build() with STORAGE_EMULATOR_HOST: {e}"))?;
        // The listener answers 400: the write fails, after reaching it.
        match store.write_bytes("x", "hello").await {
            Ok(_) => Err("the write succeeded against a listener that answers 400".to_owned()),
            Err(_) => Ok(()),
        }
    })
}
