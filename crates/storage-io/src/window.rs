//! The read-ahead buffer of [`ObjectReader`](crate::ObjectReader): contiguous chunks of the
//! object held in memory, so that reads come from memory and seeks inside are free.

use std::collections::VecDeque;

use bytes::Bytes;

/// The bytes `[start, end)` of the object, as the chunks the stream yielded (no copies).
#[derive(Debug, Default)]
pub(crate) struct Window {
    chunks: VecDeque<Bytes>,
    start: u64,
    end: u64,
}

impl Window {
    /// An empty window at `offset`: the next chunk pushed starts there.
    pub(crate) fn reset(&mut self, offset: u64) {
        self.chunks.clear();
        self.start = offset;
        self.end = offset;
    }

    /// The offset just past the held bytes, where the open stream (if any) continues.
    pub(crate) fn end(&self) -> u64 {
        self.end
    }

    /// Whether a reader at `pos` can continue from this window and its stream: `pos` is held,
    /// or is exactly where the stream continues.
    pub(crate) fn reaches(&self, pos: u64) -> bool {
        (self.start..=self.end).contains(&pos)
    }

    /// Appends the next chunk of the stream.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        if !chunk.is_empty() {
            self.end += chunk.len() as u64;
            self.chunks.push_back(chunk);
        }
    }

    /// The held bytes from `pos` to the end of the chunk that holds them (empty if not held).
    pub(crate) fn slice_at(&self, pos: u64) -> Bytes {
        self.locate(pos)
            .map_or_else(Bytes::new, |(chunk, from)| chunk.slice(from..))
    }

    /// The same bytes as [`slice_at`](Window::slice_at), borrowed.
    pub(crate) fn slice_ref_at(&self, pos: u64) -> &[u8] {
        self.locate(pos).map_or(&[], |(chunk, from)| &chunk[from..])
    }

    /// The chunk holding `pos` and the index of `pos` in it.
    fn locate(&self, pos: u64) -> Option<(&Bytes, usize)> {
        let mut chunk_start = self.start;
        if pos < chunk_start {
            return None;
        }
        for chunk in &self.chunks {
            let from = pos - chunk_start;
            if from < chunk.len() as u64 {
                // Below the chunk's length, which is a usize.
                return usize::try_from(from).ok().map(|from| (chunk, from));
            }
            chunk_start += chunk.len() as u64;
        }
        None
    }

    /// Drops whole chunks before `pos` while the window holds more than `capacity` bytes, so
    /// that a reader keeps what it read last for cheap backward seeks, within its budget.
    pub(crate) fn trim(&mut self, pos: u64, capacity: usize) {
        while self.end - self.start > capacity as u64 {
            match self.chunks.front() {
                Some(front) if self.start + (front.len() as u64) <= pos => {
                    self.start += front.len() as u64;
                    self.chunks.pop_front();
                }
                _ => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_trims_and_reaches() {
        let mut w = Window::default();
        w.reset(10);
        w.push(Bytes::from_static(b"abcd"));
        w.push(Bytes::new());
        w.push(Bytes::from_static(b"efg"));
        assert_eq!(
            (w.end(), w.reaches(10), w.reaches(17), w.reaches(18)),
            (17, true, true, false)
        );
        assert_eq!(w.slice_at(12), "cd");
        assert_eq!(w.slice_at(14), "efg");
        assert_eq!(w.slice_ref_at(15), b"fg");
        assert_eq!(w.slice_at(17), "");
        assert_eq!(w.slice_at(9), "");
        w.trim(15, 3);
        assert!(!w.reaches(13));
        assert_eq!(w.slice_at(15), "fg");
        // The chunk holding `pos` stays even when over capacity.
        w.trim(15, 0);
        assert!(w.reaches(14));
    }
}
