//! A loopback HTTP/1.1 proxy in front of fake-gcs-server that adds the one download header it
//! omits and GCS always sends: `x-goog-stored-content-length` (the object's size), which the
//! official crate reports as the object's size. It is taken from `Content-Range` (206) or
//! `Content-Length` (200). Everything else passes through unchanged, one request per
//! connection.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// Starts the proxy on a free port in front of `upstream` (a loopback port); returns its port.
pub(crate) fn start(upstream: u16) -> Result<u16, String> {
    let listener =
        TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("cannot bind a proxy: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("proxy address: {e}"))?
        .port();
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            thread::spawn(move || {
                let _ = relay(client, upstream);
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

fn relay(client: TcpStream, upstream: u16) -> std::io::Result<()> {
    let server = TcpStream::connect(("127.0.0.1", upstream))?;
    let mut from_client = BufReader::new(client.try_clone()?);
    let mut request = read_head(&mut from_client)?;
    if request.is_empty() {
        return Ok(());
    }
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
