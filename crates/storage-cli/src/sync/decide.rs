//! Whether `stor sync` copies one file: the rule alone, as a pure function of what the two
//! listings said, apart from the listing and the copying (the module doc of `sync` says why
//! the rule is what it is).

use std::time::{SystemTime, UNIX_EPOCH};

use storage::Metadata;

/// What one side knows of a file's MD5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Md5 {
    /// The store says it: an S3 ETag of a single-part upload.
    Known([u8; 16]),
    /// No store says it, but reading the file is cheap (a local file).
    Readable,
    /// Neither: a multipart ETag, an Azure or GCS ETag, a memory store's counter.
    Unknown,
}

/// One side of a comparison: the listing's metadata and its MD5, as far as known.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Side<'a> {
    pub(crate) meta: &'a Metadata,
    pub(crate) md5: Md5,
}

/// Which side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Source,
    Destination,
}

/// What to do with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Copy it, and why (`new`, `changed`).
    Copy(&'static str),
    /// Leave it, and why (`unchanged`).
    Skip(&'static str),
    /// Read this side to learn its MD5, then decide again (`--checksum`, where the other side
    /// has a stored MD5).
    ReadMd5(Which),
}

/// The decision for a source file and what the destination holds at its place (`None`:
/// nothing). Sizes first; then with `checksum` the MD5s where both sides have (or one can
/// read) one; then the times: a destination that is not older, in whole seconds, is current.
pub(crate) fn decide(src: &Side<'_>, dst: Option<&Side<'_>>, checksum: bool) -> Decision {
    let Some(dst) = dst else {
        return Decision::Copy("new");
    };
    if src.meta.size != dst.meta.size {
        return Decision::Copy("changed");
    }
    if checksum {
        match (src.md5, dst.md5) {
            (Md5::Known(a), Md5::Known(b)) => {
                return if a == b {
                    Decision::Skip("unchanged")
                } else {
                    Decision::Copy("changed")
                };
            }
            (Md5::Readable, Md5::Known(_)) => return Decision::ReadMd5(Which::Source),
            (Md5::Known(_), Md5::Readable) => return Decision::ReadMd5(Which::Destination),
            // No two hashes of one kind: size and time decide, as without --checksum.
            _ => {}
        }
    }
    if not_older(src.meta.last_modified, dst.meta.last_modified) {
        Decision::Skip("unchanged")
    } else {
        Decision::Copy("changed")
    }
}

/// Whether a destination written at `dst` is not older than a source written at `src`,
/// compared in whole seconds (S3 and others keep no finer times). An unknown time is never
/// current: copying again is the safe mistake.
fn not_older(src: Option<SystemTime>, dst: Option<SystemTime>) -> bool {
    match (src, dst) {
        (Some(src), Some(dst)) => whole_seconds(dst) >= whole_seconds(src),
        _ => false,
    }
}

/// Seconds since the epoch, rounded down (also before 1970).
fn whole_seconds(at: SystemTime) -> i64 {
    let secs = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => secs(after),
        Err(before) => {
            let before = before.duration();
            -secs(before) - i64::from(before.subsec_nanos() > 0)
        }
    }
}

/// What a listing entry of a store of `service` says of the file's MD5. Only an S3 ETag of 32
/// hex digits is taken for one: a multipart upload's has a `-N` suffix, and the other
/// services' ETags are generations or opaque tokens. (An object under SSE-KMS or SSE-C has an
/// ETag of 32 hex digits that is no MD5: it then compares as changed and is copied again,
/// the safe mistake.) A local file has no stored hash but can be read.
pub(crate) fn stored_md5(service: &str, meta: &Metadata) -> Md5 {
    match service {
        "fs" => Md5::Readable,
        "s3" => meta
            .etag
            .as_deref()
            .and_then(md5_etag)
            .map_or(Md5::Unknown, Md5::Known),
        _ => Md5::Unknown,
    }
}

