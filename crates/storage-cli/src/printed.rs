//! Names as `stor ls` prints them below a URL: escaped exactly where a URL would read them
//! otherwise, so that the listed URL followed by a printed name names that object again.

/// `name` (a path relative to a listed URL directory, `/` between its segments) escaped so
/// that `URL_OF_THE_DIRECTORY + escaped` parses (`storage::StorageUrl::parse`) back to the
/// exact name:
///
/// - `%` is `%25`: the parser decodes escapes;
/// - `#` and `?` are `%23` and `%3F`: they would start a fragment or the query;
/// - control characters are escaped: the URL parser drops tabs and newlines, and a terminal
///   should not receive them;
/// - `\` is `%5C`: `file://` URLs read it as `/`;
/// - a space at the very end is `%20`: the URL parser trims it off a URL.
///
/// Everything else stays as it is (spaces, `+`, `&`, letters of any script): the parser
/// accepts it literally, and a person reads it. Segments `.` and `..` cannot be named by a URL
/// at all (the parser refuses them); they are printed as they are.
pub(crate) fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let last = name.char_indices().last().map(|(at, _)| at);
    for (at, c) in name.char_indices() {
        let needed =
            matches!(c, '%' | '#' | '?' | '\\') || c.is_control() || (c == ' ' && Some(at) == last);
        if needed {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// `c` as `%XX` escapes of its UTF-8 bytes.
pub(crate) fn push_escaped(out: &mut String, c: char) {
    let mut bytes = [0; 4];
    for byte in c.encode_utf8(&mut bytes).bytes() {
        out.push_str(&format!("%{byte:02X}"));
    }
}

#[cfg(test)]
mod tests {
    use super::escape;
    use storage::StorageUrl;

    /// Names with every character class a URL treats specially, and ordinary ones.
    const ODD: &[&str] = &[
        "100% sure.txt",
        "a#b?c.txt",
        "sp ace/ü.txt",
        "-dash.txt",
        "%",
        "%41",
        "%zz",
        "x%2Fy",
        "tab\there",
        "new\nline\r",
        "trailing ",
        "trailing  two  ",
        " leading",
        "back\\slash",
        "a+b&c=d;e",
        "quote\"s'<>`{}|^[x]",
        "日本語/ファイル",
        "emoji 😀",
        "del\u{7f}c1\u{85}",
        "nul\u{0}",
        "a//b",
        "@x:y~z",
        "dir/",
        "..a/b..",
        "?",
        "#",
        "?query=1",
    ];

    /// Listed URL directories of every backend and spelling (`file://` reads `\` as `/`).
    const DIRS: &[(&str, &str)] = &[
        ("s3://bucket/some/dir/", "/some/dir/"),
        ("s3://bucket/", "/"),
        ("azblob://container/d/", "/d/"),
        ("gcs://bucket/d/", "/d/"),
        ("gs://bucket/d/", "/d/"),
        ("memory://scratch/d/", "/d/"),
        ("fs:///tmp/d/", "/tmp/d/"),
        ("file:///tmp/d/", "/tmp/d/"),
    ];

    #[test]
    fn every_printed_name_parses_back_below_every_kind_of_url() {
        for (dir, path) in DIRS {
            for name in ODD {
                for query in ["", "?region=eu-west-1"] {
                    let url = format!("{dir}{}{query}", escape(name));
                    let parsed = StorageUrl::parse(&url)
                        .unwrap_or_else(|err| panic!("{url:?} does not parse: {err}"));
                    assert_eq!(parsed.path(), format!("{path}{name}"), "{url:?}");
                }
            }
        }
    }

    #[test]
    fn only_what_is_needed_is_escaped() {
        assert_eq!(escape("100% sure.txt"), "100%25 sure.txt");
        assert_eq!(escape("a#b?c.txt"), "a%23b%3Fc.txt");
        assert_eq!(escape("sp ace/ü.txt"), "sp ace/ü.txt");
        assert_eq!(escape("-dash.txt"), "-dash.txt");
        assert_eq!(escape("a\tb\n"), "a%09b%0A");
        assert_eq!(escape("end "), "end%20");
        assert_eq!(escape("a b "), "a b%20");
        assert_eq!(escape("c1\u{85}"), "c1%C2%85");
        assert_eq!(escape(""), "");
    }
}
