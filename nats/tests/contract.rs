//! `subjects.md` and the code agree on every request/reply endpoint.
//!
//! For every request type the endpoint tables declare (through
//! [`chorus_nats::subjects::visit`]) this test finds the row of its subject in
//! `subjects.md` and checks:
//!
//! - the `endpoint` column is the micro name and `access` is the endpoint's access;
//! - the request and reply cells: their first backticked span is either
//!   `{key, key?: ..., ...}`, whose top-level keys must be the type's serde
//!   fields, or a type name (`Track`, `Written<Track>`), which must be the
//!   type's serde name (the generic arguments too), and whose definition in
//!   `subjects.md` (``` `Track`: `{id, title, ...}` ```), when there is one,
//!   must list the type's serde fields.
//!
//! and that every `chorus.<service>.v1.…` row of the page has a request type.
//! The fields are read without a value, by a [`Probe`] deserializer that
//! records what the type asks for. Every disagreement is collected, so one run
//! lists them all.

use std::collections::{BTreeMap, BTreeSet};

use chorus_nats::request::{Request, Visitor};
use serde::de::{self, DeserializeOwned};

/// The page under test.
const SUBJECTS_MD: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../subjects.md"));

// ---------------------------------------------------------------------------
// What the code says: serde shapes, read without a value.
// ---------------------------------------------------------------------------

/// What a type's `Deserialize` asked the deserializer for, at the top level.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// A struct with named fields (serde's name, and its field names as on the wire).
    Struct { name: &'static str, fields: &'static [&'static str] },
    /// `struct Name;`: a unit, not a map.
    UnitStruct(&'static str),
    /// An externally tagged enum.
    Enum(&'static str),
    /// Anything else: a map, a sequence, a scalar, an internally tagged or
    /// untagged enum, a struct with `#[serde(flatten)]`.
    NotAStruct,
}

impl Shape {
    /// The shape `T` deserializes from.
    fn of<T: DeserializeOwned>() -> Shape {
        let mut shape = Shape::NotAStruct;
        // The probe always fails: it only records what it was asked.
        let _ = T::deserialize(Probe { shape: &mut shape });
        shape
    }

    /// serde's name of the type, when it has one.
    fn name(&self) -> Option<&'static str> {
        match self {
            Shape::Struct { name, .. } | Shape::UnitStruct(name) | Shape::Enum(name) => Some(name),
            Shape::NotAStruct => None,
        }
    }
}

/// A deserializer that records the first thing it is asked for, then stops.
/// A newtype struct is looked through (its inner type is what is on the wire).
struct Probe<'a> {
    shape: &'a mut Shape,
}

impl Probe<'_> {
    fn record<T>(self, shape: Shape) -> Result<T, de::value::Error> {
        *self.shape = shape;
        Err(de::Error::custom("probe: shape recorded"))
    }
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        self.record(Shape::NotAStruct)
    }

    fn deserialize_struct<V: de::Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.record(Shape::Struct { name, fields })
    }

    fn deserialize_unit_struct<V: de::Visitor<'de>>(self, name: &'static str, _: V) -> Result<V::Value, Self::Error> {
        self.record(Shape::UnitStruct(name))
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        name: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.record(Shape::Enum(name))
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit seq tuple tuple_struct map identifier ignored_any
    }
}

/// `a::b::Written<c::Track>` → `Written<Track>`.
fn short_type_name<T>() -> String {
    fn last_segment(path: &str) -> &str {
        path.rsplit("::").next().unwrap_or(path)
    }
    let mut short = String::new();
    let mut path = String::new();
    for c in std::any::type_name::<T>().chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            path.push(c);
        } else {
            short.push_str(last_segment(&path));
            path.clear();
            if !c.is_whitespace() {
                short.push(c);
            }
        }
    }
    short.push_str(last_segment(&path));
    short
}

/// One side (request or reply) of an endpoint, as the code has it.
#[derive(Debug)]
struct Body {
    /// The Rust type (`TrackCreate`, `Written<Track>`).
    rust: String,
    shape: Shape,
}

impl Body {
    fn of<T: DeserializeOwned>() -> Body {
        Body { rust: short_type_name::<T>(), shape: Shape::of::<T>() }
    }
}

/// One endpoint as the code declares it.
#[derive(Debug)]
struct CodeEndpoint {
    subject: String,
    name: String,
    access: &'static str,
    request: Body,
    reply: Body,
}

