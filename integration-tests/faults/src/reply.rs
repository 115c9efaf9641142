//! The responses the proxy writes itself, without a server: the invitation to send a body and
//! the made-up answers of [`Fault::Status`](crate::Fault::Status).

/// The interim response that tells a client waiting on `Expect: 100-continue` to send its body.
pub(crate) const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// A complete response with `code`, `headers` and `body`, framed by a Content-Length that
/// replaces any the caller gave (as does any Transfer-Encoding: the proxy sends the body in one
/// piece). Statuses that never carry a body (1xx, 204, 304) get neither body nor length, and the
/// answer to a HEAD request announces its body without sending it.
pub(crate) fn status(
    code: u16,
    headers: &[(String, String)],
    body: &str,
    head_request: bool,
) -> Vec<u8> {
    let bodiless = code < 200 || code == 204 || code == 304;
    let mut out = format!("HTTP/1.1 {code} {}\r\n", reason(code));
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            continue;
        }
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push_str("\r\n");
    }
    if !bodiless {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    if !bodiless && !head_request {
        out.push_str(body);
    }
    out.into_bytes()
}

/// The reason phrase of the statuses storage services answer with; clients ignore it, but
/// people reading a capture do not.
fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::status;

    #[test]
    fn status_replaces_framing_headers_with_its_own_length() {
        let headers = vec![
            ("x-amz-error-code".to_owned(), "SlowDown".to_owned()),
            ("Content-Length".to_owned(), "999".to_owned()),
        ];
        let response = status(503, &headers, "slow down", false);
        assert_eq!(
            String::from_utf8_lossy(&response),
            "HTTP/1.1 503 Service Unavailable\r\nx-amz-error-code: SlowDown\r\n\
             Content-Length: 9\r\n\r\nslow down"
        );
    }

    #[test]
    fn status_sends_no_body_where_http_allows_none() {
        let head = status(404, &[], "missing", true);
        assert_eq!(
            String::from_utf8_lossy(&head),
            "HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\n"
        );
        let empty = status(204, &[], "ignored", false);
        assert_eq!(
            String::from_utf8_lossy(&empty),
            "HTTP/1.1 204 No Content\r\n\r\n"
        );
    }
}
