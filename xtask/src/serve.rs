//! `cargo xtask serve --service NAME`: starts one service's test server as `cargo xtask test`
//! does, prints the environment that points tests and `stor` at it, and keeps it up until
//! interrupted (for driving `stor` by hand: terminal checks, timings).

use crate::services::select;
use crate::{check_args, flag_value};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    check_args(args, &["--service"], &[])?;
    let name = flag_value(args, "--service")?.ok_or("serve needs --service NAME")?;
    // `azblob` names a group (azblob, azblob-sas): the exact name wins.
    let selected = select(Some(&name))?;
    let service = match selected.iter().find(|s| s.name == name) {
        Some(exact) => *exact,
        None => match selected[..] {
            [only] => only,
            _ => return Err(format!("serve takes one service; `{name}` names several")),
        },
    };
    let running = (service.start)()?;
    for (key, value) in &running.env {
        println!("export {key}='{value}'");
    }
    println!("# {} is up; interrupt to stop it", service.name);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
