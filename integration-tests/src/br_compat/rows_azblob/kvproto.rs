//! The kvproto rows of the Azure Blob table: each field of `backup.AzureBlobStorage`, opened
//! through `storage::kvproto::open_backend` on Azurite.

use storage::kvproto::{AzureBlobStorage, AzureCustomerKey};

use super::{
    Check, RAW_KEY_BASE64, RAW_KEY_SHA256, Row, check, field, message, open_message, round_trip,
    sas, tier_after_write,
};

/// The rows of kvproto's `AzureBlobStorage` fields.
pub(super) fn rows() -> Vec<Row> {
    vec![
        field(
            "AzureBlobStorage.endpoint",
            "The blob service URL.",
            "The `endpoint` URL key.",
            Check::Server(|ctx| {
                check(async move {
                    let store = open_message(message(&ctx, "kv-endpoint")?).await?;
                    round_trip(&ctx, "kv-endpoint", store).await
                })
            }),
        ),
        field(
            "AzureBlobStorage.bucket",
            "The container (required).",
            "The container; empty is refused naming the field.",
            Check::Server(|ctx| {
                check(async move {
                    let store = open_message(message(&ctx, "kv-bucket")?).await?;
                    round_trip(&ctx, "kv-bucket", store).await?;
                    let empty = AzureBlobStorage {
                        bucket: String::new(),
                        ..message(&ctx, "kv-bucket")?
                    };
                    match open_message(empty).await {
                        Err(e) if e.contains("AzureBlobStorage.bucket") => Ok(()),
                        other => Err(format!("an empty bucket: {:?}", other.map(|_| ()))),
                    }
                })
            }),
        ),
        field(
            "AzureBlobStorage.prefix",
            "The prefix of every blob name.",
            "The store's root.",
            Check::Server(|ctx| {
                check(async move {
                    let store = open_message(message(&ctx, "kv-prefix")?).await?;
                    round_trip(&ctx, "kv-prefix", store).await
                })
            }),
        ),
        field(
            "AzureBlobStorage.storage_class",
            "The access tier of writes; TiKV's check_config refuses it with a scope or key.",
            "The `access-tier` URL key, with the same refusal.",
            Check::Server(|ctx| {
                check(async move {
                    let tiered = AzureBlobStorage {
                        storage_class: "Cool".into(),
                        ..message(&ctx, "kv-tier")?
                    };
                    let tier = tier_after_write(&ctx, open_message(tiered.clone()).await?).await?;
                    if tier.as_deref() != Some("Cool") {
                        return Err(format!("the blob's tier is {tier:?}, not Cool"));
                    }
                    let both = AzureBlobStorage {
                        encryption_scope: "scope1".into(),
                        ..tiered
                    };
                    match open_message(both).await {
                        Err(e) if e.contains("access tier") => Ok(()),
                        other => Err(format!("tier and scope: {:?}", other.map(|_| ()))),
                    }
                })
            }),
        ),
        field(
            "AzureBlobStorage.account_name",
            "The account; else `AZURE_STORAGE_ACCOUNT`.",
            "The `account-name` URL key.",
            Check::Server(|ctx| {
                check(async move {
                    let store = open_message(message(&ctx, "kv-account")?).await?;
                    round_trip(&ctx, "kv-account", store).await
                })
            }),
        ),
        field(
            "AzureBlobStorage.shared_key",
            "The account key (Shared Key).",
            "The `account-key` URL key.",
            Check::Server(|ctx| {
                check(async move {
                    let store = open_message(message(&ctx, "kv-key")?).await?;
                    round_trip(&ctx, "kv-key", store).await
                })
            }),
        ),
        field(
            "AzureBlobStorage.access_sig",
            "A SAS token, preferred over the key.",
            "The `sas-token` URL key.",
            Check::Server(|ctx| {
                check(async move {
                    let only_sas = AzureBlobStorage {
                        shared_key: String::new(),
                        access_sig: sas(&ctx)?,
                        ..message(&ctx, "kv-sas")?
                    };
                    round_trip(&ctx, "kv-sas", open_message(only_sas).await?).await
                })
            }),
        ),
        field(
            "AzureBlobStorage.encryption_scope",
            "The encryption scope of writes.",
            "The `encryption-scope` URL key.",
            Check::Config(|ctx| {
                check(async move {
                    let scoped = AzureBlobStorage {
                        encryption_scope: "scope1".into(),
                        ..message(&ctx, "kv-scope")?
                    };
                    open_message(scoped).await.map(|_| ())
                })
            }),
        ),
        field(
            "AzureBlobStorage.encryption_key",
            "A customer key: base64 of the key and of its SHA-256 (BR fills it from \
             `encryption-key`).",
            "The `encryption-key-base64` URL key; a SHA-256 that is not the key's is refused.",
            Check::Config(|ctx| {
                check(async move {
                    let key = AzureCustomerKey {
                        encryption_key: RAW_KEY_BASE64.into(),
                        encryption_key_sha256: RAW_KEY_SHA256.into(),
                    };
                    let keyed = AzureBlobStorage {
                        encryption_key: Some(key),
                        ..message(&ctx, "kv-cpk")?
                    };
                    open_message(keyed.clone()).await?;
                    let wrong = AzureCustomerKey {
                        encryption_key: RAW_KEY_BASE64.into(),
                        encryption_key_sha256: RAW_KEY_BASE64.into(),
                    };
                    match open_message(AzureBlobStorage {
                        encryption_key: Some(wrong),
                        ..keyed
                    })
                    .await
                    {
                        Err(e) if e.contains("SHA-256") => Ok(()),
                        other => Err(format!("a wrong SHA-256: {:?}", other.map(|_| ()))),
                    }
                })
            }),
        ),
    ]
}
