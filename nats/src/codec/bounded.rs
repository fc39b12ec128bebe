//! A serde `Deserializer` wrapper that bounds nesting and, for requests,
//! refuses what serde's derived code would quietly accept.
//!
//! Every value the wrapped decoder hands to a visitor passes back through
//! this wrapper (visitors, sequence and map access, enum access and seeds are
//! all wrapped), so nesting is counted at each container *before* the decoder
//! recurses into it. Unknown values are walked through the wrapper too, never
//! by the decoder's own skip, which would recurse as deep as the input goes.
//!
//! In strict mode it also refuses:
//! - an unknown field of a struct: derived struct visitors skip one by
//!   deserializing its value as `IgnoredAny`, which arrives here as
//!   `deserialize_ignored_any` in a struct field's value slot;
//! - a sequence where a struct is expected (`["x", 1]` read as fields in order);
//! - a non-string key in a struct's map (MessagePack `{0: ..}` read as field 0).
//!
//! Not covered, because serde buffers these into its private `Content` and
//! replays them through its own deserializer, out of this wrapper's reach:
//! unknown fields inside `#[serde(flatten)]` structs and inside the variants of
//! internally tagged or untagged enums (give those types
//! `#[serde(deny_unknown_fields)]`, as `PlaylistOp` has), and sequences for the
//! variants of untagged enums. Nesting is still counted there, while buffering.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use super::MAX_DEPTH;

/// How much a decode tolerates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Requests: bounded, and no unknown fields or sequences for structs.
    Strict,
    /// Records and replies: bounded, unknown fields skipped (forward compatible).
    Lenient,
}

/// State shared by every wrapper of one decode.
pub(crate) struct Scope {
    strict: bool,
    /// The last key read in a struct's map, for naming an unknown field.
    key: RefCell<String>,
    /// Whether the decode stopped at the depth bound (the error itself is the
    /// inner decoder's type, so the reason travels here).
    too_deep: Cell<bool>,
}

impl Scope {
    pub(crate) fn new(mode: Mode) -> Self {
        Scope { strict: mode == Mode::Strict, key: RefCell::new(String::new()), too_deep: Cell::new(false) }
    }

    /// Whether the decode was refused for nesting too deep.
    pub(crate) fn too_deep(&self) -> bool {
        self.too_deep.get()
    }

    /// One level further in, or the refusal at the bound.
    fn enter<E: de::Error>(&self, depth: usize) -> Result<usize, E> {
        let depth = depth + 1;
        if depth > MAX_DEPTH {
            self.too_deep.set(true);
            return Err(E::custom(format_args!("nesting deeper than {MAX_DEPTH}")));
        }
        Ok(depth)
    }
}

/// Decode `T` from `de` under `scope`'s rules.
pub(crate) fn deserialize<'de, T, D>(de: D, scope: &Scope) -> Result<T, D::Error>
where
    T: de::Deserialize<'de>,
    D: Deserializer<'de>,
{
    T::deserialize(Bounded { de, depth: 0, slot: Slot::Value, scope })
}

/// Whether a JSON text nests its arrays and objects deeper than [`MAX_DEPTH`],
/// counting brackets outside strings. Cheap, and independent of the decoder;
/// unbalanced input is left for the parser to refuse.
pub(crate) fn json_too_deep(body: &[u8]) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in body {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Where a value sits, which decides what is refused there.
#[derive(Clone, Copy)]
enum Slot {
    /// Anywhere else.
    Value,
    /// A key of a struct's map (strict only).
    Key,
    /// The value of a struct field (strict only); an ignored one is unknown.
    Field(&'static [&'static str]),
}

/// What the visitor was asked for.
#[derive(Clone, Copy)]
enum Shape {
    Any,
    Struct(&'static [&'static str]),
    Key,
}

struct Bounded<'s, D> {
    de: D,
    /// Containers enclosing this value.
    depth: usize,
    slot: Slot,
    scope: &'s Scope,
}

impl<'s, D> Bounded<'s, D> {
    fn visitor<V>(&self, visitor: V, shape: Shape) -> Visit<'s, V> {
        let shape = if matches!(self.slot, Slot::Key) { Shape::Key } else { shape };
        Visit { visitor, depth: self.depth, shape, scope: self.scope }
    }
}

macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Self::Error> {
            let visitor = self.visitor(visitor, Shape::Any);
            self.de.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Bounded<'_, D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let visitor = self.visitor(visitor, Shape::Struct(fields));
        self.de.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if let Slot::Field(fields) = self.slot {
            return Err(de::Error::unknown_field(&self.scope.key.borrow(), fields));
        }
        // Walked through the wrapper, not the decoder's own skip, so that
        // depth is counted: the decoder would recurse as deep as the input.
        let visitor = self.visitor(visitor, Shape::Any);
        self.de.deserialize_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

struct Visit<'s, V> {
    visitor: V,
    depth: usize,
    shape: Shape,
    scope: &'s Scope,
}

impl<V> Visit<'_, V> {
    /// In a struct's key, remember the name for an unknown-field error.
    fn key(&self, name: &[u8]) {
        if matches!(self.shape, Shape::Key) {
            let mut key = self.scope.key.borrow_mut();
            key.clear();
            key.push_str(&String::from_utf8_lossy(name));
        }
    }

    /// A number is no field name, though derived code reads it as a field index.
    fn number<E: de::Error>(&self) -> Result<(), E> {
        match self.shape {
            Shape::Key => Err(E::custom("expected a field name, found a number")),
            _ => Ok(()),
        }
    }
}

