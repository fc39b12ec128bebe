//! The bounded wrapper at and past its limits.

use serde::{Deserialize, Serialize};

use super::super::{CodecErrorKind, Encoding, MAX_DEPTH};
use super::*;

/// Arrays in arrays, as deep as built.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Deep(Vec<Deep>);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Holder {
    deep: Deep,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Item {
    id: String,
    n: u32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Items {
    items: Vec<Item>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Figure {
    Point,
    Circle(u32),
    Line(u32, u32),
    Rect { w: u32, h: u32 },
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Drawing {
    shapes: Vec<Figure>,
}

fn deep(levels: usize) -> Deep {
    (1..levels).fold(Deep(vec![]), |inner, _| Deep(vec![inner]))
}

fn json_arrays(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

/// MessagePack arrays of one element, innermost empty.
fn msgpack_arrays(levels: usize) -> Vec<u8> {
    let mut b = vec![0x91; levels - 1];
    b.push(0x90);
    b
}

/// `{"id": "x", "n": 1, "zzz": <levels arrays>}` in MessagePack.
fn msgpack_unknown_deep(levels: usize) -> Vec<u8> {
    let mut b = vec![0x83, 0xa2, b'i', b'd', 0xa1, b'x', 0xa1, b'n', 0x01, 0xa3, b'z', b'z', b'z'];
    b.extend(msgpack_arrays(levels));
    b
}

fn json_unknown_deep(levels: usize) -> String {
    format!(r#"{{"id":"x","n":1,"zzz":{}}}"#, json_arrays(levels))
}

/// Runs `f` on a small stack: a decode that recursed with the input would
/// overflow it (which aborts the whole test binary).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(256 * 1024).spawn(f).unwrap().join().expect("the decode thread panicked")
}

#[test]
fn nesting_at_the_bound_decodes_and_one_past_is_refused() {
    for encoding in [Encoding::MsgPack, Encoding::Json] {
        let at = encoding.encode(&deep(MAX_DEPTH)).unwrap();
        let past = encoding.encode(&deep(MAX_DEPTH + 1)).unwrap();
        assert_eq!(encoding.decode_request::<Deep>(&at).unwrap(), deep(MAX_DEPTH), "{encoding:?}");
        assert_eq!(encoding.decode::<Deep>(&at).unwrap(), deep(MAX_DEPTH), "{encoding:?}");
        // Through deserialize_any too (serde_json::Value buffers anything).
        assert!(encoding.decode::<serde_json::Value>(&at).is_ok(), "{encoding:?}");
        for e in [
            encoding.decode_request::<Deep>(&past).unwrap_err(),
            encoding.decode::<Deep>(&past).unwrap_err(),
            encoding.decode::<serde_json::Value>(&past).unwrap_err(),
        ] {
            assert_eq!(e.kind(), CodecErrorKind::TooDeep, "{encoding:?}: {e}");
            assert!(e.to_string().contains("nesting deeper than 32"), "{e}");
        }
        // The body's own map counts as a level.
        let held = encoding.encode(&Holder { deep: deep(MAX_DEPTH) }).unwrap();
        assert_eq!(encoding.decode_request::<Holder>(&held).unwrap_err().kind(), CodecErrorKind::TooDeep);
        let held = encoding.encode(&Holder { deep: deep(MAX_DEPTH - 1) }).unwrap();
        assert!(encoding.decode_request::<Holder>(&held).is_ok());
    }
}

#[test]
fn a_deep_unknown_field_is_refused_without_recursing() {
    for levels in [800, 100_000] {
        let bodies =
            [(Encoding::MsgPack, msgpack_unknown_deep(levels)), (Encoding::Json, json_unknown_deep(levels).into())];
        for (encoding, body) in bodies {
            let (strict, lenient) = on_small_stack(move || {
                (encoding.decode_request::<Item>(&body).unwrap_err(), encoding.decode::<Item>(&body).unwrap_err())
            });
            // Strict: refused as unknown (JSON's prescan finds the depth first).
            match encoding {
                Encoding::MsgPack => assert!(strict.to_string().starts_with("unknown field `zzz`"), "{strict}"),
                Encoding::Json => assert_eq!(strict.kind(), CodecErrorKind::TooDeep, "{strict}"),
            }
            // Lenient: the skip is walked, and stops at the bound.
            assert_eq!(lenient.kind(), CodecErrorKind::TooDeep, "{encoding:?} {levels}: {lenient}");
        }
    }
}

#[test]
fn the_wrapper_bounds_json_without_the_prescan() {
    // What the prescan would have caught, refused by the wrapper itself
    // (long before serde_json's own limit of 128).
    let body = json_unknown_deep(100_000);
    let scope = Scope::new(Mode::Lenient);
    let mut de = serde_json::Deserializer::from_str(&body);
    let e = deserialize::<Item, _>(&mut de, &scope).unwrap_err();
    assert!(scope.too_deep(), "{e}");
    assert!(e.to_string().starts_with("nesting deeper than 32"), "{e}");
    // And a deep unknown value right at the bound is skipped leniently.
    let body = json_unknown_deep(MAX_DEPTH - 1);
    let mut de = serde_json::Deserializer::from_str(&body);
    let item: Item = deserialize(&mut de, &Scope::new(Mode::Lenient)).unwrap();
    assert_eq!(item, Item { id: "x".into(), n: 1 });
}

#[test]
fn json_prescan_counts_brackets_outside_strings() {
    assert!(!json_too_deep(json_arrays(MAX_DEPTH).as_bytes()));
    assert!(json_too_deep(json_arrays(MAX_DEPTH + 1).as_bytes()));
    let quoted = format!(r#"{{"a":"{}\"{}"}}"#, "[".repeat(100), "{".repeat(100));
    assert!(!json_too_deep(quoted.as_bytes()));
    assert!(Encoding::Json.decode::<serde_json::Value>(quoted.as_bytes()).is_ok());
}

#[test]
fn unknown_fields_are_refused_strictly_and_skipped_leniently() {
    let top = (br#"{"id":"x","n":1,"zzz":{"a":[1]}}"#.to_vec(), "unknown field `zzz`, expected `id` or `n`");
    let nested = (br#"{"items":[{"id":"x","n":1},{"id":"y","n":2,"nn":3}]}"#.to_vec(), "unknown field `nn`");
    for encoding in [Encoding::Json, Encoding::MsgPack] {
        let body = |json: &[u8]| match encoding {
            Encoding::Json => json.to_vec(),
            Encoding::MsgPack => {
                let v: serde_json::Value = serde_json::from_slice(json).unwrap();
                Encoding::MsgPack.encode(&v).unwrap().to_vec()
            }
        };
        let e = encoding.decode_request::<Item>(&body(&top.0)).unwrap_err();
        assert_eq!(e.kind(), CodecErrorKind::Invalid);
        assert!(e.to_string().starts_with(top.1), "{encoding:?}: {e}");
        assert_eq!(encoding.decode::<Item>(&body(&top.0)).unwrap(), Item { id: "x".into(), n: 1 });

        let e = encoding.decode_request::<Items>(&body(&nested.0)).unwrap_err();
        assert!(e.to_string().starts_with(nested.1), "{encoding:?}: {e}");
        assert_eq!(encoding.decode::<Items>(&body(&nested.0)).unwrap().items.len(), 2);
    }
}

#[test]
fn sequences_for_structs_are_refused_strictly() {
    let json = br#"{"items":[["x",1]]}"#;
    let e = Encoding::Json.decode_request::<Items>(json).unwrap_err();
    assert!(e.to_string().starts_with("expected a map, found a sequence"), "{e}");
    assert!(Encoding::Json.decode_request::<Item>(br#"["x",1]"#).is_err());
    // rmp-serde's compact form (what `rmp_serde::to_vec` writes).
    let compact = rmp_serde::to_vec(&Item { id: "x".into(), n: 1 }).unwrap();
    assert_eq!(compact[0], 0x92);
    let e = Encoding::MsgPack.decode_request::<Item>(&compact).unwrap_err();
    assert!(e.to_string().starts_with("expected a map, found a sequence"), "{e}");
    // Lenient decoding still reads them (records written compactly before).
    assert_eq!(Encoding::MsgPack.decode::<Item>(&compact).unwrap(), Item { id: "x".into(), n: 1 });
    assert!(Encoding::Json.decode::<Items>(json).is_ok());
}

#[test]
fn number_keys_are_no_field_names() {
    // {0: "x", 1: 1}: derived code would read the keys as field indexes.
    let body = [0x82, 0x00, 0xa1, b'x', 0x01, 0x01];
    assert_eq!(Encoding::MsgPack.decode::<Item>(&body).unwrap(), Item { id: "x".into(), n: 1 });
    let e = Encoding::MsgPack.decode_request::<Item>(&body).unwrap_err();
    assert!(e.to_string().contains("expected a field name, found a number"), "{e}");
    // Maps that are maps keep their keys.
    let map: std::collections::BTreeMap<u8, String> =
        Encoding::MsgPack.decode_request(&[0x81, 0x00, 0xa1, b'x']).unwrap();
    assert_eq!(map.get(&0).map(String::as_str), Some("x"));
}

#[test]
fn enum_variants_with_data_decode_and_count_depth() {
    let drawing =
        Drawing { shapes: vec![Figure::Point, Figure::Circle(1), Figure::Line(1, 2), Figure::Rect { w: 3, h: 4 }] };
    for encoding in [Encoding::MsgPack, Encoding::Json] {
        let body = encoding.encode(&drawing).unwrap();
        assert_eq!(encoding.decode_request::<Drawing>(&body).unwrap(), drawing, "{encoding:?}");
    }
    let e = Encoding::Json.decode_request::<Drawing>(br#"{"shapes":[{"Rect":{"w":1,"h":2,"d":3}}]}"#).unwrap_err();
    assert!(e.to_string().starts_with("unknown field `d`"), "{e}");
    let e = Encoding::Json.decode_request::<Drawing>(br#"{"shapes":[{"Rect":[1,2]}]}"#).unwrap_err();
    assert!(e.to_string().starts_with("expected a map, found a sequence"), "{e}");
}

/// Each `Node` is two levels: the `{"Node": ..}` map and its array.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Tree {
    Leaf,
    Node(Vec<Tree>),
}

fn tree(nodes: usize) -> Tree {
    (0..nodes).fold(Tree::Leaf, |inner, _| Tree::Node(vec![inner]))
}

#[test]
fn a_variant_with_data_is_one_level_in() {
    let at = tree(MAX_DEPTH / 2);
    let past = vec![tree(MAX_DEPTH / 2)];
    for encoding in [Encoding::MsgPack, Encoding::Json] {
        let body = encoding.encode(&at).unwrap();
        assert_eq!(encoding.decode_request::<Tree>(&body).unwrap(), at, "{encoding:?}");
        let body = encoding.encode(&past).unwrap();
        assert_eq!(encoding.decode_request::<Vec<Tree>>(&body).unwrap_err().kind(), CodecErrorKind::TooDeep);
    }
    // The same count in the wrapper as in the JSON prescan.
    let json = serde_json::to_string(&past).unwrap();
    assert!(json_too_deep(json.as_bytes()));
    let scope = Scope::new(Mode::Strict);
    assert!(deserialize::<Vec<Tree>, _>(&mut serde_json::Deserializer::from_str(&json), &scope).is_err());
    assert!(scope.too_deep());
}