/// Every endpoint the code declares, in its order.
fn code_endpoints() -> Vec<CodeEndpoint> {
    struct Collect(Vec<CodeEndpoint>);
    impl Visitor for Collect {
        fn visit<R: Request>(&mut self) {
            self.0.push(CodeEndpoint {
                subject: R::ENDPOINT.subject(),
                name: R::ENDPOINT.name(),
                access: R::ENDPOINT.access.as_str(),
                request: Body::of::<R>(),
                reply: Body::of::<R::Reply>(),
            });
        }
    }
    let mut collect = Collect(Vec::new());
    chorus_nats::subjects::visit(&mut collect);
    collect.0
}

// ---------------------------------------------------------------------------
// What subjects.md says.
// ---------------------------------------------------------------------------

/// A row of an endpoint table (`| subject | endpoint | access | request | reply | errors |`).
#[derive(Debug)]
struct DocRow {
    line: usize,
    subject: String,
    name: String,
    access: String,
    request: String,
    reply: String,
}

/// The cells of a table row, `\|` read as `|`; `None` for a line that is not a row.
fn table_cells(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix('|')?;
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            _ => cell.push(c),
        }
    }
    if !cell.trim().is_empty() {
        cells.push(cell.trim().to_string());
    }
    Some(cells)
}

/// `|---|:--:|`.
fn is_separator(cells: &[String]) -> bool {
    cells.iter().all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
}

/// The first backticked span of `text`.
fn first_span(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once('`')?;
    rest.split_once('`').map(|(span, _)| span)
}

/// `chorus.<service>.v1.<noun>.<verb>` (and deeper).
fn is_versioned_subject(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() >= 5 && parts[0] == "chorus" && parts[2] == "v1" && parts.iter().all(|p| !p.is_empty())
}

/// The subject a row's first cell names, if it is one span of `chorus.*.v1.*`.
fn row_subject(cells: &[String]) -> Option<&str> {
    let first = cells.first()?;
    let span = first_span(first)?;
    (first == &format!("`{span}`") && is_versioned_subject(span)).then_some(span)
}

/// The rows of every endpoint table, and the problems met reading them.
fn doc_rows(doc: &str) -> (Vec<DocRow>, Vec<String>) {
    const COLUMNS: [&str; 5] = ["subject", "endpoint", "access", "request", "reply"];
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    // The current table's header, and where each column we read is in it.
    let mut header: Option<Option<[usize; 5]>> = None;
    for (index, line) in doc.lines().enumerate() {
        let line_no = index + 1;
        let Some(cells) = table_cells(line) else {
            header = None;
            continue;
        };
        let Some(columns) = header else {
            let position = |name: &str| cells.iter().position(|c| c.eq_ignore_ascii_case(name));
            header =
                Some(COLUMNS.map(position).into_iter().collect::<Option<Vec<_>>>().and_then(|v| v.try_into().ok()));
            continue;
        };
        if is_separator(&cells) {
            continue;
        }
        let Some(subject) = row_subject(&cells) else { continue };
        let Some([s, n, a, req, rep]) = columns else {
            problems.push(format!("subjects.md:{line_no}: `{subject}` is in a table without subject/endpoint/access/request/reply columns"));
            continue;
        };
        let cell = |i: usize| cells.get(i).cloned().unwrap_or_default();
        if cells.len() <= [s, n, a, req, rep].into_iter().max().unwrap_or(0) {
            problems.push(format!(
                "subjects.md:{line_no}: `{subject}`: the row has {} cells, fewer than its header",
                cells.len()
            ));
        }
        rows.push(DocRow {
            line: line_no,
            subject: subject.to_string(),
            name: first_span(&cell(n)).unwrap_or(&cell(n)).to_string(),
            access: cell(a),
            request: cell(req),
            reply: cell(rep),
        });
    }
    (rows, problems)
}

/// Type definitions by base name: the name as written and its keys.
type Definitions = BTreeMap<String, (String, BTreeSet<String>)>;

