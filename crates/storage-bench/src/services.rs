//! The four contenders for each service: same server, bucket, credentials, part size and
//! concurrency. Where a library's defaults differ from the settings the others run with, it
//! runs in two configurations, "SDK defaults" and "set alike", each naming what it sets.

use std::sync::Arc;

use anyhow::{Context, bail};
use storage_types::{ErrorKind, Storage};

use crate::contender::{Config, Entry, Setting};
use crate::ours::Ours;
use crate::peers::{ObjectStoreContender, OpenDal};
use crate::settings::{AzBlobSettings, GcsSettings, S3Settings};
use crate::workload::Workload;
use crate::workloads::SkipRule;

/// The contenders of one service, the first of which writes the shared data.
pub(crate) struct Setup {
    pub(crate) contenders: Vec<Entry>,
    pub(crate) server: String,
    pub(crate) skip: SkipRule,
}

const PART_SIZE: u64 = 8 << 20;
const CONCURRENCY: usize = 8;

fn run_everything(_contender: &str, _workload: Workload) -> Option<&'static str> {
    None
}

/// The workloads that upload: where payload signing and syncs make a difference.
const WRITES: &[Workload] = &[Workload::SmallWrite, Workload::LargeWrite];

fn setting(config: Config, what: &'static str, workloads: &'static [Workload]) -> Setting {
    Setting {
        config,
        what,
        workloads,
    }
}

/// Creates the bucket (container) the benchmark uses, unless it exists.
async fn ensure_bucket(store: &dyn Storage, name: &str) -> anyhow::Result<()> {
    match store.create_bucket(name).await {
        Err(err) if err.kind() != ErrorKind::AlreadyExists => Err(err.into()),
        _ => Ok(()),
    }
}

pub(crate) async fn contenders(service: &str) -> anyhow::Result<Setup> {
    match service {
        "fs" => fs().await,
        "s3" => s3().await,
        "azblob" => azblob().await,
        "gcs" => gcs().await,
        other => bail!("no benchmark for service `{other}`"),
    }
}

async fn fs() -> anyhow::Result<Setup> {
    let root = std::env::var("RS_STORAGE_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("rs-storage-bench"));
    std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    let root_text = root
        .to_str()
        .context("the bench directory is not UTF-8")?
        .to_owned();
    // rs-storage syncs each write by default (the file, then its directory); no other
    // contender does, so set alike it runs with `sync=false` and does the same work.
    let ours = |sync: bool| -> anyhow::Result<Box<Ours>> {
        let store: Arc<dyn Storage> = Arc::new(storage_fs::FsStorage::new(&root)?.with_sync(sync));
        Ok(Box::new(Ours {
            store,
            parallel_writes: true,
        }))
    };
    let opendal = opendal::Operator::new(opendal::services::Fs::default().root(&root_text))?;
    let object_store = object_store::local::LocalFileSystem::new_with_prefix(&root)?;
    Ok(Setup {
        contenders: vec![
            Entry::both(Box::new(crate::raw_fs::RawFs { root: root.clone() })),
            Entry::set(
                ours(true)?,
                setting(
                    Config::Defaults,
                    "syncs each write to the disk (`sync=true`, its default), which no other contender does",
                    WRITES,
                ),
            ),
            Entry::set(
                ours(false)?,
                setting(
                    Config::Alike,
                    "does not sync (`sync=false`), as no other contender does",
                    &Workload::ALL,
                ),
            ),
            Entry::both(Box::new(OpenDal::new(opendal))),
            Entry::both(Box::new(ObjectStoreContender::new(Arc::new(object_store)))),
        ],
        server: format!("local files under {}", root.display()),
        skip: run_everything,
    })
}

async fn s3() -> anyhow::Result<Setup> {
    let s = S3Settings::from_env()?;
    let mut ours = storage_s3::S3Builder::new(&s.bucket);
    // To measure what payload signing costs: `RS_STORAGE_BENCH_S3_PAYLOAD_SIGNING=true`.
    if let Ok(value) = std::env::var("RS_STORAGE_BENCH_S3_PAYLOAD_SIGNING") {
        ours = ours.payload_signing(value == "true");
    }
    let ours = ours
        .endpoint(&s.endpoint)
        .region(&s.region)
        .force_path_style(true)
        .credentials(&s.access_key, &s.secret_key, None)
        .part_size(PART_SIZE)
        .concurrency(CONCURRENCY)
        .build()
        .await?;
    ensure_bucket(&ours, &s.bucket).await?;
    let opendal = opendal::Operator::new(
        opendal::services::S3::default()
            .bucket(&s.bucket)
            .endpoint(&s.endpoint)
            .region(&s.region)
            .access_key_id(&s.access_key)
            .secret_access_key(&s.secret_key)
            .disable_config_load()
            .disable_ec2_metadata(),
    )?;
    let object_store = |unsigned_payload: bool| -> anyhow::Result<Box<ObjectStoreContender>> {
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&s.endpoint)
            .with_allow_http(true)
            .with_bucket_name(&s.bucket)
            .with_region(&s.region)
            .with_access_key_id(&s.access_key)
            .with_secret_access_key(&s.secret_key)
            .with_virtual_hosted_style_request(false)
            .with_unsigned_payload(unsigned_payload)
            .build()?;
        Ok(Box::new(ObjectStoreContender::new(Arc::new(store))))
    };
    // Over TLS rs-storage (by default) and OpenDAL send `UNSIGNED-PAYLOAD`; the SDK and
    // object_store sign a SHA-256 of every byte unless told otherwise.
    Ok(Setup {
        contenders: vec![
            Entry::set(
                Box::new(crate::raw_s3::RawS3::new(&s, false).await),
                setting(
                    Config::Defaults,
                    "signs a SHA-256 of every upload's payload (its default)",
                    &Workload::ALL,
                ),
            ),
            Entry::set(
                Box::new(crate::raw_s3::RawS3::new(&s, true).await),
                setting(
                    Config::Alike,
                    "sends `UNSIGNED-PAYLOAD` (`disable_payload_signing`), as rs-storage and OpenDAL do over TLS",
                    WRITES,
                ),
            ),
            Entry::both(Box::new(Ours {
                store: Arc::new(ours),
                parallel_writes: true,
            })),
            Entry::both(Box::new(OpenDal::new(opendal))),
            Entry::set(
                object_store(false)?,
                setting(
                    Config::Defaults,
                    "signs a SHA-256 of every upload's payload (its default)",
                    &Workload::ALL,
                ),
            ),
            Entry::set(
                object_store(true)?,
                setting(
                    Config::Alike,
                    "sends `UNSIGNED-PAYLOAD` (`with_unsigned_payload(true)`)",
                    WRITES,
                ),
            ),
        ],
        server: format!("SeaweedFS at {}", s.endpoint),
        skip: run_everything,
    })
}

