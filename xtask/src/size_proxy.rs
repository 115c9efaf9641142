//! A loopback HTTP/1.1 proxy in front of the independent GCS servers that adds the download
//! headers GCS always sends and they omit: `x-goog-stored-content-length` (the object's size,
//! which the official crate reports as the object's size), taken from `Content-Range` (206) or
//! `Content-Length` (200); and for gcp-storage-emulator `x-goog-generation` (without which the
//! crate refuses the download), read from the server's own resource of the object.
//! Everything else passes through unchanged, one request per connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// The headers the proxy adds to download replies that lack them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// `x-goog-stored-content-length` (fake-gcs-server sends the generation).
    StoredLength,
    /// `x-goog-generation` as well (gcp-storage-emulator sends neither).
    GenerationAndStoredLength,
}

/// Starts the proxy on a free port in front of `upstream` (a loopback port); returns its port.
pub(crate) fn start(upstream: u16, fill: Fill) -> Result<u16, String> {
    let listener =
        TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("cannot bind a proxy: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("proxy address: {e}"))?
        .port();
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            thread::spawn(move || {
                let closer = client.try_clone();
                let _ = relay(client, upstream, fill);
                // Whatever happened (a server that reset the connection included), end the
                // client's connection too, so that it sees the failure instead of waiting for
                // ever (the thread relaying the request body holds a handle to it).
                if let Ok(closer) = closer {
                    let _ = closer.shutdown(std::net::Shutdown::Both);
                }
            });
        }
    });
    Ok(port)
}

/// The head of an HTTP message: the lines up to the blank one, without line ends.
fn read_head(reader: &mut impl BufRead) -> std::io::Result<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(lines);
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            return Ok(lines);
        }
        lines.push(line);
    }
}

fn header<'a>(head: &'a [String], name: &str) -> Option<&'a str> {
    head.iter().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn write_head(out: &mut impl Write, head: &[String]) -> std::io::Result<()> {
    for line in head {
        write!(out, "{line}\r\n")?;
    }
    write!(out, "\r\n")
}

fn relay(client: TcpStream, upstream: u16, fill: Fill) -> std::io::Result<()> {
    let mut from_client = BufReader::new(client.try_clone()?);
    let mut request = read_head(&mut from_client)?;
    if request.is_empty() {
        return Ok(());
    }
    // Asked before the download itself, on a connection of its own: gcp-storage-emulator
    // serves one connection at a time, so a lookup during the download would wait for ever.
    let generation = match fill {
        Fill::GenerationAndStoredLength => request
            .first()
            .and_then(|line| resource_target(line))
            .and_then(|target| generation_of(upstream, &target)),
        Fill::StoredLength => None,
    };
    let server = TcpStream::connect(("127.0.0.1", upstream))?;
    // One request per connection, so that bodies need no framing here.
    request.retain(|line| !line.to_ascii_lowercase().starts_with("connection:"));
    request.push("Connection: close".to_owned());
    let mut to_server = server.try_clone()?;
    write_head(&mut to_server, &request)?;
    // The request body (whatever follows the head) streams on while the reply comes back.
    thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_server);
    });
    let mut from_server = BufReader::new(server);
    let mut reply = read_head(&mut from_server)?;
    let succeeded = reply
        .first()
        .is_some_and(|status| status.contains(" 200") || status.contains(" 206"));
    if succeeded
        && header(&reply, "x-goog-generation").is_none()
        && let Some(generation) = generation
    {
        reply.push(format!("x-goog-generation: {generation}"));
    }
    if header(&reply, "x-goog-generation").is_some()
        && header(&reply, "x-goog-stored-content-length").is_none()
    {
        let size = header(&reply, "content-range")
            .and_then(|range| range.rsplit('/').next())
            .map(str::to_owned)
            .or_else(|| header(&reply, "content-length").map(str::to_owned));
        if let Some(size) = size {
            reply.push(format!("x-goog-stored-content-length: {size}"));
        }
    }
    let mut to_client = client;
    write_head(&mut to_client, &reply)?;
    std::io::copy(&mut from_server, &mut to_client)?;
    to_client.shutdown(std::net::Shutdown::Both)
}

/// For a media download (`GET /storage/v1/b/B/o/NAME?alt=media...`), the request target of the
/// object's resource: the same path and query without `alt=media`.
fn resource_target(request_line: &str) -> Option<String> {
    let mut words = request_line.split(' ');
    let (method, target) = (words.next()?, words.next()?);
    let (path, query) = target.split_once('?')?;
    if method != "GET" || !path.starts_with("/storage/v1/b/") {
        return None;
    }
    let params: Vec<&str> = query.split('&').collect();
    if !params.contains(&"alt=media") {
        return None;
    }
    let rest: Vec<&str> = params.into_iter().filter(|p| *p != "alt=media").collect();
    Some(format!("{path}?{}", rest.join("&")))
}

/// The `generation` of the object resource the server answers at `target`. Tried a few times:
/// gcp-storage-emulator, one connection at a time behind a short accept queue, now and then
/// resets a connection when many wait (the SDK retries its own requests the same way).
fn generation_of(upstream: u16, target: &str) -> Option<String> {
    (0..5).find_map(|attempt| {
        if attempt > 0 {
            thread::sleep(std::time::Duration::from_millis(50 << attempt));
        }
        lookup_generation(upstream, target)
    })
}

fn lookup_generation(upstream: u16, target: &str) -> Option<String> {
    let mut server = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    write!(
        server,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut reply = String::new();
    server.read_to_string(&mut reply).ok()?;
    if !reply.lines().next()?.contains(" 200") {
        return None;
    }
    // The JSON API renders int64 fields as strings: `"generation": "1234"`.
    let after = reply.split("\"generation\"").nth(1)?;
    let digits: String = after
        .trim_start_matches([' ', ':', '"'])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_downloads_map_to_their_resource() {
        assert_eq!(
            resource_target("GET /storage/v1/b/b/o/a%2Fb?alt=media&generation=5 HTTP/1.1"),
            Some("/storage/v1/b/b/o/a%2Fb?generation=5".to_owned())
        );
        assert_eq!(
            resource_target("GET /storage/v1/b/b/o/x?alt=json HTTP/1.1"),
            None
        );
        assert_eq!(
            resource_target("PUT /storage/v1/b/b/o/x?alt=media HTTP/1.1"),
            None
        );
    }
}