macro_rules! forward_number {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.number()?;
            self.visitor.$method(v)
        }
    )*};
}

impl<'de, 's, V: Visitor<'de>> Visitor<'de> for Visit<'s, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    forward_number! {
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_f64(f64);
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
        self.visitor.visit_bool(v)
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<V::Value, E> {
        self.visitor.visit_char(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.key(v.as_bytes());
        self.visitor.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.key(v.as_bytes());
        self.visitor.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.key(v.as_bytes());
        self.visitor.visit_string(v)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        self.key(v);
        self.visitor.visit_bytes(v)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        self.key(v);
        self.visitor.visit_borrowed_bytes(v)
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V::Value, E> {
        self.key(&v);
        self.visitor.visit_byte_buf(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_some(Bounded { de, depth: self.depth, slot: Slot::Value, scope: self.scope })
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_newtype_struct(Bounded { de, depth: self.depth, slot: Slot::Value, scope: self.scope })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.scope.strict {
            let for_struct = match self.shape {
                Shape::Struct(_) => true,
                // An internally tagged enum is read through `deserialize_any`,
                // and serde then takes a sequence's first element as the tag
                // and the rest as the variant's fields in order. Its visitor
                // says what it is only in `expecting` (serde_derive's default
                // text; `#[serde(expecting = ..)]` would hide it).
                Shape::Any => expects_internally_tagged(&self.visitor),
                Shape::Key => false,
            };
            if for_struct {
                return Err(de::Error::custom("expected a map, found a sequence"));
            }
        }
        let depth = self.scope.enter(self.depth)?;
        self.visitor.visit_seq(Seq { seq, depth, scope: self.scope })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let depth = self.scope.enter(self.depth)?;
        let fields = match self.shape {
            Shape::Struct(fields) if self.scope.strict => Some(fields),
            _ => None,
        };
        self.visitor.visit_map(Map { map, depth, fields, scope: self.scope })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        // A unit variant is no container: depth is counted where a variant's
        // data is read.
        self.visitor.visit_enum(Enum { data, depth: self.depth, scope: self.scope })
    }
}

/// Whether `visitor` is serde_derive's visitor of an internally tagged enum.
fn expects_internally_tagged(visitor: &dyn Expected) -> bool {
    /// Compares what is written against a prefix, stopping once it is decided.
    struct Prefix {
        rest: &'static str,
        matched: bool,
    }
    impl fmt::Write for Prefix {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let n = self.rest.len().min(s.len());
            if s.as_bytes()[..n] != self.rest.as_bytes()[..n] {
                return Err(fmt::Error);
            }
            self.rest = &self.rest[n..];
            if self.rest.is_empty() {
                self.matched = true;
                return Err(fmt::Error);
            }
            Ok(())
        }
    }
    let mut prefix = Prefix { rest: "internally tagged enum ", matched: false };
    let _ = fmt::write(&mut prefix, format_args!("{visitor}"));
    prefix.matched
}

struct Seed<'s, S> {
    seed: S,
    depth: usize,
    slot: Slot,
    scope: &'s Scope,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Bounded { de, depth: self.depth, slot: self.slot, scope: self.scope })
    }
}

struct Seq<'s, A> {
    seq: A,
    /// Of the elements.
    depth: usize,
    scope: &'s Scope,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.seq.next_element_seed(Seed { seed, depth: self.depth, slot: Slot::Value, scope: self.scope })
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

struct Map<'s, A> {
    map: A,
    /// Of the keys and values.
    depth: usize,
    /// A struct's fields, when strict.
    fields: Option<&'static [&'static str]>,
    scope: &'s Scope,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        let slot = match self.fields {
            Some(_) => {
                self.scope.key.borrow_mut().clear();
                Slot::Key
            }
            None => Slot::Value,
        };
        self.map.next_key_seed(Seed { seed, depth: self.depth, slot, scope: self.scope })
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        let slot = self.fields.map_or(Slot::Value, Slot::Field);
        self.map.next_value_seed(Seed { seed, depth: self.depth, slot, scope: self.scope })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

struct Enum<'s, A> {
    data: A,
    depth: usize,
    scope: &'s Scope,
}

impl<'de, 's, A: EnumAccess<'de>> EnumAccess<'de> for Enum<'s, A> {
    type Error = A::Error;
    type Variant = Variant<'s, A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self::Variant), A::Error> {
        let (value, variant) =
            self.data.variant_seed(Seed { seed, depth: self.depth, slot: Slot::Value, scope: self.scope })?;
        Ok((value, Variant { variant, depth: self.depth, scope: self.scope }))
    }
}

struct Variant<'s, A> {
    variant: A,
    depth: usize,
    scope: &'s Scope,
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Variant<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.variant.unit_variant()
    }

    // A variant's data sits inside the `{"variant": ..}` map: one level in.
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        let depth = self.scope.enter(self.depth)?;
        self.variant.newtype_variant_seed(Seed { seed, depth, slot: Slot::Value, scope: self.scope })
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        let depth = self.scope.enter(self.depth)?;
        self.variant.tuple_variant(len, Visit { visitor, depth, shape: Shape::Any, scope: self.scope })
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let depth = self.scope.enter(self.depth)?;
        self.variant.struct_variant(fields, Visit { visitor, depth, shape: Shape::Struct(fields), scope: self.scope })
    }
}

#[cfg(test)]
mod tests;
