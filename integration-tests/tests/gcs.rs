//! The conformance suite against the GCS servers `cargo xtask test` started: the repo's own
//! test server (JSON and gRPC, `RS_STORAGE_GCS_SERVICE=gcs`), and two independent servers of the
//! JSON API only, fake-gcs-server (`gcs-fake-json`) and gcp-storage-emulator (`gcs-emulator`),
//! on which the cases that need nothing but uploads and downloads run, so that three servers
//! witness what the official crate sends. It fails loudly when the server is missing: nothing
//! passes by skipping.
//!
//! Environment: `RS_STORAGE_GCS_SERVICE`, `RS_STORAGE_GCS_ENDPOINT` (`http://127.0.0.1:PORT`),
//! `RS_STORAGE_GCS_BUCKET`, and for the repo's server `RS_STORAGE_GCS_CREDENTIALS` (the
//! service-account key file it generated: the only credentials it accepts, and the signer of URLs
//! it can verify).

#[path = "gcs/cases.rs"]
mod cases;

use std::process::ExitCode;
use std::sync::Arc;

use storage_conformance::{BackendGap, ServerGap};
use storage_gcs::GcsBuilder;
use storage_types::Storage;

/// The cases that use uploads and downloads only (no metadata, listing or delete calls, which
/// go over gRPC): the ones fake-gcs-server can judge. (Found by running every case there: the
/// others fail on their first gRPC call.)
const JSON_CASES: &[&str] = &[
    "read::whole",
    "read::with_offset",
    "read::with_size",
    "read::with_offset_and_size",
    "read::first_bytes",
    "read::last_byte",
    "read::length_past_end_is_cut",
    "read::start_at_end_is_unsatisfiable",
    "read::start_past_end_is_unsatisfiable",
    "read::empty_range_is_invalid",
    "read::full_range_of_empty_object",
    "read::ranged_metadata_has_full_size",
    "read::missing_is_not_found",
    "read::dir_path_is_directory",
    "read::dir_name_without_slash",
    "read::progress_totals_size",
    "write::then_read",
    "write::returns_size",
    "write::replaces_with_shorter",
    "write::stream_of_known_size",
    "write::body_error_keeps_old_object",
    "write::short_body_keeps_old_object",
    "write::long_body_keeps_old_object",
    "write::progress_totals_size",
    "delete::many_of_nothing_succeeds",
    "delete::many_with_an_escaping_path_deletes_nothing",
    "streaming::unknown_size_3_mib",
    "streaming::known_size_3_mib",
    "streaming::irregular_chunks",
    "streaming::read_as_stream",
    "streaming::drop_read_early_then_read_again",
    "concurrency::writers_to_one_key",
    "concurrency::readers_of_one_object",
    "conditional::create_only_when_absent",
    "conditional::create_only_when_present_fails",
    "conditional::write_if_match_wrong_fails",
    "conditional::read_if_match_wrong_fails",
    "conditional::read_if_none_match_other",
    "options::read_refuses_undeclared",
    "options::stat_refuses_undeclared",
    "options::list_refuses_undeclared",
    "options::copy_refuses_undeclared",
    "options::foreign_extension_on_read_stat_list",
    "integrity::right_crc32c_stores",
    "integrity::right_md5_stores",
    "integrity::right_crc32c_in_parts_stores",
    "encryption::customer_key_round_trip",
    "encryption::service_managed_round_trip",
    "ext::read_range_of_object",
];

/// An independent server of the JSON API only: the cases it can judge, and why it cannot
/// judge the others.
struct Witness {
    cases: &'static [&'static str],
    gaps: &'static [ServerGap],
    needs_grpc: &'static str,
}

const FAKE_GCS: Witness = Witness {
    cases: JSON_CASES,
    gaps: FAKE_GAPS,
    needs_grpc: "serves the gRPC API (fake-gcs-server serves JSON only)",
};

const EMULATOR: Witness = Witness {
    cases: EMULATOR_CASES,
    gaps: EMULATOR_GAPS,
    needs_grpc: "serves the gRPC API (gcp-storage-emulator serves JSON only)",
};

fn witness(service: &str) -> Option<&'static Witness> {
    match service {
        "gcs-fake-json" => Some(&FAKE_GCS),
        "gcs-emulator" => Some(&EMULATOR),
        _ => None,
    }
}

/// What the GCS backend cannot do, whatever the server: the official crate reports only some
/// headers of a download (no Cache-Control), and rs-storage does not add a metadata request to
/// every read for it; `stat` has it.
const SDK_GAPS: &[BackendGap] = &[BackendGap {
    case: "metadata::cache_control_from_read",
    reason: "reports Cache-Control with downloads (the official crate's read metadata omits it; \
             stat has it)",
}];

/// Cases fake-gcs-server cannot judge although they use the JSON API only.
const FAKE_GAPS: &[ServerGap] = &[
    ServerGap {
        case: "encryption::customer_key_needed_to_read",
        reason: "enforces customer-supplied keys (fake-gcs-server ignores them)",
    },
    ServerGap {
        case: "encryption::other_customer_key_fails",
        reason: "enforces customer-supplied keys (fake-gcs-server ignores them)",
    },
    ServerGap {
        case: "encryption::customer_key_streamed_in_parts",
        reason: "enforces customer-supplied keys (fake-gcs-server ignores them)",
    },
];

