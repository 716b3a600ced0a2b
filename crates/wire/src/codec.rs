//! The [`Codec`] trait and [`List`], a validated lazily-iterated vector view.

#[cfg(feature = "alloc")]
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use crate::error::{DecodeError, EncodeError};
use crate::reader::{LengthPrefix, Reader};
use crate::writer::Writer;

/// A wire type that reads itself from a [`Reader`] (borrowing from the input) and writes
/// itself to a [`Writer`].
pub trait Codec<'a>: Sized {
    /// The encoded size when every value has the same size (e.g. 2 for a `u16` enum).
    const FIXED_SIZE: Option<usize> = None;

    /// Reads one value.
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError>;

    /// Writes the value.
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError>;

    /// Decodes a value that must span all of `bytes`.
    fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        r.finish()?;
        Ok(v)
    }

    /// Encodes into `buf`, returning the number of bytes written.
    fn encode_into(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        let mut w = Writer::new(buf);
        self.write(&mut w)?;
        Ok(w.len())
    }

    /// Encodes into a new `Vec`.
    #[cfg(feature = "alloc")]
    fn to_vec(&self) -> Result<Vec<u8>, EncodeError> {
        let mut v = Vec::new();
        self.write(&mut Writer::vec(&mut v))?;
        Ok(v)
    }
}

impl<'a> Codec<'a> for u8 {
    const FIXED_SIZE: Option<usize> = Some(1);
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.u8()
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u8(*self)
    }
}

impl<'a> Codec<'a> for u16 {
    const FIXED_SIZE: Option<usize> = Some(2);
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.u16()
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u16(*self)
    }
}

/// The encoding rules of one vector: prefix width and the `<min..max>` bounds in bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VecSpec {
    pub(crate) prefix: LengthPrefix,
    pub(crate) min: usize,
    pub(crate) max: usize,
}

impl VecSpec {
    pub(crate) const fn new(prefix: LengthPrefix, min: usize, max: usize) -> Self {
        Self { prefix, min, max }
    }
}

enum Repr<'a, T> {
    /// Validated encoded elements, without the length prefix.
    Wire(&'a [u8]),
    /// Elements supplied by the caller for encoding.
    Items(&'a [T]),
}

impl<T> Clone for Repr<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Repr<'_, T> {}

/// A vector of `T` that is either a validated view over received bytes or a caller's
/// slice; both iterate the same way, compare equal element by element and encode the
/// same bytes.
///
/// A received list is validated once, when it is decoded; iterating it afterwards cannot
/// fail and allocates nothing.
pub struct List<'a, T> {
    repr: Repr<'a, T>,
    _t: PhantomData<T>,
}

impl<T> Clone for List<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for List<'_, T> {}

impl<'a, T: Codec<'a> + Clone> List<'a, T> {
    /// A list over the caller's elements (for encoding).
    pub const fn from_items(items: &'a [T]) -> Self {
        Self {
            repr: Repr::Items(items),
            _t: PhantomData,
        }
    }

    /// An iterator over the elements.
    pub fn iter(&self) -> ListIter<'a, T> {
        ListIter {
            inner: match self.repr {
                Repr::Wire(b) => IterRepr::Wire(Reader::new(b)),
                Repr::Items(items) => IterRepr::Items(items.iter()),
            },
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match (self.repr, T::FIXED_SIZE) {
            (Repr::Items(items), _) => items.len(),
            (Repr::Wire(b), Some(size)) => b.len() / size,
            (Repr::Wire(_), None) => self.iter().count(),
        }
    }

    /// Whether the list has no elements.
    pub fn is_empty(&self) -> bool {
        match self.repr {
            Repr::Items(items) => items.is_empty(),
            Repr::Wire(b) => b.is_empty(),
        }
    }

    /// Whether the list holds `item`.
    pub fn contains(&self, item: &T) -> bool
    where
        T: PartialEq,
    {
        self.iter().any(|x| x == *item)
    }

    /// The encoded elements, when this list was decoded from bytes.
    pub fn wire_bytes(&self) -> Option<&'a [u8]> {
        match self.repr {
            Repr::Wire(b) => Some(b),
            Repr::Items(_) => None,
        }
    }

    /// Validates `body` (the bytes after the prefix) as a sequence of `T`.
    pub(crate) fn from_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        if let Some(size) = T::FIXED_SIZE
            && !body.len().is_multiple_of(size)
        {
            return Err(DecodeError::OddLength);
        }
        let mut r = Reader::new(body);
        while !r.is_empty() {
            T::read(&mut r)?;
        }
        Ok(Self {
            repr: Repr::Wire(body),
            _t: PhantomData,
        })
    }

    /// Reads a prefixed list following `spec`.
    pub(crate) fn read_spec(r: &mut Reader<'a>, spec: VecSpec) -> Result<Self, DecodeError> {
        let body = r.vector(spec.prefix, spec.min, spec.max)?;
        Self::from_body(body)
    }

    /// Writes the elements without a prefix.
    pub(crate) fn write_body(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self.repr {
            Repr::Wire(b) => w.put(b),
            Repr::Items(items) => items.iter().try_for_each(|x| x.write(w)),
        }
    }

    /// Writes the list behind a prefix of the given width.
    pub(crate) fn write_prefixed(
        &self,
        w: &mut Writer<'_>,
        prefix: LengthPrefix,
    ) -> Result<(), EncodeError> {
        w.prefixed(prefix, |w| self.write_body(w))
    }
}

