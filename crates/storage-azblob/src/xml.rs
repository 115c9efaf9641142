//! A small reader for the List Blobs XML, on `quick-xml`: element texts by their path. The
//! SDK's own model has no place for the `<BlobPrefix>` elements a delimiter listing returns, so
//! we read the page's raw body ourselves.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use storage_types::{Error, Result};

/// Every `(path, text)` of leaf elements in document order, where `path` joins the element names
/// from the root with `/` (`EnumerationResults/Blobs/Blob/Name`). An element without text yields
/// an empty text; attributes are ignored. A page that is not well-formed XML is an error, so
/// that a listing never ends early without saying so.
pub(crate) fn leaves(xml: &str) -> Result<Vec<(String, String)>> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    // The text of the innermost open element, while no child element has started in it.
    let mut text: Option<String> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|err| not_xml(reader.error_position(), err))?;
        match event {
            Event::Start(start) => {
                stack.push(String::from_utf8_lossy(start.name().as_ref()).into_owned());
                text = Some(String::new());
            }
            Event::Empty(empty) => {
                stack.push(String::from_utf8_lossy(empty.name().as_ref()).into_owned());
                out.push((stack.join("/"), String::new()));
                stack.pop();
                text = None;
            }
            Event::End(_) => {
                if let Some(text) = text.take() {
                    out.push((stack.join("/"), text));
                }
                stack.pop();
            }
            Event::Text(chunk) => {
                if let Some(text) = text.as_mut() {
                    text.push_str(
                        &chunk
                            .decode()
                            .map_err(|e| not_xml(reader.buffer_position(), e))?,
                    );
                }
            }
            Event::CData(chunk) => {
                if let Some(text) = text.as_mut() {
                    text.push_str(
                        &chunk
                            .decode()
                            .map_err(|e| not_xml(reader.buffer_position(), e))?,
                    );
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(text) = text.as_mut() {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => {
                            let name = reference
                                .decode()
                                .map_err(|e| not_xml(reader.buffer_position(), e))?;
                            resolve_predefined_entity(&name).and_then(|s| s.chars().next())
                        }
                        Err(err) => return Err(not_xml(reader.buffer_position(), err)),
                    };
                    match resolved {
                        Some(c) => text.push(c),
                        None => {
                            return Err(Error::unexpected(format!(
                                "the List Blobs page names an unknown entity at byte {}",
                                reader.buffer_position()
                            )));
                        }
                    }
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(Error::unexpected(format!(
            "the List Blobs page ends inside <{}>",
            stack.join("/")
        )));
    }
    Ok(out)
}

/// A page the reader cannot read, at byte `position`.
fn not_xml(position: u64, err: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::unexpected(format!(
        "the List Blobs page is not well-formed XML (at byte {position})"
    ))
    .with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(got: &'a [(String, String)], path: &str) -> Vec<&'a str> {
        got.iter()
            .filter(|(k, _)| k == path)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn reads_blobs_and_prefixes() {
        let xml = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"x\" ContainerName=\"c\"><Prefix>d/</Prefix><Blobs><Blob><Name>d/a &amp; b.txt</Name><Properties><Content-Length>12</Content-Length><Etag>\"0x1\"</Etag></Properties><Metadata /></Blob><BlobPrefix><Name>d/sub/</Name></BlobPrefix></Blobs><NextMarker /></EnumerationResults>";
        let got = leaves(xml).unwrap();
        assert_eq!(
            find(&got, "EnumerationResults/Blobs/Blob/Name"),
            ["d/a & b.txt"]
        );
        assert_eq!(
            find(
                &got,
                "EnumerationResults/Blobs/Blob/Properties/Content-Length"
            ),
            ["12"]
        );
        assert_eq!(
            find(&got, "EnumerationResults/Blobs/Blob/Properties/Etag"),
            ["\"0x1\""]
        );
        assert_eq!(
            find(&got, "EnumerationResults/Blobs/BlobPrefix/Name"),
            ["d/sub/"]
        );
        assert_eq!(find(&got, "EnumerationResults/NextMarker"), [""]);
        assert_eq!(find(&got, "EnumerationResults/Blobs/Blob/Metadata"), [""]);
        // Elements with children are not leaves.
        assert!(find(&got, "EnumerationResults/Blobs").is_empty());
    }

    #[test]
    fn decodes_references_and_keeps_spaces() {
        let xml =
            "<a><n> x&#x41;&#66;&lt;&gt;&quot;&apos; </n><m></m><c><![CDATA[<raw>]]></c>\n  </a>";
        let got = leaves(xml).unwrap();
        assert_eq!(find(&got, "a/n"), [" xAB<>\"' "]);
        assert_eq!(find(&got, "a/m"), [""]);
        assert_eq!(find(&got, "a/c"), ["<raw>"]);
        assert!(find(&got, "a").is_empty());
    }

    #[test]
    fn malformed_pages_are_errors() {
        for bad in [
            "<a><b>x</a>",
            "<a><b>x</b>",
            "<a>&bogus;</a>",
            "<a>&#0;</a>",
            "<a><b attr=\"x></b></a>",
        ] {
            let err = leaves(bad).unwrap_err();
            assert_eq!(err.kind(), storage_types::ErrorKind::Unexpected, "{bad}");
        }
    }
}
