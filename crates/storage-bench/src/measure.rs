//! What one workload run costs: wall time, this process's CPU time (user + system, all
//! threads), the servers' CPU time and this process's peak resident memory during the run.

use std::time::{Duration, Instant};

use cpu_time::ProcessTime;

/// The cost of one run of one workload by one contender.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cost {
    pub(crate) wall: Duration,
    pub(crate) client_cpu: Duration,
    pub(crate) server_cpu: Duration,
    pub(crate) peak_rss: u64,
}

/// Starts measuring: resets the peak-RSS mark and notes the clocks.
pub(crate) struct Meter {
    wall: Instant,
    cpu: ProcessTime,
    server_ticks: u64,
    server_pids: Vec<u32>,
}

impl Meter {
    pub(crate) fn start(server_pids: &[u32]) -> Self {
        reset_peak_rss();
        Self {
            server_ticks: server_ticks(server_pids),
            server_pids: server_pids.to_vec(),
            cpu: ProcessTime::now(),
            wall: Instant::now(),
        }
    }

    pub(crate) fn stop(self) -> Cost {
        let wall = self.wall.elapsed();
        let client_cpu = self.cpu.elapsed();
        let ticks = server_ticks(&self.server_pids).saturating_sub(self.server_ticks);
        Cost {
            wall,
            client_cpu,
            server_cpu: Duration::from_millis(ticks * 1000 / clock_ticks_per_second()),
            peak_rss: peak_rss(),
        }
    }
}

/// Resets VmHWM to the current RSS (Linux 4.0+), so the next reading is this run's peak.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// This process's peak resident set size since the last reset, in bytes.
pub(crate) fn peak_rss() -> u64 {
    status_kib("VmHWM:").unwrap_or(0) * 1024
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU ticks of the given processes and their reaped children.
fn server_ticks(pids: &[u32]) -> u64 {
    pids.iter().filter_map(|pid| process_ticks(*pid)).sum()
}

fn process_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are space separated.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    // utime, stime, cutime, cstime are fields 14-17 of the line, 12-15 after the name.
    let sum = fields
        .get(11..15)?
        .iter()
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Some(sum)
}

/// USER_HZ: 100 on every Linux this runs on (the kernel's ABI fixes it for /proc).
fn clock_ticks_per_second() -> u64 {
    100
}

/// The given processes and all their descendants (a server started through a wrapper script
/// does its work in a child).
pub(crate) fn with_descendants(roots: &[u32]) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let ppid = stat
                .rfind(')')
                .and_then(|at| stat[at + 2..].split(' ').nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parents.push((pid, ppid));
            }
        }
    }
    let mut found: Vec<u32> = roots.to_vec();
    let mut index = 0;
    while index < found.len() {
        let parent = found[index];
        for (pid, ppid) in &parents {
            if *ppid == parent && !found.contains(pid) {
                found.push(*pid);
            }
        }
        index += 1;
    }
    found
}
