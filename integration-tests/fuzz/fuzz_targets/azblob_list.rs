//! Fuzz target: the Azure List Blobs reader rs-storage wrote itself (the SDK's model has no
//! place for `<BlobPrefix>`), on any text a server might send. No panic, and no entry whose path
//! leaves the store's root, whatever names the page holds.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use storage_azblob::{AzBlobBuilder, AzBlobStorage, DEV_ACCOUNT, DEV_ACCOUNT_KEY, fuzzing};

static STORE: LazyLock<AzBlobStorage> = LazyLock::new(|| {
    AzBlobBuilder::new("container")
        .root("root/")
        .endpoint("http://127.0.0.1:1/devstoreaccount1")
        .account(DEV_ACCOUNT)
        .account_key(DEV_ACCOUNT_KEY)
        .build()
        .expect("a store with no server builds")
});

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let _ = fuzzing::list_xml_leaves(xml);
    for recursive in [false, true] {
        for entry in fuzzing::list_page(&STORE, "root/dir/", recursive, xml) {
            let path = entry.path.as_str();
            assert!(!path.starts_with('/') && path.split('/').all(|s| s != ".."));
        }
    }
});