/// The MD5 an ETag of 32 hex digits (quoted or not) spells.
fn md5_etag(etag: &str) -> Option<[u8; 16]> {
    let hex = etag.trim_matches('"');
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: u64, millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis)
    }

    fn meta(size: u64, written: Option<SystemTime>) -> Metadata {
        let mut meta = Metadata::file(size);
        meta.last_modified = written;
        meta
    }

    fn side(meta: &Metadata, md5: Md5) -> Side<'_> {
        Side { meta, md5 }
    }

    #[test]
    fn a_missing_file_is_new() {
        let src = meta(3, Some(at(100, 0)));
        let s = side(&src, Md5::Unknown);
        assert_eq!(decide(&s, None, false), Decision::Copy("new"));
        assert_eq!(decide(&s, None, true), Decision::Copy("new"));
    }

    #[test]
    fn the_same_size_and_not_older_is_current() {
        let src = meta(3, Some(at(100, 700)));
        let s = side(&src, Md5::Unknown);
        for dst in [at(100, 0), at(100, 900), at(200, 0)] {
            let dst = meta(3, Some(dst));
            let d = side(&dst, Md5::Unknown);
            assert_eq!(decide(&s, Some(&d), false), Decision::Skip("unchanged"));
        }
    }

    #[test]
    fn an_older_destination_or_another_size_is_changed() {
        let src = meta(3, Some(at(100, 0)));
        let s = side(&src, Md5::Unknown);
        let older = meta(3, Some(at(99, 999)));
        let d = side(&older, Md5::Unknown);
        assert_eq!(decide(&s, Some(&d), false), Decision::Copy("changed"));
        let bigger = meta(4, Some(at(500, 0)));
        let d = side(&bigger, Md5::Unknown);
        assert_eq!(decide(&s, Some(&d), false), Decision::Copy("changed"));
        assert_eq!(decide(&s, Some(&d), true), Decision::Copy("changed"));
    }

    #[test]
    fn an_unknown_time_is_changed() {
        let src = meta(3, None);
        let dst = meta(3, Some(at(100, 0)));
        let (s, d) = (side(&src, Md5::Unknown), side(&dst, Md5::Unknown));
        assert_eq!(decide(&s, Some(&d), false), Decision::Copy("changed"));
        assert_eq!(decide(&d, Some(&s), false), Decision::Copy("changed"));
    }

    #[test]
    fn checksums_decide_where_both_sides_have_one() {
        let src = meta(3, Some(at(500, 0)));
        let dst = meta(3, Some(at(100, 0)));
        let s = side(&src, Md5::Known([1; 16]));
        // Older but the same content: unchanged; newer but other content: changed.
        let d = side(&dst, Md5::Known([1; 16]));
        assert_eq!(decide(&s, Some(&d), true), Decision::Skip("unchanged"));
        assert_eq!(decide(&s, Some(&d), false), Decision::Copy("changed"));
        let d = side(&src, Md5::Known([2; 16]));
        let s = side(&dst, Md5::Known([1; 16]));
        assert_eq!(decide(&s, Some(&d), true), Decision::Copy("changed"));
        assert_eq!(decide(&s, Some(&d), false), Decision::Skip("unchanged"));
    }

    #[test]
    fn a_local_side_is_read_only_against_a_stored_md5() {
        let (src, dst) = (meta(3, Some(at(100, 0))), meta(3, Some(at(200, 0))));
        let local = side(&src, Md5::Readable);
        let s3 = side(&dst, Md5::Known([1; 16]));
        assert_eq!(
            decide(&local, Some(&s3), true),
            Decision::ReadMd5(Which::Source)
        );
        assert_eq!(
            decide(&s3, Some(&local), true),
            Decision::ReadMd5(Which::Destination)
        );
        // Two local files, or a local file and a store without MD5s: size and time.
        let other = side(&dst, Md5::Unknown);
        assert_eq!(
            decide(&local, Some(&other), true),
            Decision::Skip("unchanged")
        );
        let local_dst = side(&dst, Md5::Readable);
        assert_eq!(
            decide(&local, Some(&local_dst), true),
            Decision::Skip("unchanged")
        );
    }

    #[test]
    fn only_single_part_s3_etags_are_md5s() {
        let with = |etag: &str| Metadata::file(1).with_etag(etag);
        let md5 = "\"9e107d9d372bb6826bd81d3542a419d6\"";
        let Md5::Known(bytes) = stored_md5("s3", &with(md5)) else {
            panic!("an S3 ETag of 32 hex digits is an MD5");
        };
        assert_eq!(bytes[0], 0x9e);
        assert_eq!(bytes[15], 0xd6);
        assert_eq!(
            stored_md5("s3", &with("9e107d9d372bb6826bd81d3542a419d6")),
            Md5::Known(bytes)
        );
        let multipart = "\"9e107d9d372bb6826bd81d3542a419d6-3\"";
        assert_eq!(stored_md5("s3", &with(multipart)), Md5::Unknown);
        assert_eq!(stored_md5("s3", &Metadata::file(1)), Md5::Unknown);
        assert_eq!(stored_md5("azblob", &with(md5)), Md5::Unknown);
        assert_eq!(stored_md5("gcs", &with("1712345678901234")), Md5::Unknown);
        assert_eq!(
            stored_md5("memory", &with("\"000000000000002a\"")),
            Md5::Unknown
        );
        assert_eq!(stored_md5("fs", &with("\"1-2-3\"")), Md5::Readable);
    }

    #[test]
    fn times_before_1970_round_down_too() {
        assert_eq!(whole_seconds(at(5, 999)), 5);
        assert_eq!(whole_seconds(UNIX_EPOCH - Duration::from_millis(1)), -1);
        assert_eq!(whole_seconds(UNIX_EPOCH - Duration::from_secs(2)), -2);
    }
}
