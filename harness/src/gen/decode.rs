//! The byte → [`StateSpec`] mapping, decoded directly.
//!
//! It is exactly what `#[derive(Arbitrary)]` (arbitrary 1.5) makes of the same bytes — the
//! derive stays the definition, and `decodes_like_the_derived_arbitrary` checks the two agree —
//! without the derive's per-value `Result` plumbing, recursion guards and iterator adaptors,
//! which cost more than a tenth of a check. The rules: integers are little-endian and missing
//! bytes read as 0; a `bool` is the low bit of a byte; an enum variant is
//! `(u32 * variant_count) >> 32`; a `Vec` is a sequence of "one more?" bools each followed by
//! an element; an `Option` is a bool then the value; fields and tuple members in order.
//!
//! Adding, removing or reordering a variant or field of the spec types changes the mapping:
//! update this decoder with it (the test fails until then) — the reproducers' bytes depend on it.

use super::{CacheSpec, FloatSpec, IntSpec, OpargSpec, StateSpec, StrSpec, Val};

struct Bytes<'a> {
    data: &'a [u8],
}

impl Bytes<'_> {
    #[inline]
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut buf = [0u8; N];
        let n = N.min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        buf
    }

    #[inline]
    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    #[inline]
    fn i8(&mut self) -> i8 {
        self.u8() as i8
    }

    #[inline]
    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    #[inline]
    fn variant(&mut self, count: u64) -> u64 {
        (u64::from(u32::from_le_bytes(self.take())) * count) >> 32
    }

    fn vec<T>(&mut self, mut one: impl FnMut(&mut Self) -> T) -> Vec<T> {
        if !self.bool() {
            return Vec::new();
        }
        // the room the first push would give, without the growth path
        let mut v = Vec::with_capacity(4);
        v.push(one(self));
        while self.bool() {
            v.push(one(self));
        }
        v
    }

    fn int(&mut self) -> IntSpec {
        match self.variant(9) {
            0 => IntSpec::Zero,
            1 => IntSpec::One,
            2 => IntSpec::MinusOne,
            3 => IntSpec::CompactEdge(self.i8()),
            4 => IntSpec::NegCompactEdge(self.i8()),
            5 => IntSpec::Pow63(self.i8()),
            6 => IntSpec::NegPow63(self.i8()),
            7 => IntSpec::Small(self.i8()),
            _ => IntSpec::Any(i64::from_le_bytes(self.take())),
        }
    }

    fn float(&mut self) -> FloatSpec {
        match self.variant(7) {
            0 => FloatSpec::Zero,
            1 => FloatSpec::NegZero,
            2 => FloatSpec::NaN,
            3 => FloatSpec::Inf,
            4 => FloatSpec::NegInf,
            5 => FloatSpec::Half,
            _ => FloatSpec::Any(f64::from_bits(u64::from_le_bytes(self.take()))),
        }
    }

    fn str(&mut self) -> StrSpec {
        match self.variant(3) {
            0 => StrSpec::Name(self.u8()),
            1 => StrSpec::Empty,
            _ => StrSpec::Fresh(self.u8()),
        }
    }

    fn vals(&mut self) -> Vec<Val> {
        self.vec(Self::val)
    }

    fn pairs(&mut self) -> Vec<(StrSpec, Val)> {
        self.vec(|b| {
            let k = b.str();
            (k, b.val())
        })
    }

    fn val(&mut self) -> Val {
        match self.variant(27) {
            0 => Val::None,
            1 => Val::True,
            2 => Val::False,
            3 => Val::Int(self.int()),
            4 => Val::Float(self.float()),
            5 => Val::Str(self.str()),
            6 => Val::Bytes(self.u8()),
            7 => Val::Tuple(self.vals()),
            8 => Val::List(self.vals()),
            9 => Val::LongList(self.u8()),
            10 => Val::Dict(self.pairs()),
            11 => Val::Set(self.vec(Self::int)),
            12 => Val::FrozenSet(self.vec(Self::int)),
            13 => Val::Range(self.i8(), self.i8(), self.i8()),
            14 => {
                let a = Box::new(self.val());
                Val::Slice(a, Box::new(self.val()))
            }
            15 => {
                let items = self.vals();
                Val::ListIter(items, self.u8())
            }
            16 => {
                let items = self.vals();
                Val::TupleIter(items, self.u8())
            }
            17 => Val::RangeIter(self.i8(), self.i8(), self.u8()),
            18 => Val::Cell(Box::new(self.val())),
            19 => Val::Opaque(self.u8()),
            20 => Val::Class(self.u8()),
            21 => Val::Function(self.u8()),
            22 => Val::Exception(self.u8()),
            23 => Val::Shared(self.u8()),
            24 => Val::BuiltinType(self.u8()),
            25 => Val::Null,
            _ => Val::Code(self.u8()),
        }
    }

    fn oparg(&mut self) -> OpargSpec {
        match self.variant(5) {
            0 => OpargSpec::Zero,
            1 => OpargSpec::One,
            2 => OpargSpec::Small(self.u8()),
            3 => OpargSpec::Byte(self.u8()),
            _ => OpargSpec::Wide(u16::from_le_bytes(self.take())),
        }
    }

    fn cache(&mut self) -> CacheSpec {
        match self.variant(5) {
            0 => CacheSpec::Derived(self.u8()),
            1 => CacheSpec::Derived2(self.u8()),
            2 => CacheSpec::Derived3(self.u8()),
            3 => CacheSpec::Zero,
            _ => CacheSpec::Raw(u16::from_le_bytes(self.take())),
        }
    }
}