/// The type definitions of the page, ``` `Track`: `{id, title, ...}` ```,
/// by base name (`Written` for `Written<T>`), and the problems reading them.
fn doc_definitions(doc: &str) -> (Definitions, Vec<String>) {
    let mut definitions = BTreeMap::new();
    let mut problems = Vec::new();
    let mut rest = doc;
    while let Some(at) = rest.find("`: `{") {
        let before = &rest[..at];
        let after = &rest[at + "`: `".len()..];
        rest = after;
        let Some(name) = before.rsplit_once('`').map(|(_, name)| name) else { continue };
        if !is_type_name(name) {
            continue;
        }
        let Some((span, _)) = after.split_once('`') else { continue };
        let keys = match top_level_keys(span) {
            Ok(keys) => keys,
            Err(e) => {
                problems.push(format!("subjects.md: definition of `{name}`: {e}"));
                continue;
            }
        };
        let base = base_name(name).to_string();
        if definitions.insert(base, (name.to_string(), keys)).is_some() {
            problems.push(format!("subjects.md: `{name}` is defined twice"));
        }
    }
    (definitions, problems)
}

/// `Track`, `Written<Track>`, `Written<T>`.
fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '<' | '>' | ',' | ' '))
}

/// `Written<Track>` → `Written`.
fn base_name(type_name: &str) -> &str {
    type_name.split('<').next().unwrap_or(type_name).trim()
}

/// The top-level keys of `{a, b?, c: {x, y}, d?: 1..5 (20), e: "x" | "y"}`:
/// `a b c d e`. A key is an identifier opening an entry (after `{` or a `,`
/// at depth 1) and followed by `?`, `:`, `,`, `}` or a `(` remark; what is
/// nested in `{}`, `[]`, `()` or a string is skipped, and an entry opening
/// with anything else (`1,000,000` read as `1`, `000`, `000`) names no key.
fn top_level_keys(span: &str) -> Result<BTreeSet<String>, String> {
    let chars: Vec<char> = span.trim().chars().collect();
    if chars.first() != Some(&'{') {
        return Err(format!("`{span}` does not open with `{{`"));
    }
    let mut keys = BTreeSet::new();
    let mut depth = 0usize;
    let mut entry_starts = false;
    let mut in_string = false;
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            in_string = c != '"';
            continue;
        }
        if depth == 1 && entry_starts && !c.is_whitespace() {
            entry_starts = false;
            if let Some(key) = key_at(&chars[i..]) {
                keys.insert(key);
            }
        }
        match c {
            '"' => in_string = true,
            '{' | '[' | '(' => {
                depth += 1;
                entry_starts = depth == 1;
            }
            '}' | ']' | ')' => {
                depth = depth.checked_sub(1).ok_or_else(|| format!("`{span}`: unbalanced `{c}`"))?;
                if depth == 0 {
                    let trailing: String = chars[i + 1..].iter().collect();
                    return match trailing.trim() {
                        "" => Ok(keys),
                        t => Err(format!("`{span}`: `{t}` after the closing brace")),
                    };
                }
            }
            ',' if depth == 1 => entry_starts = true,
            _ => {}
        }
    }
    Err(format!("`{span}` is not closed"))
}

/// The identifier at the start of `chars`, if what follows it makes it a key.
fn key_at(chars: &[char]) -> Option<String> {
    if !chars.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == '_') {
        return None;
    }
    let len = chars.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == '_').count();
    let next = chars[len..].iter().find(|c| !c.is_whitespace());
    matches!(next, Some('?' | ':' | ',' | '}' | '(')).then(|| chars[..len].iter().collect())
}

// ---------------------------------------------------------------------------
// The comparison.
// ---------------------------------------------------------------------------

/// `{a, b}`, for messages.
fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    format!("{{{}}}", names.into_iter().collect::<Vec<_>>().join(", "))
}

/// How the doc's keys and a type's fields differ, `None` when they do not.
fn key_difference(doc: &BTreeSet<String>, code: &[&str]) -> Option<String> {
    let code: BTreeSet<&str> = code.iter().copied().collect();
    let doc: BTreeSet<&str> = doc.iter().map(String::as_str).collect();
    if doc == code {
        return None;
    }
    let mut only = Vec::new();
    if !doc.is_subset(&code) {
        only.push(format!("only in subjects.md: {}", list(doc.difference(&code).copied())));
    }
    if !code.is_subset(&doc) {
        only.push(format!("only in the code: {}", list(code.difference(&doc).copied())));
    }
    Some(format!(
        "subjects.md has {} but the code has {} ({})",
        list(doc.iter().copied()),
        list(code.iter().copied()),
        only.join("; "),
    ))
}