impl<'a, T: Codec<'a> + Clone + PartialEq> PartialEq for List<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}
impl<'a, T: Codec<'a> + Clone + Eq> Eq for List<'a, T> {}

impl<'a, T: Codec<'a> + Clone + fmt::Debug> fmt::Debug for List<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: Codec<'a> + Clone> IntoIterator for List<'a, T> {
    type Item = T;
    type IntoIter = ListIter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T: Codec<'a> + Clone> IntoIterator for &List<'a, T> {
    type Item = T;
    type IntoIter = ListIter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

enum IterRepr<'a, T> {
    Wire(Reader<'a>),
    Items(core::slice::Iter<'a, T>),
}

/// Iterator over a [`List`].
pub struct ListIter<'a, T> {
    inner: IterRepr<'a, T>,
}

impl<'a, T: Codec<'a> + Clone> Iterator for ListIter<'a, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        match &mut self.inner {
            // The bytes were validated when the list was decoded, so a read cannot fail;
            // should it anyway, iteration simply ends.
            IterRepr::Wire(r) => {
                if r.is_empty() {
                    None
                } else {
                    T::read(r).ok()
                }
            }
            IterRepr::Items(it) => it.next().cloned(),
        }
    }
}

/// Opaque bytes behind a length prefix, as one list element (e.g. an ASN.1Cert, a
/// DistinguishedName, an ALPN ProtocolName). `P` fixes the prefix and the bounds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Opaque<'a, P> {
    bytes: &'a [u8],
    _p: PhantomData<P>,
}

/// The prefix and bounds of an [`Opaque`] element.
pub trait OpaqueSpec {
    /// Prefix width.
    const PREFIX: LengthPrefix;
    /// Minimum length in bytes.
    const MIN: usize;
}

impl<'a, P: OpaqueSpec> Opaque<'a, P> {
    /// Wraps `bytes` (for encoding).
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            _p: PhantomData,
        }
    }

    /// The bytes, without the prefix.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl<'a, P: OpaqueSpec> Codec<'a> for Opaque<'a, P> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self::new(r.vector(P::PREFIX, P::MIN, P::PREFIX.max())?))
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.vector(P::PREFIX, self.bytes)
    }
}

impl<P> fmt::Debug for Opaque<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        for b in self.bytes {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;

    #[test]
    fn fixed_size_lists() {
        let l = List::<u16>::from_body(&[0, 1, 0, 2]).unwrap();
        assert_eq!(l.len(), 2);
        assert!(l.contains(&2));
        assert_eq!(l, List::from_items(&[1, 2]));
        assert_ne!(l, List::from_items(&[1]));
        assert_eq!(
            List::<u16>::from_body(&[0, 1, 0]),
            Err(DecodeError::OddLength)
        );
        assert_eq!(l.to_vec_prefixed(), [0, 4, 0, 1, 0, 2]);
    }

    #[test]
    fn list_spec_bounds() {
        let spec = VecSpec::new(LengthPrefix::U16, 2, 0xfffe);
        let mut r = Reader::new(&[0, 0]);
        assert_eq!(
            List::<u16>::read_spec(&mut r, spec),
            Err(DecodeError::VectorTooShort)
        );
        let mut r = Reader::new(&[0, 3, 0, 0, 0]);
        assert_eq!(
            List::<u16>::read_spec(&mut r, spec),
            Err(DecodeError::OddLength)
        );
    }

    impl List<'_, u16> {
        fn to_vec_prefixed(self) -> Vec<u8> {
            let mut v = Vec::new();
            self.write_prefixed(&mut Writer::vec(&mut v), LengthPrefix::U16)
                .unwrap();
            v
        }
    }
}