/// The official crate has no hierarchical listing (rs-storage adds the delimiter with a
/// pipeline policy of its own).
fn azblob_skips(contender: &str, workload: Workload) -> Option<&'static str> {
    (contender == "sdk" && workload == Workload::ListDelimited)
        .then_some("no delimiter listing in azure_storage_blob 1.1")
}

async fn azblob() -> anyhow::Result<Setup> {
    let s = AzBlobSettings::from_env()?;
    let ours = storage_azblob::AzBlobBuilder::new(&s.container)
        .endpoint(&s.endpoint)
        .account(&s.account)
        .account_key(&s.account_key)
        .block_size(PART_SIZE)
        .concurrency(CONCURRENCY)
        .build()?;
    ensure_bucket(&ours, &s.container).await?;
    let opendal = opendal::Operator::new(
        opendal::services::Azblob::default()
            .endpoint(&s.endpoint)
            .account_name(&s.account)
            .account_key(&s.account_key)
            .container(&s.container),
    )?;
    let object_store = object_store::azure::MicrosoftAzureBuilder::new()
        .with_endpoint(s.endpoint.clone())
        .with_allow_http(true)
        .with_account(&s.account)
        .with_access_key(&s.account_key)
        .with_container_name(&s.container)
        .build()?;
    Ok(Setup {
        contenders: vec![
            Entry::set(
                Box::new(crate::raw_azblob::RawAzBlob::new(&s, false)?),
                setting(
                    Config::Defaults,
                    "reads the large object with its partitioned download: 4 MiB ranges, 8 at once (its default)",
                    &Workload::ALL,
                ),
            ),
            Entry::set(
                Box::new(crate::raw_azblob::RawAzBlob::new(&s, true)?),
                setting(
                    Config::Alike,
                    "reads the large object with one request, as every other library does",
                    &[Workload::LargeRead],
                ),
            ),
            Entry::both(Box::new(Ours {
                store: Arc::new(ours),
                parallel_writes: true,
            })),
            Entry::both(Box::new(OpenDal::new(opendal))),
            Entry::both(Box::new(ObjectStoreContender::new(Arc::new(object_store)))),
        ],
        server: format!("Azurite at {}", s.endpoint),
        skip: azblob_skips,
    })
}

/// What the peers cannot do against the repo's GCS test server, which serves the JSON API and
/// gRPC but not the XML API.
fn gcs_skips(contender: &str, workload: Workload) -> Option<&'static str> {
    match (contender, workload) {
        ("object_store", _) => {
            Some("object_store speaks GCS's XML API, which the test server does not serve")
        }
        ("opendal", Workload::LargeWrite) => Some(
            "OpenDAL's concurrent GCS writer uses the XML multipart API, which the test server does not serve",
        ),
        _ => None,
    }
}

async fn gcs() -> anyhow::Result<Setup> {
    let s = GcsSettings::from_env()?;
    let ours = storage_gcs::GcsBuilder::new(&s.bucket)
        .endpoint(&s.endpoint)
        .anonymous()
        .project_id("test-project")
        .chunk_size(PART_SIZE)
        .build()
        .await?;
    let opendal = opendal::Operator::new(
        opendal::services::Gcs::default()
            .bucket(&s.bucket)
            .endpoint(&s.endpoint)
            .skip_signature(),
    )?;
    let object_store = object_store::gcp::GoogleCloudStorageBuilder::new()
        .with_base_url(&s.endpoint)
        .with_bucket_name(&s.bucket)
        .with_skip_signature(true)
        .with_client_options(object_store::ClientOptions::new().with_allow_http(true))
        .build()?;
    Ok(Setup {
        // No setting differs here: the SDK's resumable upload buffers 8 MiB by default, the
        // part size every contender uses, and no contender signs requests to the test server.
        contenders: vec![
            Entry::both(Box::new(
                crate::raw_gcs::RawGcs::new(&s, PART_SIZE as usize).await?,
            )),
            Entry::both(Box::new(Ours {
                store: Arc::new(ours),
                parallel_writes: false,
            })),
            Entry::both(Box::new(OpenDal::new(opendal))),
            Entry::both(Box::new(ObjectStoreContender::new(Arc::new(object_store)))),
        ],
        server: format!(
            "the repo's GCS test server (release build) at {}",
            s.endpoint
        ),
        skip: gcs_skips,
    })
}
