//! Cutting a body into parts as it arrives, for backends that upload large writes in parts
//! (S3 multipart, Azure blocks): memory holds one part at a time, whatever the body's size.

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::body::ByteStream;
use crate::error::Result;

/// The most a part buffer reserves up front; larger parts grow as the body arrives.
const MAX_PREALLOCATION: usize = 64 << 20;

/// A body, read one part at a time.
///
/// ```
/// # futures_executor::block_on(async {
/// use storage_types::Body;
/// use storage_types::backend::PartReader;
///
/// let mut parts = PartReader::new(Body::from("abcdefghij").into_stream());
/// assert_eq!(parts.next_part(4).await.unwrap(), ("abcd".into(), false));
/// assert_eq!(parts.next_part(4).await.unwrap(), ("efgh".into(), false));
/// assert_eq!(parts.next_part(4).await.unwrap(), ("ij".into(), true));
/// # });
/// ```
pub struct PartReader {
    stream: ByteStream,
    /// Bytes read past the end of the previous part.
    carry: Bytes,
    /// A buffer handed back by [`recycle`](PartReader::recycle), filled by the next part.
    spare: Option<BytesMut>,
}

impl std::fmt::Debug for PartReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartReader")
            .field("carried", &self.carry.len())
            .finish_non_exhaustive()
    }
}

impl PartReader {
    /// Reads parts of `stream`.
    pub fn new(stream: ByteStream) -> Self {
        PartReader {
            stream,
            carry: Bytes::new(),
            spare: None,
        }
    }

    /// The next part of up to `size` bytes (fewer only at the end), and whether the body ended
    /// with it. After the end, parts are empty.
    pub async fn next_part(&mut self, size: u64) -> Result<(Bytes, bool)> {
        let size = usize::try_from(size).unwrap_or(usize::MAX).max(1);
        // A carried chunk that covers the whole part is sliced, not copied.
        if self.carry.len() >= size {
            let part = self.carry.split_to(size);
            return self.finish(part).await;
        }
        let mut part = match self.spare.take() {
            Some(spare) if spare.capacity() >= size => spare,
            _ => BytesMut::with_capacity(size.min(MAX_PREALLOCATION)),
        };
        part.extend_from_slice(&std::mem::take(&mut self.carry));
        while part.len() < size {
            match self.stream.next().await {
                None => return Ok((part.freeze(), true)),
                Some(chunk) => {
                    let mut chunk = chunk?;
                    let room = size - part.len();
                    if chunk.len() > room {
                        self.carry = chunk.split_off(room);
                    }
                    part.extend_from_slice(&chunk);
                }
            }
        }
        self.finish(part.freeze()).await
    }

    /// Hands back a part whose upload has finished with it. If nothing else holds it any more,
    /// its buffer is kept and the next part is read into it: a writer with parts in flight
    /// then reuses a few buffers instead of allocating (and page-faulting in) a fresh one per
    /// part. One buffer is kept at most, so memory stays at what the parts in flight hold.
    pub fn recycle(&mut self, part: Bytes) {
        if self.spare.is_some() {
            return;
        }
        if let Ok(mut buffer) = part.try_into_mut() {
            buffer.clear();
            self.spare = Some(buffer);
        }
    }

    /// The rest of the body, starting with whatever was read past the last part.
    pub fn into_stream(self) -> ByteStream {
        if self.carry.is_empty() {
            return self.stream;
        }
        let carried = futures_util::stream::once(async move { Ok(self.carry) });
        Box::pin(carried.chain(self.stream))
    }

    /// Returns a full part, first peeking at the stream (when nothing is carried) so that a body
    /// ending exactly at the part's end is known to have ended.
    async fn finish(&mut self, part: Bytes) -> Result<(Bytes, bool)> {
        while self.carry.is_empty() {
            match self.stream.next().await {
                None => return Ok((part, true)),
                Some(chunk) => self.carry = chunk?,
            }
        }
        Ok((part, false))
    }
}

#[cfg(test)]
mod tests {
    use futures_executor::block_on;

    use super::*;

    fn reader(chunks: &[&'static [u8]]) -> PartReader {
        let items: Vec<Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
        PartReader::new(Box::pin(futures_util::stream::iter(items)))
    }

    #[test]
    fn parts_are_cut_at_the_size_and_the_end_is_seen() {
        let mut src = reader(&[b"abc", b"defgh", b"ij"]);
        assert_eq!(
            block_on(src.next_part(4)).unwrap(),
            (Bytes::from("abcd"), false)
        );
        assert_eq!(
            block_on(src.next_part(4)).unwrap(),
            (Bytes::from("efgh"), false)
        );
        assert_eq!(
            block_on(src.next_part(4)).unwrap(),
            (Bytes::from("ij"), true)
        );
    }

    #[test]
    fn a_body_ending_on_a_part_boundary_ends_there() {
        let mut src = reader(&[b"ab", b"cd"]);
        assert_eq!(
            block_on(src.next_part(4)).unwrap(),
            (Bytes::from("abcd"), true)
        );
        let mut empty = reader(&[]);
        assert_eq!(block_on(empty.next_part(4)).unwrap(), (Bytes::new(), true));
        let mut with_empty_chunks = reader(&[b"abcd", b"", b""]);
        assert_eq!(
            block_on(with_empty_chunks.next_part(4)).unwrap(),
            (Bytes::from("abcd"), true)
        );
    }

    #[test]
    fn a_recycled_part_holds_the_next_one() {
        let mut src = reader(&[b"ab", b"cd", b"ef", b"gh", b"ij"]);
        let (first, _) = block_on(src.next_part(4)).unwrap();
        let address = first.as_ptr();
        src.recycle(first);
        let (second, _) = block_on(src.next_part(4)).unwrap();
        assert_eq!(second, Bytes::from("efgh"));
        assert_eq!(second.as_ptr(), address, "the buffer was not reused");
        // A part still held elsewhere is not taken back.
        let held = second.clone();
        src.recycle(second);
        let (third, end) = block_on(src.next_part(4)).unwrap();
        assert_eq!((third, end), (Bytes::from("ij"), true));
        assert_eq!(held, Bytes::from("efgh"));
    }
}