/// The disagreements of one side (`request` or `reply`) of one row.
fn compare_body(
    at: &str,
    cell: &str,
    body: &Body,
    definitions: &BTreeMap<String, (String, BTreeSet<String>)>,
) -> Vec<String> {
    let Some(span) = first_span(cell) else {
        return vec![format!("{at}: the cell has no backticked span (`{cell}`); the code has `{}`", body.rust)];
    };
    let span = span.trim();
    if span.starts_with('{') {
        return compare_keys(at, span, body);
    }
    if !is_type_name(span) {
        return vec![format!("{at}: `{span}` is neither `{{...}}` nor a type name; the code has `{}`", body.rust)];
    }
    compare_type_name(at, span, body, definitions)
}

/// A `{...}` cell against the type's fields.
fn compare_keys(at: &str, span: &str, body: &Body) -> Vec<String> {
    let keys = match top_level_keys(span) {
        Ok(keys) => keys,
        Err(e) => return vec![format!("{at}: cannot read {e}")],
    };
    match &body.shape {
        Shape::Struct { fields, .. } => key_difference(&keys, fields)
            .map(|d| format!("{at}: `{span}` vs `{}`: {d}", body.rust))
            .into_iter()
            .collect(),
        other => vec![format!(
            "{at}: subjects.md has the map `{span}` but `{}` is not a struct with named fields ({other:?})",
            body.rust
        )],
    }
}

/// A type-name cell (`Track`, `Written<Track>`) against the type's serde name,
/// and the name's definition, if any, against its fields.
fn compare_type_name(
    at: &str,
    span: &str,
    body: &Body,
    definitions: &BTreeMap<String, (String, BTreeSet<String>)>,
) -> Vec<String> {
    let doc_name = base_name(span);
    let Some(code_name) = body.shape.name() else {
        return vec![format!(
            "{at}: subjects.md has `{span}` but `{}` has no serde name ({:?})",
            body.rust, body.shape
        )];
    };
    if doc_name != code_name {
        return vec![format!(
            "{at}: subjects.md has `{span}` but the code has `{}` (serde name `{code_name}`)",
            body.rust
        )];
    }
    let mut problems = Vec::new();
    if span.contains('<') && span.replace(' ', "") != body.rust {
        problems.push(format!("{at}: subjects.md has `{span}` but the code has `{}`", body.rust));
    }
    if let (Some((defined, keys)), Shape::Struct { fields, .. }) = (definitions.get(doc_name), &body.shape) {
        if let Some(d) = key_difference(keys, fields) {
            problems.push(format!("{at}: the definition of `{defined}` vs `{}`: {d}", body.rust));
        }
    }
    problems
}

/// Every disagreement between the page `doc` and the endpoints `code`.
fn disagreements(doc: &str, code: &[CodeEndpoint]) -> Vec<String> {
    let (rows, mut problems) = doc_rows(doc);
    let (definitions, definition_problems) = doc_definitions(doc);
    problems.extend(definition_problems);

    let mut by_subject: BTreeMap<&str, &DocRow> = BTreeMap::new();
    for row in &rows {
        if let Some(first) = by_subject.insert(&row.subject, row) {
            problems.push(format!(
                "subjects.md:{}: `{}` has a second row (the first is line {})",
                row.line, row.subject, first.line
            ));
        }
    }

    for endpoint in code {
        let Some(row) = by_subject.get(endpoint.subject.as_str()) else {
            problems.push(format!(
                "`{}` ({}): the code has it, subjects.md has no row for it",
                endpoint.subject, endpoint.request.rust
            ));
            continue;
        };
        let at = format!("subjects.md:{}: `{}`", row.line, endpoint.subject);
        if row.name != endpoint.name {
            problems
                .push(format!("{at}: endpoint: subjects.md has `{}` but the code has `{}`", row.name, endpoint.name));
        }
        if row.access != endpoint.access {
            problems
                .push(format!("{at}: access: subjects.md has `{}` but the code has `{}`", row.access, endpoint.access));
        }
        problems.extend(compare_body(&format!("{at}: request"), &row.request, &endpoint.request, &definitions));
        problems.extend(compare_body(&format!("{at}: reply"), &row.reply, &endpoint.reply, &definitions));
    }

    let declared: BTreeSet<&str> = code.iter().map(|e| e.subject.as_str()).collect();
    for row in &rows {
        if !declared.contains(row.subject.as_str()) {
            problems.push(format!("subjects.md:{}: `{}` has no request type in the code", row.line, row.subject));
        }
    }
    problems
}

