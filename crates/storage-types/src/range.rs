//! Byte ranges of a read.

use std::fmt;
use std::ops::{Range, RangeFrom};

use crate::error::{Error, Result};

/// A range of bytes: `offset` and an optional `length` (to the end when `None`).
///
/// A range that starts at or past the end of a non-empty object fails with
/// [`ErrorKind::RangeNotSatisfiable`](crate::ErrorKind::RangeNotSatisfiable); one that ends past
/// the end is cut at the end. `ByteRange::from(0..)` is a whole read and never fails.
///
/// ```
/// use storage_types::ByteRange;
///
/// let r = ByteRange::from(10..20);
/// assert_eq!((r.offset(), r.length()), (10, Some(10)));
/// assert_eq!(ByteRange::from(5..).length(), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ByteRange {
    offset: u64,
    length: Option<u64>,
}

impl ByteRange {
    /// `length` bytes from `offset`, or to the end when `length` is `None`.
    pub fn new(offset: u64, length: Option<u64>) -> Self {
        ByteRange { offset, length }
    }

    /// The first byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The number of bytes asked for; `None` means to the end.
    pub fn length(&self) -> Option<u64> {
        self.length
    }

    /// The exclusive end, if bounded.
    pub fn end(&self) -> Option<u64> {
        self.length.map(|len| self.offset.saturating_add(len))
    }

    /// Whether this range covers the whole object.
    pub fn is_full(&self) -> bool {
        self.offset == 0 && self.length.is_none()
    }

    /// Refuses empty ranges, which no service answers alike.
    pub fn validate(&self) -> Result<()> {
        if self.length == Some(0) {
            return Err(Error::invalid_input("a byte range must not be empty"));
        }
        Ok(())
    }

    /// Applies the range to an object of `size` bytes: the offset and the number of bytes a read
    /// yields, or `RangeNotSatisfiable`. For backends that cut ranges themselves.
    pub fn resolve(&self, size: u64) -> Result<(u64, u64)> {
        if self.is_full() {
            return Ok((0, size));
        }
        if self.offset >= size {
            return Err(Error::new(
                crate::ErrorKind::RangeNotSatisfiable,
                format!(
                    "range starts at {} but the object has {size} bytes",
                    self.offset
                ),
            ));
        }
        let end = self.end().map_or(size, |end| end.min(size));
        Ok((self.offset, end - self.offset))
    }

    /// The HTTP `Range` header value (`bytes=first-last` or `bytes=first-`).
    pub fn to_http_header(&self) -> String {
        match self.end() {
            Some(end) => format!("bytes={}-{}", self.offset, end.saturating_sub(1)),
            None => format!("bytes={}-", self.offset),
        }
    }
}

impl From<Range<u64>> for ByteRange {
    fn from(r: Range<u64>) -> Self {
        ByteRange::new(r.start, Some(r.end.saturating_sub(r.start)))
    }
}

impl From<RangeFrom<u64>> for ByteRange {
    fn from(r: RangeFrom<u64>) -> Self {
        ByteRange::new(r.start, None)
    }
}

impl fmt::Debug for ByteRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end() {
            Some(end) => write!(f, "{}..{}", self.offset, end),
            None => write!(f, "{}..", self.offset),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn resolves_against_the_size() {
        assert_eq!(ByteRange::from(0..).resolve(0).unwrap(), (0, 0));
        assert_eq!(ByteRange::from(2..5).resolve(10).unwrap(), (2, 3));
        assert_eq!(ByteRange::from(8..50).resolve(10).unwrap(), (8, 2));
        assert_eq!(ByteRange::from(9..).resolve(10).unwrap(), (9, 1));
        let err = ByteRange::from(10..).resolve(10).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RangeNotSatisfiable);
        assert_eq!(
            ByteRange::from(0..1).resolve(0).unwrap_err().kind(),
            err.kind()
        );
    }

    #[test]
    fn http_header_is_inclusive() {
        assert_eq!(ByteRange::from(0..10).to_http_header(), "bytes=0-9");
        assert_eq!(ByteRange::from(7..).to_http_header(), "bytes=7-");
    }

    #[test]
    fn empty_ranges_are_refused() {
        assert!(ByteRange::from(3..3).validate().is_err());
        assert!(ByteRange::from(3..4).validate().is_ok());
    }
}