/// Decodes `bytes` into a spec (never fails: missing bytes decode as zeros).
pub fn spec(bytes: &[u8]) -> StateSpec {
    let mut b = Bytes { data: bytes };
    StateSpec {
        oparg: b.oparg(),
        extra_below: b.u8(),
        stack: b.vals(),
        locals: b.vals(),
        consts: b.vals(),
        globals: b.pairs(),
        builtins: b.pairs(),
        cache: b.vec(Bytes::cache),
        fault: if b.bool() { Some(b.u8()) } else { None },
        uniform: b.u8(),
        frame_locals: b.bool(),
        eval_breaker: b.bool(),
    }
}

#[cfg(test)]
mod tests {
    use arbitrary::{Arbitrary, Unstructured};

    use super::*;

    fn derived(bytes: &[u8]) -> StateSpec {
        StateSpec::arbitrary(&mut Unstructured::new(bytes)).expect("the derive never fails")
    }

    /// Equal specs (`FloatSpec::Any(NaN)` is not `==` to itself, so the readable forms are
    /// compared; every other value prints exactly).
    fn same(bytes: &[u8]) -> bool {
        format!("{:?}", spec(bytes)) == format!("{:?}", derived(bytes))
    }

    /// The CLI's own byte strings (every length from 48 to 191 occurs), every prefix of a few
    /// of them (data running out at each point), and bytes that pick the last variants.
    #[test]
    fn decodes_like_the_derived_arbitrary() {
        let mut bytes = Vec::new();
        let mut compared = 0;
        for name in [
            "NOP",
            "BINARY_OP_ADD_INT",
            "CALL_LIST_APPEND",
            "FOR_ITER_LIST",
        ] {
            for i in 0..2_000 {
                crate::run::state_bytes(7, name, i, &mut bytes);
                assert!(same(&bytes), "{name} state {i}: {bytes:?}");
                compared += 1;
                if i < 8 {
                    for n in 0..bytes.len() {
                        assert_eq!(
                            spec(&bytes[..n]),
                            derived(&bytes[..n]),
                            "{name} {i} [..{n}]"
                        );
                    }
                }
            }
        }
        for fill in [0xffu8, 0xfe, 0x80, 0x7f, 0x01, 0x00] {
            let bytes = vec![fill; 160];
            assert!(same(&bytes), "all {fill:#x}");
        }
        assert_eq!(compared, 8_000);
    }

    /// Values a hand-computed decoding fixes: `Wide` is the last of 5 oparg variants
    /// (`0xffff_ffff * 5 >> 32 = 4`), its u16 is little-endian; one stack item `Int(One)`
    /// (`u32 = 0x2000_0000`: `0x2000_0000 * 9 >> 32 = 1`); then nothing (zeros).
    #[test]
    fn a_hand_decoded_spec() {
        let bytes = [
            0xff, 0xff, 0xff, 0xff, 0x34, 0x12, // oparg: Wide(0x1234)
            0x05, // extra_below
            0x01, // one more stack item
            0x00, 0x00, 0x00, 0x20, // Val variant (0x2000_0000 * 27) >> 32 = 3: Int
            0x00, 0x00, 0x00, 0x20, // IntSpec variant 1: One
        ];
        let s = spec(&bytes);
        assert_eq!(s.oparg, OpargSpec::Wide(0x1234));
        assert_eq!(s.extra_below, 5);
        assert_eq!(s.stack, vec![Val::Int(IntSpec::One)]);
        assert!(s.locals.is_empty() && s.cache.is_empty() && s.fault.is_none());
        assert_eq!(s, derived(&bytes));
    }
}
