//! The S3 rows of kvproto's `backup.S3` fields: each maps to the URL key BR uses for it, and is
//! checked by opening a store from the message on SeaweedFS, or on the URL it maps to.

use storage::kvproto::{S3, StorageBackend};
use storage_s3::S3Builder;

use super::{Check, Row, check, expect, field, open_message, round_trip};

/// The rows of kvproto's `S3` fields.
pub(super) fn rows() -> Vec<Row> {
    let br_same = "As the URL key of the same name (TiKV reads the field as is).";
    vec![
        field(
            "S3.endpoint",
            br_same,
            "The endpoint key.",
            server_message!("m-endpoint", S3::default()),
        ),
        field(
            "S3.region",
            br_same,
            "The region key.",
            server_message!(
                "m-region",
                S3 {
                    region: "us-east-1".into(),
                    ..S3::default()
                }
            ),
        ),
        field(
            "S3.bucket",
            "The bucket (required).",
            "The URL's host; empty is refused.",
            config!({
                let empty = StorageBackend::S3(S3::default());
                expect(empty.to_url().is_err(), "an empty bucket was accepted")
            }),
        ),
        field(
            "S3.prefix",
            "The key prefix.",
            "The URL's path: every key goes below it.",
            server_message!("m-prefix", S3::default()),
        ),
        field(
            "S3.storage_class",
            br_same,
            "The storage-class key.",
            server_message!(
                "m-storage-class",
                S3 {
                    storage_class: "STANDARD".into(),
                    ..S3::default()
                }
            ),
        ),
        field(
            "S3.sse",
            br_same,
            "The sse key (aws:kms alone: the AWS-managed key).",
            server_message!(
                "m-sse",
                S3 {
                    sse: "AES256".into(),
                    ..S3::default()
                }
            ),
        ),
        field(
            "S3.acl",
            br_same,
            "The acl key.",
            server_message!(
                "m-acl",
                S3 {
                    acl: "private".into(),
                    ..S3::default()
                }
            ),
        ),
        field(
            "S3.access_key",
            br_same,
            "The access-key key.",
            server_message!("m-access-key", S3::default()),
        ),
        field(
            "S3.secret_access_key",
            br_same,
            "The secret-access-key key.",
            server_message!("m-secret", S3::default()),
        ),
        field(
            "S3.force_path_style",
            "Path style as BR resolved it (false is virtual-hosted style).",
            "force-path-style, false included; the vendor rules still apply.",
            config!({
                let url = StorageBackend::S3(S3 {
                    bucket: "b".into(),
                    ..S3::default()
                })
                .to_url()
                .map_err(|e| e.to_string())?;
                let b = S3Builder::from_query("b", "", url.query()).map_err(|e| e.to_string())?;
                expect(
                    !b.uses_path_style(),
                    "force_path_style=false addressed path-style",
                )
            }),
        ),
        field(
            "S3.sse_kms_key_id",
            br_same,
            "The sse-kms-key-id key.",
            server_message!(
                "m-kms",
                S3 {
                    sse: "aws:kms".into(),
                    sse_kms_key_id: "alias/seaweedfs-default".into(),
                    ..S3::default()
                }
            ),
        ),
        field(
            "S3.role_arn",
            br_same,
            "The role-arn key (STS at its own endpoint).",
            config!({
                let url = StorageBackend::S3(S3 {
                    bucket: "b".into(),
                    role_arn: "arn:aws:iam::1:role/r".into(),
                    ..S3::default()
                })
                .to_url()
                .map_err(|e| e.to_string())?;
                expect(url.query().get("role-arn").is_some(), "role_arn dropped")
            }),
        ),
        field(
            "S3.external_id",
            br_same,
            "The external-id key.",
            config!({
                let url = StorageBackend::S3(S3 {
                    bucket: "b".into(),
                    external_id: "x".into(),
                    ..S3::default()
                })
                .to_url()
                .map_err(|e| e.to_string())?;
                expect(
                    url.query().get("external-id").is_some(),
                    "external_id dropped",
                )
            }),
        ),
        field(
            "S3.object_lock_enabled",
            "Content-MD5 on every PUT and part (TiKV's get_content_md5).",
            "The object-lock-enabled key.",
            server_message!(
                "m-object-lock",
                S3 {
                    object_lock_enabled: true,
                    ..S3::default()
                }
            ),
        ),
        field(
            "S3.session_token",
            br_same,
            "The session-token key.",
            config!({
                let url = StorageBackend::S3(S3 {
                    bucket: "b".into(),
                    access_key: "A".into(),
                    secret_access_key: "S".into(),
                    session_token: "T".into(),
                    ..S3::default()
                })
                .to_url()
                .map_err(|e| e.to_string())?;
                S3Builder::from_query("b", "", url.query())
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }),
        ),
        field(
            "S3.provider",
            br_same,
            "The provider key (Content-MD5, path style, no region lookup for vendors).",
            server_message!(
                "m-provider",
                S3 {
                    provider: "ceph".into(),
                    ..S3::default()
                }
            ),
        ),
    ]
}
