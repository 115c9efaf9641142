//! The backends the conformance suite runs against, and what each needs running first. A
//! backend that needs a local server adds its start-up here; the suite fails loudly if the
//! server is missing, so nothing passes by skipping.

use std::process::Child;

/// A backend under test.
pub(crate) struct Service {
    /// The name in `--service` and in the summary line.
    pub(crate) name: &'static str,
    /// The `storage-conformance` test target that runs the suite against it.
    pub(crate) test_target: &'static str,
    /// Cargo features of `storage-conformance` the target needs.
    pub(crate) features: &'static str,
    /// Starts what the backend needs and returns the environment the test target reads.
    pub(crate) start: fn() -> Result<Running, String>,
}

/// Servers started for a service, stopped on drop, and the environment pointing at them.
#[derive(Default)]
pub(crate) struct Running {
    pub(crate) env: Vec<(String, String)>,
    pub(crate) children: Vec<Child>,
    /// Log files to show when the suite fails.
    pub(crate) logs: Vec<std::path::PathBuf>,
}

impl Running {
    /// This server as a second store beside the first: its only variable is `peer`, holding
    /// the value of its own `endpoint` variable (where the tests find the second server).
    pub(crate) fn into_peer(mut self, endpoint: &str, peer: &str) -> Running {
        let value = self
            .env
            .iter()
            .find(|(key, _)| key == endpoint)
            .map(|(_, value)| value.clone())
            .unwrap_or_default();
        self.env = vec![(peer.to_owned(), value)];
        self
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn nothing_to_start() -> Result<Running, String> {
    Ok(Running::default())
}

/// Every backend, in the order they run.
pub(crate) const SERVICES: &[Service] = &[
    Service {
        name: "fs",
        test_target: "fs",
        features: "",
        start: nothing_to_start,
    },
    Service {
        name: "memory",
        test_target: "memory",
        features: "",
        start: nothing_to_start,
    },
    Service {
        name: "s3-seaweedfs",
        test_target: "s3",
        features: "s3",
        start: crate::servers::start_seaweedfs,
    },
    Service {
        name: "s3-moto",
        test_target: "s3",
        features: "s3",
        start: crate::servers::start_moto,
    },
    Service {
        name: "azblob",
        test_target: "azblob",
        features: "azblob",
        start: crate::azurite_servers::start_azurite_with_oauth,
    },
    Service {
        name: "azblob-sas",
        test_target: "azblob",
        features: "azblob",
        start: crate::azurite_servers::start_azurite_sas,
    },
    Service {
        name: "gcs",
        test_target: "gcs",
        features: "gcs",
        start: crate::gcs_servers::start_gcs_test_server,
    },
    Service {
        name: "gcs-fake-json",
        test_target: "gcs",
        features: "gcs",
        start: crate::gcs_servers::start_fake_gcs,
    },
    Service {
        name: "gcs-emulator",
        test_target: "gcs",
        features: "gcs",
        start: crate::gcs_servers::start_gcs_emulator,
    },
];

/// The services named in a comma-separated list, or all of them. A name selects the service
/// of that name, or every service it prefixes (`s3` runs `s3-seaweedfs` and `s3-moto`).
pub(crate) fn select(list: Option<&str>) -> Result<Vec<&'static Service>, String> {
    let Some(list) = list else {
        return Ok(SERVICES.iter().collect());
    };
    let mut selected: Vec<&'static Service> = Vec::new();
    for name in list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let group = format!("{name}-");
        let matching: Vec<_> = SERVICES
            .iter()
            .filter(|s| s.name == name || s.name.starts_with(&group))
            .collect();
        if matching.is_empty() {
            let known: Vec<_> = SERVICES.iter().map(|s| s.name).collect();
            return Err(format!(
                "unknown service `{name}`; known: {}",
                known.join(", ")
            ));
        }
        for service in matching {
            if !selected.iter().any(|s| s.name == service.name) {
                selected.push(service);
            }
        }
    }
    Ok(selected)
}