/// The JSON cases gcp-storage-emulator can judge: those of fake-gcs-server but the ones in
/// `EMULATOR_GAPS`. (Found by running every JSON case there.)
const EMULATOR_CASES: &[&str] = JSON_CASES;

/// JSON cases gcp-storage-emulator cannot judge, with what it lacks.
const EMULATOR_GAPS: &[ServerGap] = &[
    ServerGap {
        case: "read::start_at_end_is_unsatisfiable",
        reason: "answers 416 to a range that starts at the end (gcp-storage-emulator answers 206 \
                 with no bytes)",
    },
    ServerGap {
        case: "read::start_past_end_is_unsatisfiable",
        reason: "answers 416 to a range that starts past the end (gcp-storage-emulator answers \
                 206 with no bytes and an inverted Content-Range)",
    },
    ServerGap {
        case: "concurrency::writers_to_one_key",
        reason: "serves many uploads at once (gcp-storage-emulator serves one connection at a \
                 time from a queue of 5; behind the header proxy some concurrent uploads are \
                 reset, and an upload without a precondition is not retried)",
    },
    ServerGap {
        case: "concurrency::readers_of_one_object",
        reason: "serves many readers at once (gcp-storage-emulator serves one connection at a \
                 time from a queue of 5; behind the header proxy a reader can be reset more \
                 often than the client retries)",
    },
    ServerGap {
        case: "conditional::create_only_when_present_fails",
        reason: "checks ifGenerationMatch on uploads (gcp-storage-emulator ignores it and \
                 replaces the object)",
    },
];

fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| {
        format!("{name} is not set: run the GCS suite through `cargo xtask test --service gcs`")
    })
}

fn main() -> ExitCode {
    let (service, endpoint, bucket) = match (
        required("RS_STORAGE_GCS_SERVICE"),
        required("RS_STORAGE_GCS_ENDPOINT"),
        required("RS_STORAGE_GCS_BUCKET"),
    ) {
        (Ok(s), Ok(e), Ok(b)) => (s, e, b),
        (s, e, b) => {
            for message in [s.err(), e.err(), b.err()].into_iter().flatten() {
                eprintln!("FAIL {message}");
            }
            return ExitCode::FAILURE;
        }
    };
    let witness = witness(&service);
    let json_only = witness.is_some();
    let credentials = std::env::var("RS_STORAGE_GCS_CREDENTIALS").ok();
    if !json_only && credentials.is_none() {
        eprintln!("FAIL RS_STORAGE_GCS_CREDENTIALS is not set (the key the test server accepts)");
        return ExitCode::FAILURE;
    }
    let gaps: Vec<ServerGap> = match witness {
        Some(w) => storage_conformance::all_cases()
            .into_iter()
            .chain(cases::cases())
            .filter(|case| {
                !w.cases.contains(&case.name) && w.gaps.iter().all(|g| g.case != case.name)
            })
            .map(|case| ServerGap {
                case: case.name,
                reason: w.needs_grpc,
            })
            .chain(w.gaps.iter().copied())
            .collect(),
        None => Vec::new(),
    };
    let secrets = match &credentials {
        Some(file) => match private_key_lines(file) {
            Ok(lines) => lines,
            Err(message) => {
                eprintln!("FAIL {message}");
                return ExitCode::FAILURE;
            }
        },
        None => Vec::new(),
    };
    if let Err(message) = storage_conformance::watch_secrets(secrets) {
        eprintln!("FAIL {message}");
        return ExitCode::FAILURE;
    }
    let label = service.clone();
    let mut all = storage_conformance::all_cases();
    all.extend(cases::cases());
    storage_conformance::main_for_cases(&label, all, &gaps, SDK_GAPS, move || async move {
        let mut builder = GcsBuilder::new(&bucket)
            .endpoint(&endpoint)
            .project_id("test-project");
        if json_only {
            // gRPC calls (the runner's clean-up) cannot succeed there: fail them at once.
            builder = builder.max_retries(0);
        }
        builder = match &credentials {
            Some(file) => builder.credentials_file(file),
            None => builder.anonymous(),
        };
        let store: Arc<dyn Storage> =
            Arc::new(builder.build().await.expect("the GCS store builds"));
        store
    })
}

/// Lines of the service account's private key (its PEM body), the secret of the credentials.
fn private_key_lines(file: &str) -> Result<Vec<String>, String> {
    let json = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let key = json
        .split("\"private_key\"")
        .nth(1)
        .and_then(|rest| rest.split('"').nth(1))
        .ok_or_else(|| format!("{file} has no private_key"))?;
    let lines: Vec<String> = key
        .split("\\n")
        .filter(|line| line.len() >= 40 && !line.starts_with("-----"))
        .map(str::to_owned)
        .collect();
    if lines.is_empty() {
        return Err(format!("the private key in {file} has no PEM body"));
    }
    Ok(lines)
}
