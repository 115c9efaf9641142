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
    /// Starts what the backend needs and returns the environment the test target reads.
    pub(crate) start: fn() -> Result<Running, String>,
}

/// Servers started for a service, stopped on drop, and the environment pointing at them.
#[derive(Default)]
pub(crate) struct Running {
    pub(crate) env: Vec<(String, String)>,
    pub(crate) children: Vec<Child>,
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
        start: nothing_to_start,
    },
    Service {
        name: "memory",
        test_target: "memory",
        start: nothing_to_start,
    },
];

/// The services named in a comma-separated list, or all of them.
pub(crate) fn select(list: Option<&str>) -> Result<Vec<&'static Service>, String> {
    let Some(list) = list else {
        return Ok(SERVICES.iter().collect());
    };
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            SERVICES.iter().find(|s| s.name == name).ok_or_else(|| {
                let known: Vec<_> = SERVICES.iter().map(|s| s.name).collect();
                format!("unknown service `{name}`; known: {}", known.join(", "))
            })
        })
        .collect()
}
