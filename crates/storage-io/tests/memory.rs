//! The adapter checks against the in-memory store.

mod checks;

use std::sync::Arc;

use storage_memory::MemoryStorage;
use storage_types::WriteOptions;

fn ctx() -> checks::Ctx {
    checks::Ctx {
        store: Arc::new(MemoryStorage::new()),
        prefix: "io/".into(),
        object_size: 700 << 10,
        iterations: 3000,
        largest_write: 3 << 20,
        write: WriteOptions::default(),
    }
}

macro_rules! memory_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                checks::$name(ctx()).await;
            }
        )*

        #[test]
        fn every_check_runs_here() {
            let here = [$(stringify!($name)),*];
            for (name, _) in checks::all() {
                assert!(here.contains(&name), "{name} is not run against memory");
            }
        }
    };
}

memory_tests!(
    random_seeks_and_reads,
    seek_edges,
    empty_object_reads_nothing,
    open_errors,
    replaced_object_mid_read_errors,
    writes_of_random_sizes,
    sink_writes,
    drop_without_shutdown_leaves_no_object,
    write_error_surfaces_at_shutdown,
    rate_limited_transfers_keep_the_bytes,
);