// ---------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------

#[test]
fn subjects_md_matches_the_code() {
    let code = code_endpoints();
    assert!(!code.is_empty(), "subjects::visit showed no request types");
    let problems = disagreements(SUBJECTS_MD, &code);
    assert!(
        problems.is_empty(),
        "{} disagreement(s) between subjects.md and the code:\n- {}\n",
        problems.len(),
        problems.join("\n- ")
    );
}

/// The check is not vacuous: a page edited to disagree is caught, row by row.
#[test]
fn a_disagreeing_page_is_caught() {
    let row = "| `chorus.catalog.v1.track.get` | `track_get` | public | `{id}` | `Track` |";
    let wrong = "| `chorus.catalog.v1.track.get` | `track_gets` | admin | `{id, extra?: 1..5 (2)}` | `Album` |";
    assert!(SUBJECTS_MD.contains(row), "the track.get row changed: update this test");
    let doc =
        SUBJECTS_MD.replace(row, wrong).replace("| `chorus.catalog.v1.art.get` |", "| `chorus.catalog.v1.art.gone` |");

    let problems = disagreements(&doc, &code_endpoints());
    let expect = [
        "`chorus.catalog.v1.track.get`: endpoint: subjects.md has `track_gets` but the code has `track_get`",
        "`chorus.catalog.v1.track.get`: access: subjects.md has `admin` but the code has `public`",
        "`chorus.catalog.v1.track.get`: request: `{id, extra?: 1..5 (2)}` vs `TrackGet`: subjects.md has {extra, id} but the code has {id}",
        "`chorus.catalog.v1.track.get`: reply: subjects.md has `Album` but the code has `Track` (serde name `Track`)",
        "`chorus.catalog.v1.art.get` (ArtGet): the code has it, subjects.md has no row for it",
        "`chorus.catalog.v1.art.gone` has no request type in the code",
    ];
    for e in expect {
        assert!(problems.iter().any(|p| p.contains(e)), "not reported: {e}\nreported:\n{}", problems.join("\n"));
    }
}

#[test]
fn keys_are_read_at_the_top_level_only() {
    let keys = |s: &str| top_level_keys(s).map(|k| k.into_iter().collect::<Vec<_>>());
    let expect = |v: &[&str]| Ok(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(keys("{}"), expect(&[]));
    assert_eq!(keys("{id}"), expect(&["id"]));
    assert_eq!(keys("{kind?, cursor?, limit?: 1..500 (100)}"), expect(&["cursor", "kind", "limit"]));
    assert_eq!(keys("{offset?: 0..1,000,000 (0), limit?: 1..page limit (50)}"), expect(&["limit", "offset"]));
    assert_eq!(
        keys("{tracks, albums, artists: [{id, starred_at}], next: string | null}"),
        expect(&["albums", "artists", "next", "tracks"])
    );
    assert_eq!(keys("{kind: \"track\" | \"a, b\", id}"), expect(&["id", "kind"]));
    assert_eq!(keys("{track_id, rating: 1..5, 0 clears}"), expect(&["rating", "track_id"]));
    assert_eq!(keys("{tracks: [uuid] (≤ 1,000), index}"), expect(&["index", "tracks"]));
    assert_eq!(
        keys("{access_token, expires_at (s since the Unix epoch), user: User}"),
        expect(&["access_token", "expires_at", "user"])
    );
    assert!(keys("{id").is_err());
    assert!(keys("{id}}").is_err());
}

#[test]
fn the_probe_reads_serde_shapes() {
    use chorus_nats::messages::catalog::{Track, TrackCreate, TrackGet, Written};
    assert_eq!(Shape::of::<TrackGet>(), Shape::Struct { name: "TrackGet", fields: &["id"] });
    assert_eq!(Shape::of::<TrackCreate>().name(), Some("Track"));
    assert_eq!(Shape::of::<Written<Track>>(), Shape::Struct { name: "Written", fields: &["entity", "seq"] });
    assert_eq!(Shape::of::<Option<Track>>(), Shape::NotAStruct);
    assert_eq!(short_type_name::<Written<Track>>(), "Written<Track>");
}
