//! A small reader for the List Blobs XML: element texts by their path. The SDK's own model has
//! no place for the `<BlobPrefix>` elements a delimiter listing returns, so we read the page's
//! raw body ourselves.

/// Every `(path, text)` of leaf elements in document order, where `path` joins the element names
/// from the root with `/` (`EnumerationResults/Blobs/Blob/Name`). An element without text yields
/// an empty text; attributes are ignored.
pub(crate) fn leaves(xml: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = xml;
    let mut text_start: Option<&str> = None;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else { break };
        let tag = &after[..close];
        rest = &after[close + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            if text_start.take().is_some() || !text.trim().is_empty() {
                out.push((stack.join("/"), unescape(text)));
            }
            if stack.last() == Some(&name.trim()) {
                stack.pop();
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let name = tag
            .trim_end_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or("");
        if self_closing {
            stack.push(name);
            out.push((stack.join("/"), String::new()));
            stack.pop();
            text_start = None;
        } else {
            stack.push(name);
            text_start = Some(rest);
        }
    }
    out
}

/// Decodes the five predefined entities and numeric character references.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let Some(semi) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&tail[..=semi]),
        }
        rest = &tail[semi + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blobs_and_prefixes() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="x" ContainerName="c"><Prefix>d/</Prefix><Blobs><Blob><Name>d/a &amp; b.txt</Name><Properties><Content-Length>12</Content-Length><Etag>"0x1"</Etag></Properties><Metadata /></Blob><BlobPrefix><Name>d/sub/</Name></BlobPrefix></Blobs><NextMarker /></EnumerationResults>"#;
        let got = leaves(xml);
        let find = |p: &str| {
            got.iter()
                .filter(|(k, _)| k == p)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(find("EnumerationResults/Blobs/Blob/Name"), ["d/a & b.txt"]);
        assert_eq!(
            find("EnumerationResults/Blobs/Blob/Properties/Content-Length"),
            ["12"]
        );
        assert_eq!(find("EnumerationResults/Blobs/BlobPrefix/Name"), ["d/sub/"]);
        assert_eq!(find("EnumerationResults/NextMarker"), [""]);
        assert_eq!(unescape("&#x41;&#66;&bogus;"), "AB&bogus;");
    }
}
