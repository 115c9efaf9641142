//! Relaying one message body from a connection to another without ever holding it whole:
//! Content-Length and read-to-close bodies are copied as they arrive, chunked ones are copied raw
//! while their chunk sizes are tracked to find where the body ends. A [`Shape`] lets a fault stop
//! the copy part-way or flip one byte.

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::http::{Broken, Framing, MAX_HEAD, READ_CHUNK};

/// The longest chunk-size line accepted, extensions included; aws-chunked signatures make
/// them about a hundred bytes.
const MAX_CHUNK_LINE: usize = 4096;

/// What a fault does to a body on its way through. Offsets count body bytes, never chunk
/// framing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Stop before the body byte at this offset (and anything announcing it).
    pub(crate) stop_at: Option<u64>,
    /// XOR 0x01 into the body byte at this offset.
    pub(crate) flip_at: Option<u64>,
}

/// How a relay ended when neither side failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relayed {
    /// The whole body went through unchanged.
    Complete,
    /// The whole body went through with the byte at [`Shape::flip_at`] changed.
    Flipped,
    /// [`Shape::stop_at`] cut it short; the sink has seen an incomplete message.
    Stopped,
}

/// Copies the body framed by `framing` from `src` (whose already-read bytes are in `buf`) to
/// `dst`, leaving in `buf` whatever follows the body.
pub(crate) async fn relay<R, W>(
    src: &mut R,
    buf: &mut BytesMut,
    dst: &mut W,
    framing: Framing,
    shape: Shape,
) -> Result<Relayed, Broken>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut copier = Copier {
        src,
        buf,
        dst,
        out: BytesMut::new(),
        shape,
        sent: 0,
    };
    let relayed = match framing {
        Framing::Length(length) => copier.length(length).await?,
        Framing::Chunked => copier.chunked().await?,
        Framing::UntilClose => copier.until_close().await?,
    };
    copier.flush().await?;
    let flipped = copier.shape.flip_at.is_some_and(|at| at < copier.sent);
    Ok(match relayed {
        Relayed::Complete if flipped => Relayed::Flipped,
        relayed => relayed,
    })
}

/// The state of one relay. Output collects in `out` so that chunk framing and data leave in
/// few writes; it is flushed before every read, so nothing is held back while waiting.
struct Copier<'a, R, W> {
    src: &'a mut R,
    buf: &'a mut BytesMut,
    dst: &'a mut W,
    out: BytesMut,
    shape: Shape,
    /// Body bytes passed on so far.
    sent: u64,
}

impl<R, W> Copier<'_, R, W>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    async fn length(&mut self, length: u64) -> Result<Relayed, Broken> {
        let mut left = length;
        while left > 0 {
            if self.must_stop() {
                return Ok(Relayed::Stopped);
            }
            if self.buf.is_empty() && self.fill().await? == 0 {
                return Err(Broken::Source);
            }
            left -= self.data(left).await?;
        }
        Ok(Relayed::Complete)
    }

    async fn until_close(&mut self) -> Result<Relayed, Broken> {
        loop {
            // Whether more would have come is unknowable without waiting; the connection closes
            // after this body either way.
            if self.must_stop() {
                return Ok(Relayed::Stopped);
            }
            if self.buf.is_empty() && self.fill().await? == 0 {
                return Ok(Relayed::Complete);
            }
            self.data(u64::MAX).await?;
        }
    }

    async fn chunked(&mut self) -> Result<Relayed, Broken> {
        loop {
            let line = self.line().await?;
            let size = chunk_size(&self.buf[..line]).ok_or(Broken::Source)?;
            if size == 0 {
                // The last chunk and the trailers announce no data, so they pass even a cut
                // that falls at the very end of the body.
                self.framing(line).await?;
                return self.trailers().await;
            }
            if self.must_stop() {
                return Ok(Relayed::Stopped);
            }
            self.framing(line).await?;
            if let Relayed::Stopped = self.length(size).await? {
                return Ok(Relayed::Stopped);
            }
            let end = self.line().await?;
            if !is_blank(&self.buf[..end]) {
                return Err(Broken::Source);
            }
            self.framing(end).await?;
        }
    }

    /// The trailer section after the last chunk, up to its blank line.
    async fn trailers(&mut self) -> Result<Relayed, Broken> {
        let mut total = 0;
        loop {
            let line = self.line().await?;
            total += line;
            if total > MAX_HEAD {
                return Err(Broken::Source);
            }
            let blank = is_blank(&self.buf[..line]);
            self.framing(line).await?;
            if blank {
                return Ok(Relayed::Complete);
            }
        }
    }

    fn must_stop(&self) -> bool {
        self.shape.stop_at.is_some_and(|stop| self.sent >= stop)
    }

    /// Reads more of the source into `buf`, first flushing what is pending; 0 is end of stream.
    async fn fill(&mut self) -> Result<usize, Broken> {
        self.flush().await?;
        self.buf.reserve(READ_CHUNK);
        self.src
            .read_buf(self.buf)
            .await
            .map_err(|_| Broken::Source)
    }

    /// The length of the line at the start of `buf`, line end included, reading until it has
    /// arrived.
    async fn line(&mut self) -> Result<usize, Broken> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                return Ok(end + 1);
            }
            if self.buf.len() >= MAX_CHUNK_LINE || self.fill().await? == 0 {
                return Err(Broken::Source);
            }
        }
    }

    /// Passes on `len` bytes of framing from the start of `buf`.
    async fn framing(&mut self, len: usize) -> Result<(), Broken> {
        let bytes = self.buf.split_to(len);
        self.push(&bytes).await
    }

    /// Passes on up to `most` body bytes from `buf` (never past a cut), applying the shape;
    /// returns how many.
    async fn data(&mut self, most: u64) -> Result<u64, Broken> {
        let room = self
            .shape
            .stop_at
            .map_or(u64::MAX, |stop| stop.saturating_sub(self.sent));
        let take = usize::try_from(most.min(room))
            .unwrap_or(usize::MAX)
            .min(self.buf.len());
        let mut bytes = self.buf.split_to(take);
        if let Some(at) = self.shape.flip_at
            && let Some(offset) = at.checked_sub(self.sent)
            && let Ok(offset) = usize::try_from(offset)
            && let Some(byte) = bytes.get_mut(offset)
        {
            *byte ^= 0x01;
        }
        self.sent += take as u64;
        self.push(&bytes).await?;
        Ok(take as u64)
    }

    async fn push(&mut self, bytes: &[u8]) -> Result<(), Broken> {
        self.out.extend_from_slice(bytes);
        if self.out.len() >= READ_CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), Broken> {
        if !self.out.is_empty() {
            self.dst
                .write_all(&self.out)
                .await
                .map_err(|_| Broken::Sink)?;
            self.out.clear();
        }
        Ok(())
    }
}

/// The size in a chunk-size line (`hex[;extensions]` and its line end); `None` when it is not
/// one, including sizes beyond `u64`.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let digits = line
        .iter()
        .position(|b| !b.is_ascii_hexdigit())
        .unwrap_or(line.len());
    if digits == 0 || digits > 16 {
        return None;
    }
    match line.get(digits..)? {
        [b';' | b' ' | b'\t' | b'\r', ..] | [b'\n'] => {}
        _ => return None,
    }
    let hex = std::str::from_utf8(&line[..digits]).ok()?;
    u64::from_str_radix(hex, 16).ok()
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\r\n" || line == b"\n"
}

#[cfg(test)]
mod tests;
