//! Fuzz target: the URL keys of each cloud backend (`from_query`), Azure connection strings and
//! customer keys in base64, on any input: each is refused with an error or accepted, never a
//! panic. The input is `key=value` pairs separated by `&`, its first byte choosing the backend.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use storage_azblob::AzBlobBuilder;
use storage_gcs::GcsBuilder;
use storage_s3::S3Builder;
use storage_types::CustomerKey;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let query: BTreeMap<String, String> = text
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    match choice % 5 {
        0 => drop(S3Builder::from_query("bucket", "root/", &query)),
        1 => drop(AzBlobBuilder::from_query("container", "root/", &query)),
        2 => drop(GcsBuilder::from_query("bucket", "root/", &query)),
        3 => drop(AzBlobBuilder::new("container").connection_string(text)),
        _ => drop(CustomerKey::from_base64(text)),
    }
});
