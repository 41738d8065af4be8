//! A compact, binary-safe byte string: up to 22 bytes live inline (no allocation),
//! longer ones in one exact-size heap block. 24 bytes either way, so a key or a small
//! value costs no more than a pointer-and-length pair. A string modified in place
//! (APPEND, SETRANGE) becomes growable: it keeps spare capacity, so repeated appends
//! cost amortised O(1) as with Redis's sds strings.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

const INLINE: usize = 22;

#[derive(Clone)]
pub enum SmallBytes {
    Inline(u8, [u8; INLINE]),
    Heap(Box<[u8]>),
    Growable(Box<Vec<u8>>),
}

impl SmallBytes {
    pub fn new(data: &[u8]) -> Self {
        if data.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..data.len()].copy_from_slice(data);
            SmallBytes::Inline(data.len() as u8, buf)
        } else {
            SmallBytes::Heap(data.into())
        }
    }

    pub fn from_vec(data: Vec<u8>) -> Self {
        if data.len() <= INLINE {
            Self::new(&data)
        } else {
            SmallBytes::Heap(data.into_boxed_slice())
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        match self {
            SmallBytes::Inline(len, buf) => &buf[..*len as usize],
            SmallBytes::Heap(b) => b,
            SmallBytes::Growable(v) => v,
        }
    }

    /// The bytes as a growable vector, for in-place modification. Converts the
    /// string to the growable form once; later calls reuse its spare capacity.
    pub fn make_growable(&mut self) -> &mut Vec<u8> {
        if !matches!(self, SmallBytes::Growable(_)) {
            *self = SmallBytes::Growable(Box::new(self.as_slice().to_vec()));
        }
        match self {
            SmallBytes::Growable(v) => v,
            _ => unreachable!("converted above"),
        }
    }

    /// Heap bytes owned beyond the 24 inline ones.
    pub fn heap_size(&self) -> usize {
        match self {
            SmallBytes::Inline(..) => 0,
            SmallBytes::Heap(b) => b.len(),
            SmallBytes::Growable(v) => std::mem::size_of::<Vec<u8>>() + v.capacity(),
        }
    }
}

impl Default for SmallBytes {
    fn default() -> Self {
        SmallBytes::Inline(0, [0; INLINE])
    }
}

impl Deref for SmallBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Borrow<[u8]> for SmallBytes {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for SmallBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}
impl Eq for SmallBytes {}

impl std::hash::Hash for SmallBytes {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl PartialOrd for SmallBytes {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for SmallBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl fmt::Debug for SmallBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_roundtrip() {
        assert_eq!(std::mem::size_of::<SmallBytes>(), 24);
        for n in [0, 1, 22, 23, 100] {
            let data: Vec<u8> = (0..n as u8).collect();
            assert_eq!(SmallBytes::new(&data).as_slice(), &data[..]);
            assert_eq!(SmallBytes::from_vec(data.clone()).as_slice(), &data[..]);
            let mut g = SmallBytes::new(&data);
            g.make_growable().extend_from_slice(b"xy");
            assert_eq!(&g[..n], &data[..]);
            assert_eq!(&g[n..], b"xy");
        }
    }
}
